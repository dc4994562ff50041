//! Draw a chart on a canvas at the screen's pixel density, sized to its container, with text measured by the canvas itself.

use plotters::prelude::*;
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// The drawing area a chart gets: the whole canvas.
pub(crate) type Area = DrawingArea<Measured, plotters::coord::Shift>;

/// A chart's height for its width: `aspect` × width, at least `floor` CSS px, at most 460.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape {
    pub aspect: f64,
    /// The least height, CSS px, or `None` for a chart with a legend above
    /// its plot: 240, or 340 on a phone, where the legend wraps into more rows.
    pub floor: Option<f64>,
}

impl Shape {
    /// A chart whose legend may wrap above its plot.
    pub(crate) const fn chart(aspect: f64) -> Shape {
        Shape { aspect, floor: None }
    }

    /// A short chart (a few bars, a one-line legend) with its own least height.
    pub(crate) const fn short(aspect: f64, floor: f64) -> Shape {
        Shape { aspect, floor: Some(floor) }
    }
}

/// Size the canvas for a CSS width of `css_w` in `shape` at devicePixelRatio,
/// then hand a drawing area and the scale to `draw`. The width comes from the
/// caller (read once per resize), so drawing forces no layout.
pub(crate) fn draw_hidpi(
    canvas: &HtmlCanvasElement,
    css_w: f64,
    shape: Shape,
    draw: impl FnOnce(&Area, f64) -> Result<(), String>,
) -> Result<(), String> {
    let dpr = web_sys::window().map(|w| w.device_pixel_ratio()).unwrap_or(1.0).clamp(1.0, 4.0);
    let css_w = css_w.max(280.0);
    let min_h = shape.floor.unwrap_or(if css_w < 560.0 { 340.0 } else { 240.0 });
    let css_h = (css_w * shape.aspect).clamp(min_h, 460.0);
    // Resizing a canvas reallocates its pixels and restyles the page: only
    // when the size changes (every chart paints its background first).
    let (w, h) = ((css_w * dpr).round() as u32, (css_h * dpr).round() as u32);
    if canvas.width() != w || canvas.height() != h {
        let _ = canvas.style().set_property("height", &format!("{css_h}px"));
        canvas.set_width(w);
        canvas.set_height(h);
    }
    let root = Measured::new(canvas).ok_or("the canvas has no 2D context")?.into_drawing_area();
    draw(&root, dpr)
}

/// plotters' canvas backend, except that text is measured with the canvas's
/// `measureText`: plotters' own measure adds a span to the page and reads its
/// size, a forced layout of the whole page for every label.
pub(crate) struct Measured {
    inner: CanvasBackend,
    context: CanvasRenderingContext2d,
}

impl Measured {
    fn new(canvas: &HtmlCanvasElement) -> Option<Measured> {
        let context = canvas.get_context("2d").ok()??.dyn_into().ok()?;
        Some(Measured { inner: CanvasBackend::with_canvas_object(canvas.clone())?, context })
    }
}

type Failure = DrawingErrorKind<<CanvasBackend as DrawingBackend>::ErrorType>;

impl DrawingBackend for Measured {
    type ErrorType = <CanvasBackend as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }
    fn ensure_prepared(&mut self) -> Result<(), Failure> {
        self.inner.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), Failure> {
        self.inner.present()
    }
    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<(), Failure> {
        self.inner.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(&mut self, from: BackendCoord, to: BackendCoord, style: &S) -> Result<(), Failure> {
        self.inner.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(&mut self, upper_left: BackendCoord, bottom_right: BackendCoord, style: &S, fill: bool) -> Result<(), Failure> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(&mut self, path: I, style: &S) -> Result<(), Failure> {
        self.inner.draw_path(path, style)
    }
    fn draw_circle<S: BackendStyle>(&mut self, center: BackendCoord, radius: u32, style: &S, fill: bool) -> Result<(), Failure> {
        self.inner.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(&mut self, vert: I, style: &S) -> Result<(), Failure> {
        self.inner.fill_polygon(vert, style)
    }
    fn draw_text<S: BackendTextStyle>(&mut self, text: &str, style: &S, pos: BackendCoord) -> Result<(), Failure> {
        self.inner.draw_text(text, style, pos)
    }
    /// The text's advance width and its font's line box (ascent + descent), as
    /// the canvas that draws it measures them.
    fn estimate_text_size<S: BackendTextStyle>(&self, text: &str, style: &S) -> Result<(u32, u32), Failure> {
        self.context.set_font(&format!("{} {}px {}", style.style().as_str(), style.size(), style.family().as_str()));
        let m = self.context.measure_text(text).map_err(|e| DrawingErrorKind::FontError(format!("{e:?}").into()))?;
        let h = m.font_bounding_box_ascent() + m.font_bounding_box_descent();
        Ok((m.width().ceil() as u32, h.ceil() as u32))
    }
}
