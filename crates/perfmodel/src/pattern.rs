//! The steps behind one `client.get(key)` in each pattern: one description read by both solvers and the site.

use serde::{Deserialize, Serialize};

use crate::batch::{expected_nodes, Batch, Call, Fan, FanOut};
use crate::{ModelError, Params, Scenario};

/// The ways a Python program can issue a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pattern {
    /// Official C-extension client called directly: the calling thread blocks.
    /// One calling thread, so requests run one after another.
    Sync,
    /// The same blocking client called from N Python threads.
    SyncThreads,
    /// Official client through asyncio `loop.run_in_executor` on a thread pool.
    Executor,
    /// Official client called from a plain `def` endpoint: the framework
    /// (FastAPI, Starlette) runs the whole handler, its calls included, on
    /// anyio's worker threads ([`crate::scenario::FRAMEWORK_THREADS`] at
    /// most), each blocking on its calls; the web server stays on the loop.
    Threadpool,
    /// aerospike-py's native async: I/O on Tokio workers without the GIL.
    Tokio,
}

impl Pattern {
    /// The three patterns the site compares, in display order.
    pub const COMPARED: [Pattern; 3] = [Pattern::Sync, Pattern::Executor, Pattern::Tokio];
    /// Every pattern the model knows.
    pub const ALL: [Pattern; 5] = [Pattern::Sync, Pattern::SyncThreads, Pattern::Executor, Pattern::Threadpool, Pattern::Tokio];

    pub fn name(self) -> &'static str {
        match self {
            Pattern::Sync => "sync",
            Pattern::SyncThreads => "sync-threads",
            Pattern::Executor => "executor",
            Pattern::Threadpool => "threadpool",
            Pattern::Tokio => "tokio",
        }
    }

    /// A label for readers.
    pub fn label(self) -> &'static str {
        match self {
            Pattern::Sync => "Sync (official)",
            Pattern::SyncThreads => "Sync + threads (official)",
            Pattern::Executor => "Executor (official + run_in_executor)",
            Pattern::Threadpool => "Threadpool (official, plain def endpoint)",
            Pattern::Tokio => "Tokio (aerospike-py async)",
        }
    }

    pub fn parse(s: &str) -> Result<Pattern, ModelError> {
        Pattern::ALL.into_iter().find(|p| p.name() == s).ok_or_else(|| ModelError::Invalid {
            name: "pattern",
            reason: format!("unknown pattern {s:?}; expected one of sync, sync-threads, executor, threadpool, tokio"),
        })
    }

    /// Whether a request holds a thread of a pool while it waits: the
    /// executor's, or the framework's for a plain def endpoint.
    pub fn pooled(self) -> bool {
        matches!(self, Pattern::Executor | Pattern::Threadpool)
    }
}

/// Which thread runs a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The thread that called the blocking client.
    Caller,
    /// The asyncio event-loop thread.
    Loop,
    /// A ThreadPoolExecutor worker.
    Worker,
    /// A Tokio runtime worker.
    Tokio,
    /// A thread of Tokio's blocking pool: pyo3-async-runtimes finishes each
    /// aerospike-py future there (it takes the GIL and hands the result to
    /// the loop), so a Tokio worker never waits for the GIL.
    Blocking,
}

/// What a step costs and what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "us")]
pub enum Work {
    /// CPU with the GIL held.
    Gil(f64),
    /// CPU with the GIL released.
    Cpu(f64),
    /// Waiting for the network and server (the scenario's I/O wait); no CPU, no GIL.
    Io(f64),
    /// Waiting for this step's thread to be woken by another thread; no CPU, no GIL.
    Wake(f64),
    /// Waiting for a batch's node requests (one after another or at once); no CPU, no GIL.
    Fan(Fan),
}

