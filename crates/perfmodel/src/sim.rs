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

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use crate::pattern::{self, Pattern, Role, Step, Work};
use crate::{ModelError, Params, Scenario};

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
        SimConfig { seed: 1, requests: 20_000, warmup: 2_000, dist: ServiceDist::Measured, trace_ms: 0.0, burst: false, follow: false, every_handoff: false }
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
pub const MAX_REQUESTS: u64 = 2_000_000;
pub const MAX_TRACE_SEGMENTS: usize = 50_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ev {
    /// A thread's current timed activity (GIL step, CPU step, blocking I/O, wake-up) ends.
    ThreadDone { thread: u32, gen: u32 },
    /// Asynchronous I/O of a request ends (Tokio).
    IoDone { req: u32 },
    /// A waiter's switch interval expired.
    DropRequest { waiter: u32, switches: u64 },
    /// A request arrives (open load).
    Arrive,
}

#[derive(Debug, Clone, Copy)]
struct Event {
    t: f64,
    seq: u64,
    ev: Ev,
}
impl PartialEq for Event {
    fn eq(&self, o: &Self) -> bool {
        self.t == o.t && self.seq == o.seq
    }
}
impl Eq for Event {}
impl PartialOrd for Event {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Event {
    fn cmp(&self, o: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap, we want the earliest event.
        o.t.total_cmp(&self.t).then(o.seq.cmp(&self.seq))
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Activity {
    Idle,
    /// Woken, about to start `req`.
    Waking,
    WantGil,
    Gil { end: f64 },
    WantCore,
    Cpu,
    Io,
}

#[derive(Debug, Clone)]
struct Thread {
    role: Option<Role>,
    act: Activity,
    gen: u32,
    req: Option<u32>,
    /// Remaining µs of the current step (for a forced GIL drop).
    remaining: f64,
    holds_gil: bool,
    /// Loop only: callbacks left in the current iteration.
    batch_left: usize,
    /// When the current traced state began.
    since: f64,
    state: Option<ThreadState>,
    wait_since: f64,
}

#[derive(Debug, Clone, Copy)]
struct Req {
    issued: f64,
    step: usize,
    /// When a thread other than the loop first took it (it left the caller
    /// or executor queue, or reached a Tokio worker).
    started: f64,
    /// Open load: whether this arrival is one of the measured ones.
    measured: bool,
}

/// A set of interchangeable threads serving one role.
#[derive(Debug, Default)]
struct Pool {
    threads: Vec<u32>,
    idle: Vec<u32>,
    queue: VecDeque<u32>,
    max: usize,
}

struct Sim<'a> {
    steps: Vec<Step>,
    cfg: SimConfig,
    p: &'a Params,
    io_us: f64,
    rng: fastrand::Rng,
    now: f64,
    seq: u64,
    /// Step ends of threads not holding the GIL, and asynchronous I/O ends.
    heap: BinaryHeap<Event>,
    /// Switch-interval requests of GIL waiters.
    drops: BinaryHeap<Event>,
    /// The end of the GIL holder's current step (one holder, one slot): kept
    /// apart so a forced switch removes it instead of leaving it stale.
    gil_end: Option<Event>,
    events: u64,
    skipped_handoffs: u64,
    over_budget: bool,
    /// The hold (by hand-off count) a switch request is pending against.
    drop_for: Option<u64>,
    threads: Vec<Thread>,
    lanes: Vec<Lane>,
    reqs: Vec<Req>,
    pools: [Pool; 5],
    gil: Option<u32>,
    gil_waiters: VecDeque<u32>,
    gil_switches: u64,
    /// When the current holder took the GIL.
    gil_taken_at: f64,
    cores_free: u32,
    core_queue: VecDeque<u32>,
    /// The GIL holder runs on a core: it has one (`gil_core`), or it holds
    /// the GIL but waits for a core to come free (`gil_stalled`).
    gil_core: bool,
    gil_stalled: bool,
    // measurement
    completed: u64,
    measuring: bool,
    t_start: f64,
    hist: Histogram<u64>,
    lat_sum: f64,
    gil_busy_req: f64,
    gil_busy_bg: f64,
    gil_since: f64,
    gil_wait_sum: f64,
    queued_area: f64,
    queued_since: f64,
    trace: Vec<Segment>,
    trace_end: f64,
    burst_log: Vec<(f64, f64)>,
    follow: Follow,
    open: Option<Open>,
}

/// Bookkeeping of an open load.
#[derive(Debug, Default)]
struct Open {
    /// Mean time between arrivals, µs.
    gap_us: f64,
    /// Bursty arrivals: a two-phase hyperexponential with balanced means,
    /// (probability of the short phase, its mean, the long phase's mean), µs.
    bursts: Option<(f64, f64, f64)>,
    /// Timeout, µs, and whether the pattern can abandon a late request.
    deadline_us: Option<f64>,
    cancels: bool,
    arrived: u64,
    /// Request slots free for reuse.
    free: Vec<u32>,
    in_system: u64,
    backlog_start: u64,
    backlog_end: u64,
    /// Measured arrivals not yet answered or abandoned.
    measured_left: u64,
    window_end: f64,
    window_done: u64,
    window_closed: bool,
    good: u64,
    late: u64,
    abandoned: u64,
}

/// Bookkeeping for the followed request.
#[derive(Debug, Default)]
struct Follow {
    /// The followed request, once chosen, until it completes.
    req: Option<u32>,
    /// The thread that has it now.
    thread: Option<u32>,
    issued: f64,
    journey: Journey,
}

fn role_index(r: Role) -> usize {
    match r {
        Role::Caller => 0,
        Role::Loop => 1,
        Role::Worker => 2,
        Role::Tokio => 3,
        Role::Blocking => 4,
    }
}

fn lane_of(r: Role) -> Lane {
    match r {
        Role::Caller => Lane::Caller,
        Role::Loop => Lane::Loop,
        Role::Worker => Lane::Worker,
        Role::Tokio | Role::Blocking => Lane::Tokio,
    }
}

/// Simulate `pattern` under `scenario`. Validates its inputs first.
pub fn simulate(pattern: Pattern, p: &Params, s: &Scenario, cfg: &SimConfig) -> Result<SimResult, ModelError> {
    p.validate()?;
    s.validate()?;
    if cfg.requests == 0 || cfg.requests > MAX_REQUESTS {
        return Err(ModelError::OutOfRange {
            name: "requests",
            value: cfg.requests as f64,
            min: 1.0,
            max: MAX_REQUESTS as f64,
            unit: "requests",
        });
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

impl<'a> Sim<'a> {
    fn new(pattern: Pattern, steps: Vec<Step>, p: &'a Params, s: &Scenario, cfg: &SimConfig) -> Sim<'a> {
        let s = &s.for_solver(pattern);
        let open = s.arrival_rate.map(|rate| Open {
            gap_us: 1e6 / rate,
            bursts: (s.arrival_scv() > 1.0).then(|| {
                // Balanced means: each phase carries half the mean; the
                // squared coefficient of variation is then exactly c².
                let c2 = s.arrival_scv();
                let p = 0.5 * (1.0 + ((c2 - 1.0) / (c2 + 1.0)).sqrt());
                let m = 1e6 / rate;
                (p, m / (2.0 * p), m / (2.0 * (1.0 - p)))
            }),
            deadline_us: s.timeout_ms.map(|t| t * 1e3),
            cancels: matches!(pattern, Pattern::Executor | Pattern::Tokio),
            measured_left: cfg.requests,
            ..Open::default()
        });
        let cfg = &SimConfig { follow: cfg.follow && open.is_none(), ..*cfg };
        let n = if open.is_some() { 0 } else { s.concurrency };
        let mut pools: [Pool; 5] = Default::default();
        // Sync + threads runs `concurrency` calling threads, under either load.
        pools[role_index(Role::Caller)].max = if pattern == Pattern::SyncThreads { s.concurrency as usize } else { 1 };
        pools[role_index(Role::Loop)].max = 1;
        pools[role_index(Role::Worker)].max = s.pool_size() as usize;
        pools[role_index(Role::Tokio)].max = s.tokio_worker_count() as usize;
        pools[role_index(Role::Blocking)].max = p.tokio_max_blocking.round() as usize;
        let mut sim = Sim {
            steps,
            cfg: *cfg,
            p,
            io_us: s.io_wait_ms * 1e3,
            rng: fastrand::Rng::with_seed(cfg.seed),
            now: 0.0,
            seq: 0,
            heap: BinaryHeap::with_capacity(n as usize + 64),
            drops: BinaryHeap::new(),
            gil_end: None,
            events: 0,
            skipped_handoffs: 0,
            over_budget: false,
            drop_for: None,
            threads: Vec::new(),
            lanes: Vec::new(),
            reqs: vec![Req { issued: 0.0, step: 0, started: f64::NAN, measured: false }; n as usize],
            pools,
            gil: None,
            gil_waiters: VecDeque::new(),
            gil_switches: 0,
            gil_taken_at: 0.0,
            cores_free: s.cores,
            core_queue: VecDeque::new(),
            gil_core: false,
            gil_stalled: false,
            completed: 0,
            measuring: false,
            t_start: 0.0,
            hist: Histogram::new(3).expect("3 significant figures is a valid histogram precision"),
            lat_sum: 0.0,
            gil_busy_req: 0.0,
            gil_busy_bg: 0.0,
            gil_since: 0.0,
            gil_wait_sum: 0.0,
            queued_area: 0.0,
            queued_since: 0.0,
            trace: Vec::new(),
            trace_end: 0.0,
            burst_log: Vec::new(),
            follow: Follow::default(),
            open,
        };
        // Threads that exist from the start: loop, callers (sync + threads
        // creates them up front), Tokio workers, background threads.
        if pattern == Pattern::Tokio {
            for _ in 0..s.tokio_worker_count() {
                sim.spawn(Some(Role::Tokio));
            }
        }
        if matches!(pattern, Pattern::Executor | Pattern::Tokio) {
            sim.spawn(Some(Role::Loop));
        }
        for _ in 0..s.background_threads {
            let t = sim.spawn(None);
            sim.threads[t as usize].remaining = f64::INFINITY;
            sim.want_gil(t);
        }
        // Every caller issues its first request at time zero; an open load
        // starts with its first arrival.
        for r in 0..n {
            sim.issue(r);
        }
        if sim.open.is_some() {
            let at = sim.gap();
            sim.push(at, Ev::Arrive);
        }
        sim
    }

    fn spawn(&mut self, role: Option<Role>) -> u32 {
        let id = self.threads.len() as u32;
        self.threads.push(Thread {
            role,
            act: Activity::Idle,
            gen: 0,
            req: None,
            remaining: 0.0,
            holds_gil: false,
            batch_left: 0,
            since: self.now,
            state: None,
            wait_since: 0.0,
        });
        self.lanes.push(role.map(lane_of).unwrap_or(Lane::Background));
        if let Some(r) = role {
            let pool = &mut self.pools[role_index(r)];
            pool.threads.push(id);
            pool.idle.push(id);
        }
        id
    }

    fn push(&mut self, t: f64, ev: Ev) {
        self.seq += 1;
        let e = Event { t, seq: self.seq, ev };
        match ev {
            Ev::DropRequest { .. } => self.drops.push(e),
            _ => self.heap.push(e),
        }
    }

    /// The earliest pending event of the three queues (ties in push order).
    fn pop_next(&mut self) -> Option<Event> {
        let h = self.heap.peek().copied();
        let d = self.drops.peek().copied();
        // `Event`'s order is reversed: the greater is the earlier.
        let best = [h, d, self.gil_end].into_iter().flatten().max()?;
        if Some(best) == self.gil_end {
            self.gil_end = None;
        } else if Some(best) == h {
            self.heap.pop();
        } else {
            self.drops.pop();
        }
        Some(best)
    }

    fn draw_cpu(&mut self, mean: f64) -> f64 {
        match self.cfg.dist {
            ServiceDist::Measured => mean,
            ServiceDist::Exponential => self.exp(mean),
        }
    }

    fn exp(&mut self, mean: f64) -> f64 {
        if mean <= 0.0 {
            return 0.0;
        }
        // 1 - u is in (0, 1], so ln never sees zero.
        -mean * (1.0 - self.rng.f64()).ln()
    }

    fn draw_io(&mut self) -> f64 {
        let w = self.io_us;
        match self.cfg.dist {
            ServiceDist::Exponential => self.exp(w),
            ServiceDist::Measured => {
                let j = self.p.io_jitter;
                w * (1.0 - j) + self.exp(w * j)
            }
        }
    }

    // ---- tracing and accounting ------------------------------------------

    fn set_state(&mut self, t: u32, st: Option<ThreadState>) {
        let now = self.now;
        let th = &mut self.threads[t as usize];
        if th.state == st {
            return;
        }
        if let Some(old) = th.state {
            if self.measuring && th.since < self.trace_end && now > self.t_start && self.trace.len() < MAX_TRACE_SEGMENTS {
                let a = th.since.max(self.t_start);
                let b = now.min(self.trace_end);
                if b > a {
                    self.trace.push(Segment {
                        thread: t,
                        state: old,
                        start_ms: (a - self.t_start) / 1e3,
                        end_ms: (b - self.t_start) / 1e3,
                    });
                }
            }
        }
        th.state = st;
        th.since = now;
    }

    fn account_gil(&mut self) {
        if let Some(h) = self.gil {
            if self.measuring {
                let dt = self.now - self.gil_since.max(self.t_start);
                if dt > 0.0 {
                    if self.threads[h as usize].role.is_some() {
                        self.gil_busy_req += dt;
                    } else {
                        self.gil_busy_bg += dt;
                    }
                }
            }
        }
        self.gil_since = self.now;
    }

    /// Requests waiting for a thread before they can start: behind the
    /// blocked caller thread (sync) or in the executor's work queue. The
    /// loop's and Tokio's run queues are not counted: work there is running.
    fn queued_now(&self) -> usize {
        self.pools[role_index(Role::Caller)].queue.len() + self.pools[role_index(Role::Worker)].queue.len()
    }

    fn account_queue(&mut self) {
        if self.measuring {
            let dt = self.now - self.queued_since.max(self.t_start);
            if dt > 0.0 {
                self.queued_area += dt * self.queued_now() as f64;
            }
        }
        self.queued_since = self.now;
    }

    // ---- the GIL ----------------------------------------------------------

    fn want_gil(&mut self, t: u32) {
        if self.threads[t as usize].holds_gil {
            self.run_gil(t);
            return;
        }
        if self.gil.is_none() && self.gil_waiters.is_empty() {
            self.take_gil(t);
            self.run_gil_on_core(t);
        } else {
            let th = &mut self.threads[t as usize];
            th.act = Activity::WantGil;
            th.wait_since = self.now;
            self.gil_waiters.push_back(t);
            self.set_state(t, Some(ThreadState::Waiting));
            // Only a hold longer than the switch interval can be forced to
            // end; short holds end by themselves first, so they schedule
            // nothing (this keeps the event queue small at high load).
            if let Some(h) = self.gil {
                if let Activity::Gil { end } = self.threads[h as usize].act {
                    let at = (self.gil_taken_at + self.switch_us()).max(self.now);
                    if end > at {
                        self.request_drop(at, t);
                    }
                }
            }
        }
    }

    /// Requests a run can issue: the warm-up, the measured ones and the N
    /// still in flight when it stops (a burst issues N and no more).
    fn issued_bound(&self) -> u64 {
        let n = self.reqs.len() as u64;
        if self.open.is_some() {
            // Arrivals go on until the measured ones are done, `requests` more at most.
            return self.cfg.warmup + 2 * self.cfg.requests;
        }
        if self.cfg.burst {
            n
        } else {
            self.cfg.warmup + self.cfg.requests + n
        }
    }

    /// The most events a run may process; `run` stops there and
    /// [`simulate`] reports an error instead of a result.
    ///
    /// Why it holds. A *request event* is the end of one step of a
    /// request's path (a GIL, CPU, I/O or wake-up step): at most one per
    /// step, so at most `issued × steps`. Every other event is a switch
    /// request, pushed when a thread starts to wait for the GIL behind a
    /// long hold or when a forced hand-off gives the GIL to a thread with
    /// waiters behind it; each is popped once at most. Between two request
    /// events at most three hand-offs are forced one by one: the first one
    /// skips ([`Sim::skip_handoffs`]) every hand-off up to the turn that
    /// ends a step or up to the next pending event, after which at most two
    /// more pass. So events ≤ 10 per request event, plus the hand-offs of
    /// the stretches that skip nothing: the trace window (one per switch
    /// interval) and the followed request's turns (its GIL work in switch
    /// intervals, each behind every long holder: background threads and
    /// roles whose GIL steps can outlast the interval).
    pub(crate) fn event_budget(&self) -> u64 {
        if self.cfg.every_handoff {
            return u64::MAX;
        }
        let s = self.switch_us();
        // An open load adds one arrival event per request.
        let per_request = self.steps.len() as u64 + u64::from(self.open.is_some());
        let request_events = self.issued_bound().saturating_mul(per_request);
        let threads = (self.reqs.len() + self.pools.iter().map(|p| p.max).sum::<usize>() + self.threads.len()) as u64;
        let trace = 2 * ((self.cfg.trace_ms * 1e3 / s).ceil() as u64 + 1);
        let follow = if self.cfg.follow {
            let may_outlast = |us: f64| self.cfg.dist == ServiceDist::Exponential || us > s;
            let mut long = self.threads.iter().filter(|t| t.role.is_none()).count() as u64;
            for role in [Role::Caller, Role::Loop, Role::Worker, Role::Tokio, Role::Blocking] {
                if self.steps.iter().any(|st| st.role == role && matches!(st.work, Work::Gil(us) if may_outlast(us))) {
                    long += self.pools[role_index(role)].max as u64;
                }
            }
            let gil_work: f64 = self.steps.iter().map(|st| if let Work::Gil(us) = st.work { us } else { 0.0 }).sum();
            3 * (long + 1) * ((gil_work / s).ceil() as u64 + self.steps.len() as u64)
        } else {
            0
        };
        request_events.saturating_mul(10).saturating_add(8 * threads).saturating_add(trace).saturating_add(follow)
    }

    fn switch_us(&self) -> f64 {
        self.p.gil_switch_interval_ms * 1e3
    }

    fn take_gil(&mut self, t: u32) {
        self.account_gil();
        self.gil_taken_at = self.now;
        self.gil = Some(t);
        self.gil_switches += 1;
        self.threads[t as usize].holds_gil = true;
    }

    fn release_gil(&mut self, t: u32) {
        if !self.threads[t as usize].holds_gil {
            return;
        }
        self.account_gil();
        self.threads[t as usize].holds_gil = false;
        self.gil = None;
        if let Some(next) = self.gil_waiters.pop_front() {
            // The GIL passes on with the core it runs on.
            let waited = self.now - self.threads[next as usize].wait_since;
            if self.measuring && self.threads[next as usize].role.is_some() {
                self.gil_wait_sum += waited;
            }
            self.take_gil(next);
            self.run_gil_on_core(next);
        } else if self.gil_core {
            self.gil_core = false;
            self.free_core();
        }
    }

    /// Start the new holder's hold on a core: the one the GIL came with, a
    /// free one, or (every core busy with GIL-free work) it holds the GIL and
    /// waits for one. A CPU-bound background thread never waits and keeps no
    /// core: it can be preempted at any moment, as the OS time-slices it,
    /// and its work has no end for a core to wait for.
    fn run_gil_on_core(&mut self, t: u32) {
        if self.threads[t as usize].role.is_none() {
            if self.gil_core {
                self.gil_core = false;
                self.free_core();
            }
            self.run_gil(t);
        } else if self.gil_core {
            self.run_gil(t);
        } else if self.cores_free > 0 {
            self.cores_free -= 1;
            self.gil_core = true;
            self.run_gil(t);
        } else {
            self.gil_stalled = true;
            let th = &mut self.threads[t as usize];
            th.act = Activity::WantCore;
            th.gen = th.gen.wrapping_add(1);
            self.set_state(t, Some(ThreadState::Waiting));
        }
    }

    /// A core comes free: the GIL holder waiting for one takes it first,
    /// then the GIL-free work queued for one.
    fn free_core(&mut self) {
        if self.gil_stalled {
            self.gil_stalled = false;
            self.gil_core = true;
            let h = self.gil.expect("a stalled GIL holder holds the GIL");
            self.gil_taken_at = self.now;
            self.run_gil(h);
        } else if let Some(next) = self.core_queue.pop_front() {
            self.run_cpu(next);
        } else {
            self.cores_free += 1;
        }
    }

    /// Run the current GIL step of a thread that holds the GIL.
    fn run_gil(&mut self, t: u32) {
        let now = self.now;
        let th = &mut self.threads[t as usize];
        th.gen = th.gen.wrapping_add(1);
        let end = now + th.remaining;
        th.act = Activity::Gil { end };
        let gen = th.gen;
        self.set_state(t, Some(ThreadState::Held));
        self.seq += 1;
        self.gil_end = end.is_finite().then_some(Event { t: end, seq: self.seq, ev: Ev::ThreadDone { thread: t, gen } });
        // A long hold with threads already waiting: the first of them will
        // ask for the GIL one switch interval after this hold began.
        let at = self.gil_taken_at + self.switch_us();
        if end > at {
            if let Some(&waiter) = self.gil_waiters.front() {
                self.request_drop(at.max(now), waiter);
            }
        }
    }

    /// Schedule `waiter`'s switch-interval request against the current
    /// hold, unless one is already pending for it: the first to fire forces
    /// the switch and any later one for the same hold would be stale.
    fn request_drop(&mut self, at: f64, waiter: u32) {
        let switches = self.gil_switches;
        if self.drop_for != Some(switches) {
            self.drop_for = Some(switches);
            self.push(at, Ev::DropRequest { waiter, switches });
        }
    }

    fn drop_request(&mut self, waiter: u32, switches: u64) {
        if self.threads[waiter as usize].act != Activity::WantGil {
            return;
        }
        if switches != self.gil_switches {
            // The GIL changed hands meanwhile; if the new hold is long, it
            // scheduled its own request when it began.
            return;
        }
        let Some(h) = self.gil else { return };
        if !matches!(self.threads[h as usize].act, Activity::Gil { .. }) {
            return;
        }
        if !self.cfg.every_handoff {
            self.skip_handoffs(h);
        }
        // Forced switch: the holder (perhaps another one after a skip)
        // stops mid-step and queues again.
        let Some(h) = self.gil else { return };
        let th = &mut self.threads[h as usize];
        let Activity::Gil { end } = th.act else { return };
        th.remaining = (end - self.now).max(0.0);
        th.gen = th.gen.wrapping_add(1);
        self.gil_end = None;
        self.release_gil(h);
        self.want_gil(h);
    }

    /// At a forced switch of `holder`: skip the forced hand-offs that
    /// follow, one switch interval each, before anything else happens.
    ///
    /// The cycle `c` is the holder (`c₀`) and the GIL waiters in queue order
    /// (`c₁ … c₍ₖ₋₁₎`). After this switch, turn `i = 1, 2, …` goes to
    /// `c₍ᵢ mod k₎`, starts at `T + (i−1)·S` and is forced out at `T + i·S`
    /// as long as its thread's remaining work at the turn's start exceeds
    /// `S`. A thread with remaining work `r` has `⌈r/S⌉ − 1` forced turns;
    /// the first turn that is not forced ends a step (a request event), and
    /// the next pending event bounds the skip too. So `q` hand-offs can be
    /// skipped at once, `q` the smaller of (the first unforced turn − 1) and
    /// (the last turn that ends before the next event): the state jumps to
    /// `T + q·S`, where `c₍q mod k₎` is the holder about to be forced, each
    /// thread's remaining work is less its turns × `S`, the GIL counts `S`
    /// per turn as held (by a request or a background thread) and each
    /// request thread's waits are added as its turns would have added them.
    /// Nothing is skipped while the trace window is open or while the
    /// followed request's thread is in the cycle, whose records need every
    /// hand-off.
    fn skip_handoffs(&mut self, holder: u32) {
        if self.measuring && self.now < self.trace_end {
            return;
        }
        let Activity::Gil { end } = self.threads[holder as usize].act else { return };
        if let Some(f) = self.follow.thread {
            if f == holder || self.threads[f as usize].act == Activity::WantGil {
                return;
            }
        }
        let (t0, s) = (self.now, self.switch_us());
        let k = self.gil_waiters.len() + 1;
        // c_j, and its remaining work at the start of its next turn.
        let at = |sim: &Self, j: usize| if j == 0 { holder } else { sim.gil_waiters[j - 1] };
        let rem = |sim: &Self, j: usize| if j == 0 { end - t0 } else { sim.threads[at(sim, j) as usize].remaining };
        // The first turn that is not forced: c_j's comes no earlier than
        // turn j, so the scan stops at the best found so far.
        // (Infinite work, a background thread's, is never unforced: no division.)
        let forced = |r: f64| if r.is_infinite() { r } else { (r / s).ceil() - 1.0 };
        let mut first_unforced = (forced(rem(self, 0)) + 1.0) * k as f64;
        let mut j = 1;
        while j < k && (j as f64) < first_unforced {
            first_unforced = first_unforced.min(j as f64 + forced(rem(self, j)) * k as f64);
            j += 1;
        }
        // The heap's top is the next thing that happens: its step ends are
        // never stale (the one end a forced switch cancels, the holder's,
        // lives in `gil_end`). Nothing pending: the cycle runs until its own
        // work ends.
        let next = self.heap.peek().map_or(f64::INFINITY, |e| e.t);
        let by_time = ((next - t0) / s).ceil() - 1.0;
        let q = (first_unforced - 1.0).min(by_time);
        if !(q >= 2.0 && q.is_finite()) {
            return;
        }
        let (q, k64) = (q as u64, k as u64);
        // Turns of c_j among turns 1..=q; only c_0 … c_min(q, k-1) have any.
        let turns = |j: u64| if j == 0 { q / k64 } else if q >= j { (q - j) / k64 + 1 } else { 0 };
        let a = (q % k64) as usize;
        let t1 = t0 + q as f64 * s;
        self.account_gil();
        let involved = (q.min(k64 - 1) + 1) as usize;
        // (thread, its turns, its remaining work before them)
        let changed: Vec<(u32, u64, f64)> = (0..involved).map(|j| (at(self, j), turns(j as u64), rem(self, j))).collect();
        for (j, &(t, n, r)) in changed.iter().enumerate() {
            let j64 = j as u64;
            if self.measuring && n > 0 {
                if self.threads[t as usize].role.is_some() {
                    self.gil_busy_req += n as f64 * s;
                    // The first take waited since it queued (c₀: since t0), the others a round each.
                    let (queued, first_take) = if j == 0 {
                        (t0, t0 + (k64 - 1) as f64 * s)
                    } else {
                        (self.threads[t as usize].wait_since, t0 + (j64 - 1) as f64 * s)
                    };
                    self.gil_wait_sum += first_take - queued + (n - 1) as f64 * (k64 - 1) as f64 * s;
                } else {
                    self.gil_busy_bg += n as f64 * s;
                }
            }
            let th = &mut self.threads[t as usize];
            if j == a {
                // The holder of turn q, about to be forced at t1.
                th.act = Activity::Gil { end: t1 - s + r - (n as f64 - 1.0) * s };
            } else {
                th.remaining = r - n as f64 * s;
                // Back in the queue since its last turn was forced (c₀: since t0).
                if j == 0 {
                    th.wait_since = t0 + (n * k64) as f64 * s;
                } else if n > 0 {
                    th.wait_since = t0 + (j64 + (n - 1) * k64) as f64 * s;
                }
            }
        }
        self.now = t1;
        if a != 0 {
            // The queue turns by a: c_a holds, c_(a+1) … c_(k-1), c_0 … c_(a-1) wait.
            let passed: Vec<u32> = self.gil_waiters.drain(..a - 1).collect();
            let new = self.gil_waiters.pop_front().expect("c_a is a waiter");
            self.gil_waiters.push_back(holder);
            self.gil_waiters.extend(passed);
            let old = &mut self.threads[holder as usize];
            old.holds_gil = false;
            old.act = Activity::WantGil;
            old.gen = old.gen.wrapping_add(1);
            let th = &mut self.threads[new as usize];
            th.holds_gil = true;
            th.gen = th.gen.wrapping_add(1);
            self.gil = Some(new);
            self.set_state(holder, Some(ThreadState::Waiting));
            self.set_state(new, Some(ThreadState::Held));
        }
        self.gil_since = t1;
        self.gil_taken_at = t1 - s;
        self.gil_switches += q;
        self.skipped_handoffs += q;
        // Every pending switch request names a hand-off count now passed.
        self.drops.clear();
        self.drop_for = None;
    }

    // ---- requests and threads ----------------------------------------------

    fn issue(&mut self, r: u32) {
        self.reqs[r as usize] = Req { issued: self.now, step: 0, started: f64::NAN, measured: false };
        if self.cfg.follow && self.measuring && self.follow.req.is_none() && !self.follow.journey.complete {
            self.follow.req = Some(r);
            self.follow.issued = self.now;
        }
        self.deliver(r);
    }

    /// An open load's next arrival: a new request, and the one after it
    /// scheduled while the measured ones are not all done.
    fn arrive(&mut self) {
        let (warmup, requests) = (self.cfg.warmup, self.cfg.requests);
        let Some(o) = self.open.as_mut() else { return };
        let k = o.arrived;
        o.arrived += 1;
        let measured = k >= warmup && k < warmup + requests;
        let r = match o.free.pop() {
            Some(r) => r,
            None => {
                self.reqs.push(Req { issued: 0.0, step: 0, started: f64::NAN, measured: false });
                self.reqs.len() as u32 - 1
            }
        };
        if k == warmup {
            self.start_measuring();
            let o = self.open.as_mut().expect("open load");
            o.backlog_start = o.in_system;
        }
        let o = self.open.as_mut().expect("open load");
        o.in_system += 1;
        let more = o.arrived < warmup + 2 * requests && o.measured_left > 0;
        if more {
            let at = self.now + self.gap();
            self.push(at, Ev::Arrive);
        }
        self.issue(r);
        self.reqs[r as usize].measured = measured;
        if k + 1 == warmup + requests {
            self.close_window();
        }
    }

    /// The time to an open load's next arrival: exponential, or hyperexponential when bursty.
    fn gap(&mut self) -> f64 {
        let o = self.open.as_ref().expect("open load");
        let (mean, bursts) = (o.gap_us, o.bursts);
        match bursts {
            None => self.exp(mean),
            Some((p, short, long)) => {
                let m = if self.rng.f64() < p { short } else { long };
                self.exp(m)
            }
        }
    }

    /// The last measured arrival: the window's time-based accounting stops here.
    fn close_window(&mut self) {
        self.account_gil();
        self.account_queue();
        for t in 0..self.threads.len() as u32 {
            self.set_state(t, None);
        }
        self.measuring = false;
        let now = self.now;
        let o = self.open.as_mut().expect("open load");
        o.window_closed = true;
        o.window_end = now;
        o.backlog_end = o.in_system;
    }

    /// Whether request `r`'s caller has given up on it and the pattern can drop it.
    fn late(&self, r: u32) -> bool {
        self.open.as_ref().is_some_and(|o| {
            o.cancels && o.deadline_us.is_some_and(|d| self.now >= self.reqs[r as usize].issued + d)
        })
    }

    /// Drop a late request that no thread holds: its caller had a
    /// `TimeoutError` at the deadline.
    fn abandon(&mut self, r: u32) {
        let req = self.reqs[r as usize];
        let o = self.open.as_mut().expect("only an open load abandons");
        o.in_system -= 1;
        o.free.push(r);
        if req.measured {
            o.measured_left -= 1;
            o.late += 1;
            o.abandoned += 1;
            let d = o.deadline_us.expect("a late request has a deadline");
            self.completed += 1;
            self.lat_sum += d;
            let _ = self.hist.record(((d * 10.0).round() as u64).max(1));
        }
    }

    /// The first request in role `pi`'s queue whose caller still waits;
    /// late ones are dropped on the way.
    fn pop_live(&mut self, pi: usize) -> Option<u32> {
        while let Some(r) = self.pools[pi].queue.pop_front() {
            if self.late(r) {
                self.abandon(r);
                continue;
            }
            return Some(r);
        }
        None
    }

    /// Give thread `t` request `r` (or take its request away), keeping track
    /// of where the followed request is.
    fn hand(&mut self, t: u32, r: Option<u32>) {
        if let Some(f) = self.follow.req {
            if r == Some(f) {
                self.follow.thread = Some(t);
            } else if self.threads[t as usize].req == Some(f) {
                self.follow.thread = None;
            }
        }
        self.threads[t as usize].req = r;
    }

    /// After each event: note where the followed request is now, starting a
    /// new leg when that changed.
    fn note_follow(&mut self) {
        let Some(r) = self.follow.req else { return };
        let step = self.reqs[r as usize].step;
        let state = match self.follow.thread {
            Some(t) => match self.threads[t as usize].act {
                Activity::Waking => LegState::Waking,
                Activity::WantGil => LegState::WaitingGil,
                Activity::Gil { .. } => LegState::HoldsGil,
                Activity::WantCore => LegState::WaitingCore,
                Activity::Cpu => LegState::Cpu,
                Activity::Io => LegState::Io,
                Activity::Idle => LegState::Queued,
            },
            None if matches!(self.steps[step.min(self.steps.len() - 1)].work, Work::Io(_)) => LegState::AsyncIo,
            None => LegState::Queued,
        };
        let at = (self.now - self.follow.issued) / 1e3;
        let legs = &mut self.follow.journey.legs;
        if let Some(last) = legs.last_mut() {
            if last.thread == self.follow.thread && last.state == state && last.step == step {
                return;
            }
            last.end_ms = at;
            if last.end_ms <= last.start_ms {
                legs.pop();
            }
        }
        legs.push(Leg { thread: self.follow.thread, state, step, start_ms: at, end_ms: at });
    }

    /// The followed request completed: close its last leg.
    fn end_follow(&mut self) {
        let at = (self.now - self.follow.issued) / 1e3;
        if let Some(last) = self.follow.journey.legs.last_mut() {
            last.end_ms = at;
        }
        self.follow.journey.legs.retain(|l| l.end_ms > l.start_ms);
        self.follow.journey.complete = true;
        self.follow.req = None;
        self.follow.thread = None;
    }

    /// Hand request `r` to the role of its current step.
    fn deliver(&mut self, r: u32) {
        if self.late(r) {
            self.abandon(r);
            return;
        }
        let mut step = self.reqs[r as usize].step;
        // A wake step only costs time if it has to wake an idle thread.
        let wake = if let Work::Wake(us) = self.steps[step].work {
            step += 1;
            self.reqs[r as usize].step = step;
            us
        } else {
            0.0
        };
        let role = self.steps[step].role;
        let pi = role_index(role);
        let idle = self.pools[pi].idle.pop().or_else(|| {
            (self.pools[pi].threads.len() < self.pools[pi].max).then(|| {
                let t = self.spawn(Some(role));
                self.pools[pi].idle.pop();
                t
            })
        });
        match idle {
            Some(t) => {
                if role != Role::Loop {
                    self.mark_started(r);
                }
                self.hand(t, Some(r));
                let th = &mut self.threads[t as usize];
                th.batch_left = 1;
                if wake > 0.0 {
                    th.act = Activity::Waking;
                    th.gen = th.gen.wrapping_add(1);
                    let gen = th.gen;
                    self.set_state(t, Some(ThreadState::Waking));
                    let at = self.now + self.draw_cpu(wake);
                    self.push(at, Ev::ThreadDone { thread: t, gen });
                } else {
                    self.start_step(t);
                }
            }
            None => {
                self.account_queue();
                self.pools[pi].queue.push_back(r);
            }
        }
    }

    /// Begin the current step of the thread's request.
    fn start_step(&mut self, t: u32) {
        let r = self.threads[t as usize].req.expect("a thread starting a step has a request");
        let step = self.steps[self.reqs[r as usize].step];
        match step.work {
            Work::Gil(us) => {
                self.threads[t as usize].remaining = self.draw_cpu(us);
                self.want_gil(t);
            }
            Work::Cpu(us) => {
                self.release_gil(t);
                let d = self.draw_cpu(us);
                self.threads[t as usize].remaining = d;
                self.set_state(t, Some(ThreadState::Cpu));
                if self.cores_free > 0 {
                    self.cores_free -= 1;
                    self.run_cpu(t);
                } else {
                    self.threads[t as usize].act = Activity::WantCore;
                    self.core_queue.push_back(t);
                }
            }
            Work::Io(_) => {
                self.release_gil(t);
                let d = self.draw_io();
                if step.role == Role::Tokio {
                    // Async I/O: the worker is free while the request waits.
                    let at = self.now + d;
                    self.push(at, Ev::IoDone { req: r });
                    self.hand(t, None);
                    self.next_work(t);
                } else {
                    let th = &mut self.threads[t as usize];
                    th.act = Activity::Io;
                    th.gen = th.gen.wrapping_add(1);
                    let gen = th.gen;
                    self.set_state(t, Some(ThreadState::Io));
                    self.push(self.now + d, Ev::ThreadDone { thread: t, gen });
                }
            }
            Work::Wake(_) => {
                // Wake steps inside one thread's part cost nothing.
                self.reqs[r as usize].step += 1;
                self.start_step(t);
            }
        }
    }

    fn run_cpu(&mut self, t: u32) {
        let th = &mut self.threads[t as usize];
        th.act = Activity::Cpu;
        th.gen = th.gen.wrapping_add(1);
        let (gen, d) = (th.gen, th.remaining);
        self.push(self.now + d, Ev::ThreadDone { thread: t, gen });
    }

    /// The thread's timed activity ended.
    fn thread_done(&mut self, t: u32) {
        let act = self.threads[t as usize].act;
        if act == Activity::Cpu {
            self.free_core();
        }
        if act == Activity::Waking {
            self.start_step(t);
            return;
        }
        let Some(r) = self.threads[t as usize].req else { return };
        self.advance(t, r);
    }

    /// Move request `r`, run by thread `t`, past its current step.
    fn advance(&mut self, t: u32, r: u32) {
        let step = self.reqs[r as usize].step + 1;
        self.reqs[r as usize].step = step;
        if step == self.steps.len() {
            self.hand(t, None);
            self.complete(r);
            if !self.cfg.burst && self.open.is_none() {
                self.issue(r);
            }
            self.next_work(t);
            return;
        }
        let role = self.threads[t as usize].role.expect("request threads have a role");
        if self.steps[step].role == role {
            self.start_step(t);
        } else {
            self.hand(t, None);
            self.deliver(r);
            self.next_work(t);
        }
    }

    /// The thread is free: take queued work or go idle.
    fn next_work(&mut self, t: u32) {
        let role = self.threads[t as usize].role.expect("request threads have a role");
        let pi = role_index(role);
        let th = &mut self.threads[t as usize];
        if role == Role::Loop {
            th.batch_left = th.batch_left.saturating_sub(1);
            if th.batch_left == 0 {
                // End of an iteration: select() releases the GIL.
                self.release_gil(t);
                let th = &mut self.threads[t as usize];
                th.batch_left = self.pools[pi].queue.len();
            }
        }
        if !self.pools[pi].queue.is_empty() {
            self.account_queue();
        }
        if let Some(r) = self.pop_live(pi) {
            if role != Role::Loop {
                self.mark_started(r);
            }
            self.hand(t, Some(r));
            self.start_step(t);
        } else {
            self.release_gil(t);
            let th = &mut self.threads[t as usize];
            th.act = Activity::Idle;
            th.batch_left = 0;
            self.set_state(t, None);
            self.pools[pi].idle.push(t);
        }
    }

    fn mark_started(&mut self, r: u32) {
        let req = &mut self.reqs[r as usize];
        if req.started.is_nan() {
            req.started = self.now;
        }
    }

    fn complete(&mut self, r: u32) {
        if self.follow.req == Some(r) {
            self.end_follow();
        }
        if self.cfg.burst {
            let req = self.reqs[r as usize];
            self.burst_log.push((req.started / 1e3, self.now / 1e3));
        }
        let lat = self.now - self.reqs[r as usize].issued;
        if let Some(o) = self.open.as_mut() {
            o.in_system -= 1;
            o.free.push(r);
            if self.measuring {
                o.window_done += 1;
            }
            if self.reqs[r as usize].measured {
                o.measured_left -= 1;
                let on_time = o.deadline_us.is_none_or(|d| lat <= d);
                if on_time {
                    o.good += 1;
                } else {
                    o.late += 1;
                }
                // An asyncio caller stopped waiting at the deadline; a blocking one waited it out.
                let seen = match o.deadline_us {
                    Some(d) if o.cancels => lat.min(d),
                    _ => lat,
                };
                self.completed += 1;
                self.lat_sum += seen;
                let _ = self.hist.record(((seen * 10.0).round() as u64).max(1));
            }
            return;
        }
        self.completed += 1;
        if self.measuring {
            self.lat_sum += lat;
            // Tenths of a µs, at least 1 so the histogram accepts it.
            let _ = self.hist.record(((lat * 10.0).round() as u64).max(1));
        } else if self.completed >= self.cfg.warmup {
            self.start_measuring();
        }
    }

    fn start_measuring(&mut self) {
        self.measuring = true;
        self.t_start = self.now;
        self.trace_end = self.now + self.cfg.trace_ms * 1e3;
        self.gil_since = self.now;
        self.queued_since = self.now;
        self.completed = 0;
        for th in &mut self.threads {
            th.since = self.now;
        }
    }

    fn run(&mut self) {
        if self.cfg.warmup == 0 && self.open.is_none() {
            self.start_measuring();
        }
        let budget = self.event_budget();
        while let Some(Event { t, ev, .. }) = self.pop_next() {
            self.events += 1;
            if self.events > budget {
                self.over_budget = true;
                break;
            }
            self.now = t;
            match ev {
                Ev::ThreadDone { thread, gen } => {
                    if self.threads[thread as usize].gen == gen {
                        self.thread_done(thread);
                    }
                }
                Ev::IoDone { req } => {
                    self.reqs[req as usize].step += 1;
                    self.deliver(req);
                }
                Ev::DropRequest { waiter, switches } => self.drop_request(waiter, switches),
                Ev::Arrive => self.arrive(),
            }
            if self.follow.req.is_some() {
                self.note_follow();
            }
            if let Some(o) = &self.open {
                if o.measured_left == 0 {
                    break;
                }
            } else if self.measuring && self.completed >= self.cfg.requests {
                break;
            }
        }
        self.account_gil();
        self.account_queue();
        for t in 0..self.threads.len() as u32 {
            self.set_state(t, None);
        }
    }

    fn result(&self, pattern: Pattern, s: &Scenario) -> SimResult {
        let end = self.open.as_ref().filter(|o| o.window_closed).map_or(self.now, |o| o.window_end);
        let window = (end - self.t_start).max(f64::MIN_POSITIVE);
        let ms = |v: u64| v as f64 / 1e4;
        let n = self.completed.max(1) as f64;
        let queued = self.queued_area / window;
        let open = self.open.as_ref().map(|o| {
            let per_s = |k: f64| k / window * 1e6;
            let measured = self.cfg.requests.max(1) as f64;
            OpenRun {
                arrival_rate: per_s(self.cfg.requests.saturating_sub(1) as f64),
                backlog_growth_per_s: per_s(o.backlog_end as f64 - o.backlog_start as f64),
                backlog_end: o.backlog_end,
                goodput: o.deadline_us.map(|_| per_s(o.good as f64)),
                timed_out: o.deadline_us.map(|_| o.late as f64 / measured),
                abandoned: o.deadline_us.map(|_| o.abandoned as f64 / measured),
            }
        });
        let throughput = match &self.open {
            Some(o) => o.window_done as f64 / window * 1e6,
            None => self.completed as f64 / window * 1e6,
        };
        let mean_ms = self.lat_sum / n / 1e3;
        // Closed: the callers not queued are in flight. Open: Little's law
        // gives the requests in the process, less the queued ones.
        let in_flight = if self.open.is_some() { throughput * mean_ms / 1e3 - queued } else { s.concurrency as f64 - queued };
        SimResult {
            pattern,
            concurrency: s.concurrency,
            completed: self.completed,
            throughput,
            latency_ms: Percentiles {
                mean: mean_ms,
                p50: ms(self.hist.value_at_quantile(0.5)),
                p95: ms(self.hist.value_at_quantile(0.95)),
                p99: ms(self.hist.value_at_quantile(0.99)),
                p999: ms(self.hist.value_at_quantile(0.999)),
                max: ms(self.hist.max()),
            },
            gil_utilization: (self.gil_busy_req / window).min(1.0),
            gil_background: (self.gil_busy_bg / window).min(1.0),
            gil_wait_ms: self.gil_wait_sum / n / 1e3,
            in_flight: in_flight.max(0.0),
            queued,
            threads: self.threads.len() as u32,
            lanes: self.lanes.clone(),
            trace: self.trace.clone(),
            window_ms: window / 1e3,
            burst: self.burst_log.clone(),
            journey: self.follow.journey.clone(),
            events: self.events,
            skipped_handoffs: self.skipped_handoffs,
            open,
        }
    }
}
