//! Latency against concurrency: analytic mean curves, simulated p99 points filled in one at a time, the point where the executor departs from Tokio.

use perfmodel::sim::simulate;
use perfmodel::{
    predict::{short_run, ShortRun},
    predict_curve, ModelError, Params, Pattern, Scenario,
};
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;

use crate::answer::Ahead;
use crate::format::{count, number};
use crate::look::{legend_band, Look, Mark, Swatch};
use crate::stages::{numbers_struct, Numbers, Reader, Staged};
use crate::style::{concurrency_axes, decades, Pen};
use crate::throughput::concurrencies;
use crate::Theme;

/// Concurrencies the simulator's p99 is computed at (1-2-5 steps).
pub const P99_NS: [u32; 16] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000];
/// Where the benchmark the seed cites ran.
pub(crate) const BENCHMARK_N: u32 = 50;
/// The executor "departs" from Tokio where its p99 first exceeds Tokio's by this factor.
pub const DEPARTURE_FACTOR: f64 = 1.5;
/// Seed of the p99 runs: fixed, so a link shows the same curve.
pub const SEED: u64 = 23;
/// p99 is simulated up to this many callers. Past it, a pattern that is
/// already saturated here is not simulated again (that would cost a warm-up
/// cycle of up to 100,000 requests per point): see [`saturated_gain`].
pub const SIMULATED_UP_TO: u32 = 10_000;
/// "Saturated by N₀": the analytic throughput at N₀ is at least this share of the throughput at N.
pub(crate) const SATURATED: f64 = 0.99;

/// Whether `pattern` is already saturated at `n0` callers, seen from `n`:
/// its analytic throughput no longer grows ([`SATURATED`]).
///
/// In a closed loop past saturation, throughput stays at its bottleneck's
/// rate X and every extra caller adds one more request ahead of each
/// request at the bottleneck, so latency grows by (n − n0)/X (Little's law:
/// R = N/X) for every request alike, its p99 included; what varies is the
/// spread of that many more service times, which shrinks relative to the
/// sum as it grows. [`extend`] applies it with the simulated X at `n0`; a
/// test holds the extension to the simulated p99 at 20,000 callers within
/// 4% (Tokio at small I/O waits, whose loop batches still grow with the
/// queue, is the farthest; the others are within 0.3%).
pub fn saturated(p: &Params, s: &Scenario, pattern: Pattern, n0: u32, n: u32) -> Result<bool, ModelError> {
    let q = predict_curve(pattern, p, s, &[n0, n])?;
    Ok(q[0].throughput_ops_s >= SATURATED * q[1].throughput_ops_s)
}

/// A latency at `n0` callers carried to `n` at throughput `x` (requests/s), ms.
pub fn extend(ms_at_n0: f64, n0: u32, n: u32, x: f64) -> f64 {
    ms_at_n0 + (n - n0) as f64 / x * 1e3
}

/// One simulated point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct P99Point {
    pub pattern: Pattern,
    pub concurrency: u32,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// The simulator's events for this point (its work).
    pub events: u64,
    /// The simulated throughput, requests/s.
    pub throughput: f64,
    /// Not simulated: the point at [`SIMULATED_UP_TO`] carried on at its
    /// throughput ([`saturated`], [`extend`]).
    pub extended: bool,
}

/// What one p99 job found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum P99Answer {
    Simulated(P99Point),
    /// Saturated at [`SIMULATED_UP_TO`]: that point, carried on.
    Extended {
        pattern: Pattern,
        concurrency: u32,
    },
}

/// The work list of a p99 curve, in the order it fills in: every pattern at
/// one concurrency before the next, small concurrencies first (they are cheap).
pub fn p99_jobs() -> Vec<(Pattern, u32)> {
    P99_NS.iter().flat_map(|&n| Pattern::COMPARED.map(|p| (p, n))).collect()
}

