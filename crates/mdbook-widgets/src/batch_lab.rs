//! The lab's batch grid beside the model: the clients' batch costs calibration derives from it, the model at every measured cell, and the tables the book shows (`{{#batch-lab}}`, `{{#batch-costs}}`).

use charts::format::{count, number};
use perfmodel::batch::{Batch, Calls, FanOut};
use perfmodel::calibrate::{batch_costs, BatchCell, BatchCosts};
use perfmodel::{predict, predict_curve, Params, Pattern, Scenario, Solver};
use reports::batch::{BatchCell as LabCell, BatchGrid};

use crate::BookEnv;

/// The model's batch costs against every cell, cell by cell.
pub(crate) const TOKEN: &str = "{{#batch-lab}}";
/// What the lab measured of each client's batch path, and the costs derived from it.
pub(crate) const COSTS_TOKEN: &str = "{{#batch-costs}}";

/// The targets of the batch grid: median |throughput error| per pattern, and
/// the share of cells whose simulated p99 is within [`P99_FACTOR`] of the lab's.
pub const THROUGHPUT_MEDIAN: f64 = 0.20;
pub const P99_FACTOR: f64 = 1.5;
pub const P99_SHARE: f64 = 0.70;

/// The cells each client's costs are calibrated from: the official client
/// called directly with its default policy (one caller: nothing else in
/// the process), and aerospike-py's AsyncClient at 16 callers (the grid's
/// centre), in both the grid's every key count, node count and found share.
pub(crate) const OFFICIAL_CALIBRATION: (&str, &str, u64) = ("official_sync", "default", 1);
pub(crate) const ASP_CALIBRATION: (&str, &str, u64) = ("aerospike_py_async", "default", 16);

/// The newest report with a batch grid.
#[derive(Debug)]
pub struct BatchLab {
    pub run: reports::Run,
    pub grid: BatchGrid,
    /// CPUs the client process had, and the machine's.
    pub cores: u32,
    pub node_cpus: u32,
}

impl BatchLab {
    /// The newest report of `bundle` with a batch grid.
    pub(crate) fn newest(bundle: &reports::Bundle) -> Option<BatchLab> {
        let (runs, _) = reports::load_bundle(bundle);
        runs.iter().find_map(|r| {
            let rep = r.report.as_ref().ok()?;
            let grid = rep.batch_grid.get()?;
            let e = rep.environment.get();
            let node_cpus = e.and_then(|e| e.cpu_count()).unwrap_or(Scenario::default().core_servers());
            let cores = e.and_then(|e| e.client_cpus()).unwrap_or(node_cpus);
            Some(BatchLab { run: r.clone(), grid: grid.clone(), cores, node_cpus })
        })
    }

    /// The measured cells as the batch figure carries them (each node request's
    /// wait in the model's terms: the injected wait plus the stub's round trip, `rtt_ms`).
    pub fn points(&self, rtt_ms: Option<f64>) -> charts::batch::BatchLab {
        let rtt = rtt_ms.unwrap_or(perfmodel::scenario::LOCALHOST_RTT_MS);
        let cells = self
            .grid
            .data
            .iter()
            .filter_map(|c| {
                let (pattern, pool, _) = pattern_of(c)?;
                // The figure's executor is the default pool or 64 threads; its lines are the two policies.
                Some(charts::batch::BatchLabCell {
                    pattern,
                    fan_out: if c.policy == "parallel" || pattern == Pattern::Tokio { FanOut::Parallel } else { FanOut::Series },
                    pool,
                    keys: c.keys as u32,
                    nodes: c.nodes as u32,
                    injected_ms: c.io_wait_ms,
                    io_wait_ms: c.io_wait_ms + rtt,
                    concurrency: c.concurrency.clamp(1, 100_000) as u32,
                    found: c.found_ratio,
                    ops_per_sec: c.ops_per_sec.filter(|x| *x > 0.0)?,
                    p99_ms: c.p99_ms,
                })
            })
            .collect();
        let resolution = self.resolution(rtt, DEFAULT_POLICY).map(|r| r.factor).unwrap_or(f64::NAN);
        charts::batch::BatchLab { report: self.run.date.clone(), cores: self.cores, node_cpus: self.node_cpus, cells, resolution }
    }

