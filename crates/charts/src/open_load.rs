//! Open versus closed load: p99 and goodput against the arrival rate for the three patterns, each one's capacity marked, the lab's open-load measurements overlaid, and the chosen rate expressed as the closed loop it implies.

use perfmodel::open::{self, Limit, OpenPoint};
use perfmodel::predict::{short_run, ShortRun};
use perfmodel::sim::{simulate, SimConfig};
use perfmodel::{ModelError, Params, Pattern, Scenario};
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use crate::answer::{Ahead, EXECUTOR, TOKIO};
use crate::format::{count, number, percent};
use crate::look::{legend_band, Dash, Look, Mark, Swatch};
use crate::stages::{numbers_struct, Numbers, Reader, Staged};
use crate::style::{decades, log_axes, Pen};
use crate::Theme;

/// Shares of each pattern's capacity whose p99 is simulated (the last one past it).
pub const FRACTIONS: [f64; 6] = [0.25, 0.5, 0.7, 0.85, 0.95, 1.1];
/// Shares of capacity whose goodput under the timeout is simulated.
pub const GOODPUT_FRACTIONS: [f64; 6] = [0.5, 0.9, 1.0, 1.2, 1.5, 2.0];
/// Points of each analytic curve, log-spaced up to [`CURVE_END`] of capacity.
const CURVE_POINTS: usize = 48;
const CURVE_END: f64 = 0.995;
/// Seed of the figure's simulations.
pub const SEED: u64 = 53;
/// Each open-load simulation: 1,000 arrivals of warm-up, then 5,000 measured
/// (about 50 above the 99th percentile); past capacity at most 5,000 more arrive.
pub(crate) const ARRIVALS: (u64, u64) = (1_000, 5_000);
/// The most arrivals a goodput run warms up with (it covers twice λ·T, the backlog a timeout bounds).
pub(crate) const GOODPUT_WARMUP_CAP: u64 = 20_000;
/// The closed loop it is compared with: the same length.
pub(crate) const CLOSED_RUN: ShortRun = ShortRun { min: 5_000, cap: 5_000, warmup_min: 1_000, warmup_cap: 5_000 };

/// One measured open-load cell of the lab.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenLabCell {
    pub pattern: Pattern,
    /// The executor's pool (its default or a set size); `None` for the other patterns.
    pub pool: Option<u32>,
    /// The wait the stub injected, ms; the model's I/O wait adds the stub's round trip.
    pub injected_ms: f64,
    pub io_wait_ms: f64,
    /// Arrivals per second the schedule sent, and answers per second.
    pub rate: f64,
    pub ops_per_sec: f64,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub stable: bool,
}

/// The newest open-load lab report, as the page carries it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OpenLab {
    pub report: String,
    /// CPUs the lab's client process had, and the machine's.
    pub cores: u32,
    pub node_cpus: u32,
    pub cells: Vec<OpenLabCell>,
}

impl OpenLab {
    /// The cells measured at `s`'s conditions (the lab's cores, nothing else on the GIL) and I/O wait, for `pattern` at `s`'s pool.
    pub fn at(&self, s: &Scenario, pattern: Pattern) -> Vec<&OpenLabCell> {
        let plain = s.cores == f64::from(self.cores)
            && s.workers == 1
            && s.node_cpu_count() == self.node_cpus
            && s.app_cpu_ms == 0.0
            && s.background_threads == 0
            && s.python.is_default()
            && s.tokio_workers.is_none();
        if !plain {
            return Vec::new();
        }
        self.cells
            .iter()
            .filter(|c| c.pattern == pattern && (c.io_wait_ms - s.io_wait_ms).abs() < 1e-9)
            .filter(|c| pattern != Pattern::Executor || c.pool == Some(s.pool_size()))
            .collect()
    }

    /// The lab's I/O waits (model terms), for a button that goes to one.
    pub fn io_waits(&self) -> Vec<f64> {
        let mut v: Vec<f64> = self.cells.iter().map(|c| c.io_wait_ms).collect();
        v.sort_by(f64::total_cmp);
        v.dedup();
        v
    }

