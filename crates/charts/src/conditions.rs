//! Conditions heatmap: Tokio against the executor over I/O wait × concurrency, by throughput (analytic) or p99 (simulated, filled in cell by cell).

use perfmodel::scenario::{LOCALHOST_RTT_MS, PRESETS};
use perfmodel::sim::simulate;
use perfmodel::{
    predict::{short_run, ShortRun},
    predict_curve, ModelError, Params, Pattern, Scenario,
};
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use crate::answer::Ahead;
use crate::format::{count, number, si};
use crate::latency::{extend, saturated, P99_NS, SIMULATED_UP_TO};
use crate::stages::{numbers_struct, Numbers, Reader, Staged};
use crate::style::Pen;
use crate::Theme;

/// I/O wait columns, ms: 1-2-5 steps from 10 µs to 100 ms.
pub const IO_MS: [f64; 13] = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0];
/// Concurrency rows: the same 1-2-5 steps as the p99 curve.
pub const NS: [u32; 16] = P99_NS;
/// The benchmark the seed cites: localhost (the loopback RTT measured here), 50 callers.
pub const BENCHMARK: (f64, u32) = (LOCALHOST_RTT_MS, 50);
/// The shaded "typical production" region. An assumption, stated as one:
/// I/O wait from a same-zone round trip (the same-zone preset) to 20 ms of
/// server and network time, with 100 to 10,000 requests outstanding.
pub(crate) const PRODUCTION_IO_MS: (f64, f64) = (PRESETS[1].rtt_ms, 20.0);
pub(crate) const PRODUCTION_N: (u32, u32) = (100, 10_000);
/// Seed of the p99 cells.
pub const SEED: u64 = 29;

/// What a cell compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Metric {
    /// Tokio's throughput ÷ the executor's (analytic).
    Throughput,
    /// The executor's p99 ÷ Tokio's (simulated).
    P99,
}

impl Metric {
    pub fn label(self) -> &'static str {
        match self {
            Metric::Throughput => "Tokio throughput ÷ executor throughput",
            Metric::P99 => "executor p99 ÷ Tokio p99",
        }
    }
}

/// One cell: both patterns' numbers and Tokio's advantage (> 1: Tokio ahead).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Cell {
    pub io_ms: f64,
    pub n: u32,
    pub executor: f64,
    pub tokio: f64,
    pub advantage: f64,
    /// The simulator's events for a p99 cell (0 for analytic cells).
    pub events: u64,
    /// A p99 cell not simulated: the cell at [`SIMULATED_UP_TO`] callers
    /// carried on at each pattern's simulated throughput (both saturated there).
    pub extended: bool,
    /// Simulated throughputs of a p99 cell (executor, Tokio), requests/s.
    pub throughputs: (f64, f64),
}

