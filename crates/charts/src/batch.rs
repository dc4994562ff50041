//! Batches and the cluster: batches per second and p99 against the keys per batch for each pattern at the scenario's cluster, the official client's two batch policies, and the lab's measured batch cells where the scenario is one of them.

use perfmodel::batch::{expected_nodes, Batch, Calls, FanOut};
use perfmodel::predict::{short_run, ShortRun};
use perfmodel::sim::simulate;
use perfmodel::{predict_curve, ModelError, Params, Pattern, Scenario};
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use crate::format::{count, number};
use crate::look::{legend_band, Dash, Look, Mark, Swatch};
use crate::stages::{Numbers, Reader, Staged};
use crate::style::{decades, log_axes, Pen};
use crate::Theme;

/// The keys-per-batch axis: the model's range, log-spaced.
const KEYS: (f64, f64) = perfmodel::scenario::range::KEYS;
const POINTS: usize = 33;
/// Batch sizes whose p99 is simulated: the lab's, and the model's largest.
pub const LADDER: [u32; 6] = [1, 10, 50, 200, 1_000, 5_000];
/// Seed of the p99 simulations.
pub const SEED: u64 = 61;
/// Each p99: one warm-up cycle of the callers, then max(2,000, N) batches, at most 10,000.
pub const RUN: ShortRun = ShortRun { min: 2_000, cap: 10_000, warmup_min: 500, warmup_cap: 10_000 };

/// The most node requests one p99 simulation may send through the official
/// client's own pool: concurrent=True simulates each of them, so a wide
/// cluster under a large population would cost tens of millions of events.
/// Past it that p99 is not simulated (NaN in its slot), and the figure says so.
pub const MAX_POOLED_NODE_REQUESTS: f64 = 1_000_000.0;

/// Node requests the p99 run of `line` at `s` would send through the official
/// client's own pool (none for a line that does not use it).
fn pooled_node_requests(s: &Scenario, line: (Pattern, FanOut), run: ShortRun) -> f64 {
    match (line, s.calls.batch) {
        ((Pattern::Tokio, _), _) | ((_, FanOut::Series), _) | (_, None) => 0.0,
        (_, Some(b)) => {
            let cfg = short_run(s, SEED, run);
            (cfg.warmup + cfg.requests + s.concurrency as u64) as f64 * expected_nodes(b.keys, b.nodes)
        }
    }
}

/// A p99 slot's value when it was simulated.
fn simulated(v: Option<f64>) -> Option<f64> {
    v.filter(|v| v.is_finite())
}

/// The lines the figure draws: each pattern with the official client's
/// default policy, and the executor again with its node requests sent at once.
pub const LINES: [(Pattern, FanOut); 4] =
    [(Pattern::Sync, FanOut::Series), (Pattern::Executor, FanOut::Series), (Pattern::Executor, FanOut::Parallel), (Pattern::Tokio, FanOut::Parallel)];

/// A line's name.
pub fn line_label(pattern: Pattern, fan: FanOut) -> &'static str {
    match (pattern, fan) {
        (Pattern::Sync, _) => "Sync (official)",
        (Pattern::Executor, FanOut::Series) => "Executor (official, default policy)",
        (Pattern::Executor, FanOut::Parallel) => "Executor (official, concurrent=True)",
        _ => "Tokio (aerospike-py)",
    }
}

/// One measured batch cell of the lab, in the model's terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchLabCell {
    pub pattern: Pattern,
    pub fan_out: FanOut,
    /// The executor's pool (`None`: Python's default, or no pool).
    pub pool: Option<u32>,
    pub keys: u32,
    pub nodes: u32,
    /// The injected wait, and the model's wait per node request (injected plus the stub's round trip), ms.
    pub injected_ms: f64,
    pub io_wait_ms: f64,
    pub concurrency: u32,
    pub found: f64,
    /// Batches per second, and p99 ms.
    pub ops_per_sec: f64,
    pub p99_ms: Option<f64>,
}

/// The lab's batch cells as the page carries them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct BatchLab {
    pub report: String,
    /// CPUs the client process had, and the machine's (which sizes Python's default pool).
    pub cores: u32,
    pub node_cpus: u32,
    pub cells: Vec<BatchLabCell>,
    /// How far apart the model can tell Tokio and the executor's default:
    /// its ratio of the two was within this factor of the lab's in 9 of 10
    /// of the lab's paired cells. Closer than that, no side is called ahead.
    #[serde(default = "no_resolution")]
    pub resolution: f64,
}

/// Without a lab to say otherwise, a 5% difference is called.
fn no_resolution() -> f64 {
    crate::answer::EVEN
}

