//! One call from scenario to every output the site shows: throughput, latency, GIL, threads, memory.

use serde::{Deserialize, Serialize};

use crate::memory::{self, Memory};
use crate::mva::{self, Bounds};
use crate::open::{self, Limit};
use crate::sim::{self, ServiceDist, SimConfig};
use crate::{ModelError, Params, Pattern, Scenario};

/// Which solver produced a prediction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Solver {
    /// Mean Value Analysis: means only, instant.
    Analytic,
    /// The discrete-event simulator: means and percentiles.
    Sim,
}

/// Latency in ms. Percentiles are `None` from the analytic solver, which
/// computes means only.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Latency {
    pub mean: f64,
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    pub p99: Option<f64>,
    pub p999: Option<f64>,
}

/// Everything the model says about one pattern at one scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prediction {
    pub pattern: Pattern,
    pub solver: Solver,
    pub concurrency: u32,
    pub io_wait_ms: f64,
    pub throughput_ops_s: f64,
    pub latency_ms: Latency,
    /// Share of time the GIL is held by request work.
    pub gil_utilization: f64,
    /// Mean time a request waits for the GIL, ms.
    pub gil_wait_ms: f64,
    pub threads: u32,
    pub in_flight: f64,
    pub queued: f64,
    pub memory_mib: Memory,
    pub bounds: Bounds,
    /// GIL acquisitions and thread hops on one request's path.
    pub gil_acquisitions: u32,
    pub thread_hops: u32,
    /// Open load only (the scenario sets `arrival_rate`): stability,
    /// capacity and what happened to late requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open: Option<OpenOutcome>,
}

/// What an arrival rate does to a pattern. When it is not `stable`, the
/// latency figures are those of a queue still growing (the simulator's
/// window) or infinite (the analytic solver), and only the growth means much.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OpenOutcome {
    pub arrival_rate: f64,
    pub stable: bool,
    /// The largest arrival rate the pattern sustains (analytic, both solvers report it), requests/s.
    pub capacity_ops_s: f64,
    /// What saturates at that rate.
    pub limit: Limit,
    /// Requests added to the backlog per second: arrival rate less capacity
    /// (analytic), or measured over the window (simulator).
    pub backlog_growth_per_s: f64,
    /// Memory the growing backlog adds per second, MiB.
    pub memory_growth_mib_per_s: f64,
    /// Requests answered within the timeout per second (with a timeout).
    pub goodput_ops_s: Option<f64>,
    /// Share not answered within the timeout (with a timeout).
    pub timed_out: Option<f64>,
}

/// Simulation length for a scenario: long enough that every caller has
/// cycled at least twice after a warm-up of two cycles.
pub fn sim_config(s: &Scenario, seed: u64) -> SimConfig {
    let n = s.concurrency as u64;
    SimConfig {
        seed,
        requests: (20_000u64).max(2 * n).min(sim::MAX_REQUESTS / 2),
        warmup: (2_000u64).max(2 * n).min(sim::MAX_REQUESTS / 2),
        dist: ServiceDist::Measured,
        trace_ms: 0.0,
        burst: false,
        follow: false,
        every_handoff: false,
    }
}

/// How long a short steady-state run is, in requests: the figures that run
/// many simulations (a curve, a map, a card per pattern) keep each one short.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShortRun {
    /// Measured requests: max(`min`, N), at most `cap`.
    pub min: u64,
    pub cap: u64,
    /// The warm-up is one cycle of the N callers: max(`warmup_min`, N), at most `warmup_cap`.
    pub warmup_min: u64,
    pub warmup_cap: u64,
}

/// A simulation that warms up for one cycle of the callers, then measures a
/// bounded number of requests (see [`ShortRun`]).
pub fn short_run(s: &Scenario, seed: u64, run: ShortRun) -> SimConfig {
    let n = s.concurrency as u64;
    SimConfig { requests: n.clamp(run.min, run.cap), warmup: n.clamp(run.warmup_min, run.warmup_cap), ..sim_config(s, seed) }
}

/// Predict one pattern at one scenario.
pub fn predict(pattern: Pattern, p: &Params, s: &Scenario, solver: Solver, seed: u64) -> Result<Prediction, ModelError> {
    p.validate()?;
    s.validate()?;
    if s.workers > 1 {
        // Every worker is the same process at its share of the load (its
        // share of the quota may be below the smallest quota a reader sets).
        return Ok(predict_valid(pattern, p, &s.per_worker(), solver, seed)?.for_workers(s));
    }
    predict_valid(pattern, p, s, solver, seed)
}