/// What one p99 cell's job found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CellAnswer {
    Simulated(Cell),
    /// Both patterns saturated at [`SIMULATED_UP_TO`]: that row's cell, carried on.
    Extended {
        io_ms: f64,
        n: u32,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConditionsData {
    /// The scenario every cell starts from (its I/O wait and callers are the cell's).
    #[serde(skip)]
    pub base: Scenario,
    pub metric: Metric,
    /// Cells computed so far, row by row from the smallest concurrency.
    pub cells: Vec<Cell>,
    pub total: usize,
}

/// The cells in the order they are computed (cheap rows first).
pub fn cell_order() -> Vec<(f64, u32)> {
    NS.iter().flat_map(|&n| IO_MS.map(|io| (io, n))).collect()
}

/// Every throughput cell (analytic, fast).
pub fn throughput_cells(p: &Params, base: &Scenario) -> Result<ConditionsData, ModelError> {
    let mut cells = Vec::new();
    let mut cols = Vec::new();
    for io in IO_MS {
        let s = Scenario { io_wait_ms: io, ..*base };
        let ex = predict_curve(Pattern::Executor, p, &s, &NS)?;
        let tk = predict_curve(Pattern::Tokio, p, &s, &NS)?;
        cols.push((io, ex, tk));
    }
    for (i, &n) in NS.iter().enumerate() {
        for (io, ex, tk) in &cols {
            let (e, t) = (ex[i].throughput_ops_s, tk[i].throughput_ops_s);
            cells.push(Cell { io_ms: *io, n, executor: e, tokio: t, advantage: t / e, events: 0, extended: false, throughputs: (e, t) });
        }
    }
    Ok(ConditionsData { base: *base, metric: Metric::Throughput, total: cells.len(), cells })
}

/// One p99 cell: a short steady-state run of each pattern (one warm-up
/// cycle, max(2,000, N) measured requests capped at 20,000).
pub fn p99_cell(p: &Params, base: &Scenario, io: f64, n: u32) -> Result<Cell, ModelError> {
    let s = Scenario { io_wait_ms: io, concurrency: n, ..*base };
    let cfg = short_run(&s, SEED, ShortRun { min: 2_000, cap: 20_000, warmup_min: 500, warmup_cap: u64::MAX });
    let e = simulate(Pattern::Executor, p, &s, &cfg)?;
    let t = simulate(Pattern::Tokio, p, &s, &cfg)?;
    let (ep, tp) = (e.latency_ms.p99, t.latency_ms.p99);
    Ok(Cell {
        io_ms: io,
        n,
        executor: ep,
        tokio: tp,
        advantage: ep / tp,
        events: e.events + t.events,
        extended: false,
        throughputs: (e.throughput, t.throughput),
    })
}

/// One p99 cell's job: simulate it, or, past [`SIMULATED_UP_TO`] callers
/// where both patterns are saturated there, extend that row's cell (jobs
/// run in [`cell_order`], row by row, so it is in by then).
pub(crate) fn p99_cell_job(p: &Params, base: &Scenario, io: f64, n: u32) -> Result<CellAnswer, ModelError> {
    if n > SIMULATED_UP_TO {
        let s = Scenario { io_wait_ms: io, ..*base };
        if saturated(p, &s, Pattern::Executor, SIMULATED_UP_TO, n)? && saturated(p, &s, Pattern::Tokio, SIMULATED_UP_TO, n)? {
            return Ok(CellAnswer::Extended { io_ms: io, n });
        }
    }
    p99_cell(p, base, io, n).map(CellAnswer::Simulated)
}

/// Index of the column and row nearest to (io, n) on the log grid.
pub fn nearest(io: f64, n: u32) -> (usize, usize) {
    let near = |v: f64, xs: &mut dyn Iterator<Item = f64>| {
        xs.enumerate().min_by(|a, b| (a.1.ln() - v.ln()).abs().total_cmp(&(b.1.ln() - v.ln()).abs())).map(|(i, _)| i).unwrap_or(0)
    };
    (near(io.max(1e-6), &mut IO_MS.iter().copied()), near(n.max(1) as f64, &mut NS.iter().map(|&n| n as f64)))
}

numbers_struct!(Cell { io_ms, n, executor, tokio, advantage, events, extended, throughputs });

/// A simulated cell, or an extended one's I/O wait and callers, after a tag.
impl Numbers for CellAnswer {
    fn put(&self, out: &mut Vec<f64>) {
        match self {
            CellAnswer::Simulated(c) => (0u32, *c).put(out),
            CellAnswer::Extended { io_ms, n } => (1u32, *io_ms, *n).put(out),
        }
    }
    fn take(r: &mut Reader<'_>) -> Option<CellAnswer> {
        match r.whole(1.0)? {
            0.0 => Some(CellAnswer::Simulated(Cell::take(r)?)),
            _ => Some(CellAnswer::Extended { io_ms: f64::take(r)?, n: u32::take(r)? }),
        }
    }
}

/// What the map is computed from: the scenario (the map's axes replace its
/// I/O wait and callers) and which comparison it colours.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ConditionsInput {
    pub scenario: Scenario,
    pub metric: Metric,
}

/// The throughput map is analytic (no jobs); the p99 map is one job per cell, in [`cell_order`].
impl Staged for ConditionsData {
    const NAME: &'static str = "conditions";
    type Input = ConditionsInput;
    type Job = (f64, u32);
    type Answer = CellAnswer;
    fn start(p: &Params, i: &ConditionsInput) -> Result<ConditionsData, ModelError> {
        match i.metric {
            Metric::Throughput => throughput_cells(p, &i.scenario),
            Metric::P99 => Ok(ConditionsData { base: i.scenario, metric: Metric::P99, cells: Vec::new(), total: IO_MS.len() * NS.len() }),
        }
    }
    fn jobs(&self) -> Vec<(f64, u32)> {
        match self.metric {
            Metric::Throughput => Vec::new(),
            Metric::P99 => cell_order(),
        }
    }
    fn run(&self, p: &Params, (io, n): (f64, u32)) -> Result<CellAnswer, ModelError> {
        p99_cell_job(p, &self.base, io, n)
    }
    fn fold(&mut self, a: CellAnswer) {
        self.add(a)
    }
    fn is_complete(&self) -> bool {
        self.cells.len() >= self.total
    }
}