/// Simulate one point: one warm-up cycle of the callers (at least 1,000
/// requests), then max(3,000, N) measured requests, capped at 30,000
/// (3,000 samples leave 30 above the 99th percentile).
pub fn p99_point(p: &Params, s: &Scenario, pattern: Pattern, n: u32) -> Result<P99Point, ModelError> {
    let s = Scenario { concurrency: n, ..*s };
    let cfg = short_run(&s, SEED, ShortRun { min: 3_000, cap: 30_000, warmup_min: 1_000, warmup_cap: u64::MAX });
    let r = simulate(pattern, p, &s, &cfg)?;
    Ok(P99Point {
        pattern,
        concurrency: n,
        p50_ms: r.latency_ms.p50,
        p99_ms: r.latency_ms.p99,
        events: r.events,
        throughput: r.throughput,
        extended: false,
    })
}

/// One job of the curve: simulate, or extend the point at
/// [`SIMULATED_UP_TO`] where the pattern is saturated there (jobs run in
/// [`p99_jobs`] order, so that point is in by then).
pub(crate) fn p99_job(p: &Params, s: &Scenario, pattern: Pattern, n: u32) -> Result<P99Answer, ModelError> {
    if n > SIMULATED_UP_TO && saturated(p, s, pattern, SIMULATED_UP_TO, n)? {
        return Ok(P99Answer::Extended { pattern, concurrency: n });
    }
    p99_point(p, s, pattern, n).map(P99Answer::Simulated)
}

/// Everything the latency chart shows; `p99` may be partial while it fills in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LatencyData {
    /// The scenario the curves are drawn at (each point's callers are its own).
    #[serde(skip)]
    pub scenario: Scenario,
    pub io_wait_ms: f64,
    pub concurrency: u32,
    /// Analytic mean latency per pattern: (concurrency, ms).
    pub mean: Vec<(Pattern, Vec<(u32, f64)>)>,
    pub p99: Vec<P99Point>,
    /// Points the full curve has.
    pub p99_total: usize,
}

/// The analytic part (fast); start with no simulated points.
pub fn latency_data(p: &Params, s: &Scenario) -> Result<LatencyData, ModelError> {
    // The simulated concurrencies are on the mean curve too, so the table
    // sets each p99 beside its mean.
    let mut ns = concurrencies(s.concurrency);
    ns.extend(P99_NS);
    ns.sort_unstable();
    ns.dedup();
    let mut mean = Vec::new();
    for pattern in Pattern::COMPARED {
        let preds = predict_curve(pattern, p, s, &ns)?;
        mean.push((pattern, preds.iter().map(|q| (q.concurrency, q.latency_ms.mean)).collect()));
    }
    Ok(LatencyData { scenario: *s, io_wait_ms: s.io_wait_ms, concurrency: s.concurrency, mean, p99: Vec::new(), p99_total: p99_jobs().len() })
}

numbers_struct!(P99Point { pattern, concurrency, p50_ms, p99_ms, events, throughput, extended });

/// A simulated point, or an extended one's pattern and callers, after a tag.
impl Numbers for P99Answer {
    fn put(&self, out: &mut Vec<f64>) {
        match self {
            P99Answer::Simulated(q) => (0u32, *q).put(out),
            P99Answer::Extended { pattern, concurrency } => (1u32, *pattern, *concurrency).put(out),
        }
    }
    fn take(r: &mut Reader<'_>) -> Option<P99Answer> {
        match r.whole(1.0)? {
            0.0 => Some(P99Answer::Simulated(P99Point::take(r)?)),
            _ => Some(P99Answer::Extended { pattern: Pattern::take(r)?, concurrency: u32::take(r)? }),
        }
    }
}

