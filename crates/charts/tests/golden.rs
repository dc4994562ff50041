//! Golden SVGs: each chart rendered for a fixed scenario must match its snapshot.
//! Run with SNAPSHOTS=overwrite to accept a deliberate change.

use charts::throughput::{draw_throughput, throughput_data};
use charts::Theme;
use perfmodel::{Params, Scenario};
use plotters::prelude::*;

fn check(name: &str, svg: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name);
    if std::env::var("SNAPSHOTS").as_deref() == Ok("overwrite") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, svg).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("missing snapshot {}; run with SNAPSHOTS=overwrite", path.display()));
    assert!(want == svg, "{name} differs from its snapshot; run with SNAPSHOTS=overwrite if the change is intended");
}

#[test]
fn throughput_chart_at_one_ms_and_fifty_callers() {
    let s = Scenario { io_wait_ms: 1.0, concurrency: 50, ..Scenario::default() };
    let d = throughput_data(&Params::default(), &s).unwrap();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 400)).into_drawing_area();
        draw_throughput(&root, &d, &Theme::LIGHT, 1.0).unwrap();
    }
    assert!(svg.contains("<polyline"), "curves are drawn");
    check("throughput-1ms-50.svg", &svg);
}

#[test]
fn throughput_summary_reads_the_model() {
    let s = Scenario { io_wait_ms: 1.0, concurrency: 50, ..Scenario::default() };
    let d = throughput_data(&Params::default(), &s).unwrap();
    let text = d.summary();
    let tokio = d.get(perfmodel::Pattern::Tokio).at_n;
    assert!(text.contains(&charts::format::number(tokio)), "{text}");
    assert!(text.contains("1.00 ms") && text.contains("50 concurrent"), "{text}");
    // At 1 ms the default pool of 6 caps the executor far below Tokio.
    assert!(text.contains("pool cap"), "{text}");
    let t = d.table();
    assert_eq!(t.headers, ["concurrency", "sync requests/s", "executor requests/s", "tokio requests/s"]);
    assert_eq!(t.rows.len(), d.series[0].points.len());
    let row50 = t.rows.iter().find(|r| r[0] == "50").unwrap();
    assert_eq!(row50[3].parse::<f64>().unwrap(), tokio);
    assert!(t.to_csv().starts_with("concurrency,sync requests/s"));
}

#[test]
fn gil_timeline_at_one_ms_and_fifty_callers() {
    use charts::gil::{draw_gil_timeline, gil_timeline_data};
    let s = Scenario { io_wait_ms: 1.0, concurrency: 50, ..Scenario::default() };
    let d = gil_timeline_data(&Params::default(), &s).unwrap();
    // Every compared pattern has lanes with something drawn on them.
    for t in &d.patterns {
        assert!(t.lanes.iter().any(|l| !l.segments.is_empty()), "{:?} has an empty trace", t.pattern);
        assert!(t.gil_utilization > 0.0 && t.gil_utilization <= 1.0);
    }
    let exec = d.patterns.iter().find(|t| t.pattern == perfmodel::Pattern::Executor).unwrap();
    assert_eq!(exec.lanes[0].label(), "event loop");
    assert!(exec.lanes.iter().filter(|l| l.label().starts_with("pool worker")).count() == 6);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 520)).into_drawing_area();
        draw_gil_timeline(&root, &d, &Theme::LIGHT, 1.0).unwrap();
    }
    assert!(svg.contains("<rect"), "segments are drawn");
    check("gil-timeline-1ms-50.svg", &svg);
    assert!(d.summary().contains("GIL busy"));
}

