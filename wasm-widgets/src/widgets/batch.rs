//! "Batches and the cluster": batches/s and p99 against the keys per batch at the scenario's cluster, for each pattern and the official client's two policies, with the lab's measured batch cells where the scenario is one of them.

use charts::batch::{draw_batch, BatchData, BatchLab};
use charts::format::count;
use charts::stages::Staged;
use charts::Theme;
use leptos::prelude::*;
use perfmodel::batch::Batch;
use perfmodel::scenario::range;
use web_sys::HtmlElement;

use crate::scenario::Shared;
use crate::slider::{LogSlider, ScenarioSliders};
use crate::widgets::canvas::Shape;

#[component]
pub(crate) fn BatchScaling(host: HtmlElement, shared: Shared, theme: RwSignal<Theme>) -> impl IntoView {
    // The lab's cells the page carries; a page without them (or with unreadable ones) still draws the model.
    let (lab, lab_note) = super::embedded_bundle::<BatchLab>(&host, "the lab's measured batch cells");
    let lab = StoredValue::new(lab);
    let data = crate::staged::staged::<BatchData>(None, move || shared.scenario.get(), move |d| lab.with_value(|l| d.with_lab(Some(l))));
    let memo = Memo::new(move |_| data.get());
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    crate::widgets::redraw_on_change(host, canvas, memo, theme, Shape::chart(0.9), draw_batch);
    let summary = move || {
        memo.with(|r| match r {
            Ok(d) => d.summary(),
            Err(e) => e.clone(),
        })
    };
    // The figure's answer at the reader's scenario, above it: the page answers first.
    let answer = move || memo.with(|r| r.as_ref().map(|d| d.answer()).unwrap_or_default());
    let done = move || memo.with(|r| r.as_ref().is_ok_and(|d| d.is_complete())).to_string();
    // The batch's own controls write the shared scenario's batch, so every page models it.
    let batch = move || shared.scenario.get().calls.batch.unwrap_or(Batch::START);
    let set = move |f: fn(&mut Batch, f64)| {
        Callback::new(move |v: f64| {
            shared.scenario.update(|s| {
                let mut b = s.calls.batch.unwrap_or(Batch::START);
                f(&mut b, v);
                s.calls.batch = Some(b);
                s.calls.gets = 0;
            })
        })
    };
    // Where the scenario is not a measured cell, offer the nearest one.
    let nearest = move || {
        let s = shared.scenario.get();
        lab.with_value(|l| if l.at(&s).is_empty() { l.nearest(&s) } else { None })
    };
    let has_nearest = move || nearest().is_some();
    let go = move |_| {
        if let Some(s) = nearest() {
            shared.scenario.set(s);
        }
    };
    let uid = crate::slider::uid();
    let report = lab.with_value(|l| l.report.clone());
    // The grid's node counts and callers, as the lab's cells give them.
    let grid = lab.with_value(|l| {
        let list = |mut v: Vec<u32>| {
            v.sort_unstable();
            v.dedup();
            let words: Vec<String> = v.into_iter().map(count).collect();
            match words.split_last() {
                Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
                _ => words.concat(),
            }
        };
        (list(l.cells.iter().map(|c| c.nodes).collect()), list(l.cells.iter().map(|c| c.concurrency).collect()))
    });
    view! {
        <div class="widget-body" data-complete=done>
            <p class="widget-answer" data-answer data-testid="answer">{answer}</p>
            <canvas node_ref=canvas class="widget-canvas" role="img" aria-label=summary data-testid="chart"></canvas>
            <p class="widget-hint">
                {move || if report.is_empty() {
                    "No lab report carries measured batch cells for this figure.".to_string()
                } else {
                    format!("Diamonds and squares: the lab's measured batches (report {report}), drawn where the scenario is one of its cells ({} nodes; {} callers; its injected waits plus the stub's round trip; the lab's CPUs; nothing else on the GIL).", grid.0, grid.1)
                }}
            </p>
            <p class="widget-summary" aria-live="polite" data-testid="summary">{summary}</p>
            <ScenarioSliders uid=uid.clone() shared/>
            <div class="widget-controls">
                <LogSlider
                    id=format!("{uid}-keys")
                    label="Keys per batch"
                    min=range::KEYS.0
                    max=range::KEYS.1
                    value=Signal::derive(move || batch().keys as f64)
                    on_change=set(|b, v| b.keys = v as u32)
                    fmt=|v| count(v as u32)
                    round=|v| v.round().max(1.0)
                    testid="keys-slider"
                />
                <LogSlider
                    id=format!("{uid}-nodes")
                    label="Nodes in the cluster"
                    min=range::NODES.0
                    max=range::NODES.1
                    value=Signal::derive(move || batch().nodes as f64)
                    on_change=set(|b, v| b.nodes = v as u32)
                    fmt=|v| count(v as u32)
                    round=|v| v.round().max(1.0)
                    testid="nodes-slider"
                />
            </div>
            <fieldset class="widget-switch">
                <legend>"Keys found"</legend>
                {[(1.0, "found", "every key has a record"), (0.0, "none", "no key has a record")]
                    .into_iter()
                    .map(|(f, key, words)| {
                        let id = format!("{uid}-found-{key}");
                        let for_id = id.clone();
                        view! {
                            <label for=for_id class="widget-radio">
                                <input type="radio" id=id name=format!("{uid}-found") data-testid=format!("found-{key}")
                                    prop:checked=move || batch().found == f
                                    on:change=move |_| shared.scenario.update(|s| {
                                        let mut b = s.calls.batch.unwrap_or(Batch::START);
                                        b.found = f;
                                        s.calls.batch = Some(b);
                                        s.calls.gets = 0;
                                    }) />
                                {words}
                            </label>
                        }
                    })
                    .collect::<Vec<_>>()}
            </fieldset>
            {lab_note.map(|n| view! { <p class="widget-note" role="status">{n}</p> })}
            <p class="widget-hint">
                <button type="button" class="widget-field-reset" data-testid="batch-nearest" hidden=move || !has_nearest() on:click=go>"Go to the nearest measured cell"</button>
            </p>
            <crate::tools::ChartTools table=Signal::derive(move || memo.with(|r| r.as_ref().ok().map(|d| d.table()))) canvas name="batches"/>
        </div>
    }
}
