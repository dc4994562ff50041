//! Open load: requests arriving at a rate (Poisson), solved station by station with Erlang C, its waiting-time tail and a stability test.
//!
//! A closed loop of N callers can never overload anything: when a resource
//! is full the callers wait, so throughput flattens. Requests that arrive at
//! a rate λ whatever is in progress are different: a resource with c servers
//! each busy S per request is stable only while λ·S < c, and near that rate
//! its queue grows like 1/(1−ρ). This module treats a pattern's path
//! ([`crate::pattern::steps`]) as an open network of such stations:
//!
//! * the **GIL**: one server, visited once per separate hold, with the
//!   holds' own variability (near-constant holds wait about half as long as
//!   exponential ones);
//! * the **cores**: the GIL-free CPU on c servers;
//! * the **executor pool** (executor; the callers' threads for sync): P
//!   servers, each held for the worker's whole part of the path, its GIL
//!   and core waits and the I/O wait included;
//! * the I/O wait and wake-ups are delays, as in [`crate::mva`].
//!
//! Each station's wait is Erlang C's probability of waiting, C(c, a), times
//! an exponential tail, scaled by Allen and Cunneen's (1 + cv²)/2 for a
//! service time that is not exponential (cv² is its squared coefficient of
//! variation: 1 for exponential, 0 for constant). With c = 1 that is exactly
//! the Pollaczek–Khinchine mean; with exponential service it is exactly
//! M/M/c. A pattern is **unstable** at λ when any station's utilisation
//! reaches 1; its capacity is the largest λ at which it is stable, and past
//! it the backlog grows by λ − capacity requests every second.

use serde::Serialize;

use crate::mva::Net;
use crate::pattern::{self, Pattern, Role};
use crate::{Params, Scenario};

/// Erlang C: the probability that an arrival waits at a station of `c`
/// servers offered `a` = λ·S erlangs (requires a < c), by the stable
/// Erlang B recursion B(k) = a·B(k−1) / (k + a·B(k−1)).
pub fn erlang_c(c: u32, a: f64) -> f64 {
    if a <= 0.0 {
        return 0.0;
    }
    let cf = c as f64;
    if a >= cf {
        return 1.0;
    }
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (k as f64 + a * b);
    }
    (cf * b / (cf - a * (1.0 - b))).clamp(0.0, 1.0)
}

/// The wait before service at one station: zero with probability 1 − `p`,
/// else exponential with mean `mean / p` (times in µs).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Wait {
    /// Probability of waiting at all.
    pub p: f64,
    /// Mean wait over all arrivals, µs.
    pub mean: f64,
}

impl Wait {
    pub(crate) const NONE: Wait = Wait { p: 0.0, mean: 0.0 };

    /// Decay rate of the waiting tail, per µs: P(W > t) = p·exp(−rate·t).
    pub fn rate(&self) -> f64 {
        if self.mean > 0.0 {
            self.p / self.mean
        } else {
            f64::INFINITY
        }
    }

    /// The sum of `k` such waits at one station (a request that visits it
    /// `k` times), as one wait of the same shape: it waits at least once
    /// with probability 1 − (1 − p)^k, and its mean is k times the mean.
    pub fn times(self, k: f64) -> Wait {
        Wait { p: 1.0 - (1.0 - self.p).powf(k), mean: self.mean * k }
    }
}

/// A station of `c` servers, each busy `s_us` per visit, visited at `rate`
/// per µs, its service time's squared coefficient of variation `scv`, under
/// Poisson arrivals. `None` when the station is saturated (λ·S ≥ c).
pub fn station(c: u32, s_us: f64, scv: f64, rate: f64) -> Option<Wait> {
    station_g(c, s_us, 1.0, scv, rate)
}

