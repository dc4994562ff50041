"""The lab's batch grid: `batch_read` of K keys from a stub cluster of M nodes, by both real clients.

Run by `harness.py --batch` (the full grid, `cargo xtask lab --batch`) and
`harness.py --batch --quick` (a few cells inside `cargo xtask test`). It
measures as the clean lab measures (`harness.py`): the stub cluster on one
CPU, each client process pinned to the other, a fresh process per run, the
cells in interleaved rounds shuffled with a recorded seed, GIL time sampled by
py-spy and CPU time read from each thread's clock. Each run also records the
CPU time that processes other than the lab's own took meanwhile
(`foreign_cpu_share`, from /proc/stat and the lab's processes' own counters);
a run where it is above `QUIET` is measured again, and a cell that never ran
quietly is reported as refused, never filed as a measurement.

Patterns (the names of the io_wait_grid; `policy` says how the official
client sends a batch's node requests):
  official_sync          the official client's blocking batch_read, one caller
  official_executor      the same through loop.run_in_executor, default pool
  official_executor_64   the same with a pool of 64 threads
  aerospike_py_sync      aerospike-py's blocking batch_read, one caller
  aerospike_py_async     aerospike-py's AsyncClient.batch_read, N coroutines
Policies: `default` (the official client's batch policy as it ships:
`concurrent` false, node requests one after another) and `parallel`
(`concurrent` true: the C client's thread pool sends them at once).
aerospike-py has no such setting (its core always sends them at once), so
its cells carry `default`.

Each batch reads K keys from a fixed list of string keys, a window that
slides by K per batch, so every node is visited over a run and a batch
visits as many nodes as K keys spread over M nodes do. The stub says how
many node requests it served, node by node (`stub-nodes`): the report keeps
them, which proves that each client talked to every node.
"""

import asyncio
import concurrent.futures
import gc
import os
import random
import time

import probe

# A run whose foreign CPU share is above this is measured again (at most `RETRIES` times).
QUIET = 0.10
RETRIES = 3
# The key list batches slide over (the stub answers any key; found or not is its setting).
KEY_POOL = 20_000
# The largest batch the lab sends; the stub refuses a larger one with a clear message.
MAX_KEYS = 5_000
TIMEOUT_MS = 60_000
MAX_CONNS = 5000
SYNC = {"official_sync", "aerospike_py_sync"}


def key_pool():
    """The lab's keys, as both clients take them."""
    return [("test", "demo", f"lab-batch-{i}") for i in range(KEY_POOL)]


class Batches:
    """The key lists of a run: batch j reads keys [j·K, j·K + K) of the pool,
    wrapping. Each list is made when its batch is sent, as a handler makes
    its own: a run keeps no garbage-collected objects but the pool."""

    def __init__(self, k):
        if not 1 <= k <= MAX_KEYS:
            raise ValueError(f"a batch of {k} keys: the lab sends 1 to {MAX_KEYS} keys per batch")
        self.pool = key_pool()
        self.k = k
        self.next = 0

    def take(self):
        start = (self.next * self.k) % (KEY_POOL - self.k + 1)
        self.next += 1
        return self.pool[start:start + self.k]


def cpu_jiffies():
    """Busy and total jiffies of the whole machine (/proc/stat's first line)."""
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    idle = parts[3] + (parts[4] if len(parts) > 4 else 0)
    return sum(parts[:8]) - idle, sum(parts[:8])