/// The means are analytic; the p99 curve is one job per point, in [`p99_jobs`] order.
impl Staged for LatencyData {
    const NAME: &'static str = "latency";
    type Input = Scenario;
    type Job = (Pattern, u32);
    type Answer = P99Answer;
    fn start(p: &Params, s: &Scenario) -> Result<LatencyData, ModelError> {
        latency_data(p, s)
    }
    fn jobs(&self) -> Vec<(Pattern, u32)> {
        p99_jobs()
    }
    fn run(&self, p: &Params, (pattern, n): (Pattern, u32)) -> Result<P99Answer, ModelError> {
        p99_job(p, &self.scenario, pattern, n)
    }
    fn fold(&mut self, a: P99Answer) {
        self.add(a)
    }
    fn is_complete(&self) -> bool {
        self.p99.len() >= self.p99_total
    }
}

impl LatencyData {
    /// Fold in one job's answer.
    fn add(&mut self, a: P99Answer) {
        match a {
            P99Answer::Simulated(q) => self.p99.push(q),
            P99Answer::Extended { pattern, concurrency } => {
                let base = self.p99.iter().find(|q| q.pattern == pattern && q.concurrency == SIMULATED_UP_TO).copied();
                // Jobs run in p99_jobs order, smallest concurrency first, so the base is in.
                let q = match base {
                    Some(b) => P99Point {
                        concurrency,
                        p50_ms: extend(b.p50_ms, SIMULATED_UP_TO, concurrency, b.throughput),
                        p99_ms: extend(b.p99_ms, SIMULATED_UP_TO, concurrency, b.throughput),
                        events: 0,
                        extended: true,
                        ..b
                    },
                    None => return,
                };
                self.p99.push(q);
            }
        }
    }

    /// Whether any point was extended rather than simulated.
    pub(crate) fn any_extended(&self) -> bool {
        self.p99.iter().any(|q| q.extended)
    }

    pub fn p99_of(&self, pattern: Pattern, n: u32) -> Option<f64> {
        self.p99.iter().find(|q| q.pattern == pattern && q.concurrency == n).map(|q| q.p99_ms)
    }

    /// The smallest simulated concurrency where the executor's p99 exceeds
    /// Tokio's by [`DEPARTURE_FACTOR`], among the points computed so far.
    pub fn departure(&self) -> Option<u32> {
        P99_NS.iter().copied().find(|&n| match (self.p99_of(Pattern::Executor, n), self.p99_of(Pattern::Tokio, n)) {
            (Some(e), Some(t)) => e > DEPARTURE_FACTOR * t,
            _ => false,
        })
    }

    /// The figure's answer at the chosen callers: which async pattern answers
    /// sooner on average (the analytic means, drawn at once), by how much.
    pub fn answer(&self) -> String {
        // Next to a CPU-bound thread the analytic mean counts one switch
        // interval per GIL acquisition and misses the queue the executor's
        // threads form for it (the methodology says why): the answer is then
        // the simulated p99's, at the simulated point nearest the reader's callers.
        if self.scenario.background_threads > 0 {
            if let Some(text) = self.p99_answer() {
                return text;
            }
        }
        let mean = |pat: Pattern| {
            let line = self.mean.iter().find(|(q, _)| *q == pat)?;
            line.1.iter().find(|(n, _)| *n == self.concurrency).map(|(_, ms)| *ms)
        };
        let (Some(ex), Some(tk)) = (mean(Pattern::Executor), mean(Pattern::Tokio)) else { return String::new() };
        let a = Ahead::of(tk, ex, false);
        let (lead, other) = a.names();
        let (x, y) = a.first(tk, ex);
        let at = format!("At {} callers and {} ms of I/O wait", count(self.concurrency), number(self.io_wait_ms));
        match a {
            Ahead::Even => {
                format!("{at}, neither is ahead: {lead} and {other} answer {} of each other on average ({} and {} ms).", a.by(), number(x), number(y))
            }
            _ => format!(
                "{at}, {lead} is ahead: {} takes {} as long on average ({} ms against {} ms).",
                a.short_names().1,
                a.by(),
                number(y),
                number(x)
            ),
        }
    }

