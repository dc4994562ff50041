//! `cargo bench -p charts --bench worst`: every simulating figure's complete computation at every reachable corner, natively (reported, not asserted).
//!
//! Prints one JSON line: per figure, the slowest corner (its time, its
//! scenario), the most events at any corner, and the sum over corners.
//! `WORST_FIGURE=name` limits the run to one figure.

use std::time::Instant;

use charts::worst::{corners, label, FIGURES};
use perfmodel::Params;

fn main() {
    let only = std::env::var("WORST_FIGURE").ok();
    let p = Params::default();
    let mut figures = Vec::new();
    for f in FIGURES.iter().filter(|f| only.as_deref().is_none_or(|o| o == f.name)) {
        let (mut worst_ms, mut worst_at, mut max_events, mut total_ms, mut errors) = (0.0f64, String::new(), 0u64, 0.0, Vec::new());
        let all = corners(f.reads);
        for s in &all {
            let t = Instant::now();
            let r = (f.run)(&p, s);
            let ms = t.elapsed().as_secs_f64() * 1e3;
            total_ms += ms;
            match r {
                Ok(events) => max_events = max_events.max(events),
                Err(e) => errors.push(format!("{}: {e}", label(s))),
            }
            if ms > worst_ms {
                worst_ms = ms;
                worst_at = label(s);
            }
        }
        eprintln!("{:<26} worst {:>9.1} ms at {worst_at}; {max_events} events at most", f.name, worst_ms);
        figures.push(serde_json::json!({
            "figure": f.name, "widget": f.widget, "corners": all.len(),
            "worst_ms": worst_ms, "worst_at": worst_at, "max_events": max_events,
            "total_ms": total_ms, "errors": errors,
        }));
    }
    println!("{}", serde_json::json!({ "target_ms": 1000.0, "figures": figures }));
}