def process_jiffies(pid):
    """utime + stime of a process (all its threads), or 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return 0


class Quiet:
    """How much of the machine's CPU other processes took over a window: the
    machine's busy time less the lab's own processes' (stub, this client, the
    harness, the GIL sampler), as a share of all CPU time in the window."""

    def __init__(self, own_pids, stub_pid=None):
        self.own = set(own_pids)
        self.stub_pid = stub_pid
        self.p0 = {}

    def start(self):
        self.m0 = cpu_jiffies()
        self.p0 = {p: process_jiffies(p) for p in self.own}

    def add(self, pid):
        """A process of the lab's: one started after the window began counts from zero."""
        self.own.add(pid)
        self.p0.setdefault(pid, 0)

    def stop(self):
        """The foreign share of the machine's CPU time, and the stub's share of one CPU, over the window."""
        busy1, total1 = cpu_jiffies()
        busy0, total0 = self.m0
        spent = {p: process_jiffies(p) - self.p0.get(p, 0) for p in self.own}
        total = total1 - total0
        if total <= 0:
            return None, None
        stub = spent.get(self.stub_pid, 0) / (total / (os.cpu_count() or 1)) if self.stub_pid else None
        return max(0.0, (busy1 - busy0 - sum(spent.values())) / total), stub


class Client:
    """One client of one pattern, connected to a stub cluster by its first node."""

    def __init__(self, pattern, port, policy):
        self.pattern, self.policy = pattern, policy
        self.hosts = [("127.0.0.1", port)]
        self.pol = {"total_timeout": TIMEOUT_MS}
        if pattern.startswith("official"):
            import aerospike
            self.pol["concurrent"] = policy == "parallel"
            self.official = aerospike.client({"hosts": self.hosts, "max_conns_per_node": MAX_CONNS}).connect()
            self.nodes = lambda: len(self.official.get_node_names())
        elif pattern == "aerospike_py_sync":
            import aerospike_py
            self.asp = aerospike_py.client(self.config()).connect()
            self.nodes = lambda: len(self.asp.get_node_names())

    def config(self):
        return {"hosts": self.hosts, "max_conns_per_node": MAX_CONNS}

    def wait_for_nodes(self, m, timeout_s=10.0):
        """Until the client's cluster tending has found all `m` nodes (it learns them from the first one's peers)."""
        deadline = time.monotonic() + timeout_s
        while self.nodes() < m:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the client found {self.nodes()} of the cluster's {m} nodes in {timeout_s:g} s")
            time.sleep(0.05)

    def blocking_call(self):
        if self.pattern.startswith("official"):
            read, pol = self.official.batch_read, self.pol
            return lambda keys: use_official(read(keys, policy=pol))
        read = self.asp.batch_read
        return lambda keys: use_asp(read(keys))


# What a handler does with a batch's answer: read one bin of every record
# found. The official client has built every record already; aerospike-py
# 0.14.4 hands back a lazy handle that builds them when first read, so
# reading them is where its conversion to Python objects happens.
def use_official(res):
    return sum(br.record[2]["count"] for br in res.batch_records if br.record is not None)


def use_asp(res):
    return sum(bins["count"] for bins in res.values())


def run_sync(call, batches, warmup_s, seconds, hooks):
    hooks.warm()
    end = time.perf_counter() + warmup_s
    while time.perf_counter() < end:
        call(batches.take())
    lat = []
    hooks.start()
    t0 = time.perf_counter()
    stop = t0 + seconds
    while True:
        a = time.perf_counter_ns()
        call(batches.take())
        lat.append(time.perf_counter_ns() - a)
        if time.perf_counter() >= stop:
            break
    elapsed = time.perf_counter() - t0
    hooks.end()
    return lat, elapsed


def run_async(client, m, n, batches, warmup_s, seconds, hooks):
    async def main():
        closer = None
        if client.pattern == "aerospike_py_async":
            import aerospike_py
            asp = await aerospike_py.AsyncClient(client.config()).connect()
            deadline = time.monotonic() + 10.0
            while len(asp.get_node_names()) < m:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the client found {len(asp.get_node_names())} of the cluster's {m} nodes in 10 s")
                await asyncio.sleep(0.05)
            async def call(keys):
                return use_asp(await asp.batch_read(keys))
            closer = asp
        else:
            loop = asyncio.get_running_loop()
            size = 64 if client.pattern == "official_executor_64" else None
            pool = concurrent.futures.ThreadPoolExecutor(size, initializer=probe.name_this_thread, initargs=("lab-pool",))
            blocking = client.blocking_call()
            def call(keys):
                return loop.run_in_executor(pool, blocking, keys)
        lat = []
        phase = {"measure": False, "stop": False}

        async def caller():
            while not phase["stop"]:
                a = time.perf_counter_ns()
                await call(batches.take())
                if phase["measure"] and not phase["stop"]:
                    lat.append(time.perf_counter_ns() - a)

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
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=TIMEOUT_MS / 1e3)
        finally:
            phase["stop"] = True
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if closer is not None:
                await closer.close()
        return lat, elapsed

    return asyncio.run(main())


