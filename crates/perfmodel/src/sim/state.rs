//! The simulator's state: threads, requests, pools of threads by role, the GIL and the cores; a run's setup.

use std::collections::{BinaryHeap, VecDeque};

use super::follow::Follow;
use super::measure::Measure;
use super::open::Open;
use super::queue::{Ev, Event};
use super::{Lane, SimConfig, ThreadState};
use crate::pattern::{Pattern, Role, Step};
use crate::{Params, Scenario};

/// A thread of the simulated process, by its place in [`Sim::threads`] (and its lane).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ThreadId(pub(super) u32);

/// A request slot, by its place in [`Sim::reqs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ReqId(pub(super) u32);

impl ThreadId {
    pub(super) fn idx(self) -> usize {
        self.0 as usize
    }
}

impl ReqId {
    pub(super) fn idx(self) -> usize {
        self.0 as usize
    }
}

/// What a thread is doing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Activity {
    Idle,
    /// Woken, about to start its request.
    Waking,
    WantGil,
    Gil {
        end: f64,
    },
    WantCore,
    Cpu,
    Io,
}

/// One thread: its role (none for a CPU-bound background thread), what it is doing and for which request.
#[derive(Debug, Clone)]
pub(super) struct Thread {
    pub(super) role: Option<Role>,
    pub(super) act: Activity,
    /// Counts the thread's timed activities; an event for an older one is stale.
    pub(super) gen: u32,
    pub(super) req: Option<ReqId>,
    /// Remaining µs of the current step (for a forced GIL switch).
    pub(super) remaining: f64,
    pub(super) holds_gil: bool,
    /// Loop only: callbacks left in the current iteration.
    pub(super) batch_left: usize,
    /// When the current traced state began.
    pub(super) since: f64,
    pub(super) state: Option<ThreadState>,
    /// When it last began to wait for the GIL.
    pub(super) wait_since: f64,
    /// A pool thread lent to one of a request's gathered calls: the request whose wait it holds.
    pub(super) lent: Option<ReqId>,
}

/// One request in progress.
#[derive(Debug, Clone, Copy)]
pub(super) struct Req {
    pub(super) issued: f64,
    /// Index of its current path step.
    pub(super) step: usize,
    /// When a thread other than the loop first took it (it left the caller
    /// or executor queue, or reached a Tokio worker).
    pub(super) started: f64,
    /// Open load: whether this arrival is one of the measured ones.
    pub(super) measured: bool,
    /// Node requests of its batch still out on the client's thread pool, and
    /// the thread waiting for them (none: the request is parked while its
    /// gathered calls wait on lent pool threads).
    pub(super) pending: u32,
    pub(super) waiting: Option<ThreadId>,
}

impl Req {
    pub(super) const NEW: Req = Req { issued: 0.0, step: 0, started: f64::NAN, measured: false, pending: 0, waiting: None };
}

/// A set of interchangeable threads serving one role.
#[derive(Debug, Default)]
pub(super) struct Pool {
    pub(super) threads: Vec<ThreadId>,
    pub(super) idle: Vec<ThreadId>,
    pub(super) queue: VecDeque<ReqId>,
    pub(super) max: usize,
}

/// A run: the path, the threads, the GIL, the cores, the event queue and what is measured.
pub(super) struct Sim<'a> {
    pub(super) steps: Vec<Step>,
    pub(super) cfg: SimConfig,
    pub(super) p: &'a Params,
    /// The distribution of the nodes a batch visits (its keys, its nodes, the cumulative probabilities), once drawn from.
    pub(super) fan_cdf: Option<(u32, u32, Vec<f64>)>,
    pub(super) rng: fastrand::Rng,
    pub(super) now: f64,
    pub(super) seq: u64,
    /// Step ends of threads not holding the GIL, and asynchronous I/O ends.
    pub(super) heap: BinaryHeap<Event>,
    /// Switch-interval requests of GIL waiters.
    pub(super) switch_requests: BinaryHeap<Event>,
    /// The end of the GIL holder's current step (one holder, one slot): kept
    /// apart so a forced switch removes it instead of leaving it stale.
    pub(super) gil_end: Option<Event>,
    pub(super) events: u64,
    pub(super) skipped_handoffs: u64,
    pub(super) over_budget: bool,
    /// The hold (by hand-off count) a switch request is pending against.
    pub(super) switch_asked_for: Option<u64>,
    pub(super) threads: Vec<Thread>,
    pub(super) lanes: Vec<Lane>,
    pub(super) reqs: Vec<Req>,
    pub(super) pools: [Pool; 5],
    pub(super) gil: Option<ThreadId>,
    pub(super) gil_waiters: VecDeque<ThreadId>,
    /// GIL hand-offs so far: a hold's identity.
    pub(super) gil_switches: u64,
    /// When the current holder took the GIL.
    pub(super) gil_taken_at: f64,
    pub(super) cores_free: u32,
    pub(super) core_queue: VecDeque<ThreadId>,
    /// The GIL holder runs on a core: it has one (`gil_core`), or it holds
    /// the GIL but waits for a core to come free (`gil_stalled`).
    pub(super) gil_core: bool,
    pub(super) gil_stalled: bool,
    /// The official client's own thread pool (its `tpool` threads): free
    /// threads, and the node requests of concurrent batches waiting for one.
    pub(super) client_pool_free: u32,
    pub(super) client_pool_queue: VecDeque<(ReqId, f64)>,
    /// Gathered calls waiting for a thread of the executor's pool to wait on.
    pub(super) lend_queue: VecDeque<(ReqId, f64)>,
    pub(super) m: Measure,
    pub(super) follow: Follow,
    pub(super) open: Option<Open>,
}

