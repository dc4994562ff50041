//! Draw a chart on a canvas at the screen's pixel density, sized to its container.

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

/// The drawing area a chart gets: the whole canvas.
pub type Area = DrawingArea<CanvasBackend, plotters::coord::Shift>;

/// Size the canvas for its CSS width × `aspect` at devicePixelRatio, then
/// hand a drawing area and the scale to `draw`.
pub fn draw_hidpi(
    canvas: &HtmlCanvasElement,
    aspect: f64,
    draw: impl FnOnce(&Area, f64) -> Result<(), String>,
) -> Result<(), String> {
    let dpr = web_sys::window().map(|w| w.device_pixel_ratio()).unwrap_or(1.0).clamp(1.0, 4.0);
    let css_w = (canvas.client_width() as f64).max(280.0);
    // On a phone the legend wraps into more rows above the plot: more height keeps the plot readable.
    let min_h = if css_w < 560.0 { 340.0 } else { 240.0 };
    let css_h = (css_w * aspect).clamp(min_h, 460.0);
    let _ = canvas.style().set_property("height", &format!("{css_h}px"));
    canvas.set_width((css_w * dpr).round() as u32);
    canvas.set_height((css_h * dpr).round() as u32);
    let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or("the canvas has no 2D context")?;
    let root = backend.into_drawing_area();
    draw(&root, dpr)
}