/// [`predict`] of a scenario already checked.
fn predict_valid(pattern: Pattern, p: &Params, s: &Scenario, solver: Solver, seed: u64) -> Result<Prediction, ModelError> {
    if let Some(rate) = s.arrival_rate {
        return predict_open(pattern, p, s, solver, seed, rate);
    }
    let base = base(pattern, p, s, solver);
    Ok(match solver {
        Solver::Analytic => {
            let m = mva::solve(pattern, p, s, &[s.concurrency])[0];
            Prediction {
                throughput_ops_s: m.throughput,
                latency_ms: Latency { mean: m.latency_ms, ..base.latency_ms },
                gil_utilization: m.gil_utilization,
                gil_wait_ms: m.gil_wait_ms,
                in_flight: m.in_flight,
                queued: m.queued,
                ..base
            }
        }
        Solver::Sim => from_sim(base, &sim::simulate(pattern, p, s, &sim_config(s, seed))?),
    })
}

impl Prediction {
    /// One worker's prediction as the service's: `s.workers` such workers
    /// side by side. Rates, threads, requests held and memory add up; the
    /// latency and each worker's GIL are one worker's.
    fn for_workers(self, s: &Scenario) -> Prediction {
        let k = f64::from(s.workers.max(1));
        let resident = self.memory_mib.resident * k;
        let b = self.bounds;
        Prediction {
            concurrency: s.concurrency,
            throughput_ops_s: self.throughput_ops_s * k,
            threads: self.threads * s.workers.max(1),
            in_flight: self.in_flight * k,
            queued: self.queued * k,
            memory_mib: Memory { resident, reserved: self.memory_mib.reserved * k, exceeds_pod_limit: resident > s.pod_limit_mib },
            bounds: Bounds {
                gil_ceiling: b.gil_ceiling * k,
                pool_cap: b.pool_cap.map(|c| c * k),
                client_pool_cap: b.client_pool_cap.map(|c| c * k),
                no_queueing: b.no_queueing * k,
                cpu_cap: b.cpu_cap * k,
            },
            open: self.open.map(|o| OpenOutcome {
                arrival_rate: o.arrival_rate * k,
                capacity_ops_s: o.capacity_ops_s * k,
                backlog_growth_per_s: o.backlog_growth_per_s * k,
                memory_growth_mib_per_s: o.memory_growth_mib_per_s * k,
                goodput_ops_s: o.goodput_ops_s.map(|g| g * k),
                ..o
            }),
            ..self
        }
    }
}

/// What every prediction of `pattern` at `s` carries whatever the solver:
/// the path's counts, the threads and memory at the scenario's concurrency, the bounds.
fn base(pattern: Pattern, p: &Params, s: &Scenario, solver: Solver) -> Prediction {
    let path = crate::pattern::totals(&crate::pattern::steps(pattern, p, s));
    Prediction {
        pattern,
        solver,
        concurrency: s.concurrency,
        io_wait_ms: s.io_wait_ms,
        throughput_ops_s: 0.0,
        latency_ms: Latency { mean: 0.0, p50: None, p95: None, p99: None, p999: None },
        gil_utilization: 0.0,
        gil_wait_ms: 0.0,
        threads: memory::threads(pattern, p, s).total(),
        in_flight: 0.0,
        queued: 0.0,
        memory_mib: memory::memory(pattern, p, s),
        bounds: mva::bounds(pattern, p, s),
        gil_acquisitions: path.gil_acquisitions,
        thread_hops: path.thread_hops,
        open: None,
    }
}

/// A prediction filled in from a simulation.
fn from_sim(base: Prediction, r: &sim::SimResult) -> Prediction {
    Prediction {
        throughput_ops_s: r.throughput,
        latency_ms: Latency {
            mean: r.latency_ms.mean,
            p50: Some(r.latency_ms.p50),
            p95: Some(r.latency_ms.p95),
            p99: Some(r.latency_ms.p99),
            p999: Some(r.latency_ms.p999),
        },
        gil_utilization: r.gil_utilization,
        gil_wait_ms: r.gil_wait_ms,
        in_flight: r.in_flight,
        queued: r.queued,
        ..base
    }
}

