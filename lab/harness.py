"""The measurement lab: the real Python clients against the stub Aerospike node, over injected I/O wait x concurrency.

Run by `cargo xtask lab` (full grid) and `cargo xtask test` (quick mode), in
the lab's own virtual environment with the client versions pinned in
lab/requirements.txt. Every loop is bounded in time and count, and the only
traffic goes to the stub on 127.0.0.1.

Patterns measured for `get` of one small record:
  official_sync        the official client called directly (one caller)
  official_executor    the official client through loop.run_in_executor,
                       CPython's default pool (min(32, cores + 4) threads)
  official_executor_64 the same with a ThreadPoolExecutor of 64 threads
  aerospike_py_sync    aerospike-py's blocking client (one caller)
  aerospike_py_async   aerospike-py's AsyncClient (N coroutines)

Each cell is a closed loop of N callers: a warm-up, then `seconds` of
measurement, repeated `repeats` times; the report keeps the median run and the
spread of throughput. A cell whose one cycle of callers (N / throughput, taken
from the previous concurrency) would not fit in the measurement window is
skipped and reported as not measured, rather than measured in its start-up
transient.

Each run also records the share of the machine's CPU that processes other
than the lab's own (the stub, the client process, this harness, the GIL
sampler) took during its measurement window (`foreign_cpu_share`, from
/proc/stat and each process's counters: `batch.Quiet`). A run above
`batch.QUIET` is set aside and measured again after a pause; a round that
never ran quietly fails, and `cargo xtask lab` refuses a report with a cell
above the limit instead of filing it.

With --open the harness measures an open load instead (see `open_main`):
requests sent on a Poisson schedule at a fixed rate, whatever is in progress,
each one's latency measured from its *scheduled* send time, so a client that
falls behind its schedule is charged for it (no coordinated omission).
"""

import argparse
import asyncio
import concurrent.futures
import datetime
import json
import os
import platform
import random
import resource
import socket
import statistics
import subprocess
import sys
import time

import batch
import openload
import probe

KEY = ("test", "demo", "lab-key")
BINS = {"name": "lab", "count": 1, "payload": "x" * 64}
# Generous: a queued request at 4,096 callers may wait seconds, and that wait is what we measure.
TIMEOUT_MS = 60_000
MAX_REQUESTS_PER_RUN = 2_000_000
# Connections each client may open to the node (both clients get the same).
MAX_CONNS = 5000
# After a run other processes crowded, the pauses before each new try: bursts
# of kernel work on this machine (memory reclaim after a large cell) have
# lasted over 15 s, longer than the batch lab's three tries 2 s apart.
QUIET_PAUSES_S = (2.0, 4.0, 8.0, 16.0)
ASYNC = {"official_executor", "official_executor_64", "aerospike_py_async"}
SYNC = {"official_sync", "aerospike_py_sync"}


def info(port, cmd):
    """One info command to the stub over a raw socket (protocol v2, type 1)."""
    body = (cmd + "\n").encode()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(bytes([2, 1]) + len(body).to_bytes(6, "big") + body)
        head = b""
        while len(head) < 8:
            head += s.recv(8 - len(head))
        n = int.from_bytes(head[2:8], "big")
        data = b""
        while len(data) < n:
            data += s.recv(n - len(data))
    return data.decode().split("\t", 1)[1].strip()


def stats_of(text):
    return {k: float(v) for k, v in (p.split("=") for p in text.split(","))}


def rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return None


def threads():
    return len(os.listdir("/proc/self/task"))


def summarise(lat_ns, elapsed):
    lat = sorted(lat_ns)
    n = len(lat)
    if n == 0:
        return None
    q = lambda p: lat[min(n - 1, int(p * n))] / 1e6
    return {
        "ops_per_sec": n / elapsed,
        "avg_ms": sum(lat) / n / 1e6,
        "p50_ms": q(0.5),
        "p99_ms": q(0.99),
        "count": n,
    }


