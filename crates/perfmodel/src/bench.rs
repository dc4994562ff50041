//! The model's speed targets as plain workloads, timed by the caller (natively or in the browser).

use crate::predict::sim_config;
use crate::sim::{simulate, SimConfig};
use crate::{mva, Params, Pattern, Scenario};

/// 3 patterns × 200 concurrencies (log-spaced 1..100,000), analytic.
/// Returns a checksum so the work cannot be optimised away.
pub fn analytic_3x200() -> f64 {
    let p = Params::default();
    let s = Scenario { io_wait_ms: 1.0, ..Scenario::default() };
    let ns: Vec<u32> = (0..200).map(|i| (10f64.powf(5.0 * i as f64 / 199.0)).round() as u32).collect();
    let mut sum = 0.0;
    for pattern in Pattern::COMPARED {
        for pt in mva::solve(pattern, &p, &s, &ns) {
            sum += pt.throughput;
        }
    }
    sum
}

/// The simulator: 100,000 measured requests of the Tokio pattern at N = 10,000.
pub fn sim_100k_at_10k() -> f64 {
    let s = Scenario { io_wait_ms: 1.0, concurrency: 10_000, ..Scenario::default() };
    let cfg = SimConfig { requests: 100_000, warmup: 0, ..sim_config(&s, 1) };
    simulate(Pattern::Tokio, &Params::default(), &s, &cfg).map(|r| r.throughput).unwrap_or(f64::NAN)
}
