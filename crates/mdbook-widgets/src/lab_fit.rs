//! The model against the newest lab report, cell by cell (throughput, mean latency, p99, resident memory, threads), summed up per pattern against stated targets.

use perfmodel::{predict, predict_curve, Params, Pattern, Scenario, Solver};

use crate::Lab;

/// The targets the model is held to on a clean lab grid (issue #14), and by
/// the regression test over the shipped report.
pub(crate) const THROUGHPUT_MEDIAN: f64 = 0.15;
pub(crate) const THROUGHPUT_WORST: f64 = 0.35;
/// A cell's p99 agrees when model and lab are within this factor of each other…
pub(crate) const P99_FACTOR: f64 = 1.5;
/// …and this share of each pattern's cells must agree.
pub(crate) const P99_SHARE: f64 = 0.8;
pub(crate) const RSS_MEDIAN: f64 = 0.20;

/// What the regression test holds one pattern to: the targets above, or,
/// where the model is known to miss one, the level it reaches today (each
/// such bound is listed on the methodology page with its cause).
#[derive(Debug, Clone, Copy)]
pub struct Guard {
    pub throughput_median: f64,
    pub throughput_worst: f64,
    pub p99_share: f64,
    pub rss_median: f64,
}

pub(crate) const TARGETS: Guard =
    Guard { throughput_median: THROUGHPUT_MEDIAN, throughput_worst: THROUGHPUT_WORST, p99_share: P99_SHARE, rss_median: RSS_MEDIAN };

/// The bound for one pattern (by its label in [`PATTERNS`]).
pub fn guard(label: &str) -> Guard {
    match label {
        // p99: at no injected wait and a busy client the lab's tails are
        // longer than the model's (the client's threads share one core, which
        // the model does not time-slice).
        "Executor (default pool)" => Guard { p99_share: 0.75, ..TARGETS },
        // The same, with 64 threads on one core; and at 4,096 callers with no
        // wait the lab's throughput fell to half its peak, its rounds ranging
        // from 10.8k to 21.0k requests/s.
        "Executor (64 threads)" => Guard { throughput_worst: 1.3, p99_share: 0.5, ..TARGETS },
        // aerospike-py's blocking pool: from 64 callers on, hundreds of
        // threads take turns at the GIL on one core, which the model does not
        // charge (methodology, "The model beside every cell").
        "Tokio" => Guard { throughput_median: 0.3, throughput_worst: 3.5, p99_share: 0.35, ..TARGETS },
        _ => TARGETS,
    }
}

/// One measured cell beside the model's numbers for it.
#[derive(Debug, Clone)]
pub struct CellFit {
    pub label: &'static str,
    pub io_wait_ms: f64,
    pub concurrency: u64,
    pub measured_ops: f64,
    pub model_ops: f64,
    pub measured_mean_ms: Option<f64>,
    pub model_mean_ms: f64,
    pub measured_p99_ms: Option<f64>,
    /// Simulated (the analytic solver gives means only); `None` if not simulated.
    pub model_p99_ms: Option<f64>,
    pub measured_rss_mib: Option<f64>,
    pub model_rss_mib: f64,
    pub measured_threads: Option<u64>,
    pub model_threads: u32,
}

impl CellFit {
    pub fn throughput_err(&self) -> f64 {
        self.model_ops / self.measured_ops - 1.0
    }
    pub fn mean_err(&self) -> Option<f64> {
        self.measured_mean_ms.filter(|m| *m > 0.0).map(|m| self.model_mean_ms / m - 1.0)
    }
    /// Model p99 over measured p99.
    pub(crate) fn p99_ratio(&self) -> Option<f64> {
        Some(self.model_p99_ms? / self.measured_p99_ms.filter(|m| *m > 0.0)?)
    }
    pub(crate) fn rss_err(&self) -> Option<f64> {
        self.measured_rss_mib.filter(|m| *m > 0.0).map(|m| self.model_rss_mib / m - 1.0)
    }
    pub(crate) fn threads_err(&self) -> Option<f64> {
        self.measured_threads.filter(|m| *m > 0).map(|m| self.model_threads as f64 / m as f64 - 1.0)
    }
    pub fn name(&self) -> String {
        format!("{} ms, {} caller{}", self.io_wait_ms, self.concurrency, if self.concurrency == 1 { "" } else { "s" })
    }
}

