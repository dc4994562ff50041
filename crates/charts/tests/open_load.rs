//! The open-load figure: its work is bounded, its rows follow the model, its lab points are the scenario's.

use charts::open_load::{open_data, OpenData, OpenInput, OpenLab, OpenLabCell, FRACTIONS, GOODPUT_FRACTIONS};
use charts::stages::Staged;
use perfmodel::{Params, Pattern, Scenario};

fn complete(p: &Params, s: &Scenario, rate: f64, timeout_ms: f64, lab: Option<&OpenLab>) -> Result<OpenData, perfmodel::ModelError> {
    charts::stages::complete::<OpenData>(p, &OpenInput { scenario: *s, rate, timeout_ms }).map(|d| d.with_lab(lab))
}

#[test]
fn every_job_runs_once_and_the_work_is_bounded() {
    let p = Params::default();
    // The corners a reader reaches: both ends of the I/O wait, the rate and the timeout.
    for (io, rate, timeout) in [(0.01, 1_000_000.0, 0.1), (100.0, 0.01, 600_000.0), (0.0637, 2_000.0, 100.0), (87.0, 50.0, 250.0)] {
        let s = Scenario { io_wait_ms: io, ..Scenario::default() };
        let d = open_data(&p, &s, rate, timeout).unwrap();
        assert_eq!(d.jobs().len(), 3 * (FRACTIONS.len() + GOODPUT_FRACTIONS.len() + 2));
        let full = complete(&p, &s, rate, timeout, None).unwrap();
        assert!(full.is_complete(), "io {io} rate {rate}");
        // At most 42 runs of at most 1,000 + 20,000 warm-up and 2 × 5,000 arrivals, each ≤ 12 steps and ≤ 10 events a step.
        assert!(full.events < 42 * 31_000 * 12 * 10, "io {io} rate {rate}: {} events", full.events);
        for l in &full.lines {
            assert!(l.curve.iter().all(|c| c.0 < l.capacity && c.2 >= c.1), "{:?}: the curve stays below capacity, p99 ≥ mean", l.pattern);
            assert!(l.curve.windows(2).all(|w| w[1].2 >= w[0].2 * 0.999), "{:?}: p99 grows with the rate", l.pattern);
        }
    }
}

#[test]
fn an_unstable_rate_reports_its_growth_and_no_latency() {
    let p = Params::default();
    let s = Scenario { io_wait_ms: 1.0, ..Scenario::default() };
    let d = open_data(&p, &s, 2_000.0, 100.0).unwrap();
    let sync = d.lines.iter().find(|l| l.pattern == Pattern::Sync).unwrap();
    assert!(!sync.at_rate.stable && sync.at_rate.latency_ms.is_none());
    assert!((sync.at_rate.backlog_growth_per_s - (2_000.0 - sync.capacity)).abs() < 1e-6);
    assert!(d.summary().contains("cannot keep up"), "{}", d.summary());
    assert!(d.html().contains("grows"));
}

#[test]
fn lab_points_are_drawn_only_at_their_conditions() {
    let cell = |pattern, pool| OpenLabCell {
        pattern,
        pool,
        injected_ms: 1.0,
        io_wait_ms: 1.02,
        rate: 1_000.0,
        ops_per_sec: 1_000.0,
        p50_ms: Some(1.2),
        p99_ms: Some(2.0),
        stable: true,
    };
    let lab = OpenLab {
        report: "r".into(),
        cores: 2,
        node_cpus: 2,
        cells: vec![cell(Pattern::Executor, Some(6)), cell(Pattern::Executor, Some(64)), cell(Pattern::Tokio, None)],
    };
    let s = Scenario { io_wait_ms: 1.02, ..Scenario::default() };
    assert_eq!(lab.at(&s, Pattern::Executor).len(), 1, "the default pool's cell only");
    assert_eq!(lab.at(&Scenario { pool: Some(64), ..s }, Pattern::Executor)[0].pool, Some(64));
    assert!(lab.at(&Scenario { cores: 4.0, ..s }, Pattern::Tokio).is_empty());
    assert!(lab.at(&Scenario { io_wait_ms: 1.0, ..s }, Pattern::Tokio).is_empty());
    let d = open_data(&Params::default(), &s, 500.0, 100.0).unwrap().with_lab(Some(&lab));
    assert_eq!(d.measured.len(), 2);
    assert!(d.summary().contains("Measured here"));
}

#[test]
fn a_move_of_the_rate_or_timeout_reuses_the_curves_and_draws_the_same_figure() {
    let p = Params::default();
    let a = Scenario { io_wait_ms: 1.0, ..Scenario::default() };
    let b = Scenario { io_wait_ms: 5.0, ..Scenario::default() };
    // Computed in a thread of their own, the curves start from nothing.
    let fresh =
        |s: Scenario, rate: f64, timeout: f64| std::thread::spawn(move || open_data(&Params::default(), &s, rate, timeout).unwrap()).join().unwrap();
    // Here one after another: the rate and the timeout move, then the scenario, then back.
    for (s, rate, timeout) in [(a, 2_000.0, 100.0), (a, 500.0, 100.0), (a, 500.0, 40.0), (b, 500.0, 40.0), (a, 2_000.0, 100.0)] {
        assert_eq!(open_data(&p, &s, rate, timeout).unwrap(), fresh(s, rate, timeout), "io {} rate {rate} timeout {timeout}", s.io_wait_ms);
    }
}
