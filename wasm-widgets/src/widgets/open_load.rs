//! "Open versus closed load": p99 and goodput against the arrival rate at the shared scenario's I/O wait, each pattern's capacity, the lab's open-load points, and the chosen rate as the closed loop it implies.

use charts::format::number;
use charts::open_load::{draw_open, OpenData, OpenInput, OpenLab};
use charts::stages::Staged;
use charts::Theme;
use leptos::prelude::*;
use perfmodel::scenario::range;
use web_sys::HtmlElement;

use crate::scenario::{page_param, set_page_param, Shared};
use crate::slider::{uid, IoSlider, LogSlider, MoreSettings};
use crate::widgets::canvas::Shape;

/// The page's own values in its address: the arrival rate and the timeout.
const RATE: &str = "rate";
const TIMEOUT: &str = "timeout";
const BURSTS: &str = "bursts";

/// A value from the address, clamped into `range`; the sentence says what was wrong.
fn from_link(key: &str, (lo, hi): (f64, f64), start: f64, what: &str) -> (f64, Option<String>) {
    let Some(text) = page_param(key) else {
        return (start, None);
    };
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && (lo..=hi).contains(&v) => (v, None),
        Ok(v) if v.is_finite() => {
            let c = v.clamp(lo, hi);
            (c, Some(format!("The link's {what} {text} is outside {}–{}; using {}", number(lo), number(hi), number(c))))
        }
        _ => (start, Some(format!("The link's {what} {text:?} is not a number; using {}", number(start)))),
    }
}

