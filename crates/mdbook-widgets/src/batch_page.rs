//! The batch page's sentences and tables, made from the model, the lab's batch grid, aerospike-py's published suite and its production benchmark: `{{#batch-answer}}`, `{{#batch-flip}}`, `{{#batch-production}}`.

use charts::batch::{batch_data, BatchData};
use charts::format::{count, number};
use perfmodel::batch::{Batch, Calls, FanOut};
use perfmodel::{predict_curve, Params, Pattern, Scenario};
use reports::batch::BatchCell;
use reports::Client;
use widget_props::Widget;

use crate::BookEnv;

pub(crate) const ANSWER: &str = "{{#batch-answer}}";
pub(crate) const FLIP: &str = "{{#batch-flip}}";
pub(crate) const PRODUCTION: &str = "{{#batch-production}}";
pub(crate) const MEANING: &str = "{{#batch-meaning}}";

/// Two measured numbers side by side in words: one is ahead beyond 5%, or they are within 5% of each other.
fn ahead(a_name: &str, a: f64, b_name: &str, b: f64) -> String {
    charts::batch::ahead(a_name, a, b_name, b, 1.05)
}

/// The factor within which the model's ratio of Tokio to the executor is not called (the lab's [`crate::batch_lab::Resolution`]).
fn resolution(env: &BookEnv) -> f64 {
    let rtt = env.lab().map(|l| l.rtt_ms).unwrap_or(perfmodel::scenario::LOCALHOST_RTT_MS);
    env.batch_lab().and_then(|l| l.resolution(rtt)).map(|r| r.factor).unwrap_or(1.05)
}

/// The batch figure's starting scenario: the default scenario with its starting values.
fn start() -> Scenario {
    let mut s = Scenario::default();
    Widget::BatchScaling(Default::default()).start(&mut s);
    s
}

/// One cell of the lab's batch grid.
fn lab_cell<'a>(cells: &'a [BatchCell], pattern: &str, policy: &str, keys: u64, nodes: u64, io: f64, n: u64) -> Option<&'a BatchCell> {
    cells.iter().find(|c| {
        c.pattern == pattern
            && c.policy == policy
            && c.keys == keys
            && c.nodes == nodes
            && c.io_wait_ms == io
            && c.concurrency == n
            && c.found_ratio == 1.0
    })
}

/// `{{#batch-answer}}`: the page's answer at its starting scenario, from the model, and the lab at its nearest cell.
pub(crate) fn answer(env: &BookEnv) -> String {
    let s = start();
    let d: BatchData = match batch_data(&Params::default(), &s) {
        Ok(d) => d,
        Err(e) => return format!("\n\n*The model refused the page's starting scenario: {e}*\n\n"),
    };
    let b = d.batch;
    let at = |p: Pattern, f: FanOut| d.lines.iter().find(|l| l.pattern == p && l.fan_out == f).map(|l| l.at.0).unwrap_or(f64::NAN);
    let (tk, ex, par) = (at(Pattern::Tokio, FanOut::Parallel), at(Pattern::Executor, FanOut::Series), at(Pattern::Executor, FanOut::Parallel));
    let res = resolution(env);
    let mut out = format!(
        "\n\n**A batch of {} keys read from {} nodes {} ms away, {} requests in flight, in the model: {}** with the official client's \
         default policy (the nodes one after another); with `concurrent=True`, {}.",
        count(b.keys),
        count(b.nodes),
        number(s.io_wait_ms),
        count(s.concurrency),
        charts::batch::ahead("aerospike-py's async client", tk, "the official client through `run_in_executor`", ex, res),
        charts::batch::ahead("aerospike-py", tk, "the official client", par, res),
    );
    if let Some(lab) = env.batch_lab() {
        let (kk, m, n) = (b.keys as u64, b.nodes as u64, s.concurrency as u64);
        // The lab's nearest cells: the same batch and callers at its 1 ms injected wait.
        let (e, t) = (
            lab_cell(&lab.grid.data, "official_executor", "default", kk, m, 1.0, n),
            lab_cell(&lab.grid.data, "aerospike_py_async", "default", kk, m, 1.0, n),
        );
        if let (Some(e), Some(t)) = (e.and_then(|c| c.ops_per_sec), t.and_then(|c| c.ops_per_sec)) {
            out.push_str(&format!(
                " The lab measured the same batch and callers with 1 ms injected per node request: {} ({} against {} batches/s).",
                ahead("aerospike-py", t, "the official client through the executor", e),
                number(t),
                number(e)
            ));
        }
    }
    out.push_str("\n\n");
    out
}

