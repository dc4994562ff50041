"""Measure the asyncio machinery costs that the performance model uses as defaults.

No database is involved: the client call is replaced by a no-op, so what is left
is what the event loop, the executor and the thread handoffs cost on this machine.
Prints one JSON object. Bounded: every loop runs a fixed number of operations.
"""
import asyncio
import json
import os
import platform
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

OPS = 20_000
ROUNDS = 5


def noop():
    return None


async def resume_cost():
    """GIL-bound cost of one await on a future completed from the loop itself."""
    loop = asyncio.get_running_loop()

    async def one():
        fut = loop.create_future()
        loop.call_soon(fut.set_result, None)
        await fut

    async def worker(n):
        for _ in range(n):
            await one()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(OPS // 100) for _ in range(100)))
    return (time.perf_counter() - t0) / OPS * 1e6


async def task_cost():
    """A task per request, as a server or an open-load driver makes one: create
    it, run it to its end, collect it (gather). Its body is one await on a
    future completed by call_soon, so `loop_resume_us` is subtracted by the model's
    provenance, not here."""
    loop = asyncio.get_running_loop()

    async def one():
        fut = loop.create_future()
        loop.call_soon(fut.set_result, None)
        await fut

    t0 = time.perf_counter()
    for _ in range(OPS // 100):
        await asyncio.gather(*[asyncio.ensure_future(one()) for _ in range(100)])
    return (time.perf_counter() - t0) / OPS * 1e6


async def driver_cost(rate=100_000, seconds=1.0):
    """Time per request of the open-load driver (lab/openload.py) sending a
    no-op far faster than it can be served: its sender thread and the loop
    (a task per arrival, call_soon_threadsafe, the self-pipe) take turns on
    the GIL, so the pace they keep is the GIL time one arrival costs. The
    no-op awaits a future completed by call_soon, like `resume_cost`, which
    the model's provenance subtracts."""
    import openload
    loop = asyncio.get_running_loop()

    async def noop_call():
        fut = loop.create_future()
        loop.call_soon(fut.set_result, None)
        await fut

    done, _ = await openload.drive(noop_call, openload.schedule(rate, seconds, 1))
    answered = [d for d in done if d is not None]
    return max(answered) / len(answered) * 1e6


async def executor_cost(concurrency, ops):
    """run_in_executor(None, noop): per-op time at the given concurrency."""
    loop = asyncio.get_running_loop()
    per = ops // concurrency

    async def worker():
        for _ in range(per):
            await loop.run_in_executor(None, noop)

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return (time.perf_counter() - t0) / (per * concurrency) * 1e6


async def threadpool_cost(concurrency, ops):
    """anyio.to_thread.run_sync(noop), as Starlette runs a plain def
    endpoint: per-op time at the given concurrency, beside
    `executor_cost` measured the same way."""
    import anyio.to_thread
    per = ops // concurrency

    async def worker():
        for _ in range(per):
            await anyio.to_thread.run_sync(noop)

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return (time.perf_counter() - t0) / (per * concurrency) * 1e6


async def handoff_pair(concurrency, ops):
    """The extra time per op of anyio's hand-off over run_in_executor's,
    the two measured back to back in one process."""
    return await threadpool_cost(concurrency, ops) - await executor_cost(concurrency, ops)


async def threadsafe_cost(ops):
    """A foreign thread completes futures with call_soon_threadsafe, one at a time."""
    loop = asyncio.get_running_loop()
    req = threading.Event()
    box = {}
    stop = False

    def remote():
        while True:
            req.wait()
            req.clear()
            if stop:
                return
            loop.call_soon_threadsafe(box["fut"].set_result, None)

    th = threading.Thread(target=remote, daemon=True)
    th.start()
    t0 = time.perf_counter()
    for _ in range(ops):
        box["fut"] = loop.create_future()
        req.set()
        await box["fut"]
    dt = (time.perf_counter() - t0) / ops * 1e6
    stop = True
    req.set()
    th.join(timeout=5)
    return dt


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def thread_rss_kib(n=64):
    """Resident memory added by one idle Python thread (blocked on an Event)."""
    ev = threading.Event()
    before = rss_kib()
    ths = [threading.Thread(target=ev.wait) for _ in range(n)]
    for t in ths:
        t.start()
    after = rss_kib()
    ev.set()
    for t in ths:
        t.join()
    return (after - before) / n


def pending_task_bytes(n=10_000):
    """Python heap bytes of one in-flight asyncio request: Task + coroutine + Future."""
    import tracemalloc

    async def body():
        loop = asyncio.get_running_loop()
        futs = [loop.create_future() for _ in range(n)]

        async def waiter(f):
            return await f

        tracemalloc.start()
        snap0 = tracemalloc.take_snapshot()
        tasks = [asyncio.ensure_future(waiter(f)) for f in futs]
        await asyncio.sleep(0)
        snap1 = tracemalloc.take_snapshot()
        tracemalloc.stop()
        for f in futs:
            f.set_result(None)
        await asyncio.gather(*tasks)
        diff = sum(s.size_diff for s in snap1.compare_to(snap0, "filename"))
        return diff / n

    return asyncio.run(body())


def tcp_roundtrip(ops=5_000):
    """Loopback TCP round trip (64-byte ping-pong with a second process)."""
    import socket
    import subprocess

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    child = subprocess.Popen([sys.executable, "-c", (
        "import socket,sys\n"
        "s=socket.create_connection(('127.0.0.1',%d))\n"
        "s.setsockopt(socket.IPPROTO_TCP,socket.TCP_NODELAY,1)\n"
        "while True:\n"
        "  d=s.recv(64)\n"
        "  if not d: break\n"
        "  s.sendall(d)\n") % port])
    conn, _ = srv.accept()
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    msg = b"x" * 64
    for _ in range(500):
        conn.sendall(msg)
        conn.recv(64)
    c0 = time.process_time()
    samples = []
    for _ in range(ops):
        t0 = time.perf_counter()
        conn.sendall(msg)
        conn.recv(64)
        samples.append(time.perf_counter() - t0)
    cpu = (time.process_time() - c0) / ops * 1e6
    wall = statistics.fmean(samples) * 1e6
    samples.sort()
    p99_over_mean = samples[int(0.99 * len(samples))] * 1e6 / wall
    conn.close()
    child.wait(timeout=10)
    srv.close()
    return wall, cpu, p99_over_mean


def median_of(fn, *args):
    vals = [asyncio.run(fn(*args)) for _ in range(ROUNDS)]
    return statistics.median(vals), min(vals), max(vals)


def add(key):
    """Measure one more quantity into the existing results file, keeping the
    others as they were measured (with the date of this one)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "asyncio_costs.json")
    with open(path) as f:
        out = json.load(f)
    if key == "task_per_request_us":
        out[key] = median_of(task_cost)
    elif key == "open_driver_us":
        out[key] = median_of(driver_cost)
    elif key == "threadpool_extra_c64_us":
        out["threadpool_noop_c64_us"] = median_of(threadpool_cost, 64, OPS)
        out[key] = median_of(handoff_pair, 64, OPS)
    else:
        sys.exit(f"asyncio_costs: --add knows task_per_request_us, open_driver_us and threadpool_extra_c64_us, not {key}")
    out[key + "_measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    out[key + "_loadavg_1m"] = os.getloadavg()[0]
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(json.dumps({key: out[key]}))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--add":
        return add(sys.argv[2])
    out = {
        "machine": {
            "platform": f"{platform.system()} {platform.machine()}",
            "python": sys.version.split()[0],
            "cpus": os.cpu_count(),
            "loadavg_1m": os.getloadavg()[0],
        },
        "ops": OPS,
        "rounds": ROUNDS,
        "switch_interval_s": sys.getswitchinterval(),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    out["loop_resume_us"] = median_of(resume_cost)
    out["task_per_request_us"] = median_of(task_cost)
    out["open_driver_us"] = median_of(driver_cost)
    out["executor_noop_c1_us"] = median_of(executor_cost, 1, OPS // 4)
    out["executor_noop_c64_us"] = median_of(executor_cost, 64, OPS)
    out["threadpool_noop_c64_us"] = median_of(threadpool_cost, 64, OPS)
    out["threadpool_extra_c64_us"] = median_of(handoff_pair, 64, OPS)
    out["threadsafe_roundtrip_us"] = median_of(threadsafe_cost, OPS // 4)
    import resource
    out["base_rss_kib"] = rss_kib()
    out["thread_rss_kib"] = statistics.median(thread_rss_kib() for _ in range(ROUNDS))
    out["stack_rlimit_kib"] = resource.getrlimit(resource.RLIMIT_STACK)[0] // 1024
    out["pending_task_bytes"] = statistics.median(pending_task_bytes() for _ in range(ROUNDS))
    rt = [tcp_roundtrip() for _ in range(ROUNDS)]
    out["tcp_rtt_us"] = statistics.median(r[0] for r in rt)
    out["tcp_rtt_cpu_us"] = statistics.median(r[1] for r in rt)
    out["tcp_rtt_p99_over_mean"] = statistics.median(r[2] for r in rt)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
