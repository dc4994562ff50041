//! "Concurrent request handling": fire K requests at once and watch each pattern work through them.

use charts::burst::{draw_burst, BurstData, BurstInput, K_MAX};
use charts::format::{count, number};
use charts::Theme;
use leptos::prelude::*;
use perfmodel::Pattern;
use web_sys::HtmlElement;

use crate::scenario::Shared;
use crate::slider::LogSlider;
use crate::widgets::canvas::Shape;

#[component]
pub(crate) fn ConcurrentHandling(
    host: HtmlElement,
    shared: Shared,
    theme: RwSignal<Theme>,
    k: u32,
    #[prop(optional)] shown: Option<Signal<bool>>,
) -> impl IntoView {
    let burst = RwSignal::new(k.clamp(1, K_MAX) as f64);
    let (data, done) = crate::staged::whole::<BurstData>(shown, move || BurstInput { scenario: shared.scenario.get(), k: burst.get() as u32 });
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    crate::widgets::redraw_on_change(host, canvas, data, theme, Shape::chart(0.75), draw_burst);
    let uid = crate::slider::uid();
    let io = Signal::derive(move || shared.scenario.get().io_wait_ms);
    let set_io = Callback::new(move |v: f64| shared.scenario.update(|s| s.io_wait_ms = v));
    let set_k = Callback::new(move |v: f64| burst.set(v));
    let summary = move || data.get().map(|d| d.summary()).unwrap_or_else(|e| e);
    // The figure's answer at the reader's scenario, above it: the page answers first.
    let answer = move || data.with(|r| r.as_ref().map(|d| d.answer()).unwrap_or_default());
    let row = move |p: Pattern| {
        let cell = move |f: fn(&charts::burst::BurstSeries) -> String| move || data.get().map(|d| f(d.get(p))).unwrap_or_default();
        view! {
            <tr>
                <th scope="row"><span class=format!("widget-swatch {}", p.name())></span>{p.label()}</th>
                <td data-label="Done after (ms)" data-testid=format!("finish-{}", p.name())>{cell(|b| number(b.finish_ms))}</td>
                <td data-label="Peak in flight" data-testid=format!("peak-{}", p.name())>{cell(|b| count(b.peak_in_flight))}</td>
                <td data-label="Threads running requests" data-testid=format!("threads-{}", p.name())>{cell(|b| count(b.threads))}</td>
            </tr>
        }
    };
    view! {
        <div class="widget-body" data-complete=move || done.get().to_string()>
            <p class="widget-answer" data-answer data-testid="answer">{answer}</p>
            <canvas node_ref=canvas class="widget-canvas" role="img" aria-label=summary data-testid="chart"></canvas>
            <p class="widget-summary" aria-live="polite" data-testid="summary">{summary}</p>
            <div class="widget-controls">
                <LogSlider id=format!("{uid}-io") label="I/O wait per request" min=crate::slider::IO_MIN_MS max=crate::slider::IO_MAX_MS
                    value=io on_change=set_io fmt=|v| format!("{} ms", number(v)) round=|v| v testid="io-slider" unit="ms"/>
                <LogSlider id=format!("{uid}-k") label="Requests fired at once" min=1.0 max=K_MAX as f64
                    value=Signal::derive(move || burst.get()) on_change=set_k fmt=|v| count(v as u32) round=|v| v.round().max(1.0) testid="k-slider"/>
            </div>
            <crate::tools::ChartTools table=Signal::derive(move || data.get().ok().map(|d| d.table())) canvas name="concurrent-handling"/>
            <table class="widget-readout">
                <caption>"From the simulator (seeded): when the last request of the burst completes, the most requests in flight at once, and the threads used"</caption>
                <thead>
                    <tr><th scope="col">"Pattern"</th><th scope="col">"Done after (ms)"</th><th scope="col">"Peak in flight"</th><th scope="col">"Threads running requests"</th></tr>
                </thead>
                <tbody>{row(Pattern::Sync)}{row(Pattern::Executor)}{row(Pattern::Tokio)}</tbody>
            </table>
        </div>
    }
}