#[test]
fn memory_chart_resident_at_fifty_callers() {
    use charts::memory::{draw_memory, memory_data, MemoryView};
    let s = Scenario { concurrency: 50, ..Scenario::default() };
    let d = memory_data(&Params::default(), &s, MemoryView::Resident).unwrap();
    let by = |p| d.series.iter().find(|x| x.pattern == p).unwrap();
    // One thread per caller exceeds a 512 MiB pod long before the async patterns do.
    let st = by(perfmodel::Pattern::SyncThreads).exceeds_at.expect("sync + threads exceeds 512 MiB");
    let tk = by(perfmodel::Pattern::Tokio).exceeds_at.unwrap_or(u32::MAX);
    assert!(st < tk, "{st} vs {tk}");
    // The executor never counts threads past its pool (beside the C client's own).
    assert_eq!(by(perfmodel::Pattern::Executor).threads_at_n, 1 + s.pool_size() + Params::default().official_client_threads as u32);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 400)).into_drawing_area();
        draw_memory(&root, &d, &Theme::LIGHT, 1.0).unwrap();
    }
    check("memory-resident-50.svg", &svg);
    assert!(d.summary().contains("512 MiB pod limit"), "{}", d.summary());
}

#[test]
fn burst_of_a_hundred_at_one_ms() {
    use charts::burst::{burst_data, draw_burst};
    let s = Scenario { io_wait_ms: 1.0, ..Scenario::default() };
    let d = burst_data(&Params::default(), &s, 100).unwrap();
    let ex = d.get(perfmodel::Pattern::Executor);
    let tk = d.get(perfmodel::Pattern::Tokio);
    // In flight = taken by a worker and not yet resumed on the loop: the six
    // workers plus the few results waiting for the loop.
    assert!(ex.peak_in_flight < 20, "the pool caps the executor, got {} in flight", ex.peak_in_flight);
    assert!(tk.peak_in_flight > 50, "Tokio has most of the burst in flight, got {}", tk.peak_in_flight);
    assert!(ex.finish_ms > tk.finish_ms);
    for b in &d.patterns {
        let last = b.samples.last().unwrap();
        assert_eq!((last.1, last.2, last.3), (0, 0, 100), "{:?} ends with all done", b.pattern);
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 520)).into_drawing_area();
        draw_burst(&root, &d, &Theme::LIGHT, 1.0).unwrap();
    }
    check("burst-100-1ms.svg", &svg);
    assert!(d.summary().contains("A burst of 100 requests"));
}

#[test]
fn request_flow_follows_one_executor_request() {
    use charts::flow::{draw_flow, flow_data, FlowFrame};
    use perfmodel::sim::LegState;
    use perfmodel::Pattern;
    let s = Scenario { io_wait_ms: 1.0, concurrency: 50, ..Scenario::default() };
    let d = flow_data(&Params::default(), &s, Pattern::Executor).unwrap();
    assert!(d.complete);
    // The executor's path: loop → worker → loop, with the I/O on the worker.
    assert_eq!(d.lanes.first().map(String::as_str), Some("event loop"));
    assert!(d.lanes.iter().any(|l| l.starts_with("pool worker")));
    assert!(d.legs.iter().any(|l| l.state == LegState::Io && d.lanes[l.lane].starts_with("pool worker")));
    let c = d.count(Pattern::Executor).totals;
    assert_eq!((c.gil_acquisitions, c.thread_hops), (4, 2));
    let text = d.summary();
    assert!(text.contains("takes the GIL 4 times") && text.contains("between threads 2 times"), "{text}");
    assert!(text.contains(&charts::format::number(d.latency_ms)), "{text}");
    // The playhead finds the leg it is in.
    let mid = d.legs[2].start_ms + (d.legs[2].end_ms - d.legs[2].start_ms) / 2.0;
    assert_eq!(d.leg_at(mid), Some(2));
    assert_eq!(d.leg_at(1e9), Some(d.legs.len() - 1));
    assert_eq!(d.table().rows.len(), d.legs.len());
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 300)).into_drawing_area();
        draw_flow(&root, &FlowFrame { at_ms: mid, data: d.clone() }, &Theme::LIGHT, 1.0).unwrap();
    }
    check("flow-executor-1ms-50.svg", &svg);
}