class Probe:
    """The worker's measurements around one run: GIL share (py-spy), each
    role's CPU time and the thread table over the window, and the machine's
    foreign CPU share over the same window."""

    def __init__(self, spy, spy_cpus, quiet):
        self.sampler = probe.GilSampler(spy, spy_cpus) if spy else None
        self.gil, self.quiet = None, quiet

    def warm(self):
        self.spying = self.sampler is not None and self.sampler.start()
        if self.spying:
            self.quiet.add(self.sampler.proc.pid)

    def start(self):
        self.before = probe.Threads()
        self.quiet.start()

    def end(self):
        self.foreign, self.stub_cpu = self.quiet.stop()
        self.after = probe.Threads()
        if self.spying:
            self.gil = self.sampler.stop()


def worker(cell, ports, spy, spy_cpus, own_pids):
    """One fresh process measuring one run of one cell; returns its figures (None if no batch completed)."""
    pattern, m, k, n = cell["pattern"], cell["nodes"], cell["keys"], cell["concurrency"]
    client = Client(pattern, ports[0], cell["policy"])
    if pattern != "aerospike_py_async":
        client.wait_for_nodes(m)
    batches = Batches(k)
    # What the run set up (the client, the key pool) is left out of the
    # garbage collector's passes, so they scan only what the batches make.
    gc.collect()
    gc.freeze()
    quiet = Quiet(set(own_pids) | {os.getpid(), os.getppid()}, own_pids[0] if own_pids else None)
    pr = Probe(spy, spy_cpus, quiet)
    if pattern in SYNC:
        lat, elapsed = run_sync(client.blocking_call(), batches, cell["warmup_s"], cell["seconds"], pr)
    else:
        lat, elapsed = run_async(client, m, n, batches, cell["warmup_s"], cell["seconds"], pr)
    if not lat:
        return None
    lat.sort()
    count = len(lat)
    q = lambda p: lat[min(count - 1, int(p * count))] / 1e6
    cpu = pr.after.cpu_since(pr.before)
    per_batch = lambda v: v / count * 1e6
    gil = pr.gil or {}
    return {
        "ops_per_sec": count / elapsed,
        "records_per_sec": count * k / elapsed,
        "avg_ms": sum(lat) / count / 1e6,
        "p50_ms": q(0.5),
        "p99_ms": q(0.99),
        "batches": count,
        "threads": len(pr.after.rows),
        "threads_by_name": pr.after.by_name(),
        "cpu_cores": sum(cpu.values()) / elapsed,
        "cpu_us_by_role": {r: round(per_batch(v), 3) for r, v in sorted(cpu.items())},
        "cpu_us_per_request": per_batch(sum(cpu.values())),
        "gil_share": gil.get("gil_share"),
        "gil_us_per_request": per_batch(gil["gil_share"] * elapsed) if gil.get("gil_share") is not None else None,
        "gil_sampler_behind": gil.get("behind"),
        "foreign_cpu_share": pr.foreign,
        "stub_cpu_share": pr.stub_cpu,
        "issued": batches.next,
    }


# -- the orchestrator ----------------------------------------------------------

NODES = (1, 4, 8)
POLICIES = ("default", "parallel")
# The grid around one centre (50 keys, 4 nodes, 1 ms, 16 callers, every key found):
# each factor over all its levels, crossed with the node count, and the corners a
# service meets (none found, the smallest and largest batches at 0 and 5 ms).
CENTRE = {"keys": 50, "nodes": 4, "io_wait_ms": 1.0, "concurrency": 16, "found_ratio": 1.0}


