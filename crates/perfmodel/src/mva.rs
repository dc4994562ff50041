//! Analytic solver: Mean Value Analysis of the closed network behind each pattern.
//!
//! A request's path ([`crate::pattern::steps`]) becomes a closed queueing
//! network with N customers (the callers) and no think time:
//!
//! * the **GIL**: one single-server queue that every GIL-held step visits,
//!   whichever thread runs it, with the residual-time correction for
//!   near-constant holds (see [`Net::step`]);
//! * the **cores**: non-GIL CPU on C servers, by Seidmann's approximation (a
//!   queue with demand D/C in series with a delay of D(C-1)/C);
//! * the **I/O wait** and **thread wake-ups**: delay stations (a wake-up is
//!   paid with the probability that the woken thread was idle);
//! * the **executor pool** (executor only): P workers, each held from the
//!   moment it takes a request until it hands the result back. Also by
//!   Seidmann, with a holding time H(n) that includes the worker's own GIL
//!   and CPU residence at the same population (simultaneous possession).
//!
//! Up to [`EXACT_LIMIT`] callers the exact recursion of Reiser & Lavenberg
//! (1980) runs, population by population. Above it the Bard–Schweitzer
//! approximation replaces Q(n-1) by Q(N)·(N-1)/N and iterates to a fixed
//! point: it needs no recursion over every population, so it is fast and
//! stable at 100,000 callers, and its error vanishes as N grows.
//!
//! The generic [`exact`] and [`schweitzer`] functions solve any network of
//! single-server queues and delays; the tests pin them to closed forms.

use serde::Serialize;

use crate::pattern::{self, PathTotals, Pattern};
use crate::{Params, Scenario};

/// Above this population the pattern solver switches from exact MVA to Bard–Schweitzer.
pub const EXACT_LIMIT: u32 = 1_000;

/// A station of a product-form network.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Station {
    /// Single server, FCFS (exponential) or processor sharing; demand per visit total.
    Queue(f64),
    /// Infinite servers: a pure delay.
    Delay(f64),
}

impl Station {
    fn demand(self) -> f64 {
        match self {
            Station::Queue(d) | Station::Delay(d) => d,
        }
    }
}

/// Mean values of a network at one population.
#[derive(Debug, Clone, PartialEq)]
pub struct NetSolution {
    pub n: u32,
    /// Throughput, customers per time unit of the demands.
    pub x: f64,
    /// Residence time at each station.
    pub r: Vec<f64>,
    /// Mean number at each station.
    pub q: Vec<f64>,
}

/// Exact MVA for populations 1..=n_max (Reiser & Lavenberg 1980).
// ANCHOR: exact
pub fn exact(stations: &[Station], n_max: u32) -> Vec<NetSolution> {
    let mut q = vec![0.0; stations.len()];
    let mut out = Vec::with_capacity(n_max as usize);
    for n in 1..=n_max {
        // An arriving customer sees the queue of a population one smaller.
        let r: Vec<f64> = stations
            .iter()
            .zip(&q)
            .map(|(s, qk)| match s {
                Station::Queue(d) => d * (1.0 + qk),
                Station::Delay(d) => *d,
            })
            .collect();
        // Little's law over the whole loop, then at each station.
        let x = n as f64 / r.iter().sum::<f64>();
        q = r.iter().map(|rk| x * rk).collect();
        out.push(NetSolution { n, x, r, q: q.clone() });
    }
    out
}
// ANCHOR_END: exact

/// Bard–Schweitzer approximate MVA at population n.
pub fn schweitzer(stations: &[Station], n: u32) -> NetSolution {
    let nf = n as f64;
    let total: f64 = stations.iter().map(|s| s.demand()).sum();
    let mut q: Vec<f64> = stations.iter().map(|s| nf * s.demand() / total.max(f64::MIN_POSITIVE)).collect();
    let mut x = 0.0;
    let mut r = vec![0.0; stations.len()];
    for _ in 0..10_000 {
        for (k, s) in stations.iter().enumerate() {
            r[k] = match s {
                Station::Queue(d) => d * (1.0 + q[k] * (nf - 1.0) / nf),
                Station::Delay(d) => *d,
            };
        }
        x = nf / r.iter().sum::<f64>();
        let mut delta: f64 = 0.0;
        for k in 0..stations.len() {
            let nq = x * r[k];
            delta = delta.max((nq - q[k]).abs() / nf);
            q[k] = nq;
        }
        if delta < 1e-12 {
            break;
        }
    }
    NetSolution { n, x, r, q }
}

