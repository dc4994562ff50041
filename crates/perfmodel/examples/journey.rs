//! Print one followed request's journey per pattern: `cargo run --example journey -- IO_MS N`.
use perfmodel::sim::{simulate, SimConfig};
use perfmodel::{pattern::steps, Params, Pattern, Scenario};

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let io = a.get(1).and_then(|v| v.parse().ok()).unwrap_or(1.0);
    let n = a.get(2).and_then(|v| v.parse().ok()).unwrap_or(50);
    let s = Scenario { io_wait_ms: io, concurrency: n, ..Scenario::default() };
    let p = Params::default();
    let cfg = SimConfig { requests: 2_000.max(2 * n as u64), warmup: 1_000, follow: true, ..SimConfig::default() };
    for pattern in Pattern::COMPARED {
        let r = simulate(pattern, &p, &s, &cfg).expect("valid scenario");
        let path = steps(pattern, &p, &s);
        println!("{} (complete: {})", pattern.label(), r.journey.complete);
        for l in &r.journey.legs {
            let who = l.thread.map(|t| format!("{:?} #{t}", r.lanes[t as usize])).unwrap_or_else(|| "-".into());
            println!("  {:>9.4} {:>9.4}  {:<14} {:<12?} {}", l.start_ms, l.end_ms, who, l.state, path[l.step].what);
        }
    }
}
