//! comparison/takeaway.md on aerospike-py's own published runs: its async client ahead of the official one's on every put, and on get in its newest runs but not in all.

use reports::speedup::speedups;
use reports::Client;

#[test]
fn the_published_runs_say_what_the_takeaway_says() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book/reports");
    let (runs, errors) = reports::load_bundle(&reports::read_dir(&dir).unwrap());
    assert!(errors.is_empty(), "{errors:?}");
    // Newest first, as the index lists them.
    let published: Vec<_> = runs.iter().filter(|r| r.source.as_ref().is_some_and(|s| s.id == "aerospike-py")).collect();
    assert_eq!(published.len(), 10);
    let ratio = |run: &reports::Run, op: &str| {
        let r = run.report.as_ref().unwrap();
        speedups(r).into_iter().find(|s| s.client == Client::AerospikePyAsync && s.op == op).and_then(|s| s.throughput).unwrap()
    };
    for run in &published {
        assert!(ratio(run, "put") > 1.0, "{}: put {}", run.file, ratio(run, "put"));
    }
    assert!(ratio(published[0], "get") > 1.0, "the newest: get {}", ratio(published[0], "get"));
    assert!(published.iter().any(|r| ratio(r, "get") < 1.0), "an older run has the official client ahead on get");
}
