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
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("- **") && l.contains(" wait, ")).collect();
    let margin = mdbook_widgets::service_lab::resolution(&env);
    assert!(margin > 1.0 && margin < 1.5, "the closed-loop lab's round spread: {margin}");
    let all = configs(r);
    assert_eq!(lines.len(), all.len(), "one sentence per configuration:\n{text}");
    for (k, line) in all.iter().zip(&lines) {
        let asp = most(r, "asp", *k).unwrap();
        let best = ["sync", "threadpool", "executor"].iter().filter_map(|e| most(r, e, *k)).fold(0.0, f64::max);
        let words = if asp > best * margin {
            "**ahead of"
        } else if asp < best / margin {
            "**behind"
        } else {
            "**level with"
        };
        assert!(line.contains(words), "{k:?}: aerospike-py {asp}/s, the official client's best {best}/s, yet: {line}");
        let workers = if k.workers == 1 { "- **1 worker,".to_string() } else { format!("- **{} workers,", k.workers) };
        assert!(line.starts_with(&workers), "{line}");
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

/// The verdict pages' sentence on the service lab (the takeaway, the
/// conclusion, the conditions and Your service) counts every configuration
/// by the same rule as the summary; the conditions page says a handler's
/// work "cut the other way" only where aerospike-py answered less more often
/// than more, and the conclusion says the client's gain "can vanish" only
/// where, at the longest wait with one worker, aerospike-py was not ahead of
/// run_in_executor.
#[test]
fn the_verdict_sentence_counts_every_configuration_and_the_pages_read_it_rightly() {
    let env = env();
    let r = env.service_lab().unwrap();
    let margin = mdbook_widgets::service_lab::resolution(&env);
    let v = mdbook_widgets::service_lab::verdict(&env);
    let all = configs(r);
    let (mut more, mut less) = (0, 0);
    for k in &all {
        let asp = most(r, "asp", *k).unwrap();
        let best = ["sync", "threadpool", "executor"].iter().filter_map(|e| most(r, e, *k)).fold(0.0, f64::max);
        more += (asp > best * margin) as usize;
        less += (asp < best / margin) as usize;
    }
    let level = all.len() - more - less;
    assert!(v.contains(&format!("in {more} of {} configurations, less in {less} and level in {level}", all.len())), "{v}");
    let page = |p: &str| std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book").join(p)).unwrap();
    assert_eq!(page("limits/conditions.md").contains("cut the other way"), less > more, "{v}");
    let k = *all.iter().filter(|k| k.workers == 1 && k.handler_cpu_ms == 0.0).max_by(|a, b| a.io_wait_ms.total_cmp(&b.io_wait_ms)).unwrap();
    let (asp, ex) = (most(r, "asp", k).unwrap(), most(r, "executor", k).unwrap());
    assert_eq!(page("limits/conclusion.md").contains("that gain can vanish"), asp <= ex * margin, "{k:?}: {asp} against {ex}");
    for p in ["comparison/takeaway.md", "limits/conclusion.md", "limits/conditions.md", "service.md"] {
        assert!(page(p).contains("{{#service-lab-verdict}}"), "{p} reads the lab's sentence");
    }
}

/// Your service reads its CPU row "as a floor": hold that to the lab. The
/// model's CPU is under what the server's processes used in nine kept-up
/// cells of ten at least, and the ratio the page quotes is the cells' median.
#[test]
fn the_cpu_the_model_charges_is_a_floor() {
    let env = env();
    let r = env.service_lab().expect("the book ships a service report");
    let rtt = env.lab().map(|l| l.rtt_ms).unwrap();
    let f = mdbook_widgets::service_lab::fits(r, &Params::default(), rtt);
    assert!(f.cells.len() >= 50, "{} kept-up cells", f.cells.len());
    let under = f.cells.iter().filter(|(c, m)| m.cores < c.server_cores_used).count();
    assert!(10 * under >= 9 * f.cells.len(), "the model's CPU is under the lab's in {under} of {}", f.cells.len());
    let words = mdbook_widgets::service_lab::cpu_words(&env);
    assert!(words.contains(&format!("a median {}×", charts::format::number(1.0 / f.median_cpu))), "{words}");
    // Every modelled endpoint has its cells, the plain def endpoint included.
    for e in ["sync", "threadpool", "executor", "asp"] {
        assert!(f.cells.iter().any(|(c, _)| c.pattern == e), "{e}");
    }
}
