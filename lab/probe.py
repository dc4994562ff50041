"""What one lab process spends, measured from the inside: CPU time per thread (by name) and GIL-held time (py-spy).

Used by the harness's worker process, one per measured cell. Two independent
measurements, so each can check the other:

* `Threads`: every thread of this process by its kernel name
  (`/proc/self/task/*/comm`) and its CPU time, read from the thread's own CPU
  clock (`clock_gettime` on the per-thread clock id, nanoseconds) at the start
  and the end of the measurement window.
* `GilSampler`: `py-spy record --gil --nonblocking` attached to this process
  from another CPU, counting the samples at which some thread holds the GIL.
  The share of samples is the share of time the GIL was held, whoever held it.

A GIL holder is a running thread (or one preempted while holding it), so the
GIL-held time lies between the CPU time of the threads that only run Python
(the event loop) and the CPU time of every thread that ever takes the GIL.
"""

import ctypes
import os
import signal
import subprocess
import tempfile
import time

_libc = ctypes.CDLL(None, use_errno=True)
PR_SET_NAME = 15


def name_this_thread(name):
    """Give the calling OS thread a kernel name (15 bytes at most), so the
    thread table can tell it apart: Python 3.11 leaves every thread it starts
    with the process's name."""
    _libc.prctl(PR_SET_NAME, name.encode()[:15], 0, 0, 0)


def _thread_cpu_ns(tid):
    # The per-thread CPU clock id of Linux (MAKE_THREAD_CPUCLOCK(tid, CPUCLOCK_SCHED)).
    return time.clock_gettime_ns(((~tid) << 3) | 6)


def role(tid, comm):
    """The part a thread plays, from its id and name."""
    if tid == os.getpid():
        return "main"
    if comm.startswith("lab-pool"):
        return "pool"
    if comm.startswith("tokio"):
        return "tokio"
    return "other"


class Threads:
    """A snapshot of every thread's name and CPU time."""

    def __init__(self):
        self.rows = {}
        for entry in os.listdir("/proc/self/task"):
            tid = int(entry)
            try:
                with open(f"/proc/self/task/{tid}/comm") as f:
                    comm = f.read().strip()
                self.rows[tid] = (comm, _thread_cpu_ns(tid))
            except (OSError, ValueError):
                continue  # the thread ended between listing and reading

    def by_name(self):
        """How many threads carry each kernel name."""
        out = {}
        for comm, _ in self.rows.values():
            out[comm] = out.get(comm, 0) + 1
        return dict(sorted(out.items()))

    def cpu_since(self, before):
        """CPU seconds per role between an earlier snapshot and this one
        (a thread started in between counts from zero)."""
        out = {}
        for tid, (comm, ns) in self.rows.items():
            start = before.rows.get(tid, (comm, 0))[1]
            r = role(tid, comm)
            out[r] = out.get(r, 0.0) + (ns - start) / 1e9
        return out


class GilSampler:
    """py-spy sampling this process for GIL ownership, from the given CPUs."""

    RATE = 1000  # samples per second

    def __init__(self, spy, cpus=None):
        self.spy, self.cpus = spy, cpus
        self.proc = None

    def start(self, timeout_s=10.0):
        fd, self.out = tempfile.mkstemp(suffix=".txt", prefix="lab-gil-")
        os.close(fd)
        pin = (lambda: os.sched_setaffinity(0, self.cpus)) if self.cpus else None
        self.proc = subprocess.Popen(
            [self.spy, "record", "--gil", "--nonblocking", "--rate", str(self.RATE), "--format", "raw",
             "-o", self.out, "--pid", str(os.getpid())],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=pin)
        # py-spy says (on stdout) when it starts sampling; the window's clock starts there.
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            if "Sampling process" in line:
                self.t0 = time.perf_counter()
                return True
        self.proc.kill()
        self.proc = None
        return False

    def stop(self):
        """The share of the sampled time at which some thread held the GIL,
        and how many samples that rests on (None if py-spy did not run)."""
        if self.proc is None:
            return None
        t1 = time.perf_counter()
        self.proc.send_signal(signal.SIGINT)
        try:
            out, err = self.proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return None
        held = 0
        try:
            with open(self.out) as f:
                for line in f:
                    head, _, n = line.rstrip().rpartition(" ")
                    if n.isdigit():
                        held += int(n)
        finally:
            os.unlink(self.out)
        ticks = self.RATE * (t1 - self.t0)
        behind = "behind in sampling" in (out or "") + (err or "")
        return {"gil_share": min(1.0, held / ticks) if ticks > 0 else None, "samples": round(ticks), "behind": behind}
