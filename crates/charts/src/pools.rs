//! The bigger-pool question: the executor's throughput, p99, threads, memory and GIL wait against its pool size at one scenario, Tokio as the reference, and the lab's measured 6- and 64-thread points where the scenario is a measured cell.

use perfmodel::memory::{memory, threads};
use perfmodel::predict::short_run;
use perfmodel::sim::simulate;
use perfmodel::{predict_curve, ModelError, Params, Pattern, Scenario};
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use crate::format::{count, number};
use crate::look::{legend_band, Dash, Look, Mark, Swatch};
use crate::runs;
use crate::stages::{Numbers, Reader, Staged};
use crate::style::{decades, log_axes, Pen};
use crate::Theme;

/// The pool-size axis: 1 to 1,024 threads (the model's range), log-spaced.
pub(crate) const POOL_MIN: u32 = 1;
pub(crate) const POOL_MAX: u32 = 1_024;
const POINTS: usize = 41;
/// Pool sizes whose p99 is simulated: the doublings "Your service" tries too.
pub const LADDER: [u32; 11] = runs::POOLS;
/// The executor "catches up" once its throughput is within this share of Tokio's.
pub const CATCH_UP: f64 = 0.05;
/// Seed of the p99 simulations.
pub const SEED: u64 = 47;

/// One measured cell of the lab's grid: the executor with `pool` threads, or aerospike-py's async client (`pool: None`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabCell {
    /// The wait the stub injected, ms.
    pub injected_ms: f64,
    /// The model's I/O wait for that cell: injected wait plus the stub's round trip, ms.
    pub io_wait_ms: f64,
    pub concurrency: u32,
    pub pool: Option<u32>,
    pub ops_per_sec: f64,
    pub p99_ms: Option<f64>,
}

/// The lab's measured executor and aerospike-py cells, from the newest report, as the page carries them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct LabPoints {
    /// The report's date, for the caption.
    pub report: String,
    /// CPUs the lab's client process had: measured points apply at that many cores.
    pub cores: u32,
    /// CPUs of the lab machine (`os.cpu_count()`, which sizes Python's default pool).
    pub node_cpus: u32,
    pub cells: Vec<LabCell>,
}

impl LabPoints {
    /// Whether `s` is the lab's conditions (its cores, nothing else on the GIL) at one of its cells.
    pub fn at(&self, s: &Scenario) -> Vec<&LabCell> {
        let plain = s.cores == f64::from(self.cores)
            && s.workers == 1
            && s.node_cpu_count() == self.node_cpus
            && s.app_cpu_ms == 0.0
            && s.background_threads == 0;
        if !plain {
            return Vec::new();
        }
        self.cells.iter().filter(|c| c.concurrency == s.concurrency && (c.io_wait_ms - s.io_wait_ms).abs() < 1e-9).collect()
    }

    /// The measured cell nearest to `s` (log distance in I/O wait and callers): its I/O wait and callers.
    pub fn nearest(&self, s: &Scenario) -> Option<(f64, u32)> {
        let d = |c: &LabCell| {
            let io = ((c.io_wait_ms.max(1e-3)) / s.io_wait_ms.max(1e-3)).ln();
            let n = (c.concurrency.max(1) as f64 / s.concurrency.max(1) as f64).ln();
            io * io + n * n
        };
        self.cells.iter().min_by(|a, b| d(a).total_cmp(&d(b))).map(|c| (c.io_wait_ms, c.concurrency))
    }
}

/// The executor at one pool size (analytic).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PoolPoint {
    pub pool: u32,
    pub throughput: f64,
    pub mean_ms: f64,
    pub threads: u32,
    pub resident_mib: f64,
    pub reserved_mib: f64,
    /// Mean wait for the GIL per request, ms: what more threads contending for it cost.
    pub gil_wait_ms: f64,
}

/// Everything the figure, its table and its summary show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolsData {
    /// The scenario the figure is drawn at (each point's pool is its own).
    #[serde(skip)]
    pub scenario: Scenario,
    pub io_wait_ms: f64,
    pub concurrency: u32,
    /// The scenario's pool (Python's default unless set).
    pub pool: u32,
    pub points: Vec<PoolPoint>,
    /// Simulated p99 at each of [`LADDER`] and the scenario's own pool, filled as runs finish.
    pub ladder_p99: Vec<(u32, Option<f64>)>,
    /// Tokio at the same scenario (it has no pool).
    pub tokio: PoolPoint,
    pub tokio_p99: Option<f64>,
    /// The lab's cells at this scenario, if it is one.
    pub measured: Vec<LabCell>,
    /// The simulator's events over the p99 runs so far (their work).
    pub events: u64,
}