#[component]
pub(crate) fn OpenLoad(host: HtmlElement, shared: Shared, theme: RwSignal<Theme>, rate: f64, timeout_ms: f64) -> impl IntoView {
    // The lab's cells the page carries; a page without them (or with unreadable ones) still draws the model.
    let (lab, lab_note) = super::embedded_bundle::<OpenLab>(&host, "the lab's open-load points");
    let lab = StoredValue::new(lab);
    let (start_rate, rate_note) = from_link(RATE, range::ARRIVAL_RATE, rate, "arrival rate");
    let (start_timeout, timeout_note) = from_link(TIMEOUT, range::TIMEOUT_MS, timeout_ms, "timeout (ms)");
    let (start_bursts, bursts_note) = from_link(BURSTS, range::BURSTINESS, 1.0, "burstiness");
    let link_notes: Vec<String> = rate_note.into_iter().chain(timeout_note).chain(bursts_note).collect();
    let rate = RwSignal::new(start_rate);
    let timeout = RwSignal::new(start_timeout);
    let bursts = RwSignal::new(start_bursts);
    // The figure's scenario: the shared one, with this page's arrivals.
    let scenario = move || {
        let b = bursts.get();
        perfmodel::Scenario { burstiness: (b > 1.0).then_some(b), ..shared.scenario.get() }
    };
    // The analytic part draws at once; the simulations run in the workers
    // (or in tasks on the page where none runs), the run carrying the figure's rate and timeout.
    let input = move || OpenInput { scenario: scenario(), rate: rate.get(), timeout_ms: timeout.get() };
    let data = crate::staged::staged::<OpenData>(None, input, move |d| lab.with_value(|l| d.with_lab(Some(l))));
    // The page's own values go into the address once the reader changes them.
    let set_rate = Callback::new(move |v: f64| {
        rate.set(v);
        set_page_param(RATE, Some(&crate::slider::trim(v)));
    });
    let set_timeout = Callback::new(move |v: f64| {
        timeout.set(v);
        set_page_param(TIMEOUT, Some(&crate::slider::trim(v)));
    });
    let memo = Memo::new(move |_| data.get());
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    crate::widgets::redraw_on_change(host, canvas, memo, theme, Shape::chart(0.9), draw_open);
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
    // Where the lab measured at other I/O waits, offer them.
    let lab_waits = lab.with_value(|l| l.io_waits());
    let measured_here = move || memo.with(|r| r.as_ref().is_ok_and(|d| !d.measured.is_empty()));
    let cores = lab.with_value(|l| l.cores);
    let node_cpus = lab.with_value(|l| (l.node_cpus != l.cores).then_some(l.node_cpus));
    let report = lab.with_value(|l| l.report.clone());
    let id = uid();
    view! {
        <div class="widget-body" data-complete=done>
            <p class="widget-answer" data-answer data-testid="answer">{answer}</p>
            {lab_note.map(|n| view! { <p class="widget-note" role="status">{n}</p> })}
            {(!link_notes.is_empty()).then(|| view! { <p class="widget-note" role="status">{link_notes.join("; ")}"."</p> })}
            <canvas node_ref=canvas class="widget-canvas" role="img" aria-label=summary data-testid="chart"></canvas>
            <p class="widget-summary" aria-live="polite" data-testid="summary">{summary}</p>
            <p class="widget-hint">
                {move || if measured_here() {
                    format!("Hollow markers: the lab's open-load measurements at this I/O wait (report {report}); at the top edge, a rate the client did not keep up with.")
                } else if lab_waits.is_empty() {
                    "No open-load lab report carries measured points for this figure.".to_string()
                } else {
                    format!("The lab measured an open load at {} ms of I/O wait, on {} of a machine's CPUs with nothing else on the GIL:", lab_waits.iter().map(|v| number(*v)).collect::<Vec<_>>().join(" and "), if cores == 1 { "one".to_string() } else { cores.to_string() })
                }}
                " "
                {lab.with_value(|l| l.io_waits()).into_iter().map(|w| view! {
                    <button type="button" class="widget-field-reset" data-testid="open-lab-io" hidden=measured_here
                        on:click=move |_| shared.scenario.update(|s| {
                            s.io_wait_ms = w;
                            s.cores = f64::from(cores);
                            s.node_cpus = node_cpus;
                            s.pool = None;
                            s.app_cpu_ms = 0.0;
                            s.background_threads = 0;
                            s.tokio_workers = None;
                            s.python = Default::default();
                        })>
                        {format!("Go to {} ms", number(w))}
                    </button>
                }).collect::<Vec<_>>()}
            </p>
            <div class="widget-controls">
                <IoSlider uid=id.clone() shared/>
                <LogSlider
                    id=format!("{id}-rate")
                    label="Requests arriving per second"
                    min=range::ARRIVAL_RATE.0
                    max=range::ARRIVAL_RATE.1
                    value=rate.into()
                    on_change=set_rate
                    fmt=|v| format!("{}/s", number(v))
                    round=|v| v
                    testid="rate-slider"
                    unit="requests/s"
                />
                <LogSlider
                    id=format!("{id}-timeout")
                    label="Timeout on each call (lower panel)"
                    min=range::TIMEOUT_MS.0
                    max=range::TIMEOUT_MS.1
                    value=timeout.into()
                    on_change=set_timeout
                    fmt=|v| format!("{} ms", number(v))
                    round=|v| v
                    testid="timeout-slider"
                    unit="ms"
                />
            </div>
            <div class="widget-field">
                <label for=format!("{id}-bursts")>"Arrivals: "</label>
                <select id=format!("{id}-bursts") data-testid="bursts-input"
                    on:change=move |ev| {
                        if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                            bursts.set(v);
                            set_page_param(BURSTS, (v > 1.0).then(|| crate::slider::trim(v)).as_deref());
                        }
                    }>
                    {[(1.0, "at random moments (Poisson)"), (4.0, "in bursts (gaps' variance 4× Poisson's)"), (16.0, "in heavy bursts (16×)")]
                        .into_iter()
                        .map(|(v, label)| view! { <option value=v.to_string() selected=move || bursts.get() == v>{label}</option> })
                        .collect::<Vec<_>>()}
                </select>
            </div>
            <MoreSettings uid=id.clone() shared/>
            <crate::tools::ChartTools table=Signal::derive(move || memo.with(|r| r.as_ref().ok().map(|d| d.table()))) canvas name="open-load"/>
            <div inner_html=html></div>
        </div>
    }
}