    /// One pattern's cells at one concurrency, as calibration reads them.
    fn cells(&self, (pattern, policy, n): (&str, &str, u64)) -> Vec<BatchCell> {
        self.grid
            .data
            .iter()
            .filter(|c| c.pattern == pattern && c.policy == policy && c.concurrency == n)
            .filter_map(|c| {
                Some(BatchCell {
                    keys: c.keys as f64,
                    found: c.found_ratio,
                    node_requests: c.node_requests_per_batch?,
                    gil_us: c.gil_us_per_request?,
                    cpu_us: c.cpu_us_per_request?,
                })
            })
            .collect()
    }

    /// The model's [`Resolution`] of aerospike-py against the executor with the policy `against`
    /// ([`DEFAULT_POLICY`] or [`CONCURRENT`]) at the shipped defaults, each node request's wait the injected one plus `rtt_ms`.
    pub fn resolution(&self, rtt_ms: f64, against: &str) -> Option<Resolution> {
        resolution(&fit(self, rtt_ms, &Params::default(), false), against)
    }

    /// Each client's batch costs: (the official client's, aerospike-py's).
    pub fn costs(&self) -> (Option<BatchCosts>, Option<BatchCosts>) {
        (batch_costs(&self.cells(OFFICIAL_CALIBRATION)), batch_costs(&self.cells(ASP_CALIBRATION)))
    }

    /// `p` with the batch costs this grid gives. aerospike-py's GIL per
    /// batch is what its fit leaves after the parts of a batch's path that
    /// are a get's (delivering the result, resuming the coroutine).
    pub fn params(&self, p: &Params) -> Params {
        let mut q = *p;
        let (off, asp) = self.costs();
        if let Some(c) = off {
            [q.official_batch_gil_us, q.official_batch_key_gil_us, q.official_batch_record_gil_us] = c.gil;
            [q.official_batch_cpu_us, q.official_batch_key_cpu_us, q.official_batch_node_cpu_us, q.official_batch_record_cpu_us] = c.cpu;
        }
        if let Some(c) = asp {
            q.asp_batch_gil_us = (c.gil[0] - p.asp_gil_us / 2.0 - p.loop_resume_us).max(0.0);
            [q.asp_batch_key_gil_us, q.asp_batch_record_gil_us] = [c.gil[1], c.gil[2]];
            [q.asp_batch_cpu_us, q.asp_batch_key_cpu_us, q.asp_batch_node_cpu_us, q.asp_batch_record_cpu_us] = c.cpu;
        }
        q
    }
}

/// The model's pattern for a lab pattern and policy, and the executor's pool.
fn pattern_of(c: &LabCell) -> Option<(Pattern, Option<u32>, &'static str)> {
    Some(match (c.pattern.as_str(), c.policy.as_str()) {
        ("official_sync", "default") => (Pattern::Sync, None, "Sync"),
        ("official_sync", "parallel") => (Pattern::Sync, None, "Sync, parallel"),
        ("official_executor", "default") => (Pattern::Executor, None, "Executor (default pool)"),
        ("official_executor", "parallel") => (Pattern::Executor, None, "Executor (default pool), parallel"),
        ("official_executor_64", "default") => (Pattern::Executor, Some(64), "Executor (64 threads)"),
        ("official_executor_64", "parallel") => (Pattern::Executor, Some(64), "Executor (64 threads), parallel"),
        ("aerospike_py_async", _) => (Pattern::Tokio, None, "Tokio"),
        _ => return None,
    })
}

/// The patterns of the fit, in display order.
pub const LABELS: [&str; 7] = [
    "Sync",
    "Sync, parallel",
    "Executor (default pool)",
    "Executor (default pool), parallel",
    "Executor (64 threads)",
    "Executor (64 threads), parallel",
    "Tokio",
];

/// The model's scenario of a batch cell: its wait plus the stub's round
/// trip for every node request, its callers, the lab's CPUs, its batch.
pub fn scenario(lab: &BatchLab, rtt_ms: f64, c: &LabCell) -> Scenario {
    let fan_out = if c.policy == "parallel" { FanOut::Parallel } else { FanOut::Series };
    Scenario {
        io_wait_ms: c.io_wait_ms + rtt_ms,
        concurrency: c.concurrency.clamp(1, 100_000) as u32,
        cores: f64::from(lab.cores),
        node_cpus: Some(lab.node_cpus),
        pool: (c.pattern == "official_executor_64").then_some(64),
        calls: Calls {
            gets: 0,
            batch: Some(Batch { keys: c.keys as u32, nodes: c.nodes as u32, found: c.found_ratio, fan_out }),
            batches: 1,
            gather: false,
        },
        ..Scenario::default()
    }
}

