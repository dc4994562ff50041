//! "Conditions": the Tokio-to-executor heatmap over I/O wait × concurrency; hover or arrow keys pick a cell and its numbers are read out.

use charts::conditions::{cell_at, draw_conditions, nearest, ConditionsData, ConditionsFrame, ConditionsInput, Metric, BENCHMARK, IO_MS, NS};
use charts::stages::Staged;
use charts::Theme;
use leptos::prelude::*;
use web_sys::HtmlElement;

use crate::scenario::Shared;
use crate::slider::MoreSettings;
use crate::widgets::canvas::Shape;

#[component]
pub(crate) fn Conditions(host: HtmlElement, shared: Shared, theme: RwSignal<Theme>, p99: bool) -> impl IntoView {
    let metric = RwSignal::new(if p99 { Metric::P99 } else { Metric::Throughput });
    let data =
        crate::staged::staged::<ConditionsData>(None, move || ConditionsInput { scenario: shared.scenario.get(), metric: metric.get() }, |d| d);
    let focus = RwSignal::new(nearest(BENCHMARK.0, BENCHMARK.1));
    let frame = Memo::new(move |_| data.get().map(|d| ConditionsFrame { data: d, focus: Some(focus.get()) }));
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    crate::widgets::redraw_on_change(host, canvas, frame, theme, Shape::chart(0.6), draw_conditions);

    let readout = move || {
        data.get()
            .map(|d| {
                let (c, r) = focus.get();
                d.describe(c, r)
            })
            .unwrap_or_else(|e| e)
    };
    let summary = move || data.get().map(|d| d.summary()).unwrap_or_else(|e| e);
    // The figure's answer at the reader's scenario, above it: the page answers first.
    let answer = move || data.with(|r| r.as_ref().map(|d| d.answer()).unwrap_or_default());
    let done = move || data.get().map(|d| d.is_complete()).unwrap_or(false).to_string();
    let on_move = move |ev: leptos::ev::MouseEvent| {
        if let Some(c) = canvas.get_untracked() {
            let w = c.client_width() as f64;
            let h = c.client_height() as f64;
            if let Some(cell) = cell_at(ev.offset_x() as f64, ev.offset_y() as f64, w, h) {
                focus.set(cell);
            }
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let (c, r) = focus.get_untracked();
        let next = match ev.key().as_str() {
            "ArrowLeft" => (c.saturating_sub(1), r),
            "ArrowRight" => ((c + 1).min(IO_MS.len() - 1), r),
            "ArrowUp" => (c, (r + 1).min(NS.len() - 1)),
            "ArrowDown" => (c, r.saturating_sub(1)),
            "Home" => nearest(BENCHMARK.0, BENCHMARK.1),
            _ => return,
        };
        ev.prevent_default();
        // mdBook would turn the arrow keys into chapter navigation.
        ev.stop_propagation();
        focus.set(next);
    };
    let uid = crate::slider::uid();
    let radio = {
        let uid = uid.clone();
        move |m: Metric, key: &'static str| {
            let id = format!("{uid}-metric-{key}");
            let for_id = id.clone();
            view! {
                <label for=for_id class="widget-radio">
                    <input type="radio" id=id name=format!("{uid}-metric") data-testid=format!("metric-{key}")
                        prop:checked=move || metric.get() == m on:change=move |_| metric.set(m) />
                    {m.label()}{if m == Metric::P99 { " (simulated, fills in cell by cell)" } else { " (analytic)" }}
                </label>
            }
        }
    };
    view! {
        <div class="widget-body" data-complete=done>
            <p class="widget-answer" data-answer data-testid="answer">{answer}</p>
            <p class="widget-hint">"Hover over or tap a cell, or focus the map and use the arrow keys (Home returns to the benchmark's cell)."</p>
            <canvas node_ref=canvas class="widget-canvas" role="img" tabindex="0" aria-label=summary data-testid="chart"
                aria-describedby=format!("{uid}-cell") on:mousemove=on_move on:click=on_move on:keydown=on_key></canvas>
            <p class="widget-status" id=format!("{uid}-cell") aria-live="polite" data-testid="cell">{readout}</p>
            <ul class="widget-legend" aria-label="Legend">
                <li><span class="widget-swatch tokio"></span>"Tokio ahead (full colour: 100× or more)"</li>
                <li><span class="widget-swatch executor hatched"></span>"executor ahead (hatched)"</li>
                <li>"pale: close to 1×; thick frame: the benchmark's cell; small square inside a cell: the cell picked; thin frame: an assumed production region (same-zone round trip to 20 ms, 100–10,000 callers)"</li>
            </ul>
            <p class="widget-summary" aria-live="polite" data-testid="summary">{summary}</p>
            <fieldset class="widget-switch">
                <legend>"Colour by"</legend>
                {radio(Metric::Throughput, "throughput")}{radio(Metric::P99, "p99")}
            </fieldset>
            <MoreSettings uid=uid.clone() shared/>
            <crate::tools::ChartTools table=Signal::derive(move || data.get().ok().map(|d| d.table())) canvas name="conditions"/>
        </div>
    }
}