    /// The measured capacity bracket of `pattern` at (`io`, `pool`): the largest
    /// rate it kept up with and the smallest above it that it did not (a run
    /// below the largest kept-up rate that did not keep up is an outlier, not
    /// the bracket's top: see [`OpenLab::outliers`]).
    pub fn bracket(&self, pattern: Pattern, io_wait_ms: f64, pool: Option<u32>) -> (Option<f64>, Option<f64>) {
        let cells: Vec<&OpenLabCell> = self.group(pattern, io_wait_ms, pool).collect();
        let kept = cells.iter().filter(|c| c.stable).map(|c| c.rate).reduce(f64::max);
        let lost = cells.iter().filter(|c| !c.stable && kept.is_none_or(|k| c.rate > k)).map(|c| c.rate).reduce(f64::min);
        (kept, lost)
    }

    /// Rates of `pattern` at (`io`, `pool`) that it did not keep up with although it kept up with a higher one, ascending.
    pub fn outliers(&self, pattern: Pattern, io_wait_ms: f64, pool: Option<u32>) -> Vec<f64> {
        let (kept, _) = self.bracket(pattern, io_wait_ms, pool);
        let mut v: Vec<f64> =
            self.group(pattern, io_wait_ms, pool).filter(|c| !c.stable && kept.is_some_and(|k| c.rate < k)).map(|c| c.rate).collect();
        v.sort_by(f64::total_cmp);
        v
    }

    fn group(&self, pattern: Pattern, io_wait_ms: f64, pool: Option<u32>) -> impl Iterator<Item = &OpenLabCell> {
        self.cells.iter().filter(move |c| c.pattern == pattern && (c.io_wait_ms - io_wait_ms).abs() < 1e-9 && c.pool == pool)
    }
}

/// One simulated point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SimPoint {
    pub rate: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Answers per second, and those within the timeout (goodput runs).
    pub throughput: f64,
    pub goodput: Option<f64>,
    pub stable: bool,
    /// Whether the backlog grew over the window (by more than 2% of the rate):
    /// then the run is a transient, and in steady state no request is answered
    /// in time, whatever this window counted.
    pub backlog_grows: bool,
}

impl SimPoint {
    /// Requests answered within the timeout per second in steady state: none
    /// where the backlog grows without bound.
    pub fn steady_goodput(&self) -> f64 {
        if self.backlog_grows {
            0.0
        } else {
            self.goodput.unwrap_or(self.throughput)
        }
    }
}

/// One pattern across arrival rates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    pub pattern: Pattern,
    pub capacity: f64,
    pub limit: Limit,
    /// Analytic (rate, mean ms, p99 ms), up to just below capacity.
    pub curve: Vec<(f64, f64, f64)>,
    /// Simulated p99 at [`FRACTIONS`] of capacity, as they finish.
    pub sims: Vec<Option<SimPoint>>,
    /// Simulated goodput at [`GOODPUT_FRACTIONS`] of capacity, under the timeout.
    pub goodput: Vec<Option<SimPoint>>,
    /// The analytic solution at the chosen rate, and the simulated one.
    pub at_rate: OpenPoint,
    pub at_rate_sim: Option<SimPoint>,
    /// The chosen rate as a closed loop: N = λ·R callers (Little's law, simulated R), and that closed loop's simulated p99.
    pub closed_n: Option<u32>,
    pub closed_p99: Option<f64>,
}

/// Everything the figure, its table and its summary show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpenData {
    /// The scenario as a closed loop (the figure's own rate and timeout apart), with its arrivals' burstiness.
    #[serde(skip)]
    pub scenario: Scenario,
    pub io_wait_ms: f64,
    pub rate: f64,
    pub timeout_ms: f64,
    /// The arrivals' squared coefficient of variation (1: Poisson).
    pub burstiness: f64,
    pub pool: u32,
    pub lines: Vec<Line>,
    pub measured: Vec<OpenLabCell>,
    /// The simulator's events so far (the work done).
    pub events: u64,
}

/// A simulation the figure needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenJob {
    /// p99 at [`FRACTIONS`]`[i]` of the pattern's capacity.
    Tail(Pattern, usize),
    /// Goodput at [`GOODPUT_FRACTIONS`]`[i]`, with the timeout.
    Goodput(Pattern, usize),
    /// The chosen rate.
    AtRate(Pattern),
    /// The closed loop the chosen rate implies (after `AtRate`).
    Closed(Pattern),
}

/// What a job produced.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OpenResult {
    Point(SimPoint),
    Closed(f64),
    /// A closed-loop job where the rate is past capacity: nothing to compare.
    Skipped,
}