def grid(quick):
    """The cells to measure: (pattern, policy, keys, nodes, io_wait_ms, concurrency, found_ratio)."""
    if quick:
        return [
            ("official_sync", "default", 10, 4, 1.0, 1, 1.0),
            ("official_sync", "parallel", 10, 4, 1.0, 1, 1.0),
            ("official_executor", "default", 10, 4, 1.0, 4, 1.0),
            ("aerospike_py_async", "default", 10, 4, 1.0, 4, 1.0),
            ("aerospike_py_async", "default", 10, 4, 1.0, 4, 0.0),
        ]
    patterns = [(p, pol) for p in ("official_sync", "official_executor", "official_executor_64") for pol in POLICIES]
    patterns += [("aerospike_py_sync", "default"), ("aerospike_py_async", "default")]
    cells = []
    for pattern, policy in patterns:
        one = pattern in SYNC
        c0 = 1 if one else CENTRE["concurrency"]
        want = set()
        for k in (1, 10, 50, 200, 1000):
            for m in NODES:
                want.add((k, m, 1.0, c0, 1.0))
        for io in (0.0, 1.0, 5.0):
            for m in NODES:
                want.add((50, m, io, c0, 1.0))
        if not one:
            for n in (1, 16, 64):
                for m in NODES:
                    want.add((50, m, 1.0, n, 1.0))
            want.update({(200, 8, 1.0, 64, 1.0), (1000, 8, 1.0, 64, 1.0)})
        for k in (10, 50, 200):
            for m in (1, 8):
                want.add((k, m, 1.0, c0, 0.0))
        for k in (1, 1000):
            for io in (0.0, 5.0):
                want.add((k, 8, io, c0, 1.0))
        cells += [(pattern, policy) + w for w in sorted(want)]
    return cells


def start_cluster(path, m, cpus):
    """A stub cluster of `m` nodes on free ports of 127.0.0.1, pinned to `cpus`: the process and its ports."""
    import subprocess
    import sys
    pin = (lambda: os.sched_setaffinity(0, cpus)) if cpus else None
    stub = subprocess.Popen([path, "--port", "0", "--nodes", str(m)], stdout=subprocess.PIPE, text=True, preexec_fn=pin)
    line = stub.stdout.readline().strip()
    if not line.startswith("listening "):
        stub.terminate()
        sys.exit(f"batch lab: the stub cluster did not start: {line!r}")
    ports = [int(a.rsplit(":", 1)[1]) for a in line.split()[1:]]
    if len(ports) != m:
        stub.terminate()
        sys.exit(f"batch lab: asked for {m} nodes, the stub listens on {len(ports)}")
    return stub, ports


def node_counts(kit, port):
    """Each node's requests since the last call (and reset): {node: {"batches", "reads", "records", "found"}}."""
    out = {}
    text = kit.info(port, "stub-nodes")
    for part in filter(None, text.split(";")):
        name, _, rest = part.partition(":")
        out[name] = {k: int(v) for k, v in (kv.split("=") for kv in rest.split(","))}
    return out


