//! "Request flow": one simulated request played thread by thread, with play / pause / step / speed and a scrubber.

use std::time::Duration;

use charts::flow::{draw_flow, FlowData, FlowFrame, FlowInput};
use charts::format::number;
use charts::Theme;
use leptos::prelude::*;
use perfmodel::Pattern;
use web_sys::HtmlElement;

use crate::scenario::Shared;
use crate::slider::ScenarioSliders;
use crate::widgets::canvas::Shape;

/// Scrubber positions over the request's lifetime.
const SCRUB_STEPS: u32 = 1000;
/// At 1× the whole request plays in this many seconds, whatever its length.
const PLAY_SECONDS: f64 = 8.0;
/// Animation tick.
const TICK_MS: u64 = 40;
const SPEEDS: [(f64, &str); 5] = [(0.25, "0.25×"), (0.5, "0.5×"), (1.0, "1×"), (2.0, "2×"), (4.0, "4×")];

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}

#[component]
pub(crate) fn RequestFlow(host: HtmlElement, shared: Shared, theme: RwSignal<Theme>, pattern: Pattern) -> impl IntoView {
    let pattern = RwSignal::new(pattern);
    let (data, done) = crate::staged::whole::<FlowData>(None, move || FlowInput { scenario: shared.scenario.get(), pattern: pattern.get() });
    // The playhead as a share of the request's lifetime (0–1): it survives a
    // change of scenario, and starts at the end so the whole journey shows.
    let at = RwSignal::new(1.0f64);
    let playing = RwSignal::new(false);
    let speed = RwSignal::new(1.0f64);
    let timer: StoredValue<Option<IntervalHandle>> = StoredValue::new(None);
    let last_tick = StoredValue::new(0.0f64);

    let frame = Memo::new(move |_| {
        data.get().map(|d| {
            let at_ms = at.get() * d.latency_ms;
            FlowFrame { data: d, at_ms }
        })
    });
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    crate::widgets::redraw_on_change(host, canvas, frame, theme, Shape::chart(0.45), draw_flow);

    let stop = move || {
        if let Some(h) = timer.get_value() {
            h.clear();
        }
        timer.set_value(None);
        playing.set(false);
    };
    let play = move || {
        if at.get_untracked() >= 1.0 {
            at.set(0.0);
        }
        last_tick.set_value(now_ms());
        let tick = move || {
            let t = now_ms();
            let dt = (t - last_tick.get_value()) / 1000.0;
            last_tick.set_value(t);
            let next = at.get_untracked() + dt * speed.get_untracked() / PLAY_SECONDS;
            if next >= 1.0 {
                at.set(1.0);
                if let Some(h) = timer.get_value() {
                    h.clear();
                }
                timer.set_value(None);
                playing.set(false);
            } else {
                at.set(next);
            }
        };
        if let Ok(h) = set_interval_with_handle(tick, Duration::from_millis(TICK_MS)) {
            timer.set_value(Some(h));
            playing.set(true);
        }
    };
    on_cleanup(move || {
        if let Some(h) = timer.get_value() {
            h.clear();
        }
    });
    // Jump to the start of the next or previous leg.
    let step = move |dir: i32| {
        stop();
        let Ok(d) = data.get_untracked() else { return };
        if d.legs.is_empty() || d.latency_ms <= 0.0 {
            return;
        }
        let t = at.get_untracked() * d.latency_ms;
        let eps = d.latency_ms * 1e-9;
        let target = if dir > 0 {
            d.legs.iter().map(|l| l.start_ms).find(|&s| s > t + eps).unwrap_or(d.latency_ms)
        } else {
            // The start of the current leg, or of the one before if already there.
            let i = d.leg_at(t).unwrap_or(0);
            let cur = d.legs[i].start_ms;
            if t - cur > eps {
                cur
            } else {
                d.legs[i.saturating_sub(1)].start_ms
            }
        };
        at.set((target / d.latency_ms).clamp(0.0, 1.0));
    };

    let status = move || match frame.get() {
        Ok(f) => match f.data.leg_at(f.at_ms) {
            Some(i) if f.at_ms < f.data.latency_ms => f.data.describe(i),
            Some(_) => format!("Done after {} ms: the coroutine has its result.", number(f.data.latency_ms)),
            None => "No legs recorded.".to_string(),
        },
        Err(e) => e,
    };
    let summary = move || data.get().map(|d| d.summary()).unwrap_or_else(|e| e);
    let scrub_text = move || match data.get() {
        Ok(d) => format!("{} of {} ms", number(at.get() * d.latency_ms), number(d.latency_ms)),
        Err(_) => String::new(),
    };
    let uid = crate::slider::uid();
    let rows = move || {
        data.get()
            .map(|d| {
                d.counts
                    .into_iter()
                    .map(|c| {
                        view! {
                            <tr>
                                <th scope="row"><span class=format!("widget-swatch {}", c.pattern.name())></span>{c.pattern.label()}</th>
                                <td data-label="GIL acquisitions" data-testid=format!("acq-{}", c.pattern.name())>{c.totals.gil_acquisitions}</td>
                                <td data-label="Thread hops" data-testid=format!("hops-{}", c.pattern.name())>{c.totals.thread_hops}</td>
                                <td data-label="GIL held (µs)">{number(c.totals.gil_us())}</td>
                                <td data-label="CPU without GIL (µs)">{number(c.totals.cpu_us)}</td>
                                <td data-label="Steps">{c.steps}</td>
                            </tr>
                        }
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let radio = {
        let uid = uid.clone();
        move |p: Pattern| {
            let id = format!("{uid}-pattern-{}", p.name());
            let for_id = id.clone();
            view! {
                <label for=for_id class="widget-radio">
                    <input type="radio" id=id name=format!("{uid}-pattern") value=p.name()
                        data-testid=format!("flow-{}", p.name())
                        prop:checked=move || pattern.get() == p
                        on:change=move |_| { stop(); pattern.set(p); } />
                    <span class=format!("widget-swatch {}", p.name())></span>{p.label()}
                </label>
            }
        }
    };
    let speed_id = format!("{uid}-speed");
    let speed_for = speed_id.clone();
    let scrub_id = format!("{uid}-scrub");
    let (scrub_for, scrub_out) = (scrub_id.clone(), scrub_id.clone());
    // Erased to AnyView: one big static view type costs tens of KiB of WASM.
    let switch = view! { <fieldset class="widget-switch">
        <legend>"Pattern"</legend>
        {radio(Pattern::Sync)}{radio(Pattern::Executor)}{radio(Pattern::Tokio)}
    </fieldset> }
    .into_any();
    let player = view! { <div class="widget-controls widget-player">
        <button type="button" data-testid="flow-prev" on:click=move |_| step(-1)>"◀ Previous leg"</button>
        <button type="button" data-testid="flow-play" aria-pressed=move || playing.get().to_string()
            on:click=move |_| if playing.get_untracked() { stop() } else { play() }>
            {move || if playing.get() { "❚❚ Pause" } else { "▶ Play" }}
        </button>
        <button type="button" data-testid="flow-next" on:click=move |_| step(1)>"Next leg ▶"</button>
        <label for=speed_for>"Speed "
            <select id=speed_id data-testid="flow-speed" on:change=move |ev| {
                if let Ok(v) = event_target_value(&ev).parse::<f64>() { speed.set(v) }
            }>
                {SPEEDS.iter().map(|&(v, l)| view! { <option value=v.to_string() selected=v == 1.0>{l}</option> }).collect::<Vec<_>>()}
            </select>
        </label>
    </div> }
    .into_any();
    let scrubber = view! { <div class="widget-slider">
        <label for=scrub_for>"Position in the request: "<output for=scrub_out data-testid="flow-scrub-value">{scrub_text}</output></label>
        <input type="range" id=scrub_id data-testid="flow-scrub" min="0" max=SCRUB_STEPS.to_string() step="1"
            prop:value=move || ((at.get() * SCRUB_STEPS as f64).round() as u32).to_string()
            aria-valuetext=scrub_text
            on:input=move |ev| {
                stop();
                if let Ok(p) = event_target_value(&ev).parse::<u32>() {
                    at.set(p.min(SCRUB_STEPS) as f64 / SCRUB_STEPS as f64);
                }
            } />
    </div> }
    .into_any();
    let legend = view! { <ul class="widget-legend" aria-label="Legend">
        <li><span class="widget-key held"></span>"holds the GIL (pattern colour)"</li>
        <li><span class="widget-key waiting"></span>"waits for the GIL (pale)"</li>
        <li><span class="widget-key cpu"></span>"runs without the GIL"</li>
        <li><span class="widget-key io"></span>"waits for the network"</li>
        <li><span class="widget-key queued"></span>"queued for a thread"</li>
    </ul> }
    .into_any();
    let readout = view! { <table class="widget-readout">
                <caption>"Counted from each pattern's path in the model (the same steps both solvers use): GIL acquisitions and thread hops per request, GIL-held and GIL-free CPU per request"</caption>
                <thead>
                    <tr><th scope="col">"Pattern"</th><th scope="col">"GIL acquisitions"</th><th scope="col">"Thread hops"</th><th scope="col">"GIL held (µs)"</th><th scope="col">"CPU without GIL (µs)"</th><th scope="col">"Steps"</th></tr>
                </thead>
                <tbody>{rows}</tbody>
            </table> }.into_any();
    view! {
        <div class="widget-body" data-playing=move || playing.get().to_string() data-complete=move || done.get().to_string()>
            <ScenarioSliders uid=crate::slider::uid() shared/>
            {switch}
            {player}
            {scrubber}
            <p class="widget-status" data-testid="flow-status" aria-live=move || if playing.get() { "off" } else { "polite" }>{status}</p>
            <canvas node_ref=canvas class="widget-canvas" role="img" aria-label=summary data-testid="chart"></canvas>
            {legend}
            <p class="widget-summary" aria-live="polite" data-testid="summary">{summary}</p>
            <crate::tools::ChartTools table=Signal::derive(move || data.get().ok().map(|d| d.table())) canvas name="request-flow"/>
            {readout}
        </div>
    }
}