/// The analytic solution of one pattern at one concurrency.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MvaPoint {
    pub concurrency: u32,
    /// Requests per second.
    pub throughput: f64,
    /// Mean time from issuing a request to having its result, ms.
    pub latency_ms: f64,
    /// Share of time the GIL is held by request work (0–1).
    pub gil_utilization: f64,
    /// Mean time a request spends waiting for the GIL, ms.
    pub gil_wait_ms: f64,
    /// Requests past submission (holding a worker or on Tokio, or running).
    pub in_flight: f64,
    /// Requests waiting for something before they can start (pool queue, blocked loop).
    pub queued: f64,
    /// True when the exact recursion produced this point, false for Bard–Schweitzer.
    pub exact: bool,
}

/// Mean-value state carried from one population to the next.
#[derive(Debug, Clone, Copy, Default)]
struct State {
    /// Mean number holding or waiting for the GIL.
    q_gil: f64,
    /// Mean number at the cores' queue part.
    q_cpu: f64,
    /// Mean number at the pool's queue part.
    q_pool: f64,
    /// Throughput (per µs), to estimate how often a woken thread was idle.
    x: f64,
}

impl State {
    fn scaled(self, k: f64) -> State {
        State { q_gil: self.q_gil * k, q_cpu: self.q_cpu * k, q_pool: self.q_pool * k, x: self.x }
    }
}

/// Everything about a pattern the recursion needs, in µs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Net {
    pub(crate) pattern: Pattern,
    pub(crate) t: PathTotals,
    /// Cores the non-GIL CPU can use: the quota, at most the threads that run it.
    pub(crate) cores: f64,
    /// Cores every thread shares: GIL-held work runs on one of them too.
    pub(crate) all_cores: f64,
    pub(crate) pool: f64,
    /// Threads of the official client's own pool (a concurrent batch's node requests).
    pub(crate) client_pool: f64,
    /// Extra wait per GIL acquisition when CPU-bound threads hold the GIL (µs).
    pub(crate) convoy_us: f64,
    /// GIL acquisitions per request that wait for a forced switch.
    pub(crate) convoy_acquisitions: f64,
    /// Threads serving the non-loop part (pool workers, Tokio workers, callers).
    pub(crate) threads: f64,
    /// Mean residual GIL hold seen by an arrival over the mean hold, E[s²]/(2E[s]²).
    gil_residual_ratio: f64,
}

impl Net {
    pub(crate) fn new(pattern: Pattern, p: &Params, s: &Scenario) -> Net {
        let s = &s.for_solver(pattern);
        let path = pattern::steps(pattern, p, s);
        let t = pattern::totals(&path);
        let holds = pattern::gil_holds(&path);
        let k = holds.len().max(1) as f64;
        let mean = holds.iter().sum::<f64>() / k;
        let mean_sq = holds.iter().map(|h| h * h).sum::<f64>() / k;
        let gil_residual_ratio = if mean > 0.0 { mean_sq / (2.0 * mean * mean) } else { 0.5 };
        let cpu_threads = match pattern {
            Pattern::Sync => 1.0,
            Pattern::SyncThreads => s.concurrency as f64,
            Pattern::Executor | Pattern::Threadpool => s.pool_for(pattern) as f64,
            // Work it offloads runs on the executor's pool beside the Tokio workers.
            Pattern::Tokio => (s.tokio_worker_count() + s.pool_for(pattern)) as f64,
        };
        // First-order convoy effect: with a CPU-bound thread holding the GIL,
        // every acquisition waits for the switch interval to force a drop.
        let convoy_us = if s.background_threads > 0 { p.gil_switch_interval_ms * 1e3 } else { 0.0 };
        // A blocking caller runs its requests back to back on one thread: the
        // hold that ends one request and the hold that starts the next are
        // one hold, so in steady state it takes the GIL once fewer per request
        // (the simulator shows the same: one forced switch per sync request).
        let back_to_back = matches!(pattern, Pattern::Sync | Pattern::SyncThreads)
            && path.first().is_some_and(|s| s.work.holds_gil())
            && path.last().is_some_and(|s| s.work.holds_gil() && s.role == path[0].role);
        let convoy_acquisitions = (t.gil_acquisitions as f64 - if back_to_back { 1.0 } else { 0.0 }).max(1.0);
        Net {
            pattern,
            t,
            cores: (s.core_servers() as f64).min(cpu_threads).max(1.0),
            all_cores: s.core_servers() as f64,
            pool: s.pool_for(pattern).max(1) as f64,
            client_pool: p.official_thread_pool.max(1.0),
            convoy_us,
            convoy_acquisitions,
            threads: cpu_threads.max(1.0),
            gil_residual_ratio,
        }
    }

