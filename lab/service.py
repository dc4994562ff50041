"""The service lab: a FastAPI service under uvicorn, its endpoints loaded at Poisson rates, against the stub.

`cargo xtask lab --service` runs the full grid and files the report in
book/reports/service/; `--quick` runs a few cells into target/lab-quick/.

Layout, as the clean lab's (`harness.py`): the stub and the load generator
(`loadgen`, this project's, in Rust) share the first CPU this process may
use; uvicorn's processes (its supervisor and every worker) are pinned to the
second: a pod whose CPU quota is one whole core. Each configuration (pattern,
worker processes, injected wait, handler work) gets a fresh server, then:
  1. a closed load of `PROBE_CONNS` connections finds its capacity;
  2. open loads at fractions of that capacity (`FRACTIONS`), each latency
     taken from the request's scheduled time.
For each open cell it records what the generator saw (rate achieved,
percentiles, its own lateness), what the server's processes used (CPU time,
as cores and as µs per request; resident memory; threads), the stub's
applied wait, the load average, and the CPU time processes outside the lab
took meanwhile (`foreign_cpu_share`); a cell above `QUIET` is measured
again, and one that never ran quietly is reported as refused, not filed.

Patterns are the endpoints of `service_app.py`: none, sync, executor,
threadpool, asp. Configurations run in an order shuffled with a recorded seed.
"""
import argparse
import datetime
import json
import os
import platform
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.request

import batch
import harness

QUIET = 0.10
RETRIES = 3
PROBE_CONNS = 64
FRACTIONS = (0.25, 0.5, 0.7, 0.85, 0.95, 1.1, 1.3)
WORKERS = (1, 2)
# (pattern, injected wait ms, handler work ms)
SHAPES = [("none", 0, 0), ("none", 0, 2)] + [
    (p, io, w) for p in ("sync", "executor", "threadpool", "asp") for (io, w) in ((1, 0), (1, 2), (5, 0))
]
HERE = os.path.dirname(os.path.abspath(__file__))
STARTUP_S = 60


def children(pid):
    """Every descendant process of `pid` (uvicorn's workers and whatever they start)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                kids = [int(x) for x in f.read().split()]
        except OSError:
            kids = []
        out.extend(kids)
        todo.extend(kids)
    return out


def status_of(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


class Server:
    """uvicorn serving one pattern with `workers` processes, pinned to `cpus`."""

    def __init__(self, pattern, workers, stub_port, cpus):
        self.pattern, self.workers = pattern, workers
        self.port = free_port()
        env = dict(os.environ, LAB_PATTERN=pattern, LAB_STUB_PORT=str(stub_port), PYTHONUNBUFFERED="1")
        pin = (lambda: os.sched_setaffinity(0, cpus)) if cpus else None
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "service_app:app", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(workers), "--http", "httptools", "--loop", "asyncio", "--no-access-log",
             "--log-level", "info"],
            cwd=HERE, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, preexec_fn=pin)
        self.started = threading.Semaphore(0)
        self.log = []
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + STARTUP_S
        for _ in range(workers):
            if not self.started.acquire(timeout=max(0.1, deadline - time.monotonic())):
                self.stop()
                sys.exit(f"service: uvicorn ({pattern}, {workers} workers) did not start:\n" + "".join(self.log[-20:]))

    def _read(self):
        for line in self.proc.stderr:
            self.log.append(line)
            if "Application startup complete" in line:
                self.started.release()

    def pids(self):
        return [self.proc.pid] + children(self.proc.pid)

    def cpu_jiffies(self):
        return sum(batch.process_jiffies(p) for p in self.pids())

    def worker_pids(self):
        """The processes serving requests: uvicorn itself with one worker; with
        more, its children started by multiprocessing's spawn (not the
        supervisor, nor multiprocessing's resource tracker)."""
        if self.workers == 1:
            return [self.proc.pid]
        out = []
        for p in children(self.proc.pid):
            try:
                with open(f"/proc/{p}/cmdline", "rb") as f:
                    if b"spawn_main" in f.read():
                        out.append(p)
            except OSError:
                pass
        return out

    def memory(self):
        """Resident MiB and threads, summed over the worker processes (the supervisor apart)."""
        kids = self.worker_pids()
        rss = sum(status_of(p, "VmRSS") or 0 for p in kids) / 1024
        threads = sum(status_of(p, "Threads") or 0 for p in kids)
        return rss, threads

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            for p in self.pids():
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
            self.proc.wait()


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def path_of(pattern, work_ms):
    return f"/{pattern}?work_ms={work_ms:g}"