def merge(cell, runs):
    """A cell from its rounds: the round with the median throughput gives the
    latencies and the process's figures; the spread over rounds stays beside it."""
    runs = sorted(runs, key=lambda r: r["ops_per_sec"])
    med = runs[len(runs) // 2]
    gil = sorted(r["gil_us_per_request"] for r in runs if r.get("gil_us_per_request") is not None)
    cpu = sorted(r["cpu_us_per_request"] for r in runs)
    pattern, policy, k, m, io, n, found = cell
    out = {
        "pattern": pattern, "policy": policy, "keys": k, "nodes": m, "io_wait_ms": io, "concurrency": n, "found_ratio": found,
        "ops_per_sec": med["ops_per_sec"], "records_per_sec": med["records_per_sec"],
        "avg_ms": med["avg_ms"], "p50_ms": med["p50_ms"], "p99_ms": med["p99_ms"],
        "ops_min": runs[0]["ops_per_sec"], "ops_max": runs[-1]["ops_per_sec"], "rounds": len(runs),
        "batches": med["batches"],
        "cpu_us_per_request": cpu[len(cpu) // 2],
        "cpu_us_by_role": med["cpu_us_by_role"],
        "gil_us_per_request": gil[len(gil) // 2] if gil else None,
        "threads": med["threads"], "threads_by_name": med["threads_by_name"],
        "node_requests_per_batch": med["node_requests_per_batch"],
        "nodes_used": med["nodes_used"],
        "foreign_cpu_share": max(r["foreign_cpu_share"] for r in runs),
        "stub_cpu_share": med["stub_cpu_share"],
        "load_avg": max(r["load_avg"] for r in runs),
    }
    return out


def batch_main(args, kit):
    """The batch grid: stub clusters of 1, 4 and 8 nodes, every cell in rounds, the report written to `args.out`."""
    import datetime
    import json
    import platform
    import subprocess
    import sys
    cells = grid(args.quick)
    seconds, warmup_s, rounds = (0.4, 0.2, 1) if args.quick else (1.5, 0.3, 3)
    seed = 20261206
    stub_cpus, client_cpus = kit.pinning()
    spy = kit.find_spy()
    if stub_cpus:
        os.sched_setaffinity(0, stub_cpus)
    clusters = {}
    try:
        for m in sorted({c[3] for c in cells}):
            clusters[m] = start_cluster(args.stub, m, stub_cpus)
        started = datetime.datetime.now()
        load_start = os.getloadavg()
        runs = {c: [] for c in cells}
        failures = {c: [] for c in cells}
        noisy = {c: [] for c in cells}
        for r in range(rounds):
            order = list(cells)
            random.Random(seed + r).shuffle(order)
            for i, cell in enumerate(order):
                pattern, policy, k, m, io, n, found = cell
                stub, ports = clusters[m]
                kit.info(ports[0], f"stub-delay:us={io * 1000:g}")
                kit.info(ports[0], f"stub-found:ratio={found:g}")
                for attempt in range(RETRIES):
                    node_counts(kit, ports[0])  # reset
                    load0 = os.getloadavg()[0]
                    spec = {"batch": {"pattern": pattern, "policy": policy, "keys": k, "nodes": m, "concurrency": n,
                                      "warmup_s": warmup_s, "seconds": seconds, "ports": ports, "own": [stub.pid] + [c.pid for c, _ in clusters.values() if c is not stub]}}
                    pin = (lambda: os.sched_setaffinity(0, client_cpus)) if client_cpus else None
                    cmd = [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "harness.py"),
                           "--worker", "--port", str(ports[0]), "--cell", json.dumps(spec)]
                    if spy:
                        cmd += ["--spy", spy]
                        if stub_cpus:
                            cmd += ["--spy-cpus", ",".join(map(str, sorted(stub_cpus)))]
                    try:
                        out = subprocess.run(cmd, capture_output=True, text=True, timeout=120 + TIMEOUT_MS / 1e3, preexec_fn=pin)
                        if out.returncode != 0:
                            raise RuntimeError(f"worker exited {out.returncode}: {out.stderr.strip()[-300:]}")
                        res = json.loads(out.stdout.strip().splitlines()[-1])
                    except Exception as e:  # a client error ends this run of the cell, not the lab
                        failures[cell].append(f"round {r + 1}: {type(e).__name__}: {e}"[:300])
                        print(f"round {r + 1} {cell}: {type(e).__name__}: {e}"[:400], flush=True)
                        break
                    counts = node_counts(kit, ports[0])
                    if res is None:
                        failures[cell].append(f"round {r + 1}: no batch completed")
                        break
                    total = res.pop("issued")
                    res["nodes_used"] = {name: c["batches"] + c["reads"] for name, c in counts.items()}
                    res["node_requests_per_batch"] = sum(res["nodes_used"].values()) / max(total, 1)
                    res["load_avg"] = round((load0 + os.getloadavg()[0]) / 2, 2)
                    # A quick run checks the harness, not the numbers: it records the share and keeps the run.
                    if not args.quick and res["foreign_cpu_share"] is not None and res["foreign_cpu_share"] > QUIET:
                        noisy[cell].append(round(res["foreign_cpu_share"], 3))
                        print(f"round {r + 1} {cell}: foreign CPU {res['foreign_cpu_share']:.2f} > {QUIET}; measuring again", flush=True)
                        time.sleep(2.0)
                        continue
                    runs[cell].append(res)
                    print(f"round {r + 1} [{i + 1}/{len(order)}] {pattern:21} {policy:8} k={k:4} m={m} io={io:3g} n={n:3} f={found:g}: "
                          f"{res['ops_per_sec']:8.0f} batches/s p50 {res['p50_ms']:8.3f} p99 {res['p99_ms']:8.3f} ms  "
                          f"nodes/batch {res['node_requests_per_batch']:.2f}  GIL {res['gil_us_per_request'] or 0:7.1f} us  "
                          f"foreign {res['foreign_cpu_share'] or 0:.3f}", flush=True)
                    break
        data, refused = [], []
        for cell, rs in runs.items():
            if rs:
                c = merge(cell, rs)
                c["failed_rounds"] = failures[cell]
                c["noisy_runs"] = noisy[cell]
                data.append(c)
            else:
                pattern, policy, k, m, io, n, found = cell
                reason = "; ".join(failures[cell]) or f"never quiet: foreign CPU shares {noisy[cell]}"
                refused.append({"pattern": pattern, "policy": policy, "keys": k, "nodes": m, "io_wait_ms": io,
                                "concurrency": n, "found_ratio": found, "reason": reason})
        for stub, ports in clusters.values():
            kit.info(ports[0], "stub-delay:us=0")
    finally:
        for stub, _ in clusters.values():
            stub.terminate()
            stub.wait(timeout=10)
    versions = kit.versions()
    report = {
        "timestamp": started.isoformat(timespec="seconds"),
        "date": started.strftime("%Y-%m-%d_%H-%M"),
        "environment": {
            "platform": f"{platform.system()} {platform.machine()}",
            "python_version": platform.python_version(),
            "rounds": rounds,
            "order_seed": seed,
            "pinning": (f"stub cluster (every node one process, and the GIL sampler, and this harness) on CPU "
                        f"{','.join(map(str, sorted(stub_cpus)))}; each client process on CPU {','.join(map(str, sorted(client_cpus)))}"
                        if client_cpus else "none: one CPU, shared by the stub and the client"),
            "client_cpus": len(client_cpus) if client_cpus else os.cpu_count(),
            "cpu_count": os.cpu_count(),
            "gil_sampler": f"py-spy record --gil --nonblocking at {probe.GilSampler.RATE} Hz" if spy else "none (py-spy not installed)",
            "warmup_s": warmup_s,
            "seconds_per_run": seconds,
            "mode": "quick" if args.quick else "full",
            "aerospike": versions["aerospike"],
            "aerospike_py": versions["aerospike_py"],
            "server": "aerostub (lab/aerostub) clusters of 1, 4 and 8 nodes on 127.0.0.1: 4,096 partitions dealt round-robin, "
                      "the batch-index protocol, an injected wait per node request, a found ratio",
            "load_avg_start": round(load_start[0], 2),
            "load_avg_end": round(os.getloadavg()[0], 2),
            "quiet_limit": QUIET,
            "max_conns_per_node": MAX_CONNS,
        },
        "batch_grid": {"data": data, "refused": refused},
    }
    with open(args.out, "w") as f:
        json.dump(report, f, indent=1)
    print(f"wrote {args.out}: {len(data)} batch cells measured, {len(refused)} refused")
