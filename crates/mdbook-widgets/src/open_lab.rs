//! The lab's open-load measurements beside the model: read from `book/reports/open-loop/`, embedded in the open-load figure and tabulated on its page (`{{#open-lab}}`).

use charts::format::{count, number};
use charts::open_load::{OpenLab, OpenLabCell};
use perfmodel::{open, predict, Params, Pattern, Scenario, Solver};
use reports::open_loop::OpenReport;

use crate::BookEnv;

pub(crate) const TOKEN: &str = "{{#open-lab}}";
/// The summary and the capacity table alone, for the reader's page.
pub(crate) const SUMMARY_TOKEN: &str = "{{#open-lab-summary}}";

/// Seed of the model's simulations of the lab's cells.
const SEED: u64 = 59;

/// The model's pattern and pool for a lab pattern name.
fn pattern_of(name: &str, default_pool: u32) -> Option<(Pattern, Option<u32>)> {
    Some(match name {
        "official_sync" => (Pattern::Sync, None),
        "official_executor" => (Pattern::Executor, Some(default_pool)),
        "official_executor_64" => (Pattern::Executor, Some(64)),
        "aerospike_py_async" => (Pattern::Tokio, None),
        _ => return None,
    })
}

/// The newest open-load report and its cells in the model's terms (the
/// model's I/O wait is the injected wait plus the stub's own round trip,
/// estimated from the newest closed-loop lab report as the pool figure does).
pub(crate) fn read_newest(env: &BookEnv) -> Option<(OpenLab, OpenReport)> {
    let dir = env.src_dir.join("reports/open-loop");
    let name = perfmodel::calibrate::CALIBRATION_OPEN_RUN;
    let named = std::fs::read_to_string(dir.join(name)).ok().map(|t| (name.to_string(), t));
    let (name, text) = named.or_else(|| reports::newest(&dir))?;
    let r = reports::open_loop::parse(&name, &text).ok()?;
    let node_cpus = r.cpu_count().unwrap_or(Scenario::default().core_servers());
    let cores = r.client_cpus().unwrap_or(node_cpus);
    let default_pool = r.default_pool().unwrap_or_else(|| perfmodel::scenario::default_pool(node_cpus));
    let rtt = env.lab().map(|l| l.rtt_ms).unwrap_or(perfmodel::scenario::LOCALHOST_RTT_MS);
    let cells = r
        .cells
        .iter()
        .filter_map(|c| {
            let (pattern, pool) = pattern_of(&c.pattern, default_pool)?;
            Some(OpenLabCell {
                pattern,
                pool,
                injected_ms: c.io_wait_ms,
                io_wait_ms: c.io_wait_ms + rtt,
                rate: c.arrival_rate,
                ops_per_sec: c.ops_per_sec,
                p50_ms: c.p50_ms,
                p99_ms: c.p99_ms,
                stable: c.stable,
            })
        })
        .collect();
    Some((OpenLab { report: r.date.clone(), cores, node_cpus, cells }, r))
}

/// The model's scenario for a lab cell.
fn scenario(lab: &OpenLab, c: &OpenLabCell) -> Scenario {
    Scenario {
        io_wait_ms: c.io_wait_ms,
        cores: f64::from(lab.cores),
        node_cpus: Some(lab.node_cpus),
        pool: c.pool,
        arrival_rate: Some(c.rate),
        ..Scenario::default()
    }
}

fn label(c: &OpenLabCell) -> String {
    match (c.pattern, c.pool) {
        (Pattern::Executor, Some(p)) => format!("Executor, {p} threads"),
        (Pattern::Sync, _) => "Sync".into(),
        _ => "aerospike-py async".into(),
    }
}

/// The median of model ÷ measured p99 per client, in the order the pages name them.
fn medians(ratios: &[(String, f64)]) -> Vec<(&'static str, f64)> {
    let mut out = Vec::new();
    for name in ["Sync", "Executor, 6 threads", "Executor, 64 threads", "aerospike-py async"] {
        let mut v: Vec<f64> = ratios.iter().filter(|(n, _)| n == name).map(|(_, r)| *r).collect();
        v.sort_by(f64::total_cmp);
        if let Some(m) = v.get(v.len() / 2) {
            out.push((name, *m));
        }
    }
    out
}