fn curve(p: &Params, s: &Scenario, pattern: Pattern, cap: f64) -> Vec<(f64, f64, f64)> {
    let (lo, hi) = ((cap * 0.01).ln(), (cap * CURVE_END).ln());
    (0..CURVE_POINTS)
        .filter_map(|i| {
            let rate = (lo + (hi - lo) * i as f64 / (CURVE_POINTS - 1) as f64).exp();
            let pt = open::solve(pattern, p, s, rate);
            pt.latency_ms.map(|l| (rate, l.mean, l.p99))
        })
        .collect()
}

/// Each compared pattern's capacity, what limits it and its analytic curve.
type Curves = Vec<(f64, Limit, Vec<(f64, f64, f64)>)>;

std::thread_local! {
    /// The curves of the last scenario asked for: they do not depend on the
    /// figure's own rate or timeout, so a move of either reuses them (each
    /// is about 300 analytic solves).
    static LAST_CURVES: std::cell::RefCell<Option<(Params, Scenario, std::rc::Rc<Curves>)>> = const { std::cell::RefCell::new(None) };
}

/// The curves of every compared pattern at the closed scenario `s`.
fn curves(p: &Params, s: &Scenario) -> std::rc::Rc<Curves> {
    let cached = LAST_CURVES.with_borrow(|last| last.as_ref().filter(|(lp, ls, _)| lp == p && ls == s).map(|(_, _, c)| c.clone()));
    cached.unwrap_or_else(|| {
        let fresh: std::rc::Rc<Curves> = std::rc::Rc::new(
            Pattern::COMPARED
                .into_iter()
                .map(|pattern| {
                    let (capacity, limit) = open::capacity(pattern, p, s);
                    (capacity, limit, curve(p, s, pattern, capacity))
                })
                .collect(),
        );
        LAST_CURVES.set(Some((*p, *s, fresh.clone())));
        fresh
    })
}

/// What the figure is computed from: the scenario, and its own arrival rate (requests/s) and timeout (ms).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OpenInput {
    pub scenario: Scenario,
    pub rate: f64,
    pub timeout_ms: f64,
}

/// The analytic curves and the chosen rate; the simulations are jobs ([`Staged`]).
pub fn open_data(p: &Params, s: &Scenario, rate: f64, timeout_ms: f64) -> Result<OpenData, ModelError> {
    p.validate()?;
    let closed = Scenario { arrival_rate: None, timeout_ms: None, ..*s };
    closed.validate()?;
    Scenario { arrival_rate: Some(rate), timeout_ms: Some(timeout_ms), ..closed }.validate()?;
    let lines = Pattern::COMPARED
        .into_iter()
        .zip(curves(p, &closed).iter())
        .map(|(pattern, (capacity, limit, curve))| Line {
            pattern,
            capacity: *capacity,
            limit: *limit,
            curve: curve.clone(),
            sims: vec![None; FRACTIONS.len()],
            goodput: vec![None; GOODPUT_FRACTIONS.len()],
            at_rate: open::solve(pattern, p, &closed, rate),
            at_rate_sim: None,
            closed_n: None,
            closed_p99: None,
        })
        .collect();
    Ok(OpenData {
        scenario: closed,
        io_wait_ms: s.io_wait_ms,
        rate,
        timeout_ms,
        burstiness: s.arrival_scv(),
        pool: s.pool_size(),
        lines,
        measured: Vec::new(),
        events: 0,
    })
}

fn open_cfg() -> SimConfig {
    SimConfig { seed: SEED, warmup: ARRIVALS.0, requests: ARRIVALS.1, ..SimConfig::default() }
}

fn sim_point(p: &Params, s: &Scenario, pattern: Pattern, rate: f64, timeout: Option<f64>) -> Result<(SimPoint, u64), ModelError> {
    let sc = Scenario { arrival_rate: Some(rate), timeout_ms: timeout, ..*s };
    // A pattern that drops late requests holds a backlog of about λ·T once
    // overloaded: the warm-up covers twice that (at most 20,000 arrivals), so
    // the window measures the steady state, not the queue filling up.
    let cancels = timeout.is_some() && pattern != Pattern::Sync;
    let warmup = match timeout {
        Some(t) if cancels => ((2.0 * rate * t / 1e3).ceil() as u64).clamp(ARRIVALS.0, GOODPUT_WARMUP_CAP),
        _ => ARRIVALS.0,
    };
    let r = simulate(pattern, p, &sc, &SimConfig { warmup, ..open_cfg() })?;
    let o = r.open.expect("an open load reports its window");
    let pt = SimPoint {
        rate,
        p50_ms: r.latency_ms.p50,
        p99_ms: r.latency_ms.p99,
        throughput: r.throughput,
        goodput: o.goodput,
        stable: r.throughput >= 0.98 * o.arrival_rate,
        // Only a pattern that never drops work can let its backlog grow without bound.
        backlog_grows: !cancels && o.backlog_growth_per_s > 0.02 * o.arrival_rate,
    };
    Ok((pt, r.events))
}

