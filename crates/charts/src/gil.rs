//! GIL timeline: per-thread lanes of held / waiting / running without the GIL / blocked on I/O, from the simulator's trace.

use perfmodel::sim::{simulate, Lane, SimConfig, ThreadState};
use perfmodel::{predict::sim_config, ModelError, Params, Pattern, Scenario};
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;

use crate::answer::Ahead;
use crate::format::{count, number, percent};
use crate::stages::{complete, numbers_struct, Numbers, Reader, Staged};
use crate::Theme;

/// At most this many lanes per pattern are drawn (the loop first).
pub(crate) const MAX_LANES: usize = 8;
/// Seed of the timeline's simulation: fixed, so a link shows the same picture.
pub const SEED: u64 = 2024;

/// One thread's intervals in the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LaneData {
    /// The kind of thread, and which of its kind (from 1) in creation order.
    pub lane: Lane,
    pub nth: usize,
    /// (start ms, end ms, state)
    pub segments: Vec<(f64, f64, ThreadState)>,
}

impl LaneData {
    /// The lane's name on the chart: "event loop", "pool worker 2", ….
    pub fn label(&self) -> String {
        let n = self.nth;
        match self.lane {
            Lane::Caller => format!("caller {n}"),
            Lane::Loop => "event loop".to_string(),
            Lane::Worker => format!("pool worker {n}"),
            Lane::Tokio => format!("Tokio worker {n}"),
            Lane::Blocking => format!("Tokio blocking thread {n}"),
            Lane::Background => format!("CPU-bound thread {n}"),
        }
    }
}

/// One pattern's lanes and GIL figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatternTimeline {
    pub pattern: Pattern,
    pub lanes: Vec<LaneData>,
    /// Threads not drawn (beyond [`MAX_LANES`]).
    pub hidden_threads: usize,
    pub gil_utilization: f64,
    pub gil_wait_ms: f64,
    pub throughput: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GilTimelineData {
    pub window_ms: f64,
    pub io_wait_ms: f64,
    pub concurrency: u32,
    /// The compared patterns simulated so far, in [`Pattern::COMPARED`]'s order.
    pub patterns: Vec<PatternTimeline>,
    /// The simulator's events over every pattern (its work).
    pub events: u64,
    /// What the simulations run at.
    #[serde(skip)]
    scenario: Scenario,
}

/// The window shown: about three requests' worth at this I/O wait, at least
/// 0.5 ms and at most 50 ms.
pub(crate) fn window_ms(s: &Scenario) -> f64 {
    (3.0 * (s.io_wait_ms + 0.15)).clamp(0.5, 50.0)
}

/// Simulate each compared pattern with a trace over the window.
pub fn gil_timeline_data(p: &Params, s: &Scenario) -> Result<GilTimelineData, ModelError> {
    complete::<GilTimelineData>(p, s)
}

/// One pattern simulated with a trace over the window: its lanes and GIL
/// figures, and the simulator's events.
fn pattern_timeline(p: &Params, s: &Scenario, pattern: Pattern) -> Result<(PatternTimeline, u64), ModelError> {
    let base = sim_config(s, SEED);
    let n = s.concurrency as u64;
    let cfg = SimConfig { requests: (2_000u64).max(n).min(60_000), warmup: (500u64).max(n).min(60_000), trace_ms: window_ms(s), ..base };
    let r = simulate(pattern, p, s, &cfg)?;
    // Lanes in thread order, the loop (or caller) first, background last.
    let mut order: Vec<usize> = (0..r.lanes.len()).collect();
    order.sort_by_key(|&i| match r.lanes[i] {
        Lane::Loop | Lane::Caller => 0,
        Lane::Worker | Lane::Tokio => 1,
        Lane::Blocking => 2,
        Lane::Background => 3,
    });
    // Busy threads first among the same kind would reorder lanes between
    // renders; keep creation order so lanes are stable.
    let mut counts = [0usize; 6];
    let mut lanes = Vec::new();
    for &i in order.iter().take(MAX_LANES) {
        let k = r.lanes[i] as usize;
        counts[k] += 1;
        let segments = r.trace.iter().filter(|seg| seg.thread as usize == i).map(|seg| (seg.start_ms, seg.end_ms, seg.state)).collect();
        lanes.push(LaneData { lane: r.lanes[i], nth: counts[k], segments });
    }
    let t = PatternTimeline {
        pattern,
        hidden_threads: r.lanes.len().saturating_sub(MAX_LANES),
        lanes,
        gil_utilization: r.gil_utilization,
        gil_wait_ms: r.gil_wait_ms,
        throughput: r.throughput,
    };
    Ok((t, r.events))
}