class Lab:
    """The clients one lab process opens: the official one, aerospike-py's, or both.

    Each client module is imported only when its client is opened, so a
    worker measuring one pattern carries only that client's code, threads and
    memory.
    """

    def __init__(self, port, clients=("official", "asp")):
        self.port = port
        self.clients = clients
        self.pol = {"total_timeout": TIMEOUT_MS}
        self.pools = {}
        self.connect()
        if self.official is not None:
            self.official.put(KEY, BINS)
        else:
            self.asp.put(KEY, BINS)

    def connect(self):
        hosts = [("127.0.0.1", self.port)]
        self.official = self.asp = None
        if "official" in self.clients:
            import aerospike
            self.official = aerospike.client({"hosts": hosts, "max_conns_per_node": MAX_CONNS}).connect()
        if "asp" in self.clients:
            import aerospike_py
            self.asp = aerospike_py.client(self.asp_config()).connect()

    def asp_config(self):
        # The same connection allowance as the official client, so neither queues on its pool.
        return {"hosts": [("127.0.0.1", self.port)], "max_conns_per_node": MAX_CONNS}

    def pool(self, pattern):
        """The executor's pool: Python's default size for `official_executor`
        (what `run_in_executor(None, ...)` creates: min(32, os.cpu_count() + 4)
        threads), 64 threads for `official_executor_64`; its threads carry the
        kernel name `lab-pool` so the thread table can count them."""
        if pattern not in self.pools:
            size = 64 if pattern == "official_executor_64" else None
            self.pools[pattern] = concurrent.futures.ThreadPoolExecutor(size, initializer=probe.name_this_thread, initargs=("lab-pool",))
        return self.pools[pattern]

    # -- one timed run --------------------------------------------------------

    def run_sync(self, pattern, warmup_s, seconds, hooks=None):
        hooks = hooks or Hooks()
        get = self.official.get if pattern == "official_sync" else self.asp.get
        pol = self.pol
        hooks.warm()
        end_warm = time.perf_counter() + warmup_s
        while time.perf_counter() < end_warm:
            get(KEY, pol)
        lat = []
        hooks.start()
        t0 = time.perf_counter()
        stop = t0 + seconds
        while len(lat) < MAX_REQUESTS_PER_RUN:
            a = time.perf_counter_ns()
            get(KEY, pol)
            lat.append(time.perf_counter_ns() - a)
            if time.perf_counter() >= stop:
                break
        elapsed = time.perf_counter() - t0
        hooks.end()
        return lat, elapsed

    async def async_call(self, pattern):
        """One `get` as a coroutine factory for an asyncio pattern, and the
        aerospike-py client it opened (None for the executor), to close after."""
        if pattern == "aerospike_py_async":
            import aerospike_py
            client = await aerospike_py.AsyncClient(self.asp_config()).connect()
            return (lambda: client.get(KEY, self.pol)), client
        loop = asyncio.get_running_loop()
        pool = self.pool(pattern)
        return (lambda: loop.run_in_executor(pool, self.official.get, KEY, self.pol)), None

    def run_async(self, pattern, n, warmup_s, seconds, hooks=None):
        hooks = hooks or Hooks()

        async def main():
            call, client = await self.async_call(pattern)
            lat = []
            phase = {"measure": False, "stop": False}

            async def caller():
                while not phase["stop"]:
                    a = time.perf_counter_ns()
                    await call()
                    if phase["measure"] and not phase["stop"]:
                        lat.append(time.perf_counter_ns() - a)
                        if len(lat) >= MAX_REQUESTS_PER_RUN:
                            phase["stop"] = True

            hooks.warm()
            tasks = [asyncio.ensure_future(caller()) for _ in range(n)]
            try:
                await asyncio.sleep(warmup_s)
                hooks.start()
                phase["measure"] = True
                t0 = time.perf_counter()
                await asyncio.sleep(seconds)
                phase["stop"] = True
                elapsed = time.perf_counter() - t0
                hooks.end()
                # Let the requests in flight finish (bounded by the client timeout).
                await asyncio.wait_for(asyncio.gather(*tasks), timeout=TIMEOUT_MS / 1e3)
            finally:
                phase["stop"] = True
                for t in tasks:
                    t.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                if client is not None:
                    await client.close()
            return lat, elapsed

        return asyncio.run(main())

    def run(self, pattern, n, warmup_s, seconds, hooks=None):
        if pattern in SYNC:
            return self.run_sync(pattern, warmup_s, seconds, hooks)
        return self.run_async(pattern, n, warmup_s, seconds, hooks)


class Hooks:
    """Called at the start of the warm-up, of the measurement window, and at its end."""

    def warm(self):
        pass

    def start(self):
        pass

    def end(self):
        pass


class Probe(Hooks):
    """The worker's measurements around one run: GIL share from the warm-up
    on (py-spy from the stub's CPUs, if it is installed), the thread table
    and each role's CPU time over the measurement window, and the share of
    the machine's CPU that other processes took in that window (`batch.Quiet`)."""

    def __init__(self, spy, spy_cpus, quiet):
        self.sampler = probe.GilSampler(spy, spy_cpus) if spy else None
        self.gil, self.quiet, self.foreign = None, quiet, None

    def warm(self):
        self.spying = self.sampler is not None and self.sampler.start()
        if self.spying:
            self.quiet.add(self.sampler.proc.pid)

    def start(self):
        self.before = probe.Threads()
        self.quiet.start()

    def end(self):
        self.foreign, _ = self.quiet.stop()
        self.after = probe.Threads()
        self.rss = rss_mib()
        if self.spying:
            self.gil = self.sampler.stop()


