//! How a series looks (colour, dash and marker together, so none is told apart by colour alone) and the legend band that shows exactly that, above the plot.

use perfmodel::Pattern;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::style::Pen;
use crate::Theme;

/// A line's stroke pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dash {
    Solid,
    /// 10 px on, 5 off.
    Long,
    /// 4 px on, 4 off.
    Short,
    /// 2 px on, 4 off.
    Dot,
}

impl Dash {
    /// On and off lengths in CSS px; `None` for a solid line.
    pub fn pattern(self) -> Option<(f64, f64)> {
        match self {
            Dash::Solid => None,
            Dash::Long => Some((10.0, 5.0)),
            Dash::Short => Some((4.0, 4.0)),
            Dash::Dot => Some((2.0, 4.0)),
        }
    }
}

/// A marker's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Circle,
    Square,
    Triangle,
    Diamond,
    /// A "+" (always drawn as strokes).
    Plus,
    /// An "×" (always drawn as strokes).
    Cross,
    None,
}

/// Everything that tells one series from another.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Look {
    pub color: RGBColor,
    pub dash: Dash,
    pub mark: Mark,
    /// Markers (and bars) drawn as outlines instead of filled.
    pub hollow: bool,
    /// Line width in CSS px.
    pub width: f64,
}

impl Look {
    /// Each pattern's look, the same in every figure: Sync short-dashed with
    /// squares, Executor long-dashed with triangles, Tokio solid with circles,
    /// blocking threads dotted with diamonds, a plain def endpoint's threads
    /// dotted with crosses.
    pub fn pattern(theme: &Theme, p: Pattern) -> Look {
        let (dash, mark) = match p {
            Pattern::Sync => (Dash::Short, Mark::Square),
            Pattern::SyncThreads => (Dash::Dot, Mark::Diamond),
            Pattern::Executor => (Dash::Long, Mark::Triangle),
            Pattern::Threadpool => (Dash::Dot, Mark::Plus),
            Pattern::Tokio => (Dash::Solid, Mark::Circle),
        };
        Look { color: theme.pattern(p), dash, mark, hollow: false, width: 2.5 }
    }

    /// The `i`-th look of a chart whose series are not patterns: four dashes
    /// and five marks cycle out of step, so neighbours differ in both and the
    /// first five series never share a marker.
    pub fn nth(color: RGBColor, i: usize, hollow: bool) -> Look {
        const DASHES: [Dash; 4] = [Dash::Solid, Dash::Long, Dash::Short, Dash::Dot];
        const MARKS: [Mark; 5] = [Mark::Circle, Mark::Triangle, Mark::Square, Mark::Diamond, Mark::Plus];
        Look { color, dash: DASHES[i % 4], mark: MARKS[i % 5], hollow, width: 2.5 }
    }

    /// The same look in the text colour: a legend entry for what every pattern's series shares.
    pub(crate) fn grey(self, theme: &Theme) -> Look {
        Look { color: theme.foreground, ..self }
    }

    pub(crate) fn with_width(self, width: f64) -> Look {
        Look { width, ..self }
    }

    fn stroke(&self, pen: Pen) -> ShapeStyle {
        ShapeStyle::from(&self.color).stroke_width(pen.px(self.width).max(1))
    }

    /// Draw the line through `pts` in this look's dash.
    pub(crate) fn line<'a, DB, CT>(&self, chart: &mut ChartContext<'a, DB, CT>, pen: Pen, pts: &[(f64, f64)]) -> Result<(), String>
    where
        DB: DrawingBackend + 'a,
        CT: CoordTranslate<From = (f64, f64)>,
    {
        let style = self.stroke(pen);
        let px = |v: f64| pen.px(v);
        let r = match self.dash.pattern() {
            None => chart.draw_series(LineSeries::new(pts.iter().copied(), style)).map(|_| ()),
            Some((on, off)) => chart.draw_series(DashedLineSeries::new(pts.iter().copied(), px(on), px(off), style)).map(|_| ()),
        };
        r.map_err(|e| e.to_string())
    }

    /// Draw this look's marker at each of `pts`.
    pub(crate) fn marks<'a, DB, CT>(&self, chart: &mut ChartContext<'a, DB, CT>, pen: Pen, pts: &[(f64, f64)]) -> Result<(), String>
    where
        DB: DrawingBackend + 'a,
        CT: CoordTranslate<From = (f64, f64)>,
    {
        each_marker!(self, pen, |m| chart.draw_series(pts.iter().map(|&p| EmptyElement::at(p) + m())).map(|_| ()).map_err(|e| e.to_string()))
    }

    /// Markers on a long line: about `count` of them, spread evenly and
    /// shifted by `phase` (0..1) of the spacing, so lines that meet keep
    /// their markers apart.
    pub(crate) fn sparse_marks<'a, DB, CT>(
        &self,
        chart: &mut ChartContext<'a, DB, CT>,
        pen: Pen,
        pts: &[(f64, f64)],
        count: usize,
        phase: f64,
    ) -> Result<(), String>
    where
        DB: DrawingBackend + 'a,
        CT: CoordTranslate<From = (f64, f64)>,
    {
        if pts.is_empty() || count == 0 {
            return Ok(());
        }
        let step = (pts.len() as f64 / count as f64).max(1.0);
        let picked: Vec<(f64, f64)> = (0..count).map(|k| ((k as f64 + phase) * step) as usize).filter(|&i| i < pts.len()).map(|i| pts[i]).collect();
        self.marks(chart, pen, &picked)
    }

    fn mark_style(&self, pen: Pen) -> ShapeStyle {
        if self.hollow {
            ShapeStyle::from(&self.color).stroke_width(pen.px(2.0).max(1))
        } else {
            self.color.filled()
        }
    }
}