def loadgen(binary, port, path, extra, cpus):
    """Run the generator; its JSON line, and the CPU seconds it used (from
    its exit's resource usage: once it is reaped, /proc no longer has it)."""
    pin = (lambda: os.sched_setaffinity(0, cpus)) if cpus else None
    proc = subprocess.Popen([binary, "--port", str(port), "--path", path] + [str(a) for a in extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=pin)
    out, err = [], []
    readers = [threading.Thread(target=lambda f=f, b=b: b.append(f.read()), daemon=True)
               for f, b in ((proc.stdout, out), (proc.stderr, err))]
    for t in readers:
        t.start()
    _, status, usage = os.wait4(proc.pid, 0)
    for t in readers:
        t.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"service: loadgen failed: {err[0].decode().strip()}")
    return json.loads(out[0]), usage.ru_utime + usage.ru_stime


def capacity(args, server, path, cpus):
    """Requests per second the server answers with `PROBE_CONNS` connections sending back to back."""
    r, _ = loadgen(args.loadgen, server.port, path, ["--closed", PROBE_CONNS, "--warmup", args.probe_warmup, "--seconds", args.probe_s], cpus)
    if r["errors"]:
        sys.exit(f"service: the capacity probe of {path} had {r['errors']} errors: {r['first_error']}")
    return r["achieved_per_s"], r


def open_cell(args, server, stub_pid, path, rate, seed, cpus):
    """One open load at `rate`, with what the server used and how quiet the machine was."""
    quiet = batch.Quiet([os.getpid(), stub_pid] + server.pids(), stub_pid)
    cpu0 = server.cpu_jiffies()
    harness.info(args.stub_port, "stub-stats")
    quiet.start()
    m0 = batch.cpu_jiffies()
    t0 = time.monotonic()
    r, gen_cpu_s = loadgen(args.loadgen, server.port, path, ["--rate", f"{rate:.3f}", "--seed", seed, "--warmup", args.warmup, "--seconds", args.seconds], cpus)
    wall = time.monotonic() - t0
    foreign, _ = quiet.stop()
    # The generator is the lab's own: its CPU, from its exit, is not foreign.
    total = batch.cpu_jiffies()[1] - m0[1]
    if foreign is not None and total > 0:
        foreign = max(0.0, foreign - gen_cpu_s * os.sysconf("SC_CLK_TCK") / total)
    cpu_s = (server.cpu_jiffies() - cpu0) / os.sysconf("SC_CLK_TCK")
    rss, threads = server.memory()
    applied = harness.stats_of(harness.info(args.stub_port, "stub-stats"))
    return {
        "offered_per_s": rate,
        "achieved_per_s": r["achieved_per_s"],
        "measured": r["measured"], "completed": r["completed"], "unfinished": r["unfinished"], "errors": r["errors"],
        "sent_all": r["sent_all"],
        "kept_up": bool(r["sent_all"] and r["unfinished"] == 0 and r["errors"] == 0 and r["achieved_per_s"] >= 0.9 * rate),
        "mean_ms": r["mean_ms"], "p50_ms": r["p50_ms"], "p90_ms": r["p90_ms"], "p99_ms": r["p99_ms"], "p999_ms": r["p999_ms"],
        "max_ms": r["max_ms"],
        "generator_late_p99_us": r["late_p99_us"],
        "server_cores_used": cpu_s / wall,
        "server_cpu_us_per_request": cpu_s * 1e6 / r["total_completed"] if r["total_completed"] else None,
        "worker_rss_mib": rss / server.workers,
        "worker_threads": threads / server.workers,
        "applied_wait_p50_us": applied.get("p50_us"), "applied_wait_p99_us": applied.get("p99_us"),
        "foreign_cpu_share": foreign,
        "generator_cpu_s": gen_cpu_s,
        "loadavg_1m": os.getloadavg()[0],
        "first_error": r["first_error"],
    }


