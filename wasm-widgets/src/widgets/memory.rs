//! "Memory usage": resident or reserved memory against concurrency, a pod-limit slider, and where each pattern exceeds it.

use charts::format::{count, number};
use charts::memory::{draw_memory, memory_data, MemoryView};
use charts::Theme;
use leptos::prelude::*;
use perfmodel::scenario::range;
use perfmodel::Params;
use web_sys::HtmlElement;

use crate::scenario::Shared;
use crate::slider::LogSlider;
use crate::widgets::canvas::Shape;

#[component]
pub(crate) fn MemoryUsage(
    host: HtmlElement,
    shared: Shared,
    theme: RwSignal<Theme>,
    reserved: bool,
    #[prop(optional)] shown: Option<Signal<bool>>,
) -> impl IntoView {
    let params = Params::default();
    let view_sig = RwSignal::new(if reserved { MemoryView::Reserved } else { MemoryView::Resident });
    let data = crate::widgets::while_shown(shown, move || memory_data(&params, &shared.scenario.get(), view_sig.get()).map_err(|e| e.to_string()));
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    crate::widgets::redraw_on_change(host, canvas, data, theme, Shape::chart(0.55), draw_memory);
    let uid = crate::slider::uid();
    let n = Signal::derive(move || shared.scenario.get().concurrency as f64);
    let lim = Signal::derive(move || shared.scenario.get().pod_limit_mib);
    let set_n = Callback::new(move |v: f64| shared.scenario.update(|s| s.concurrency = v as u32));
    let set_lim = Callback::new(move |v: f64| shared.scenario.update(|s| s.pod_limit_mib = v));
    let summary = move || data.get().map(|d| d.summary()).unwrap_or_else(|e| e);
    // The figure's answer at the reader's scenario, above it: the page answers first.
    let answer = move || data.with(|r| r.as_ref().map(|d| d.answer()).unwrap_or_default());
    let radio = move |v: MemoryView, label: String, id: String| {
        view! {
            <label class="widget-radio">
                <input
                    type="radio"
                    name=format!("{id}-view")
                    data-testid=format!("view-{}", if v == MemoryView::Resident { "resident" } else { "reserved" })
                    prop:checked=move || view_sig.get() == v
                    on:change=move |_| view_sig.set(v)
                />
                {label}
            </label>
        }
    };
    let rows = move || {
        data.get()
            .map(|d| {
                d.series
                    .into_iter()
                    .map(|s| {
                        view! {
                            <tr>
                                <th scope="row"><span class=format!("widget-swatch {}", s.pattern.name())></span>{s.pattern.label()}</th>
                                <td data-label="Threads">{count(s.threads_at_n)}</td>
                                <td data-label="Resident (MiB)" data-testid=format!("resident-{}", s.pattern.name())>{number(s.resident_at_n)}</td>
                                <td data-label="Reserved (MiB)">{number(s.reserved_at_n)}</td>
                                <td data-label="Exceeds the limit at" data-testid=format!("exceeds-{}", s.pattern.name())>{s.exceeds_at.map(count).unwrap_or_else(|| "never".into())}</td>
                            </tr>
                        }
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    view! {
        <div class="widget-body">
            <p class="widget-answer" data-answer data-testid="answer">{answer}</p>
            <p class="widget-hint">
                "A thread reserves its whole stack as address space, but only the pages it touches become resident; the container's limit counts the resident part."
            </p>
            <canvas node_ref=canvas class="widget-canvas" role="img" aria-label=summary data-testid="chart"></canvas>
            <p class="widget-summary" aria-live="polite" data-testid="summary">{summary}</p>
            <div class="widget-controls">
                <LogSlider id=format!("{uid}-n") label="Concurrent callers" min=crate::slider::N_MIN max=crate::slider::N_MAX
                    value=n on_change=set_n fmt=|v| count(v as u32) round=|v| v.round().max(1.0) testid="n-slider"/>
                <LogSlider id=format!("{uid}-mem") label="Pod memory limit" min=range::POD_LIMIT_MIB.0 max=65_536.0
                    value=lim on_change=set_lim fmt=|v| format!("{} MiB", number(v)) round=|v| v.round() testid="mem-slider" unit="MiB"/>
            </div>
            <fieldset class="widget-switch">
                <legend>"Show"</legend>
                {radio(MemoryView::Resident, "resident memory (what a container limit counts)".into(), uid.clone())}
                {radio(
                    MemoryView::Reserved,
                    // The stack sizes are the model's parameters, not typed here.
                    format!(
                        "reserved address space ({} MiB stack per Python thread, {} MiB per Tokio worker)",
                        number(params.thread_stack_mib),
                        number(params.tokio_stack_mib)
                    ),
                    uid.clone(),
                )}
            </fieldset>
            <crate::tools::ChartTools table=Signal::derive(move || data.get().ok().map(|d| d.table())) canvas name="memory"/>
            <table class="widget-readout">
                <caption>"At the chosen concurrency; the last column is the concurrency at which resident memory first exceeds the limit"</caption>
                <thead>
                    <tr><th scope="col">"Pattern"</th><th scope="col">"Threads"</th><th scope="col">"Resident (MiB)"</th><th scope="col">"Reserved (MiB)"</th><th scope="col">"Exceeds the limit at"</th></tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