#[test]
fn tokio_requests_leave_their_thread_during_io() {
    use charts::flow::{flow_data, NO_THREAD};
    use perfmodel::sim::LegState;
    use perfmodel::Pattern;
    let s = Scenario { io_wait_ms: 1.0, concurrency: 50, ..Scenario::default() };
    let d = flow_data(&Params::default(), &s, Pattern::Tokio).unwrap();
    let io: Vec<_> = d.legs.iter().filter(|l| matches!(l.state, LegState::Io | LegState::AsyncIo)).collect();
    assert!(!io.is_empty() && io.iter().all(|l| l.state == LegState::AsyncIo && d.lanes[l.lane] == NO_THREAD));
    let sync = flow_data(&Params::default(), &s, Pattern::Sync).unwrap();
    // Fifty callers share one blocking thread: most of a request's life is the queue.
    assert!(sync.time_in(&[LegState::Queued]) > 0.8 * sync.latency_ms, "{}", sync.summary());
}

#[test]
fn a_lone_sync_caller_never_queues_and_draws_one_lane() {
    use charts::flow::{draw_flow, flow_data, FlowFrame};
    let s = Scenario { io_wait_ms: 1.0, concurrency: 1, ..Scenario::default() };
    let d = flow_data(&Params::default(), &s, perfmodel::Pattern::Sync).unwrap();
    assert_eq!(d.lanes, ["calling thread"]);
    assert_eq!(d.legs.len(), 5, "{:?}", d.legs);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 300)).into_drawing_area();
        draw_flow(&root, &FlowFrame { at_ms: 0.0, data: d }, &Theme::LIGHT, 1.0).unwrap();
    }
    assert!(svg.contains("calling thread"));
}

#[test]
fn latency_chart_at_one_ms_marks_where_the_executor_departs() {
    use charts::latency::{draw_latency, latency_data, LatencyData, P99_NS};
    use charts::stages::{complete, Staged};
    use perfmodel::Pattern;
    let s = Scenario { io_wait_ms: 1.0, concurrency: 50, ..Scenario::default() };
    let partial = latency_data(&Params::default(), &s).unwrap();
    assert!(!partial.is_complete() && partial.departure().is_none());
    assert!(partial.summary().contains("0 of 48 points"), "{}", partial.summary());
    let d = complete::<LatencyData>(&Params::default(), &s).unwrap();
    assert!(d.is_complete());
    // The pool of 6 holds a worker per 1 ms wait: the executor queues from a few dozen callers.
    let n = d.departure().expect("the executor departs at 1 ms");
    assert!((10..=50).contains(&n), "departs at {n}");
    for &n in &P99_NS {
        for p in Pattern::COMPARED {
            let p99 = d.p99_of(p, n).unwrap();
            let mean = d.mean.iter().find(|m| m.0 == p).unwrap().1.iter().find(|q| q.0 == n).unwrap().1;
            // A tail above the mean (within the simulator's noise at tiny N).
            assert!(p99 >= 0.8 * mean, "{p:?} at {n}: p99 {p99} vs mean {mean}");
        }
    }
    assert!(d.summary().contains(&format!("from {} callers on", charts::format::count(n))), "{}", d.summary());
    let t = d.table();
    assert_eq!(t.headers.len(), 7);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 400)).into_drawing_area();
        draw_latency(&root, &d, &Theme::LIGHT, 1.0).unwrap();
    }
    check("latency-1ms.svg", &svg);
}

