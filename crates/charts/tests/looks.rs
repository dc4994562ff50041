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

#[test]
fn the_patterns_differ_in_dash_and_marker() {
    let looks: Vec<Look> = Pattern::ALL.iter().map(|&p| Look::pattern(&Theme::LIGHT, p)).collect();
    for (i, a) in looks.iter().enumerate() {
        for b in &looks[..i] {
            assert!(a.dash != b.dash && a.mark != b.mark, "{a:?} / {b:?}");
        }
    }
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
