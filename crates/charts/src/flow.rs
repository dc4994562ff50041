//! Request flow: one simulated `client.get(key)` followed through the threads it visits, step by step.

use perfmodel::pattern::{steps, totals, PathTotals, Step};
use perfmodel::sim::{simulate, Lane, LegState, SimConfig};
use perfmodel::{predict::sim_config, ModelError, Params, Pattern, Scenario};
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use crate::format::{count, number};
use crate::stages::{complete, numbers_struct, Numbers, Reader, Staged};
use crate::style::Pen;
use crate::Theme;

/// Seed of the followed run: fixed, so a link shows the same request.
pub const SEED: u64 = 31;
/// Label of the lane for legs with no thread attached.
pub const NO_THREAD: &str = "no thread";

/// One leg of the followed request, ready to draw.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowLeg {
    /// Index into [`FlowData::lanes`].
    pub lane: usize,
    pub state: LegState,
    /// What the path step does (from `pattern::steps`).
    pub what: &'static str,
    pub start_ms: f64,
    pub end_ms: f64,
}

/// A pattern's path counted from the model (not from the simulation).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PathCount {
    pub pattern: Pattern,
    pub totals: PathTotals,
    pub steps: usize,
}

/// Everything the request-flow figure shows for one pattern.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowData {
    pub pattern: Pattern,
    pub io_wait_ms: f64,
    pub concurrency: u32,
    /// Threads the request visited, in order of first visit; [`NO_THREAD`] last if used.
    pub lanes: Vec<String>,
    pub legs: Vec<FlowLeg>,
    /// From issue to result, ms.
    pub latency_ms: f64,
    /// False if the simulation ended before the request completed.
    pub complete: bool,
    /// The compared patterns' path counts, for the table beside the figure.
    pub counts: Vec<PathCount>,
    /// The simulator's events (its work).
    pub events: u64,
    /// Whether the followed request's simulation is in (the stages' own flag).
    #[serde(skip)]
    simulated: bool,
    /// What each step of the pattern's path does, by step.
    #[serde(skip)]
    whats: Vec<&'static str>,
    #[serde(skip)]
    scenario: Scenario,
}

/// One pattern's request at a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FlowInput {
    pub scenario: Scenario,
    pub pattern: Pattern,
}

/// Path counts of every compared pattern under `s`.
pub(crate) fn path_counts(p: &Params, s: &Scenario) -> Vec<PathCount> {
    Pattern::COMPARED
        .iter()
        .map(|&pattern| {
            let path: Vec<Step> = steps(pattern, p, s);
            PathCount { pattern, totals: totals(&path), steps: path.len() }
        })
        .collect()
}

/// Simulate `pattern` at `s` in steady state and follow one request.
pub fn flow_data(p: &Params, s: &Scenario, pattern: Pattern) -> Result<FlowData, ModelError> {
    complete::<FlowData>(p, &FlowInput { scenario: *s, pattern })
}

/// What following one request found: the threads it visited (their kind
/// and which of that kind, or none), and each leg by lane, state and step.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowRun {
    lanes: Vec<Option<(Lane, usize)>>,
    legs: Vec<LegRun>,
    complete: bool,
    events: u64,
}

/// One leg as the simulation found it: indices into the run's lanes and the path's steps.
#[derive(Debug, Clone, Copy, PartialEq)]
struct LegRun {
    lane: usize,
    state: LegState,
    step: usize,
    start_ms: f64,
    end_ms: f64,
}

fn follow(p: &Params, s: &Scenario, pattern: Pattern, path_len: usize) -> Result<FlowRun, ModelError> {
    let n = s.concurrency as u64;
    // One warm-up cycle of the callers, then enough requests for the
    // followed one (issued first) to finish even behind a full queue.
    let cfg = SimConfig { requests: (2 * n + 100).clamp(1_000, 250_000), warmup: n.clamp(500, 100_000), follow: true, ..sim_config(s, SEED) };
    let r = simulate(pattern, p, s, &cfg)?;
    let mut threads: Vec<Option<u32>> = Vec::new();
    for l in &r.journey.legs {
        if l.thread.is_some() && !threads.contains(&l.thread) {
            threads.push(l.thread);
        }
    }
    if r.journey.legs.iter().any(|l| l.thread.is_none()) {
        threads.push(None);
    }
    let mut seen = [0usize; 6];
    let lanes = threads
        .iter()
        .map(|t| {
            t.map(|t| {
                let kind = r.lanes[t as usize];
                seen[kind as usize] += 1;
                (kind, seen[kind as usize])
            })
        })
        .collect();
    let legs = r
        .journey
        .legs
        .iter()
        .map(|l| LegRun {
            lane: threads.iter().position(|t| *t == l.thread).expect("every leg's thread is a lane"),
            state: l.state,
            step: l.step.min(path_len.saturating_sub(1)),
            start_ms: l.start_ms,
            end_ms: l.end_ms,
        })
        .collect();
    Ok(FlowRun { lanes, legs, complete: r.journey.complete, events: r.events })
}

