//! `cargo bench -p perfmodel`: median wall time of the model's speed targets (reported, not asserted).

use std::time::Instant;

fn median_ms(runs: usize, f: impl Fn() -> f64) -> (f64, f64) {
    let mut times = Vec::with_capacity(runs);
    let mut check = 0.0;
    for _ in 0..runs {
        let t = Instant::now();
        check += std::hint::black_box(f());
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    (times[runs / 2], check)
}

fn main() {
    let (a, _) = median_ms(51, perfmodel::bench::analytic_3x200);
    let (s, _) = median_ms(7, perfmodel::bench::sim_100k_at_10k);
    println!(
        "{}",
        serde_json::json!({
            "analytic_3_patterns_x_200_points_ms": a,
            "analytic_target_ms": 1.0,
            "sim_100k_requests_at_n_10000_ms": s,
            "sim_target_ms": 50.0,
        })
    );
}
