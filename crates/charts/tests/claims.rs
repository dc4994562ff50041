//! Sentences on the reader pages that state a result of the model, held to the model: if a change to the model turns one false, this fails and the page must be rewritten.

use charts::latency::{p99_point, CONTENTION_START_BACKGROUND};
use perfmodel::{Params, Pattern, Scenario};

fn p99(s: &Scenario, pattern: Pattern) -> f64 {
    p99_point(&Params::default(), s, pattern, 50).unwrap().p99_ms
}

/// limits/gil-contention.md: "with a CPU-bound thread in the process, Tokio's
/// simulated p99 at the benchmark's 50 callers is higher than the executor's",
/// and switching the thread off lowers every pattern's p99.
#[test]
fn gil_contention_page() {
    let on = Scenario { background_threads: CONTENTION_START_BACKGROUND, ..Scenario::default() };
    let off = Scenario::default();
    let (tk, ex) = (p99(&on, Pattern::Tokio), p99(&on, Pattern::Executor));
    assert!(tk > ex, "Tokio {tk} ms vs executor {ex} ms");
    for pattern in Pattern::COMPARED {
        assert!(p99(&off, pattern) < p99(&on, pattern), "{pattern:?}");
    }
}

/// comparison/requests.md: "where the I/O wait is short, as on localhost, the
/// model has the executor completing more requests per second than Tokio".
#[test]
fn requests_page() {
    let p = Params::default();
    let s = Scenario::default();
    let x = |pattern| perfmodel::predict_curve(pattern, &p, &s, &[s.concurrency]).unwrap()[0].throughput_ops_s;
    assert!(x(Pattern::Executor) > x(Pattern::Tokio));
}
