//! The batch page's sentences and tables, made from the model, the lab's batch grid, aerospike-py's published suite and its production benchmark: `{{#batch-answer}}`, `{{#batch-flip}}`, `{{#batch-production}}`.

use charts::batch::{batch_data, BatchData};
use charts::format::{count, number};
use perfmodel::batch::{Batch, Calls, FanOut};
use perfmodel::{predict_curve, Params, Pattern, Scenario};
use reports::batch::BatchCell;
use reports::Client;
use widget_props::Widget;

use crate::batch_lab::{CONCURRENT, DEFAULT_POLICY};
use crate::BookEnv;

pub(crate) const ANSWER: &str = "{{#batch-answer}}";
pub(crate) const FLIP: &str = "{{#batch-flip}}";
pub(crate) const PRODUCTION: &str = "{{#batch-production}}";
pub(crate) const MEANING: &str = "{{#batch-meaning}}";

/// Two measured numbers side by side in words: one is ahead beyond 5%, or they are within 5% of each other.
fn ahead(a_name: &str, a: f64, b_name: &str, b: f64) -> String {
    charts::batch::ahead(a_name, a, b_name, b, 1.05)
}

/// Two of the lab's cells compared: a side is named only where their
/// rounds' ranges do not overlap (the lab's own spread is its resolution
/// there); else the ranges are given and no side.
fn lab_ahead(a_name: &str, a: &BatchCell, b_name: &str, b: &BatchCell) -> Option<(String, bool)> {
    let (x, y) = (a.ops_per_sec?, b.ops_per_sec?);
    let range = |c: &BatchCell| Some((c.ops_min?, c.ops_max?));
    match (range(a), range(b)) {
        (Some((a_lo, a_hi)), Some((b_lo, b_hi))) if a_lo <= b_hi && b_lo <= a_hi => Some((
            format!(
                "no side, as their rounds overlap ({a_name} {} to {}, {b_name} {} to {} batches/s)",
                number(a_lo),
                number(a_hi),
                number(b_lo),
                number(b_hi)
            ),
            false,
        )),
        _ => Some((ahead(a_name, x, b_name, y), true)),
    }
}

/// The factor within which the model's ratio of Tokio to the executor with the policy `against`
/// is not called (the lab's [`crate::batch_lab::Resolution`]).
fn resolution(env: &BookEnv, against: &str) -> f64 {
    let rtt = env.lab().map(|l| l.rtt_ms).unwrap_or(perfmodel::scenario::LOCALHOST_RTT_MS);
    env.batch_lab().and_then(|l| l.resolution(rtt, against)).map(|r| r.factor).unwrap_or(1.05)
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
    let mut out = format!(
        "\n\n**A batch of {} keys read from {} nodes {} ms away, {} requests in flight. In the model's batches per second, {}** with the official client's \
         default policy (the nodes one after another); with `concurrent=True`, {}.",
        count(b.keys),
        count(b.nodes),
        number(s.io_wait_ms),
        count(s.concurrency),
        charts::batch::ahead("aerospike-py's async client", tk, "the official client through `run_in_executor`", ex, resolution(env, DEFAULT_POLICY)),
        charts::batch::ahead("aerospike-py", tk, "the official client", par, resolution(env, CONCURRENT)),
    );
    if let Some(lab) = env.batch_lab() {
        let (kk, m, n) = (b.keys as u64, b.nodes as u64, s.concurrency as u64);
        // The lab's nearest cells: the same batch, nodes and callers at its 1 ms injected wait, a side named only where the rounds do not overlap.
        let cell = |pattern: &str, policy: &str| lab_cell(&lab.grid.data, pattern, policy, kk, m, 1.0, n);
        if let (Some(e), Some(p), Some(t)) =
            (cell("official_executor", "default"), cell("official_executor", "parallel"), cell("aerospike_py_async", "default"))
        {
            let medians = |a: &BatchCell, b: &BatchCell| {
                format!(
                    "medians aerospike-py {}, the official client {} batches/s",
                    number(a.ops_per_sec.unwrap_or(f64::NAN)),
                    number(b.ops_per_sec.unwrap_or(f64::NAN))
                )
            };
            out.push_str(&format!(
                " The lab measured the same batch on {} nodes with 1 ms injected per node request. With the default policy: {}, {}. \
                 With `concurrent=True`: {}, {}.",
                count(b.nodes),
                lab_ahead("aerospike-py", t, "the official client", e).map(|w| w.0).unwrap_or_default(),
                medians(t, e),
                lab_ahead("aerospike-py", t, "the official client", p).map(|w| w.0).unwrap_or_default(),
                medians(t, p),
            ));
        }
    }
    out.push_str("\n\n");
    out
}