impl Work {
    /// Its mean duration, µs.
    pub fn us(self) -> f64 {
        match self {
            Work::Gil(t) | Work::Cpu(t) | Work::Io(t) | Work::Wake(t) => t,
            Work::Fan(f) => f.mean_us,
        }
    }
    pub fn holds_gil(self) -> bool {
        matches!(self, Work::Gil(_))
    }
}

/// One step of a request's path.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Step {
    pub role: Role,
    pub work: Work,
    pub what: &'static str,
}

/// Totals of a path that the solvers and the request-flow figure use.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct PathTotals {
    /// GIL-held CPU on the loop (or caller) thread, µs.
    pub gil_loop_us: f64,
    /// GIL-held CPU on other threads, µs.
    pub gil_other_us: f64,
    /// CPU without the GIL, µs.
    pub cpu_us: f64,
    /// I/O wait, µs.
    pub io_us: f64,
    /// Thread wake-ups, µs.
    pub wake_us: f64,
    /// The part of them that wakes the loop (or the caller), µs.
    pub wake_loop_us: f64,
    /// Part of the above spent holding a pool thread (the executor's, or the framework's for a def endpoint), µs.
    pub worker_held_us: f64,
    /// The GIL-free CPU among it, µs: work a Tokio worker does not do when aerospike-py offloads it.
    pub worker_cpu_us: f64,
    /// Pool-thread time spent waiting for the server, µs: the I/O wait on a
    /// pool thread, every gathered call's own wait counted.
    pub worker_io_us: f64,
    /// Time the official client's own thread pool is held per request, µs:
    /// each node request of a concurrent batch holds one of its threads for its wait.
    pub client_pool_us: f64,
    /// Separate times a request takes the GIL.
    pub gil_acquisitions: u32,
    /// Times a request moves from one thread to another.
    pub thread_hops: u32,
}

impl PathTotals {
    pub fn gil_us(&self) -> f64 {
        self.gil_loop_us + self.gil_other_us
    }
    pub fn total_us(&self) -> f64 {
        self.gil_us() + self.cpu_us + self.io_us + self.wake_us
    }
}