def worker_main(args):
    """One fresh process measuring one cell (or sizing a row of cells): prints its result as one JSON line.

    The parent has pinned it to the client's CPUs and set the stub's wait.
    """
    cell = json.loads(args.cell)
    if "batch" in cell:
        b = cell["batch"]
        spy_cpus = {int(c) for c in args.spy_cpus.split(",")} if args.spy_cpus else None
        print(json.dumps(batch.worker(b, b["ports"], args.spy, spy_cpus, b["own"])))
        return
    pattern = cell["pattern"]
    lab = OpenLab(args.port, ("asp",) if pattern.startswith("aerospike_py") else ("official",))
    if "peak" in cell:
        print(json.dumps(lab.peak(pattern, cell["peak"], cell["seconds"])))
        return
    if "open" in cell:
        o = cell["open"]
        print(json.dumps(lab.open_cell(pattern, o["io_wait_ms"], o["rate"], o["warmup_s"], o["seconds"], o["seed"], own_quiet(cell))))
        return
    if "sizing" in cell:
        out = []
        for n in cell["sizing"]:
            lat, elapsed = lab.run(pattern, n, 0.1, cell["seconds"])
            x = len(lat) / elapsed
            out.append({"concurrency": n, "ops_per_sec": x})
            if n / max(x, 1e-9) > cell["seconds"]:
                break  # the rest of the row is larger still
        print(json.dumps(out))
        return
    idle = probe.Threads()
    rss_idle = rss_mib()
    spy_cpus = {int(c) for c in args.spy_cpus.split(",")} if args.spy_cpus else None
    pr = Probe(args.spy, spy_cpus, own_quiet(cell))
    lat, elapsed = lab.run(pattern, cell["concurrency"], cell["warmup_s"], cell["seconds"], pr)
    s = summarise(lat, elapsed)
    if s is None:
        print(json.dumps(None))
        return
    cpu = pr.after.cpu_since(pr.before)
    per_req = lambda v: v / s["count"] * 1e6
    gil = pr.gil or {}
    s.update({
        "rss_mib": pr.rss,
        "rss_idle_mib": rss_idle,
        "threads": len(pr.after.rows),
        "threads_by_name": pr.after.by_name(),
        "threads_idle_by_name": idle.by_name(),
        "cpu_cores": sum(cpu.values()) / elapsed,
        "cpu_us_per_request": {r: round(per_req(v), 3) for r, v in sorted(cpu.items())},
        "gil_share": gil.get("gil_share"),
        "gil_us_per_request": per_req(gil["gil_share"] * elapsed) if gil.get("gil_share") is not None else None,
        "gil_samples": gil.get("samples"),
        "gil_sampler_behind": gil.get("behind"),
        "foreign_cpu_share": pr.foreign,
    })
    print(json.dumps(s))


def own_quiet(cell):
    """The foreign-CPU meter of a worker: the lab's own processes are the
    stub (its pid in the cell), this worker and the harness that started it."""
    return batch.Quiet({os.getpid(), os.getppid(), *cell.get("own", [])}, None)

def start_stub(path, cpus=None):
    """Start the stub on a free port of 127.0.0.1 (pinned to `cpus`): the process and its port."""
    pin = (lambda: os.sched_setaffinity(0, cpus)) if cpus else None
    stub = subprocess.Popen([path, "--port", "0"], stdout=subprocess.PIPE, text=True, preexec_fn=pin)
    line = stub.stdout.readline().strip()
    if not line.startswith("listening 127.0.0.1:"):
        stub.terminate()
        sys.exit(f"harness: the stub did not start: {line!r}")
    return stub, int(line.rsplit(":", 1)[1])


def pinning():
    """Disjoint CPUs for the stub and the client: the first CPU this process
    may use for the stub (and the GIL sampler), the next for the client; with
    one CPU, no pinning (both None)."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None, None
    return {cpus[0]}, {cpus[1]}


def find_spy():
    """py-spy from the lab's environment (lab/requirements.txt), or None."""
    path = os.path.join(os.path.dirname(sys.executable), "py-spy")
    return path if os.access(path, os.X_OK) else None


