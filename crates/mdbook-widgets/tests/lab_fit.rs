//! The regression guard: the model against the shipped lab report, pattern by pattern, held to the bounds the methodology page states.

use std::path::Path;

use mdbook_widgets::lab_fit::{self, PatternFit};

fn fits() -> Vec<PatternFit> {
    let env = mdbook_widgets::BookEnv::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book"), String::new());
    let lab = env.lab().expect("the book ships a lab report with a grid");
    let cells = lab_fit::fit(lab, &perfmodel::Params::default(), true);
    for c in &cells {
        eprintln!(
            "{:26} {:>5} {:>5}: {:>7.0} vs {:>7.0} ({:+.0}%) mean {:?} p99 {:?} / {:?} rss {:?} / {:.1} threads {:?} / {}",
            c.label,
            c.io_wait_ms,
            c.concurrency,
            c.measured_ops,
            c.model_ops,
            c.throughput_err() * 100.0,
            c.mean_err().map(|e| (e * 100.0).round()),
            c.measured_p99_ms,
            c.model_p99_ms,
            c.measured_rss_mib,
            c.model_rss_mib,
            c.measured_threads,
            c.model_threads
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
        assert!(
            f.median_err <= bound.throughput_median,
            "{}: median throughput error {:.3} above {}",
            f.label,
            f.median_err,
            bound.throughput_median
        );
        assert!(f.worst_err <= bound.throughput_worst, "{}: worst {:.3} ({}) above {}", f.label, f.worst_err, f.worst_cell, bound.throughput_worst);
        assert!(f.p99_within as f64 >= bound.p99_share * f.p99_cells as f64, "{}: p99 within ×1.5 in {} of {}", f.label, f.p99_within, f.p99_cells);
        assert!(f.median_rss_err <= bound.rss_median, "{}: median RSS error {:.3} above {}", f.label, f.median_rss_err, bound.rss_median);
    }
}

/// methodology.md, "What a get costs" and "The model beside every cell": GIL
/// time per get is smallest at each asyncio client's peak and larger with one
/// caller, and grows again past aerospike-py's peak; the model overstates
/// aerospike-py's throughput in every cell from 64 callers on; with one
/// caller and no wait it understates both asyncio clients (its wake-ups are
/// the cross-core ones measured apart, dearer than on one pinned core).
#[test]
fn the_methodology_pages_reading_of_the_lab_holds() {
    let env = mdbook_widgets::BookEnv::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book"), String::new());
    let lab = env.lab().unwrap();
    let gil = |pattern: &str, n: u64| {
        lab.grid.data.iter().find(|c| c.pattern == pattern && c.io_wait_ms == 0.0 && c.concurrency == n).and_then(|c| c.gil_us_per_request).unwrap()
    };
    for pattern in ["official_executor", "aerospike_py_async"] {
        let peak = mdbook_widgets::lab_costs::peak(lab, pattern).unwrap();
        assert!(peak.gil_us_per_request.unwrap() < gil(pattern, 1), "{pattern}");
        if pattern == "aerospike_py_async" {
            assert!(gil(pattern, 4096) > 2.0 * peak.gil_us_per_request.unwrap());
        }
    }
    let cells = lab_fit::fit(lab, &perfmodel::Params::default(), false);
    let tokio: Vec<_> = cells.iter().filter(|c| c.label == "Tokio" && c.concurrency >= 64).collect();
    assert!(!tokio.is_empty() && tokio.iter().all(|c| c.throughput_err() > 0.0), "{tokio:?}");
    for label in ["Executor (default pool)", "Tokio"] {
        let one = cells.iter().find(|c| c.label == label && c.io_wait_ms == 0.0 && c.concurrency == 1).unwrap();
        assert!(one.throughput_err() < 0.0, "{one:?}");
    }
}

/// methodology.md, "How the lab runs": the GIL time never exceeds the CPU of
/// all the threads, and at each asyncio client's peak it is at least about
/// the event loop's own CPU (within 10%).
#[test]
fn gil_time_and_cpu_time_check_each_other() {
    let env = mdbook_widgets::BookEnv::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book"), String::new());
    let lab = env.lab().unwrap();
    for c in lab.grid.data.iter().filter(|c| c.io_wait_ms == 0.0) {
        let (Some(gil), Some(cpu)) = (c.gil_us_per_request, c.cpu_us_total()) else { panic!("{c:?} lacks its measurements") };
        assert!(gil <= cpu, "{} at {}: GIL {gil} µs over CPU {cpu} µs", c.pattern, c.concurrency);
    }
    for pattern in ["official_executor", "aerospike_py_async"] {
        let c = mdbook_widgets::lab_costs::peak(lab, pattern).unwrap();
        let main = c.cpu_us_per_request["main"];
        assert!(c.gil_us_per_request.unwrap() >= 0.9 * main, "{pattern}: {c:?}");
    }
}
