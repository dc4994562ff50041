//! Print how far the open-load solvers are from queueing theory where they reduce to it: `cargo run --release -p perfmodel --example open_theory`.
use perfmodel::open::{quantile, station};
use perfmodel::pattern::{Role, Step, Work};
use perfmodel::sim::{simulate_path, ServiceDist, SimConfig};
use perfmodel::{Params, Pattern, Scenario};

fn main() {
    let p = Params::default();
    let cfg = |dist| SimConfig { seed: 11, requests: 300_000, warmup: 20_000, dist, ..SimConfig::default() };
    println!("queue      rho   mean: theory / sim (err)        p99: theory / sim (err)");
    for (c, s_ms, rho) in [(1u32, 1.0, 0.7), (4, 2.0, 0.75), (16, 5.0, 0.8)] {
        let rate = rho * c as f64 / (s_ms / 1e3);
        let sc = Scenario { io_wait_ms: s_ms, pool: Some(c), arrival_rate: Some(rate), cores: 256, ..Scenario::default() };
        let path = vec![Step { role: Role::Worker, work: Work::Io(s_ms * 1e3), what: "service" }];
        let r = simulate_path(Pattern::Executor, path, &p, &sc, &cfg(ServiceDist::Exponential));
        let w = station(c, s_ms * 1e3, 1.0, rate / 1e6).unwrap();
        let (mean, p99) = ((s_ms * 1e3 + w.mean) / 1e3, quantile(0.99, s_ms * 1e3, w) / 1e3);
        println!("M/M/{c:<5} {rho:.2}  {mean:.4} / {:.4} ms ({:+.2}%)   {p99:.4} / {:.4} ms ({:+.2}%)", r.latency_ms.mean, (r.latency_ms.mean / mean - 1.0) * 100.0, r.latency_ms.p99, (r.latency_ms.p99 / p99 - 1.0) * 100.0);
    }
    for rho in [0.5, 0.8] {
        let hold = 100.0;
        let rate = rho / hold * 1e6;
        let sc = Scenario { arrival_rate: Some(rate), ..Scenario::default() };
        let path = vec![Step { role: Role::Loop, work: Work::Gil(hold), what: "hold" }];
        let r = simulate_path(Pattern::Tokio, path, &p, &sc, &cfg(ServiceDist::Measured));
        let mean = (hold + rho * hold / (2.0 * (1.0 - rho))) / 1e3;
        println!("M/D/1 GIL {rho:.2}  {mean:.4} / {:.4} ms ({:+.2}%)", r.latency_ms.mean, (r.latency_ms.mean / mean - 1.0) * 100.0);
    }
}
