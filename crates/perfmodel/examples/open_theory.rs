//! Print how far the open-load solvers are from queueing theory where they reduce to it: `cargo run --release -p perfmodel --example open_theory`.
use perfmodel::open::{quantile, station, station_g};
use perfmodel::pattern::{Role, Step, Work};
use perfmodel::sim::{simulate_path, ServiceDist, SimConfig};
use perfmodel::{Params, Pattern, Scenario};

fn main() {
    let p = Params::default();
    let cfg = |dist| SimConfig { seed: 11, requests: 300_000, warmup: 20_000, dist, ..SimConfig::default() };
    println!("queue      rho   mean: theory / sim (err)        p99: theory / sim (err)");
    for (c, s_ms, rho) in [(1u32, 1.0, 0.7), (4, 2.0, 0.75), (16, 5.0, 0.8)] {
        let rate = rho * c as f64 / (s_ms / 1e3);
        let sc = Scenario { io_wait_ms: s_ms, pool: Some(c), arrival_rate: Some(rate), cores: 256.0, ..Scenario::default() };
        let path = vec![Step { role: Role::Worker, work: Work::Io(s_ms * 1e3), what: "service" }];
        let r = simulate_path(Pattern::Executor, path, &p, &sc, &cfg(ServiceDist::Exponential));
        let w = station(c, s_ms * 1e3, 1.0, rate / 1e6).unwrap();
        let (mean, p99) = ((s_ms * 1e3 + w.mean) / 1e3, quantile(0.99, s_ms * 1e3, w) / 1e3);
        println!(
            "M/M/{c:<5} {rho:.2}  {mean:.4} / {:.4} ms ({:+.2}%)   {p99:.4} / {:.4} ms ({:+.2}%)",
            r.latency_ms.mean,
            (r.latency_ms.mean / mean - 1.0) * 100.0,
            r.latency_ms.p99,
            (r.latency_ms.p99 / p99 - 1.0) * 100.0
        );
    }
    for (rho, c2) in [(0.5f64, 4.0f64), (0.7, 4.0), (0.7, 9.0)] {
        let (s_ms, rate) = (1.0, rho / 1e-3);
        let pp = 0.5 * (1.0 + ((c2 - 1.0) / (c2 + 1.0)).sqrt());
        let (l1, l2) = (2.0 * pp * rate, 2.0 * (1.0 - pp) * rate);
        let mu = 1e3;
        let mut sigma = 0.0;
        for _ in 0..100_000 {
            sigma = pp * l1 / (l1 + mu * (1.0 - sigma)) + (1.0 - pp) * l2 / (l2 + mu * (1.0 - sigma));
        }
        let exact = (sigma / (mu * (1.0 - sigma)) + 1.0 / mu) * 1e3;
        let sc = Scenario { io_wait_ms: s_ms, pool: Some(1), arrival_rate: Some(rate), burstiness: Some(c2), cores: 256.0, ..Scenario::default() };
        let path = vec![Step { role: Role::Worker, work: Work::Io(s_ms * 1e3), what: "service" }];
        let r = simulate_path(Pattern::Executor, path, &p, &sc, &SimConfig { requests: 400_000, seed: 13, ..cfg(ServiceDist::Exponential) });
        let ac = (station_g(1, 1e3, c2, 1.0, rate / 1e6).unwrap().mean + 1e3) / 1e3;
        println!(
            "H2/M/1 c²={c2:<3} {rho:.2}  {exact:.4} / {:.4} ms ({:+.2}%)   analytic {ac:.4} ms ({:+.1}%)",
            r.latency_ms.mean,
            (r.latency_ms.mean / exact - 1.0) * 100.0,
            (ac / exact - 1.0) * 100.0
        );
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