fn pools() -> Vec<u32> {
    let (lo, hi) = ((POOL_MIN as f64).ln(), (POOL_MAX as f64).ln());
    let mut v: Vec<u32> = (0..POINTS).map(|i| (lo + (hi - lo) * i as f64 / (POINTS - 1) as f64).exp().round() as u32).collect();
    v.extend(LADDER);
    v
}

fn point(p: &Params, s: &Scenario, pattern: Pattern) -> Result<PoolPoint, ModelError> {
    let q = &predict_curve(pattern, p, s, &[s.concurrency])?[0];
    let m = memory(pattern, p, s);
    Ok(PoolPoint {
        pool: s.pool_size(),
        throughput: q.throughput_ops_s,
        mean_ms: q.latency_ms.mean,
        threads: threads(pattern, p, s).total(),
        resident_mib: m.resident,
        reserved_mib: m.reserved,
        gil_wait_ms: q.gil_wait_ms,
    })
}

/// The analytic curves and Tokio's reference; the p99s are jobs ([`Staged`]).
pub(crate) fn pools_data(p: &Params, s: &Scenario) -> Result<PoolsData, ModelError> {
    let mut sizes = pools();
    sizes.push(s.pool_size());
    sizes.sort_unstable();
    sizes.dedup();
    let points = sizes.iter().map(|&pool| point(p, &Scenario { pool: Some(pool), ..*s }, Pattern::Executor)).collect::<Result<Vec<_>, _>>()?;
    Ok(PoolsData {
        scenario: *s,
        io_wait_ms: s.io_wait_ms,
        concurrency: s.concurrency,
        pool: s.pool_size(),
        points,
        ladder_p99: {
            let mut v: Vec<u32> = LADDER.to_vec();
            v.push(s.pool_size());
            v.sort_unstable();
            v.dedup();
            v.into_iter().map(|pool| (pool, None)).collect()
        },
        tokio: point(p, s, Pattern::Tokio)?,
        tokio_p99: None,
        measured: Vec::new(),
        events: 0,
    })
}

/// A p99 simulation: the executor with a pool of so many threads, or Tokio.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolJob {
    Executor(u32),
    Tokio,
}

/// One p99: a short run (one warm-up cycle, then max(5,000, N) measured requests, at most 20,000 for a pool size and 50,000 for Tokio).
fn p99_run(p: &Params, s: &Scenario, job: PoolJob) -> Result<(PoolJob, f64, u64), ModelError> {
    let (pattern, s, run) = match job {
        PoolJob::Executor(pool) => (Pattern::Executor, Scenario { pool: Some(pool), ..*s }, runs::LADDER),
        PoolJob::Tokio => (Pattern::Tokio, *s, runs::PATTERN),
    };
    let r = simulate(pattern, p, &s, &short_run(&s, SEED, run))?;
    Ok((job, r.latency_ms.p99, r.events))
}

/// A pool size (its threads) or Tokio (-1).
impl Numbers for PoolJob {
    fn put(&self, out: &mut Vec<f64>) {
        match self {
            PoolJob::Executor(pool) => pool.put(out),
            PoolJob::Tokio => out.push(-1.0),
        }
    }
    fn take(r: &mut Reader<'_>) -> Option<PoolJob> {
        if r.peek() == Some(-1.0) {
            r.skip();
            return Some(PoolJob::Tokio);
        }
        u32::take(r).map(PoolJob::Executor)
    }
}

/// The analytic curves at once; one p99 per pool of the ladder (and the scenario's), then Tokio: at most 13.
impl Staged for PoolsData {
    const NAME: &'static str = "pools";
    type Input = Scenario;
    type Job = PoolJob;
    type Answer = (PoolJob, f64, u64);
    fn start(p: &Params, s: &Scenario) -> Result<PoolsData, ModelError> {
        pools_data(p, s)
    }
    fn jobs(&self) -> Vec<PoolJob> {
        let mut v: Vec<PoolJob> = self.ladder_p99.iter().map(|&(pool, _)| PoolJob::Executor(pool)).collect();
        v.push(PoolJob::Tokio);
        v
    }
    fn run(&self, p: &Params, job: PoolJob) -> Result<(PoolJob, f64, u64), ModelError> {
        p99_run(p, &self.scenario, job)
    }
    fn fold(&mut self, (job, p99, events): (PoolJob, f64, u64)) {
        self.events += events;
        match job {
            PoolJob::Executor(pool) => {
                if let Some(e) = self.ladder_p99.iter_mut().find(|e| e.0 == pool) {
                    e.1 = Some(p99);
                }
            }
            PoolJob::Tokio => self.tokio_p99 = Some(p99),
        }
    }
    fn is_complete(&self) -> bool {
        self.tokio_p99.is_some() && self.ladder_p99.iter().all(|(_, v)| v.is_some())
    }
}

