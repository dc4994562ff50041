//! Throughput against concurrency for the three patterns, with the GIL ceilings and the executor's pool cap.

use perfmodel::scenario::range::{CONCURRENCY_MAX as N_MAX, CONCURRENCY_MIN as N_MIN};
use perfmodel::{mva::Bounds, predict_curve, ModelError, Params, Pattern, Scenario};
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;

use crate::answer::Ahead;
use crate::format::{count, number};
use crate::look::{legend_band, Dash, Look, Swatch};
use crate::stages::Staged;
use crate::style::{concurrency_axes, decades, short_label, Pen};
use crate::Theme;

/// Concurrency axis of the chart: the model's range, log-spaced.
const POINTS: usize = 161;

/// One pattern's curve and its numbers at the chosen concurrency.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    pub pattern: Pattern,
    pub label: &'static str,
    /// (concurrency, requests/s)
    pub points: Vec<(u32, f64)>,
    /// Throughput at the scenario's concurrency, requests/s.
    pub at_n: f64,
    /// Mean latency at the scenario's concurrency, ms.
    pub latency_at_n_ms: f64,
    pub bounds: Bounds,
}

/// Everything the chart, the readout and the summary show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThroughputData {
    pub io_wait_ms: f64,
    pub concurrency: u32,
    pub pool: u32,
    pub cores: f64,
    pub series: Vec<Series>,
}

/// The concurrencies the curves are computed at (log-spaced, deduplicated,
/// always including the scenario's own).
pub(crate) fn concurrencies(extra: u32) -> Vec<u32> {
    let lo = (N_MIN as f64).ln();
    let hi = (N_MAX as f64).ln();
    let mut ns: Vec<u32> = (0..POINTS).map(|i| (lo + (hi - lo) * i as f64 / (POINTS - 1) as f64).exp().round() as u32).collect();
    ns.push(extra);
    ns.sort_unstable();
    ns.dedup();
    ns
}

/// Compute the chart's numbers from the model (analytic solver).
pub fn throughput_data(p: &Params, s: &Scenario) -> Result<ThroughputData, ModelError> {
    let ns = concurrencies(s.concurrency);
    let mut series = Vec::new();
    for pattern in Pattern::COMPARED {
        let preds = predict_curve(pattern, p, s, &ns)?;
        let at = preds.iter().find(|q| q.concurrency == s.concurrency).expect("the scenario's N is in the grid");
        series.push(Series {
            pattern,
            label: pattern.label(),
            points: preds.iter().map(|q| (q.concurrency, q.throughput_ops_s)).collect(),
            at_n: at.throughput_ops_s,
            latency_at_n_ms: at.latency_ms.mean,
            bounds: at.bounds,
        });
    }
    Ok(ThroughputData { io_wait_ms: s.io_wait_ms, concurrency: s.concurrency, pool: s.pool_size(), cores: s.cores, series })
}

impl ThroughputData {
    pub fn get(&self, p: Pattern) -> &Series {
        self.series.iter().find(|s| s.pattern == p).expect("every compared pattern has a series")
    }

    /// One or two plain sentences for screen readers and the page.
    /// What clearly holds the async patterns back at the chosen point (each within 80% of it), if anything does.
    fn limit(&self) -> Option<Limit> {
        let (ex, tk) = (self.get(Pattern::Executor), self.get(Pattern::Tokio));
        let ((cap, which), (tk_cap, tk_which)) = (ex.bounds.binding(), tk.bounds.binding());
        let near = |s: &Series, cap: f64| s.at_n > 0.8 * cap;
        if near(ex, cap) && which == "pool" {
            Some(Limit::Pool(cap))
        } else if near(ex, cap) && near(tk, tk_cap) && which == "gil" && tk_which == "gil" {
            Some(Limit::Gil)
        } else if near(ex, cap) && near(tk, tk_cap) && which != "pool" && tk_which != "pool" {
            Some(Limit::Cores)
        } else {
            None
        }
    }

