//! Discrete-event simulator: threads, the GIL and its switch interval, the executor queue, the loop and Tokio workers.
//!
//! The simulator runs the same request paths as the analytic solver
//! ([`crate::pattern::steps`]) but with threads as first-class objects, so it
//! can report what means cannot: latency percentiles, queue lengths over time
//! and which thread holds or waits for the GIL at each instant.
//!
//! Rules it follows (each a simplification of CPython or Tokio, stated once):
//! * The GIL has one holder. A thread that wants it while it is held joins a
//!   FIFO of waiters. A holder releases it when its step ends and its next
//!   step does not hold the GIL (a blocking call, or going idle); the first
//!   waiter takes it.
//! * Switch interval: when a thread has held the GIL for
//!   `gil_switch_interval_ms` while others wait, the first waiter forces it
//!   to drop the GIL mid-step; the holder rejoins the back of the queue with
//!   the rest of its step. Only long holders (CPU-bound threads, long
//!   application work) are ever forced.
//! * The event loop runs the callbacks that were ready when an iteration
//!   started, keeping the GIL between them, then releases it (the
//!   `select()` call) before the next iteration.
//! * A thread that finishes its part of a request and finds more queued
//!   work keeps the GIL if that work starts by holding it.
//! * Handing a request to an idle thread costs a wake-up (`thread_wake_us`)
//!   before that thread runs; a busy thread picks it up from its queue.
//! * Non-GIL CPU runs on `cores` servers, first come first served. The GIL
//!   holder runs on a core too: it takes a free one, or holds the GIL and
//!   waits for the next core to come free (ahead of queued GIL-free work);
//!   when the GIL passes to a waiting thread, the core goes with it.
//! * Executor workers are created lazily, up to the pool size, as CPython's
//!   ThreadPoolExecutor does; a worker is held from the first to the last
//!   step of its part, I/O included. Tokio workers are not held during I/O.
//!
//! * Open load (the scenario's `arrival_rate`): requests arrive at
//!   exponentially distributed intervals whatever is in progress; the first
//!   `warmup` arrivals are not measured, the next `requests` are, and
//!   arrivals go on until those are done (at most `requests` more), so the
//!   last measured ones see the same load as the first.
//!   Bursty arrivals (the scenario's `burstiness`, c² > 1) draw each gap from
//!   a two-phase hyperexponential with balanced means: short gaps in runs,
//!   then long ones, the same mean rate, the gaps' variance c² times the mean².
//! * Timeouts (open load, the scenario's `timeout_ms`): the caller stops
//!   waiting at the deadline. What happens to the request depends on who has
//!   it. A blocking call (sync) cannot be abandoned: it runs to the end and
//!   its answer is late. Executor: a work item still in the queue is
//!   cancelled (asyncio cancels the `concurrent.futures` future, which a
//!   worker then skips), but a worker that has started it keeps blocking
//!   until the I/O returns. Tokio: the Rust future is dropped
//!   (pyo3-async-runtimes' `future_into_py` drops it when the Python future
//!   is cancelled), so the request goes no further once it is between
//!   threads. A late request is dropped at its next hand-off from one thread
//!   to another; the loop's own cost of raising `TimeoutError` is not modelled.
//!
//! Every random draw comes from one `fastrand::Rng` seeded by the caller.
//!
//! ## Work is bounded by requests, not by simulated time
//!
//! While the GIL is passed round-robin among threads whose steps outlast
//! their turn (CPU-bound background threads, long loop work) and nothing
//! else happens, every turn is one switch interval, in queue order, so the
//! simulator skips such hand-offs many at once ([`Sim::skip_handoffs`]):
//! time, each thread's remaining work, the GIL accounting and the waits
//! move on as the skipped turns would have moved them, which changes no
//! result (a test holds it to hand-off-by-hand-off simulation).
//! A 10 s I/O wait beside 16 background threads then costs a few events,
//! not 2,000 hand-offs. What is left is work per request: every event is a
//! request's step, or a hand-off that a request's step caused, so a run's
//! events stay within [`Sim::event_budget`], which the run enforces (a run
//! past it ends with an error, never with a silently short result).