/// Who completes more batches, in words: `a` against `b`, or neither where
/// their ratio is within `resolution` (see [`BatchLab::resolution`]).
pub fn ahead(a_name: &str, a: f64, b_name: &str, b: f64, resolution: f64) -> String {
    let res = resolution.max(1.0);
    let side = crate::answer::Ahead::beyond(a, b, true, res);
    if !(a / b).is_finite() {
        format!("{a_name} and {b_name} could not be compared")
    } else if let crate::answer::Ahead::Tokio(_) = side {
        format!("{a_name} {} {b_name}", side.by())
    } else if let crate::answer::Ahead::Executor(_) = side {
        format!("{b_name} {} {a_name}", side.by())
    } else if res > crate::answer::EVEN {
        format!(
            "{a_name} and {b_name} closer than the model tells apart ({} against {}; it is trusted beyond ×{})",
            number(a),
            number(b),
            number(res)
        )
    } else {
        format!("{a_name} and {b_name} within 5% of each other")
    }
}

impl BatchLab {
    /// The cells at `s`'s cluster, wait, callers, found share and CPUs (any batch size), nothing else on the GIL.
    pub fn at(&self, s: &Scenario) -> Vec<&BatchLabCell> {
        let Some(b) = s.calls.batch else { return Vec::new() };
        let plain = s.cores == f64::from(self.cores)
            && s.workers == 1
            && s.node_cpu_count() == self.node_cpus
            && s.app_cpu_ms == 0.0
            && s.background_threads == 0
            && s.calls.gets == 0;
        if !plain || s.pool.is_some_and(|p| p != 64) {
            return Vec::new();
        }
        self.cells
            .iter()
            .filter(|c| c.nodes == b.nodes && c.concurrency == s.concurrency && c.found == b.found && (c.io_wait_ms - s.io_wait_ms).abs() < 1e-9)
            .filter(|c| c.pool == s.pool)
            .collect()
    }
}

impl BatchLab {
    /// The measured cell nearest to `s` (log distance in wait, callers and
    /// nodes, then its found share): the scenario that puts the figure on it.
    pub fn nearest(&self, s: &Scenario) -> Option<Scenario> {
        let b = s.calls.batch.unwrap_or(Batch::START);
        let ln = |a: f64, b: f64| (a.max(1e-3) / b.max(1e-3)).ln().powi(2);
        let c = self.cells.iter().min_by(|x, y| {
            let d = |c: &BatchLabCell| {
                ln(c.io_wait_ms, s.io_wait_ms)
                    + ln(c.concurrency as f64, s.concurrency as f64)
                    + ln(c.nodes as f64, b.nodes as f64)
                    + (c.found - b.found).abs()
            };
            d(x).total_cmp(&d(y))
        })?;
        Some(Scenario {
            io_wait_ms: c.io_wait_ms,
            concurrency: c.concurrency,
            cores: f64::from(self.cores),
            node_cpus: (self.node_cpus != self.cores).then_some(self.node_cpus),
            pool: None,
            app_cpu_ms: 0.0,
            background_threads: 0,
            calls: Calls { gets: 0, batch: Some(Batch { keys: c.keys, nodes: c.nodes, found: c.found, ..b }), batches: 1, gather: false },
            ..*s
        })
    }
}

/// One line: the analytic curve over the keys per batch, the simulated p99s.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchLine {
    pub pattern: Pattern,
    pub fan_out: FanOut,
    /// (keys, batches/s, mean ms).
    pub curve: Vec<(f64, f64, f64)>,
    /// p99 at each of [`LADDER`], as the simulations finish.
    pub p99: Vec<(u32, Option<f64>)>,
    /// At the scenario's own batch: batches/s and mean ms.
    pub at: (f64, f64),
}

/// Everything the figure, its table and its summary show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchData {
    /// The scenario with its batch (the starting batch where it has none).
    #[serde(skip)]
    pub scenario: Scenario,
    pub batch: Batch,
    pub io_wait_ms: f64,
    pub concurrency: u32,
    pub pool: u32,
    pub lines: Vec<BatchLine>,
    pub measured: Vec<BatchLabCell>,
    /// The lab's [`BatchLab::resolution`], or 5% without a lab.
    pub resolution: f64,
    pub events: u64,
}

/// The scenario at `keys` keys per batch with `fan` as the official client's policy: one batch per request, no get.
fn at_keys(s: &Scenario, b: Batch, keys: u32, fan: FanOut) -> Scenario {
    Scenario { calls: Calls { gets: 0, batch: Some(Batch { keys, fan_out: fan, ..b }), batches: 1, gather: false }, ..*s }
}