/// CPU time of one batch in the model, GIL-held and GIL-free together, µs.
fn model_cpu_us(pattern: Pattern, s: &Scenario, b: Batch) -> f64 {
    let s = Scenario { calls: Calls { gets: 0, batch: Some(b), batches: 1, gather: false }, ..*s };
    perfmodel::pattern::steps(pattern, &Params::default(), &s)
        .iter()
        .map(|st| match st.work {
            perfmodel::pattern::Work::Gil(us) | perfmodel::pattern::Work::Cpu(us) => us,
            _ => 0.0,
        })
        .sum()
}

/// Batches per second of aerospike-py's async client, the executor with the default policy and with `concurrent=True`, at `s` with `b`.
fn three(s: &Scenario, b: Batch) -> Option<(f64, f64, f64)> {
    let s = Scenario { calls: Calls { gets: 0, batch: Some(b), batches: 1, gather: false }, ..*s };
    let d = batch_data(&Params::default(), &s).ok()?;
    let at = |p: Pattern, f: FanOut| d.lines.iter().find(|l| l.pattern == p && l.fan_out == f).map(|l| l.at.0);
    Some((at(Pattern::Tokio, FanOut::Parallel)?, at(Pattern::Executor, FanOut::Series)?, at(Pattern::Executor, FanOut::Parallel)?))
}

/// `{{#batch-meaning}}`: what the page means for a service: the lab on one local node, the model on the page's starting cluster, and what `concurrent=True` does, the lab's cells first.
pub(crate) fn meaning(env: &BookEnv) -> String {
    let s = start();
    let b = s.calls.batch.unwrap_or(Batch::START);
    let Some((ct, ce, cp)) = three(&s, b) else {
        return "\n\n*The model refused the page's starting scenario.*\n\n".into();
    };
    let official = "the official client through the executor";
    let mut out = "\n\n**What this means for your service.**\n\n".to_string();
    // One node and no injected wait is what a benchmark on a laptop measures: the lab's cell says who is ahead there, by the overlap rule.
    if let Some(lab) = env.batch_lab() {
        let cell = |p: &str| lab_cell(&lab.grid.data, p, "default", b.keys as u64, 1, 0.0, s.concurrency as u64);
        if let Some((words, _)) =
            cell("aerospike_py_async").zip(cell("official_executor")).and_then(|(t, e)| lab_ahead("aerospike-py", t, official, e))
        {
            out.push_str(&format!(
                "- **On one node with no wait**, as a benchmark on a laptop runs it ({} keys, {} in flight), the lab measured {words}. \
                 There the clients' CPU per key and per record decides.\n",
                count(b.keys),
                count(s.concurrency)
            ));
        }
    }
    out.push_str(&format!(
        "- **On {} nodes {} ms away**, the model has {} with the official client's default policy. That policy waits for each node in turn; \
         aerospike-py waits only for the slowest.\n",
        count(b.nodes),
        number(s.io_wait_ms),
        charts::batch::ahead("aerospike-py", ct, official, ce, resolution(env, DEFAULT_POLICY)),
    ));
    out.push_str(&concurrent(env, &s, b, ct, cp));
    out.push_str("\nDescribe your handler's calls on [Your service](../service.md) to see both at your own load.\n\n");
    out
}