/// A lane's name: its thread, or [`NO_THREAD`].
fn lane_label(lane: Option<(Lane, usize)>) -> String {
    match lane {
        None => NO_THREAD.to_string(),
        Some((Lane::Caller, _)) => "calling thread".to_string(),
        Some((Lane::Loop, _)) => "event loop".to_string(),
        Some((Lane::Worker, k)) => format!("pool worker {k}"),
        Some((Lane::Tokio, k)) => format!("Tokio worker {k}"),
        Some((Lane::Blocking, k)) => format!("Tokio blocking thread {k}"),
        Some((Lane::Background, k)) => format!("CPU-bound thread {k}"),
    }
}

/// The flow in stages: the path counted at once, the followed request's
/// simulation one job, which a change runs off the page (in a Web Worker).
impl Staged for FlowData {
    const NAME: &'static str = "request flow";
    type Input = FlowInput;
    type Job = Pattern;
    type Answer = FlowRun;
    fn start(p: &Params, i: &FlowInput) -> Result<FlowData, ModelError> {
        let s = &i.scenario;
        Ok(FlowData {
            pattern: i.pattern,
            io_wait_ms: s.io_wait_ms,
            concurrency: s.concurrency,
            lanes: Vec::new(),
            legs: Vec::new(),
            latency_ms: 0.0,
            complete: false,
            counts: path_counts(p, s),
            events: 0,
            simulated: false,
            whats: steps(i.pattern, p, s).iter().map(|st| st.what).collect(),
            scenario: *s,
        })
    }
    fn jobs(&self) -> Vec<Pattern> {
        vec![self.pattern]
    }
    fn run(&self, p: &Params, pattern: Pattern) -> Result<FlowRun, ModelError> {
        follow(p, &self.scenario, pattern, self.whats.len())
    }
    fn fold(&mut self, r: FlowRun) {
        self.lanes = r.lanes.iter().copied().map(lane_label).collect();
        self.legs = r
            .legs
            .iter()
            .map(|l| FlowLeg {
                lane: l.lane,
                state: l.state,
                what: self.whats.get(l.step).copied().unwrap_or(""),
                start_ms: l.start_ms,
                end_ms: l.end_ms,
            })
            .collect();
        self.latency_ms = self.legs.last().map(|l| l.end_ms).unwrap_or(0.0);
        self.complete = r.complete;
        self.events = r.events;
        self.simulated = true;
    }
    fn is_complete(&self) -> bool {
        self.simulated
    }
}

/// A leg's state by its place in [`LEG_STATES`].
const LEG_STATES: [LegState; 8] = [
    LegState::Queued,
    LegState::Waking,
    LegState::WaitingGil,
    LegState::HoldsGil,
    LegState::WaitingCore,
    LegState::Cpu,
    LegState::Io,
    LegState::AsyncIo,
];

impl Numbers for LegState {
    fn put(&self, out: &mut Vec<f64>) {
        LEG_STATES.iter().position(|l| l == self).unwrap_or(0).put(out);
    }
    fn take(r: &mut Reader<'_>) -> Option<LegState> {
        LEG_STATES.get(r.whole((LEG_STATES.len() - 1) as f64)? as usize).copied()
    }
}

numbers_struct!(LegRun { lane, state, step, start_ms, end_ms });
numbers_struct!(FlowRun { lanes, legs, complete, events });