/// The analytic curves; the p99s are jobs ([`Staged`]).
pub fn batch_data(p: &Params, s: &Scenario) -> Result<BatchData, ModelError> {
    let b = s.calls.batch.unwrap_or(Batch::START);
    let keys: Vec<u32> = {
        let (lo, hi) = (KEYS.0.ln(), KEYS.1.ln());
        let mut v: Vec<u32> = (0..POINTS).map(|i| (lo + (hi - lo) * i as f64 / (POINTS - 1) as f64).exp().round() as u32).collect();
        v.extend(LADDER);
        v.push(b.keys);
        v.sort_unstable();
        v.dedup();
        v
    };
    let mut lines = Vec::new();
    for (pattern, fan) in LINES {
        let mut curve = Vec::with_capacity(keys.len());
        for &k in &keys {
            let q = &predict_curve(pattern, p, &at_keys(s, b, k, fan), &[s.concurrency])?[0];
            curve.push((k as f64, q.throughput_ops_s, q.latency_ms.mean));
        }
        let at = curve.iter().find(|c| c.0 == b.keys as f64).map(|c| (c.1, c.2)).unwrap_or((f64::NAN, f64::NAN));
        lines.push(BatchLine { pattern, fan_out: fan, curve, p99: LADDER.iter().map(|&k| (k, None)).collect(), at });
    }
    Ok(BatchData {
        scenario: Scenario { calls: Calls { gets: 0, batch: Some(b), batches: 1, gather: false }, ..*s },
        batch: b,
        io_wait_ms: s.io_wait_ms,
        concurrency: s.concurrency,
        pool: s.pool_size(),
        lines,
        measured: Vec::new(),
        resolution: no_resolution(),
        events: 0,
    })
}

/// One p99: which line (its place in [`LINES`]) at which batch size (its place in [`LADDER`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchJob {
    pub line: usize,
    pub rung: usize,
}

impl Numbers for BatchJob {
    fn put(&self, out: &mut Vec<f64>) {
        (self.line, self.rung).put(out);
    }
    fn take(r: &mut Reader<'_>) -> Option<BatchJob> {
        let line = r.whole((LINES.len() - 1) as f64)? as usize;
        let rung = r.whole((LADDER.len() - 1) as f64)? as usize;
        Some(BatchJob { line, rung })
    }
}

/// The analytic curves at once; 24 simulations: every line at every rung of the ladder, small batches first.
impl Staged for BatchData {
    const NAME: &'static str = "batch";
    type Input = Scenario;
    type Job = BatchJob;
    type Answer = (BatchJob, f64, u64);
    fn start(p: &Params, s: &Scenario) -> Result<BatchData, ModelError> {
        batch_data(p, s)
    }
    fn jobs(&self) -> Vec<BatchJob> {
        (0..LADDER.len()).flat_map(|rung| (0..LINES.len()).map(move |line| BatchJob { line, rung })).collect()
    }
    fn run(&self, p: &Params, job: BatchJob) -> Result<(BatchJob, f64, u64), ModelError> {
        let (pattern, fan) = LINES[job.line];
        let s = at_keys(&self.scenario, self.batch, LADDER[job.rung], fan);
        if pooled_node_requests(&s, (pattern, fan), RUN) > MAX_POOLED_NODE_REQUESTS {
            return Ok((job, f64::NAN, 0));
        }
        let r = simulate(pattern, p, &s, &short_run(&s, SEED, RUN))?;
        Ok((job, r.latency_ms.p99, r.events))
    }
    fn fold(&mut self, (job, p99, events): (BatchJob, f64, u64)) {
        self.events += events;
        if let Some(slot) = self.lines.get_mut(job.line).and_then(|l| l.p99.get_mut(job.rung)) {
            slot.1 = Some(p99);
        }
    }
    fn is_complete(&self) -> bool {
        self.lines.iter().all(|l| l.p99.iter().all(|(_, v)| v.is_some()))
    }
}

impl BatchData {
    /// The lab's cells at this scenario, if it is one of them.
    pub fn with_lab(mut self, lab: Option<&BatchLab>) -> BatchData {
        self.measured = lab.map(|l| l.at(&self.scenario).into_iter().cloned().collect()).unwrap_or_default();
        self.resolution = lab.map(|l| l.resolution).filter(|r| r.is_finite() && *r >= 1.0).unwrap_or_else(no_resolution);
        self
    }

    fn line(&self, pattern: Pattern, fan: FanOut) -> &BatchLine {
        self.lines.iter().find(|l| l.pattern == pattern && l.fan_out == fan).expect("every line is drawn")
    }