    /// The figure's answer at the chosen point: which async pattern completes
    /// more requests per second, by how much, and what limits them.
    pub fn answer(&self) -> String {
        let (ex, tk) = (self.get(Pattern::Executor), self.get(Pattern::Tokio));
        let a = Ahead::of(tk.at_n, ex.at_n, true);
        let (lead, other) = a.names();
        let (x, y) = a.first(tk.at_n, ex.at_n);
        let head = match a {
            Ahead::Even => format!("neither is ahead: {lead} and {other} are {} of each other ({} and {} requests/s)", a.by(), number(x), number(y)),
            _ => format!("{lead} is ahead: {} {}'s requests per second ({} against {})", a.by(), a.short_names().1, number(x), number(y)),
        };
        let limit = match self.limit() {
            Some(Limit::Pool(_)) => format!("; the executor is held by its pool of {} threads", self.pool),
            Some(Limit::Gil) => "; the GIL limits both".into(),
            Some(Limit::Cores) => format!("; {} {} both", crate::format::cores(self.cores), if self.cores == 1.0 { "limits" } else { "limit" }),
            None => String::new(),
        };
        format!("At {} ms of I/O wait and {} callers, {head}{limit}.", number(self.io_wait_ms), count(self.concurrency))
    }

    pub fn summary(&self) -> String {
        let (sy, ex, tk) = (self.get(Pattern::Sync), self.get(Pattern::Executor), self.get(Pattern::Tokio));
        let ratio = tk.at_n / ex.at_n;
        let mut s = format!(
            "At {} ms of I/O wait and {} concurrent callers the model gives Tokio {} requests/s, \
             the executor {} and sync {}; Tokio is {}× the executor.",
            number(self.io_wait_ms),
            count(self.concurrency),
            number(tk.at_n),
            number(ex.at_n),
            number(sy.at_n),
            number(ratio),
        );
        match self.limit() {
            Some(Limit::Pool(cap)) => s.push_str(&format!(
                " The executor is near its pool cap of {} requests/s ({} threads, each held for the whole I/O wait).",
                number(cap),
                self.pool
            )),
            Some(Limit::Gil) => s.push_str(&format!(
                " Both async patterns are near their GIL ceilings ({} and {} requests/s): the GIL, not the I/O, is the limit here.",
                number(ex.bounds.gil_ceiling),
                number(tk.bounds.gil_ceiling)
            )),
            Some(Limit::Cores) => s.push_str(&format!(
                " Both async patterns are near what {} allow ({} and {} requests/s for their CPU work per request, GIL-held or not): \
                 the CPU, not the I/O, is the limit here.",
                crate::format::cores(self.cores),
                number(ex.bounds.cpu_cap),
                number(tk.bounds.cpu_cap)
            )),
            None => {}
        }
        s
    }
}

/// What holds the async patterns back, when one limit clearly does.
enum Limit {
    /// The executor's pool, at this cap in requests/s.
    Pool(f64),
    /// Both at their GIL ceilings.
    Gil,
    /// Both near what the cores allow.
    Cores,
}

/// An async pattern's ceiling: the lower of what the GIL allows and what the
/// cores allow, and which of the two it is.
fn ceiling(s: &Series) -> (f64, &'static str) {
    if s.bounds.cpu_cap < s.bounds.gil_ceiling {
        (s.bounds.cpu_cap, "the cores")
    } else {
        (s.bounds.gil_ceiling, "the GIL")
    }
}

/// A ceiling: a thin line in its pattern's colour and dash.
fn bound_look(theme: &Theme, p: Pattern) -> Look {
    Look { mark: crate::look::Mark::None, ..Look::pattern(theme, p).with_width(1.0) }
}

/// A pool cap: dotted, a little heavier.
fn cap_look(theme: &Theme, p: Pattern) -> Look {
    Look { dash: Dash::Dot, ..bound_look(theme, p).with_width(1.5) }
}

impl ThroughputData {
    /// The legend: exactly what the chart draws, curves first, then the bounds.
    pub fn legend(&self, theme: &Theme) -> Vec<(String, Swatch)> {
        let mut items: Vec<(String, Swatch)> =
            self.series.iter().map(|s| (s.label.to_string(), Swatch::Line(Look::pattern(theme, s.pattern)))).collect();
        for s in self.series.iter().filter(|s| s.pattern != Pattern::Sync) {
            items.push((format!("{} ceiling: {}", short_label(s.pattern), ceiling(s).1), Swatch::Line(bound_look(theme, s.pattern))));
        }
        for s in self.series.iter().filter(|s| s.bounds.pool_cap.is_some()) {
            items.push((format!("{} pool cap", short_label(s.pattern)), Swatch::Line(cap_look(theme, s.pattern))));
        }
        items
    }
}