/// The same, arrivals whose gaps have squared coefficient of variation
/// `arrival_scv`: Allen and Cunneen's (ca² + cs²)/2 in place of (1 + cs²)/2.
pub fn station_g(c: u32, s_us: f64, arrival_scv: f64, scv: f64, rate: f64) -> Option<Wait> {
    if s_us <= 0.0 || rate <= 0.0 {
        return Some(Wait::NONE);
    }
    let a = rate * s_us;
    if a >= c as f64 {
        return None;
    }
    let p = erlang_c(c, a);
    // M/M/c mean wait: C / (cμ − λ); Allen–Cunneen scales it by (ca² + cs²)/2
    // for general arrivals and service (Poisson arrivals have ca² = 1).
    let mean = p / (c as f64 / s_us - rate) * (arrival_scv + scv) / 2.0;
    Some(Wait { p, mean })
}

/// P(X > t) for X = E + W: `E` exponential with mean `jitter_us` (0 for
/// none) and `W` a [`Wait`]; times in µs, t ≥ 0.
pub fn tail(t: f64, jitter_us: f64, w: Wait) -> f64 {
    if t < 0.0 {
        return 1.0;
    }
    let theta = w.rate();
    let wait_tail = |t: f64| if theta.is_finite() { w.p * (-theta * t).exp() } else { 0.0 };
    if jitter_us <= 0.0 {
        return wait_tail(t);
    }
    let beta = 1.0 / jitter_us;
    let none = (1.0 - w.p) * (-beta * t).exp();
    if !theta.is_finite() || w.p == 0.0 {
        return none;
    }
    // The sum of two exponentials (hypoexponential), or Erlang-2 when equal.
    let both = if ((beta - theta) / beta).abs() < 1e-9 {
        (1.0 + theta * t) * (-theta * t).exp()
    } else {
        (beta * (-theta * t).exp() - theta * (-beta * t).exp()) / (beta - theta)
    };
    none + w.p * both
}

/// The `q` quantile of X = E + W (see [`tail`]), µs, by bisection.
pub fn quantile(q: f64, jitter_us: f64, w: Wait) -> f64 {
    let target = 1.0 - q;
    if tail(0.0, jitter_us, w) <= target {
        return 0.0;
    }
    let mut hi = (jitter_us + w.mean / w.p.max(1e-12)).max(1e-9);
    while tail(hi, jitter_us, w) > target && hi < 1e15 {
        hi *= 2.0;
    }
    let mut lo = 0.0;
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if tail(mid, jitter_us, w) > target {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-9 * hi.max(1.0) {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// What saturates first as the arrival rate grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Limit {
    /// The one calling thread (sync), or the callers' threads (sync + threads).
    Thread,
    /// The executor's pool of workers.
    Pool,
    /// The GIL.
    Gil,
    /// The cores, for the GIL-free CPU.
    Cores,
    /// The Tokio workers.
    Workers,
    /// The official client's own thread pool (a concurrent batch's node requests).
    ClientPool,
}

impl Limit {
    pub fn label(self) -> &'static str {
        match self {
            Limit::Thread => "the calling thread",
            Limit::Pool => "the thread pool",
            Limit::Gil => "the GIL",
            Limit::Cores => "the cores",
            Limit::Workers => "the Tokio workers",
            Limit::ClientPool => "the official client's thread pool",
        }
    }
}

/// Mean and percentiles of the time from a request's arrival to its answer, ms.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OpenLatency {
    pub mean: f64,
    pub p50: f64,
    pub p99: f64,
}

/// The analytic solution of one pattern under an open load.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OpenPoint {
    /// Requests arriving per second.
    pub arrival_rate: f64,
    /// Whether every station's utilisation stays below 1 at this rate.
    pub stable: bool,
    /// The largest arrival rate at which the pattern is stable, requests/s.
    pub capacity: f64,
    /// The station that saturates at that rate.
    pub limit: Limit,
    /// Requests answered per second: the arrival rate when stable, else the capacity.
    pub throughput: f64,
    /// `None` when unstable: the queue, and every percentile, grows without bound.
    pub latency_ms: Option<OpenLatency>,
    /// Requests added to the backlog each second (0 when stable).
    pub backlog_growth_per_s: f64,
    /// Requests in the process on average: λ·R (Little's law); `None` when unstable.
    pub in_flight: Option<f64>,
    /// Of those, requests waiting in the executor's work queue (or for the calling thread).
    pub queued: Option<f64>,
    /// Share of time the GIL is held by request work (0–1).
    pub gil_utilization: f64,
    /// Share of the pool's workers busy (executor, sync + threads).
    pub pool_utilization: Option<f64>,
    /// Mean time a request waits for the GIL, ms (`None` when unstable).
    pub gil_wait_ms: Option<f64>,
    /// P(answer within the scenario's timeout), if it sets one and the pattern is stable.
    pub within_timeout: Option<f64>,
}

