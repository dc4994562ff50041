//! Mount a parsed widget into its placeholder.

pub(crate) mod batch;
pub(crate) mod burst;
pub(crate) mod canvas;
pub(crate) mod cards;
pub(crate) mod conditions;
pub(crate) mod dashboard;
pub(crate) mod flow;
pub(crate) mod gil;
pub(crate) mod latency;
pub mod memory;
pub(crate) mod open_load;
pub(crate) mod pools;
pub(crate) mod service;
pub(crate) mod steps;
pub(crate) mod tabs;
pub mod throughput;

use charts::Theme;
use leptos::prelude::*;
use web_sys::HtmlElement;
use widget_props::Widget;

use crate::dom;
use crate::scenario::Shared;

/// Mount `w` into its placeholder `el`. The widget marks the placeholder
/// `data-state="ready"` itself once its first frame is drawn.
pub(crate) fn mount(el: HtmlElement, w: Widget, shared: Shared, theme: RwSignal<Theme>) {
    dom::clear_loading(&el);
    let host = el.clone();
    // A widget's starting values apply unless the scenario is the reader's (a link's or a saved one).
    if shared.page_starts() {
        shared.scenario.update(|s| w.start(s));
    }
    let handle = match w {
        Widget::ThroughputScaling(_) => leptos::mount::mount_to(el, move || view! { <throughput::ThroughputScaling host shared theme/> }.into_any()),
        Widget::GilTimeline(_) => leptos::mount::mount_to(el, move || view! { <gil::GilTimeline host shared theme/> }.into_any()),
        Widget::ComparisonTabs(p) => {
            let open = p.open.unwrap_or(0) as usize;
            leptos::mount::mount_to(el, move || view! { <tabs::ComparisonTabs host shared theme open/> }.into_any())
        }
        Widget::ConcurrentHandling(p) => {
            let k = p.burst();
            leptos::mount::mount_to(el, move || view! { <burst::ConcurrentHandling host shared theme k/> }.into_any())
        }
        Widget::LatencyScaling(_) | Widget::GilContention(_) => {
            let contention = matches!(w, Widget::GilContention(_));
            leptos::mount::mount_to(el, move || view! { <latency::LatencyScaling host shared theme contention/> }.into_any())
        }
        Widget::ConditionsHeatmap(p) => {
            let p99 = p.metric == Some(widget_props::HeatMetric::P99);
            leptos::mount::mount_to(el, move || view! { <conditions::Conditions host shared theme p99/> }.into_any())
        }
        Widget::ResultsDashboard(_) => leptos::mount::mount_to(el, move || view! { <dashboard::Dashboard host theme/> }.into_any()),
        Widget::IoConcurrency(_) => leptos::mount::mount_to(el, move || view! { <cards::IoConcurrency host shared theme/> }.into_any()),
        Widget::RequestFlow(p) => {
            let pattern = p.pattern.unwrap_or(perfmodel::Pattern::Executor);
            leptos::mount::mount_to(el, move || view! { <flow::RequestFlow host shared theme pattern/> }.into_any())
        }
        Widget::RequestSteps(_) => leptos::mount::mount_to(el, move || view! { <steps::RequestSteps host shared/> }.into_any()),
        Widget::PoolSize(_) => leptos::mount::mount_to(el, move || view! { <pools::PoolSize host shared theme/> }.into_any()),
        Widget::YourService(_) => leptos::mount::mount_to(el, move || view! { <service::YourService host shared theme/> }.into_any()),
        Widget::OpenLoad(p) => {
            let (rate, timeout_ms) = (p.rate(), p.timeout_ms());
            leptos::mount::mount_to(el, move || view! { <open_load::OpenLoad host shared theme rate timeout_ms/> }.into_any())
        }
        Widget::BatchScaling(_) => leptos::mount::mount_to(el, move || view! { <batch::BatchScaling host shared theme/> }.into_any()),
        Widget::MemoryUsage(p) => {
            let reserved = p.view == Some(widget_props::charts_view::View::Reserved);
            leptos::mount::mount_to(el, move || view! { <memory::MemoryUsage host shared theme reserved/> }.into_any())
        }
    };
    handle.forget();
}