/// Draw the chart. `scale` multiplies every length (devicePixelRatio).
pub fn draw_throughput<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, d: &ThroughputData, theme: &Theme, scale: f64) -> Result<(), String> {
    let pen = Pen::fill(area, theme, scale)?;
    let px = |v: f64| pen.px(v);

    let all = d.series.iter().flat_map(|s| s.points.iter().map(|p| p.1));
    let (lo, hi) = all.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (y_lo, y_hi) = decades(lo.max(1e-3), hi.max(1.0) * 1.5);
    let look = |p: Pattern| Look::pattern(theme, p);
    let (faint, cap_look) = (|p| bound_look(theme, p), |p| cap_look(theme, p));
    let items = d.legend(theme);
    let plot = legend_band(area, pen, &items)?;
    let mut chart = concurrency_axes(&plot, pen, (y_lo, y_hi), "requests per second (log)")?;

    for (k, s) in d.series.iter().enumerate() {
        let l = look(s.pattern);
        let pts: Vec<(f64, f64)> = s.points.iter().map(|&(n, x)| (n as f64, x)).collect();
        l.line(&mut chart, pen, &pts)?;
        l.sparse_marks(&mut chart, pen, &pts, 6, (k as f64 + 0.5) / d.series.len() as f64)?;
        // The ceiling of the async patterns (the GIL's or the cores'); the sync pattern's curve is its own ceiling.
        if s.pattern != Pattern::Sync {
            let (c, _) = ceiling(s);
            faint(s.pattern).line(&mut chart, pen, &[(N_MIN as f64, c), (N_MAX as f64, c)])?;
        }
        if let Some(cap) = s.bounds.pool_cap {
            cap_look(s.pattern).line(&mut chart, pen, &[(N_MIN as f64, cap), (N_MAX as f64, cap)])?;
        }
    }
    // The chosen scenario: a vertical rule and each pattern's marker on its curve.
    let n = d.concurrency as f64;
    chart
        .draw_series(LineSeries::new([(n, y_lo), (n, y_hi)], ShapeStyle::from(&theme.foreground.mix(0.5)).stroke_width(px(1.0))))
        .map_err(|e| e.to_string())?;
    for s in &d.series {
        Look { width: 3.0, ..look(s.pattern) }.marks(&mut chart, pen, &[(n, s.at_n)])?;
    }
    area.present().map_err(|e| e.to_string())
}

impl ThroughputData {
    /// Every point of every curve: concurrency, then requests/s per pattern.
    pub fn table(&self) -> crate::table::Table {
        crate::table::curves("requests/s", self.series.iter().map(|s| (s.pattern, s.points.as_slice())))
    }
}
/// Latency percentiles at the scenario's own concurrency for the throughput
/// readout, from the simulator (the analytic solver gives means only), one
/// pattern per job.
#[derive(Debug, Clone, PartialEq)]
pub struct PercentilesAt {
    pub scenario: Scenario,
    /// The patterns simulated so far, in job order.
    pub rows: Vec<(Pattern, perfmodel::sim::Percentiles)>,
}

impl Staged for PercentilesAt {
    const NAME: &'static str = "percentiles";
    type Input = Scenario;
    type Job = Pattern;
    type Answer = (Pattern, perfmodel::sim::Percentiles);
    fn start(_: &Params, s: &Scenario) -> Result<PercentilesAt, ModelError> {
        s.validate()?;
        Ok(PercentilesAt { scenario: *s, rows: Vec::new() })
    }
    fn jobs(&self) -> Vec<Pattern> {
        Pattern::COMPARED.to_vec()
    }
    fn run(&self, p: &Params, pattern: Pattern) -> Result<(Pattern, perfmodel::sim::Percentiles), ModelError> {
        percentile_run(p, &self.scenario, pattern).map(|r| (pattern, r.latency_ms))
    }
    fn fold(&mut self, a: (Pattern, perfmodel::sim::Percentiles)) {
        self.rows.push(a);
    }
    fn is_complete(&self) -> bool {
        self.rows.len() == Pattern::COMPARED.len()
    }
}

/// One pattern's simulation behind [`PercentilesAt`]: one warm-up cycle
/// of the callers (at least 1,000 requests), then max(5,000, N) measured
/// requests, both capped at 50,000, so a slider move stays quick; 5,000
/// samples put about 50 above the 99th percentile.
pub(crate) fn percentile_run(p: &Params, s: &Scenario, pattern: Pattern) -> Result<perfmodel::sim::SimResult, ModelError> {
    let run = perfmodel::predict::ShortRun { min: 5_000, cap: 50_000, warmup_min: 1_000, warmup_cap: 50_000 };
    perfmodel::sim::simulate(pattern, p, s, &perfmodel::predict::short_run(s, 17, run))
}