    /// One MVA step: residence times at population n from the state
    /// `prev` (at n-1 for exact MVA, scaled by (N-1)/N for Bard–Schweitzer).
    // ANCHOR: step
    fn step(&self, n: f64, prev: State) -> (MvaPoint, State) {
        let t = &self.t;
        let convoy = self.convoy_acquisitions * self.convoy_us;
        if self.pattern == Pattern::Sync {
            // One thread does everything: a single server whose demand is the
            // whole path. Callers beyond the first queue behind it.
            let d = t.total_us() + convoy;
            let r = (d * (1.0 + prev.q_gil)).max(n * t.client_pool_us / self.client_pool);
            let x = n / r;
            let point = MvaPoint {
                concurrency: n as u32,
                throughput: x * 1e6,
                latency_ms: r / 1e3,
                gil_utilization: (x * t.gil_us()).min(1.0),
                gil_wait_ms: convoy / 1e3,
                in_flight: 1.0_f64.min(n),
                queued: (n - 1.0).max(0.0),
                exact: true,
            };
            return (point, State { q_gil: x * r, x, ..State::default() });
        }
        // GIL residence per µs of GIL demand. Exponential service would give
        // 1 + Q. GIL holds are near-constant, so a request arriving while
        // the GIL is busy waits the holder's residual hold E[s²]/2E[s]
        // rather than a full mean hold (the residual-time correction of
        // Lazowska et al., Quantitative System Performance, 1984):
        // 1 + (Q - U) + U · residual / mean.
        let u_gil = (prev.x * t.gil_us()).min(1.0);
        let g = 1.0 + (prev.q_gil - u_gil).max(0.0) + u_gil * self.gil_residual_ratio;
        // A wake-up costs time only when the thread being woken was idle:
        // the loop's with the probability that the loop was idle at the
        // previous population, the others' (a pool worker, a Tokio worker,
        // a blocking-pool thread) with that of the threads serving them.
        let loop_idle = (1.0 - prev.x * t.gil_loop_us).clamp(0.0, 1.0);
        let other_busy_us = match self.pattern {
            Pattern::Executor | Pattern::Threadpool => t.worker_held_us,
            // Tokio workers hold only the GIL-free CPU (the pool's share with them any it offloads).
            Pattern::Tokio => t.cpu_us,
            _ => t.gil_other_us + t.cpu_us,
        };
        let other_idle = (1.0 - prev.x * other_busy_us / self.threads).clamp(0.0, 1.0);
        let wake_loop = t.wake_loop_us * loop_idle;
        let wake_other = (t.wake_us - t.wake_loop_us) * other_idle;
        let r_gil_loop = t.gil_loop_us * g;
        let r_gil_other = t.gil_other_us * g;
        let c = self.cores;
        let r_cpu_q = t.cpu_us / c * (1.0 + prev.q_cpu);
        let r_cpu = r_cpu_q + t.cpu_us * (c - 1.0) / c;
        let (r, r_pool_q, mut queue_wait) = if self.pattern.pooled() {
            // Worker holding time: the worker's part of the path at this population.
            // Gathered calls hold a thread each for their own wait
            // (`worker_io_us`) while the request waits for the slowest (`io_us`).
            let h = r_gil_other + r_cpu + t.worker_io_us + wake_other + convoy / 2.0;
            let pq = h / self.pool * (1.0 + prev.q_pool);
            let r_pool = pq + h * (self.pool - 1.0) / self.pool;
            (r_gil_loop + r_pool - t.worker_io_us + t.io_us + wake_loop + convoy / 2.0, pq, r_pool - h)
        } else {
            (r_gil_loop + r_gil_other + r_cpu + t.io_us + wake_loop + wake_other + convoy, 0.0, 0.0)
        };
        // The residual-time correction assumes arrivals at random moments;
        // in a small closed loop they are not, and it could promise more
        // than a saturated resource delivers. The asymptotic bound
        // R >= N · D_max (Denning & Buzen 1978) is kept as a floor; the gap,
        // if any, is waiting at the binding resource.
        let gil_floor = n * t.gil_us();
        // aerospike-py's offloaded work holds a pool thread for its own part only.
        let pool_floor =
            if self.pattern.pooled() { n * (t.gil_other_us + t.cpu_us + t.worker_io_us) / self.pool } else { n * t.worker_held_us / self.pool };
        // The official client's own pool: each node request of a concurrent batch holds one of its threads.
        let pool_floor = pool_floor.max(n * t.client_pool_us / self.client_pool);
        // Every CPU step, GIL-held or not, runs on one of the cores.
        let cpu_floor = (n * t.cpu_us / c).max(n * (t.cpu_us + t.gil_us()) / self.all_cores);
        let floor = gil_floor.max(pool_floor).max(cpu_floor);
        let mut extra_gil = 0.0;
        if r < floor {
            if cpu_floor >= gil_floor && cpu_floor >= pool_floor {
                // Waiting for a core. Not fed back into the cores' queue
                // length: that would swing the next population's residence
                // far above the floor and back (the recursion oscillates);
                // the floor holds at every population instead.
            } else if gil_floor >= pool_floor {
                extra_gil = floor - r;
            } else {
                queue_wait += floor - r;
            }
        }
        let r = r.max(floor);
        let x = n / r;
        let next = State { q_gil: x * (r_gil_loop + r_gil_other + extra_gil), q_cpu: x * r_cpu_q, q_pool: x * r_pool_q, x };
        let queued = x * queue_wait.max(0.0);
        let point = MvaPoint {
            concurrency: n as u32,
            throughput: x * 1e6,
            latency_ms: r / 1e3,
            gil_utilization: (x * t.gil_us()).min(1.0),
            gil_wait_ms: ((r_gil_loop + r_gil_other + extra_gil - t.gil_us()) + convoy) / 1e3,
            in_flight: (n - queued).max(0.0),
            queued,
            exact: true,
        };
        (point, next)
    }
    // ANCHOR_END: step
}

