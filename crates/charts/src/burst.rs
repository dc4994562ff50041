//! Concurrent request handling: a burst of K requests fired at once, and how each pattern works through it.

use perfmodel::sim::{simulate, SimConfig};
use perfmodel::{ModelError, Params, Pattern, Scenario};
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::look::Swatch;
use crate::stages::{complete, numbers_struct, Staged};
use serde::{Deserialize, Serialize};

use crate::answer::Ahead;
use crate::format::{count, number};
use crate::Theme;

/// Largest burst the widget simulates (keeps a slider move within a frame or two).
pub const K_MAX: u32 = 10_000;
const SAMPLES: usize = 160;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BurstSeries {
    pub pattern: Pattern,
    /// (ms, queued, in flight, done)
    pub samples: Vec<(f64, u32, u32, u32)>,
    /// OS threads the pattern used.
    pub threads: u32,
    /// When the last request completed, ms.
    pub finish_ms: f64,
    /// Most requests in flight at once.
    pub peak_in_flight: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BurstData {
    pub k: u32,
    pub io_wait_ms: f64,
    pub t_max_ms: f64,
    /// Every compared pattern once the burst is simulated; none before.
    pub patterns: Vec<BurstSeries>,
    /// The simulator's events over every pattern (its work).
    pub events: u64,
    /// What the burst is fired at.
    #[serde(skip)]
    input: BurstInput,
}

/// A burst of `k` requests fired at once at a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BurstInput {
    pub scenario: Scenario,
    pub k: u32,
}

pub fn burst_data(p: &Params, s: &Scenario, k: u32) -> Result<BurstData, ModelError> {
    complete::<BurstData>(p, &BurstInput { scenario: *s, k })
}

/// Every pattern through the burst: they share the time axis (the last
/// finish of any), so one simulation is one job.
fn simulate_burst(p: &Params, s: &Scenario, k: u32) -> Result<BurstRun, ModelError> {
    let s = Scenario { concurrency: k, ..*s };
    let cfg = SimConfig { seed: 7, requests: k as u64, warmup: 0, burst: true, ..SimConfig::default() };
    let runs: Vec<_> = Pattern::COMPARED.iter().map(|&pattern| simulate(pattern, p, &s, &cfg).map(|r| (pattern, r))).collect::<Result<_, _>>()?;
    let events = runs.iter().map(|(_, r)| r.events).sum();
    let t_max = runs.iter().flat_map(|(_, r)| r.burst.iter().map(|b| b.1)).fold(0.0, f64::max).max(1e-3);
    let patterns = runs
        .into_iter()
        .map(|(pattern, r)| {
            let mut starts: Vec<f64> = r.burst.iter().map(|b| b.0).collect();
            let mut ends: Vec<f64> = r.burst.iter().map(|b| b.1).collect();
            starts.sort_by(f64::total_cmp);
            ends.sort_by(f64::total_cmp);
            let upto = |v: &[f64], t: f64| v.partition_point(|&x| x <= t) as u32;
            let samples: Vec<_> = (0..=SAMPLES)
                .map(|i| {
                    let t = if i == SAMPLES { t_max } else { t_max * i as f64 / SAMPLES as f64 };
                    let started = upto(&starts, t);
                    let done = upto(&ends, t);
                    (t, k - started, started - done.min(started), done)
                })
                .collect();
            let peak = samples.iter().map(|x| x.2).max().unwrap_or(0);
            BurstSeries { pattern, finish_ms: ends.last().copied().unwrap_or(0.0), threads: r.threads, peak_in_flight: peak, samples }
        })
        .collect();
    Ok(BurstRun { t_max_ms: t_max, patterns, events })
}

/// What the burst's one simulation found.
#[derive(Debug, Clone, PartialEq)]
pub struct BurstRun {
    t_max_ms: f64,
    patterns: Vec<BurstSeries>,
    events: u64,
}

/// The burst in stages: nothing to show before its one simulation, which a
/// slider's move runs off the page (in a Web Worker).
impl Staged for BurstData {
    const NAME: &'static str = "burst";
    type Input = BurstInput;
    type Job = u32;
    type Answer = BurstRun;
    fn start(_: &Params, i: &BurstInput) -> Result<BurstData, ModelError> {
        let k = i.k.clamp(1, K_MAX);
        Ok(BurstData { k, io_wait_ms: i.scenario.io_wait_ms, t_max_ms: 0.0, patterns: Vec::new(), events: 0, input: BurstInput { k, ..*i } })
    }
    fn jobs(&self) -> Vec<u32> {
        vec![self.k]
    }
    fn run(&self, p: &Params, k: u32) -> Result<BurstRun, ModelError> {
        simulate_burst(p, &self.input.scenario, k)
    }
    fn fold(&mut self, r: BurstRun) {
        self.t_max_ms = r.t_max_ms;
        self.patterns = r.patterns;
        self.events = r.events;
    }
    fn is_complete(&self) -> bool {
        !self.patterns.is_empty()
    }
}

numbers_struct!(BurstSeries { pattern, samples, threads, finish_ms, peak_in_flight });
numbers_struct!(BurstRun { t_max_ms, patterns, events });

impl BurstData {
    pub fn get(&self, p: Pattern) -> &BurstSeries {
        self.patterns.iter().find(|s| s.pattern == p).expect("every compared pattern is simulated")
    }

