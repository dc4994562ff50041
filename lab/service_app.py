"""The service lab's web service: a FastAPI app served by uvicorn, whose endpoints call the stub as a service's handlers call Aerospike.

Run by `service.py` as `uvicorn service_app:app --workers K`, one pattern per
server (`LAB_PATTERN`), against the stub at `LAB_STUB_PORT`. Each worker
process opens only its pattern's client, at startup, as a service does.

Endpoints (query: `work_ms`, the handler's own Python work, a busy loop
holding the GIL; `calls`, client calls per request; `gather`, with
`calls` > 1, await them at once with asyncio.gather instead of one after
another):
  /none        async def: the handler's work only (the web server's own cost)
  /sync        async def calling the official client's blocking get (it
               blocks the event loop: the Sync pattern inside a server)
  /executor    async def, `await loop.run_in_executor(None, client.get, ...)`
               (the default pool: min(32, os.cpu_count() + 4) threads)
  /threadpool  plain def calling the official client: FastAPI runs it on
               anyio's worker threads (40 by default), work included
  /asp         async def, `await AsyncClient.get(...)` (aerospike-py)
"""
import asyncio
import os
import time
from contextlib import asynccontextmanager

from fastapi import FastAPI

KEY = ("test", "demo", "lab-key")
BINS = {"name": "lab", "count": 1, "payload": "x" * 64}
POLICY = {"total_timeout": 60_000}
MAX_CONNS = 5000
PATTERNS = {"none", "sync", "executor", "threadpool", "asp"}

PATTERN = os.environ.get("LAB_PATTERN", "none")
if PATTERN not in PATTERNS:
    raise SystemExit(f"service_app: LAB_PATTERN={PATTERN!r}; one of {sorted(PATTERNS)}")
HOSTS = [("127.0.0.1", int(os.environ.get("LAB_STUB_PORT", "3000")))]
clients = {}


def work(ms):
    """The handler's own Python work: `ms` of a busy loop, holding the GIL throughout."""
    if ms > 0:
        end = time.perf_counter() + ms / 1000.0
        while time.perf_counter() < end:
            pass


@asynccontextmanager
async def lifespan(app):
    if PATTERN in ("sync", "executor", "threadpool"):
        import aerospike
        clients["official"] = aerospike.client({"hosts": HOSTS, "max_conns_per_node": MAX_CONNS}).connect()
        clients["official"].put(KEY, BINS)
    elif PATTERN == "asp":
        import aerospike_py
        c = await aerospike_py.AsyncClient({"hosts": HOSTS, "max_conns_per_node": MAX_CONNS}).connect()
        await c.put(KEY, BINS)
        clients["asp"] = c
    yield
    if "official" in clients:
        clients["official"].close()
    if "asp" in clients:
        await clients["asp"].close()


app = FastAPI(lifespan=lifespan)


def answer(records):
    """What each endpoint returns: the bins it read, as a small JSON object."""
    return {"n": len(records), "count": sum(r["count"] for r in records)}


@app.get("/none")
async def none(work_ms: float = 0.0):
    work(work_ms)
    return {"n": 0, "count": 0}


@app.get("/sync")
async def sync(work_ms: float = 0.0, calls: int = 1):
    work(work_ms)
    c = clients["official"]
    return answer([c.get(KEY, POLICY)[2] for _ in range(calls)])


@app.get("/executor")
async def executor(work_ms: float = 0.0, calls: int = 1, gather: bool = False):
    work(work_ms)
    loop = asyncio.get_running_loop()
    c = clients["official"]
    if gather:
        got = await asyncio.gather(*(loop.run_in_executor(None, c.get, KEY, POLICY) for _ in range(calls)))
    else:
        got = [await loop.run_in_executor(None, c.get, KEY, POLICY) for _ in range(calls)]
    return answer([g[2] for g in got])


@app.get("/threadpool")
def threadpool(work_ms: float = 0.0, calls: int = 1):
    work(work_ms)
    c = clients["official"]
    return answer([c.get(KEY, POLICY)[2] for _ in range(calls)])


@app.get("/asp")
async def asp(work_ms: float = 0.0, calls: int = 1, gather: bool = False):
    work(work_ms)
    c = clients["asp"]
    if gather:
        got = await asyncio.gather(*(c.get(KEY, POLICY) for _ in range(calls)))
    else:
        got = [await c.get(KEY, POLICY) for _ in range(calls)]
    return answer([g.bins if hasattr(g, "bins") else g[2] for g in got])