/// The closed loop that the chosen rate implies for a pattern that keeps up
/// with it: N = λ·R, R its analytic mean (Little's law), at least one caller.
pub(crate) fn closed_callers(line: &Line, rate: f64) -> Option<u32> {
    let l = line.at_rate.latency_ms?;
    let n = (rate * l.mean / 1e3).round().max(1.0);
    (n <= perfmodel::scenario::range::CONCURRENCY.1).then_some(n as u32)
}

numbers_struct!(SimPoint { rate, p50_ms, p99_ms, throughput, goodput, stable, backlog_grows });

/// A job as its kind, its pattern and its point (checked against the point lists).
impl Numbers for OpenJob {
    fn put(&self, out: &mut Vec<f64>) {
        let (tag, p, i) = match *self {
            OpenJob::Tail(p, i) => (0u32, p, i),
            OpenJob::Goodput(p, i) => (1, p, i),
            OpenJob::AtRate(p) => (2, p, 0),
            OpenJob::Closed(p) => (3, p, 0),
        };
        (tag, p, i).put(out);
    }
    fn take(r: &mut Reader<'_>) -> Option<OpenJob> {
        let (tag, p, i) = <(u32, Pattern, usize)>::take(r)?;
        match tag {
            0 if i < FRACTIONS.len() => Some(OpenJob::Tail(p, i)),
            1 if i < GOODPUT_FRACTIONS.len() => Some(OpenJob::Goodput(p, i)),
            2 if i == 0 => Some(OpenJob::AtRate(p)),
            3 if i == 0 => Some(OpenJob::Closed(p)),
            _ => None,
        }
    }
}

/// A point, a closed loop's p99 or nothing, after a tag.
impl Numbers for OpenResult {
    fn put(&self, out: &mut Vec<f64>) {
        match self {
            OpenResult::Point(q) => (0u32, *q).put(out),
            OpenResult::Closed(p99) => (1u32, *p99).put(out),
            OpenResult::Skipped => 2u32.put(out),
        }
    }
    fn take(r: &mut Reader<'_>) -> Option<OpenResult> {
        match r.whole(2.0)? {
            0.0 => Some(OpenResult::Point(SimPoint::take(r)?)),
            1.0 => Some(OpenResult::Closed(f64::take(r)?)),
            _ => Some(OpenResult::Skipped),
        }
    }
}

