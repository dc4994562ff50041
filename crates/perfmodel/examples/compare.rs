//! Print analytic vs simulated throughput over a grid (a development aid).
use perfmodel::{mva, predict::sim_config, sim::simulate, Params, Pattern, Scenario};
fn main() {
    let p = Params::default();
    for pattern in Pattern::ALL {
        for &io in &[0.0637, 0.5, 1.0, 5.0, 20.0] {
            for &n in &[1u32, 4, 16, 50, 256, 1024, 4096] {
                let s = Scenario { io_wait_ms: io, concurrency: n, ..Scenario::default() };
                let a = mva::solve(pattern, &p, &s, &[n])[0];
                let r = simulate(pattern, &p, &s, &sim_config(&s, 1)).unwrap();
                println!(
                    "{:12} io={:7.4} n={:5} analytic={:8.0} sim={:8.0} err={:6.1}%  lat a={:8.3} s={:8.3}",
                    pattern.name(),
                    io,
                    n,
                    a.throughput,
                    r.throughput,
                    (a.throughput - r.throughput) / r.throughput * 100.0,
                    a.latency_ms,
                    r.latency_ms.mean
                );
            }
        }
    }
}