/// Batches per second of aerospike-py's async client, the executor with the default policy and with `concurrent=True`, at `s` with `b`.
fn three(s: &Scenario, b: Batch) -> Option<(f64, f64, f64)> {
    let s = Scenario { calls: Calls { gets: 0, batch: Some(b) }, ..*s };
    let d = batch_data(&Params::default(), &s).ok()?;
    let at = |p: Pattern, f: FanOut| d.lines.iter().find(|l| l.pattern == p && l.fan_out == f).map(|l| l.at.0);
    Some((at(Pattern::Tokio, FanOut::Parallel)?, at(Pattern::Executor, FanOut::Series)?, at(Pattern::Executor, FanOut::Parallel)?))
}

/// `{{#batch-meaning}}`: what the page means for a service: the lab on one local node, the model on the page's starting cluster, and how much of the gap `concurrent=True` closes.
pub(crate) fn meaning(env: &BookEnv) -> String {
    let s = start();
    let b = s.calls.batch.unwrap_or(Batch::START);
    let Some((ct, ce, cp)) = three(&s, b) else {
        return "\n\n*The model refused the page's starting scenario.*\n\n".into();
    };
    let res = resolution(env);
    let official = "the official client through the executor";
    let mut out = "\n\n**What this means for your service.**".to_string();
    // One node and no injected wait is what a benchmark on a laptop measures: the lab's cell says who is ahead there.
    if let Some(lab) = env.batch_lab() {
        let cell = |p: &str| lab_cell(&lab.grid.data, p, "default", b.keys as u64, 1, 0.0, s.concurrency as u64).and_then(|c| c.ops_per_sec);
        if let (Some(t), Some(e)) = (cell("aerospike_py_async"), cell("official_executor")) {
            out.push_str(&format!(
                " On one node with no wait, as a benchmark on a laptop runs it, the lab measured {} ({} keys, {} in flight): there the \
                 clients' CPU per key and per record decides.",
                ahead("aerospike-py", t, official, e),
                count(b.keys),
                count(s.concurrency)
            ));
        }
    }
    out.push_str(&format!(
        " On {} nodes {} ms away, the model has {} with the official client's default policy, which waits for each node in turn while \
         aerospike-py waits for the slowest.",
        count(b.nodes),
        number(s.io_wait_ms),
        charts::batch::ahead("aerospike-py", ct, official, ce, res),
    ));
    if ct > ce * res {
        let closed = (cp - ce) / (ct - ce);
        out.push_str(&if closed >= 1.0 {
            format!(" Setting `concurrent=True` on its batch policy more than closes that gap: {}.", charts::batch::ahead("aerospike-py", ct, "the official client", cp, res))
        } else if closed > 0.05 {
            format!(
                " Setting `concurrent=True` on its batch policy closes {:.0}% of that gap, not all of it: every caller's node requests share \
                 its thread pool of {} threads, and each record is still built with the GIL held.",
                closed * 100.0,
                count(Params::default().official_thread_pool as u32)
            )
        } else {
            " Setting `concurrent=True` on its batch policy barely changes it here: every caller's node requests share one thread pool, and each record is still built with the GIL held.".into()
        });
    }
    out.push_str(" Describe your handler's calls on [Your service](../service.md) to see both at your own load.\n\n");
    out
}

/// `{{#batch-flip}}`: who is ahead on one node and on a cluster: aerospike-py's published suite, the lab at one node and at eight, the production benchmark.
pub(crate) fn flip(env: &BookEnv) -> String {
    let mut rows = String::new();
    // aerospike-py's newest published run with batch reads.
    let (runs, _) = reports::load_bundle(env.reports());
    let published = runs.iter().filter(|r| r.source.as_ref().is_some_and(|s| s.id != "lab")).find_map(|r| {
        let rep = r.report.as_ref().ok()?;
        let get = |c: Client| rep.client(c)?.get("batch_read")?.ops_per_sec;
        Some((r.date.clone(), get(Client::OfficialAsync)?, get(Client::AerospikePyAsync)?, get(Client::OfficialSync)?, get(Client::AerospikePySync)?))
    });
    if let Some((date, oa, pa, os, ps)) = published {
        rows.push_str(&format!(
            "| aerospike-py's published suite, run {date} (Darwin arm64; one server; its own count per second) | {} | {} |\n",
            ahead("aerospike-py async", pa, "official through the executor", oa),
            ahead("aerospike-py sync", ps, "official sync", os),
        ));
    }
    if let Some(lab) = env.batch_lab() {
        for (m, io) in [(1u64, 0.0), (8, 1.0)] {
            let cell = |p: &str, n: u64| lab_cell(&lab.grid.data, p, "default", 50, m, io, n).and_then(|c| c.ops_per_sec);
            let asy = match (cell("aerospike_py_async", 16), cell("official_executor", 16)) {
                (Some(a), Some(e)) => ahead("aerospike-py async", a, "official through the executor", e),
                _ => "not measured".into(),
            };
            let syn = match (cell("aerospike_py_sync", 1), cell("official_sync", 1)) {
                (Some(a), Some(o)) => ahead("aerospike-py sync", a, "official sync", o),
                _ => "not measured".into(),
            };
            rows.push_str(&format!(
                "| This lab, report {}: 50 keys, {} node{}, {} ms injected, 16 callers (async) or one (sync) | {asy} | {syn} |\n",
                lab.run.date,
                m,
                if m == 1 { "" } else { "s" },
                io
            ));
        }
    }
    if let Some(p) = production(env) {
        let found: Vec<f64> = p.iter().filter(|r| r.found > 0.0).map(|r| r.official_async_ms / r.py_async_ms).collect();
        let none: Vec<f64> = p.iter().filter(|r| r.found == 0.0).map(|r| r.official_async_ms / r.py_async_ms).collect();
        let range = |v: &[f64]| {
            let (lo, hi) = v.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &x| (lo.min(x), hi.max(x)));
            format!("{}–{}×", number(lo), number(hi))
        };
        rows.push_str(&format!(
            "| aerospike-py's production benchmark (8-node cluster, 10 in flight, 50 and 200 keys; mean latency) | official through the executor {} slower where records were found, {} where none was | not measured |\n",
            range(&found),
            range(&none)
        ));
    }
    format!("\n\n| Where | Async: who is ahead | Sync: who is ahead |\n|---|---|---|\n{rows}\n")
}