impl ConditionsData {
    /// Fold in one p99 job's answer.
    fn add(&mut self, a: CellAnswer) {
        match a {
            CellAnswer::Simulated(c) => self.cells.push(c),
            CellAnswer::Extended { io_ms, n } => {
                // Jobs run in cell_order, row by row, so the base row is in.
                let Some(b) = self.cells.iter().find(|c| c.io_ms == io_ms && c.n == SIMULATED_UP_TO).copied() else { return };
                let executor = extend(b.executor, SIMULATED_UP_TO, n, b.throughputs.0);
                let tokio = extend(b.tokio, SIMULATED_UP_TO, n, b.throughputs.1);
                self.cells.push(Cell { io_ms, n, executor, tokio, advantage: executor / tokio, events: 0, extended: true, ..b });
            }
        }
    }

    /// Cells extended rather than simulated.
    pub fn extended(&self) -> usize {
        self.cells.iter().filter(|c| c.extended).count()
    }

    pub fn cell(&self, col: usize, row: usize) -> Option<&Cell> {
        self.cells.iter().find(|c| c.io_ms == IO_MS[col] && c.n == NS[row])
    }

    /// One cell in words.
    pub fn describe(&self, col: usize, row: usize) -> String {
        let (io, n) = (IO_MS[col], NS[row]);
        match self.cell(col, row) {
            None => format!("{} ms I/O wait, {} callers: still simulating.", number(io), count(n)),
            Some(c) => {
                let (what, unit) = match self.metric {
                    Metric::Throughput => ("throughput", "requests/s"),
                    Metric::P99 => ("p99", "ms"),
                };
                let how = if c.extended {
                    format!(" (not simulated: the {}-caller cell plus one bottleneck turn per extra caller, both saturated)", count(SIMULATED_UP_TO))
                } else {
                    String::new()
                };
                format!(
                    "{} ms I/O wait, {} callers: executor {} {unit}, Tokio {} {unit} {what}; {} = {}×{how}.",
                    number(io),
                    count(n),
                    number(c.executor),
                    number(c.tokio),
                    self.metric.label(),
                    number(c.advantage)
                )
            }
        }
    }

    /// The lowest and highest advantage over the shaded production region, among the cells computed so far.
    fn production_range(&self) -> Option<(f64, f64)> {
        let mut prod = self.cells.iter().filter(|c| in_production(c.io_ms, c.n)).map(|c| c.advantage);
        let first = prod.next()?;
        Some(prod.fold((first, first), |(lo, hi), v| (lo.min(v), hi.max(v))))
    }

    /// The map's answer where the reader's scenario sits (its nearest cell),
    /// then over the shaded production region, against the pool it names.
    pub fn answer(&self) -> String {
        let (c, r) = nearest(self.base.io_wait_ms, self.base.concurrency);
        let Some(cell) = self.cell(c, r) else {
            return format!("Simulating the cell nearest your scenario ({} ms, {} callers)…", number(IO_MS[c]), count(NS[r]));
        };
        let a = Ahead::of_ratio(cell.advantage);
        let (lead, other) = a.short_names();
        let what = match (self.metric, a) {
            (_, Ahead::Even) => format!("neither is ahead ({} of each other)", a.by()),
            (Metric::Throughput, _) => format!("{} is ahead: {} the requests per second of {other}", a.names().0, a.by()),
            (Metric::P99, _) => format!("{} is ahead: {other}'s p99 is {} {lead}'s", a.names().0, a.by()),
        };
        let pool = match self.base.pool {
            None => format!("Python's default pool of {} threads", self.base.pool_size()),
            Some(p) => format!("a pool of {p} threads"),
        };
        let region = match self.production_range().filter(|_| self.is_complete()) {
            Some((lo, hi)) if lo >= crate::answer::EVEN => {
                format!(" Over the shaded production region Tokio is ahead, {}× to {}×.", number(lo), number(hi))
            }
            Some((lo, hi)) if hi <= 1.0 / crate::answer::EVEN => {
                format!(" Over the shaded production region the executor is ahead, {}× to {}×.", number(1.0 / hi), number(1.0 / lo))
            }
            Some((lo, hi)) => format!(" Over the shaded production region {} runs from {}× to {}×.", self.metric.label(), number(lo), number(hi)),
            None => String::new(),
        };
        format!("In the cell nearest your scenario ({} ms, {} callers), {what}, against {pool}.{region}", number(IO_MS[c]), count(NS[r]))
    }