/// The path of one request in `pattern` under `scenario`.
///
/// Where only a total was measured (the GIL-held cost of a client call, the
/// executor's overhead), it is split evenly between the points where that
/// work happens. The split changes which thread a trace shows the work on,
/// never the totals the solvers use.
// ANCHOR: steps
pub fn steps(pattern: Pattern, p: &Params, s: &Scenario) -> Vec<Step> {
    use Role::*;
    use Work::*;
    let p = &s.machine.costs(p);
    let mut v = Vec::new();
    // An open load: each arriving request is handed to the loop and starts
    // in its own task (a blocking caller's next request needs neither; a web
    // server's measured cost includes both).
    if s.open() && !s.web_server && matches!(pattern, Pattern::Executor | Pattern::Threadpool | Pattern::Tokio) {
        v.push(Step { role: Loop, work: Gil(p.open_driver_us), what: "the arriving request reaches the loop and starts in its own task" });
    }
    let server = if s.web_server { p.http_server_us } else { 0.0 };
    if pattern == Pattern::Threadpool {
        // The framework hands the whole handler to one of anyio's threads,
        // which blocks on each call in turn, and hands the response back:
        // run_in_executor's hand-off and anyio's extra, split as the executor's is.
        let hand = (p.executor_overhead_us + p.threadpool_extra_us) / 3.0;
        let what = if server > 0.0 {
            "the web server reads the request and hands the handler to a worker thread (GIL held)"
        } else {
            "hand the handler to a worker thread"
        };
        v.push(Step { role: Loop, work: Gil(server / 2.0 + hand), what });
        v.push(Step { role: Worker, work: Wake(p.thread_wake_us), what: "a worker thread wakes up" });
        v.push(Step { role: Worker, work: Gil(hand + s.app_cpu_ms * 1e3), what: "the worker takes the GIL and runs the handler" });
        let calls = v.len();
        for call in s.calls.list() {
            v.extend(match call {
                Call::Get => get_steps(Pattern::Sync, p, s),
                Call::Batch(b) => batch_steps(Pattern::Sync, p, s, b),
            });
        }
        v.extend(offload_steps(pattern, p, s));
        for st in &mut v[calls..] {
            st.role = Worker;
        }
        v.push(Step { role: Worker, work: Gil(hand), what: "return the response, call_soon_threadsafe" });
        v.push(Step { role: Loop, work: Wake(p.thread_wake_us), what: "the loop wakes on its self-pipe" });
        let what = if server > 0.0 { "resume; the web server writes the response (GIL held)" } else { "resume the coroutine" };
        v.push(Step { role: Loop, work: Gil(p.loop_resume_us + server / 2.0), what });
    } else {
        let calls: Vec<Vec<Step>> = s
            .calls
            .list()
            .map(|call| match call {
                Call::Get => get_steps(pattern, p, s),
                Call::Batch(b) => batch_steps(pattern, p, s, b),
            })
            .collect();
        match gathered(pattern, p, s, &calls) {
            Some(g) => v.extend(g),
            None => v.extend(calls.into_iter().flatten()),
        }
        v.extend(offload_steps(pattern, p, s));
        // The handler's own work and, behind a web server, the server's: one
        // stretch of Python on the loop (the caller's thread, blocking).
        let app = s.app_cpu_ms * 1e3 + server;
        if app > 0.0 {
            let role = if matches!(pattern, Pattern::Sync | Pattern::SyncThreads) { Caller } else { Loop };
            let what = if server > 0.0 {
                "the web server reads the request, the handler works, the server writes the response (GIL held)"
            } else {
                "application work on the result (GIL held)"
            };
            v.push(Step { role, work: Gil(app), what });
        }
    }
    // The free-threaded build runs Python code a little slower; where the
    // process has no GIL, Python work on any thread but the event loop (or
    // the one caller) runs in parallel on the cores, and the loop's own work
    // stays one after another on its one thread.
    // A fractional CPU quota: each step's CPU at the quota's mean share of a core.
    let speed = s.core_speed();
    if speed < 1.0 {
        for st in &mut v {
            st.work = match st.work {
                Gil(us) => Gil(us / speed),
                Cpu(us) => Cpu(us / speed),
                w => w,
            };
        }
    }
    if s.python.free_threaded() {
        let slower = 1.0 + p.free_threaded_overhead;
        let gil_free = s.python.gil_free(pattern);
        for st in &mut v {
            if let Gil(us) = st.work {
                let one_thread = st.role == Loop || (st.role == Caller && pattern == Pattern::Sync);
                st.work = if gil_free && !one_thread { Cpu(us * slower) } else { Gil(us * slower) };
            }
        }
    }
    v
}

/// The work a handler offloads, with `p` the machine's costs: awaited on the
/// executor's pool by the async patterns (a hand-off there and back, as
/// run_in_executor's), run in place by a thread that already blocks.
fn offload_steps(pattern: Pattern, p: &Params, s: &Scenario) -> Vec<Step> {
    use Role::*;
    use Work::*;
    let w = s.offload_cpu_ms * 1e3;
    if w <= 0.0 {
        return Vec::new();
    }
    let (held, free) = (w * s.offload_gil_share, w * (1.0 - s.offload_gil_share));
    let mut work = Vec::new();
    let thread = if matches!(pattern, Pattern::Executor | Pattern::Tokio) { Worker } else { Caller };
    if held > 0.0 {
        work.push(Step { role: thread, work: Gil(held), what: "the offloaded work's Python (GIL held)" });
    }
    if free > 0.0 {
        work.push(Step { role: thread, work: Cpu(free), what: "the offloaded work with the GIL released" });
    }
    if thread == Caller {
        return work;
    }
    let third = p.executor_overhead_us / 3.0;
    let mut v = vec![
        Step { role: Loop, work: Gil(third), what: "run_in_executor: hand the offloaded work to the pool" },
        Step { role: Worker, work: Wake(p.thread_wake_us), what: "a pool worker wakes up" },
        Step { role: Worker, work: Gil(third), what: "the worker takes the GIL" },
    ];
    v.extend(work);
    v.push(Step { role: Worker, work: Gil(third), what: "call_soon_threadsafe with the result" });
    v.push(Step { role: Loop, work: Wake(p.thread_wake_us), what: "the loop wakes on its self-pipe" });
    v.push(Step { role: Loop, work: Gil(p.loop_resume_us), what: "resume the coroutine" });
    v
}