class Orchestrator:
    """The parent process: the stub, and one pinned worker process per measured cell."""

    def __init__(self, stub_path):
        self.stub_cpus, self.client_cpus = pinning()
        self.stub, self.port = start_stub(stub_path, self.stub_cpus)
        if self.stub_cpus:
            os.sched_setaffinity(0, self.stub_cpus)  # the parent stays off the client's CPU
        self.spy = find_spy()

    def close(self):
        self.stub.terminate()
        self.stub.wait(timeout=10)

    def worker(self, cell, timeout_s):
        pin = (lambda: os.sched_setaffinity(0, self.client_cpus)) if self.client_cpus else None
        cmd = [sys.executable, os.path.abspath(__file__), "--worker", "--port", str(self.port), "--cell", json.dumps(cell)]
        if self.spy:
            cmd += ["--spy", self.spy]
            if self.stub_cpus:
                cmd += ["--spy-cpus", ",".join(map(str, sorted(self.stub_cpus)))]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, preexec_fn=pin)
        if out.returncode != 0:
            raise RuntimeError(f"worker exited {out.returncode}: {out.stderr.strip()[-300:]}")
        return json.loads(out.stdout.strip().splitlines()[-1])

    def size(self, pattern, io_ms, n_grid, seconds):
        """Short closed-loop runs up a row of concurrencies, to find where one
        cycle of callers no longer fits the measurement window."""
        info(self.port, f"stub-delay:us={io_ms * 1000:g}")
        return self.worker({"pattern": pattern, "sizing": n_grid, "seconds": seconds}, 600)

    def cell(self, pattern, io_ms, n, warmup_s, seconds, quiet_limit):
        """One run of one cell. A run during which other processes took more
        than `quiet_limit` of the machine's CPU is set aside and measured again
        after a pause (one per entry of `QUIET_PAUSES_S`; then the round fails
        as never quiet); the shares of the runs set aside stay in `noisy_runs`."""
        info(self.port, f"stub-delay:us={io_ms * 1000:g}")
        noisy = []
        for pause in (*QUIET_PAUSES_S, None):
            info(self.port, "stub-stats")  # reset the applied-delay counters
            load0 = os.getloadavg()[0]
            c = self.worker({"pattern": pattern, "concurrency": n, "warmup_s": warmup_s, "seconds": seconds, "own": [self.stub.pid]},
                            120 + TIMEOUT_MS / 1e3)
            applied = stats_of(info(self.port, "stub-stats"))
            if c is None:
                return None
            share = c.get("foreign_cpu_share")
            if share is not None and share > quiet_limit:
                noisy.append(round(share, 3))
                if pause is None:
                    break
                print(f"  {pattern} io={io_ms:g} ms n={n}: other processes took {share:.2f} of the CPU; measuring again in {pause:g} s", flush=True)
                time.sleep(pause)
                continue
            c.update({"applied_wait_p50_us": applied.get("p50_us"), "applied_wait_p99_us": applied.get("p99_us"),
                      "load_avg": round((load0 + os.getloadavg()[0]) / 2, 2), "noisy_runs": noisy})
            return c
        raise RuntimeError(f"never quiet: other processes took {noisy} of the CPU")