/// What `concurrent=True` does: the lab's cells at the page's batch and cluster
/// first (16 callers and 1 ms per node request, then a longer wait and more
/// callers, where the client's own thread pool is the limit), then the
/// model's call, and where the two disagree, why.
fn concurrent(env: &BookEnv, s: &Scenario, b: Batch, ct: f64, cp: f64) -> String {
    let mut out = String::new();
    let lab = env.batch_lab();
    let cell = |policy: &str, pattern: &str, io: f64, n: u64| {
        lab.and_then(|l| lab_cell(&l.grid.data, pattern, policy, b.keys as u64, b.nodes as u64, io, n))
    };
    // aerospike-py's and concurrent=True's cells at a wait and callers, with their medians.
    let pair = |io: f64, n: u64| {
        let (t, p) = (cell("default", "aerospike_py_async", io, n)?, cell("parallel", "official_executor", io, n)?);
        Some((t, p, t.ops_per_sec?, p.ops_per_sec?))
    };
    let near = pair(1.0, s.concurrency as u64);
    // Whether the lab told the two apart at the figure's cell.
    let mut resolved = false;
    if let Some((tc, pc, t, p)) = near {
        let (words, told) = lab_ahead("the official client", pc, "aerospike-py", tc).unwrap_or_default();
        resolved = told;
        out.push_str(&format!(
            "- **With `concurrent=True`** the official client sends the node requests at once. At {} keys over {} nodes, 1 ms per node request \
             and {} in flight, the lab measured {words}; medians: the official client {}, aerospike-py {} batches/s.\n",
            count(b.keys),
            count(b.nodes),
            count(s.concurrency),
            number(p),
            number(t),
        ));
        if let Some((tc, pc, t, p)) = pair(5.0, s.concurrency as u64) {
            out.push_str(&format!(
                "- **A longer wait** queues in that policy's own pool of {} threads, which holds a thread per node request for the whole wait. \
                 At 5 ms per node request, {} ({} against {} batches/s).\n",
                count(Params::default().official_thread_pool as u32),
                lab_ahead("aerospike-py", tc, "the official client", pc).map(|w| w.0).unwrap_or_default(),
                number(t),
                number(p)
            ));
        }
        if let Some((tc, pc, t, p)) = pair(1.0, 64).filter(|_| s.concurrency != 64) {
            out.push_str(&format!(
                "- **More in flight:** at 64 and 1 ms, {} ({} against {} batches/s).\n",
                lab_ahead("aerospike-py", tc, "the official client", pc).map(|w| w.0).unwrap_or_default(),
                number(t),
                number(p)
            ));
        }
    }
    let res = resolution(env, CONCURRENT);
    let model = charts::batch::ahead("aerospike-py", ct, "the official client", cp, res);
    match near {
        // The model and the lab name different sides: say so, and what the model charges that the lab did not spend.
        Some((_, _, t, p)) if resolved && ((ct > cp * res && p > t * 1.05) || (cp > ct * res && t > p * 1.05)) => {
            let lab_cpu = cell("parallel", "official_executor", 1.0, s.concurrency as u64).and_then(|c| c.cpu_us_per_request);
            let at = Scenario { io_wait_ms: 1.0, ..*s };
            out.push_str(&format!(
                "- **The model**, at {} ms, has {}: there it and the lab disagree. It charges each batch of the official client the CPU measured \
                 one caller at a time ({} µs here){}. Where requests share a busy CPU, that puts the official client behind; take the lab's \
                 cells over the model for `concurrent=True`.\n",
                number(s.io_wait_ms),
                model,
                number(model_cpu_us(Pattern::Executor, &at, Batch { fan_out: FanOut::Parallel, ..b })),
                lab_cpu
                    .map(|c| format!(", while the lab's client spent {} µs per batch at {} in flight", number(c), count(s.concurrency)))
                    .unwrap_or_default(),
            ));
        }
        _ => out.push_str(&format!("- **The model**, with `concurrent=True` at {} ms, has {}.\n", number(s.io_wait_ms), model)),
    }
    out
}

