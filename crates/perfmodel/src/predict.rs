//! One call from scenario to every output the site shows: throughput, latency, GIL, threads, memory.

use serde::{Deserialize, Serialize};

use crate::memory::{self, Memory};
use crate::mva::{self, Bounds};
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
pub fn predict(
    pattern: Pattern,
    p: &Params,
    s: &Scenario,
    solver: Solver,
    seed: u64,
) -> Result<Prediction, ModelError> {
    p.validate()?;
    s.validate()?;
    let path = crate::pattern::totals(&crate::pattern::steps(pattern, p, s));
    let th = memory::threads(pattern, s);
    let base = Prediction {
        pattern,
        solver,
        concurrency: s.concurrency,
        io_wait_ms: s.io_wait_ms,
        throughput_ops_s: 0.0,
        latency_ms: Latency { mean: 0.0, p50: None, p95: None, p99: None, p999: None },
        gil_utilization: 0.0,
        gil_wait_ms: 0.0,
        threads: th.total(),
        in_flight: 0.0,
        queued: 0.0,
        memory_mib: memory::memory(pattern, p, s),
        bounds: mva::bounds(pattern, p, s),
        gil_acquisitions: path.gil_acquisitions,
        thread_hops: path.thread_hops,
    };
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
        Solver::Sim => {
            let r = sim::simulate(pattern, p, s, &sim_config(s, seed))?;
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
                threads: r.threads,
                ..base
            }
        }
    })
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
                threads: memory::threads(pattern, &sn).total(),
                in_flight: m.in_flight,
                queued: m.queued,
                memory_mib: memory::memory(pattern, p, &sn),
                bounds: mva::bounds(pattern, p, &sn),
                gil_acquisitions: path.gil_acquisitions,
                thread_hops: path.thread_hops,
            }
        })
        .collect())
}