/// One row of aerospike-py's production benchmark: a set at a batch size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ProductionRow {
    pub keys: u32,
    pub found: f64,
    pub official_async_ms: f64,
    pub py_async_ms: f64,
}

/// The production benchmark's rows (`book/reports/production/*-summary.csv`): official-async against py-async by set and batch size.
pub(crate) fn production(env: &BookEnv) -> Option<Vec<ProductionRow>> {
    let dir = env.src_dir.join("reports/production");
    let mut files: Vec<_> =
        std::fs::read_dir(&dir).ok()?.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.to_string_lossy().ends_with("-summary.csv")).collect();
    files.sort();
    let text = std::fs::read_to_string(files.last()?).ok()?;
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next()?.split(',').collect();
    let col = |name: &str| head.iter().position(|h| *h == name);
    let (client, set, batch, mean, found) = (col("client")?, col("set_name")?, col("batch_size")?, col("mean_ms")?, col("found_ratio")?);
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let mut out = Vec::new();
    for r in rows.iter().filter(|r| r.get(client) == Some(&"official-async")) {
        let py = rows.iter().find(|q| q.get(client) == Some(&"py-async") && q.get(set) == r.get(set) && q.get(batch) == r.get(batch))?;
        out.push(ProductionRow {
            keys: r.get(batch)?.parse().ok()?,
            found: r.get(found)?.parse().ok()?,
            official_async_ms: r.get(mean)?.parse().ok()?,
            py_async_ms: py.get(mean)?.parse().ok()?,
        });
    }
    (!out.is_empty()).then_some(out)
}

