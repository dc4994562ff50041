//! The regression guard: the model against the shipped lab report, pattern by pattern, held to the bounds the methodology page states.

use std::path::Path;

use mdbook_widgets::lab_fit::{self, PatternFit};

fn fits() -> Vec<PatternFit> {
    let env = mdbook_widgets::BookEnv { src_dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book"), to_root: String::new() };
    let lab = mdbook_widgets::newest_lab(&env).expect("the book ships a lab report with a grid");
    let cells = lab_fit::fit(&lab, &perfmodel::Params::default(), true);
    for c in &cells {
        eprintln!(
            "{:26} {:>5} {:>5}: {:>7.0} vs {:>7.0} ({:+.0}%) mean {:?} p99 {:?} / {:?} rss {:?} / {:.1} threads {:?} / {}",
            c.label, c.io_wait_ms, c.concurrency, c.measured_ops, c.model_ops, c.throughput_err() * 100.0,
            c.mean_err().map(|e| (e * 100.0).round()), c.measured_p99_ms, c.model_p99_ms, c.measured_rss_mib, c.model_rss_mib,
            c.measured_threads, c.model_threads
        );
    }
    lab_fit::summary(&cells)
}

#[test]
fn the_model_stays_within_its_stated_agreement_with_the_lab() {
    let fits = fits();
    for f in &fits {
        eprintln!("{f:?}\n  misses: {:?}", f.misses());
    }
    assert_eq!(fits.len(), 4, "every pattern of the model has cells");
    for f in &fits {
        let bound = lab_fit::guard(f.label);
        assert!(f.median_err <= bound.throughput_median, "{}: median throughput error {:.3} above {}", f.label, f.median_err, bound.throughput_median);
        assert!(f.worst_err <= bound.throughput_worst, "{}: worst {:.3} ({}) above {}", f.label, f.worst_err, f.worst_cell, bound.throughput_worst);
        assert!(f.p99_within as f64 >= bound.p99_share * f.p99_cells as f64, "{}: p99 within ×1.5 in {} of {}", f.label, f.p99_within, f.p99_cells);
        assert!(f.median_rss_err <= bound.rss_median, "{}: median RSS error {:.3} above {}", f.label, f.median_rss_err, bound.rss_median);
    }
}
