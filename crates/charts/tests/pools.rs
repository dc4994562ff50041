//! The pool-size figure: the executor catches up with Tokio once its pool holds the requests Tokio completes during one I/O wait (Little's law), its work is bounded, and the lab's cells show only at the lab's conditions.

use charts::pools::{LabCell, LabPoints, PoolsData, CATCH_UP, LADDER};
use charts::stages::Staged;
use perfmodel::{Params, Scenario};

fn complete(p: &Params, s: &Scenario, lab: Option<&LabPoints>) -> Result<PoolsData, perfmodel::ModelError> {
    charts::stages::complete::<PoolsData>(p, s).map(|d| d.with_lab(lab))
}

/// pools.md: "the executor matches Tokio once its pool holds about as many threads as
/// Tokio's rate × the I/O wait": to complete X requests/s with each thread held for
/// at least the wait W, a pool needs X·W threads at once (Little's law); on the
/// figure's grid the catch-up pool is at least (1 − 5%)·X·W and at most twice that
/// (or the callers, if fewer).
#[test]
fn catch_up_follows_littles_law() {
    let p = Params::default();
    for (io, n) in [(1.0637, 64), (5.0637, 256), (20.0637, 1024), (87.0, 500), (2.0637, 4096)] {
        let s = Scenario { io_wait_ms: io, concurrency: n, ..Scenario::default() };
        let d = complete(&p, &s, None).unwrap();
        let need = d.tokio.throughput * io / 1e3;
        let c = d.catch_up().expect("some pool catches up") as f64;
        assert!(c >= (1.0 - CATCH_UP) * need, "io {io} n {n}: {c} < {need}");
        assert!(c <= (2.0 * need).max(1.0).min(2.0 * n as f64), "io {io} n {n}: {c} vs {need}");
        // Its p99 reaches Tokio's at a ladder pool no smaller than the throughput's catch-up halved.
        let q = d.p99_catch_up().unwrap().expect("p99 catches up too") as f64;
        assert!(q >= c / 2.0, "io {io} n {n}: p99 at {q}, throughput at {c}");
    }
    // On localhost the GIL, not the pool, is the limit: a handful of threads is enough.
    let d = complete(&p, &Scenario::default(), None).unwrap();
    assert!(d.catch_up().unwrap() <= 6);
}

#[test]
fn work_is_bounded_and_complete() {
    let d = complete(&Params::default(), &Scenario { io_wait_ms: 5.0, concurrency: 100_000, ..Scenario::default() }, None).unwrap();
    assert!(d.is_complete());
    assert_eq!(d.jobs().len(), LADDER.len() + 2, "the ladder, the scenario's default pool of 6, Tokio");
    assert_eq!(d.table().rows.len(), d.points.len() + 1);
    assert!(d.html().matches("<tr").count() >= LADDER.len() + 2);
}

#[test]
fn measured_cells_show_only_at_the_labs_conditions() {
    let cell = |pool| LabCell { injected_ms: 1.0, io_wait_ms: 1.07, concurrency: 64, pool, ops_per_sec: 1.0, p99_ms: Some(2.0) };
    let lab = LabPoints { report: "r".into(), cores: 2, node_cpus: 2, cells: vec![cell(Some(6)), cell(Some(64)), cell(None)] };
    let at = Scenario { io_wait_ms: 1.07, concurrency: 64, ..Scenario::default() };
    assert_eq!(lab.at(&at).len(), 3);
    assert_eq!(lab.at(&Scenario { concurrency: 65, ..at }).len(), 0);
    assert_eq!(lab.at(&Scenario { cores: 4.0, ..at }).len(), 0);
    assert_eq!(lab.at(&Scenario { background_threads: 1, ..at }).len(), 0);
    assert_eq!(lab.at(&Scenario { node_cpus: Some(32), ..at }).len(), 0, "the default pool would not be the lab's 6");
    assert_eq!(lab.nearest(&Scenario { io_wait_ms: 3.0, concurrency: 200, ..at }), Some((1.07, 64)));
    let d = complete(&Params::default(), &at, Some(&lab)).unwrap();
    assert_eq!(d.measured.len(), 3);
    assert!(d.summary().contains("Measured here: the executor with 64 threads"));
}