/// GIL holds per request on each kind of thread (the loop or caller, and the others).
fn holds_by_role(pattern: Pattern, p: &Params, s: &Scenario) -> (f64, f64, Vec<f64>) {
    let path = pattern::steps(pattern, p, &s.for_solver(pattern));
    let holds = pattern::gil_holds(&path);
    let (mut own, mut other) = (0.0, 0.0);
    let mut prev: Option<&pattern::Step> = None;
    for st in &path {
        if st.work.holds_gil() && !prev.is_some_and(|p| p.role == st.role && p.work.holds_gil()) {
            if matches!(st.role, Role::Loop | Role::Caller) {
                own += 1.0;
            } else {
                other += 1.0;
            }
        }
        prev = Some(st);
    }
    (own, other, holds)
}

/// Everything about a pattern at one arrival rate, or the station that saturates.
struct Eval {
    r_us: f64,
    /// Constant part of the response time and the exponential part of the I/O wait, µs.
    base_us: f64,
    jitter_us: f64,
    /// The waits, largest first by mean.
    waits: Vec<Wait>,
    gil_wait_us: f64,
    pool_wait_us: f64,
    gil_u: f64,
    pool_u: Option<f64>,
}

fn eval(pattern: Pattern, p: &Params, s: &Scenario, lambda_s: f64) -> Result<Eval, Limit> {
    // The path of an open load (each arriving request starts in its own task).
    let s = &Scenario { arrival_rate: Some(lambda_s), ..*s };
    let net = Net::new(pattern, p, s);
    let t = net.t;
    let lam = lambda_s / 1e6;
    let jitter = t.io_us * p.io_jitter;
    let io_scv_num = jitter * jitter;
    let convoy_per = net.convoy_us;
    let (k_own, k_other, holds) = holds_by_role(pattern, p, s);
    let k = (k_own + k_other).max(1.0);
    // Every station sees the arrivals' burstiness (the visits of one request follow its arrival).
    let ca = s.arrival_scv();
    let station = |c: u32, s_us: f64, scv: f64, rate: f64| station_g(c, s_us, ca, scv, rate);
    if pattern == Pattern::Sync {
        // One thread runs everything, requests one after another: one server.
        let s_us = t.total_us() + net.convoy_acquisitions * convoy_per;
        let w = station(1, s_us, io_scv_num / (s_us * s_us), lam).ok_or(Limit::Thread)?;
        return Ok(Eval {
            r_us: s_us + w.mean,
            base_us: s_us - jitter,
            jitter_us: jitter,
            waits: vec![w],
            gil_wait_us: net.convoy_acquisitions * convoy_per,
            pool_wait_us: w.mean,
            gil_u: (lam * t.gil_us()).min(1.0),
            pool_u: Some(lam * s_us),
        });
    }
    // The GIL: one server, one visit per hold.
    let g = t.gil_us();
    let gil_u = lam * g;
    let w_gil = if g > 0.0 {
        let h = g / k;
        let mean_sq = holds.iter().map(|x| x * x).sum::<f64>() / holds.len().max(1) as f64;
        let scv = (mean_sq / (h * h) - 1.0).max(0.0);
        station(1, h, scv, lam * k).ok_or(Limit::Gil)?
    } else {
        Wait::NONE
    };
    // The cores (constant work: cv² = 0). The GIL-free CPU has at most as
    // many cores as threads to run it; and every CPU step, the GIL-held ones
    // too, shares all the cores. The longer of the two waits counts.
    let w_own = station(net.cores.round().max(1.0) as u32, t.cpu_us, 0.0, lam).ok_or(Limit::Cores)?;
    let w_all = station(net.all_cores.round().max(1.0) as u32, t.cpu_us + g, 0.0, lam).ok_or(Limit::Cores)?;
    let w_cpu = if w_all.mean > w_own.mean { w_all } else { w_own };
    // Wake-ups are paid when the woken thread was idle, as in the closed solver.
    let loop_idle = (1.0 - lam * t.gil_loop_us).clamp(0.0, 1.0);
    let other_busy = match pattern {
        Pattern::Executor | Pattern::Threadpool | Pattern::SyncThreads => t.worker_held_us,
        _ => t.gil_other_us + t.cpu_us,
    };
    let other_idle = (1.0 - lam * other_busy / net.threads).clamp(0.0, 1.0);
    let wakes = t.wake_loop_us * loop_idle + (t.wake_us - t.wake_loop_us) * other_idle;
    let gil_wait_other = w_gil.mean * k_other + k_other * convoy_per;
    let gil_wait_own = w_gil.mean * k_own + k_own * convoy_per;
    let mut pool_wait = Wait::NONE;
    let mut pool_u = None;
    match pattern {
        Pattern::Executor | Pattern::Threadpool | Pattern::SyncThreads => {
            // A worker is held for its whole part, its own waits included.
            let (servers, held) = if pattern.pooled() {
                (net.pool, t.gil_other_us + gil_wait_other + t.cpu_us + w_cpu.mean + t.worker_io_us + (t.wake_us - t.wake_loop_us) * other_idle)
            } else {
                // Sync + threads: each caller thread runs the whole path.
                (net.threads, t.total_us() + w_gil.mean * k + k * convoy_per + w_cpu.mean)
            };
            let c = servers.round().max(1.0) as u32;
            pool_u = Some(lam * held / c as f64);
            let limit = if pattern.pooled() { Limit::Pool } else { Limit::Thread };
            pool_wait = station(c, held, io_scv_num / (held * held), lam).ok_or(limit)?;
        }
        Pattern::Tokio => {
            // Tokio workers run the GIL-free part only: the GIL hold that
            // delivers the result runs on the blocking pool (hundreds of
            // threads, so it never runs out of them before the GIL saturates).
            // A worker waits only for the cores its own GIL-free work can use.
            let busy = t.cpu_us - t.worker_cpu_us + w_own.mean;
            if lam * busy >= s.tokio_worker_count() as f64 {
                return Err(Limit::Workers);
            }
            // Work it offloads holds a thread of the executor's pool for its part.
            if t.worker_held_us > 0.0 {
                let c = net.pool.round().max(1.0) as u32;
                pool_u = Some(lam * t.worker_held_us / c as f64);
                pool_wait = station(c, t.worker_held_us, 0.0, lam).ok_or(Limit::Pool)?;
            }
        }
        Pattern::Sync => unreachable!("handled above"),
    }
    // The official client's thread pool: a concurrent batch sends each node
    // request from one of its threads, held for that node's wait. Its mean
    // queueing adds to the batch's wait for its slowest node.
    let client_pool_wait = if t.client_pool_us > 0.0 {
        let nodes = t.client_pool_us / t.io_us.max(1e-9);
        let each = t.client_pool_us / nodes.max(1e-9);
        station(p.official_thread_pool.round().max(1.0) as u32, each, io_scv_num / (t.io_us * t.io_us).max(1e-9), lam * nodes)
            .ok_or(Limit::ClientPool)?
    } else {
        Wait::NONE
    };
    let gil_wait_us = if pattern == Pattern::SyncThreads { w_gil.mean * k + k * convoy_per } else { gil_wait_own + gil_wait_other };
    let fixed = t.total_us() - t.wake_us + wakes;
    let r_us = fixed + gil_wait_us + w_cpu.mean + pool_wait.mean + client_pool_wait.mean;
    let mut waits = vec![w_gil.times(k), w_cpu, pool_wait, client_pool_wait];
    waits.sort_by(|a, b| b.mean.total_cmp(&a.mean));
    Ok(Eval { r_us, base_us: fixed - jitter + k * convoy_per, jitter_us: jitter, waits, gil_wait_us, pool_wait_us: pool_wait.mean, gil_u, pool_u })
}