/// The analytic curves at once; 42 simulations at most: the chosen rate
/// first, then the tails, the goodput, the closed loops.
impl Staged for OpenData {
    const NAME: &'static str = "open-load";
    type Input = OpenInput;
    type Job = OpenJob;
    type Answer = (OpenJob, OpenResult, u64);
    fn start(p: &Params, i: &OpenInput) -> Result<OpenData, ModelError> {
        open_data(p, &i.scenario, i.rate, i.timeout_ms)
    }
    fn jobs(&self) -> Vec<OpenJob> {
        let mut v = Vec::new();
        for pt in Pattern::COMPARED {
            v.push(OpenJob::AtRate(pt));
        }
        for i in 0..FRACTIONS.len() {
            for pt in Pattern::COMPARED {
                v.push(OpenJob::Tail(pt, i));
            }
        }
        for i in 0..GOODPUT_FRACTIONS.len() {
            for pt in Pattern::COMPARED {
                v.push(OpenJob::Goodput(pt, i));
            }
        }
        for pt in Pattern::COMPARED {
            v.push(OpenJob::Closed(pt));
        }
        v
    }
    /// A closed-loop job reads the chosen rate's analytic mean (Little's law, [`closed_callers`]).
    fn run(&self, p: &Params, job: OpenJob) -> Result<(OpenJob, OpenResult, u64), ModelError> {
        let s = Scenario { arrival_rate: None, timeout_ms: None, ..self.scenario };
        let line = |pt: Pattern| self.lines.iter().find(|l| l.pattern == pt).expect("every compared pattern has a line");
        let (res, events) = match job {
            OpenJob::Tail(pt, i) => {
                let (r, e) = sim_point(p, &s, pt, FRACTIONS[i] * line(pt).capacity, None)?;
                (OpenResult::Point(r), e)
            }
            OpenJob::Goodput(pt, i) => {
                let (r, e) = sim_point(p, &s, pt, GOODPUT_FRACTIONS[i] * line(pt).capacity, Some(self.timeout_ms))?;
                (OpenResult::Point(r), e)
            }
            OpenJob::AtRate(pt) => {
                let (r, e) = sim_point(p, &s, pt, self.rate, None)?;
                (OpenResult::Point(r), e)
            }
            OpenJob::Closed(pt) => match closed_callers(line(pt), self.rate) {
                Some(n) => {
                    let sc = Scenario { concurrency: n, ..s };
                    let r = simulate(pt, p, &sc, &short_run(&sc, SEED, CLOSED_RUN))?;
                    (OpenResult::Closed(r.latency_ms.p99), r.events)
                }
                None => (OpenResult::Skipped, 0),
            },
        };
        Ok((job, res, events))
    }
    fn fold(&mut self, (job, r, events): (OpenJob, OpenResult, u64)) {
        self.events += events;
        let pt = match job {
            OpenJob::Tail(p, _) | OpenJob::Goodput(p, _) | OpenJob::AtRate(p) | OpenJob::Closed(p) => p,
        };
        let Some(line) = self.lines.iter_mut().find(|l| l.pattern == pt) else {
            return;
        };
        match (job, r) {
            (OpenJob::Tail(_, i), OpenResult::Point(v)) => line.sims[i] = Some(v),
            (OpenJob::Goodput(_, i), OpenResult::Point(v)) => line.goodput[i] = Some(v),
            (OpenJob::AtRate(_), OpenResult::Point(v)) => {
                line.at_rate_sim = Some(v);
                line.closed_n = closed_callers(line, self.rate);
            }
            (OpenJob::Closed(_), OpenResult::Closed(v)) => line.closed_p99 = Some(v),
            (OpenJob::Closed(_), OpenResult::Skipped) => line.closed_n = None,
            _ => {}
        }
    }
    fn is_complete(&self) -> bool {
        self.lines.iter().all(|l| {
            l.sims.iter().all(Option::is_some)
                && l.goodput.iter().all(Option::is_some)
                && l.at_rate_sim.is_some()
                && (closed_callers(l, self.rate).is_none() || l.closed_p99.is_some())
        })
    }
}

impl OpenData {
    /// The lab's cells at this scenario, drawn beside the model's (its arrivals were Poisson: for Poisson arrivals only).
    pub fn with_lab(mut self, lab: Option<&OpenLab>) -> OpenData {
        self.measured = lab
            .filter(|_| self.scenario.arrival_scv() == 1.0)
            .map(|l| Pattern::COMPARED.into_iter().flat_map(|pt| l.at(&self.scenario, pt)).cloned().collect())
            .unwrap_or_default();
        self
    }

    /// How a sentence names a pattern (it starts sentences, so capitalised).
    fn name(&self, p: Pattern) -> String {
        match p {
            Pattern::Executor => format!("The executor (pool of {})", count(self.pool)),
            Pattern::Sync => "Sync".into(),
            _ => "aerospike-py (Tokio)".into(),
        }
    }

    /// Plain sentences for screen readers and the page.
    /// The figure's answer at the chosen rate: which async pattern keeps up
    /// with the shorter p99 (analytic, drawn at once), by how much; or which one cannot keep up.
    pub fn answer(&self) -> String {
        let line = |p: Pattern| self.lines.iter().find(|l| l.pattern == p);
        let (Some(ex), Some(tk)) = (line(Pattern::Executor), line(Pattern::Tokio)) else { return String::new() };
        let at = format!("At {} requests arriving per second and {} ms of I/O wait", number(self.rate), number(self.io_wait_ms));
        let cap = |l: &Line| format!("{} requests/s", number(l.capacity));
        match (ex.at_rate.latency_ms, tk.at_rate.latency_ms) {
            (Some(e), Some(t)) => {
                let a = Ahead::of(t.p99, e.p99, false);
                let (lead, other) = a.names();
                let (x, y) = a.first(t.p99, e.p99);
                match a {
                    Ahead::Even => format!(
                        "{at}, both keep up and neither is ahead: {lead} and {other} have p99s {} of each other ({} and {} ms).",
                        a.by(),
                        number(x),
                        number(y)
                    ),
                    _ => format!(
                        "{at}, both keep up and {lead} is ahead: {}'s p99 is {} as long ({} ms against {} ms).",
                        a.short_names().1,
                        a.by(),
                        number(y),
                        number(x)
                    ),
                }
            }
            (Some(e), None) => {
                format!("{at}, only {EXECUTOR} keeps up (p99 {} ms): Tokio's capacity is {}.", number(e.p99), cap(tk))
            }
            (None, Some(t)) => {
                format!("{at}, only {TOKIO} keeps up (p99 {} ms): the executor's capacity is {}.", number(t.p99), cap(ex))
            }
            (None, None) => format!("{at}, neither async pattern keeps up: the executor's capacity is {}, Tokio's {}.", cap(ex), cap(tk)),
        }
    }