/// A plain description of a leg's state.
pub(crate) fn state_text(st: LegState) -> &'static str {
    match st {
        LegState::Queued => "queued, waiting for a thread",
        LegState::Waking => "its thread is being woken up",
        LegState::WaitingGil => "waits for the GIL",
        LegState::HoldsGil => "holds the GIL",
        LegState::WaitingCore => "waits for a CPU core",
        LegState::Cpu => "runs without the GIL",
        LegState::Io => "blocked on the network",
        LegState::AsyncIo => "awaits the reply, no thread held",
    }
}

impl FlowData {
    /// The leg running at `t` ms (the last one at or past the end).
    pub fn leg_at(&self, t: f64) -> Option<usize> {
        if self.legs.is_empty() {
            return None;
        }
        Some(self.legs.iter().position(|l| t < l.end_ms).unwrap_or(self.legs.len() - 1))
    }

    /// "pool worker 1 holds the GIL: worker takes the GIL, … (0.016 ms)".
    pub fn describe(&self, i: usize) -> String {
        let l = &self.legs[i];
        let who = match l.state {
            LegState::Queued => "queued, waiting for a thread".to_string(),
            LegState::AsyncIo => "awaits the reply with no thread held".to_string(),
            st => format!("{} {}", self.lanes[l.lane], state_text(st)),
        };
        format!(
            "Leg {} of {}: {} — {} ({} ms, from {} to {} ms).",
            i + 1,
            self.legs.len(),
            who,
            l.what,
            number(l.end_ms - l.start_ms),
            number(l.start_ms),
            number(l.end_ms)
        )
    }

    /// Time the request spent in legs of the given states, ms.
    pub fn time_in(&self, states: &[LegState]) -> f64 {
        self.legs.iter().filter(|l| states.contains(&l.state)).map(|l| l.end_ms - l.start_ms).sum()
    }

    pub fn count(&self, p: Pattern) -> &PathCount {
        self.counts.iter().find(|c| c.pattern == p).expect("every compared pattern is counted")
    }

    pub fn summary(&self) -> String {
        let c = self.count(self.pattern);
        if !self.complete {
            return format!(
                "{}: the followed request had not completed when the simulation stopped ({} ms in).",
                self.pattern.label(),
                number(self.latency_ms)
            );
        }
        let hops = self.legs.windows(2).filter(|w| w[0].lane != w[1].lane).count();
        format!(
            "{} at {} ms I/O wait and {} callers: one simulated request took {} ms from call to result — \
             {} ms queued for a thread, {} ms waiting for the GIL, {} ms holding it, {} ms on the network. \
             Its path takes the GIL {} times and moves between threads {} times; this request changed lanes {} times.",
            self.pattern.label(),
            number(self.io_wait_ms),
            count(self.concurrency),
            number(self.latency_ms),
            number(self.time_in(&[LegState::Queued])),
            number(self.time_in(&[LegState::WaitingGil])),
            number(self.time_in(&[LegState::HoldsGil])),
            number(self.time_in(&[LegState::Io, LegState::AsyncIo])),
            c.totals.gil_acquisitions,
            c.totals.thread_hops,
            hops
        )
    }

    /// Every leg: thread, state, step, start and end in ms.
    pub fn table(&self) -> crate::table::Table {
        use crate::table::{raw, Table};
        let headers = ["leg", "thread", "state", "step", "start ms", "end ms"].map(String::from).to_vec();
        let rows = self
            .legs
            .iter()
            .enumerate()
            .map(|(i, l)| {
                vec![
                    (i + 1).to_string(),
                    self.lanes[l.lane].clone(),
                    state_text(l.state).to_string(),
                    l.what.to_string(),
                    raw(l.start_ms),
                    raw(l.end_ms),
                ]
            })
            .collect();
        Table { headers, rows }
    }
}

/// The figure at one moment of the animation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowFrame {
    pub data: FlowData,
    /// Playhead, ms since the request was issued.
    pub at_ms: f64,
}

fn leg_color(theme: &Theme, pattern: Pattern, st: LegState) -> RGBAColor {
    use perfmodel::sim::ThreadState;
    let thread = |t| crate::gil::state_color(theme, pattern, t);
    match st {
        LegState::HoldsGil => thread(ThreadState::Held),
        LegState::WaitingGil => thread(ThreadState::Waiting),
        LegState::Cpu => thread(ThreadState::Cpu),
        LegState::Io | LegState::AsyncIo => thread(ThreadState::Io),
        LegState::Waking => thread(ThreadState::Waking),
        // States only a request has (no thread, or a thread waiting for a core).
        LegState::WaitingCore => theme.foreground.mix(0.2),
        LegState::Queued => theme.grid.mix(0.2),
    }
}