/// The patterns the model has, with the lab's names for them.
pub(crate) const PATTERNS: [(&str, &str); 4] = [
    ("official_sync", "Sync"),
    ("official_executor", "Executor (default pool)"),
    ("official_executor_64", "Executor (64 threads)"),
    ("aerospike_py_async", "Tokio"),
];

/// The scenario of a lab cell: its wait (the wait the stub applied, where
/// the report says, else the injected one) plus the stub's round trip, its
/// callers, and the CPUs the client process had (and the node's, which
/// sizes Python's default pool).
pub fn scenario(lab: &Lab, c: &reports::model::GridCell) -> Scenario {
    Scenario {
        io_wait_ms: c.applied_wait_ms() + lab.rtt_ms,
        concurrency: c.concurrency.clamp(1, 100_000) as u32,
        cores: f64::from(lab.cores),
        node_cpus: Some(lab.node_cpus),
        pool: (c.pattern == "official_executor_64").then_some(64),
        ..Scenario::default()
    }
}

/// The model's parameters for a lab cell: the defaults, with the I/O wait's
/// random share set to what the cell had. The stub's injected wait is a
/// timer, nearly constant (its p99 over its median is in the report); only
/// the loopback round trip varies as `io_jitter` says. A wait of
/// (1−j)·W + Exp(j·W) has p99/mean = 1 + 3.6·j.
pub(crate) fn params(lab: &Lab, p: &Params, c: &reports::model::GridCell) -> Params {
    let injected_ms = c.applied_wait_ms();
    let stub_j = match (c.applied_wait_p50_us, c.applied_wait_p99_us) {
        (Some(a), Some(b)) if a > 0.0 && b >= a => ((b / a - 1.0) / (100f64.ln() - 1.0)).clamp(0.0, 1.0),
        _ => p.io_jitter,
    };
    let io_jitter = (stub_j * injected_ms + p.io_jitter * lab.rtt_ms) / (injected_ms + lab.rtt_ms);
    Params { io_jitter, ..*p }
}

/// Every cell the model has a pattern for. With `simulate`, each cell's p99
/// comes from one short simulation (seeded); without, it is left out.
pub fn fit(lab: &Lab, p: &Params, simulate: bool) -> Vec<CellFit> {
    let mut out = Vec::new();
    for c in &lab.grid.data {
        let Some(&(_, label)) = PATTERNS.iter().find(|(k, _)| *k == c.pattern) else { continue };
        let pattern = match c.pattern.as_str() {
            "official_sync" => Pattern::Sync,
            "aerospike_py_async" => Pattern::Tokio,
            _ => Pattern::Executor,
        };
        let Some(measured_ops) = c.ops_per_sec.filter(|x| *x > 0.0) else { continue };
        let s = scenario(lab, c);
        let p = &params(lab, p, c);
        let Ok(curve) = predict_curve(pattern, p, &s, &[s.concurrency]) else { continue };
        let m = &curve[0];
        let model_p99_ms = if simulate { predict(pattern, p, &s, Solver::Sim, 14).ok().and_then(|r| r.latency_ms.p99) } else { None };
        out.push(CellFit {
            label,
            io_wait_ms: c.io_wait_ms,
            concurrency: c.concurrency,
            measured_ops,
            model_ops: m.throughput_ops_s,
            measured_mean_ms: c.avg_ms,
            model_mean_ms: m.latency_ms.mean,
            measured_p99_ms: c.p99_ms,
            model_p99_ms,
            measured_rss_mib: c.rss_mib,
            model_rss_mib: m.memory_mib.resident,
            measured_threads: c.threads,
            model_threads: m.threads,
        });
    }
    out
}