    pub fn summary(&self) -> String {
        let b = self.burstiness;
        let times = if b.fract() == 0.0 { format!("{b:.0}") } else { number(b) };
        let arriving = if b > 1.0 { format!("arriving in bursts (gaps' variance {times}× Poisson's)") } else { "arriving".into() };
        let mut out = format!("At {} ms of I/O wait and {} requests {arriving} per second:", number(self.io_wait_ms), number(self.rate));
        for l in &self.lines {
            let name = self.name(l.pattern);
            let verb = if l.limit == perfmodel::open::Limit::Cores { "saturate" } else { "saturates" };
            let cap = format!("its capacity is {} requests/s ({} {verb} first)", number(l.capacity), l.limit.label());
            match (l.at_rate.latency_ms, l.at_rate_sim) {
                (Some(a), sim) => {
                    out.push_str(&format!(" {name} keeps up, p99 {} ms", number(a.p99)));
                    if let Some(v) = sim {
                        out.push_str(&format!(" ({} ms simulated)", number(v.p99_ms)));
                    }
                    out.push_str(&format!("; {cap}."));
                }
                (None, _) => out.push_str(&format!(
                    " {name} cannot keep up: {cap}, so the queue grows by {} requests every second and every percentile with it.",
                    number(l.at_rate.backlog_growth_per_s)
                )),
            }
        }
        let closed: Vec<String> = self
            .lines
            .iter()
            .filter_map(|l| {
                let (n, p99, sim) = (l.closed_n?, l.closed_p99?, l.at_rate_sim?);
                Some(format!(
                    "{} at {} callers reports p99 {} ms where the same rate arriving at random gives {} ms",
                    self.name(l.pattern),
                    count(n),
                    number(p99),
                    number(sim.p99_ms)
                ))
            })
            .collect();
        if !closed.is_empty() {
            out.push_str(&format!(" As a closed-loop benchmark (N = λ·R callers): {}.", closed.join("; ")));
        }
        let collapse: Vec<String> = self
            .lines
            .iter()
            .filter_map(|l| {
                let last = l.goodput.last().copied().flatten()?;
                let g = last.steady_goodput();
                Some(format!(
                    "{} {} ({} of its capacity{})",
                    self.name(l.pattern),
                    number(g),
                    percent(g / l.capacity),
                    if last.backlog_grows { ": its queue grows without bound" } else { "" }
                ))
            })
            .collect();
        if !collapse.is_empty() {
            out.push_str(&format!(
                " With a {} ms timeout and twice each one's capacity arriving, requests answered in time per second: {}.",
                number(self.timeout_ms),
                collapse.join("; ")
            ));
        }
        for l in &self.lines {
            let cells: Vec<&OpenLabCell> = self.measured.iter().filter(|c| c.pattern == l.pattern).collect();
            if cells.is_empty() {
                continue;
            }
            let pts: Vec<String> = cells
                .iter()
                .map(|c| {
                    format!(
                        "{}/s {}",
                        number(c.rate),
                        if c.stable { c.p99_ms.map(|v| format!("p99 {} ms", number(v))).unwrap_or_default() } else { "not kept up".into() }
                    )
                })
                .collect();
            out.push_str(&format!(" Measured here, {}: {}.", self.name(l.pattern), pts.join(", ")));
        }
        out
    }