impl PoolsData {
    /// The lab's cells at this scenario, if it is one of them.
    pub fn with_lab(mut self, lab: Option<&LabPoints>) -> PoolsData {
        self.measured = lab.map(|l| l.at(&self.scenario).into_iter().cloned().collect()).unwrap_or_default();
        self
    }

    fn at(&self, pool: u32) -> &PoolPoint {
        self.points.iter().find(|q| q.pool == pool).expect("every ladder pool and the scenario's are on the curve")
    }

    /// The smallest pool at which the executor's throughput is within [`CATCH_UP`] of Tokio's (or above it); `None` if none up to [`crate::runs::LARGEST_POOL`].
    pub fn catch_up(&self) -> Option<u32> {
        self.points.iter().find(|q| q.throughput >= (1.0 - CATCH_UP) * self.tokio.throughput).map(|q| q.pool)
    }

    /// The smallest ladder pool whose simulated p99 is at most Tokio's, once known.
    pub fn p99_catch_up(&self) -> Option<Option<u32>> {
        let t = self.tokio_p99?;
        for &(pool, v) in &self.ladder_p99 {
            match v {
                Some(v) if v <= t * (1.0 + CATCH_UP) => return Some(Some(pool)),
                Some(_) => {}
                None => return None,
            }
        }
        Some(None)
    }

    /// Plain sentences for screen readers and the page.
    /// The figure's answer: the smallest pool that brings the executor within
    /// 5% of Tokio's throughput at the chosen point, and what it costs in threads; or that none does.
    pub fn answer(&self) -> String {
        let at = format!("At {} ms of I/O wait and {} callers", number(self.io_wait_ms), count(self.concurrency));
        match self.catch_up() {
            Some(c) if c <= self.pool => format!(
                "{at}, the executor's pool of {} threads already keeps up with Tokio (within {:.0}% of its throughput or above it from {} threads).",
                count(self.pool),
                CATCH_UP * 100.0,
                count(c)
            ),
            Some(c) => format!(
                "{at}, a pool of {} threads brings the executor within {:.0}% of Tokio's throughput, with {} threads in its process against Tokio's {}.",
                count(c),
                CATCH_UP * 100.0,
                count(self.at(c).threads),
                count(self.tokio.threads)
            ),
            None => format!("{at}, no pool up to {} threads brings the executor within {:.0}% of Tokio's throughput.", count(POOL_MAX), CATCH_UP * 100.0),
        }
    }

    pub fn summary(&self) -> String {
        let now = self.at(self.pool);
        let mut s = format!(
            "At {} ms of I/O wait and {} callers, the executor with its pool of {} completes {} requests/s and Tokio {}.",
            number(self.io_wait_ms),
            count(self.concurrency),
            count(self.pool),
            number(now.throughput),
            number(self.tokio.throughput)
        );
        match self.catch_up() {
            Some(c) => {
                let q = self.at(c);
                s.push_str(&format!(
                    " From {} threads on the executor is within {:.0}% of Tokio's throughput or above it, using {} threads and {} MiB resident against Tokio's {} threads and {} MiB.",
                    count(c),
                    CATCH_UP * 100.0,
                    count(q.threads),
                    number(q.resident_mib),
                    count(self.tokio.threads),
                    number(self.tokio.resident_mib)
                ));
            }
            None => s.push_str(&format!(
                " No pool up to {} threads brings the executor within {:.0}% of Tokio here: the executor's GIL ceiling is the limit.",
                count(POOL_MAX),
                CATCH_UP * 100.0
            )),
        }
        match self.p99_catch_up() {
            Some(Some(c)) => s.push_str(&format!(
                " Its simulated p99 is within 5% of Tokio's ({} ms) or below from {} threads.",
                number(self.tokio_p99.unwrap_or(f64::NAN)),
                count(c)
            )),
            Some(None) => {
                s.push_str(&format!(" Its simulated p99 stays above Tokio's ({} ms) at every pool size.", number(self.tokio_p99.unwrap_or(f64::NAN))))
            }
            None => {}
        }
        for c in &self.measured {
            s.push_str(&format!(
                " Measured here: {} {} requests/s{}.",
                match c.pool {
                    Some(p) => format!("the executor with {p} threads"),
                    None => "aerospike-py async".into(),
                },
                number(c.ops_per_sec),
                c.p99_ms.map(|v| format!(", p99 {} ms", number(v))).unwrap_or_default()
            ));
        }
        s
    }

