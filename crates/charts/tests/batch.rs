//! The batch figure's data: its lines and their shape, how it names who is ahead, the lab's cells it carries, and the bounded work of its p99s.

use charts::batch::{ahead, batch_data, BatchData, BatchLab, BatchLabCell, LADDER, LINES};
use charts::stages::{complete, Staged};
use perfmodel::batch::{Batch, Calls, FanOut};
use perfmodel::{Params, Pattern, Scenario};

fn scenario(keys: u32, nodes: u32) -> Scenario {
    Scenario {
        io_wait_ms: 1.0,
        concurrency: 16,
        calls: Calls { gets: 0, batch: Some(Batch { keys, nodes, ..Batch::START }), batches: 1, gather: false },
        ..Scenario::default()
    }
}

fn lab(resolution: f64) -> BatchLab {
    let s = scenario(50, 4);
    BatchLab {
        report: "2026-12-06_08-20".into(),
        cores: s.core_servers(),
        node_cpus: s.node_cpu_count(),
        cells: vec![BatchLabCell {
            pattern: Pattern::Tokio,
            fan_out: FanOut::Parallel,
            pool: None,
            keys: 50,
            nodes: 4,
            injected_ms: 1.0,
            io_wait_ms: 1.0,
            concurrency: 16,
            found: 1.0,
            ops_per_sec: 1_549.0,
            p99_ms: Some(17.5),
        }],
        resolution,
    }
}

#[test]
fn every_line_falls_as_batches_grow_and_the_default_policy_pays_per_node() {
    let d = batch_data(&Params::default(), &scenario(50, 8)).unwrap();
    assert_eq!(d.lines.len(), LINES.len());
    for l in &d.lines {
        let first = l.curve.first().unwrap();
        let last = l.curve.last().unwrap();
        assert!(first.1 > 10.0 * last.1, "{:?} {:?}: {first:?} → {last:?}", l.pattern, l.fan_out);
        assert!(l.curve.iter().any(|c| c.0 == 50.0), "the scenario's own batch is on the curve");
    }
    let at = |p: Pattern, f: FanOut| d.lines.iter().find(|l| l.pattern == p && l.fan_out == f).unwrap().at;
    // Eight nodes a millisecond away: one after another, a batch of 50 waits for about eight of them; at once, for the slowest.
    let (series, parallel) = (at(Pattern::Executor, FanOut::Series), at(Pattern::Executor, FanOut::Parallel));
    assert!(series.1 > 2.0 * parallel.1 || series.0 * 2.0 < parallel.0, "series {series:?}, parallel {parallel:?}");
}

#[test]
fn a_ratio_inside_the_resolution_names_no_side() {
    assert_eq!(ahead("A", 150.0, "B", 100.0, 1.05), "A 1.50× B");
    assert_eq!(ahead("A", 100.0, "B", 150.0, 1.05), "B 1.50× A");
    assert_eq!(ahead("A", 102.0, "B", 100.0, 1.05), "A and B within 5% of each other");
    let close = ahead("A", 130.0, "B", 100.0, 1.41);
    assert!(close.starts_with("A and B closer than the model tells apart") && close.contains("×1.41"), "{close}");
    assert_eq!(ahead("A", 150.0, "B", 100.0, 1.41), "A 1.50× B");
    assert_eq!(ahead("A", f64::NAN, "B", 100.0, 1.41), "A and B could not be compared");
}

#[test]
fn the_figure_carries_the_labs_cells_and_resolution_only_at_its_scenario() {
    let p = Params::default();
    let here = batch_data(&p, &scenario(50, 4)).unwrap().with_lab(Some(&lab(1.41)));
    assert_eq!(here.measured.len(), 1);
    assert_eq!(here.resolution, 1.41);
    assert!(here.summary().contains("Measured here, 50 keys"), "{}", here.summary());
    let elsewhere = batch_data(&p, &scenario(50, 8)).unwrap().with_lab(Some(&lab(1.41)));
    assert!(elsewhere.measured.is_empty());
    // A lab without a usable resolution falls back to calling a 5% difference.
    assert_eq!(batch_data(&p, &scenario(50, 4)).unwrap().with_lab(Some(&lab(f64::NAN))).resolution, 1.05);
    assert_eq!(batch_data(&p, &scenario(50, 4)).unwrap().with_lab(None).resolution, 1.05);
    // The nearest cell puts the figure on it.
    let s = lab(1.41).nearest(&scenario(200, 8)).unwrap();
    assert_eq!((s.calls.batch.unwrap().nodes, s.concurrency, s.io_wait_ms), (4, 16, 1.0));
}

#[test]
fn a_bundle_without_a_resolution_still_reads() {
    let mut v = serde_json::to_value(lab(1.41)).unwrap();
    v.as_object_mut().unwrap().remove("resolution");
    let back: BatchLab = serde_json::from_value(v).unwrap();
    assert_eq!(back.resolution, 1.05);
}

#[test]
fn the_p99s_are_every_line_at_every_rung_with_bounded_work() {
    // The largest batch the reader can ask for, over the largest cluster, at the most callers.
    let p = Params::default();
    let s = Scenario { concurrency: 100_000, ..scenario(5_000, 128) };
    let d: BatchData = complete(&p, &s).unwrap();
    assert!(d.is_complete());
    assert_eq!(d.jobs().len(), LINES.len() * LADDER.len());
    // concurrent=True would send every node request through the official
    // client's pool: past the bound its p99 is left out and the summary says why.
    let par = d.lines.iter().find(|l| l.pattern == Pattern::Executor && l.fan_out == FanOut::Parallel).unwrap();
    assert!(par.p99.iter().any(|(_, v)| v.is_some_and(f64::is_nan)), "{:?}", par.p99);
    assert!(d.summary().contains("the p99 of concurrent=True is not simulated"), "{}", d.summary());
    assert!(d
        .lines
        .iter()
        .filter(|l| l.fan_out == FanOut::Series || l.pattern == Pattern::Tokio)
        .all(|l| l.p99.iter().all(|(_, v)| v.is_some_and(f64::is_finite))));
    assert!(d.table().rows.iter().all(|r| r.iter().all(|c| c != "NaN")));
    // What is simulated is bounded: 120,000 batches issued per run (warm-up,
    // measured, and the callers' last), a few dozen events each.
    eprintln!("{} events", d.events);
    assert!(d.events <= (LINES.len() * LADDER.len()) as u64 * 120_000 * 40, "{} events", d.events);

    // At the page's own scale every p99 is simulated.
    let small: BatchData = complete(&p, &Scenario { concurrency: 64, ..scenario(5_000, 128) }).unwrap();
    assert!(
        small.lines.iter().all(|l| l.p99.iter().all(|(_, v)| v.is_some_and(f64::is_finite))),
        "{:?}",
        small.lines.iter().map(|l| &l.p99).collect::<Vec<_>>()
    );
    assert!(!small.summary().contains("not simulated"));
}