/// Redraw a chart whenever its data, the theme or its width changes, and
/// keep the placeholder's `data-state` in step with the outcome. The width is
/// read once and then reported by a `ResizeObserver`, so a redraw forces no
/// layout; a canvas in a hidden tab (width 0) is drawn once, then again when shown.
pub(crate) fn redraw_on_change<T: Clone + Send + Sync + PartialEq + 'static>(
    host: HtmlElement,
    canvas: NodeRef<leptos::html::Canvas>,
    data: impl Get<Value = Result<T, String>> + Copy + 'static,
    theme: RwSignal<Theme>,
    shape: canvas::Shape,
    draw: fn(&canvas::Area, &T, &Theme, f64) -> Result<(), String>,
) {
    let width = RwSignal::new(None::<f64>);
    let drawn = StoredValue::new(false);
    Effect::new(move |_| {
        let t = theme.get();
        let Some(c) = canvas.get() else { return };
        let css_w = match width.get() {
            Some(w) => w,
            None => {
                watch_width(&c, width);
                c.client_width() as f64
            }
        };
        let d = data.get();
        if drawn.get_value() && css_w == 0.0 {
            return;
        }
        match d {
            Ok(d) => match canvas::draw_hidpi(&c, css_w, shape, |area, scale| draw(area, &d, &t, scale)) {
                Ok(()) => {
                    drawn.set_value(true);
                    dom::set_state(&host, "ready")
                }
                Err(e) => dom::fail(&host, &format!("The chart could not be drawn: {e}")),
            },
            Err(e) => dom::fail(&host, &format!("The model refused this scenario: {e}")),
        }
    });
}

/// Keep `width` at the canvas's CSS width (0 while hidden) as the browser lays it out.
fn watch_width(c: &web_sys::HtmlCanvasElement, width: RwSignal<Option<f64>>) {
    use wasm_bindgen::prelude::*;
    width.update_untracked(|w| *w = Some(c.client_width() as f64));
    let seen = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
        let Ok(e) = entries.get(0).dyn_into::<web_sys::ResizeObserverEntry>() else { return };
        let w = e.content_rect().width().round();
        if width.get_untracked() != Some(w) {
            width.set(Some(w));
        }
    });
    if let Ok(o) = web_sys::ResizeObserver::new(seen.as_ref().unchecked_ref()) {
        o.observe(c);
    }
    seen.forget();
}

/// A figure's data, computed now and again whenever what `compute` reads
/// changes, except while the figure is hidden: a hidden tab keeps the data it
/// has and catches up once, when shown, so a slider move costs only the figures in view.
/// `shown` is `None` for a figure of its own (always on screen), a tab
/// group's signal for a figure in one of its panels (the widgets' `shown` prop).
pub(crate) fn while_shown<T: Clone + PartialEq + Send + Sync + 'static>(
    shown: Option<Signal<bool>>,
    compute: impl Fn() -> T + Send + Sync + 'static,
) -> Memo<T> {
    Memo::new(move |prev: Option<&T>| match (prev, shown) {
        (Some(p), Some(s)) if !s.get() => p.clone(),
        _ => compute(),
    })
}

/// Data the build embedded beside a widget (`<script class="widget-bundle">`
/// holding JSON), or the default where there is none. An unreadable bundle
/// gives the default and a sentence saying what the figure is drawn without,
/// so a broken file costs its own panel and no other.
pub(crate) fn embedded_bundle<T: serde::de::DeserializeOwned + Default>(host: &HtmlElement, without: &str) -> (T, Option<String>) {
    let Some(script) = host.query_selector("script.widget-bundle").ok().flatten() else {
        return (T::default(), None);
    };
    match serde_json::from_str(&script.text_content().unwrap_or_default()) {
        Ok(t) => (t, None),
        Err(e) => (T::default(), Some(format!("{without} are unreadable ({e}); the model's curves are drawn without them"))),
    }
}