    /// Every number of the figure.
    pub fn table(&self) -> crate::table::Table {
        let headers = ["pattern", "arrival rate /s", "solver", "stable", "mean ms", "p50 ms", "p99 ms", "answered /s", "goodput /s"];
        let f = crate::table::raw;
        let mut rows = Vec::new();
        for l in &self.lines {
            for &(rate, mean, p99) in &l.curve {
                rows.push(vec![
                    l.pattern.name().into(),
                    f(rate),
                    "analytic".into(),
                    "true".into(),
                    f(mean),
                    String::new(),
                    f(p99),
                    f(rate),
                    String::new(),
                ]);
            }
            for v in l.sims.iter().chain(&l.goodput).chain(std::iter::once(&l.at_rate_sim)).flatten() {
                rows.push(vec![
                    l.pattern.name().into(),
                    f(v.rate),
                    "sim".into(),
                    v.stable.to_string(),
                    String::new(),
                    f(v.p50_ms),
                    f(v.p99_ms),
                    f(v.throughput),
                    v.goodput.map(|_| f(v.steady_goodput())).unwrap_or_default(),
                ]);
            }
        }
        for c in &self.measured {
            rows.push(vec![
                c.pattern.name().into(),
                f(c.rate),
                "measured".into(),
                c.stable.to_string(),
                String::new(),
                c.p50_ms.map(f).unwrap_or_default(),
                c.p99_ms.map(f).unwrap_or_default(),
                f(c.ops_per_sec),
                String::new(),
            ]);
        }
        crate::table::Table { headers: headers.iter().map(|h| h.to_string()).collect(), rows }
    }

    /// The chosen rate, both ways, as an HTML table.
    pub fn html(&self) -> String {
        let ms = |v: Option<f64>| v.map(|v| format!("{} ms", number(v))).unwrap_or_else(|| "…".into());
        let mut h = format!(
            "<div class=\"service-box\" tabindex=\"0\" role=\"region\" aria-label=\"The chosen arrival rate, open and closed\"><table class=\"service-pools\" data-testid=\"open-table\">\
             <caption>{} requests/s arriving at random, {} ms of I/O wait; and the closed loop it implies</caption>\
             <thead><tr><th scope=\"col\">Pattern</th><th scope=\"col\">Capacity</th><th scope=\"col\">Keeps up</th><th scope=\"col\">p50</th><th scope=\"col\">p99</th><th scope=\"col\">In flight (λ·R)</th><th scope=\"col\">Closed loop at that many callers: p99</th></tr></thead><tbody>",
            number(self.rate),
            number(self.io_wait_ms)
        );
        for l in &self.lines {
            let sim = l.at_rate_sim;
            let keeps = match (l.at_rate.stable, sim.map(|v| v.stable)) {
                (true, Some(false)) => "no (simulated)".to_string(),
                (true, _) => "yes".to_string(),
                (false, _) => format!("no: +{} queued per second", number(l.at_rate.backlog_growth_per_s)),
            };
            let stable = l.at_rate.stable;
            h.push_str(&format!(
                "<tr><th scope=\"row\">{}</th><td>{}/s ({})</td><td>{keeps}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                self.name(l.pattern),
                number(l.capacity),
                l.limit.label(),
                if stable { ms(sim.map(|v| v.p50_ms)) } else { "grows".into() },
                if stable { ms(sim.map(|v| v.p99_ms)) } else { "grows".into() },
                l.at_rate.in_flight.map(number).unwrap_or_else(|| "grows".into()),
                match l.closed_n {
                    Some(n) => format!("{} at {} callers", ms(l.closed_p99), count(n)),
                    None => "n/a".into(),
                }
            ));
        }
        h.push_str("</tbody></table></div>");
        crate::html::labelled(&h)
    }

    /// The legend: exactly what the panels draw.
    pub fn legend(&self, theme: &Theme) -> Vec<(String, Swatch)> {
        let mut items: Vec<(String, Swatch)> = Pattern::COMPARED
            .into_iter()
            .map(|p| (format!("{}, model", crate::style::short_label(p)), Swatch::Line(Look::pattern(theme, p))))
            .collect();
        items.push(("capacity".into(), Swatch::Line(capacity_rule(theme))));
        for p in Pattern::COMPARED {
            if self.measured.iter().any(|c| c.pattern == p) {
                items.push((format!("{}, measured", crate::style::short_label(p)), Swatch::Line(measured(theme, p))));
            }
        }
        items
    }
}

/// A pattern's capacity: a dotted grey rule.
fn capacity_rule(theme: &Theme) -> Look {
    Look { dash: Dash::Dot, mark: Mark::None, ..Look::nth(theme.foreground, 0, false).with_width(1.5) }
}

