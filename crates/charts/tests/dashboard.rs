//! Dashboard panels from the project's fixture reports: every section becomes a panel, absent and broken ones say so, text is escaped.

use charts::dashboard::{draw_chart, panels, Kind};
use charts::html::emphasis;
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
        [
            "environment",
            "speedup",
            "operations",
            "throughput",
            "latency",
            "data-size",
            "latency-sim",
            "memory",
            "numpy",
            "high-concurrency",
            "mixed",
            "concurrency",
            "io-grid",
            "batch-grid",
            "takeaways"
        ]
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

fn shipped() -> charts::dashboard::Payload {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book/reports");
    charts::dashboard::payload(&read_dir(&dir).unwrap(), "../reports/")
}

#[test]
fn the_picker_groups_runs_by_source_and_names_each_machine() {
    use charts::dashboard::pretty_date;
    let p = shipped();
    let groups = p.groups();
    let labels: Vec<&str> = groups.iter().map(|(s, _)| s.unwrap().label.as_str()).collect();
    assert_eq!(labels, ["This project's measurement lab", "aerospike-py's benchmark suite (published)"]);
    assert_eq!(groups[1].1.len(), 10);
    assert_eq!(p.runs[groups[1].1[0]].label(), "2026-02-28 10:46 · Darwin arm64, Python 3.13.11");
    assert_eq!(pretty_date("2026-02-28_10-46"), "2026-02-28 10:46");
    assert_eq!(pretty_date("last week"), "last week");
    // The environment panel says where the run comes from and links its terms.
    let env = &p.runs[groups[1].1[0]].panels[0];
    assert!(env.html.contains("aerospike-py&#39;s benchmark suite (published).") && env.html.contains("commit 81bb94a"), "{}", env.html);
    assert!(env.html.contains("href=\"../reports/aerospike-py-LICENSE.txt\""), "{}", env.html);
    // The fixture folder names no source: one flat group.
    let fixtures =
        charts::dashboard::payload(&read_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../reports/tests/fixtures")).unwrap(), "");
    let g = fixtures.groups();
    assert_eq!(g.len(), 1);
    assert!(g[0].0.is_none() && g[0].1.len() == fixtures.runs.len());
}

#[test]
fn comparing_two_runs_pairs_every_number_both_carry() {
    use charts::dashboard::{changes, compare_panel};
    let p = shipped();
    let by = |f: &str| p.runs.iter().find(|r| r.file == f).unwrap();
    let (a, b) = (by("2026-02-28_10-46.json"), by("2026-02-27_22-26.json"));
    let all = changes(a, b);
    // The short run has only the per-operation sections: the numbers in both
    // are the per-client throughput and latency bars.
    assert!(!all.is_empty());
    assert!(all.iter().all(|c| c.chart == "Operations per second, by client" || c.chart == "Mean latency, by client"), "{all:?}");
    let get = all.iter().find(|c| c.chart.starts_with("Operations") && c.category == "operation get" && c.series == "aerospike-py sync").unwrap();
    let num = |r: &charts::dashboard::RunView| {
        let c = r.panels.iter().flat_map(|p| &p.charts).find(|c| c.id == "throughput").unwrap();
        let i = c.categories.iter().position(|x| x == "get").unwrap();
        c.series.iter().find(|s| s.label == "aerospike-py sync").unwrap().values[i].unwrap()
    };
    assert_eq!((get.a, get.b), (num(a), num(b)));
    let html = compare_panel(a, b).html;
    assert!(html.contains("Run A is <strong>2026-02-28 10:46") && html.contains(&format!("Every number in both runs ({})", all.len())), "{html}");
    // A run against itself: every ratio is 1.
    assert!(changes(a, a).iter().all(|c| c.ratio() == 1.0));
    // The lab's run and a published one share the per-operation charts only where both have the operation.
    let lab = &p.runs[0];
    assert!(changes(lab, a).iter().all(|c| c.a.is_finite() && c.b.is_finite()));
}

#[test]
fn the_batch_panels_send_the_reader_to_the_cluster_page() {
    let r = run("full.json");
    let ps = panels(&r.file, r.report.as_ref().unwrap());
    let link = "<a href=\"../comparison/batches.html\">Batches and the cluster</a>";
    for id in ["operations", "numpy"] {
        let p = ps.iter().find(|p| p.id == id).unwrap();
        assert_eq!(p.html.matches(link).count(), 1, "{id}: {}", p.html);
    }
    // The batch grid's panel too, and no other.
    assert_eq!(ps.iter().find(|p| p.id == "batch-grid").unwrap().html.matches(link).count(), 1);
    assert_eq!(ps.iter().filter(|p| p.html.contains(link)).count(), 3);
}

#[test]
fn the_labs_batch_grid_draws_one_chart_per_node_count_at_its_centre() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book/reports");
    let runs = load_bundle(&read_dir(&dir).unwrap()).0;
    let r = runs.iter().find(|r| r.report.as_ref().is_ok_and(|x| x.batch_grid.get().is_some())).expect("the book ships a batch report");
    let ps = panels(&r.file, r.report.as_ref().unwrap());
    let p = ps.iter().find(|p| p.id == "batch-grid").unwrap();
    // The grid's centre is 1 ms, 16 callers, every key found; it measured 1, 4 and 8 nodes.
    let titles: Vec<&str> = p.charts.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Measured batches per second over 1 node, 1 ms injected, 16 callers",
            "Measured batches per second over 4 nodes, 1 ms injected, 16 callers",
            "Measured batches per second over 8 nodes, 1 ms injected, 16 callers"
        ]
    );
    for c in &p.charts {
        assert!(c.series.len() >= 5, "{}: {} lines", c.title, c.series.len());
        assert!(c.series.iter().all(|s| s.values.iter().any(Option::is_some)));
        let mut b = String::new();
        draw_chart(&SVGBackend::with_string(&mut b, (600, 300)).into_drawing_area(), c, &Theme::LIGHT, 1.0).unwrap();
        assert!(b.contains("<polyline") || b.contains("<path"), "{} draws lines", c.title);
    }
    assert!(p.html.contains("<a href=\"../comparison/batches.html\">"));
    assert!(!p.html.contains("widget-error"));
}

#[test]
fn a_run_shows_its_results_first_its_environment_next_and_what_it_lacks_in_one_list() {
    let r = run("partial.json");
    let ps = panels(&r.file, r.report.as_ref().unwrap());
    let html = charts::dashboard::run_html(&ps);
    let at = |needle: &str| html.find(needle).unwrap_or_else(|| panic!("{needle} not in the run's HTML"));
    let present: Vec<&str> = ps.iter().filter(|p| !p.charts.is_empty()).map(|p| p.id.as_str()).collect();
    assert!(!present.is_empty(), "the partial fixture draws something");
    let env = at("data-panel=\"environment\"");
    for id in &present {
        assert!(at(&format!("data-panel=\"{id}\"")) < env, "{id} comes before the environment");
    }
    // The absent sections are named on one line after the environment.
    let list = at("<h2 id=\"dash-absent-title\">Not in this report</h2>");
    assert!(env < list);
    assert!(at("<span data-panel=\"data-size\">Data-size scaling</span>") > list);
    assert_eq!(html.matches("class=\"dash-absent\"").count(), 1, "one line for every absent section");
    let sections = html.matches("<section class=\"dash-panel\"").count();
    let absent = ps.iter().filter(|p| p.charts.is_empty() && p.html.starts_with("<p class=\"dash-absent\">")).count();
    assert!(absent > 0);
    assert_eq!(sections, ps.len() - absent + 1, "one section per shown panel and one for the list");
}