/// The timeline in stages: one simulation per compared pattern, so a
/// slider's move simulates off the page (in the Web Workers).
impl Staged for GilTimelineData {
    const NAME: &'static str = "gil timeline";
    type Input = Scenario;
    type Job = Pattern;
    type Answer = (PatternTimeline, u64);
    fn start(_: &Params, s: &Scenario) -> Result<GilTimelineData, ModelError> {
        Ok(GilTimelineData {
            window_ms: window_ms(s),
            io_wait_ms: s.io_wait_ms,
            concurrency: s.concurrency,
            patterns: Vec::new(),
            events: 0,
            scenario: *s,
        })
    }
    fn jobs(&self) -> Vec<Pattern> {
        Pattern::COMPARED.to_vec()
    }
    fn run(&self, p: &Params, pattern: Pattern) -> Result<(PatternTimeline, u64), ModelError> {
        pattern_timeline(p, &self.scenario, pattern)
    }
    fn fold(&mut self, (t, events): (PatternTimeline, u64)) {
        self.patterns.push(t);
        self.events += events;
    }
    fn is_complete(&self) -> bool {
        self.patterns.len() == Pattern::COMPARED.len()
    }
}

/// A thread's kind by its place in [`LANES`].
const LANES: [Lane; 6] = [Lane::Caller, Lane::Loop, Lane::Worker, Lane::Tokio, Lane::Blocking, Lane::Background];
/// A thread's state by its place in [`STATES`].
const STATES: [ThreadState; 5] = [ThreadState::Held, ThreadState::Waiting, ThreadState::Cpu, ThreadState::Io, ThreadState::Waking];

impl Numbers for Lane {
    fn put(&self, out: &mut Vec<f64>) {
        LANES.iter().position(|l| l == self).unwrap_or(0).put(out);
    }
    fn take(r: &mut Reader<'_>) -> Option<Lane> {
        LANES.get(r.whole((LANES.len() - 1) as f64)? as usize).copied()
    }
}

impl Numbers for ThreadState {
    fn put(&self, out: &mut Vec<f64>) {
        STATES.iter().position(|l| l == self).unwrap_or(0).put(out);
    }
    fn take(r: &mut Reader<'_>) -> Option<ThreadState> {
        STATES.get(r.whole((STATES.len() - 1) as f64)? as usize).copied()
    }
}

numbers_struct!(LaneData { lane, nth, segments });
numbers_struct!(PatternTimeline { pattern, lanes, hidden_threads, gil_utilization, gil_wait_ms, throughput });

impl PatternTimeline {
    /// GIL held per completed request, µs: the share of time it was held over the requests per second.
    pub fn hold_per_request_us(&self) -> f64 {
        if self.throughput > 0.0 {
            self.gil_utilization / self.throughput * 1e6
        } else {
            f64::NAN
        }
    }
}

impl GilTimelineData {
    pub fn get(&self, p: Pattern) -> Option<&PatternTimeline> {
        self.patterns.iter().find(|t| t.pattern == p)
    }

    /// The figure's answer: which async pattern holds the GIL less per request, by how much, and how long a request waits for it.
    pub fn answer(&self) -> String {
        let (Some(ex), Some(tk)) = (self.get(Pattern::Executor), self.get(Pattern::Tokio)) else { return String::new() };
        let a = Ahead::of(tk.hold_per_request_us(), ex.hold_per_request_us(), false);
        let (lead, other) = a.names();
        let (x, y) = a.first(tk, ex);
        let at = format!("At {} callers and {} ms of I/O wait", count(self.concurrency), number(self.io_wait_ms));
        let wait = |t: &PatternTimeline| crate::steps::duration(t.gil_wait_ms * 1e3);
        let waits = format!("a request waits {} for the GIL through {}, {} through {}", wait(x), a.short_names().0, wait(y), a.short_names().1);
        match a {
            Ahead::Even => format!(
                "{at}, neither is ahead on GIL time: {lead} and {other} hold the GIL {} of each other per request ({} and {} µs); {waits}.",
                a.by(),
                number(x.hold_per_request_us()),
                number(y.hold_per_request_us())
            ),
            _ => format!(
                "{at}, {lead} is ahead on GIL time: simulated, its requests hold the GIL {} µs each, hand-offs included, and {}'s {} as long ({} µs); {waits}.",
                number(x.hold_per_request_us()),
                a.short_names().1,
                a.by(),
                number(y.hold_per_request_us())
            ),
        }
    }

    pub fn summary(&self) -> String {
        let parts: Vec<String> = self
            .patterns
            .iter()
            .map(|t| {
                format!(
                    "{}: GIL busy {} of the time, {} ms mean wait for it per request",
                    t.pattern.label(),
                    percent(t.gil_utilization),
                    number(t.gil_wait_ms)
                )
            })
            .collect();
        format!("Simulated over {} ms: {}.", number(self.window_ms), parts.join("; "))
    }
}

/// The colour of a thread state, shared with the request-flow figure so the
/// same legend keys mean the same thing in both.
pub(crate) fn state_color(theme: &Theme, pattern: Pattern, st: ThreadState) -> RGBAColor {
    let c = theme.pattern(pattern);
    match st {
        ThreadState::Held => c.to_rgba(),
        ThreadState::Waiting => c.mix(0.35),
        ThreadState::Cpu => theme.foreground.mix(0.45),
        ThreadState::Io => theme.grid.mix(0.6),
        ThreadState::Waking => theme.grid.mix(0.3),
    }
}