mod budget;
mod draw;
mod flow;
mod follow;
mod gil;
mod handoff;
mod measure;
mod open;
mod queue;
mod run;
mod state;

use serde::{Deserialize, Serialize};

use crate::pattern::{self, Pattern, Step};
use crate::{ModelError, Params, Scenario};
use state::Sim;

/// How step durations are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceDist {
    /// CPU steps take exactly their mean; I/O follows `io_jitter`.
    Measured,
    /// Every step (CPU and I/O) is exponential with its mean: the
    /// assumptions under which exact MVA is exact, for validation.
    Exponential,
}

/// What to simulate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SimConfig {
    pub seed: u64,
    /// Completed requests measured after warm-up (open load: arrivals measured).
    pub requests: u64,
    /// Completed requests discarded first (open load: arrivals not measured).
    pub warmup: u64,
    pub dist: ServiceDist,
    /// Length of the recorded thread-state trace, ms (0 records none).
    pub trace_ms: f64,
    /// Fire `concurrency` requests at once and stop when all are done,
    /// instead of a closed loop (set `warmup` 0 and `requests` = concurrency).
    #[serde(default)]
    pub burst: bool,
    /// Record the journey of one request (the first issued once measuring
    /// starts): which thread had it and what it was doing, step by step.
    #[serde(default)]
    pub follow: bool,
    /// Simulate every GIL hand-off one by one instead of skipping the
    /// forced hand-offs among long holders: the results are the same (tests
    /// compare them), only slower. Also lifts the event budget.
    #[serde(default)]
    pub every_handoff: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 1,
            requests: 20_000,
            warmup: 2_000,
            dist: ServiceDist::Measured,
            trace_ms: 0.0,
            burst: false,
            follow: false,
            every_handoff: false,
        }
    }
}

/// What a thread is doing during a traced interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ThreadState {
    /// Running with the GIL.
    Held,
    /// Blocked waiting for the GIL.
    Waiting,
    /// Running (or waiting for a core) without the GIL.
    Cpu,
    /// Blocked on I/O.
    Io,
    /// Waiting to be woken up.
    Waking,
}

/// Which kind of thread a lane belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Lane {
    Caller,
    Loop,
    Worker,
    Tokio,
    /// A thread of Tokio's blocking pool: it hands a result back to Python, and waits for the GIL to do it.
    Blocking,
    Background,
}

/// One interval of one thread's state.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    pub thread: u32,
    pub state: ThreadState,
    /// ms from the start of the trace window.
    pub start_ms: f64,
    pub end_ms: f64,
}

/// Where a followed request is during one leg of its journey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LegState {
    /// Waiting in a queue for a thread of the step's role (the blocked
    /// caller, the executor's work queue, the loop's ready queue, Tokio's run queue).
    Queued,
    /// A thread is being woken up for it.
    Waking,
    /// Its thread waits for the GIL.
    WaitingGil,
    /// Its thread runs it holding the GIL.
    HoldsGil,
    /// Its thread waits for a free core (GIL released).
    WaitingCore,
    /// Its thread runs it without the GIL.
    Cpu,
    /// Its thread is blocked on the network.
    Io,
    /// Waiting for the network with no thread attached (Tokio: the worker went on to other tasks).
    AsyncIo,
}

impl LegState {
    /// Whether a thread is attached to the request in this state.
    pub fn on_thread(self) -> bool {
        !matches!(self, LegState::Queued | LegState::AsyncIo)
    }
}

/// One leg of a followed request's journey.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Leg {
    /// The thread that had the request (an index into `SimResult::lanes`), if any.
    pub thread: Option<u32>,
    pub state: LegState,
    /// Index of the path step (`pattern::steps`) the request was at.
    pub step: usize,
    /// ms since the request was issued.
    pub start_ms: f64,
    pub end_ms: f64,
}

/// The followed request's whole journey.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Journey {
    pub legs: Vec<Leg>,
    /// False if the simulation ended before the request completed.
    pub complete: bool,
}