def versions():
    from importlib.metadata import version
    out = {"python": platform.python_version()}
    for m in ("fastapi", "starlette", "uvicorn", "httptools", "anyio", "pydantic", "aerospike", "aerospike-py"):
        out[m] = version(m)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stub", required=True)
    ap.add_argument("--loadgen", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    shapes, workers, fractions = SHAPES, WORKERS, FRACTIONS
    args.warmup, args.seconds, args.probe_warmup, args.probe_s = 1.5, 8, 1, 3
    if args.quick:
        shapes, workers, fractions = [("none", 0, 0), ("asp", 1, 0), ("threadpool", 1, 0)], (1,), (0.5,)
        args.warmup, args.seconds, args.probe_warmup, args.probe_s = 0.5, 2, 0.5, 1
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 31)
    rng = random.Random(seed)
    configs = [(p, io, w, k) for (p, io, w) in shapes for k in workers]
    rng.shuffle(configs)

    cpus = sorted(os.sched_getaffinity(0))
    near, server_cpus = ({cpus[0]}, {cpus[1]}) if len(cpus) >= 2 else (None, None)
    stub, args.stub_port = harness.start_stub(args.stub, near)
    if near:
        os.sched_setaffinity(0, near)
    cells, refused = [], []
    started = datetime.datetime.now(datetime.timezone.utc)
    try:
        for n, (pattern, io_ms, work_ms, k) in enumerate(configs, 1):
            harness.info(args.stub_port, f"stub-delay:us={io_ms * 1000:g}")
            server = Server(pattern, k, args.stub_port, server_cpus)
            try:
                if len(server.worker_pids()) != k:
                    sys.exit(f"service: uvicorn runs {len(server.worker_pids())} worker processes, {k} asked")
                path = path_of(pattern, work_ms)
                cap, probe = capacity(args, server, path, near)
                print(f"service [{n}/{len(configs)}] {pattern} x{k}, {io_ms} ms wait, {work_ms} ms work: capacity {cap:,.0f}/s "
                      f"(p50 {probe['p50_ms']:.2f} ms at {PROBE_CONNS} connections)", file=sys.stderr, flush=True)
                for f in fractions:
                    rate = max(1.0, f * cap)
                    base = {"pattern": pattern, "workers": k, "io_wait_ms": io_ms, "handler_cpu_ms": work_ms,
                            "capacity_per_s": cap, "fraction": f}
                    tries = []
                    for attempt in range(RETRIES):
                        c = open_cell(args, server, stub.pid, path, rate, rng.randrange(1 << 31), near)
                        tries.append(c["foreign_cpu_share"])
                        if c["foreign_cpu_share"] is not None and c["foreign_cpu_share"] <= QUIET:
                            cells.append({**base, **c, "attempts": attempt + 1})
                            print(f"    {rate:8.0f}/s: p50 {c['p50_ms']} p99 {c['p99_ms']} ms, {c['server_cores_used']:.2f} cores, "
                                  f"{c['server_cpu_us_per_request'] or 0:.0f} µs/request, foreign {c['foreign_cpu_share']:.3f}",
                                  file=sys.stderr, flush=True)
                            break
                    else:
                        refused.append({**base, "offered_per_s": rate, "foreign_cpu_share": tries,
                                        "reason": f"other processes took more than {QUIET:.0%} of the CPU in all {RETRIES} tries"})
                        print(f"    {rate:8.0f}/s: refused (foreign {tries})", file=sys.stderr, flush=True)
            finally:
                server.stop()
    finally:
        stub.terminate()
    report = {
        "kind": "service",
        "date": started.strftime("%Y-%m-%d_%H-%M"),
        "measured_at": started.isoformat(timespec="seconds"),
        "quick": args.quick,
        "machine": {"platform": f"{platform.system()} {platform.machine()}", "cpus": os.cpu_count(),
                    "stub_and_generator_cpus": sorted(near) if near else None,
                    "server_cpus": sorted(server_cpus) if server_cpus else None},
        "versions": versions(),
        "server": "uvicorn --http httptools --loop asyncio --no-access-log, FastAPI endpoints (lab/service_app.py)",
        "seed": seed,
        "quiet_limit": QUIET,
        "probe_connections": PROBE_CONNS,
        "warmup_s": args.warmup,
        "seconds": args.seconds,
        "cells": cells,
        "refused": refused,
    }
    with open(args.out, "w") as f:
        json.dump(report, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
