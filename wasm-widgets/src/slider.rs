//! A labelled log-scale slider: a real `<input type=range>` with its unit, keyboard steps and aria-valuetext.

use leptos::prelude::*;

/// Positions of the range input; the value is `min · (max/min)^(pos/STEPS)`.
pub const STEPS: u32 = 400;

pub fn to_pos(v: f64, min: f64, max: f64) -> u32 {
    let t = (v.clamp(min, max) / min).ln() / (max / min).ln();
    (t * STEPS as f64).round() as u32
}

pub fn from_pos(pos: u32, min: f64, max: f64) -> f64 {
    min * (max / min).powf(pos.min(STEPS) as f64 / STEPS as f64)
}

/// A slider bound to `value` on a log scale between `min` and `max`.
/// `round` snaps the value (to whole callers, say); `fmt` writes it with its unit.
#[component]
pub fn LogSlider(
    id: String,
    label: &'static str,
    min: f64,
    max: f64,
    value: Signal<f64>,
    on_change: Callback<f64>,
    fmt: fn(f64) -> String,
    round: fn(f64) -> f64,
    testid: &'static str,
) -> impl IntoView {
    let pos = move || to_pos(value.get(), min, max).to_string();
    let text = move || fmt(value.get());
    let input_id = id.clone();
    view! {
        <div class="widget-slider">
            <label for=id.clone()>{label}": "<output for=id.clone() data-testid=format!("{testid}-value")>{text}</output></label>
            <input
                type="range"
                id=input_id
                data-testid=testid
                min="0"
                max=STEPS.to_string()
                step="1"
                prop:value=pos
                aria-valuetext=text
                on:input=move |ev| {
                    if let Ok(p) = event_target_value(&ev).parse::<u32>() {
                        on_change.run(round(from_pos(p, min, max)));
                    }
                }
            />
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn positions_round_trip_on_a_log_scale() {
        assert_eq!(to_pos(1.0, 1.0, 100_000.0), 0);
        assert_eq!(to_pos(100_000.0, 1.0, 100_000.0), STEPS);
        assert_eq!(to_pos(1e9, 1.0, 100_000.0), STEPS);
        let v = from_pos(to_pos(50.0, 1.0, 100_000.0), 1.0, 100_000.0);
        assert!((v - 50.0).abs() / 50.0 < 0.03, "{v}");
    }
}

/// The two sliders every scenario-driven widget shows: I/O wait and concurrency.
#[component]
pub fn ScenarioSliders(uid: String, shared: crate::scenario::Shared) -> impl IntoView {
    use charts::format::{count, number};
    let io = Signal::derive(move || shared.scenario.get().io_wait_ms);
    let n = Signal::derive(move || shared.scenario.get().concurrency as f64);
    let set_io = Callback::new(move |v: f64| shared.scenario.update(|s| s.io_wait_ms = v));
    let set_n = Callback::new(move |v: f64| shared.scenario.update(|s| s.concurrency = v as u32));
    let notes = move || shared.notes.get();
    view! {
        <Show when=move || !notes().is_empty()>
            <p class="widget-note" role="status">
                "This link's scenario was adjusted: " {move || notes().join("; ")} "."
            </p>
        </Show>
        <div class="widget-controls">
            <LogSlider
                id=format!("{uid}-io")
                label="I/O wait per request"
                min=IO_MIN_MS
                max=IO_MAX_MS
                value=io
                on_change=set_io
                fmt=|v| format!("{} ms", number(v))
                round=|v| v
                testid="io-slider"
            />
            <LogSlider
                id=format!("{uid}-n")
                label="Concurrent callers"
                min=N_MIN
                max=N_MAX
                value=n
                on_change=set_n
                fmt=|v| count(v as u32)
                round=|v| v.round().max(1.0)
                testid="n-slider"
            />
        </div>
        <div class="widget-presets" role="group" aria-label="Network presets">
            {perfmodel::scenario::PRESETS
                .iter()
                .map(|p| {
                    let rtt = p.rtt_ms;
                    view! {
                        <button
                            type="button"
                            data-testid=format!("preset-{}", p.key)
                            title=format!("{} ms round trip. Source: {}", number(p.rtt_ms), p.source)
                            aria-pressed=move || (shared.scenario.get().io_wait_ms == rtt).to_string()
                            on:click=move |_| shared.scenario.update(|s| s.io_wait_ms = rtt)
                        >
                            {p.label}" ("{number(p.rtt_ms)}" ms)"
                        </button>
                    }
                })
                .collect::<Vec<_>>()}
        </div>
        <MoreSettings uid=uid.clone() shared/>
    }
}

/// Pool size, cores, CPU work per request on the loop, background threads:
/// the rest of the shared scenario, behind a disclosure.
#[component]
pub fn MoreSettings(uid: String, shared: crate::scenario::Shared) -> impl IntoView {
    use perfmodel::scenario::range;
    let sc = shared.scenario;
    let field = move |key: &'static str, label: &'static str, (min, max): (f64, f64), step: f64,
                      get: fn(&perfmodel::Scenario) -> f64, set: fn(&mut perfmodel::Scenario, f64)| {
        let id = format!("{uid}-{key}");
        let for_id = id.clone();
        view! {
            <label for=for_id class="widget-field">
                {label}
                <input
                    type="number"
                    id=id
                    data-testid=format!("{key}-input")
                    min=min.to_string()
                    max=max.to_string()
                    step=step.to_string()
                    prop:value=move || get(&sc.get()).to_string()
                    on:change=move |ev| {
                        // Out-of-range or garbage input is brought back into range, never a panic.
                        let v = event_target_value(&ev).parse::<f64>().unwrap_or(min);
                        let v = if v.is_finite() { v.clamp(min, max) } else { min };
                        sc.update(|s| set(s, v));
                    }
                />
            </label>
        }
    };
    view! {
        <details class="widget-more">
            <summary>"More settings: pool size, cores, CPU work per request, background threads"</summary>
            <div class="widget-fields">
                {field("pool", "Executor pool size (threads)", range::POOL, 1.0,
                    |s| s.pool_size() as f64, |s, v| s.pool = Some(v as u32))}
                {field("cores", "CPU cores", range::CORES, 1.0,
                    |s| s.cores as f64, |s, v| s.cores = v as u32)}
                {field("cpu", "CPU work per request on the loop (ms, GIL held)", range::APP_CPU_MS, 0.01,
                    |s| s.app_cpu_ms, |s, v| s.app_cpu_ms = v)}
                {field("bg", "Background CPU-bound threads", range::BACKGROUND_THREADS, 1.0,
                    |s| s.background_threads as f64, |s, v| s.background_threads = v as u32)}
            </div>
            <p class="widget-hint">
                "The pool size starts at CPython's default, min(32, cores + 4); Tokio runs one worker per core."
            </p>
        </details>
    }
}

/// I/O wait slider range, ms: 10 µs (a fast local socket) to 100 ms (across continents).
pub const IO_MIN_MS: f64 = 0.01;
pub const IO_MAX_MS: f64 = 100.0;
/// Concurrency slider range: the chart's axis.
pub const N_MIN: f64 = charts::throughput::N_MIN as f64;
pub const N_MAX: f64 = charts::throughput::N_MAX as f64;

/// A fresh id prefix for one widget's controls.
pub fn uid() -> String {
    format!("w{}", (js_sys::Math::random() * 1e9) as u64)
}