/// One `get`, with `p` the machine's costs.
fn get_steps(pattern: Pattern, p: &Params, s: &Scenario) -> Vec<Step> {
    use Role::*;
    use Work::*;
    let io = s.io_wait_ms * 1e3;
    match pattern {
        Pattern::Sync | Pattern::SyncThreads | Pattern::Threadpool => vec![
            Step { role: Caller, work: Gil(p.official_gil_us / 2.0), what: "parse arguments into C" },
            Step { role: Caller, work: Cpu(p.official_nogil_us / 2.0), what: "encode and send (GIL released)" },
            Step { role: Caller, work: Io(io), what: "wait for the server" },
            Step { role: Caller, work: Cpu(p.official_nogil_us / 2.0), what: "receive and parse the reply" },
            Step { role: Caller, work: Gil(p.official_gil_us / 2.0), what: "re-take the GIL, build the result dict" },
        ],
        Pattern::Executor => vec![
            Step { role: Loop, work: Gil(p.executor_overhead_us / 3.0), what: "run_in_executor: wrap in a future, queue the work item" },
            Step { role: Worker, work: Wake(p.thread_wake_us), what: "a pool worker wakes up" },
            Step {
                role: Worker,
                work: Gil(p.executor_overhead_us / 3.0 + p.official_gil_us / 2.0),
                what: "worker takes the GIL, parses arguments into C",
            },
            Step { role: Worker, work: Cpu(p.official_nogil_us / 2.0), what: "encode and send (GIL released)" },
            Step { role: Worker, work: Io(io), what: "worker blocks on the server" },
            Step { role: Worker, work: Cpu(p.official_nogil_us / 2.0), what: "receive and parse the reply" },
            Step {
                role: Worker,
                work: Gil(p.official_gil_us / 2.0 + p.executor_overhead_us / 3.0),
                what: "re-take the GIL, build the dict, call_soon_threadsafe",
            },
            Step { role: Loop, work: Wake(p.thread_wake_us), what: "the loop wakes on its self-pipe" },
            Step { role: Loop, work: Gil(p.loop_resume_us), what: "resume the coroutine" },
        ],
        Pattern::Tokio => vec![
            Step { role: Loop, work: Gil(p.asp_gil_us / 2.0), what: "convert arguments, create the awaitable, start the call on Tokio" },
            Step { role: Tokio, work: Wake(p.thread_wake_us), what: "a Tokio worker picks up the task" },
            Step { role: Tokio, work: Cpu(p.asp_nogil_us / 2.0), what: "encode and send in Rust (no GIL)" },
            Step { role: Tokio, work: Io(io), what: "await the server (the worker is free meanwhile)" },
            Step { role: Tokio, work: Cpu(p.asp_nogil_us / 2.0), what: "decode the reply in Rust (no GIL)" },
            Step { role: Blocking, work: Wake(p.thread_wake_us), what: "a blocking-pool thread wakes to deliver the result" },
            Step { role: Blocking, work: Gil(p.asp_gil_us / 2.0), what: "take the GIL, build the dict, call_soon_threadsafe" },
            Step { role: Loop, work: Wake(p.thread_wake_us), what: "the loop wakes on its self-pipe" },
            Step { role: Loop, work: Gil(p.loop_resume_us), what: "resume the coroutine" },
        ],
    }
}