/// One pattern's agreement over its cells.
#[derive(Debug, Clone)]
pub struct PatternFit {
    pub label: &'static str,
    pub cells: usize,
    pub median_err: f64,
    pub worst_err: f64,
    pub worst_cell: String,
    pub median_mean_err: f64,
    /// Cells whose p99 agrees within [`P99_FACTOR`], of those simulated.
    pub p99_within: usize,
    pub p99_cells: usize,
    pub median_rss_err: f64,
    pub median_threads_err: f64,
}

impl PatternFit {
    /// Which targets this pattern misses, in words (empty: none).
    pub fn misses(&self) -> Vec<String> {
        let mut v = Vec::new();
        if self.median_err > THROUGHPUT_MEDIAN {
            v.push(format!("throughput median {:.0}% (target {:.0}%)", self.median_err * 100.0, THROUGHPUT_MEDIAN * 100.0));
        }
        if self.worst_err > THROUGHPUT_WORST {
            v.push(format!("throughput worst {:.0}% at {} (target {:.0}%)", self.worst_err * 100.0, self.worst_cell, THROUGHPUT_WORST * 100.0));
        }
        if self.p99_cells > 0 && (self.p99_within as f64) < P99_SHARE * self.p99_cells as f64 {
            v.push(format!("p99 within ×{P99_FACTOR} in {} of {} cells (target {:.0}%)", self.p99_within, self.p99_cells, P99_SHARE * 100.0));
        }
        if self.median_rss_err > RSS_MEDIAN {
            v.push(format!("resident memory median {:.0}% (target {:.0}%)", self.median_rss_err * 100.0, RSS_MEDIAN * 100.0));
        }
        v
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        f64::NAN
    } else {
        v[v.len() / 2]
    }
}

/// Each pattern's summary, in [`PATTERNS`] order (patterns without cells left out).
pub fn summary(cells: &[CellFit]) -> Vec<PatternFit> {
    PATTERNS
        .iter()
        .filter_map(|&(_, label)| {
            let mine: Vec<&CellFit> = cells.iter().filter(|c| c.label == label).collect();
            let worst = mine.iter().max_by(|a, b| a.throughput_err().abs().total_cmp(&b.throughput_err().abs()))?;
            let p99: Vec<f64> = mine.iter().filter_map(|c| c.p99_ratio()).collect();
            Some(PatternFit {
                label,
                cells: mine.len(),
                median_err: median(mine.iter().map(|c| c.throughput_err().abs()).collect()),
                worst_err: worst.throughput_err().abs(),
                worst_cell: worst.name(),
                median_mean_err: median(mine.iter().filter_map(|c| c.mean_err()).map(f64::abs).collect()),
                p99_within: p99.iter().filter(|r| **r <= P99_FACTOR && **r >= 1.0 / P99_FACTOR).count(),
                p99_cells: p99.len(),
                median_rss_err: median(mine.iter().filter_map(|c| c.rss_err()).map(f64::abs).collect()),
                median_threads_err: median(mine.iter().filter_map(|c| c.threads_err()).map(f64::abs).collect()),
            })
        })
        .collect()
}

/// One pattern's row of a fit summary: cells, median and largest
/// |throughput error| (with its cell), and the p99s within the factor.
pub(crate) fn summary_row(
    label: &str,
    cells: usize,
    median_err: f64,
    worst_err: f64,
    worst_cell: &str,
    p99_within: usize,
    p99_cells: usize,
) -> String {
    let pct = |v: f64| if v.is_finite() { format!("{:.0}%", v * 100.0) } else { "–".into() };
    format!("| {label} | {cells} | {} | {} ({worst_cell}) | {p99_within} of {p99_cells} |\n", pct(median_err), pct(worst_err))
}
