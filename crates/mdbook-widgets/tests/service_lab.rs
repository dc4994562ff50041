//! The service lab on the pages: the model's web-server costs are the ones the lab measured, and each sentence of the summary says what the report's numbers say.

use std::path::Path;

use mdbook_widgets::service_lab::{configs, table, Config};
use perfmodel::Params;

fn env() -> mdbook_widgets::BookEnv {
    mdbook_widgets::BookEnv::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book"), String::new())
}

#[test]
fn the_web_servers_costs_are_the_ones_the_lab_measured() {
    let env = env();
    let r = env.service_lab().expect("the book ships a service report");
    let (cpu, rss) = r.server_cost().expect("the server alone was measured with one worker");
    let p = Params::default();
    let close =
        |name: &str, got: f64, want: f64| assert!((got - want).abs() <= 0.005 * want.abs().max(1.0), "{name}: default {got}, the lab gives {want}");
    close("http_server_us", p.http_server_us, cpu);
    close("http_server_rss_mib", p.http_server_rss_mib, rss - p.base_rss_mib);
}

/// The most an endpoint answered in a configuration, computed here from the cells alone.
fn most(r: &reports::service::ServiceReport, pattern: &str, k: Config) -> Option<f64> {
    let io = if pattern == "none" { 0.0 } else { k.io_wait_ms };
    let cells: Vec<_> = r
        .cells
        .iter()
        .filter(|c| c.pattern == pattern && c.workers == k.workers && c.io_wait_ms == io && c.handler_cpu_ms == k.handler_cpu_ms)
        .collect();
    let probe = cells.first()?.capacity_per_s;
    Some(cells.iter().filter(|c| c.steady()).map(|c| c.achieved_per_s).fold(probe, f64::max))
}

#[test]
fn each_configurations_sentence_says_who_answered_more() {
    let env = env();
    let r = env.service_lab().expect("the book ships a service report");
    let text = table(&env, false);
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("- With ")).collect();
    let all = configs(r);
    assert_eq!(lines.len(), all.len(), "one sentence per configuration:\n{text}");
    for (k, line) in all.iter().zip(&lines) {
        let asp = most(r, "asp", *k).unwrap();
        let best = ["sync", "threadpool", "executor"].iter().filter_map(|e| most(r, e, *k)).fold(0.0, f64::max);
        let words = if asp > best * 1.03 {
            "**ahead of"
        } else if asp < best / 1.03 {
            "**behind"
        } else {
            "**level with"
        };
        assert!(line.contains(words), "{k:?}: aerospike-py {asp}/s, the official client's best {best}/s, yet: {line}");
        let workers = if k.workers == 1 { "one worker process".to_string() } else { format!("{} worker processes", k.workers) };
        assert!(line.contains(&workers), "{line}");
    }
}

#[test]
fn the_full_section_tabulates_every_cell_and_the_model() {
    let env = env();
    let r = env.service_lab().unwrap();
    let text = table(&env, true);
    let rows = text.lines().filter(|l| l.starts_with("| ") && (l.contains(" | yes |") || l.contains(" | no |"))).count();
    assert_eq!(rows, r.cells.len(), "every cell has its row");
    assert!(text.contains("Model ÷ measured"), "{text}");
}

/// index.md's short answer: in the lab's FastAPI service, one worker on one
/// core at 1 ms of wait, aerospike-py's endpoint answered fewer requests per
/// second than the official client's through run_in_executor, and the
/// server alone spent more CPU per request than either client's whole get.
#[test]
fn the_overviews_sentence_on_the_service_holds() {
    let env = env();
    let r = env.service_lab().unwrap();
    let k = Config { workers: 1, io_wait_ms: 1.0, handler_cpu_ms: 0.0 };
    let (asp, ex) = (most(r, "asp", k).unwrap(), most(r, "executor", k).unwrap());
    assert!(asp < ex, "aerospike-py {asp}/s, run_in_executor {ex}/s");
    let p = Params::default();
    assert!(p.http_server_us > p.asp_gil_us + p.asp_nogil_us && p.http_server_us > p.official_gil_us + p.official_nogil_us + p.executor_overhead_us);
}