/// The calls awaited together with `asyncio.gather`, each call's path
/// (`calls`, as one after another would run them) merged step by step: on
/// the executor and on Tokio every call has the same nine steps on the same
/// threads (hand-off, wake, work, the wait, work, deliver, wake, resume), so
/// the gathered path does each step's work for every call, and in place of
/// the waits it waits at once ([`Fan::gathered`]): on Tokio for every node
/// request and get together; through the executor each call holds a pool
/// thread for its own wait (the simulator lends one per call; the solvers
/// count every call's wait as pool time), the request waiting for the
/// slowest. `None` where the pattern does not gather (a blocking call, a def
/// endpoint, a single call), where the official client's concurrent batches
/// would need its own pool, or where the calls' paths do not line up.
fn gathered(pattern: Pattern, p: &Params, s: &Scenario, calls: &[Vec<Step>]) -> Option<Vec<Step>> {
    use Work::*;
    if !s.calls.gathered_in(pattern) {
        return None;
    }
    let first = calls.first()?;
    let wait_at = first.iter().position(|st| matches!(st.work, Io(_) | Fan(_)))?;
    if calls
        .iter()
        .any(|c| c.len() != first.len() || c.iter().zip(first).any(|(a, b)| a.role != b.role) || !matches!(c[wait_at].work, Io(_) | Fan(_)))
    {
        return None;
    }
    // The official client's concurrent batches wait on its own pool, which a gathered wait does not model: they stay one after another.
    if pattern == Pattern::Executor && calls.iter().any(|c| matches!(c[wait_at].work, Fan(f) if f.fan_out == FanOut::Parallel)) {
        return None;
    }
    let each = s.io_wait_ms * 1e3;
    let mut v: Vec<Step> = first.clone();
    for (i, st) in v.iter_mut().enumerate() {
        if i == wait_at {
            continue;
        }
        st.work = match st.work {
            Gil(_) => Gil(calls.iter().map(|c| c[i].work.us()).sum()),
            Cpu(_) => Cpu(calls.iter().map(|c| c[i].work.us()).sum()),
            w => w,
        };
    }
    let n = calls.len() as u32;
    let fan = if pattern == Pattern::Executor {
        // Each call's own wait, on average, on a thread of the pool.
        let mean = calls.iter().map(|c| c[wait_at].work.us()).sum::<f64>() / f64::from(n);
        crate::batch::Fan::gathered(mean, n, s.pool_for(pattern), p.io_jitter)
    } else {
        // Tokio sends every node request and every get at once.
        let waits: f64 = calls
            .iter()
            .map(|c| match c[wait_at].work {
                Fan(f) => f.mean_waits().round().max(1.0),
                _ => 1.0,
            })
            .sum();
        let waits = waits as u32;
        crate::batch::Fan::gathered(each, waits, waits, p.io_jitter)
    };
    v[wait_at] = Step {
        role: first[wait_at].role,
        work: Fan(fan),
        what: if pattern == Pattern::Executor {
            "asyncio.gather: each call blocks a pool thread on the server; the slowest counts"
        } else {
            "asyncio.gather: every call's requests at once; the slowest counts (the workers are free meanwhile)"
        },
    };
    for (st, what) in v.iter_mut().zip(first.iter().map(|st| st.what)) {
        if st.what == what && matches!(st.work, Gil(_) | Cpu(_)) {
            st.what = gathered_words(what);
        }
    }
    Some(v)
}

