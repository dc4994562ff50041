//! "Latency against concurrency" and "GIL contention": analytic means at once, simulated p99 filled in point by point from the simulation workers (or one point per task without them) so sliders stay responsive.

use charts::format::number;
use charts::latency::{draw_latency, LatencyData};
use charts::stages::Staged;
use charts::Theme;
use leptos::prelude::*;
use web_sys::HtmlElement;

use crate::scenario::Shared;
use crate::slider::ScenarioSliders;
use crate::widgets::canvas::Shape;

/// Largest "other GIL work" the contention slider offers, ms per request.
const APP_CPU_SLIDER_MAX: f64 = 2.0;

#[component]
pub(crate) fn LatencyScaling(host: HtmlElement, shared: Shared, theme: RwSignal<Theme>, contention: bool) -> impl IntoView {
    let data = crate::staged::staged::<LatencyData>(None, move || shared.scenario.get(), |d| d);
    let memo = Memo::new(move |_| data.get());
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    crate::widgets::redraw_on_change(host, canvas, memo, theme, Shape::chart(0.55), draw_latency);
    let summary = move || {
        memo.with(|r| match r {
            Ok(d) => d.summary(),
            Err(e) => e.clone(),
        })
    };
    // The figure's answer at the reader's scenario, above it: the page answers first.
    let answer = move || memo.with(|r| r.as_ref().map(|d| d.answer()).unwrap_or_default());
    let done = move || memo.with(|r| r.as_ref().is_ok_and(|d| d.is_complete())).to_string();
    let departure = move || {
        memo.with(|r| {
            r.as_ref().ok().filter(|d| d.is_complete()).map(|d| match d.departure() {
                Some(n) => format!("from {} callers", charts::format::count(n)),
                None => "at no concurrency from 1 to 100,000".into(),
            })
        })
        .unwrap_or_else(|| "…".into())
    };
    let uid = crate::slider::uid();
    let controls = contention.then(|| {
        let cpu_id = format!("{uid}-appcpu");
        let (cpu_for, cpu_out) = (cpu_id.clone(), cpu_id.clone());
        let bg_id = format!("{uid}-bgswitch");
        let bg_for = bg_id.clone();
        let cpu = move || shared.scenario.get().app_cpu_ms;
        let cpu_text = move || format!("{} ms", number(cpu()));
        view! {
            <div class="widget-controls">
                <div class="widget-slider">
                    <label for=cpu_for>"Other GIL work on the loop per request: "<output for=cpu_out data-testid="appcpu-value">{cpu_text}</output></label>
                    <input type="range" id=cpu_id data-testid="appcpu-slider" min="0" max=APP_CPU_SLIDER_MAX.to_string() step="0.01"
                        prop:value=move || cpu().min(APP_CPU_SLIDER_MAX).to_string() aria-valuetext=cpu_text
                        on:input=move |ev| {
                            if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                                shared.scenario.update(|s| s.app_cpu_ms = v.clamp(0.0, APP_CPU_SLIDER_MAX));
                            }
                        } />
                </div>
                <label for=bg_for class="widget-check">
                    <input type="checkbox" id=bg_id data-testid="bg-switch"
                        prop:checked=move || { shared.scenario.get().background_threads != 0 }
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            shared.scenario.update(|s| s.background_threads = u32::from(on));
                        } />
                    " A CPU-bound Python thread runs beside the requests"
                </label>
            </div>
        }
        .into_any()
    });
    view! {
        <div class="widget-body" data-p99-done=done>
            <p class="widget-answer" data-answer data-testid="answer">{answer}</p>
            <canvas node_ref=canvas class="widget-canvas" role="img" aria-label=summary data-testid="chart"></canvas>
            <p class="widget-hint">"Thin lines: analytic mean latency. Thick lines with markers: simulated p99, each pattern in its own dash and marker (see the legend). Vertical dashed lines: 50 callers, where aerospike-py's published benchmark ran, and the concurrency you chose."</p>
            <p class="widget-summary" aria-live="polite" data-testid="summary">{summary}</p>
            <ScenarioSliders uid=crate::slider::uid() shared/>
            {controls}
            <p>"The executor's p99 exceeds "{number(charts::latency::DEPARTURE_FACTOR)}"× Tokio's: "<strong data-testid="departure">{departure}</strong></p>
            <crate::tools::ChartTools table=Signal::derive(move || memo.with(|r| r.as_ref().ok().map(|d| d.table()))) canvas name="latency"/>
        </div>
    }
}
