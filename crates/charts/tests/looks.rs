//! Every series can be told apart without colour: within each chart's legend no two entries share dash, marker and fill, and each legend entry is what the chart draws.

use charts::look::{Look, Swatch};
use charts::{burst, dashboard, latency, memory, throughput, Theme};
use perfmodel::{Params, Pattern, Scenario};

fn distinct_without_colour(what: &str, items: &[(String, Swatch)]) {
    for (i, (a, sa)) in items.iter().enumerate() {
        for (b, sb) in &items[..i] {
            assert_ne!(sa.without_colour(), sb.without_colour(), "{what}: {a:?} and {b:?} differ only by colour");
        }
    }
}

/// Four dashes for five patterns: the three compared ones and either of
/// the others (sync + threads in the memory chart, a plain def endpoint in
/// Your service's) differ in dash and marker both; the two others, never
/// drawn together, differ in marker.
#[test]
fn the_patterns_differ_in_dash_and_marker() {
    let look = |p| Look::pattern(&Theme::LIGHT, p);
    for extra in [Pattern::SyncThreads, Pattern::Threadpool] {
        let set: Vec<Pattern> = Pattern::COMPARED.iter().copied().chain([extra]).collect();
        for (i, &a) in set.iter().enumerate() {
            for &b in &set[..i] {
                assert!(look(a).dash != look(b).dash && look(a).mark != look(b).mark, "{a:?} / {b:?}");
            }
        }
    }
    assert_ne!(look(Pattern::SyncThreads).mark, look(Pattern::Threadpool).mark);
    assert!(!charts::memory::PATTERNS.contains(&Pattern::Threadpool), "the memory chart would draw both dotted patterns");
}

#[test]
fn the_model_figures_legends_need_no_colour() {
    let p = Params::default();
    let t = Theme::LIGHT;
    // The executor at its pool cap, so the cap is drawn and listed.
    let s = Scenario { io_wait_ms: 5.0, concurrency: 200, ..Scenario::default() };
    let tp = throughput::throughput_data(&p, &s).unwrap();
    assert!(tp.legend(&t).iter().any(|(l, _)| l == "Executor pool cap"));
    distinct_without_colour("throughput", &tp.legend(&t));
    let lat = latency::latency_data(&p, &Scenario::default()).unwrap();
    distinct_without_colour("latency", &lat.legend(&t));
    let open = charts::open_load::open_data(&p, &s, 1_000.0, 100.0).unwrap();
    distinct_without_colour("open load", &open.legend(&t));
    for view in [memory::MemoryView::Resident, memory::MemoryView::Reserved] {
        distinct_without_colour("memory", &memory::memory_data(&p, &s, view).unwrap().legend(&t));
    }
    for pattern in Pattern::COMPARED {
        distinct_without_colour("burst", &burst::legend(&t, pattern));
    }
}

/// Every chart of every shipped run (the lab's five-series grid included).
#[test]
fn the_dashboard_charts_legends_need_no_colour() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book/reports");
    let payload = dashboard::payload(&reports::read_dir(&dir).unwrap(), "");
    let mut charts = 0;
    for run in &payload.runs {
        for c in run.panels.iter().flat_map(|p| &p.charts) {
            distinct_without_colour(&format!("{} / {}", run.file, c.id), &c.legend(&Theme::LIGHT));
            charts += 1;
        }
    }
    assert!(charts > 50, "{charts}");
}