/// `{{#batch-production}}`: the model, calibrated from the lab only, at the
/// production benchmark's stated settings (8 nodes, 10 in flight, each
/// set's batch size and found share, each client's default policy), for a
/// range of the wait per node request the benchmark does not state.
pub(crate) fn production_table(env: &BookEnv) -> String {
    let Some(rows) = production(env) else {
        return "\n\n*The production benchmark's figures are not in the book's reports folder.*\n\n".into();
    };
    let p = Params::default();
    let d = Scenario::default();
    let model = |keys: u32, found: f64, w: f64| -> Option<f64> {
        let s = Scenario {
            io_wait_ms: w,
            concurrency: PRODUCTION_IN_FLIGHT,
            pool: Some(PRODUCTION_IN_FLIGHT),
            calls: Calls { gets: 0, batch: Some(Batch { keys, nodes: PRODUCTION_NODES, found, fan_out: FanOut::Series }) },
            ..d
        };
        let e = predict_curve(Pattern::Executor, &p, &s, &[PRODUCTION_IN_FLIGHT]).ok()?[0].latency_ms.mean;
        let t = predict_curve(Pattern::Tokio, &p, &s, &[PRODUCTION_IN_FLIGHT]).ok()?[0].latency_ms.mean;
        Some(e / t)
    };
    // The wait per node request at which the model's ratio is the measured one (it grows with the wait): bisection in log wait, bounded steps.
    let matching = |keys: u32, found: f64, want: f64| -> Option<f64> {
        let (mut lo, mut hi) = (MATCH_WAITS.0.ln(), MATCH_WAITS.1.ln());
        if want < model(keys, found, lo.exp())? || want > model(keys, found, hi.exp())? {
            return None;
        }
        for _ in 0..24 {
            let mid = 0.5 * (lo + hi);
            if model(keys, found, mid.exp())? < want {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Some((0.5 * (lo + hi)).exp())
    };
    let mut table = String::new();
    let mut matched: Vec<f64> = Vec::new();
    // Rows no wait reproduces: (found share, measured, the model's least and greatest ratio over the waits searched).
    let mut outside: Vec<(f64, f64, f64, f64)> = Vec::new();
    for r in &rows {
        let measured = r.official_async_ms / r.py_async_ms;
        let cells: Vec<String> =
            PRODUCTION_WAITS.iter().map(|&w| model(r.keys, r.found, w).map(|x| format!("{}×", number(x))).unwrap_or_else(|| "–".into())).collect();
        let w = matching(r.keys, r.found, measured);
        match w {
            Some(w) => matched.push(w),
            None => {
                if let (Some(lo), Some(hi)) = (model(r.keys, r.found, MATCH_WAITS.0), model(r.keys, r.found, MATCH_WAITS.1)) {
                    outside.push((r.found, measured, lo, hi));
                }
            }
        }
        table.push_str(&format!(
            "| {} | {:.0}% | {}× | {} | {} |\n",
            r.keys,
            r.found * 100.0,
            number(measured),
            cells.join(" | "),
            w.map(|w| format!("{} ms", number(w))).unwrap_or_else(|| "none".into())
        ));
    }
    let header: Vec<String> = PRODUCTION_WAITS.iter().map(|w| format!("model, {} ms", number(*w))).collect();
    matched.sort_by(f64::total_cmp);
    let mut said = String::new();
    if let (Some(lo), Some(hi)) = (matched.first(), matched.last()) {
        said.push_str(&format!(
            "\n\nThe last column is the wait per node request at which the model's ratio is the measured one. {} of the {} rows match at \
             some wait, from {} to {} ms: the gap the benchmark measured is the one the official client's default policy opens when each \
             of its {} node requests takes about {} ms, one after another.",
            count(matched.len() as u32),
            count(rows.len() as u32),
            number(*lo),
            number(*hi),
            PRODUCTION_NODES,
            number(matched[matched.len() / 2])
        ));
    }
    let below: Vec<&(f64, f64, f64, f64)> = outside.iter().filter(|o| o.1 < o.2).collect();
    if !below.is_empty() {
        let (m_lo, m_hi) = below.iter().fold((f64::INFINITY, 0.0f64), |(a, b), o| (a.min(o.1), b.max(o.1)));
        let least = below.iter().map(|o| o.2).fold(f64::INFINITY, f64::min);
        let none_found = below.iter().all(|o| o.0 == 0.0);
        said.push_str(&format!(
            " {} row{}{} measured the clients closer ({}–{}×) than the model puts them at any wait from {} to {} ms (at least {}×). \
             The model charges every node request the CPU the lab measured for it, one after another for the official client; the \
             benchmark does not say what its node requests cost when they return nothing, and this is what the model cannot explain.",
            count(below.len() as u32),
            if below.len() == 1 { "" } else { "s" },
            if none_found { " where no record was found" } else { "" },
            number(m_lo),
            number(m_hi),
            number(MATCH_WAITS.0),
            number(MATCH_WAITS.1),
            number(least)
        ));
    }
    let above = outside.iter().filter(|o| o.1 > o.3).count();
    if above > 0 {
        said.push_str(&format!(
            " {} row{} measured a wider gap than the model reaches at {} ms per node request.",
            count(above as u32),
            if above == 1 { "" } else { "s" },
            number(MATCH_WAITS.1)
        ));
    }
    format!(
        "\n\nThe model at the benchmark's {} nodes and {} in flight, the executor's pool at {} threads (Python's default is min(32, CPUs + 4), \
         {} or more on any host of {} CPUs or more; the benchmark does not state its host), {} cores:\n\n\
         | Keys | Found | Measured (official-async ÷ py-async, mean) | {} | Wait that matches |\n|---:|---:|---:|{}---:|\n{table}{said}\n\n",
        PRODUCTION_NODES,
        PRODUCTION_IN_FLIGHT,
        PRODUCTION_IN_FLIGHT,
        PRODUCTION_IN_FLIGHT,
        PRODUCTION_IN_FLIGHT.saturating_sub(4),
        d.cores,
        header.join(" | "),
        PRODUCTION_WAITS.iter().map(|_| "---:|").collect::<String>()
    )
}

/// The production benchmark's cluster and requests in flight (its `benchmark/src/benchmark/config.py`).
const PRODUCTION_NODES: u32 = 8;
const PRODUCTION_IN_FLIGHT: u32 = 10;
/// The waits per node request the table shows, and the range the matching wait is searched in (ms).
const PRODUCTION_WAITS: [f64; 4] = [0.25, 1.0, 5.0, 20.0];
const MATCH_WAITS: (f64, f64) = (0.05, 50.0);
