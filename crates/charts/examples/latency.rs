//! Print the simulated p99 curve and its timing: `cargo run --release -p charts --example latency -- IO_MS [CPU_MS] [BG]`.
use charts::latency::{p99_jobs, p99_point};
use perfmodel::{Params, Scenario};
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let arg = |i: usize, d: f64| a.get(i).and_then(|v| v.parse().ok()).unwrap_or(d);
    let s = Scenario { io_wait_ms: arg(1, 0.0637), app_cpu_ms: arg(2, 0.0), background_threads: arg(3, 0.0) as u32, ..Scenario::default() };
    let p = Params::default();
    for (pattern, n) in p99_jobs() {
        let t = std::time::Instant::now();
        let q = p99_point(&p, &s, pattern, n).expect("valid");
        println!("{:9} n={:6} p50={:9.3} p99={:9.3}  ({:.1} ms)", pattern.name(), n, q.p50_ms, q.p99_ms, t.elapsed().as_secs_f64() * 1e3);
    }
}
