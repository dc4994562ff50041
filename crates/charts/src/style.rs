//! Drawing pieces the charts share: lengths and fonts at a device scale, the log-log concurrency axes.

use plotters::chart::MeshStyle;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::{combinators::LogCoord, Shift};
use plotters::prelude::*;

use crate::format::si;
use crate::Theme;
use perfmodel::scenario::range::{CONCURRENCY_MAX as N_MAX, CONCURRENCY_MIN as N_MIN};

/// Lengths and fonts scaled for the device (devicePixelRatio), in the theme's colours.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pen<'a> {
    pub theme: &'a Theme,
    pub scale: f64,
}

impl<'a> Pen<'a> {
    /// Start a drawing: fill the area with the theme's background.
    pub fn fill<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, theme: &'a Theme, scale: f64) -> Result<Pen<'a>, String> {
        area.fill(&theme.background).map_err(|e| e.to_string())?;
        Ok(Pen { theme, scale })
    }
    pub(crate) fn px(&self, v: f64) -> u32 {
        (v * self.scale).round() as u32
    }
    /// How many tick labels `width` device pixels hold, one per `every` CSS px (2 to 10).
    pub(crate) fn labels_for(&self, width: u32, every: f64) -> usize {
        ((width as f64 / (every * self.scale)) as usize).clamp(2, 10)
    }
    /// Whether an area `width` device pixels wide is a phone's (under 560 CSS px).
    pub(crate) fn narrow(&self, width: u32) -> bool {
        (width as f64) < 560.0 * self.scale
    }
    pub fn font(&self, size: f64) -> TextStyle<'static> {
        // FontFamily, not "sans-serif": a &str family is lowercased at run time (str::to_lowercase and its tables in the module).
        (FontFamily::SansSerif, size * self.scale).into_font().color(&self.theme.foreground)
    }
    /// The mesh of a chart of values (not a timeline): faint minor lines, the
    /// grid colour for major ones, tick labels at 12 px, axis titles at 13 px.
    pub(crate) fn value_mesh<'m, 'c, 'b, X, Y, XT, YT, DB>(&self, mesh: &'m mut MeshStyle<'c, 'b, X, Y, DB>) -> &'m mut MeshStyle<'c, 'b, X, Y, DB>
    where
        X: Ranged<ValueType = XT> + ValueFormatter<XT>,
        Y: Ranged<ValueType = YT> + ValueFormatter<YT>,
        DB: DrawingBackend,
    {
        mesh.light_line_style(self.theme.grid.mix(0.35))
            .bold_line_style(self.theme.grid)
            .axis_style(self.theme.foreground)
            .label_style(self.font(12.0))
            .axis_desc_style(self.font(13.0))
    }
}

/// "Executor", "Tokio": a pattern's label up to its first space, where the
/// full label does not fit (legend entries about it, titles on a phone).
pub(crate) fn short_label(p: perfmodel::Pattern) -> &'static str {
    p.label().split(' ').next().unwrap_or(p.label())
}

/// A pattern's label, short on a phone-width area.
pub fn label_for(p: perfmodel::Pattern, narrow: bool) -> &'static str {
    if narrow {
        short_label(p)
    } else {
        p.label()
    }
}

/// The label of a bar chart's row at `v` on its y axis: rows run top to
/// bottom as `names` do (row 0 at the top); between rows, nothing.
pub(crate) fn row_label(v: f64, names: &[String]) -> String {
    let n = names.len();
    let i = v.round();
    if (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n {
        names[n - 1 - i as usize].clone()
    } else {
        String::new()
    }
}

/// How a horizontal bar chart's axes are laid out, in CSS px.
pub(crate) struct BarAxes<'a> {
    /// The rows' names, top to bottom.
    pub names: &'a [String],
    /// The value axis runs from 0 to this.
    pub hi: f64,
    pub x_desc: &'a str,
    /// Room for the names at the left.
    pub label_px: f64,
    /// Room at the right (for a label past the longest bar).
    pub right_px: f64,
}

/// A horizontal bar chart's axes, drawn: one row per name, top to bottom, its
/// value from 0 along x with SI tick labels; rows sit at `n - 1 - i`.
pub(crate) fn bar_axes<'a, DB: DrawingBackend>(
    plot: &'a DrawingArea<DB, Shift>,
    pen: Pen,
    a: &BarAxes,
) -> Result<ChartContext<'a, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>>, String> {
    let px = |v: f64| pen.px(v);
    let n = a.names.len().max(1);
    let mut chart = ChartBuilder::on(plot)
        .margin(px(10.0))
        .margin_right(px(10.0_f64.max(a.right_px)))
        .x_label_area_size(px(40.0))
        .y_label_area_size(px(a.label_px))
        .build_cartesian_2d(0.0..a.hi, -0.5..n as f64 - 0.5)
        .map_err(|e| e.to_string())?;
    pen.value_mesh(chart.configure_mesh().disable_y_mesh())
        .x_desc(a.x_desc)
        .x_labels(pen.labels_for(plot.dim_in_pixel().0.saturating_sub(px(a.label_px + a.right_px)), 70.0))
        .y_labels(n)
        .x_label_formatter(&|v| si(*v))
        .y_label_formatter(&|v| row_label(*v, a.names))
        .draw()
        .map_err(|e| e.to_string())?;
    Ok(chart)
}

/// Whole decades enclosing `[lo, hi]`, for a log axis.
pub fn decades(lo: f64, hi: f64) -> (f64, f64) {
    (10f64.powf(lo.log10().floor()), 10f64.powf(hi.log10().ceil()))
}

pub(crate) type LogLog = Cartesian2d<LogCoord<f64>, LogCoord<f64>>;

/// Axes of "something against concurrent callers", both on log scales, with
/// the mesh and labels drawn.
pub(crate) fn concurrency_axes<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    pen: Pen,
    y: (f64, f64),
    y_desc: &str,
) -> Result<ChartContext<'a, DB, LogLog>, String> {
    log_axes(area, pen, (N_MIN as f64, N_MAX as f64), "concurrent callers (log)", y, y_desc)
}

/// Log–log axes over `x` and `y`, with the mesh and labels drawn.
pub(crate) fn log_axes<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    pen: Pen,
    (x_lo, x_hi): (f64, f64),
    x_desc: &str,
    (y_lo, y_hi): (f64, f64),
    y_desc: &str,
) -> Result<ChartContext<'a, DB, LogLog>, String> {
    let mut chart = ChartBuilder::on(area)
        .margin(pen.px(10.0))
        // Room for the last decade's label ("100k") past the plot's edge.
        .margin_right(pen.px(22.0))
        .x_label_area_size(pen.px(40.0))
        .y_label_area_size(pen.px(64.0))
        .build_cartesian_2d((x_lo..x_hi).log_scale(), (y_lo..y_hi).log_scale())
        .map_err(|e| e.to_string())?;
    pen.value_mesh(&mut chart.configure_mesh())
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_label_formatter(&|v| si(*v))
        .y_label_formatter(&|v| si(*v))
        .draw()
        .map_err(|e| e.to_string())?;
    Ok(chart)
}