/// Solve one pattern at each requested concurrency (any order, any repeats).
pub fn solve(pattern: Pattern, p: &Params, s: &Scenario, ns: &[u32]) -> Vec<MvaPoint> {
    let net = Net::new(pattern, p, s);
    let n_max = ns.iter().copied().max().unwrap_or(0);
    let exact_to = n_max.min(EXACT_LIMIT);
    let mut exact_points = Vec::with_capacity(exact_to as usize);
    let mut state = State::default();
    for n in 1..=exact_to {
        let (pt, next) = net.step(n as f64, state);
        exact_points.push(pt);
        state = next;
    }
    ns.iter()
        .map(|&n| {
            if n == 0 {
                return MvaPoint {
                    concurrency: 0,
                    throughput: 0.0,
                    latency_ms: 0.0,
                    gil_utilization: 0.0,
                    gil_wait_ms: 0.0,
                    in_flight: 0.0,
                    queued: 0.0,
                    exact: true,
                };
            }
            if n <= EXACT_LIMIT {
                return exact_points[n as usize - 1];
            }
            schweitzer_point(&net, n, state, exact_to)
        })
        .collect()
}

/// Bard–Schweitzer fixed point at population n, started from the exact
/// state at `from` scaled up to n.
fn schweitzer_point(net: &Net, n: u32, start: State, from: u32) -> MvaPoint {
    let nf = n as f64;
    let scale = if from > 0 { nf / from as f64 } else { 1.0 };
    let mut st = start.scaled(scale);
    let shrink = (nf - 1.0) / nf;
    let mut point = net.step(nf, st).0;
    for _ in 0..5_000 {
        let (pt, next) = net.step(nf, st.scaled(shrink));
        // Damped update: the undamped map can oscillate when two stations
        // (GIL and pool) both saturate.
        let mixed = State {
            q_gil: 0.5 * (st.q_gil + next.q_gil),
            q_cpu: 0.5 * (st.q_cpu + next.q_cpu),
            q_pool: 0.5 * (st.q_pool + next.q_pool),
            x: 0.5 * (st.x + next.x),
        };
        let delta = ((mixed.q_gil - st.q_gil).abs() + (mixed.q_cpu - st.q_cpu).abs() + (mixed.q_pool - st.q_pool).abs()) / nf;
        st = mixed;
        point = pt;
        if delta < 1e-11 {
            break;
        }
    }
    point.exact = false;
    point
}