    /// The answer from the simulated p99 at the point of [`P99_NS`] nearest the reader's callers (log scale), once both patterns have it.
    fn p99_answer(&self) -> Option<String> {
        let want = f64::from(self.concurrency.max(1)).ln();
        let n = P99_NS.iter().copied().min_by(|a, b| (f64::from(*a).ln() - want).abs().total_cmp(&(f64::from(*b).ln() - want).abs()))?;
        let (ex, tk) = (self.p99_of(Pattern::Executor, n)?, self.p99_of(Pattern::Tokio, n)?);
        let a = Ahead::of(tk, ex, false);
        let (lead, other) = a.names();
        let (x, y) = a.first(tk, ex);
        let threads = self.scenario.background_threads;
        let at = format!(
            "At {} callers and {} ms of I/O wait, with {} CPU-bound thread{} beside them",
            count(n),
            number(self.io_wait_ms),
            count(threads),
            if threads == 1 { "" } else { "s" }
        );
        Some(match a {
            Ahead::Even => format!(
                "{at}, neither is ahead: {lead} and {other} have simulated p99s {} of each other ({} and {} ms).",
                a.by(),
                number(x),
                number(y)
            ),
            _ => format!(
                "{at}, {lead} is ahead: {}'s simulated p99 is {} as long ({} ms against {} ms).",
                a.short_names().1,
                a.by(),
                number(y),
                number(x)
            ),
        })
    }

    pub fn summary(&self) -> String {
        if !self.is_complete() {
            return format!("Mean latency is drawn from the analytic model; simulating p99: {} of {} points so far.", self.p99.len(), self.p99_total);
        }
        let at = |pat, n| self.p99_of(pat, n).map(number).unwrap_or_else(|| "–".into());
        let mut s = format!(
            "Simulated p99 at {} ms I/O wait: at {} callers (aerospike-py's benchmark suite's default) sync {} ms, executor {} ms, Tokio {} ms.",
            number(self.io_wait_ms),
            BENCHMARK_N,
            at(Pattern::Sync, BENCHMARK_N),
            at(Pattern::Executor, BENCHMARK_N),
            at(Pattern::Tokio, BENCHMARK_N),
        );
        match self.departure() {
            Some(n) => s.push_str(&format!(
                " The executor's p99 departs from Tokio's (more than {}× it) from {} callers on.",
                number(DEPARTURE_FACTOR),
                count(n)
            )),
            None => s.push_str(&format!(" The executor's p99 stays within {}× Tokio's at every concurrency simulated.", number(DEPARTURE_FACTOR))),
        }
        // The other way round too: where Tokio's tail is the longer one, say so.
        let behind: Vec<(u32, f64)> = P99_NS
            .iter()
            .filter_map(|&n| match (self.p99_of(Pattern::Executor, n), self.p99_of(Pattern::Tokio, n)) {
                (Some(e), Some(t)) if t > DEPARTURE_FACTOR * e => Some((n, t / e)),
                _ => None,
            })
            .collect();
        if let (Some(first), Some(worst)) = (behind.first(), behind.iter().map(|b| b.1).reduce(f64::max)) {
            s.push_str(&format!(
                " Tokio's p99 is more than {}× the executor's at {} of {} concurrencies simulated, from {} callers, up to {}×.",
                number(DEPARTURE_FACTOR),
                behind.len(),
                P99_NS.len(),
                count(first.0),
                number(worst)
            ));
        }
        if self.any_extended() {
            s.push_str(&format!(
                " Past {} callers, where a pattern is already saturated, its p99 is not simulated again: it is the {}-caller simulation plus one turn at the bottleneck per extra caller, at the simulated throughput (hollow dots).",
                count(SIMULATED_UP_TO),
                count(SIMULATED_UP_TO)
            ));
        }
        s
    }

