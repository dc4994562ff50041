"""The open-load driver: requests sent on a Poisson schedule whatever is in progress.

Shared by the harness (driving the real clients) and asyncio_costs.py (driving
a no-op, to measure what the driver itself costs the event loop per request).
Each request's latency is taken from its *scheduled* send time, so a driver
that falls behind its schedule is charged for it (no coordinated omission).
"""
import asyncio
import random
import threading
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

    The schedule is kept by a thread of its own with `threading.Event.wait`
    (a precise sleep), which hands each arrival to the loop with
    `call_soon_threadsafe`, as a request arriving from the network wakes a
    server's loop. (A schedule kept with `asyncio.sleep` on the loop itself
    sends up to 1 ms late: the epoll selector rounds its timeout up to whole
    milliseconds, which would be charged to the client.) A request's latency
    still runs from its scheduled time, so an arrival the loop is too busy to
    start waits on the clock.

    Returns (done, sent_all): the completion time of each request (None if it
    never answered) and whether the whole schedule was sent.
    """
    loop = asyncio.get_running_loop()
    done = [None] * len(sched)
    t0 = time.perf_counter()
    state = {"outstanding": 0, "sent_all": True}
    tasks = []
    all_sent = loop.create_future()

    async def one(i):
        try:
            await call()
            done[i] = time.perf_counter() - t0
        finally:
            state["outstanding"] -= 1

    def start(i):
        state["outstanding"] += 1
        tasks.append(asyncio.ensure_future(one(i)))

    def finish(sent_all):
        state["sent_all"] = sent_all
        if not all_sent.done():
            all_sent.set_result(None)

    stop = threading.Event()

    def sender():
        for i, s in enumerate(sched):
            delay = t0 + s - time.perf_counter()
            if delay > 0 and stop.wait(delay):
                return
            # Read without a lock: an estimate is enough to stop an overloaded run.
            if state["outstanding"] >= MAX_OUTSTANDING:
                loop.call_soon_threadsafe(finish, False)
                return
            loop.call_soon_threadsafe(start, i)
        loop.call_soon_threadsafe(finish, True)

    th = threading.Thread(target=sender, name="open-load-sender", daemon=True)
    th.start()
    try:
        await all_sent
        if tasks:
            await asyncio.wait(list(tasks), timeout=DRAIN_S)
    finally:
        stop.set()
        th.join()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return done, state["sent_all"]