    pub fn summary(&self) -> String {
        if !self.is_complete() {
            return format!("Simulating p99: {} of {} cells so far.", self.cells.len(), self.total);
        }
        let (bc, br) = nearest(BENCHMARK.0, BENCHMARK.1);
        let bench = self.cell(bc, br).map(|c| c.advantage).unwrap_or(f64::NAN);
        let (lo, hi) = self.production_range().unwrap_or((f64::INFINITY, 0.0));
        let max = self.cells.iter().map(|c| c.advantage).fold(0.0f64, f64::max);
        let extended = match self.extended() {
            0 => String::new(),
            k => format!(
                " {k} cells past {} callers are not simulated: both patterns are saturated there, so each is the {}-caller cell plus one turn at each bottleneck per extra caller, at its simulated throughput.",
                count(SIMULATED_UP_TO),
                count(SIMULATED_UP_TO)
            ),
        };
        let pool = self.base.pool_size();
        let against = if self.base.pool.is_none() {
            format!(" Tokio is set against Python's default pool of {pool} threads; a pool sized to rate × wait closes most of that gap where the pool is the limit (A bigger pool shows by how much).")
        } else {
            format!(" Tokio is set against a pool of {pool} threads.")
        };
        format!(
            "{}: {}× in the map's cell nearest the benchmark ({} ms, {} callers on the map's grid); {}× to {}× over the shaded production region; at most {}× anywhere on the map.{against}{extended}",
            self.metric.label(),
            number(bench),
            number(IO_MS[bc]),
            count(NS[br]),
            number(lo),
            number(hi),
            number(max)
        )
    }

    pub fn table(&self) -> crate::table::Table {
        use crate::table::{raw, Table};
        let headers = ["io wait ms", "concurrency", "executor", "tokio", "advantage"].map(String::from).to_vec();
        let rows = self.cells.iter().map(|c| vec![raw(c.io_ms), c.n.to_string(), raw(c.executor), raw(c.tokio), raw(c.advantage)]).collect();
        Table { headers, rows }
    }
}

pub(crate) fn in_production(io: f64, n: u32) -> bool {
    io >= PRODUCTION_IO_MS.0 && io <= PRODUCTION_IO_MS.1 && n >= PRODUCTION_N.0 && n <= PRODUCTION_N.1
}

/// The heatmap with its selection: `focus` is the (column, row) outlined.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConditionsFrame {
    pub data: ConditionsData,
    pub focus: Option<(usize, usize)>,
}

/// Blend from the background towards the leading pattern's colour; a 100×
/// advantage (either way) is the full colour.
fn cell_color(theme: &Theme, advantage: f64) -> RGBColor {
    let (c, t) = if advantage >= 1.0 {
        (theme.tokio, (advantage.log10() / 2.0).clamp(0.0, 1.0))
    } else {
        (theme.executor, ((1.0 / advantage).log10() / 2.0).clamp(0.0, 1.0))
    };
    let t = 0.12 + 0.88 * t;
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * t).round() as u8;
    let bg = theme.background;
    RGBColor(mix(bg.0, c.0), mix(bg.1, c.1), mix(bg.2, c.2))
}

/// Geometry shared by the drawing and the pointer mapping.
pub const MARGIN_LEFT: f64 = 70.0;
pub const MARGIN_BOTTOM: f64 = 44.0;
pub const MARGIN_TOP: f64 = 10.0;
pub const MARGIN_RIGHT: f64 = 10.0;

/// Map a point in CSS pixels on a `w`×`h` chart to the (column, row) under it.
pub fn cell_at(x: f64, y: f64, w: f64, h: f64) -> Option<(usize, usize)> {
    let (pw, ph) = (w - MARGIN_LEFT - MARGIN_RIGHT, h - MARGIN_TOP - MARGIN_BOTTOM);
    let (fx, fy) = ((x - MARGIN_LEFT) / pw, (y - MARGIN_TOP) / ph);
    if !(0.0..1.0).contains(&fx) || !(0.0..1.0).contains(&fy) {
        return None;
    }
    let col = (fx * IO_MS.len() as f64) as usize;
    let row = NS.len() - 1 - (fy * NS.len() as f64) as usize;
    Some((col, row))
}

