"""The open-load driver: requests sent on a Poisson schedule whatever is in progress.

Shared by the harness (driving the real clients) and asyncio_costs.py (driving
a no-op, to measure what the driver itself costs the event loop per request).
Each request's latency is taken from its *scheduled* send time, so a driver
that falls behind its schedule is charged for it (no coordinated omission).
"""
import asyncio
import random
import time

# A run stops sending when this many requests are outstanding (it is overloaded).
MAX_OUTSTANDING = 20_000
# What is still outstanding when the schedule ends gets this long to answer.
DRAIN_S = 10.0


def schedule(rate, seconds, seed):
    """Send times (s from the start) of a Poisson process at `rate` per second."""
    rng = random.Random(seed)
    t, out = 0.0, []
    while True:
        t += rng.expovariate(rate)
        if t >= seconds:
            return out
        out.append(t)


async def drive(call, sched):
    """Send `call()` at each time of `sched`, each in its own task.

    Returns (done, sent_all): the completion time of each request (None if it
    never answered) and whether the whole schedule was sent.
    """
    done = [None] * len(sched)
    t0 = time.perf_counter()
    outstanding = 0
    sent_all = True

    async def one(i):
        nonlocal outstanding
        try:
            await call()
            done[i] = time.perf_counter() - t0
        finally:
            outstanding -= 1

    tasks = []
    try:
        for i, s in enumerate(sched):
            now = time.perf_counter() - t0
            if now < s:
                await asyncio.sleep(s - now)
            if outstanding >= MAX_OUTSTANDING:
                sent_all = False
                break
            outstanding += 1
            tasks.append(asyncio.ensure_future(one(i)))
        if tasks:
            await asyncio.wait(tasks, timeout=DRAIN_S)
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return done, sent_all
