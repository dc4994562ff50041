//! "Throughput vs concurrency": log sliders for I/O wait and concurrency, three curves, a readout, a summary.

use charts::format::number;
use charts::stages::Staged;
use charts::throughput::{draw_throughput, throughput_data, PercentilesAt};
use charts::Theme;
use leptos::prelude::*;
use perfmodel::scenario::range;
use perfmodel::{Params, Pattern};
use web_sys::HtmlElement;

use crate::scenario::Shared;
use crate::slider::{ScenarioSliders, IO_MAX_MS};
use crate::widgets::canvas::Shape;

#[component]
pub(crate) fn ThroughputScaling(
    host: HtmlElement,
    shared: Shared,
    theme: RwSignal<Theme>,
    #[prop(optional)] shown: Option<Signal<bool>>,
) -> impl IntoView {
    debug_assert!(IO_MAX_MS <= range::IO_WAIT_MS.1);
    let params = Params::default();
    let data = crate::widgets::while_shown(shown, move || throughput_data(&params, &shared.scenario.get()).map_err(|e| e.to_string()));
    // The simulated percentiles: one job per pattern, in the simulation
    // workers (or in tasks after the frame), so a slider move paints the
    // analytic figure at once; the cells say "…" until they are in.
    // A hidden tab's figure fills once at load, then waits to be shown.
    let pct = crate::staged::staged::<PercentilesAt>(shown, move || shared.scenario.get(), |d| d);
    let pct_done = move || pct.with(|r| r.as_ref().map_or(true, |d| d.is_complete()));
    let canvas = NodeRef::<leptos::html::Canvas>::new();

    crate::widgets::redraw_on_change(host, canvas, data, theme, Shape::chart(0.55), draw_throughput);

    let summary = move || data.get().map(|d| d.summary()).unwrap_or_else(|e| e);
    // The figure's answer at the reader's scenario, above it: the page answers first.
    let answer = move || data.with(|r| r.as_ref().map(|d| d.answer()).unwrap_or_default());
    let row = move |p: Pattern| {
        let cell = move |f: fn(&charts::throughput::Series) -> String| move || data.get().map(|d| f(d.get(p))).unwrap_or_default();
        let pcell = move |f: fn(&perfmodel::sim::Percentiles) -> String| {
            move || {
                pct.with(|r| match r {
                    Ok(d) => d.rows.iter().find(|(q, _)| *q == p).map(|(_, l)| f(l)).unwrap_or_else(|| "…".to_string()),
                    Err(_) => String::new(),
                })
            }
        };
        view! {
            <tr>
                <th scope="row"><span class=format!("widget-swatch {}", p.name())></span>{p.label()}</th>
                <td data-label="Requests/s" data-testid=format!("tput-{}", p.name())>{cell(|s| number(s.at_n))}</td>
                <td data-label="Mean latency (ms)" data-testid=format!("lat-{}", p.name())>{cell(|s| number(s.latency_at_n_ms))}</td>
                <td data-label="p50 (ms)" data-testid=format!("p50-{}", p.name())>{pcell(|l| number(l.p50))}</td>
                <td data-label="p99 (ms)" data-testid=format!("p99-{}", p.name())>{pcell(|l| number(l.p99))}</td>
                <td data-label="GIL ceiling (req/s)">{cell(|s| number(s.bounds.gil_ceiling))}</td>
            </tr>
        }
    };

    view! {
        <div class="widget-body" data-complete=move || pct_done().to_string()>
            <p class="widget-answer" data-answer data-testid="answer">{answer}</p>
            <canvas node_ref=canvas class="widget-canvas" role="img" aria-label=summary data-testid="chart"></canvas>
            <p class="widget-summary" aria-live="polite" data-testid="summary">{summary}</p>
            <ScenarioSliders uid=crate::slider::uid() shared/>
            <crate::tools::ChartTools table=Signal::derive(move || data.get().ok().map(|d| d.table())) canvas name="throughput"/>
            <table class="widget-readout">
                <caption>"At the chosen point. Requests/s, mean latency and the GIL ceiling are analytic (in the chart, the thin lines in each pattern's dash are the GIL ceilings, the thin dotted line the executor's pool cap); p50 and p99 come from the simulator."</caption>
                <thead>
                    <tr><th scope="col">"Pattern"</th><th scope="col">"Requests/s"</th><th scope="col">"Mean latency (ms)"</th><th scope="col">"p50 (ms)"</th><th scope="col">"p99 (ms)"</th><th scope="col">"GIL ceiling (req/s)"</th></tr>
                </thead>
                <tbody>{row(Pattern::Sync)}{row(Pattern::Executor)}{row(Pattern::Tokio)}</tbody>
            </table>
        </div>
    }
}
