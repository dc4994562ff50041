//! The capacity chart: each pattern's most requests/s as a bar, against the reader's load (a rate as a line, requests in flight as a mark on each bar).

use perfmodel::Pattern;
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;

use super::outcome::ServiceData;
use super::Load;
use crate::format::{count, number};
use crate::look::{legend_band, BarFill, Dash, Look, Mark, Swatch};
use crate::style::{short_label, Pen};
use crate::Theme;

/// One pattern's bar.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bar {
    pub pattern: Pattern,
    /// The executor's pool threads, or a plain def endpoint's (0 for the others).
    pub pool: u32,
    /// Most requests/s it sustains (the service's, all worker processes).
    pub capacity: f64,
    /// Requests/s at the reader's requests in flight (closed load only).
    pub at_load: Option<f64>,
}

/// What the chart draws: a bar per pattern and the load.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Capacity {
    pub bars: Vec<Bar>,
    pub load: Load,
}

impl ServiceData {
    /// The chart's data: the analytic capacities only, so it is drawn at once and not redrawn as simulations arrive.
    pub fn capacity(&self) -> Capacity {
        let bars = self
            .patterns
            .iter()
            .map(|o| Bar {
                pattern: o.pattern,
                pool: if o.pattern.pooled() { o.pool } else { 0 },
                capacity: o.capacity,
                at_load: matches!(self.service.load, Load::InFlight(_)).then_some(o.throughput),
            })
            .collect();
        Capacity { bars, load: self.service.load }
    }
}

impl Bar {
    /// The bar's name: the pattern, with its pool's threads.
    fn name(&self, narrow: bool) -> String {
        let who = short_label(self.pattern);
        match (self.pattern.pooled(), narrow) {
            (true, false) => format!("{who}, {} threads", count(self.pool)),
            (true, true) => format!("{who} ({})", count(self.pool)),
            _ => who.to_string(),
        }
    }

    /// The bar in a sentence: "the executor (6 threads)".
    fn words(&self) -> String {
        match self.pattern {
            Pattern::Executor => format!("the executor ({} threads)", count(self.pool)),
            Pattern::Threadpool => format!("plain def endpoints ({} threads)", count(self.pool)),
            p => short_label(p).to_string(),
        }
    }
}

impl Capacity {
    /// The chart in words: each capacity, then where the load sits.
    pub fn summary(&self) -> String {
        let caps: Vec<String> = self.bars.iter().map(|b| format!("{} {}", b.words(), number(b.capacity))).collect();
        let head = format!("Most requests/s each pattern sustains: {}.", caps.join("; "));
        match self.load {
            Load::Rate(r) => {
                let (under, over): (Vec<&Bar>, Vec<&Bar>) = self.bars.iter().partition(|b| b.capacity >= r);
                let names = |v: &[&Bar]| v.iter().map(|b| b.words()).collect::<Vec<_>>().join(" and ");
                let tail = match (under.is_empty(), over.is_empty()) {
                    (true, _) => "over every capacity".to_string(),
                    (false, true) => "under every capacity".to_string(),
                    (false, false) => format!("under the capacity of {}, over that of {}", names(&under), names(&over)),
                };
                format!("{head} Your load, {} requests/s, is {tail}.", number(r))
            }
            Load::InFlight(n) => {
                let at: Vec<String> = self.bars.iter().filter_map(|b| Some(format!("{} {}", b.words(), number(b.at_load?)))).collect();
                format!("{head} With your {} requests in flight they run {} requests/s.", count(n), at.join("; "))
            }
        }
    }

    /// The legend: what marks the load (the bars are named on their axis).
    pub fn legend(&self, theme: &Theme) -> Vec<(String, Swatch)> {
        match self.load {
            Load::Rate(r) => vec![(format!("your load, {} requests/s", number(r)), Swatch::Line(load_look(theme)))],
            Load::InFlight(n) => vec![(format!("requests/s at your {} in flight", count(n)), Swatch::Marker(at_load_look(theme)))],
        }
    }
}

/// The reader's rate: a long-dashed line in the text colour.
fn load_look(theme: &Theme) -> Look {
    Look { color: theme.foreground, dash: Dash::Long, mark: Mark::None, hollow: false, width: 2.0 }
}

/// A pattern's rate at the reader's requests in flight: a hollow diamond in the text colour.
fn at_load_look(theme: &Theme) -> Look {
    Look { color: theme.foreground, dash: Dash::Solid, mark: Mark::Diamond, hollow: true, width: 2.0 }
}

/// Draw one bar per pattern, top to bottom as the table's columns run, and the load.
pub fn draw_capacity<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, c: &Capacity, theme: &Theme, scale: f64) -> Result<(), String> {
    let pen = Pen::fill(area, theme, scale)?;
    let n = c.bars.len().max(1);
    let rate = match c.load {
        Load::Rate(r) => r,
        Load::InFlight(_) => 0.0,
    };
    let hi = c.bars.iter().map(|b| b.capacity).chain([rate]).filter(|v| v.is_finite()).fold(0.0f64, f64::max);
    let hi = if hi > 0.0 { hi * 1.08 } else { 1.0 };
    let plot = legend_band(area, pen, &c.legend(theme))?;
    let narrow = pen.narrow(plot.dim_in_pixel().0);
    let names: Vec<String> = c.bars.iter().map(|b| b.name(narrow)).collect();
    let axes = crate::style::BarAxes {
        names: &names,
        hi,
        x_desc: "requests/s the service sustains",
        label_px: if narrow { 96.0 } else { 140.0 },
        right_px: 22.0,
    };
    let mut chart = crate::style::bar_axes(&plot, pen, &axes)?;
    let row = |i: usize| (n - 1 - i) as f64;
    for (i, b) in c.bars.iter().enumerate().filter(|(_, b)| b.capacity.is_finite()) {
        let look = Look::pattern(theme, b.pattern);
        // Each pattern's bar as the dashboard's clients are told apart: fill and end marker, not colour alone.
        let fill = match b.pattern {
            Pattern::Tokio => BarFill::Solid,
            Pattern::Executor => BarFill::TintEdged,
            _ => BarFill::Outline,
        };
        let y = row(i);
        for style in fill.styles(look.color, pen) {
            chart.draw_series([Rectangle::new([(0.0, y - 0.32), (b.capacity, y + 0.32)], style)]).map_err(|e| e.to_string())?;
        }
        Look { hollow: fill.hollow(), width: 2.0, ..look }.marks(&mut chart, pen, &[(b.capacity, y)])?;
        if let Some(v) = b.at_load.filter(|v| v.is_finite()) {
            at_load_look(theme).marks(&mut chart, pen, &[(v, y)])?;
        }
    }
    if rate > 0.0 {
        load_look(theme).line(&mut chart, pen, &[(rate, -0.5), (rate, n as f64 - 0.5)])?;
    }
    area.present().map_err(|e| e.to_string())
}