/// What the simulator measured.
#[derive(Debug, Clone, Serialize)]
pub struct SimResult {
    pub pattern: Pattern,
    pub concurrency: u32,
    pub completed: u64,
    /// Requests per second over the measured window.
    pub throughput: f64,
    pub latency_ms: Percentiles,
    /// Share of the window the GIL was held by request work (0–1).
    pub gil_utilization: f64,
    /// Share of the window the GIL was held by background threads (0–1).
    pub gil_background: f64,
    /// Mean time a request waited for the GIL, ms.
    pub gil_wait_ms: f64,
    /// Time-averaged requests past the queue (running, in I/O, holding a worker).
    pub in_flight: f64,
    /// Time-averaged requests waiting in a queue before they could start.
    pub queued: f64,
    /// OS threads the pattern used (loop, workers created, Tokio workers, callers, background).
    pub threads: u32,
    /// Lane of each thread, indexed by `Segment::thread`.
    pub lanes: Vec<Lane>,
    /// Thread states over the trace window.
    pub trace: Vec<Segment>,
    /// Simulated time covered by the measurement, ms.
    pub window_ms: f64,
    /// Burst mode only: for each request, when a thread started it and when
    /// it completed, ms from the burst.
    pub burst: Vec<(f64, f64)>,
    /// With `follow`: one request's journey.
    pub journey: Journey,
    /// Events the run processed (its work), and forced GIL hand-offs it
    /// skipped over (computed at once instead of one event each).
    pub events: u64,
    pub skipped_handoffs: u64,
    /// Open load only: what happened to the measured arrivals.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open: Option<OpenRun>,
}

/// What an open-load run measured over its window (from the first measured
/// arrival to the last).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OpenRun {
    /// Arrivals per second over the window (the scenario's rate, drawn).
    /// The run's `throughput` counts answers only, never dropped requests.
    pub arrival_rate: f64,
    /// Requests in the process at the window's end less at its start, per second of window.
    pub backlog_growth_per_s: f64,
    /// Requests in the process at the window's end.
    pub backlog_end: u64,
    /// Measured requests answered within the timeout, per second of window (with a timeout).
    pub goodput: Option<f64>,
    /// Share of measured requests not answered within the timeout (with a timeout).
    pub timed_out: Option<f64>,
    /// Share of measured requests whose work was dropped before it finished.
    pub abandoned: Option<f64>,
}

/// Latency summary, ms.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Percentiles {
    pub mean: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
}

/// Hard limits that keep a browser tab responsive whatever the inputs.
pub(crate) const MAX_REQUESTS: u64 = 2_000_000;
pub(crate) const MAX_TRACE_SEGMENTS: usize = 50_000;

/// Simulate `pattern` under `scenario`. Validates its inputs first.
pub fn simulate(pattern: Pattern, p: &Params, s: &Scenario, cfg: &SimConfig) -> Result<SimResult, ModelError> {
    p.validate()?;
    s.validate()?;
    if cfg.requests == 0 || cfg.requests > MAX_REQUESTS {
        return Err(ModelError::OutOfRange { name: "requests", value: cfg.requests as f64, min: 1.0, max: MAX_REQUESTS as f64, unit: "requests" });
    }
    let sim = run_path(pattern, pattern::steps(pattern, p, s), p, s, cfg);
    if sim.over_budget {
        return Err(ModelError::OverBudget { budget: sim.event_budget(), requests: sim.issued_bound() });
    }
    Ok(sim.result(pattern, s))
}

/// Simulate an arbitrary request path under the threading rules of
/// `pattern` (which threads exist, how many callers run at once). The
/// theory tests use it to build networks whose exact solution is known.
/// Inputs are not validated here, nor is the event budget; [`simulate`] does both.
pub fn simulate_path(pattern: Pattern, steps: Vec<Step>, p: &Params, s: &Scenario, cfg: &SimConfig) -> SimResult {
    run_path(pattern, steps, p, s, cfg).result(pattern, s)
}

fn run_path<'a>(pattern: Pattern, steps: Vec<Step>, p: &'a Params, s: &Scenario, cfg: &SimConfig) -> Sim<'a> {
    let mut sim = Sim::new(pattern, steps, p, s, cfg);
    sim.run();
    sim
}