/// The corners of a marker's outline, centred on (0, 0) in device pixels, `s` its half size.
fn outline(mark: Mark, s: i32) -> Vec<(i32, i32)> {
    match mark {
        Mark::Square => {
            let h = s * 9 / 10;
            vec![(-h, -h), (h, -h), (h, h), (-h, h)]
        }
        Mark::Triangle => vec![(0, -s - 1), (s + 1, s), (-s - 1, s)],
        Mark::Diamond => vec![(0, -s - 1), (s + 1, 0), (0, s + 1), (-s - 1, 0)],
        Mark::Plus => vec![(-s - 1, 0), (s + 1, 0), (0, 0), (0, -s - 1), (0, s + 1)],
        Mark::Cross => vec![(-s, -s), (s, s), (0, 0), (s, -s), (-s, s)],
        Mark::Circle | Mark::None => Vec::new(),
    }
}

fn closed(mut pts: Vec<(i32, i32)>) -> Vec<(i32, i32)> {
    if let Some(&first) = pts.first() {
        pts.push(first);
    }
    pts
}

/// Run `$body` with `$m` a maker of the look's marker element (a concrete
/// plotters type per shape, centred on (0, 0) in device pixels).
macro_rules! each_marker {
    ($look:expr, $pen:expr, |$m:ident| $body:expr) => {{
        let look: &Look = $look;
        let pen: Pen = $pen;
        let s = pen.px(4.5) as i32;
        let style = look.mark_style(pen);
        match (look.mark, look.hollow) {
            (Mark::None, _) => Ok(()),
            (Mark::Circle, _) => {
                let $m = move || Circle::new((0, 0), s, style);
                $body
            }
            (mark @ (Mark::Plus | Mark::Cross), _) => {
                let stroke = ShapeStyle::from(&look.color).stroke_width(pen.px(2.5).max(1));
                let $m = move || PathElement::new(outline(mark, s), stroke);
                $body
            }
            (mark, true) => {
                let $m = move || PathElement::new(closed(outline(mark, s)), style);
                $body
            }
            (mark, false) => {
                let $m = move || Polygon::new(outline(mark, s), style);
                $body
            }
        }
    }};
}
use each_marker;

/// What a legend entry shows: exactly what its series draws.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Swatch {
    /// A short stretch of the line with one marker.
    Line(Look),
    /// A bar in one of four fills, with the marker its end carries.
    Bar { color: RGBColor, fill: BarFill, mark: Mark },
    /// A shaded band.
    Fill(RGBAColor),
    /// A marker alone (a point the chart marks, not a series).
    Marker(Look),
}

/// How a bar is filled: four kinds that differ in greyscale by fill weight and edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BarFill {
    /// Full colour.
    Solid,
    /// Outline only.
    Outline,
    /// A pale tint with an outline.
    TintEdged,
    /// A pale tint, no outline.
    Tint,
}

impl BarFill {
    /// The shapes to draw, fill first.
    pub(crate) fn styles(self, color: RGBColor, pen: Pen) -> Vec<ShapeStyle> {
        let edge = ShapeStyle::from(&color).stroke_width(pen.px(2.0).max(1));
        let tint = color.mix(0.35).filled();
        match self {
            BarFill::Solid => vec![color.filled()],
            BarFill::Outline => vec![edge],
            BarFill::TintEdged => vec![tint, edge],
            BarFill::Tint => vec![tint],
        }
    }
    /// Whether the end marker is drawn hollow (no solid fill).
    pub(crate) fn hollow(self) -> bool {
        !matches!(self, BarFill::Solid)
    }
}

