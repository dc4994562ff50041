//! "I/O × Concurrency": a card per pattern at the chosen point; analytic numbers at once, simulated ones as each pattern finishes.

use charts::cards::{Card, CardsData};
use charts::format::{count, number, percent};
use charts::stages::Staged;
use charts::Theme;
use leptos::prelude::*;
use perfmodel::scenario::range;
use perfmodel::Pattern;
use web_sys::HtmlElement;

use crate::scenario::Shared;
use crate::slider::{LogSlider, ScenarioSliders};

#[component]
pub(crate) fn IoConcurrency(host: HtmlElement, shared: Shared, theme: RwSignal<Theme>) -> impl IntoView {
    let _ = theme; // cards are text; colours come from CSS
    let data = crate::staged::staged::<CardsData>(None, move || shared.scenario.get(), |d| d);
    // No chart to draw: the widget is ready once its first numbers exist.
    let el = host.clone();
    Effect::new(move |_| match data.get() {
        Ok(_) => crate::dom::set_state(&el, "ready"),
        Err(e) => crate::dom::fail(&el, &format!("The model refused this scenario: {e}")),
    });
    let pool = Signal::derive(move || shared.scenario.get().pool_size() as f64);
    let set_pool = Callback::new(move |v: f64| shared.scenario.update(|s| s.pool = Some(v as u32)));
    let card = move |p: Pattern| {
        let get = move || data.get().ok().map(|d| *d.get(p));
        let sim = move |f: fn(&charts::cards::Simulated) -> String| move || get().and_then(|c| c.sim).map(|s| f(&s)).unwrap_or_else(|| "…".into());
        let ana = move |f: fn(&Card) -> String| move || get().map(|c| f(&c)).unwrap_or_default();
        view! {
            <section class=format!("widget-card {}", p.name()) aria-label=p.label() data-testid=format!("card-{}", p.name())>
                <p class="widget-card-title"><span class=format!("widget-swatch {}", p.name())></span>{p.label()}</p>
                <dl>
                    <dt>"Requests/s"</dt><dd data-testid=format!("card-tput-{}", p.name())>{ana(|c| number(c.throughput))}</dd>
                    <dt>"Mean latency"</dt><dd>{ana(|c| format!("{} ms", number(c.mean_ms)))}</dd>
                    <dt>"p50"</dt><dd>{sim(|s| format!("{} ms", number(s.p50_ms)))}</dd>
                    <dt>"p99"</dt><dd data-testid=format!("card-p99-{}", p.name())>{sim(|s| format!("{} ms", number(s.p99_ms)))}</dd>
                    // The simulator's threads: those that run requests, not the official client's own C threads (Memory counts those too).
                    <dt>"Threads running requests"</dt><dd>{sim(|s| count(s.threads))}</dd>
                    <dt>"Queued (mean)"</dt><dd data-testid=format!("card-queue-{}", p.name())>{sim(|s| number(s.queued))}</dd>
                    <dt>"GIL busy"</dt><dd>{sim(|s| percent(s.gil_utilization))}</dd>
                </dl>
            </section>
        }
    };
    let verdict = move || data.get().map(|d| d.verdict()).unwrap_or_else(|e| e);
    let ratio = move || data.get().map(|d| format!("{}×", number(d.ratio()))).unwrap_or_default();
    let done = move || data.get().map(|d| d.is_complete()).unwrap_or(false).to_string();
    let summary = move || data.get().map(|d| d.summary()).unwrap_or_else(|e| e);
    let uid = crate::slider::uid();
    view! {
        <div class="widget-body" data-complete=done>
            <p class="widget-verdict" data-answer data-testid="answer"><strong>{charts::cards::VERDICT_LEAD}<span data-testid="ratio">{ratio}</span>". "</strong>
                <span data-testid="verdict">{verdict}</span></p>
            <div class="widget-cards">{card(Pattern::Sync)}{card(Pattern::Executor)}{card(Pattern::Tokio)}</div>
            <ScenarioSliders uid=uid.clone() shared/>
            <div class="widget-controls">
                <LogSlider id=format!("{uid}-pool") label="Executor pool size" min=range::POOL.0 max=range::POOL.1
                    value=pool on_change=set_pool fmt=|v| format!("{} threads", count(v as u32)) round=|v| v.round().max(1.0) testid="pool-slider" unit="threads"/>
            </div>
            <p class="widget-hint">"Requests/s and mean latency are analytic; p50, p99, threads, queue and GIL use come from the simulator (seeded) and show “…” while it runs."</p>
            <p class="widget-visually-hidden" aria-live="polite" data-testid="summary">{summary}</p>
        </div>
    }
}