    /// Every number of the figure: the curve, the ladder's p99s, Tokio's.
    pub fn table(&self) -> crate::table::Table {
        let headers =
            ["pool", "executor requests/s", "executor mean ms", "executor p99 ms", "threads", "resident MiB", "reserved MiB", "GIL wait ms"];
        let f = crate::table::raw;
        let mut rows: Vec<Vec<String>> = self
            .points
            .iter()
            .map(|q| {
                let p99 = self.ladder_p99.iter().find(|(pool, _)| *pool == q.pool).and_then(|(_, v)| *v).map(f).unwrap_or_default();
                vec![
                    q.pool.to_string(),
                    f(q.throughput),
                    f(q.mean_ms),
                    p99,
                    q.threads.to_string(),
                    f(q.resident_mib),
                    f(q.reserved_mib),
                    f(q.gil_wait_ms),
                ]
            })
            .collect();
        let t = &self.tokio;
        rows.push(vec![
            "tokio".into(),
            f(t.throughput),
            f(t.mean_ms),
            self.tokio_p99.map(f).unwrap_or_default(),
            t.threads.to_string(),
            f(t.resident_mib),
            f(t.reserved_mib),
            f(t.gil_wait_ms),
        ]);
        crate::table::Table { headers: headers.iter().map(|h| h.to_string()).collect(), rows }
    }

    /// The ladder as an HTML table: what each pool size costs and gives.
    pub fn html(&self) -> String {
        let mut h = format!(
            "<div class=\"service-box\" tabindex=\"0\" role=\"region\" aria-label=\"The executor by pool size, at this scenario\"><table class=\"service-pools\" data-testid=\"pools-table\">\
             <caption>The executor at {} ms of I/O wait and {} callers, by pool size; Tokio last</caption>\
             <thead><tr><th scope=\"col\">Pool threads</th><th scope=\"col\">Requests/s</th><th scope=\"col\">p99</th><th scope=\"col\">Threads</th><th scope=\"col\">Resident</th><th scope=\"col\">Reserved</th><th scope=\"col\">GIL wait per request</th></tr></thead><tbody>",
            number(self.io_wait_ms),
            count(self.concurrency)
        );
        let ms = |v: Option<f64>| v.map(|v| format!("{} ms", number(v))).unwrap_or_else(|| "…".into());
        let row = |h: &mut String, name: String, q: &PoolPoint, p99: Option<f64>, mark: bool| {
            h.push_str(&format!(
                "<tr{}><th scope=\"row\">{name}</th><td>{}</td><td>{}</td><td>{}</td><td>{} MiB</td><td>{} MiB</td><td>{}</td></tr>",
                if mark { " class=\"service-smallest\"" } else { "" },
                number(q.throughput),
                ms(p99),
                count(q.threads),
                number(q.resident_mib),
                number(q.reserved_mib),
                ms(Some(q.gil_wait_ms))
            ));
        };
        for &(pool, p99) in &self.ladder_p99 {
            let name = if pool == self.pool { format!("{} (this scenario's)", count(pool)) } else { count(pool) };
            row(&mut h, name, self.at(pool), p99, pool == self.pool);
        }
        row(&mut h, "Tokio (no pool)".into(), &self.tokio, self.tokio_p99, false);
        h.push_str("</tbody></table></div>");
        crate::html::labelled(&h)
    }

    /// The legend: exactly what the two panels draw.
    pub fn legend(&self, theme: &Theme) -> Vec<(String, Swatch)> {
        let mut items = vec![
            ("Executor, model".to_string(), Swatch::Line(Look::pattern(theme, Pattern::Executor))),
            ("Tokio, model (no pool)".to_string(), Swatch::Line(reference(theme))),
        ];
        if self.measured.iter().any(|c| c.pool.is_some()) {
            items.push(("Executor, measured".into(), Swatch::Line(measured(theme, Pattern::Executor))));
        }
        if self.measured.iter().any(|c| c.pool.is_none()) {
            items.push(("Tokio, measured".into(), Swatch::Line(measured(theme, Pattern::Tokio))));
        }
        if self.catch_up().is_some() {
            items.push(("Where the executor catches up".into(), Swatch::Line(rule(theme))));
        }
        items
    }
}