/// Model ÷ measured p99 of every kept-up cell of the newest open-load report, by client, its median.
pub fn p99_medians(env: &BookEnv) -> Vec<(&'static str, f64)> {
    let Some((lab, _)) = env.open_lab() else {
        return Vec::new();
    };
    let p = Params::default();
    let ratios: Vec<(String, f64)> = lab
        .cells
        .iter()
        .filter(|c| c.stable)
        .filter_map(|c| {
            let m = predict(c.pattern, &p, &scenario(lab, c), Solver::Sim, SEED).ok()?;
            if !m.open.is_some_and(|o| o.stable) {
                return None;
            }
            Some((label(c), m.latency_ms.p99? / c.p99_ms.filter(|v| *v > 0.0)?))
        })
        .collect();
    medians(&ratios)
}

/// The comparison the methodology prints: per pattern and wait, the measured
/// capacity bracket against the model's; per kept-up cell, measured and
/// simulated p50 and p99. With `cells` false, the summary and the brackets only.
pub fn table(env: &BookEnv, with_cells: bool) -> String {
    let Some((lab, report)) = env.open_lab() else {
        return "\n\n*No open-load report yet: `cargo xtask lab --open` measures one and files it in `book/reports/open-loop/`; this table is then computed from it.*\n\n".into();
    };
    let p = Params::default();
    let mut groups: Vec<(Pattern, Option<u32>, f64, f64)> = Vec::new();
    for c in &lab.cells {
        if !groups.iter().any(|g| g.0 == c.pattern && g.1 == c.pool && g.2 == c.io_wait_ms) {
            groups.push((c.pattern, c.pool, c.io_wait_ms, c.injected_ms));
        }
    }
    let (mut caps, mut inside) = (String::new(), 0usize);
    // How far the closed-loop peak overstates what the client kept up with.
    let (mut over, mut over_most) = (0usize, 1.0f64);
    for &(pattern, pool, io, injected) in &groups {
        let (kept, lost) = lab.bracket(pattern, io, pool);
        let s = Scenario { io_wait_ms: io, cores: f64::from(lab.cores), node_cpus: Some(lab.node_cpus), pool, ..Scenario::default() };
        let (model, limit) = open::capacity(pattern, &p, &s);
        let ok = kept.is_none_or(|k| model >= k) && lost.is_none_or(|l| model <= l);
        inside += ok as usize;
        let any = lab.cells.iter().find(|c| c.pattern == pattern && c.pool == pool).expect("a group has cells");
        let name = match (pattern, pool) {
            (Pattern::Sync, _) => "official_sync",
            (Pattern::Executor, Some(64)) => "official_executor_64",
            (Pattern::Executor, _) => "official_executor",
            _ => "aerospike_py_async",
        };
        let peak_value = report.peaks.iter().find(|p| p.pattern == name && p.io_wait_ms == injected).map(|p| p.closed_peak_ops_per_sec);
        if let (Some(pk), Some(k)) = (peak_value, kept) {
            if pk > k {
                over += 1;
                over_most = over_most.max(pk / k);
            }
        }
        let peak = peak_value.map(number).unwrap_or_else(|| "–".into());
        caps.push_str(&format!(
            "| {} | {} | {peak} | {} | {} | {} ({}) | {} |\n",
            label(any),
            number(injected),
            kept.map(number).unwrap_or_else(|| "none".into()),
            {
                let lost = lost.map(number).unwrap_or_else(|| "none".into());
                // A run that did not keep up below a rate that did: shown apart, not as the bracket's top.
                match lab.outliers(pattern, io, pool).as_slice() {
                    [] => lost,
                    o => format!(
                        "{lost} (also not at {}, below the rate it kept up with)",
                        o.iter().map(|r| number(*r)).collect::<Vec<_>>().join(", ")
                    ),
                }
            },
            number(model),
            limit.label(),
            if ok {
                "inside"
            } else if kept.is_some_and(|k| model < k) {
                "below"
            } else {
                "above"
            }
        ));
    }
    let (mut rows, mut kept_cells, mut p99_ok, mut p50_ok) = (String::new(), 0usize, 0usize, 0usize);
    let mut p99_low = 0usize;
    // Model ÷ measured p99 per client, for the median the page reads.
    let mut ratios: Vec<(String, f64)> = Vec::new();
    let mut cells: Vec<&OpenLabCell> = lab.cells.iter().filter(|c| c.stable).collect();
    cells.sort_by(|a, b| {
        (label(a), a.injected_ms).partial_cmp(&(label(b), b.injected_ms)).unwrap_or(std::cmp::Ordering::Equal).then(a.rate.total_cmp(&b.rate))
    });
    for c in cells {
        let Ok(m) = predict(c.pattern, &p, &scenario(lab, c), Solver::Sim, SEED) else {
            continue;
        };
        let stable = m.open.is_some_and(|o| o.stable);
        let ratio = |meas: Option<f64>, model: Option<f64>| match (meas, model) {
            (Some(a), Some(b)) if a > 0.0 && stable => Some(b / a),
            _ => None,
        };
        let r50 = ratio(c.p50_ms, m.latency_ms.p50);
        let r99 = ratio(c.p99_ms, m.latency_ms.p99);
        let within = |r: Option<f64>| r.is_some_and(|r| (1.0 / 1.5..=1.5).contains(&r));
        kept_cells += 1;
        p50_ok += within(r50) as usize;
        p99_ok += within(r99) as usize;
        p99_low += r99.is_some_and(|r| r < 1.0 / 1.5) as usize;
        if let Some(r) = r99 {
            ratios.push((label(c), r));
        }
        let cell = |v: Option<f64>| v.map(number).unwrap_or_else(|| "–".into());
        rows.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            label(c),
            number(c.injected_ms),
            number(c.rate),
            cell(c.p50_ms),
            if stable { cell(m.latency_ms.p50) } else { "not kept up".into() },
            cell(c.p99_ms),
            if stable { cell(m.latency_ms.p99) } else { "not kept up".into() },
            r99.map(|r| format!("{}×", number(r))).unwrap_or_else(|| "–".into()),
        ));
    }
    let medians: Vec<String> = medians(&ratios).into_iter().map(|(name, m)| format!("{name} {}×", number(m))).collect();
    // aerospike-py's threads where it kept up and where it did not: the lab's counts, and what is not known about them.
    let span = |stable: bool| {
        let v: Vec<u64> = report.cells.iter().filter(|c| c.pattern == "aerospike_py_async" && c.stable == stable).filter_map(|c| c.threads).collect();
        Some(format!("{}–{}", count(*v.iter().min()? as u32), count(*v.iter().max()? as u32)))
    };
    let threads = match (span(true), span(false)) {
        (Some(kept), Some(lost)) => format!(
            " aerospike-py's process ran {kept} threads in the cells it kept up with and {lost} in those it did not. Whether the extra \
             threads make it fall behind or follow from it is not established; the model does not charge their turns at the GIL."
        ),
        _ => String::new(),
    };
    let env_load = |k: &str| report.environment.get(k).and_then(|v| v.as_f64()).map(number).unwrap_or_else(|| "?".into());
    format!(
        "\n\nThe lab's open-load report of {date} ran the client on {cores} of the machine's {node} CPUs; its load average was {l0} at the start \
         and {l1} at the end. {quiet} Its method: {method}. \
         A pattern's measured bracket runs from the largest rate it kept up with to the smallest above that it did not. \
         The model's capacity falls inside it in **{inside} of {groups}** pattern and wait combinations. Of the {kept_cells} cells where \
         the client kept up, the simulated p99 is within ×1.5 of the measured one in **{p99_ok}**, and more than 1.5 times below it in {p99_low}; \
         the p50 is within ×1.5 in **{p50_ok}**. The median of the model's p99 over the measured one, by client: {medians}.{threads}\n\n\
         The closed-loop peak beside each bracket is the same client's throughput in the closed loop just before, \
         what a closed-loop benchmark reports as its capacity. It is above the largest rate the client \
         kept up with in {over} of the {groups}, by up to {over_most}×.\n\n\
         | Client | Injected wait (ms) | Closed-loop peak (req/s) | Kept up with (req/s) | Did not (req/s) | Model's capacity (req/s) | Model |\n\
         |---|---:|---:|---:|---:|---|---|\n{caps}\n{details}",
        date = lab.report,
        cores = count(lab.cores),
        node = count(lab.node_cpus),
        method = report.method,
        l0 = env_load("load_avg_start"),
        l1 = env_load("load_avg_end"),
        quiet = crate::lab::quiet_sentence(report.cells.iter().map(|c| (c.foreign_cpu_share, c.noisy_runs.len(), c.load_avg)), lab.node_cpus),
        groups = groups.len(),
        over_most = number(over_most),
        medians = medians.join(", "),
        details = if with_cells {
            format!(
                "<details><summary>Every kept-up cell: measured and simulated latency</summary>\n\n\
                 | Client | Injected wait (ms) | Arrivals (req/s) | p50 measured (ms) | p50 model (ms) | p99 measured (ms) | p99 model (ms) | p99 model ÷ measured |\n\
                 |---|---:|---:|---:|---:|---:|---:|---:|\n{rows}\n</details>\n\n"
            )
        } else {
            "\n".into()
        },
    )
}