/// One measured batch cell beside the model.
#[derive(Debug, Clone)]
pub struct BatchFit {
    pub label: &'static str,
    pub keys: u64,
    pub nodes: u64,
    pub io_wait_ms: f64,
    pub concurrency: u64,
    pub found: f64,
    pub measured_ops: f64,
    pub model_ops: f64,
    pub measured_p99_ms: Option<f64>,
    pub model_p99_ms: Option<f64>,
    /// The stub's share of its CPU in this cell (above 0.85 its own queueing adds to the wait).
    pub stub_cpu: Option<f64>,
}

impl BatchFit {
    pub fn throughput_err(&self) -> f64 {
        self.model_ops / self.measured_ops - 1.0
    }
    pub fn p99_ratio(&self) -> Option<f64> {
        Some(self.model_p99_ms? / self.measured_p99_ms.filter(|m| *m > 0.0)?)
    }
    /// One line for a terminal: the cell, measured against modelled batches/s and p99.
    pub fn line(&self) -> String {
        format!(
            "{:36} {:>5} keys {} nodes {:>3} ms {:>3} callers found {}: {:>8.0} vs {:>8.0} ({:+5.0}%) p99 {:?} / {:?} stub {:?}",
            self.label,
            self.keys,
            self.nodes,
            self.io_wait_ms,
            self.concurrency,
            self.found,
            self.measured_ops,
            self.model_ops,
            self.throughput_err() * 100.0,
            self.measured_p99_ms,
            self.model_p99_ms,
            self.stub_cpu
        )
    }
    pub fn name(&self) -> String {
        format!(
            "{} keys, {} nodes, {} ms, {} callers{}",
            self.keys,
            self.nodes,
            self.io_wait_ms,
            self.concurrency,
            if self.found == 0.0 { ", none found" } else { "" }
        )
    }
}

/// Every cell the model has a pattern for, at `p`; with `simulate`, each cell's p99 from one short simulation.
pub fn fit(lab: &BatchLab, rtt_ms: f64, p: &Params, simulate: bool) -> Vec<BatchFit> {
    let mut out = Vec::new();
    for c in &lab.grid.data {
        let Some((pattern, _, label)) = pattern_of(c) else { continue };
        let Some(measured_ops) = c.ops_per_sec.filter(|x| *x > 0.0) else { continue };
        let s = scenario(lab, rtt_ms, c);
        let Ok(curve) = predict_curve(pattern, p, &s, &[s.concurrency]) else { continue };
        let model_p99_ms = if simulate { predict(pattern, p, &s, Solver::Sim, 31).ok().and_then(|r| r.latency_ms.p99) } else { None };
        out.push(BatchFit {
            label,
            keys: c.keys,
            nodes: c.nodes,
            io_wait_ms: c.io_wait_ms,
            concurrency: c.concurrency,
            found: c.found_ratio,
            measured_ops,
            model_ops: curve[0].throughput_ops_s,
            measured_p99_ms: c.p99_ms,
            model_p99_ms,
            stub_cpu: c.stub_cpu_share,
        });
    }
    out
}

/// How far apart the model tells Tokio and the executor's default pool: over
/// the lab's cells that measured both at the same batch, cluster, wait and
/// callers, the factor within which the model's ratio of the two matched the
/// lab's in [`RESOLUTION_SHARE`] of them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Resolution {
    pub factor: f64,
    pub pairs: usize,
    /// Pairs where the model and the lab put a different client ahead, each by more than 5%.
    pub flipped: usize,
}

/// The share of paired cells the resolution covers.
pub const RESOLUTION_SHARE: f64 = 0.9;

/// The executor the pages compare aerospike-py with: its default batch policy, and `concurrent=True`.
pub const DEFAULT_POLICY: &str = "Executor (default pool)";
pub const CONCURRENT: &str = "Executor (default pool), parallel";