/// Where a role's pool sits in [`Sim::pools`].
pub(super) fn role_index(r: Role) -> usize {
    match r {
        Role::Caller => 0,
        Role::Loop => 1,
        Role::Worker => 2,
        Role::Tokio => 3,
        Role::Blocking => 4,
    }
}

/// The lane a role's threads are drawn in.
fn lane_of(r: Role) -> Lane {
    match r {
        Role::Caller => Lane::Caller,
        Role::Loop => Lane::Loop,
        Role::Worker => Lane::Worker,
        Role::Tokio => Lane::Tokio,
        Role::Blocking => Lane::Blocking,
    }
}

impl<'a> Sim<'a> {
    pub(super) fn new(pattern: Pattern, steps: Vec<Step>, p: &'a Params, s: &Scenario, cfg: &SimConfig) -> Sim<'a> {
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
        pools[role_index(Role::Worker)].max = s.pool_for(pattern).max(1) as usize;
        pools[role_index(Role::Tokio)].max = s.tokio_worker_count() as usize;
        pools[role_index(Role::Blocking)].max = p.tokio_max_blocking.round() as usize;
        let mut sim = Sim {
            steps,
            cfg: *cfg,
            p,
            fan_cdf: None,
            rng: fastrand::Rng::with_seed(cfg.seed),
            now: 0.0,
            seq: 0,
            heap: BinaryHeap::with_capacity(n as usize + 64),
            switch_requests: BinaryHeap::new(),
            gil_end: None,
            events: 0,
            skipped_handoffs: 0,
            over_budget: false,
            switch_asked_for: None,
            threads: Vec::new(),
            lanes: Vec::new(),
            reqs: vec![Req::NEW; n as usize],
            pools,
            gil: None,
            gil_waiters: VecDeque::new(),
            gil_switches: 0,
            gil_taken_at: 0.0,
            cores_free: s.core_servers(),
            core_queue: VecDeque::new(),
            gil_core: false,
            gil_stalled: false,
            client_pool_free: p.official_thread_pool.round() as u32,
            client_pool_queue: VecDeque::new(),
            lend_queue: VecDeque::new(),
            m: Measure::default(),
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
        if matches!(pattern, Pattern::Executor | Pattern::Threadpool | Pattern::Tokio) {
            sim.spawn(Some(Role::Loop));
        }
        for _ in 0..s.background_threads {
            let t = sim.spawn(None);
            sim.threads[t.idx()].remaining = f64::INFINITY;
            sim.want_gil(t);
        }
        // Every caller issues its first request at time zero; an open load
        // starts with its first arrival.
        for r in 0..n {
            sim.issue(ReqId(r));
        }
        if sim.open.is_some() {
            let at = sim.gap();
            sim.push(at, Ev::Arrive);
        }
        sim
    }

    pub(super) fn spawn(&mut self, role: Option<Role>) -> ThreadId {
        let id = ThreadId(self.threads.len() as u32);
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
            lent: None,
        });
        self.lanes.push(role.map(lane_of).unwrap_or(Lane::Background));
        if let Some(r) = role {
            let pool = &mut self.pools[role_index(r)];
            pool.threads.push(id);
            pool.idle.push(id);
        }
        id
    }
}