/// Draw the request's lanes over its lifetime; legs after the playhead are outlined only.
pub fn draw_flow<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, f: &FlowFrame, theme: &Theme, scale: f64) -> Result<(), String> {
    let d = &f.data;
    let pen = Pen::fill(area, theme, scale)?;
    let px = |v: f64| pen.px(v);
    let n = d.lanes.len().max(1);
    let end = d.latency_ms.max(1e-6);
    let (w, _) = area.dim_in_pixel();
    let narrow = pen.narrow(w);
    let name = crate::style::label_for(d.pattern, narrow);
    let mut chart = ChartBuilder::on(area)
        .margin(px(8.0))
        .caption(format!("{name} · one request, {} ms", number(d.latency_ms)), pen.font(14.0))
        .x_label_area_size(px(36.0))
        .y_label_area_size(px(if narrow { 92.0 } else { 120.0 }))
        // A segmented range 0..k has k + 1 slots; 0..0 would draw no label,
        // so a single lane keeps one empty slot above it.
        .build_cartesian_2d(0.0..end, (0..(n - 1).max(1)).into_segmented())
        .map_err(|e| e.to_string())?;
    let labels = d.lanes.clone();
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(theme.grid.mix(0.2))
        .bold_line_style(theme.grid.mix(0.5))
        .axis_style(theme.foreground)
        .label_style(pen.font(12.0))
        .axis_desc_style(pen.font(13.0))
        .x_desc("ms since the call")
        .y_labels(n)
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) if *i < labels.len() => labels[n - 1 - *i].clone(),
            _ => String::new(),
        })
        .x_labels(pen.labels_for(w, 80.0))
        .x_label_formatter(&|v| number(*v))
        .draw()
        .map_err(|e| e.to_string())?;
    let current = d.leg_at(f.at_ms);
    // The shortest leg still shows: at least 2 CSS px of the plot's width.
    let min_w = end * (pen.px(2.0) as f64 / w.max(1) as f64);
    for (i, l) in d.legs.iter().enumerate() {
        let row = n - 1 - l.lane;
        let (a, b) = (l.start_ms, l.end_ms.max(l.start_ms + min_w));
        let color = leg_color(theme, d.pattern, l.state);
        let rect = |style: ShapeStyle| Rectangle::new([(a, SegmentValue::Exact(row)), (b, SegmentValue::Exact(row + 1))], style);
        let past = l.start_ms <= f.at_ms;
        let style = if past { color.filled() } else { ShapeStyle::from(color).stroke_width(px(1.0)) };
        chart.draw_series([rect(style)]).map_err(|e| e.to_string())?;
        // Pale fills need an edge to stand out from the background.
        if !l.state.on_thread() && past {
            chart.draw_series([rect(ShapeStyle::from(&theme.foreground.mix(0.5)).stroke_width(px(1.0)))]).map_err(|e| e.to_string())?;
        }
        if Some(i) == current {
            chart.draw_series([rect(ShapeStyle::from(&theme.foreground).stroke_width(px(2.0)))]).map_err(|e| e.to_string())?;
        }
    }
    // The playhead: a thin bar across every lane, and a block on the current one
    // (rectangles only, so the chart needs no other element type on these axes).
    let at = f.at_ms.clamp(0.0, end);
    let w = end * 3e-3;
    let mut marks = vec![Rectangle::new([(at - w / 2.0, SegmentValue::Exact(0)), (at + w / 2.0, SegmentValue::Exact(n))], theme.foreground.filled())];
    if let Some(i) = current {
        let row = n - 1 - d.legs[i].lane;
        marks.push(Rectangle::new(
            [(at - 4.0 * w, SegmentValue::Exact(row)), (at + 4.0 * w, SegmentValue::Exact(row + 1))],
            theme.foreground.filled(),
        ));
    }
    chart.draw_series(marks).map_err(|e| e.to_string())?;
    area.present().map_err(|e| e.to_string())
}
