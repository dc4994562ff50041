//! Dashboard panels from the project's fixture reports: every section becomes a panel, absent and broken ones say so, text is escaped.

use charts::dashboard::{draw_chart, emphasis, panels, Kind};
use charts::Theme;
use plotters::prelude::*;
use reports::{load_bundle, read_dir, Run};

fn runs() -> Vec<Run> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../reports/tests/fixtures");
    load_bundle(&read_dir(&dir).unwrap()).0
}

fn run(file: &str) -> Run {
    runs().into_iter().find(|r| r.file == file).unwrap()
}

#[test]
fn a_full_report_fills_every_panel_and_draws_every_chart() {
    let r = run("full.json");
    let ps = panels(&r.file, r.report.as_ref().unwrap());
    let ids: Vec<&str> = ps.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        ids,
        ["environment", "speedup", "operations", "throughput", "latency", "data-size", "latency-sim", "memory", "numpy", "high-concurrency", "mixed", "concurrency", "io-grid", "takeaways"]
    );
    for p in &ps {
        assert!(!p.html.contains("is not in this report"), "{}: {}", p.id, p.html);
        assert!(!p.html.contains("widget-error"), "{}", p.id);
        for c in &p.charts {
            assert!(p.html.contains(&format!("data-chart=\"{}\"", c.id)), "{} has a canvas for {}", p.id, c.id);
            let t = c.table();
            assert_eq!(t.rows.len(), c.categories.len());
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, (720, 360)).into_drawing_area();
                draw_chart(&root, c, &Theme::LIGHT, 1.0).unwrap();
            }
            assert!(svg.contains(if c.kind == Kind::Bars { "<rect" } else { "<polyline" }), "{}", c.id);
        }
    }
    // The speedup panel says which pairs it compares.
    let speed = &ps[1].html;
    assert!(speed.contains("in the same mode") && speed.contains("sync vs sync: throughput") && speed.contains("2.00×"), "{speed}");
    // A client with no number at one point is said, not just left out.
    let high = ps.iter().find(|p| p.id == "high-concurrency").unwrap();
    assert!(high.html.contains("official has no data at concurrency 1,000"), "{}", high.html);
}

#[test]
fn takeaways_render_emphasis_and_nothing_else() {
    let r = run("full.json");
    let ps = panels(&r.file, r.report.as_ref().unwrap());
    let t = &ps.iter().find(|p| p.id == "takeaways").unwrap().html;
    assert!(t.contains("<strong>2.0x</strong>"), "{t}");
    assert!(t.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !t.contains("<script>"), "{t}");
    assert!(t.contains("<em>emphasis</em>"));
    assert_eq!(emphasis("a * b ** c"), "a * b ** c");
    assert_eq!(emphasis("**<b>**"), "<strong>&lt;b&gt;</strong>");
}

#[test]
fn absent_and_broken_sections_say_so_in_their_own_panel() {
    let r = run("partial.json");
    let ps = panels(&r.file, r.report.as_ref().unwrap());
    let data_size = ps.iter().find(|p| p.id == "data-size").unwrap();
    assert!(data_size.html.contains("Data-size scaling is not in this report."));
    assert!(data_size.charts.is_empty());
    let w = run("wrong-type.json");
    let ps = panels(&w.file, w.report.as_ref().unwrap());
    let mem = ps.iter().find(|p| p.id == "memory").unwrap();
    assert!(mem.html.contains("widget-error") && mem.html.contains("wrong-type.json: field memory_profiling.data"), "{}", mem.html);
    let tput = ps.iter().find(|p| p.id == "throughput").unwrap();
    assert!(tput.html.contains("field official_sync.get.avg_ms"), "{}", tput.html);
    // The readable client still has its card.
    let ops = ps.iter().find(|p| p.id == "operations").unwrap();
    assert!(ops.html.contains("aerospike-py sync"));
}

#[test]
fn legacy_reports_fill_the_same_panels() {
    let r = run("legacy.json");
    let ps = panels(&r.file, r.report.as_ref().unwrap());
    let ops = &ps.iter().find(|p| p.id == "operations").unwrap().html;
    assert!(ops.contains("aria-label=\"query\""), "scan is shown as query");
    let mem = ps.iter().find(|p| p.id == "memory").unwrap();
    assert_eq!(mem.charts[0].series[1].values, vec![Some(1.5)]);
}

#[test]
fn sections_the_page_does_not_know_are_named_in_the_environment_panel() {
    let text = r#"{"date": "2026-03-01", "official_sync": {"get": {"ops_per_sec": 10.0}}, "gpu<batch>": {"x": 1}}"#;
    let r = reports::parse_report("new.json", text).unwrap();
    let env = panels("new.json", &r).into_iter().find(|p| p.id == "environment").unwrap().html;
    assert!(env.contains("sections this page does not show: <code>gpu&lt;batch&gt;</code>."), "{env}");
    let known = run("full.json");
    let env = panels(&known.file, known.report.as_ref().unwrap()).into_iter().find(|p| p.id == "environment").unwrap().html;
    assert!(!env.contains("does not show"), "{env}");
}