pub fn draw_conditions<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, f: &ConditionsFrame, theme: &Theme, scale: f64) -> Result<(), String> {
    let pen = Pen::fill(area, theme, scale)?;
    let px = |v: f64| pen.px(v);
    let (cols, rows) = (IO_MS.len(), NS.len());
    let narrow = pen.narrow(area.dim_in_pixel().0);
    let area = area.margin(px(MARGIN_TOP), 0, 0, px(MARGIN_RIGHT));
    let mut chart = ChartBuilder::on(&area)
        .x_label_area_size(px(MARGIN_BOTTOM))
        .y_label_area_size(px(MARGIN_LEFT))
        .build_cartesian_2d(-0.5..cols as f64 - 0.5, -0.5..rows as f64 - 0.5)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .disable_mesh()
        .axis_style(theme.foreground)
        .label_style(pen.font(11.0))
        .axis_desc_style(pen.font(12.0))
        .x_labels(cols)
        .y_labels(rows)
        .x_desc("I/O wait per request, ms (log)")
        .y_desc("concurrent callers (log)")
        // Cell centres sit on whole numbers, where the labels go.
        // On a phone every other wait is labelled, so the labels do not run together.
        .x_label_formatter(&|v| {
            let i = v.round();
            let shown = !narrow || (i as usize).is_multiple_of(2);
            if (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < cols && shown {
                number(IO_MS[i as usize])
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|v| {
            let i = v.round();
            if (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < rows {
                si(NS[i as usize] as f64)
            } else {
                String::new()
            }
        })
        .draw()
        .map_err(|e| e.to_string())?;
    let rect = |c: usize, r: usize, style: ShapeStyle| Rectangle::new([(c as f64 - 0.5, r as f64 - 0.5), (c as f64 + 0.5, r as f64 + 0.5)], style);
    let mut shapes = Vec::new();
    for r in 0..rows {
        for c in 0..cols {
            match f.data.cell(c, r) {
                Some(cell) => shapes.push(rect(c, r, cell_color(theme, cell.advantage).filled())),
                None => shapes.push(rect(c, r, theme.grid.mix(0.25).filled())),
            }
        }
    }
    chart.draw_series(shapes).map_err(|e| e.to_string())?;
    // Wherever the executor is ahead, however little, hatch strokes across
    // the cell, so the direction reads without colour (greyscale, print).
    let hatch = ShapeStyle::from(&theme.foreground.mix(0.55)).stroke_width(px(1.0));
    let mut lines = Vec::new();
    for r in 0..rows {
        for c in 0..cols {
            if f.data.cell(c, r).is_some_and(|cell| cell.advantage < 1.0) {
                let (x, y) = (c as f64, r as f64);
                // Three strokes parallel to the cell's rising diagonal.
                for (a, b) in [((-0.5, -0.5), (0.5, 0.5)), ((0.0, -0.5), (0.5, 0.0)), ((-0.5, 0.0), (0.0, 0.5))] {
                    lines.push(PathElement::new(vec![(x + a.0, y + a.1), (x + b.0, y + b.1)], hatch));
                }
            }
        }
    }
    chart.draw_series(lines).map_err(|e| e.to_string())?;
    // The production region: a frame around its cells.
    let in_cols: Vec<usize> = (0..cols).filter(|&c| IO_MS[c] >= PRODUCTION_IO_MS.0 && IO_MS[c] <= PRODUCTION_IO_MS.1).collect();
    let in_rows: Vec<usize> = (0..rows).filter(|&r| NS[r] >= PRODUCTION_N.0 && NS[r] <= PRODUCTION_N.1).collect();
    if let (Some(&c0), Some(&c1), Some(&r0), Some(&r1)) = (in_cols.first(), in_cols.last(), in_rows.first(), in_rows.last()) {
        chart
            .draw_series([Rectangle::new(
                [(c0 as f64 - 0.5, r0 as f64 - 0.5), (c1 as f64 + 0.5, r1 as f64 + 0.5)],
                ShapeStyle::from(&theme.foreground).stroke_width(px(2.0)),
            )])
            .map_err(|e| e.to_string())?;
    }
    // The benchmark's cell (a thick frame on its edge), and the one picked
    // (a frame inset in the cell): told apart by shape, not colour, and no
    // text that a small cell cannot hold.
    let (bc, br) = nearest(BENCHMARK.0, BENCHMARK.1);
    let mut marks = vec![rect(bc, br, ShapeStyle::from(&theme.foreground).stroke_width(px(3.0)))];
    if let Some((c, r)) = f.focus {
        let (c, r) = (c.min(cols - 1) as f64, r.min(rows - 1) as f64);
        let inset = 0.22;
        marks.push(Rectangle::new(
            [(c - 0.5 + inset, r - 0.5 + inset), (c + 0.5 - inset, r + 0.5 - inset)],
            ShapeStyle::from(&theme.foreground).stroke_width(px(2.0)),
        ));
    }
    chart.draw_series(marks).map_err(|e| e.to_string())?;
    area.present().map_err(|e| e.to_string())
}
