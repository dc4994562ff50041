//! A dashboard chart drawn on any plotters backend: bars or lines, each client told apart by more than colour.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::spec::{Chart, Kind, Series, Who};
use crate::format::si;
use crate::look::{legend_band, BarFill, Dash, Look, Mark, Swatch};
use crate::style::Pen;
use crate::Theme;

fn color(theme: &Theme, w: Who) -> RGBColor {
    match w {
        Who::AerospikePy => theme.tokio,
        Who::Official => theme.executor,
        Who::Other => theme.sync,
    }
}

impl Chart {
    /// The legend: exactly what each series draws (bars end in their
    /// client's marker; lines take the chart's n-th look).
    pub fn legend(&self, theme: &Theme) -> Vec<(String, Swatch)> {
        self.series
            .iter()
            .enumerate()
            .map(|(j, s)| {
                let sw = match self.kind {
                    Kind::Bars => Swatch::Bar { color: color(theme, s.who), fill: bar_fill(s), mark: who_mark(s.who) },
                    Kind::Lines => Swatch::Line(Look::nth(color(theme, s.who), j, s.hollow)),
                };
                (s.label.clone(), sw)
            })
            .collect()
    }
}

/// Draw one dashboard chart.
pub fn draw_chart<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, c: &Chart, theme: &Theme, scale: f64) -> Result<(), String> {
    match c.kind {
        Kind::Bars => draw_bars(area, c, theme, scale),
        Kind::Lines => draw_lines(area, c, theme, scale),
    }
}

fn value_range(c: &Chart) -> (f64, f64) {
    let hi = c.series.iter().flat_map(|s| s.values.iter().flatten()).fold(0.0f64, |a, &b| if b.is_finite() { a.max(b) } else { a });
    (0.0, if hi > 0.0 { hi * 1.12 } else { 1.0 })
}

/// A series' bar fill: aerospike-py solid (async) or outlined (sync), the
/// official client tinted with an edge (async) or without (sync), so the
/// four read apart in greyscale.
fn bar_fill(s: &Series) -> BarFill {
    match (s.who, s.hollow) {
        (Who::Official, false) => BarFill::TintEdged,
        (Who::Official, true) => BarFill::Tint,
        (_, false) => BarFill::Solid,
        (_, true) => BarFill::Outline,
    }
}

/// The marker a series' bar ends in: the client, not only its colour.
fn who_mark(w: Who) -> Mark {
    match w {
        Who::AerospikePy => Mark::Circle,
        Who::Official => Mark::Triangle,
        Who::Other => Mark::Square,
    }
}

fn draw_bars<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, c: &Chart, theme: &Theme, scale: f64) -> Result<(), String> {
    let pen = Pen::fill(area, theme, scale)?;
    let n = c.categories.len().max(1);
    let (_, hi) = value_range(c);
    let items = c.legend(theme);
    let plot = legend_band(area, pen, &items)?;
    let labels = c.categories.clone();
    let axes = crate::style::BarAxes { names: &labels, hi, x_desc: c.value_desc.as_str(), label_px: 120.0, right_px: 10.0 };
    let mut chart = crate::style::bar_axes(&plot, pen, &axes)?;
    let k = c.series.len().max(1) as f64;
    let band = 0.8 / k;
    for (j, s) in c.series.iter().enumerate() {
        let col = color(theme, s.who);
        let fill = bar_fill(s);
        let at: Vec<(f64, f64)> = s
            .values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.filter(|v| v.is_finite()).map(|v| (v, (n - 1 - i) as f64 - 0.4 + band * j as f64)))
            .collect();
        for style in fill.styles(col, pen) {
            chart
                .draw_series(at.iter().map(|&(v, y0)| Rectangle::new([(0.0, y0 + band * 0.08), (v, y0 + band * 0.92)], style)))
                .map_err(|e| e.to_string())?;
        }
        let end = Look { color: col, dash: Dash::Solid, mark: who_mark(s.who), hollow: fill.hollow(), width: 2.0 };
        end.marks(&mut chart, pen, &at.iter().map(|&(v, y0)| (v, y0 + band * 0.5)).collect::<Vec<_>>())?;
    }
    area.present().map_err(|e| e.to_string())
}

fn draw_lines<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, c: &Chart, theme: &Theme, scale: f64) -> Result<(), String> {
    let pen = Pen::fill(area, theme, scale)?;
    let px = |v: f64| pen.px(v);
    let (_, hi) = value_range(c);
    let (x0, x1) = c.xs.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
    let (x0, x1) = if x0.is_finite() && x1 > x0 { (x0, x1) } else { (0.0, 1.0) };
    let items = c.legend(theme);
    let plot = legend_band(area, pen, &items)?;
    let mut builder = ChartBuilder::on(&plot);
    builder.margin(px(10.0)).margin_right(px(22.0)).x_label_area_size(px(40.0)).y_label_area_size(px(64.0));
    // Log x needs positive values; fall back to linear otherwise.
    let log = c.log_x && x0 > 0.0;
    let to_x = move |x: f64| if log { x.log10() } else { x };
    let (a, b) = (to_x(x0), to_x(x1));
    let pad = (b - a) * 0.03;
    let mut chart = builder.build_cartesian_2d(a - pad..b + pad, 0.0..hi).map_err(|e| e.to_string())?;
    pen.value_mesh(&mut chart.configure_mesh())
        .x_desc(if log { format!("{} (log)", c.x_desc) } else { c.x_desc.clone() })
        .y_desc(c.value_desc.as_str())
        // On a log axis only whole decades are labelled (1, 10, 100, 1k).
        .x_label_formatter(&|v| {
            if !log {
                si(*v)
            } else if (v - v.round()).abs() < 0.02 {
                si(10f64.powf(v.round()))
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|v| si(*v))
        .draw()
        .map_err(|e| e.to_string())?;
    for (j, s) in c.series.iter().enumerate() {
        let l = Look::nth(color(theme, s.who), j, s.hollow);
        let pts: Vec<(f64, f64)> = c.xs.iter().zip(&s.values).filter_map(|(&x, v)| v.filter(|v| v.is_finite()).map(|v| (to_x(x), v))).collect();
        l.line(&mut chart, pen, &pts)?;
        l.marks(&mut chart, pen, &pts)?;
    }
    area.present().map_err(|e| e.to_string())
}
