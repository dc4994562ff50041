//! "Throughput vs concurrency": log sliders for I/O wait and concurrency, three curves, a readout, a summary.

use charts::format::{count, number};
use charts::throughput::{draw_throughput, throughput_data, N_MAX, N_MIN};
use charts::Theme;
use leptos::prelude::*;
use perfmodel::scenario::range;
use perfmodel::{Params, Pattern};
use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

use crate::dom;
use crate::scenario::Shared;
use crate::slider::LogSlider;

/// I/O wait slider range, ms: 10 µs (a fast local socket) to 100 ms (across continents).
const IO_MIN_MS: f64 = 0.01;
const IO_MAX_MS: f64 = 100.0;

#[component]
pub fn ThroughputScaling(host: HtmlElement, shared: Shared, theme: RwSignal<Theme>) -> impl IntoView {
    debug_assert!(IO_MAX_MS <= range::IO_WAIT_MS.1);
    let params = Params::default();
    let data = Memo::new(move |_| throughput_data(&params, &shared.scenario.get()).map_err(|e| e.to_string()));
    let canvas = NodeRef::<leptos::html::Canvas>::new();

    // Redraw when the window (and so the canvas) changes width.
    let width = RwSignal::new(0i32);
    let on_resize = Closure::<dyn FnMut()>::new(move || width.set(width.get_untracked() + 1));
    if let Some(w) = web_sys::window() {
        let _ = w.add_event_listener_with_callback("resize", on_resize.as_ref().unchecked_ref());
    }
    on_resize.forget();

    let host_for_effect = host.clone();
    Effect::new(move |_| {
        width.track();
        let t = theme.get();
        let Some(c) = canvas.get() else { return };
        match data.get() {
            Ok(d) => match crate::widgets::canvas::draw_hidpi(&c, 0.55, |area, scale| draw_throughput(area, &d, &t, scale)) {
                Ok(()) => dom::set_state(&host_for_effect, "ready"),
                Err(e) => dom::fail(&host_for_effect, &format!("The chart could not be drawn: {e}")),
            },
            Err(e) => dom::fail(&host_for_effect, &format!("The model refused this scenario: {e}")),
        }
    });

    let uid = format!("w{}", js_sys::Math::random().to_bits() % 1_000_000);
    let io = Signal::derive(move || shared.scenario.get().io_wait_ms);
    let n = Signal::derive(move || shared.scenario.get().concurrency as f64);
    let set_io = Callback::new(move |v: f64| shared.scenario.update(|s| s.io_wait_ms = v));
    let set_n = Callback::new(move |v: f64| shared.scenario.update(|s| s.concurrency = v as u32));
    let summary = move || data.get().map(|d| d.summary()).unwrap_or_else(|e| e);
    let row = move |p: Pattern| {
        let cell = move |f: fn(&charts::throughput::Series) -> String| {
            move || data.get().map(|d| f(d.get(p))).unwrap_or_default()
        };
        view! {
            <tr>
                <th scope="row"><span class=format!("widget-swatch {}", p.name())></span>{p.label()}</th>
                <td data-testid=format!("tput-{}", p.name())>{cell(|s| number(s.at_n))}</td>
                <td data-testid=format!("lat-{}", p.name())>{cell(|s| number(s.latency_at_n_ms))}</td>
                <td>{cell(|s| number(s.bounds.gil_ceiling))}</td>
            </tr>
        }
    };
    let notes = move || shared.notes.get();

    view! {
        <div class="widget-body">
            <Show when=move || !notes().is_empty()>
                <p class="widget-note" role="status">
                    "This link's scenario was adjusted: " {move || notes().join("; ")} "."
                </p>
            </Show>
            <div class="widget-controls">
                <LogSlider
                    id=format!("{uid}-io")
                    label="I/O wait per request"
                    min=IO_MIN_MS
                    max=IO_MAX_MS
                    value=io
                    on_change=set_io
                    fmt=|v| format!("{} ms", number(v))
                    round=|v| v
                    testid="io-slider"
                />
                <LogSlider
                    id=format!("{uid}-n")
                    label="Concurrent callers"
                    min=N_MIN as f64
                    max=N_MAX as f64
                    value=n
                    on_change=set_n
                    fmt=|v| count(v as u32)
                    round=|v| v.round().max(1.0)
                    testid="n-slider"
                />
            </div>
            <canvas node_ref=canvas class="widget-canvas" role="img" aria-label=summary data-testid="chart"></canvas>
            <p class="widget-summary" aria-live="polite" data-testid="summary">{summary}</p>
            <table class="widget-readout">
                <caption>"At the chosen point (analytic model; dashed lines are each pattern's GIL ceiling, dotted the executor's pool cap)"</caption>
                <thead>
                    <tr><th scope="col">"Pattern"</th><th scope="col">"Requests/s"</th><th scope="col">"Mean latency (ms)"</th><th scope="col">"GIL ceiling (req/s)"</th></tr>
                </thead>
                <tbody>{row(Pattern::Sync)}{row(Pattern::Executor)}{row(Pattern::Tokio)}</tbody>
            </table>
        </div>
    }
}