/// The model's resolution over `cells` ([`Resolution`]) of aerospike-py against the
/// executor labelled `against`; `None` without pairs.
pub fn resolution(cells: &[BatchFit], against: &str) -> Option<Resolution> {
    let key = |c: &BatchFit| (c.keys, c.nodes, c.io_wait_ms.to_bits(), c.concurrency, c.found.to_bits());
    let mut errs = Vec::new();
    let mut flipped = 0;
    for t in cells.iter().filter(|c| c.label == "Tokio") {
        let Some(e) = cells.iter().find(|c| c.label == against && key(c) == key(t)) else { continue };
        let (lab, model) = (t.measured_ops / e.measured_ops, t.model_ops / e.model_ops);
        if (lab > 1.05 && model < 1.0 / 1.05) || (lab < 1.0 / 1.05 && model > 1.05) {
            flipped += 1;
        }
        errs.push((model / lab).ln().abs());
    }
    errs.sort_by(f64::total_cmp);
    let i = ((errs.len() as f64 * RESOLUTION_SHARE).ceil() as usize).checked_sub(1)?;
    Some(Resolution { factor: errs.get(i)?.exp(), pairs: errs.len(), flipped })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// One pattern's agreement: cells, median and worst |throughput error|, p99 within the factor.
#[derive(Debug, Clone)]
pub struct PatternFit {
    pub label: &'static str,
    pub cells: usize,
    pub median_err: f64,
    pub worst_err: f64,
    pub worst_cell: String,
    pub p99_within: usize,
    pub p99_cells: usize,
    /// Cells whose simulated p99 is shorter than the lab's by more than the factor.
    pub p99_short: usize,
}

impl PatternFit {
    /// The targets this pattern misses, in words.
    pub fn misses(&self) -> Vec<String> {
        let mut v = Vec::new();
        if self.median_err > THROUGHPUT_MEDIAN {
            v.push(format!("throughput median {:.0}% (target {:.0}%)", self.median_err * 100.0, THROUGHPUT_MEDIAN * 100.0));
        }
        if self.p99_cells > 0 && (self.p99_within as f64) < P99_SHARE * self.p99_cells as f64 {
            v.push(format!(
                "p99 within ×{P99_FACTOR} in {} of {} cells (target {:.0}%); in {} of the {} others the model's p99 is the shorter",
                self.p99_within,
                self.p99_cells,
                P99_SHARE * 100.0,
                self.p99_short,
                self.p99_cells - self.p99_within
            ));
        }
        v
    }
}

/// Each pattern's summary, in [`LABELS`] order.
pub fn summary(cells: &[BatchFit]) -> Vec<PatternFit> {
    LABELS
        .iter()
        .filter_map(|&label| {
            let mine: Vec<&BatchFit> = cells.iter().filter(|c| c.label == label).collect();
            let worst = mine.iter().max_by(|a, b| a.throughput_err().abs().total_cmp(&b.throughput_err().abs()))?;
            let p99: Vec<f64> = mine.iter().filter_map(|c| c.p99_ratio()).collect();
            Some(PatternFit {
                label,
                cells: mine.len(),
                median_err: median(mine.iter().map(|c| c.throughput_err().abs()).collect()),
                worst_err: worst.throughput_err().abs(),
                worst_cell: worst.name(),
                p99_within: p99.iter().filter(|r| **r <= P99_FACTOR && **r >= 1.0 / P99_FACTOR).count(),
                p99_cells: p99.len(),
                p99_short: p99.iter().filter(|r| **r < 1.0 / P99_FACTOR).count(),
            })
        })
        .collect()
}

/// `{{#batch-costs}}`: each client's cells at its calibration concurrency, and the costs fitted to them.
pub(crate) fn costs_table(env: &BookEnv) -> String {
    let Some(lab) = env.batch_lab() else {
        return "\n\n*No batch report yet: `cargo xtask lab --batch` measures the grid; this table is then computed from it.*\n\n".into();
    };
    let (off, asp) = lab.costs();
    let row = |who: &str, c: &Option<BatchCosts>| match c {
        Some(c) => format!(
            "| {who} | {} | {} | {} | {} | {} | {} | {} | {} | {:.2} / {:.2} |\n",
            c.cells,
            number(c.gil[0]),
            number(c.gil[1]),
            number(c.gil[2]),
            number(c.cpu[0]),
            number(c.cpu[1]),
            number(c.cpu[2]),
            number(c.cpu[3]),
            c.gil_r2,
            c.cpu_r2
        ),
        None => format!("| {who} | too few cells to fit | | | | | | | | |\n"),
    };
    format!(
        "\n\nFitted by least squares to the batch report of {} (`{}`), µs: the official client from its blocking `batch_read` \
         with its default policy, one caller; aerospike-py from its AsyncClient at {} callers; every key count, node count and found share \
         the grid measured. A term that would come out negative is zero.\n\n\
         | Client | Cells | GIL per batch | GIL per key | GIL per record | CPU per batch | CPU per key | CPU per node request | CPU per record | R² (GIL / CPU) |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n{}{}\n",
        lab.run.date,
        lab.run.file,
        count(ASP_CALIBRATION.2 as u32),
        row("Official (blocking)", &off),
        row("aerospike-py (async)", &asp),
    )
}

/// `{{#batch-lab}}`: the model (with the shipped defaults) against every batch cell, summed up per pattern.
pub(crate) fn table(env: &BookEnv) -> String {
    let Some(lab) = env.batch_lab() else {
        return "\n\n*No batch report yet: `cargo xtask lab --batch` measures the grid; this table is then computed from it.*\n\n".into();
    };
    let rtt_ms = env.lab().map(|l| l.rtt_ms).unwrap_or(perfmodel::scenario::LOCALHOST_RTT_MS);
    let cells = fit(lab, rtt_ms, &Params::default(), true);
    let ms = |v: Option<f64>| v.map(number).unwrap_or_else(|| "–".into());
    let mut sums = String::new();
    let mut misses = String::new();
    for f in summary(&cells) {
        sums.push_str(&crate::lab_fit::summary_row(f.label, f.cells, f.median_err, f.worst_err, &f.worst_cell, f.p99_within, f.p99_cells));
        let m = f.misses();
        if !m.is_empty() {
            misses.push_str(&format!("- **{}** misses: {}.\n", f.label, m.join("; ")));
        }
    }
    if misses.is_empty() {
        misses = "Every pattern meets both targets.\n".into();
    }
    if let (Some(r), Some(c)) = (resolution(&cells, DEFAULT_POLICY), resolution(&cells, CONCURRENT)) {
        misses.push_str(&format!(
            "\n**Who is ahead.** Errors of opposite sign add up in a ratio. Over the {} cells that measured aerospike-py and the executor's \
             default pool at the same batch, cluster, wait and callers, the model's ratio of the two was within ×{} of the lab's in {:.0}% of them, \
             and in {} of them the model and the lab put a different client ahead; against the executor with `concurrent=True`, within ×{} \
             over {} cells, {} of them the other way round. The pages therefore call neither client ahead where the model's ratio is within \
             that factor: there, only the lab's cells can say.\n",
            r.pairs,
            number(r.factor),
            RESOLUTION_SHARE * 100.0,
            count(r.flipped as u32),
            number(c.factor),
            c.pairs,
            count(c.flipped as u32),
        ));
    }
    let mut rows = String::new();
    for c in &cells {
        rows.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {:+.0}% | {} | {} | {} |\n",
            c.label,
            c.keys,
            c.nodes,
            c.io_wait_ms,
            c.concurrency,
            if c.found == 0.0 { "none" } else { "all" },
            number(c.measured_ops),
            number(c.model_ops),
            c.throughput_err() * 100.0,
            ms(c.measured_p99_ms),
            ms(c.model_p99_ms),
            c.stub_cpu.map(|s| format!("{:.0}%", s * 100.0)).unwrap_or_else(|| "–".into()),
        ));
    }
    format!(
        "\n\nAgainst the batch report of {} (`{}`): {} cells, the client on {} CPU{} and the stub cluster on another; each node request's wait \
         is the injected wait plus the stub's round trip ({} µs). The p99 comes from one short simulation per cell.\n\n\
         | Pattern | Cells | Median \\|throughput error\\| | Largest (cell) | p99 within ×{P99_FACTOR} |\n|---|---:|---:|---|---:|\n{sums}\n\
         Targets: median throughput error ≤ {:.0}% for every pattern, p99 within ×{P99_FACTOR} in at least {:.0}% of its cells.\n\n{misses}\n\
         <details><summary>Every batch cell</summary>\n\n\
         | Pattern | Keys | Nodes | Injected wait (ms) | Callers | Found | Measured (batches/s) | Model (batches/s) | Error | p99 measured (ms) | p99 model (ms) | Stub CPU |\n\
         |---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|\n{rows}\n</details>\n\n",
        lab.run.date,
        lab.run.file,
        cells.len(),
        lab.cores,
        if lab.cores == 1 { "" } else { "s" },
        number(rtt_ms * 1e3),
        THROUGHPUT_MEDIAN * 100.0,
        P99_SHARE * 100.0,
    )
}