/// The largest arrival rate at which `pattern` is stable under an open load, and what saturates there.
pub fn capacity(pattern: Pattern, p: &Params, s: &Scenario) -> (f64, Limit) {
    let mut hi = 1.0;
    while eval(pattern, p, s, hi).is_ok() && hi < 1e12 {
        hi *= 2.0;
    }
    let mut limit = eval(pattern, p, s, hi).err().unwrap_or(Limit::Gil);
    let mut lo = hi / 2.0;
    if eval(pattern, p, s, lo).is_err() {
        lo = 0.0;
    }
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        match eval(pattern, p, s, mid) {
            Ok(_) => lo = mid,
            Err(l) => {
                hi = mid;
                limit = l;
            }
        }
        if hi - lo <= 1e-9 * hi {
            break;
        }
    }
    // A pool whose workers spend their time queueing for the GIL saturates
    // because of the GIL: name the root. (The pool is the station that
    // fills first, its holding time inflated by GIL waits.)
    if limit == Limit::Pool {
        let s = &Scenario { arrival_rate: Some(lo.max(1e-9)), ..*s };
        let g = pattern::totals(&pattern::steps(pattern, p, s)).gil_us();
        if lo * g / 1e6 >= GIL_BOUND {
            limit = Limit::Gil;
        }
    }
    (lo, limit)
}