fn state_style(theme: &Theme, pattern: Pattern, st: ThreadState) -> ShapeStyle {
    state_color(theme, pattern, st).filled()
}

/// Draw the three patterns' lanes stacked, sharing the time axis.
pub fn draw_gil_timeline<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, d: &GilTimelineData, theme: &Theme, scale: f64) -> Result<(), String> {
    let pen = crate::style::Pen::fill(area, theme, scale)?;
    let px = |v: f64| pen.px(v);
    let font = |size: f64| pen.font(size);
    // Every panel needs room for its title and time axis whatever its lane
    // count; the rest of the height is shared out by lanes.
    let (w, h) = area.dim_in_pixel();
    let overhead = px(48.0);
    let lanes: u32 = d.patterns.iter().map(|t| t.lanes.len().max(1) as u32).sum();
    let lane_h = (h.saturating_sub(overhead * d.patterns.len() as u32) / lanes.max(1)).max(px(8.0));
    let narrow = pen.narrow(w);
    let x_labels = pen.labels_for(w, 90.0);
    let mut rest = area.clone();
    for t in &d.patterns {
        let height = overhead + lane_h * t.lanes.len().max(1) as u32;
        let (panel, below) = rest.split_vertically(height);
        rest = below;
        let n = t.lanes.len().max(1);
        let mut chart = ChartBuilder::on(&panel)
            .margin(px(4.0))
            .caption(
                format!(
                    "{} · GIL busy {} · mean GIL wait {} ms",
                    // On a phone the pattern's short name keeps the title on the canvas.
                    crate::style::label_for(t.pattern, narrow),
                    percent(t.gil_utilization),
                    number(t.gil_wait_ms)
                ),
                font(13.0),
            )
            .x_label_area_size(px(22.0))
            .y_label_area_size(px(if narrow { 92.0 } else { 120.0 }))
            // A segmented range 0..k has k + 1 slots: n lanes need 0..n-1
            // (one lane keeps an empty slot, as 0..0 would draw no label).
            .build_cartesian_2d(0.0..d.window_ms, (0..(n - 1).max(1)).into_segmented())
            .map_err(|e| e.to_string())?;
        let labels: Vec<String> = t.lanes.iter().map(LaneData::label).collect();
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(theme.grid.mix(0.2))
            .bold_line_style(theme.grid.mix(0.5))
            .axis_style(theme.foreground)
            .label_style(font(11.0))
            .y_labels(n)
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) if *i < labels.len() => labels[n - 1 - *i].clone(),
                _ => String::new(),
            })
            .x_labels(x_labels)
            .x_label_formatter(&|v| format!("{} ms", number(*v)))
            .draw()
            .map_err(|e| e.to_string())?;
        for (i, lane) in t.lanes.iter().enumerate() {
            let row = n - 1 - i;
            chart
                .draw_series(lane.segments.iter().map(|&(a, b, st)| {
                    Rectangle::new(
                        [(a, SegmentValue::Exact(row)), (b.max(a + d.window_ms * 1e-4), SegmentValue::Exact(row + 1))],
                        state_style(theme, t.pattern, st),
                    )
                }))
                .map_err(|e| e.to_string())?;
            // Waiting for the GIL also gets an edge: pale fills alone read alike in greyscale.
            let edge = ShapeStyle::from(&theme.foreground.mix(0.75)).stroke_width(px(1.0).max(1));
            chart
                .draw_series(lane.segments.iter().filter(|s| s.2 == ThreadState::Waiting).map(|&(a, b, _)| {
                    Rectangle::new([(a, SegmentValue::Exact(row)), (b.max(a + d.window_ms * 1e-4), SegmentValue::Exact(row + 1))], edge)
                }))
                .map_err(|e| e.to_string())?;
        }
    }
    area.present().map_err(|e| e.to_string())
}

impl GilTimelineData {
    /// Every traced interval: pattern, thread, state, start and end in ms.
    pub fn table(&self) -> crate::table::Table {
        use crate::table::{raw, Table};
        let headers = ["pattern", "thread", "state", "start ms", "end ms"].map(String::from).to_vec();
        let mut rows = Vec::new();
        for t in &self.patterns {
            for lane in &t.lanes {
                for &(a, b, st) in &lane.segments {
                    let state = match st {
                        ThreadState::Held => "holds GIL",
                        ThreadState::Waiting => "waits for GIL",
                        ThreadState::Cpu => "runs without GIL",
                        ThreadState::Io => "blocked on I/O",
                        ThreadState::Waking => "waking up",
                    };
                    rows.push(vec![t.pattern.name().to_string(), lane.label(), state.to_string(), raw(a), raw(b)]);
                }
            }
        }
        Table { headers, rows }
    }
}