    /// The figure's answer at the chosen point: batches per second of Tokio
    /// against the executor's default policy, a side called only beyond the
    /// model's resolution ([`BatchLab::resolution`]).
    pub fn answer(&self) -> String {
        use crate::answer::{Ahead, EVEN, EXECUTOR, TOKIO};
        let ex = self.line(Pattern::Executor, FanOut::Series);
        let par = self.line(Pattern::Executor, FanOut::Parallel);
        let tk = self.line(Pattern::Tokio, FanOut::Parallel);
        let res = self.resolution.max(1.0);
        let a = Ahead::beyond(tk.at.0, ex.at.0, true, res);
        let head = if let Ahead::Tokio(_) = a {
            format!("{TOKIO} is ahead: {} the batches per second of the executor with its default policy", a.by())
        } else if let Ahead::Executor(_) = a {
            format!("{EXECUTOR} is ahead with its default policy: {} Tokio's batches per second", a.by())
        } else if res > EVEN {
            format!(
                "neither is ahead: Tokio and the executor with its default policy are closer than the model tells apart (it is trusted beyond ×{})",
                number(res)
            )
        } else {
            "neither is ahead: Tokio and the executor with its default policy are within 5% of each other".into()
        };
        format!(
            "At {} ms per node request and {} callers, {head} (Tokio {}, the executor {} by default and {} with concurrent=True).",
            number(self.io_wait_ms),
            count(self.concurrency),
            number(tk.at.0),
            number(ex.at.0),
            number(par.at.0)
        )
    }

    pub fn summary(&self) -> String {
        let b = self.batch;
        let ex = self.line(Pattern::Executor, FanOut::Series);
        let par = self.line(Pattern::Executor, FanOut::Parallel);
        let tk = self.line(Pattern::Tokio, FanOut::Parallel);
        let sy = self.line(Pattern::Sync, FanOut::Series);
        let nodes = expected_nodes(b.keys, b.nodes);
        let mut s = format!(
            "A batch of {} keys over {} node{} visits {} of them on average. At {} ms per node request and {} callers, aerospike-py (Tokio) completes {} batches/s, the official client through the executor (pool of {}) {} with its default policy and {} with concurrent=True, called directly {}.",
            count(b.keys),
            count(b.nodes),
            if b.nodes == 1 { "" } else { "s" },
            number(nodes),
            number(self.io_wait_ms),
            count(self.concurrency),
            number(tk.at.0),
            count(self.pool),
            number(ex.at.0),
            number(par.at.0),
            number(sy.at.0),
        );
        s.push_str(&format!(" In the model: {}.", ahead("Tokio", tk.at.0, "the executor's default", ex.at.0, self.resolution)));
        s.push_str(&format!(
            " Mean latency: Tokio {} ms, the executor {} ms (default) and {} ms (concurrent=True).",
            number(tk.at.1),
            number(ex.at.1),
            number(par.at.1)
        ));
        if self.is_complete() {
            let p99 = |l: &BatchLine| {
                l.p99
                    .iter()
                    .find(|(k, _)| *k == 1_000)
                    .and_then(|(_, v)| simulated(*v))
                    .map(|v| format!("{} ms", number(v)))
                    .unwrap_or_else(|| "not simulated".into())
            };
            s.push_str(&format!(
                " Simulated p99 at 1,000 keys: Tokio {}, the executor {} (default) and {} (concurrent=True).",
                p99(tk),
                p99(ex),
                p99(par)
            ));
            if let Some((k, _)) = par.p99.iter().find(|(_, v)| v.is_some_and(f64::is_nan)) {
                s.push_str(&format!(
                    " From {} keys up at {} callers the p99 of concurrent=True is not simulated: one run would send more than {} node requests through the official client's pool.",
                    count(*k),
                    count(self.concurrency),
                    count(MAX_POOLED_NODE_REQUESTS as u32)
                ));
            }
        }
        for c in &self.measured {
            s.push_str(&format!(
                " Measured here, {} keys: {} {} batches/s{}.",
                count(c.keys),
                line_label(c.pattern, c.fan_out),
                number(c.ops_per_sec),
                c.p99_ms.map(|v| format!(", p99 {} ms", number(v))).unwrap_or_default()
            ));
        }
        s
    }