#[test]
fn conditions_heatmap_marks_the_benchmark_and_the_production_region() {
    use charts::conditions::*;
    use charts::stages::Staged;
    let p = Params::default();
    let d = throughput_cells(&p, &Scenario::default()).unwrap();
    assert!(d.is_complete() && d.cells.len() == IO_MS.len() * NS.len());
    let (bc, br) = nearest(BENCHMARK.0, BENCHMARK.1);
    assert_eq!((IO_MS[bc], NS[br]), (0.05, 50));
    // At the benchmark's cell both async patterns are held by the cores (their
    // CPU work, GIL-held or not): the advantage is the ratio of those caps,
    // whichever way it points.
    let bench = d.cell(bc, br).unwrap().advantage;
    let s50 = Scenario { io_wait_ms: IO_MS[bc], concurrency: 50, ..Scenario::default() };
    let cap = |pat| perfmodel::predict_curve(pat, &p, &s50, &[50]).unwrap()[0].bounds.binding();
    assert_eq!((cap(perfmodel::Pattern::Tokio).1, cap(perfmodel::Pattern::Executor).1), ("cpu", "cpu"));
    let want = cap(perfmodel::Pattern::Tokio).0 / cap(perfmodel::Pattern::Executor).0;
    assert!((bench / want - 1.0).abs() < 0.15, "{bench} vs CPU-cap ratio {want}");
    // With long waits and many callers the pool cap makes Tokio far ahead.
    let far = d.cell(IO_MS.len() - 1, NS.len() - 1).unwrap().advantage;
    assert!(far > 100.0, "{far}");
    let text = d.summary();
    let io = charts::format::number(0.05);
    assert!(text.contains(&format!("in the map's cell nearest the benchmark ({io} ms, 50 callers on the map's grid)")), "{text}");
    assert!(d.describe(bc, br).contains(&format!("{io} ms I/O wait, 50 callers: executor")));
    // Pointer mapping: the centre of the top-left cell is (0, last row).
    let (w, h) = (720.0, 400.0);
    let cw = (w - MARGIN_LEFT - MARGIN_RIGHT) / IO_MS.len() as f64;
    let ch = (h - MARGIN_TOP - MARGIN_BOTTOM) / NS.len() as f64;
    assert_eq!(cell_at(MARGIN_LEFT + cw / 2.0, MARGIN_TOP + ch / 2.0, w, h), Some((0, NS.len() - 1)));
    assert_eq!(cell_at(w - MARGIN_RIGHT - 1.0, h - MARGIN_BOTTOM - 1.0, w, h), Some((IO_MS.len() - 1, 0)));
    assert_eq!(cell_at(5.0, 5.0, w, h), None);
    // A p99 cell compares the same two patterns by their simulated tails.
    let c = p99_cell(&p, &Scenario::default(), 5.0, 200).unwrap();
    assert!(c.advantage > 3.0, "{c:?}");
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 400)).into_drawing_area();
        draw_conditions(&root, &ConditionsFrame { data: d.clone(), focus: Some((3, 4)) }, &Theme::LIGHT, 1.0).unwrap();
    }
    // Where the executor is ahead, each cell carries three hatch strokes
    // (the direction reads without colour); nowhere else.
    let ahead = (0..IO_MS.len()).flat_map(|c| (0..NS.len()).map(move |r| (c, r))).filter(|&(c, r)| d.cell(c, r).unwrap().advantage < 1.0).count();
    assert!(ahead > 0);
    assert_eq!(svg.matches("opacity=\"0.55\"").count(), 3 * ahead, "hatch strokes");
    // Frames mark cells; no text sits in one.
    assert_eq!(svg.matches("fill=\"none\" stroke=").count(), 3, "the production region, the benchmark's cell and the picked one are frames");
    assert!(!svg.contains(">benchmark<"));
    check("conditions-throughput.svg", &svg);
}