    /// Mean curves and simulated points in one table.
    pub fn table(&self) -> crate::table::Table {
        use crate::table::{raw, Table};
        let mut headers = vec!["concurrency".to_string()];
        for (pattern, _) in &self.mean {
            headers.push(format!("{} mean ms (analytic)", pattern.name()));
        }
        for (pattern, _) in &self.mean {
            headers.push(format!("{} p99 ms (simulated; past {} callers, extended where saturated)", pattern.name(), SIMULATED_UP_TO));
        }
        let rows = self.mean[0]
            .1
            .iter()
            .enumerate()
            .map(|(i, &(n, _))| {
                let mut r = vec![n.to_string()];
                r.extend(self.mean.iter().map(|(_, pts)| raw(pts[i].1)));
                r.extend(self.mean.iter().map(|(pat, _)| self.p99_of(*pat, n).map(raw).unwrap_or_default()));
                r
            })
            .collect();
        Table { headers, rows }
    }
}

impl LatencyData {
    /// The legend: each pattern's p99 line, then what thin lines and hollow markers mean.
    pub fn legend(&self, theme: &Theme) -> Vec<(String, Swatch)> {
        let look = |p: Pattern| Look::pattern(theme, p);
        let mut items: Vec<(String, Swatch)> = self.mean.iter().map(|(p, _)| (format!("{} p99", p.label()), Swatch::Line(look(*p)))).collect();
        items.push((
            "thin lines, same dashes: mean (analytic)".into(),
            Swatch::Line(Look { mark: Mark::None, ..look(Pattern::Tokio).with_width(1.0) }.grey(theme)),
        ));
        if self.p99.iter().any(|q| q.extended) {
            items
                .push(("hollow: carried on past 10,000 (saturated)".into(), Swatch::Line(Look { hollow: true, ..look(Pattern::Tokio) }.grey(theme))));
        }
        items
    }
}

/// Draw mean latency (thin lines) and simulated p99 (thick lines with dots)
/// against concurrency, with the benchmark's concurrency and the chosen one marked.
pub fn draw_latency<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, d: &LatencyData, theme: &Theme, scale: f64) -> Result<(), String> {
    let pen = Pen::fill(area, theme, scale)?;
    let px = |v: f64| pen.px(v);
    let values = d.mean.iter().flat_map(|(_, v)| v.iter().map(|p| p.1)).chain(d.p99.iter().map(|q| q.p99_ms));
    let (lo, hi) = values.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (y_lo, y_hi) = decades(lo.max(1e-4), hi.max(1e-3) * 1.5);
    let look = |p: Pattern| Look::pattern(theme, p);
    let items = d.legend(theme);
    let plot = legend_band(area, pen, &items)?;
    let mut chart = concurrency_axes(&plot, pen, (y_lo, y_hi), "latency, ms (log)")?;
    for (x, alpha) in [(BENCHMARK_N as f64, 0.35), (d.concurrency as f64, 0.6)] {
        chart
            .draw_series(DashedLineSeries::new(
                [(x, y_lo), (x, y_hi)],
                px(4.0),
                px(4.0),
                ShapeStyle::from(&theme.foreground.mix(alpha)).stroke_width(px(1.0)),
            ))
            .map_err(|e| e.to_string())?;
    }
    for (pattern, pts) in &d.mean {
        let l = look(*pattern);
        let mean: Vec<(f64, f64)> = pts.iter().map(|&(n, v)| (n as f64, v)).collect();
        l.with_width(1.0).line(&mut chart, pen, &mean)?;
        let mine: Vec<(f64, f64)> = d.p99.iter().filter(|q| q.pattern == *pattern).map(|q| (q.concurrency as f64, q.p99_ms)).collect();
        l.line(&mut chart, pen, &mine)?;
        let (ext, sim): (Vec<_>, Vec<_>) = d.p99.iter().filter(|q| q.pattern == *pattern).partition(|q| q.extended);
        let at = |v: Vec<&P99Point>| v.iter().map(|q| (q.concurrency as f64, q.p99_ms)).collect::<Vec<_>>();
        l.marks(&mut chart, pen, &at(sim))?;
        Look { hollow: true, ..l }.marks(&mut chart, pen, &at(ext))?;
    }
    area.present().map_err(|e| e.to_string())
}