/// Upper bounds on throughput (requests/s) that hold whatever the concurrency.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bounds {
    /// 1 / GIL demand per request: no pattern can exceed it.
    pub gil_ceiling: f64,
    /// P / worker holding time (executor only): the pool cap, at most P / W.
    pub pool_cap: Option<f64>,
    /// The official client's own pool over the time a concurrent batch holds its threads (such a batch only).
    pub client_pool_cap: Option<f64>,
    /// N / (total demand): what N callers could do with no queueing at all.
    pub no_queueing: f64,
    /// Cores / CPU work per request (GIL-held and not): what the CPU quota allows.
    pub cpu_cap: f64,
}

impl Bounds {
    /// The lowest of the bounds that do not depend on the callers, and its name:
    /// "pool", "client-pool", "cpu" or "gil".
    pub fn binding(&self) -> (f64, &'static str) {
        let pool = self.pool_cap.unwrap_or(f64::INFINITY);
        let client = self.client_pool_cap.unwrap_or(f64::INFINITY);
        if client < pool && client <= self.cpu_cap && client <= self.gil_ceiling {
            (client, "client-pool")
        } else if pool <= self.cpu_cap && pool <= self.gil_ceiling {
            (pool, "pool")
        } else if self.cpu_cap < self.gil_ceiling {
            (self.cpu_cap, "cpu")
        } else {
            (self.gil_ceiling, "gil")
        }
    }
}

/// Asymptotic bounds of a pattern at `s`.
pub fn bounds(pattern: Pattern, p: &Params, s: &Scenario) -> Bounds {
    let net = Net::new(pattern, p, s);
    let t = net.t;
    let n = s.concurrency as f64;
    let convoy = net.convoy_acquisitions * net.convoy_us;
    let gil_ceiling = if pattern == Pattern::Sync { 1e6 / (t.total_us() + convoy) } else { 1e6 / t.gil_us() };
    // The smallest holding time a worker can have: its own GIL and CPU work
    // and the I/O wait, with no queueing and no wake-up.
    let pool_cap = if pattern.pooled() {
        Some(net.pool * 1e6 / (t.gil_other_us + t.cpu_us + t.worker_io_us))
    } else {
        (t.worker_held_us > 0.0).then(|| net.pool * 1e6 / t.worker_held_us)
    };
    let client_pool_cap = (t.client_pool_us > 0.0).then(|| net.client_pool * 1e6 / t.client_pool_us);
    let no_queueing = if pattern == Pattern::Sync { 1e6 / (t.total_us() + convoy) } else { n * 1e6 / (t.total_us() + convoy) };
    let cpu_cap = if pattern == Pattern::Sync { gil_ceiling } else { net.all_cores * 1e6 / (t.gil_us() + t.cpu_us) };
    Bounds { gil_ceiling, pool_cap, client_pool_cap, no_queueing, cpu_cap }
}