    /// The figure's answer: which async pattern finishes the burst first, by how much, and how many requests each had in flight at once.
    pub fn answer(&self) -> String {
        let (ex, tk) = (self.get(Pattern::Executor), self.get(Pattern::Tokio));
        let a = Ahead::of(tk.finish_ms, ex.finish_ms, false);
        let (lead, other) = a.names();
        let (x, y) = a.first(tk, ex);
        let at = format!("In a burst of {} requests at {} ms of I/O wait", count(self.k), number(self.io_wait_ms));
        let (first, second) = a.short_names();
        let flight = format!("{first} has at most {} requests in flight at once, {second} {}", count(x.peak_in_flight), count(y.peak_in_flight));
        match a {
            Ahead::Even => format!(
                "{at}, neither is ahead: {lead} and {other} finish {} of each other ({} and {} ms), {flight}.",
                a.by(),
                number(x.finish_ms),
                number(y.finish_ms)
            ),
            _ => format!(
                "{at}, {lead} is ahead: it finishes in {} ms, {} takes {} as long ({} ms); {flight}.",
                number(x.finish_ms),
                second,
                a.by(),
                number(y.finish_ms)
            ),
        }
    }

    pub fn summary(&self) -> String {
        let parts: Vec<String> = self
            .patterns
            .iter()
            .map(|b| {
                format!(
                    "{} finishes in {} ms with {} thread{}, at most {} in flight",
                    b.pattern.label(),
                    number(b.finish_ms),
                    count(b.threads),
                    if b.threads == 1 { "" } else { "s" },
                    count(b.peak_in_flight)
                )
            })
            .collect();
        format!("A burst of {} requests at {} ms of I/O wait: {}.", count(self.k), number(self.io_wait_ms), parts.join("; "))
    }

    pub fn table(&self) -> crate::table::Table {
        use crate::table::{raw, Table};
        let headers = ["pattern", "ms", "queued", "in flight", "done"].map(String::from).to_vec();
        let rows = self
            .patterns
            .iter()
            .flat_map(|b| {
                b.samples.iter().map(move |&(t, q, f, d)| vec![b.pattern.name().to_string(), raw(t), q.to_string(), f.to_string(), d.to_string()])
            })
            .collect();
        Table { headers, rows }
    }
}

/// Three panels sharing the time axis: done (solid), in flight (pale), queued (outline) stacked.
/// One panel's legend: queued, in flight, done, from light to dark, so
/// the three read apart in greyscale too.
pub fn legend(theme: &Theme, pattern: perfmodel::Pattern) -> Vec<(String, Swatch)> {
    let c = theme.pattern(pattern);
    vec![
        ("queued".to_string(), Swatch::Fill(theme.grid.mix(0.35))),
        ("in flight".to_string(), Swatch::Fill(c.mix(0.4))),
        ("done".to_string(), Swatch::Fill(c.to_rgba())),
    ]
}

pub fn draw_burst<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, d: &BurstData, theme: &Theme, scale: f64) -> Result<(), String> {
    let pen = crate::style::Pen::fill(area, theme, scale)?;
    let px = |v: f64| pen.px(v);
    let font = |size: f64| pen.font(size);
    let panels = area.split_evenly((d.patterns.len(), 1));
    let (w, _) = area.dim_in_pixel();
    let narrow = pen.narrow(w);
    let x_labels = pen.labels_for(w, 90.0);
    for (panel, b) in panels.iter().zip(&d.patterns) {
        let c = theme.pattern(b.pattern);
        let items = legend(theme, b.pattern);
        let titled = panel
            .titled(
                &format!(
                    "{} · {} thread{} · done at {} ms",
                    crate::style::label_for(b.pattern, narrow),
                    count(b.threads),
                    if b.threads == 1 { "" } else { "s" },
                    number(b.finish_ms)
                ),
                font(13.0),
            )
            .map_err(|e| e.to_string())?;
        let plot = crate::look::legend_band(&titled, pen, &items)?;
        let mut chart = ChartBuilder::on(&plot)
            .margin(px(4.0))
            // Room for the last time label past the plot's edge.
            .margin_right(px(24.0))
            .x_label_area_size(px(22.0))
            .y_label_area_size(px(56.0))
            .build_cartesian_2d(0.0..d.t_max_ms, 0.0..d.k as f64 * 1.05)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .light_line_style(theme.grid.mix(0.2))
            .bold_line_style(theme.grid.mix(0.5))
            .axis_style(theme.foreground)
            .label_style(font(11.0))
            .x_labels(x_labels)
            .y_labels(4)
            .x_label_formatter(&|v| format!("{} ms", number(*v)))
            .y_label_formatter(&|v| count(v.round() as u32))
            .draw()
            .map_err(|e| e.to_string())?;
        let line = |f: fn(&(f64, u32, u32, u32)) -> f64| b.samples.iter().map(move |s| (s.0, f(s))).collect::<Vec<_>>();
        // Stacked from the bottom: done, then in flight, then queued on top.
        let total = line(|s| (s.1 + s.2 + s.3) as f64);
        let flying = line(|s| (s.2 + s.3) as f64);
        let done = line(|s| s.3 as f64);
        chart.draw_series(AreaSeries::new(total, 0.0, theme.grid.mix(0.35)).border_style(theme.foreground.mix(0.6))).map_err(|e| e.to_string())?;
        chart.draw_series(AreaSeries::new(flying, 0.0, c.mix(0.4))).map_err(|e| e.to_string())?;
        chart.draw_series(AreaSeries::new(done, 0.0, c.filled())).map_err(|e| e.to_string())?;
    }
    area.present().map_err(|e| e.to_string())
}
