//! "GIL hold time": per-thread lanes from the simulator for each pattern, with GIL use and mean wait beside them.

use charts::format::{number, percent};
use charts::gil::{draw_gil_timeline, GilTimelineData};
use charts::Theme;
use leptos::prelude::*;
use web_sys::HtmlElement;

use crate::scenario::Shared;
use crate::slider::ScenarioSliders;
use crate::widgets::canvas::Shape;

#[component]
pub(crate) fn GilTimeline(host: HtmlElement, shared: Shared, theme: RwSignal<Theme>, #[prop(optional)] shown: Option<Signal<bool>>) -> impl IntoView {
    let (data, done) = crate::staged::whole::<GilTimelineData>(shown, move || shared.scenario.get());
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    crate::widgets::redraw_on_change(host, canvas, data, theme, Shape::chart(0.8), draw_gil_timeline);
    let summary = move || data.get().map(|d| d.summary()).unwrap_or_else(|e| e);
    // The figure's answer at the reader's scenario, above it: the page answers first.
    let answer = move || data.with(|r| r.as_ref().map(|d| d.answer()).unwrap_or_default());
    let rows = move || {
        data.get()
            .map(|d| {
                d.patterns
                    .into_iter()
                    .map(|t| {
                        view! {
                            <tr>
                                <th scope="row"><span class=format!("widget-swatch {}", t.pattern.name())></span>{t.pattern.label()}</th>
                                <td data-label="GIL busy" data-testid=format!("gil-busy-{}", t.pattern.name())>{percent(t.gil_utilization)}</td>
                                <td data-label="Mean GIL wait (ms)" data-testid=format!("gil-wait-{}", t.pattern.name())>{number(t.gil_wait_ms)}</td>
                                <td data-label="Requests/s">{number(t.throughput)}</td>
                            </tr>
                        }
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    view! {
        <div class="widget-body" data-complete=move || done.get().to_string()>
            <p class="widget-answer" data-answer data-testid="answer">{answer}</p>
            <canvas node_ref=canvas class="widget-canvas" role="img" aria-label=summary data-testid="chart"></canvas>
            <ul class="widget-legend" aria-label="Legend">
                <li><span class="widget-key held"></span>"holds the GIL (pattern colour)"</li>
                <li><span class="widget-key waiting"></span>"waits for the GIL (pale, edged)"</li>
                <li><span class="widget-key cpu"></span>"runs without the GIL"</li>
                <li><span class="widget-key io"></span>"blocked on I/O"</li>
            </ul>
            <p class="widget-summary" aria-live="polite" data-testid="summary">{summary}</p>
            <ScenarioSliders uid=crate::slider::uid() shared/>
            <crate::tools::ChartTools table=Signal::derive(move || data.get().ok().map(|d| d.table())) canvas name="gil-timeline"/>
            <table class="widget-readout">
                <caption>"From the simulator (seeded): share of time the GIL is held by request work, and mean time a request waits for it"</caption>
                <thead>
                    <tr><th scope="col">"Pattern"</th><th scope="col">"GIL busy"</th><th scope="col">"Mean GIL wait (ms)"</th><th scope="col">"Requests/s"</th></tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
