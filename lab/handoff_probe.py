"""What one GIL hand-off costs as the number of threads taking turns grows (not yet a model input).

aerospike-py delivers every result from a thread of Tokio's blocking pool:
that thread wakes, takes the GIL and calls loop.call_soon_threadsafe; the
event loop wakes and resumes the caller. This probe makes the same hand-offs
with no client at all: N Python threads, each woken by the loop, take the GIL
and deliver; the loop's callback wakes that thread again, so N deliveries are
in flight at once. Everything runs pinned to one CPU, like the lab's client.

    python3 lab/handoff_probe.py 1 16 64 256 512 1024

prints deliveries per second and CPU per delivery for each N. It is kept
apart from asyncio_costs.py, whose output the model's defaults are held to,
until the model charges for the hand-off (see the methodology's "Where the
model misses").
"""

import asyncio
import os
import sys
import threading
import time


def run(n, secs=2.0):
    loop = asyncio.new_event_loop()
    events = [threading.Event() for _ in range(n)]
    done = [0]
    stop = [False]

    def deliver(i):
        done[0] += 1
        events[i].set()

    def worker(i):
        ev = events[i]
        while not stop[0]:
            ev.wait()
            ev.clear()
            if stop[0]:
                break
            loop.call_soon_threadsafe(deliver, i)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()

    async def measure():
        for e in events:
            e.set()
        await asyncio.sleep(0.5)
        a, t0, c0 = done[0], time.monotonic(), time.process_time()
        await asyncio.sleep(secs)
        b, t1, c1 = done[0], time.monotonic(), time.process_time()
        return (b - a) / (t1 - t0), (c1 - c0) / max(b - a, 1) * 1e6

    rate, cpu_us = loop.run_until_complete(measure())
    stop[0] = True
    for e in events:
        e.set()
    loop.close()
    return rate, cpu_us


def main():
    cpu = max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    for n in [int(x) for x in sys.argv[1:]] or [1, 16, 64, 256, 512]:
        rate, cpu_us = run(n)
        print(f"N={n:5d}: {rate:9.0f} deliveries/s, {cpu_us:6.1f} µs CPU per delivery (CPU {cpu})", flush=True)


if __name__ == "__main__":
    main()