#[test]
fn cards_say_which_limit_binds_and_never_more() {
    use charts::cards::{cards_data, simulate_card};
    use charts::stages::Staged;
    use perfmodel::Pattern;
    let p = Params::default();
    // 1 ms, 200 callers: the executor is pinned at its pool cap.
    let s = Scenario { io_wait_ms: 1.0, concurrency: 200, ..Scenario::default() };
    let mut d = cards_data(&p, &s).unwrap();
    assert!(!d.is_complete());
    let v = d.verdict();
    assert!(v.starts_with("Tokio (aerospike-py) is ahead here: Tokio completes") && v.contains("pool cap"), "{v}");
    for c in d.cards.iter_mut() {
        c.sim = Some(simulate_card(&p, &s, c.pattern).unwrap());
    }
    assert!(d.is_complete());
    let ex = d.get(Pattern::Executor).sim.unwrap();
    assert!(ex.queued > 100.0, "most executor requests wait in its queue: {ex:?}");
    assert!(d.verdict().contains("Simulated p99"), "{}", d.verdict());
    // Localhost, 50 callers: both async patterns near what the cores allow; no big claim.
    let s = Scenario { concurrency: 50, ..Scenario::default() };
    let v = cards_data(&p, &s).unwrap().verdict();
    assert!(v.contains("the CPU, not the I/O") && !v.contains("pool cap"), "{v}");
}

#[test]
fn pool_size_chart_with_the_labs_cells() {
    use charts::pools::{draw_pools, LabCell, LabPoints, PoolsData};
    use charts::stages::complete;
    let s = Scenario { io_wait_ms: 5.0, concurrency: 256, ..Scenario::default() };
    let cell = |pool, ops, p99| LabCell { injected_ms: 5.0, io_wait_ms: 5.0, concurrency: 256, pool, ops_per_sec: ops, p99_ms: Some(p99) };
    let lab = LabPoints {
        report: "golden".into(),
        cores: 2,
        node_cpus: 2,
        cells: vec![cell(Some(6), 1_140.0, 230.0), cell(Some(64), 11_573.0, 30.0), cell(None, 9_393.0, 40.0)],
    };
    let d = complete::<PoolsData>(&Params::default(), &s).unwrap().with_lab(Some(&lab));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 640)).into_drawing_area();
        draw_pools(&root, &d, &Theme::LIGHT, 1.0).unwrap();
    }
    // Both panels, the legend naming the measured points, and the catch-up rule.
    assert_eq!(svg.matches("executor pool size (threads, log)").count(), 2);
    for label in ["Executor, measured", "Tokio, measured", "Where the executor catches up"] {
        assert!(svg.contains(label), "{label}");
    }
    check("pool-size-5ms-256.svg", &svg);
}

#[test]
fn open_load_chart_with_the_labs_cells() {
    use charts::open_load::{draw_open, OpenData, OpenInput, OpenLab, OpenLabCell};
    use charts::stages::complete;
    use perfmodel::Pattern;
    let s = Scenario { io_wait_ms: 1.0, ..Scenario::default() };
    let cell = |pattern, pool, rate, p99, stable| OpenLabCell {
        pattern,
        pool,
        injected_ms: 1.0,
        io_wait_ms: 1.0,
        rate,
        ops_per_sec: rate,
        p50_ms: Some(1.5),
        p99_ms: Some(p99),
        stable,
    };
    let lab = OpenLab {
        report: "golden".into(),
        cores: 2,
        node_cpus: 2,
        cells: vec![
            cell(Pattern::Sync, None, 500.0, 5.0, true),
            cell(Pattern::Executor, Some(6), 3_000.0, 4.0, true),
            cell(Pattern::Tokio, None, 12_000.0, 800.0, false),
        ],
    };
    let d = complete::<OpenData>(&Params::default(), &OpenInput { scenario: s, rate: 2_000.0, timeout_ms: 100.0 }).unwrap().with_lab(Some(&lab));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 640)).into_drawing_area();
        draw_open(&root, &d, &Theme::LIGHT, 1.0).unwrap();
    }
    // Both panels, the legend naming what is drawn, measured points included.
    assert_eq!(svg.matches("requests arriving per second (log)").count(), 2);
    for label in ["Sync, model", "Executor, model", "Tokio, model", "capacity", "Sync, measured", "Executor, measured", "Tokio, measured"] {
        assert!(svg.contains(label), "{label}");
    }
    check("open-load-1ms-2000.svg", &svg);
}