def merge_rounds(pattern, io_ms, n, runs):
    """One grid cell from its rounds: the round with the median throughput
    gives the latencies and the process's figures; the spread over rounds and
    each round's load average stay beside it."""
    runs = sorted(runs, key=lambda r: r["ops_per_sec"])
    med = runs[len(runs) // 2]
    gil = sorted(r["gil_us_per_request"] for r in runs if r.get("gil_us_per_request") is not None)
    return {
        "pattern": pattern,
        "io_wait_ms": io_ms,
        "concurrency": n,
        "ops_per_sec": med["ops_per_sec"],
        "avg_ms": med["avg_ms"],
        "p50_ms": med["p50_ms"],
        "p99_ms": med["p99_ms"],
        "ops_min": runs[0]["ops_per_sec"],
        "ops_max": runs[-1]["ops_per_sec"],
        "ops_rounds": [round(r["ops_per_sec"], 1) for r in runs],
        "rounds": len(runs),
        "requests": med["count"],
        "rss_mib": med["rss_mib"],
        "rss_idle_mib": med["rss_idle_mib"],
        "threads": med["threads"],
        "threads_by_name": med["threads_by_name"],
        "threads_idle_by_name": med["threads_idle_by_name"],
        "cpu_cores": med["cpu_cores"],
        "cpu_us_per_request": med["cpu_us_per_request"],
        "gil_share": med["gil_share"],
        "gil_us_per_request": gil[len(gil) // 2] if gil else None,
        "gil_us_min": gil[0] if gil else None,
        "gil_us_max": gil[-1] if gil else None,
        "applied_wait_p50_us": med["applied_wait_p50_us"],
        "applied_wait_p99_us": med["applied_wait_p99_us"],
        "load_avg": round(statistics.median(r["load_avg"] for r in runs), 2),
        "load_avg_max": max(r["load_avg"] for r in runs),
        # The most CPU other processes took during any kept round, and the runs set aside as crowded.
        "foreign_cpu_share": max((r["foreign_cpu_share"] for r in runs if r.get("foreign_cpu_share") is not None), default=None),
        "noisy_runs": [x for r in runs for x in r.get("noisy_runs", [])],
    }


def pin_note(lab):
    if not lab.client_cpus:
        return "none: one CPU, shared by the stub and the client"
    return (f"stub (and the GIL sampler, and this harness) on CPU {','.join(map(str, sorted(lab.stub_cpus)))}; "
            f"each client process on CPU {','.join(map(str, sorted(lab.client_cpus)))} (sched_setaffinity)")


def cpu_model():
    """The CPU's model name and its clock as the kernel reports them: the lab's
    virtual machine is not equally fast from one day to the next, and a report
    says which CPU it ran on."""
    model = mhz = None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k.strip() == "model name" and model is None:
                    model = v.strip()
                elif k.strip() == "cpu MHz" and mhz is None:
                    mhz = float(v)
    except OSError:
        pass
    return {"cpu_model": model, "cpu_mhz": mhz}


def versions():
    from importlib.metadata import version
    return {"aerospike": version("aerospike"), "aerospike_py": version("aerospike-py")}


def stats_entry(c, per_op=False):
    """A grid cell as the suite's per-operation stats."""
    if c is None:
        return None
    s = {"avg_ms": c["avg_ms"], "p50_ms": c["p50_ms"], "p99_ms": c["p99_ms"], "ops_per_sec": c["ops_per_sec"]}
    if per_op:
        # Async runs: per-request percentiles live under per_op, as the suite writes them.
        return {"avg_ms": 1e3 / c["ops_per_sec"], "p50_ms": None, "p99_ms": None, "ops_per_sec": c["ops_per_sec"],
                "per_op": {"avg_ms": c["avg_ms"], "p50_ms": c["p50_ms"], "p99_ms": c["p99_ms"]}}
    return s


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stub", help="path of the aerostub binary")
    ap.add_argument("--out", help="report file to write")
    ap.add_argument("--quick", action="store_true", help="a few cells, a couple of minutes at most")
    ap.add_argument("--open", action="store_true", help="an open load: requests at a rate instead of N callers")
    ap.add_argument("--batch", action="store_true", help="the batch grid: batch_read of K keys from stub clusters of 1, 4 and 8 nodes")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--cell", help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--spy", help=argparse.SUPPRESS)
    ap.add_argument("--spy-cpus", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker_main(args)
        # Skip the interpreter's finalisation: aerospike-py 0.14.4 sometimes
        # aborts there (SIGABRT while its runtime shuts down, after the
        # result is written), which would discard a complete measurement.
        sys.stdout.flush()
        os._exit(0)
    if not (args.stub and args.out):
        ap.error("--stub and --out are required")
    if args.open:
        return open_main(args)
    if args.batch:
        return batch.batch_main(args, sys.modules[__name__])

    if args.quick:
        io_grid, n_grid, seconds, warmup_s, rounds = [0.0, 1.0], [1, 16], 0.3, 0.1, 1
        patterns = ["official_sync", "official_executor", "aerospike_py_sync", "aerospike_py_async"]
    else:
        io_grid, n_grid, seconds, warmup_s, rounds = [0.0, 0.5, 1.0, 2.0, 5.0, 20.0], [1, 4, 16, 64, 256, 1024, 4096], 1.5, 0.3, 3
        patterns = ["official_sync", "aerospike_py_sync", "official_executor", "official_executor_64", "aerospike_py_async"]
    seed = 20261202
    # A quick run checks the harness, not the numbers: it records the share and keeps every run.
    quiet_limit = float("inf") if args.quick else batch.QUIET

    lab = Orchestrator(args.stub)
    try:
        started = datetime.datetime.now()
        load_start = os.getloadavg()
        # Which cells fit: short runs up each row (not reported as measurements).
        plan, skipped, sizing = [], [], []
        for pattern in patterns:
            for io in io_grid:
                row = [1] if pattern in SYNC else n_grid  # a blocking call has one caller
                sized = lab.size(pattern, io, row, min(seconds, 0.3))
                sizing.append({"pattern": pattern, "io_wait_ms": io, "runs": sized})
                prev = None
                for n in row:
                    x = next((r["ops_per_sec"] for r in sized if r["concurrency"] == (prev or n)), None)
                    # Skip a cell whose one cycle of callers would not fit in the window.
                    if prev and (x is None or n / x > seconds / 2):
                        skipped.append({"pattern": pattern, "io_wait_ms": io, "concurrency": n,
                                        "reason": f"one cycle of {n} callers would take about {n / x:.1f} s" if x else "the row was cut short while sizing"})
                        continue
                    plan.append((pattern, io, n))
                    prev = n
                print(f"{pattern:22} io={io:5.1f} ms: {sum(1 for p in plan if p[:2] == (pattern, io))} cells", flush=True)
        # Rounds: every cell once per round, in an order shuffled with a recorded seed.
        runs = {c: [] for c in plan}
        failures = {c: [] for c in plan}
        for r in range(rounds):
            order = list(plan)
            random.Random(seed + r).shuffle(order)
            for k, (pattern, io, n) in enumerate(order):
                try:
                    c = lab.cell(pattern, io, n, warmup_s, seconds, quiet_limit)
                except Exception as e:  # a client error ends this run of the cell, not the lab
                    failures[(pattern, io, n)].append(f"round {r + 1}: {type(e).__name__}: {e}"[:300])
                    print(f"round {r + 1} {pattern:22} io={io:5.1f} ms n={n:5d}: {type(e).__name__}: {e}", flush=True)
                    continue
                if c:
                    runs[(pattern, io, n)].append(c)
                    print(f"round {r + 1} [{k + 1}/{len(order)}] {pattern:22} io={io:5.1f} ms n={n:5d}: {c['ops_per_sec']:9.0f} ops/s  "
                          f"p99 {c['p99_ms']:8.3f} ms  GIL {c['gil_us_per_request'] or 0:6.1f} us/req  threads {c['threads']}  "
                          f"foreign {c['foreign_cpu_share'] or 0:.3f}", flush=True)
        cells = []
        for (pattern, io, n), rs in runs.items():
            if rs:
                cells.append(merge_rounds(pattern, io, n, rs))
                cells[-1]["failed_rounds"] = failures[(pattern, io, n)]
            else:
                skipped.append({"pattern": pattern, "io_wait_ms": io, "concurrency": n, "reason": "no round completed (client error)"})
        info(lab.port, "stub-delay:us=0")
    finally:
        lab.close()

    def find(p, io, n):
        return next((c for c in cells if c["pattern"] == p and c["io_wait_ms"] == io and c["concurrency"] == n), None)

    n_async = 16 if args.quick else 64
    report = {
        "timestamp": started.isoformat(timespec="seconds"),
        "date": started.strftime("%Y-%m-%d_%H-%M"),
        "environment": {
            "platform": f"{platform.system()} {platform.machine()}",
            "python_version": platform.python_version(),
            "rounds": rounds,
            "order_seed": seed,
            "pinning": pin_note(lab),
            "client_cpus": len(lab.client_cpus) if lab.client_cpus else os.cpu_count(),
            "gil_sampler": f"py-spy record --gil --nonblocking at {probe.GilSampler.RATE} Hz" if lab.spy else "none (py-spy not installed)",
            # The suite's "warmup" counts operations; the lab warms up for a time.
            "warmup_s": warmup_s,
            "concurrency": n_async,
            "mode": "quick" if args.quick else "full",
            "cpu_count": os.cpu_count(),
            "seconds_per_run": seconds,
            "aerospike": versions()["aerospike"],
            "aerospike_py": versions()["aerospike_py"],
            "server": "aerostub (lab/aerostub) on 127.0.0.1: in-memory, injected wait per request",
            "load_avg_start": round(load_start[0], 2),
            "load_avg_end": round(os.getloadavg()[0], 2),
            "grid_io_wait_ms": ",".join(f"{x:g}" for x in io_grid),
            "grid_concurrency": ",".join(str(x) for x in n_grid),
            "cells_skipped": len(skipped),
            "max_conns_per_node": MAX_CONNS,
            **cpu_model(),
            "quiet_limit": None if args.quick else quiet_limit,
        },
        "official_sync": {"get": stats_entry(find("official_sync", 0.0, 1))},
        "aerospike_py_sync": {"get": stats_entry(find("aerospike_py_sync", 0.0, 1))},
        "official_async": {"get": stats_entry(find("official_executor", 0.0, n_async), per_op=True)},
        "aerospike_py_async": {"get": stats_entry(find("aerospike_py_async", 0.0, n_async), per_op=True)},
        "high_concurrency_scaling": {
            "has_official": True,
            "data": [{"concurrency": n, "aerospike_py": stats_entry(find("aerospike_py_async", 0.0, n), True),
                      "official": stats_entry(find("official_executor", 0.0, n), True)} for n in n_grid],
        },
        "latency_sim": {
            "concurrency": n_async, "simulation": True, "has_official": True,
            "data": [{"rtt_ms": io, "concurrency": n_async, "aerospike_py": stats_entry(find("aerospike_py_async", io, n_async), True),
                      "official": stats_entry(find("official_executor", io, n_async), True)} for io in io_grid],
        },
        "io_wait_grid": {"data": cells, "skipped": skipped},
        "sizing": sizing,
        "takeaways": takeaways(cells, io_grid, n_grid),
    }
    with open(args.out, "w") as f:
        json.dump(report, f, indent=1)
    print(f"wrote {args.out}: {len(cells)} cells measured, {len(skipped)} skipped")


def takeaways(cells, io_grid, n_grid):
    """Sentences computed from the cells (no number typed in)."""
    out = []
    best = None
    for c in cells:
        if c["pattern"] != "aerospike_py_async":
            continue
        e = next((x for x in cells if x["pattern"] == "official_executor" and x["io_wait_ms"] == c["io_wait_ms"] and x["concurrency"] == c["concurrency"]), None)
        if e:
            r = c["ops_per_sec"] / e["ops_per_sec"]
            if best is None or r > best[0]:
                best = (r, c, e)
    if best:
        r, c, e = best
        out.append(f"Largest measured gap: at {c['io_wait_ms']:g} ms of injected I/O wait and {c['concurrency']} callers, "
                   f"aerospike-py async completed **{r:.1f}x** the gets per second of the official client through run_in_executor "
                   f"({c['ops_per_sec']:,.0f} against {e['ops_per_sec']:,.0f}).")
    for io in io_grid[:1]:
        pts = [(c["concurrency"], c["ops_per_sec"]) for c in cells if c["pattern"] == "aerospike_py_async" and c["io_wait_ms"] == io]
        if pts:
            n, x = max(pts, key=lambda p: p[1])
            out.append(f"With no injected wait, aerospike-py async peaked at **{x:,.0f} gets/s** at {n} callers.")
    return out


# -- open load ------------------------------------------------------------------

# The fractions of a pattern's closed-loop peak at which its open load is measured.
OPEN_FRACTIONS = [0.2, 0.4, 0.6, 0.75, 0.85, 0.92, 1.0, 1.15]


def open_summary(sched, done, warmup_s, seconds, sent_all):
    """Latency from each request's scheduled time, over the requests scheduled after the warm-up.

    `done[i]` is the completion time of request i (None if it never answered
    within the drain). Throughput counts answers within the measured window.
    """
    lat = sorted((d - s) * 1e3 for s, d in zip(sched, done) if s >= warmup_s and d is not None)
    measured = sum(1 for s in sched if s >= warmup_s)
    window = seconds - warmup_s
    answered = sum(1 for d in done if d is not None and warmup_s <= d < seconds)
    n = len(lat)
    q = lambda p: lat[min(n - 1, int(p * n))] if n else None
    return {
        "arrival_rate": measured / window,
        "ops_per_sec": answered / window,
        "avg_ms": sum(lat) / n if n else None,
        "p50_ms": q(0.5),
        "p99_ms": q(0.99),
        "requests": measured,
        "answered": n,
        "sent_all": sent_all,
        # Keeping up: answers within the window at least 98% of the arrivals in it.
        "stable": sent_all and answered >= 0.98 * measured,
    }


class OpenLab(Lab):
    """The lab's clients driven by a schedule instead of a closed loop."""

    def run_open_sync(self, rate, warmup_s, seconds, seed):
        get = self.official.get
        sched = openload.schedule(rate, seconds, seed)
        done = [None] * len(sched)
        t0 = time.perf_counter()
        sent_all = True
        for i, s in enumerate(sched):
            now = time.perf_counter() - t0
            if now < s:
                time.sleep(s - now)
            elif now - s > 2.0:
                sent_all = False  # more than 2 s behind its schedule: overloaded
                break
            get(KEY, self.pol)
            done[i] = time.perf_counter() - t0
        return sched, done, sent_all

    def run_open_async(self, pattern, rate, warmup_s, seconds, seed):
        async def main():
            call, client = await self.async_call(pattern)
            sched = openload.schedule(rate, seconds, seed)
            try:
                done, sent_all = await openload.drive(call, sched)
            finally:
                if client is not None:
                    await client.close()
            return sched, done, sent_all

        return asyncio.run(main())

    def peak(self, pattern, io_ms, seconds):
        """The closed-loop peak the rates are fractions of: one caller for
        sync, 256 callers for the asyncio patterns."""
        info(self.port, f"stub-delay:us={io_ms * 1000:g}")
        if pattern in SYNC:
            lat, elapsed = self.run_sync(pattern, 0.2, seconds)
        else:
            lat, elapsed = self.run_async(pattern, 256, 0.2, seconds)
        return len(lat) / elapsed

    def open_cell(self, pattern, io_ms, rate, warmup_s, seconds, seed, quiet):
        info(self.port, f"stub-delay:us={io_ms * 1000:g}")
        info(self.port, "stub-stats")
        load0 = os.getloadavg()[0]
        quiet.start()
        if pattern in SYNC:
            sched, done, sent_all = self.run_open_sync(rate, warmup_s, seconds, seed)
        else:
            sched, done, sent_all = self.run_open_async(pattern, rate, warmup_s, seconds, seed)
        foreign, _ = quiet.stop()
        s = open_summary(sched, done, warmup_s, seconds, sent_all)
        applied = stats_of(info(self.port, "stub-stats"))
        s.update({
            "pattern": pattern, "io_wait_ms": io_ms, "offered_rate": rate, "seed": seed,
            "rss_mib": rss_mib(), "threads": threads(),
            "applied_wait_p50_us": applied.get("p50_us"), "applied_wait_p99_us": applied.get("p99_us"),
            "load_avg": round((load0 + os.getloadavg()[0]) / 2, 2),
            "foreign_cpu_share": foreign,
        })
        return s


def open_main(args):
    if args.quick:
        io_grid, fractions, seconds, warmup_s = [1.0], [0.5, 1.15], 1.0, 0.2
        patterns = ["official_sync", "official_executor", "aerospike_py_async"]
    else:
        io_grid, fractions, seconds, warmup_s = [1.0, 5.0], OPEN_FRACTIONS, 3.0, 0.5
        patterns = ["official_sync", "official_executor", "official_executor_64", "aerospike_py_async"]
    seed = 20261201
    quiet_limit = float("inf") if args.quick else batch.QUIET
    # As the closed grid: the stub on its CPU, each run a fresh pinned client process.
    lab = Orchestrator(args.stub)
    stub_cpus, client_cpus, port = lab.stub_cpus, lab.client_cpus, lab.port
    try:
        started = datetime.datetime.now()
        load_start = os.getloadavg()
        peaks = []
        for pattern in patterns:
            for io in io_grid:
                x = lab.worker({"pattern": pattern, "peak": io, "seconds": 0.5 if args.quick else 1.5}, 600)
                peaks.append({"pattern": pattern, "io_wait_ms": io, "closed_peak_ops_per_sec": x})
                print(f"{pattern:22} io={io:4.1f} ms closed-loop peak {x:9.0f} ops/s", flush=True)
        # Every (pattern, I/O wait, rate) once, in an order shuffled with a recorded seed,
        # so drift in the machine's load spreads over all patterns.
        plan = [(p["pattern"], p["io_wait_ms"], f * p["closed_peak_ops_per_sec"]) for p in peaks for f in fractions]
        random.Random(seed).shuffle(plan)
        cells, failed = [], []
        for k, (pattern, io, rate) in enumerate(plan):
            noisy = []
            try:
                for pause in (*QUIET_PAUSES_S, None):
                    c = lab.worker({"pattern": pattern, "own": [lab.stub.pid],
                                    "open": {"io_wait_ms": io, "rate": rate, "warmup_s": warmup_s, "seconds": seconds, "seed": seed + k}},
                                   60 + seconds + openload.DRAIN_S)
                    if c["foreign_cpu_share"] is None or c["foreign_cpu_share"] <= quiet_limit:
                        break
                    noisy.append(round(c["foreign_cpu_share"], 3))
                    if pause is None:
                        raise RuntimeError(f"never quiet: other processes took {noisy} of the CPU")
                    print(f"  {pattern} io={io:g} ms rate {rate:.0f}/s: other processes took {c['foreign_cpu_share']:.2f} of the CPU; measuring again in {pause:g} s", flush=True)
                    time.sleep(pause)
            except Exception as e:
                failed.append({"pattern": pattern, "io_wait_ms": io, "offered_rate": rate, "reason": f"{type(e).__name__}: {e}"[:300]})
                continue
            c["noisy_runs"] = noisy
            cells.append(c)
            p99 = c["p99_ms"]
            print(f"{pattern:22} io={io:4.1f} ms rate {rate:8.0f}/s: answered {c['ops_per_sec']:8.0f}/s  p50 {c['p50_ms'] or 0:8.3f}  p99 {p99 or 0:9.3f} ms  {'stable' if c['stable'] else 'OVERLOADED'}  foreign {c['foreign_cpu_share'] or 0:.3f}", flush=True)
        info(port, "stub-delay:us=0")
    finally:
        lab.close()
    report = {
        "kind": "open-loop",
        "timestamp": started.isoformat(timespec="seconds"),
        "date": started.strftime("%Y-%m-%d_%H-%M"),
        "environment": {
            "platform": f"{platform.system()} {platform.machine()}",
            "python_version": platform.python_version(),
            "cpu_count": os.cpu_count(),
            "mode": "quick" if args.quick else "full",
            "aerospike": versions()["aerospike"],
            "aerospike_py": versions()["aerospike_py"],
            "server": "aerostub (lab/aerostub) on 127.0.0.1: in-memory, injected wait per request",
            "seconds_per_cell": seconds,
            "warmup_s": warmup_s,
            "order_seed": seed,
            "pinning": pin_note(lab) + "; a fresh client process per run",
            "client_cpus": len(client_cpus) if client_cpus else os.cpu_count(),
            "load_avg_start": round(load_start[0], 2),
            "load_avg_end": round(os.getloadavg()[0], 2),
            "default_pool": min(32, (os.cpu_count() or 1) + 4),
            **cpu_model(),
            "quiet_limit": None if args.quick else quiet_limit,
        },
        "method": "Poisson arrivals at a fixed rate per cell; latency from each request's scheduled send time; "
                  "rates are fractions of the pattern's closed-loop peak at the same I/O wait (256 callers, or one for sync); "
                  "stable = answers within the window at least 98% of its arrivals",
        "peaks": peaks,
        "cells": cells,
        "failed": failed,
    }
    with open(args.out, "w") as f:
        json.dump(report, f, indent=1)
    print(f"wrote {args.out}: {len(cells)} open-load cells, {len(failed)} failed")


if __name__ == "__main__":
    main()