/// A measured point: a large hollow marker, no line.
fn measured(theme: &Theme, p: Pattern) -> Look {
    let mark = match p {
        Pattern::Tokio => Mark::Diamond,
        Pattern::Executor => Mark::Square,
        _ => Mark::Cross,
    };
    Look { hollow: true, width: 2.0, mark, ..Look::pattern(theme, p) }
}

/// Draw both panels: p99 against the arrival rate above, goodput below. `scale` multiplies every length.
pub fn draw_open<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, d: &OpenData, theme: &Theme, scale: f64) -> Result<(), String> {
    let pen = Pen::fill(area, theme, scale)?;
    // On a phone each panel is short: its axis titles are too.
    let narrow = pen.narrow(area.dim_in_pixel().0);
    let plot = legend_band(area, pen, &d.legend(theme))?;
    let (top, bottom) = plot.split_vertically(plot.dim_in_pixel().1 * 11 / 20);
    let x_title = if narrow { "arrivals/s (log)" } else { "requests arriving per second (log)" };
    let caps: Vec<f64> = d.lines.iter().map(|l| l.capacity).collect();
    let cap_lo = caps.iter().copied().fold(f64::INFINITY, f64::min);
    let cap_hi = caps.iter().copied().fold(0.0, f64::max);
    let x = decades((cap_lo * 0.01).max(0.01), (cap_hi * 2.2).max(1.0));

    // p99 against the arrival rate.
    let ys = d
        .lines
        .iter()
        .flat_map(|l| l.curve.iter().map(|c| c.2).chain(l.sims.iter().flatten().filter(|v| v.stable).map(|v| v.p99_ms)))
        .chain(d.measured.iter().filter(|c| c.stable).filter_map(|c| c.p99_ms));
    let (lo, hi) = ys.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let y = if lo.is_finite() { decades(lo.max(1e-3), (hi * 1.5).max(lo * 100.0)) } else { (0.01, 1_000.0) };
    let mut chart = log_axes(&top, pen, x, x_title, y, if narrow { "p99, ms" } else { "p99 latency, ms (log)" })?;
    for l in &d.lines {
        let look = Look::pattern(theme, l.pattern);
        let pts: Vec<(f64, f64)> = l.curve.iter().map(|c| (c.0, c.2.min(y.1))).collect();
        look.line(&mut chart, pen, &pts)?;
        let sims: Vec<(f64, f64)> = l.sims.iter().flatten().filter(|v| v.stable).map(|v| (v.rate, v.p99_ms.clamp(y.0, y.1))).collect();
        look.marks(&mut chart, pen, &sims)?;
        capacity_rule(theme).line(&mut chart, pen, &[(l.capacity, y.0), (l.capacity, y.1)])?;
    }
    for c in &d.measured {
        if let (true, Some(v)) = (c.stable, c.p99_ms) {
            measured(theme, c.pattern).marks(&mut chart, pen, &[(c.rate, v.clamp(y.0, y.1))])?;
        } else {
            // Not kept up: drawn at the top edge.
            measured(theme, c.pattern).marks(&mut chart, pen, &[(c.rate, y.1)])?;
        }
    }

    // Goodput under the timeout.
    let ys = d.lines.iter().flat_map(|l| l.goodput.iter().flatten().map(SimPoint::steady_goodput));
    let hi = ys.fold(cap_hi * 2.0, f64::max);
    let y = decades((cap_lo * 0.01).max(0.01), hi.max(1.0) * 1.2);
    let y_title = if narrow { "in time, /s".to_string() } else { format!("answered within {} ms, per s (log)", number(d.timeout_ms)) };
    let mut chart = log_axes(&bottom, pen, x, x_title, y, &y_title)?;
    let diagonal = Look { dash: Dash::Dot, mark: Mark::None, ..Look::nth(theme.foreground, 0, false).with_width(1.0) };
    diagonal.line(&mut chart, pen, &[(x.0, x.0), (x.1, x.1)])?;
    for l in &d.lines {
        let look = Look::pattern(theme, l.pattern);
        // A goodput of zero cannot sit on a log axis: it is drawn on the bottom edge.
        let pts: Vec<(f64, f64)> = l.goodput.iter().flatten().map(|v| (v.rate, v.steady_goodput().max(y.0))).collect();
        look.line(&mut chart, pen, &pts)?;
        look.marks(&mut chart, pen, &pts)?;
    }
    area.present().map_err(|e| e.to_string())
}