    /// Every number of the figure: each line's curve and p99s.
    pub fn table(&self) -> crate::table::Table {
        let f = crate::table::raw;
        let mut headers = vec!["keys".to_string()];
        for l in &self.lines {
            let name = line_label(l.pattern, l.fan_out);
            headers.push(format!("{name} batches/s"));
            headers.push(format!("{name} mean ms"));
            headers.push(format!("{name} p99 ms"));
        }
        let rows = (0..self.lines[0].curve.len())
            .map(|i| {
                let k = self.lines[0].curve[i].0;
                let mut r = vec![f(k)];
                for l in &self.lines {
                    let p99 = l.p99.iter().find(|(kk, _)| *kk as f64 == k).and_then(|(_, v)| simulated(*v)).map(f).unwrap_or_default();
                    r.extend([f(l.curve[i].1), f(l.curve[i].2), p99]);
                }
                r
            })
            .collect();
        crate::table::Table { headers, rows }
    }

    /// The legend: exactly what the two panels draw.
    pub fn legend(&self, theme: &Theme) -> Vec<(String, Swatch)> {
        let mut items: Vec<(String, Swatch)> =
            self.lines.iter().map(|l| (line_label(l.pattern, l.fan_out).to_string(), Swatch::Line(look(theme, l)))).collect();
        for (p, name) in [(Pattern::Executor, "Executor, measured"), (Pattern::Tokio, "Tokio, measured"), (Pattern::Sync, "Sync, measured")] {
            if self.measured.iter().any(|c| c.pattern == p) {
                items.push((name.into(), Swatch::Line(measured(theme, p))));
            }
        }
        items
    }
}

/// A line's look: its pattern's, the parallel policy in a dotted line of the same colour.
fn look(theme: &Theme, l: &BatchLine) -> Look {
    let base = Look::pattern(theme, l.pattern);
    if l.pattern == Pattern::Executor && l.fan_out == FanOut::Parallel {
        Look { dash: Dash::Dot, mark: Mark::Triangle, ..base }
    } else {
        base
    }
}

/// A measured point: a large hollow marker, no line.
fn measured(theme: &Theme, p: Pattern) -> Look {
    Look { hollow: true, width: 2.0, mark: if p == Pattern::Tokio { Mark::Square } else { Mark::Diamond }, ..Look::pattern(theme, p) }
}

/// Draw both panels, batches/s above and p99 below. `scale` multiplies every length (devicePixelRatio).
pub fn draw_batch<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, d: &BatchData, theme: &Theme, scale: f64) -> Result<(), String> {
    let pen = Pen::fill(area, theme, scale)?;
    let plot = legend_band(area, pen, &d.legend(theme))?;
    let (top, bottom) = plot.split_vertically(plot.dim_in_pixel().1 / 2);
    let ys = d.lines.iter().flat_map(|l| l.curve.iter().map(|c| c.1)).chain(d.measured.iter().map(|c| c.ops_per_sec));
    let (lo, hi) = ys.filter(|v| v.is_finite() && *v > 0.0).fold((f64::INFINITY, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let y = decades(lo.max(1e-3), hi.max(1e-2) * 1.2);
    let mut chart = log_axes(&top, pen, KEYS, "keys per batch (log)", y, "batches/s (log)")?;
    for l in &d.lines {
        let pts: Vec<(f64, f64)> = l.curve.iter().map(|c| (c.0, c.1)).collect();
        let lk = look(theme, l);
        lk.line(&mut chart, pen, &pts)?;
        lk.sparse_marks(&mut chart, pen, &pts, 5, 0.5)?;
    }
    for c in &d.measured {
        measured(theme, c.pattern).marks(&mut chart, pen, &[(c.keys as f64, c.ops_per_sec)])?;
    }
    // p99: the simulated ladder, points joined.
    let ps = d.lines.iter().flat_map(|l| l.p99.iter().filter_map(|(_, v)| simulated(*v))).chain(d.measured.iter().filter_map(|c| c.p99_ms));
    let (lo, hi) = ps.filter(|v| v.is_finite() && *v > 0.0).fold((f64::INFINITY, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let y = if lo.is_finite() { decades(lo.max(1e-3), hi.max(1e-2) * 1.2) } else { (0.1, 100.0) };
    let mut chart = log_axes(&bottom, pen, KEYS, "keys per batch (log)", y, "p99 ms (log, simulated)")?;
    for l in &d.lines {
        let pts: Vec<(f64, f64)> = l.p99.iter().filter_map(|(k, v)| Some((*k as f64, simulated(*v)?))).collect();
        let lk = look(theme, l);
        lk.line(&mut chart, pen, &pts)?;
        lk.marks(&mut chart, pen, &pts)?;
    }
    for c in &d.measured {
        if let Some(p) = c.p99_ms {
            measured(theme, c.pattern).marks(&mut chart, pen, &[(c.keys as f64, p)])?;
        }
    }
    Ok(())
}