/// A pool that saturates while the GIL is busy at least this share of the
/// time is reported as bound by the GIL.
pub(crate) const GIL_BOUND: f64 = 0.9;

/// Solve `pattern` under an open load of `rate` requests per second (whatever `s.arrival_rate` says).
pub fn solve(pattern: Pattern, p: &Params, s: &Scenario, rate: f64) -> OpenPoint {
    let (cap, limit) = capacity(pattern, p, s);
    let base = OpenPoint {
        arrival_rate: rate,
        stable: false,
        capacity: cap,
        limit,
        throughput: cap.min(rate),
        latency_ms: None,
        backlog_growth_per_s: (rate - cap).max(0.0),
        in_flight: None,
        queued: None,
        gil_utilization: 0.0,
        pool_utilization: None,
        gil_wait_ms: None,
        within_timeout: None,
    };
    let net = Net::new(pattern, p, &Scenario { arrival_rate: Some(rate), ..*s });
    let Ok(e) = eval(pattern, p, s, rate) else {
        return OpenPoint {
            gil_utilization: (cap * net.t.gil_us() / 1e6).min(1.0),
            pool_utilization: matches!(pattern, Pattern::Executor | Pattern::Threadpool | Pattern::SyncThreads | Pattern::Sync).then_some(1.0),
            ..base
        };
    };
    // Percentiles: the constant part, the I/O wait's exponential part and
    // the largest wait in full; the other waits at their means.
    let dominant = e.waits.first().copied().unwrap_or(Wait::NONE);
    let others: f64 = e.waits.iter().skip(1).map(|w| w.mean).sum();
    let shift = e.base_us + others;
    let at = |q: f64| (shift + quantile(q, e.jitter_us, dominant)) / 1e3;
    let lam = rate / 1e6;
    OpenPoint {
        stable: true,
        throughput: rate,
        latency_ms: Some(OpenLatency { mean: e.r_us / 1e3, p50: at(0.5), p99: at(0.99) }),
        backlog_growth_per_s: 0.0,
        in_flight: Some(lam * e.r_us),
        queued: Some(lam * e.pool_wait_us),
        gil_utilization: e.gil_u.min(1.0),
        pool_utilization: e.pool_u,
        gil_wait_ms: Some(e.gil_wait_us / 1e3),
        within_timeout: s.timeout_ms.map(|t| 1.0 - tail(t * 1e3 - shift, e.jitter_us, dominant).min(1.0)),
        ..base
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erlang_c_of_one_server_is_its_utilisation() {
        for a in [0.1, 0.5, 0.9] {
            assert!((erlang_c(1, a) - a).abs() < 1e-12);
        }
    }
}