/// A step's words for every gathered call.
fn gathered_words(what: &'static str) -> &'static str {
    match what {
        "run_in_executor: wrap in a future, queue the work item" => "asyncio.gather: run_in_executor for each call",
        "convert arguments, create the awaitable, start the call on Tokio" | "convert the keys, create the awaitable, start the call on Tokio" => {
            "asyncio.gather: start each call on Tokio"
        }
        "resume the coroutine" | "resume the coroutine; the handler's first read builds each record's bins" => {
            "resume each call's future; gather returns"
        }
        w => w,
    }
}

/// One `batch_read` of `b.keys` keys over `b.nodes` nodes, with `p` the
/// machine's costs: a cost per batch, per key, per node visited and per
/// record found, GIL-held and GIL-free, as the lab measured each client
/// ([`crate::calibrate::batch_costs`]). The official client converts every
/// key's result (a `BatchRecord`, found or not) on the calling thread;
/// aerospike-py hands back a handle, and the records become Python objects
/// where the handler reads them: on the event loop.
fn batch_steps(pattern: Pattern, p: &Params, s: &Scenario, b: Batch) -> Vec<Step> {
    use Role::*;
    use Work::*;
    let keys = b.keys as f64;
    let found = keys * b.found;
    let nodes = expected_nodes(b.keys, b.nodes);
    let each = s.io_wait_ms * 1e3;
    match pattern {
        Pattern::Sync | Pattern::SyncThreads | Pattern::Threadpool | Pattern::Executor => {
            let thread = if pattern == Pattern::Executor { Worker } else { Caller };
            let fan = crate::batch::Fan::new(each, b.keys, b.nodes, b.fan_out, p.io_jitter);
            let before = p.official_batch_gil_us + p.official_batch_key_gil_us * keys;
            let after = p.official_batch_record_gil_us * found;
            let cpu = p.official_batch_cpu_us + p.official_batch_key_cpu_us * keys + p.official_batch_node_cpu_us * nodes;
            let parse = p.official_batch_record_cpu_us * found;
            let mut v = Vec::new();
            if pattern == Pattern::Executor {
                v.push(Step { role: Loop, work: Gil(p.executor_overhead_us / 3.0), what: "run_in_executor: wrap in a future, queue the work item" });
                v.push(Step { role: Worker, work: Wake(p.thread_wake_us), what: "a pool worker wakes up" });
            }
            let overhead = if pattern == Pattern::Executor { p.executor_overhead_us / 3.0 } else { 0.0 };
            v.push(Step { role: thread, work: Gil(overhead + before), what: "parse the keys and the policy into C, one BatchRecord per key" });
            v.push(Step { role: thread, work: Cpu(cpu), what: "split the keys by node, encode and send each node's request (GIL released)" });
            v.push(Step {
                role: thread,
                work: Fan(fan),
                what: match b.fan_out {
                    FanOut::Series => "wait for each node in turn",
                    FanOut::Parallel => "wait for the slowest node (the client's thread pool sends them at once)",
                },
            });
            v.push(Step { role: thread, work: Cpu(parse), what: "parse each node's records" });
            v.push(Step { role: thread, work: Gil(after + overhead), what: "re-take the GIL, build each record's key, metadata and bins" });
            if pattern == Pattern::Executor {
                v.push(Step { role: Loop, work: Wake(p.thread_wake_us), what: "the loop wakes on its self-pipe" });
                v.push(Step { role: Loop, work: Gil(p.loop_resume_us), what: "resume the coroutine" });
            }
            v
        }
        Pattern::Tokio => {
            let fan = crate::batch::Fan::new(each, b.keys, b.nodes, FanOut::Parallel, p.io_jitter);
            vec![
                Step {
                    role: Loop,
                    work: Gil(p.asp_batch_gil_us + p.asp_batch_key_gil_us * keys),
                    what: "convert the keys, create the awaitable, start the call on Tokio",
                },
                Step { role: Tokio, work: Wake(p.thread_wake_us), what: "a Tokio worker picks up the task" },
                Step {
                    role: Tokio,
                    work: Cpu(p.asp_batch_cpu_us + p.asp_batch_key_cpu_us * keys + p.asp_batch_node_cpu_us * nodes),
                    what: "split the keys by node, a task per node, encode and send (no GIL)",
                },
                Step { role: Tokio, work: Fan(fan), what: "await every node at once (the workers are free meanwhile)" },
                Step { role: Tokio, work: Cpu(p.asp_batch_record_cpu_us * found), what: "decode the records in Rust (no GIL)" },
                Step { role: Blocking, work: Wake(p.thread_wake_us), what: "a blocking-pool thread wakes to deliver the result" },
                Step { role: Blocking, work: Gil(p.asp_gil_us / 2.0), what: "take the GIL, wrap the records in a handle, call_soon_threadsafe" },
                Step { role: Loop, work: Wake(p.thread_wake_us), what: "the loop wakes on its self-pipe" },
                Step {
                    role: Loop,
                    work: Gil(p.loop_resume_us + p.asp_batch_record_gil_us * found),
                    what: "resume the coroutine; the handler's first read builds each record's bins",
                },
            ]
        }
    }
}
// ANCHOR_END: steps

/// Sum a path into the totals the solvers need, counting GIL acquisitions
/// (a GIL step that does not directly follow a GIL step on the same thread)
/// and thread hops (a step on a different thread than the one before).
pub fn totals(steps: &[Step]) -> PathTotals {
    let mut t = PathTotals::default();
    let mut prev: Option<Step> = None;
    for st in steps {
        let us = st.work.us();
        // Gathered calls through the executor hold a pool thread each for its own wait.
        let held = match st.work {
            Work::Fan(f) if f.gathered => f.mean_waits() * f.each_us,
            _ => us,
        };
        match st.work {
            Work::Gil(_) if matches!(st.role, Role::Loop | Role::Caller) => t.gil_loop_us += us,
            Work::Gil(_) => t.gil_other_us += us,
            Work::Cpu(_) => t.cpu_us += us,
            Work::Io(_) | Work::Fan(_) => {
                t.io_us += us;
                if st.role == Role::Worker {
                    t.worker_io_us += held;
                }
            }
            Work::Wake(_) => {
                t.wake_us += us;
                if matches!(st.role, Role::Loop | Role::Caller) {
                    t.wake_loop_us += us;
                }
            }
        }
        if st.role == Role::Worker {
            t.worker_held_us += held;
            if let Work::Cpu(_) = st.work {
                t.worker_cpu_us += us;
            }
        }
        if let Work::Fan(f) = st.work {
            if f.fan_out == FanOut::Parallel && !f.gathered && st.role != Role::Tokio {
                t.client_pool_us += f.mean_waits() * f.each_us;
            }
        }
        let same_thread = prev.is_some_and(|p| p.role == st.role);
        if st.work.holds_gil() && !(same_thread && prev.is_some_and(|p| p.work.holds_gil())) {
            t.gil_acquisitions += 1;
        }
        if prev.is_some() && !same_thread {
            t.thread_hops += 1;
        }
        prev = Some(*st);
    }
    t
}

/// CPU one request of `pattern` takes under `s`, µs of a whole core: its
/// GIL-held and GIL-free steps, which a fractional quota's stretched steps
/// scale back (what a pod pays for per request).
pub fn cpu_us(pattern: Pattern, p: &Params, s: &Scenario) -> f64 {
    let t = totals(&steps(pattern, p, s));
    (t.gil_us() + t.cpu_us) * s.core_speed()
}

/// Lengths of the separate GIL holds on a path (consecutive GIL steps on
/// one thread are one hold), µs.
pub fn gil_holds(steps: &[Step]) -> Vec<f64> {
    let mut holds: Vec<f64> = Vec::new();
    let mut prev: Option<Step> = None;
    for st in steps {
        if let Work::Gil(us) = st.work {
            match (prev, holds.last_mut()) {
                (Some(p), Some(last)) if p.role == st.role && p.work.holds_gil() => *last += us,
                _ => holds.push(us),
            }
        }
        prev = Some(*st);
    }
    holds
}