/// Analytic predictions of one pattern across concurrencies, in one pass.
pub fn predict_curve(pattern: Pattern, p: &Params, s: &Scenario, ns: &[u32]) -> Result<Vec<Prediction>, ModelError> {
    p.validate()?;
    s.validate()?;
    for &n in ns {
        Scenario { concurrency: n, ..*s }.validate()?;
    }
    let path = crate::pattern::totals(&crate::pattern::steps(pattern, p, s));
    Ok(mva::solve(pattern, p, s, ns)
        .into_iter()
        .map(|m| {
            let sn = Scenario { concurrency: m.concurrency, ..*s };
            Prediction {
                pattern,
                solver: Solver::Analytic,
                concurrency: m.concurrency,
                io_wait_ms: s.io_wait_ms,
                throughput_ops_s: m.throughput,
                latency_ms: Latency { mean: m.latency_ms, p50: None, p95: None, p99: None, p999: None },
                gil_utilization: m.gil_utilization,
                gil_wait_ms: m.gil_wait_ms,
                threads: memory::threads(pattern, p, &sn).total(),
                in_flight: m.in_flight,
                queued: m.queued,
                memory_mib: memory::memory(pattern, p, &sn),
                bounds: mva::bounds(pattern, p, &sn),
                gil_acquisitions: path.gil_acquisitions,
                thread_hops: path.thread_hops,
                open: None,
            }
        })
        .collect())
}

/// Predict one pattern under an open load of `rate` requests per second.
/// Threads and memory follow the requests in the process (Little's law);
/// past capacity, those after one second of overload.
fn predict_open(pattern: Pattern, p: &Params, s: &Scenario, solver: Solver, seed: u64, rate: f64) -> Result<Prediction, ModelError> {
    let a = open::solve(pattern, p, s, rate);
    let growth_mib = |g: f64| g * p.request_kib / 1024.0;
    let outcome = OpenOutcome {
        arrival_rate: rate,
        stable: a.stable,
        capacity_ops_s: a.capacity,
        limit: a.limit,
        backlog_growth_per_s: a.backlog_growth_per_s,
        memory_growth_mib_per_s: growth_mib(a.backlog_growth_per_s),
        goodput_ops_s: a.within_timeout.map(|w| w * rate),
        timed_out: a.within_timeout.map(|w| 1.0 - w),
    };
    let base = base(pattern, p, s, solver);
    let (pred, in_process) = match solver {
        Solver::Analytic => {
            // Unstable: no finite latency; the requests in the process after one second.
            let lat = a.latency_ms;
            let inf = f64::INFINITY;
            let in_process = a.in_flight.unwrap_or(a.backlog_growth_per_s);
            let queued = a.queued.unwrap_or(a.backlog_growth_per_s);
            let pr = Prediction {
                throughput_ops_s: a.throughput,
                latency_ms: Latency {
                    mean: lat.map_or(inf, |l| l.mean),
                    p50: Some(lat.map_or(inf, |l| l.p50)),
                    p95: None,
                    p99: Some(lat.map_or(inf, |l| l.p99)),
                    p999: None,
                },
                gil_utilization: a.gil_utilization,
                gil_wait_ms: a.gil_wait_ms.unwrap_or(inf),
                in_flight: (in_process - queued).max(0.0),
                queued,
                threads: 0,
                open: Some(outcome),
                ..base
            };
            (pr, in_process)
        }
        Solver::Sim => {
            let r = sim::simulate(pattern, p, s, &sim_config(s, seed))?;
            let o = r.open.expect("an open load's run reports its window");
            // Keeping up: at least 98% of the window's arrivals answered
            // within it (a stable queue near saturation drifts by less). With a
            // timeout, dropped requests are not answers: a pool that cancels
            // late work keeps its backlog bounded but may answer almost nobody.
            let stable = r.throughput >= 0.98 * o.arrival_rate;
            let growth = if stable { 0.0 } else { o.backlog_growth_per_s.max(0.0) };
            let in_process = if stable { r.in_flight + r.queued } else { o.backlog_end as f64 };
            let outcome = OpenOutcome {
                stable,
                backlog_growth_per_s: growth,
                memory_growth_mib_per_s: growth_mib(growth),
                goodput_ops_s: o.goodput,
                timed_out: o.timed_out,
                ..outcome
            };
            (Prediction { open: Some(outcome), ..from_sim(base, &r) }, in_process)
        }
    };
    let sn = Scenario { concurrency: (in_process.ceil() as u32).clamp(1, 100_000), ..*s };
    let threads = if pred.threads > 0 { pred.threads } else { memory::threads(pattern, p, &sn).total() };
    Ok(Prediction { threads, memory_mib: memory::memory(pattern, p, &sn), ..pred })
}