/// `{{#batch-flip}}`: who is ahead on one node and on a cluster: aerospike-py's published suite, the lab at one node, four and eight, the production benchmark.
pub(crate) fn flip(env: &BookEnv) -> String {
    let mut rows = String::new();
    // aerospike-py's published runs with batch reads: each run's side by the 5% rule, counted, since the runs disagree.
    let (runs, _) = reports::load_bundle(env.reports());
    let published: Vec<(String, [f64; 4])> = runs
        .iter()
        .filter(|r| r.source.as_ref().is_some_and(|s| s.id != "lab"))
        .filter_map(|r| {
            let rep = r.report.as_ref().ok()?;
            let get = |c: Client| rep.client(c)?.get("batch_read")?.ops_per_sec;
            Some((
                r.date.clone(),
                [get(Client::AerospikePyAsync)?, get(Client::OfficialAsync)?, get(Client::AerospikePySync)?, get(Client::OfficialSync)?],
            ))
        })
        .collect();
    if let (Some(newest), Some(oldest)) = (published.first(), published.last()) {
        let tally = |i: usize, a_name: &str, b_name: &str| {
            let sides: Vec<charts::answer::Ahead> = published.iter().map(|(_, v)| charts::answer::Ahead::of(v[i], v[i + 1], true)).collect();
            let n = |f: fn(&charts::answer::Ahead) -> bool| sides.iter().filter(|a| f(a)).count();
            let (a, b, even) = (
                n(|a| matches!(a, charts::answer::Ahead::Tokio(_))),
                n(|a| matches!(a, charts::answer::Ahead::Executor(_))),
                n(|a| matches!(a, charts::answer::Ahead::Even)),
            );
            let (r, w) = (newest.1[i], newest.1[i + 1]);
            format!("{a_name} ahead in {a}, {b_name} in {b}, within 5% in {even}; the newest run: {}", ahead(a_name, r, b_name, w))
        };
        rows.push_str(&format!(
            "| aerospike-py's published suite, {} runs from {} to {} (Darwin arm64; one server; its own count per second) | {} | {} |\n",
            count(published.len() as u32),
            oldest.0,
            newest.0,
            tally(0, "aerospike-py async", "official through the executor"),
            tally(2, "aerospike-py sync", "official sync"),
        ));
    }
    if let Some(lab) = env.batch_lab() {
        // The official client with its default policy, and on each cluster again with `concurrent=True`;
        // 4 nodes is the page's starting cluster, 8 the production benchmark's. A side is named only where the rounds do not overlap.
        for (m, io, policy) in [(1u64, 0.0, "default"), (4, 1.0, "default"), (4, 1.0, "parallel"), (8, 1.0, "default"), (8, 1.0, "parallel")] {
            let cell = |p: &str, policy: &str, n: u64| lab_cell(&lab.grid.data, p, policy, 50, m, io, n);
            let asy = match (cell("aerospike_py_async", "default", 16), cell("official_executor", policy, 16)) {
                (Some(a), Some(e)) => lab_ahead("aerospike-py async", a, "official through the executor", e).map(|w| w.0),
                _ => None,
            };
            let syn = match (cell("aerospike_py_sync", "default", 1), cell("official_sync", policy, 1)) {
                (Some(a), Some(o)) => lab_ahead("aerospike-py sync", a, "official sync", o).map(|w| w.0),
                _ => None,
            };
            let (asy, syn) = (asy.unwrap_or_else(|| "not measured".into()), syn.unwrap_or_else(|| "not measured".into()));
            rows.push_str(&format!(
                "| This lab, report {}: 50 keys, {} node{}, {} ms injected, 16 callers (async) or one (sync); the official client {} | {asy} | {syn} |\n",
                lab.run.date,
                m,
                if m == 1 { "" } else { "s" },
                io,
                if policy == "parallel" { "with `concurrent=True`" } else { "with its default policy" }
            ));
        }
    }
    if let Some(p) = production(env) {
        let ratios = |found: bool, f: fn(&ProductionRow) -> f64| -> Vec<f64> { p.iter().filter(|r| (r.found > 0.0) == found).map(f).collect() };
        let range = |v: &[f64]| {
            let (lo, hi) = v.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &x| (lo.min(x), hi.max(x)));
            format!("{}–{}×", number(lo), number(hi))
        };
        let mean = |r: &ProductionRow| r.official_async_ms / r.py_async_ms;
        let p99 = |r: &ProductionRow| r.official_async_p99_ms / r.py_async_p99_ms;
        let tail = ratios(true, p99);
        let behind = tail.iter().filter(|x| **x < 1.0).count();
        rows.push_str(&format!(
            "| aerospike-py's production benchmark (8-node cluster, 10 in flight, 50 and 200 keys; the official client's latency over aerospike-py's) \
             | mean {} where records were found, {} where none was; p99 {} where records were found{} ({} batches per cell: its p99 is about its slowest batch) | not measured |\n",
            range(&ratios(true, mean)),
            range(&ratios(false, mean)),
            range(&tail),
            if behind > 0 { format!(", aerospike-py's the longer in {behind} of the {} set and batch-size pairs", tail.len()) } else { String::new() },
            p.iter().map(|r| r.iterations).min().unwrap_or(0)
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
    /// p99 of each, ms, and the batches each cell timed.
    pub official_async_p99_ms: f64,
    pub py_async_p99_ms: f64,
    pub iterations: u32,
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
    let (p99, iterations) = (col("p99_ms")?, col("iterations")?);
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let mut out = Vec::new();
    for r in rows.iter().filter(|r| r.get(client) == Some(&"official-async")) {
        let py = rows.iter().find(|q| q.get(client) == Some(&"py-async") && q.get(set) == r.get(set) && q.get(batch) == r.get(batch))?;
        out.push(ProductionRow {
            keys: r.get(batch)?.parse().ok()?,
            found: r.get(found)?.parse().ok()?,
            official_async_ms: r.get(mean)?.parse().ok()?,
            py_async_ms: py.get(mean)?.parse().ok()?,
            official_async_p99_ms: r.get(p99)?.parse().ok()?,
            py_async_p99_ms: py.get(p99)?.parse().ok()?,
            iterations: r.get(iterations)?.parse().ok()?,
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
            calls: Calls { gets: 0, batch: Some(Batch { keys, nodes: PRODUCTION_NODES, found, fan_out: FanOut::Series }), batches: 1, gather: false },
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
