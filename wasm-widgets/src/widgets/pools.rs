//! "Pool size": the executor's throughput and p99 against its pool size at the shared scenario, Tokio as the reference, the lab's measured points where the scenario is a measured cell.

use charts::pools::{draw_pools, LabPoints, PoolsData};
use charts::stages::Staged;
use charts::Theme;
use leptos::prelude::*;
use web_sys::HtmlElement;

use crate::scenario::Shared;
use crate::slider::ScenarioSliders;
use crate::widgets::canvas::Shape;

/// The lab's cells the page carries; a page without them (or with unreadable ones) still draws the model.
#[component]
pub(crate) fn PoolSize(host: HtmlElement, shared: Shared, theme: RwSignal<Theme>) -> impl IntoView {
    let (lab, lab_note) = super::embedded_bundle::<LabPoints>(&host, "the lab's measured points");
    let lab = StoredValue::new(lab);
    let data = crate::staged::staged::<PoolsData>(None, move || shared.scenario.get(), move |d| lab.with_value(|l| d.with_lab(Some(l))));
    let memo = Memo::new(move |_| data.get());
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    crate::widgets::redraw_on_change(host, canvas, memo, theme, Shape::chart(0.9), draw_pools);
    let summary = move || {
        memo.with(|r| match r {
            Ok(d) => d.summary(),
            Err(e) => e.clone(),
        })
    };
    // The figure's answer at the reader's scenario, above it: the page answers first.
    let answer = move || memo.with(|r| r.as_ref().map(|d| d.answer()).unwrap_or_default());
    let done = move || memo.with(|r| r.as_ref().is_ok_and(|d| d.is_complete())).to_string();
    let html = move || memo.with(|r| r.as_ref().map(|d| d.html()).unwrap_or_default());
    // Where the scenario is not a measured cell, offer the nearest one.
    let nearest = move || {
        let s = shared.scenario.get();
        lab.with_value(|l| if l.at(&s).is_empty() { l.nearest(&s) } else { None })
    };
    let go = move |_| {
        if let Some((io, n)) = nearest() {
            shared.scenario.update(|s| {
                s.io_wait_ms = io;
                s.concurrency = n;
                s.cores = lab.with_value(|l| f64::from(l.cores));
                s.node_cpus = lab.with_value(|l| (l.node_cpus != l.cores).then_some(l.node_cpus));
                s.pool = None;
                s.app_cpu_ms = 0.0;
                s.background_threads = 0;
            });
        }
    };
    let report = lab.with_value(|l| l.report.clone());
    view! {
        <div class="widget-body" data-complete=done>
            <p class="widget-answer" data-answer data-testid="answer">{answer}</p>
            <canvas node_ref=canvas class="widget-canvas" role="img" aria-label=summary data-testid="chart"></canvas>
            <p class="widget-hint">
                {move || match nearest() {
                    None if !report.is_empty() => format!("Diamonds and squares: the lab's measurements at this cell (report {report})."),
                    None => "No lab report carries measured points for this figure.".to_string(),
                    Some((io, n)) => format!("The lab measured the executor with its default pool and with 64 threads, and aerospike-py, at set cells; the nearest is {} ms of I/O wait and {} callers.", charts::format::number(io), charts::format::count(n)),
                }}
                " "
                <button type="button" class="widget-field-reset" data-testid="pools-nearest" hidden=move || nearest().is_none() on:click=go>"Go to the nearest measured cell"</button>
            </p>
            <p class="widget-summary" aria-live="polite" data-testid="summary">{summary}</p>
            <ScenarioSliders uid=crate::slider::uid() shared/>
            {lab_note.map(|n| view! { <p class="widget-note" role="status">{n}</p> })}
            <crate::tools::ChartTools table=Signal::derive(move || memo.with(|r| r.as_ref().ok().map(|d| d.table()))) canvas name="pool-size"/>
            <div inner_html=html></div>
        </div>
    }
}