impl Swatch {
    /// What is left of the swatch in greyscale: everything but its hue
    /// (dash, marker, fill or outline, and for a shaded band its lightness).
    pub fn without_colour(&self) -> String {
        match self {
            Swatch::Line(l) => format!("line {:?} {:?} hollow={} width={}", l.dash, l.mark, l.hollow, l.width),
            Swatch::Bar { fill, mark, .. } => format!("bar {mark:?} {fill:?}"),
            Swatch::Marker(l) => format!("marker {:?} hollow={}", l.mark, l.hollow),
            Swatch::Fill(c) => {
                // Its lightness as drawn over a white page, in eight steps.
                let luma = 0.299 * c.0 as f64 + 0.587 * c.1 as f64 + 0.114 * c.2 as f64;
                let drawn = luma * c.3 + 255.0 * (1.0 - c.3);
                format!("fill lightness={}", (drawn / 32.0).floor())
            }
        }
    }
}

/// Draw a legend above the plot, entries flowing into as many rows as the
/// width needs, and return the area left for the plot: the legend never
/// covers a curve.
pub(crate) fn legend_band<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    pen: Pen,
    items: &[(String, Swatch)],
) -> Result<DrawingArea<DB, Shift>, String> {
    if items.is_empty() {
        return Ok(area.clone());
    }
    let px = |v: f64| pen.px(v) as i32;
    let font = pen.font(12.0);
    let (w, _) = area.dim_in_pixel();
    let (row_h, swatch_w, gap, margin) = (px(18.0), px(26.0), px(14.0), px(10.0));
    // Lay the entries out first, then draw.
    let mut placed = Vec::new();
    let (mut x, mut row) = (margin, 0);
    for (label, swatch) in items {
        let text_w = area.estimate_text_size(label, &font).map(|s| s.0 as i32).unwrap_or(label.len() as i32 * px(7.0));
        let item_w = swatch_w + px(6.0) + text_w;
        if x > margin && x + item_w > w as i32 - margin {
            x = margin;
            row += 1;
        }
        placed.push((x, row, label, swatch));
        x += item_w + gap;
    }
    let band = (row + 1) * row_h + px(6.0);
    let (top, rest) = area.split_vertically(band);
    for (x, row, label, swatch) in placed {
        let y = px(4.0) + row * row_h + row_h / 2;
        match swatch {
            Swatch::Line(look) => {
                let style = look.stroke(pen);
                match look.dash.pattern() {
                    None => top.draw(&PathElement::new(vec![(x, y), (x + swatch_w, y)], style)),
                    Some((on, off)) => {
                        let mut a = x;
                        while a < x + swatch_w {
                            let b = (a + px(on)).min(x + swatch_w);
                            top.draw(&PathElement::new(vec![(a, y), (b, y)], style)).map_err(|e| e.to_string())?;
                            a = b + px(off);
                        }
                        Ok(())
                    }
                }
                .map_err(|e| e.to_string())?;
                let at = (x + swatch_w / 2, y);
                each_marker!(look, pen, |m| top.draw(&(EmptyElement::at(at) + m())).map_err(|e| e.to_string()))?;
            }
            Swatch::Bar { color, fill, mark } => {
                for style in fill.styles(*color, pen) {
                    top.draw(&Rectangle::new([(x, y - px(4.0)), (x + swatch_w - px(6.0), y + px(4.0))], style)).map_err(|e| e.to_string())?;
                }
                let end = Look { color: *color, dash: Dash::Solid, mark: *mark, hollow: fill.hollow(), width: 2.0 };
                let at = (x + swatch_w - px(6.0), y);
                each_marker!(&end, pen, |m| top.draw(&(EmptyElement::at(at) + m())).map_err(|e| e.to_string()))?;
            }
            Swatch::Marker(look) => {
                let at = (x + swatch_w / 2, y);
                each_marker!(look, pen, |m| top.draw(&(EmptyElement::at(at) + m())).map_err(|e| e.to_string()))?;
            }
            Swatch::Fill(c) => {
                top.draw(&Rectangle::new([(x + px(4.0), y - px(5.0)), (x + swatch_w - px(4.0), y + px(5.0))], c.filled()))
                    .map_err(|e| e.to_string())?;
            }
        }
        top.draw(&Text::new(label.clone(), (x + swatch_w + px(6.0), y - px(6.0)), font.clone())).map_err(|e| e.to_string())?;
    }
    Ok(rest)
}