/// Tokio's reference line: its pattern's look without markers.
fn reference(theme: &Theme) -> Look {
    Look { mark: Mark::None, ..Look::pattern(theme, Pattern::Tokio) }
}

/// A measured point: a large hollow marker, no line.
fn measured(theme: &Theme, p: Pattern) -> Look {
    Look { hollow: true, width: 2.0, mark: if p == Pattern::Tokio { Mark::Square } else { Mark::Diamond }, ..Look::pattern(theme, p) }
}

/// The catch-up pool: a dotted grey rule.
fn rule(theme: &Theme) -> Look {
    Look { dash: Dash::Dot, mark: Mark::None, ..Look::nth(theme.foreground, 0, false).with_width(1.5) }
}

/// At least two decades: a log axis over one decade labels every unit, which crowds a half-height panel.
fn two_decades((lo, hi): (f64, f64)) -> (f64, f64) {
    if hi / lo < 100.0 {
        (lo, lo * 100.0)
    } else {
        (lo, hi)
    }
}

/// Draw both panels, throughput above and p99 below. `scale` multiplies every length (devicePixelRatio).
pub fn draw_pools<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, d: &PoolsData, theme: &Theme, scale: f64) -> Result<(), String> {
    let pen = Pen::fill(area, theme, scale)?;
    let plot = legend_band(area, pen, &d.legend(theme))?;
    let (top, bottom) = plot.split_vertically(plot.dim_in_pixel().1 / 2);
    let x = (POOL_MIN as f64, POOL_MAX as f64);
    let ex = Look::pattern(theme, Pattern::Executor);
    let catch_up = d.catch_up();

    // Throughput.
    let ys = d.points.iter().map(|q| q.throughput).chain([d.tokio.throughput]).chain(d.measured.iter().map(|c| c.ops_per_sec));
    let (lo, hi) = ys.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let y = two_decades(decades(lo.max(1e-3), hi.max(1.0) * 1.2));
    let mut chart = log_axes(&top, pen, x, "executor pool size (threads, log)", y, "requests/s (log)")?;
    let curve: Vec<(f64, f64)> = d.points.iter().map(|q| (q.pool as f64, q.throughput)).collect();
    ex.line(&mut chart, pen, &curve)?;
    ex.sparse_marks(&mut chart, pen, &curve, 6, 0.5)?;
    reference(theme).line(&mut chart, pen, &[(x.0, d.tokio.throughput), (x.1, d.tokio.throughput)])?;
    if let Some(c) = catch_up {
        rule(theme).line(&mut chart, pen, &[(c as f64, y.0), (c as f64, y.1)])?;
    }
    for c in &d.measured {
        match c.pool {
            Some(pool) => measured(theme, Pattern::Executor).marks(&mut chart, pen, &[(pool as f64, c.ops_per_sec)])?,
            // aerospike-py has no pool: its measurement is drawn at both ends of the axis.
            None => measured(theme, Pattern::Tokio).marks(&mut chart, pen, &[(x.0, c.ops_per_sec), (x.1, c.ops_per_sec)])?,
        }
    }

    // p99.
    let known: Vec<(f64, f64)> = d.ladder_p99.iter().filter_map(|&(pool, v)| v.map(|v| (pool as f64, v))).collect();
    let ys = known.iter().map(|p| p.1).chain(d.tokio_p99).chain(d.measured.iter().filter_map(|c| c.p99_ms));
    let (lo, hi) = ys.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let y = if lo.is_finite() { two_decades(decades(lo.max(1e-3), hi.max(1e-3) * 1.2)) } else { (0.01, 1_000.0) };
    let mut chart = log_axes(&bottom, pen, x, "executor pool size (threads, log)", y, "p99 latency, ms (log)")?;
    ex.line(&mut chart, pen, &known)?;
    ex.marks(&mut chart, pen, &known)?;
    if let Some(t) = d.tokio_p99 {
        reference(theme).line(&mut chart, pen, &[(x.0, t), (x.1, t)])?;
    }
    if let Some(c) = catch_up {
        rule(theme).line(&mut chart, pen, &[(c as f64, y.0), (c as f64, y.1)])?;
    }
    for c in &d.measured {
        let Some(v) = c.p99_ms else { continue };
        match c.pool {
            Some(pool) => measured(theme, Pattern::Executor).marks(&mut chart, pen, &[(pool as f64, v)])?,
            None => measured(theme, Pattern::Tokio).marks(&mut chart, pen, &[(x.0, v), (x.1, v)])?,
        }
    }
    area.present().map_err(|e| e.to_string())
}
