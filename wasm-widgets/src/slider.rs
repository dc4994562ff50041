//! A labelled log-scale slider: a real `<input type=range>` with its unit, keyboard steps a reader notices, aria-valuetext, and a box to type an exact value.

use leptos::prelude::*;

/// Positions of the range input; the value is `min · (max/min)^(pos/STEPS)`.
pub(crate) const STEPS: u32 = 400;

pub(crate) fn to_pos(v: f64, min: f64, max: f64) -> u32 {
    let t = (v.clamp(min, max) / min).ln() / (max / min).ln();
    (t * STEPS as f64).round() as u32
}

pub(crate) fn from_pos(pos: u32, min: f64, max: f64) -> f64 {
    min * (max / min).powf(pos.min(STEPS) as f64 / STEPS as f64)
}

/// Steps within one decade an arrow key walks, in tenths: about ×1.25 each, on round numbers.
const FINE: [u32; 10] = [10, 12, 15, 20, 25, 30, 40, 50, 60, 80];
/// Steps within one decade Page Up / Page Down walk, in tenths: 1, 2, 5.
const COARSE: [u32; 3] = [10, 20, 50];

/// `tenths` × 10^(e − 1), as the decimal literal would give it (a whole
/// number divided by a power of ten is correctly rounded).
fn rung(tenths: u32, e: i32) -> f64 {
    let e = e - 1;
    if e >= 0 {
        tenths as f64 * 10f64.powi(e)
    } else {
        tenths as f64 / 10f64.powi(-e)
    }
}

/// The next value on a ladder of round numbers (`ladder` within each decade)
/// above (`up`) or below `v` that `round` does not fold back onto `v`,
/// clamped to `[min, max]`. Bounded: at most 14 decades of rungs.
pub(crate) fn ladder_step(v: f64, up: bool, ladder: &[u32], min: f64, max: f64, round: fn(f64) -> f64) -> f64 {
    let v = v.clamp(min, max);
    let first = v.log10().floor() as i32 - 1;
    let rungs = (first..first + 14).flat_map(|e| ladder.iter().map(move |&t| rung(t, e))).map(round);
    let next = if up { rungs.into_iter().find(|&r| r > v * (1.0 + 1e-9)) } else { rungs.into_iter().take_while(|&r| r < v * (1.0 - 1e-9)).last() };
    next.unwrap_or(if up { max } else { min }).clamp(min, max)
}

/// What a key does to the slider's value, or `None` to leave the key to the browser.
pub(crate) fn key_step(key: &str, v: f64, min: f64, max: f64, round: fn(f64) -> f64) -> Option<f64> {
    Some(match key {
        "ArrowUp" | "ArrowRight" => ladder_step(v, true, &FINE, min, max, round),
        "ArrowDown" | "ArrowLeft" => ladder_step(v, false, &FINE, min, max, round),
        "PageUp" => ladder_step(v, true, &COARSE, min, max, round),
        "PageDown" => ladder_step(v, false, &COARSE, min, max, round),
        "Home" => round(min),
        "End" => round(max),
        _ => return None,
    })
}

/// A typed value: parsed, brought into range, and what was changed said.
pub(crate) fn typed_value(text: &str, min: f64, max: f64, round: fn(f64) -> f64, fmt: fn(f64) -> String) -> Result<(f64, Option<String>), String> {
    let t = text.trim().replace(',', "");
    let v: f64 = t.parse().map_err(|_| format!("{:?} is not a number; the value is unchanged", text.trim()))?;
    if !v.is_finite() {
        return Err(format!("{:?} is not a number; the value is unchanged", text.trim()));
    }
    let clamped = round(v.clamp(min, max));
    let note = if v < min {
        Some(format!("{} is below the smallest value, {}; set to {}", t, fmt(min), fmt(clamped)))
    } else if v > max {
        Some(format!("{} is above the largest value, {}; set to {}", t, fmt(max), fmt(clamped)))
    } else {
        None
    };
    Ok((clamped, note))
}

/// A slider bound to `value` on a log scale between `min` and `max`.
/// `round` snaps the value (to whole callers, say); `fmt` writes it with its
/// unit; `unit` labels the box for an exact value.
#[component]
pub(crate) fn LogSlider(
    id: String,
    label: &'static str,
    min: f64,
    max: f64,
    value: Signal<f64>,
    on_change: Callback<f64>,
    fmt: fn(f64) -> String,
    round: fn(f64) -> f64,
    testid: &'static str,
    #[prop(default = "")] unit: &'static str,
) -> impl IntoView {
    let pos = move || to_pos(value.get(), min, max).to_string();
    let text = move || fmt(value.get());
    let input_id = id.clone();
    let exact_id = format!("{id}-exact");
    let note = RwSignal::new(None::<String>);
    let exact_label = if unit.is_empty() { format!("{label}, exact value") } else { format!("{label}, exact value ({unit})") };
    view! {
        <div class="widget-slider">
            <label for=id.clone()>{label}": "<output for=id.clone() data-testid=format!("{testid}-value")>{text}</output></label>
            <div class="widget-slider-row">
                <input
                    type="range"
                    id=input_id
                    data-testid=testid
                    min="0"
                    max=STEPS.to_string()
                    step="1"
                    prop:value=pos
                    aria-valuetext=text
                    aria-keyshortcuts="ArrowUp ArrowDown PageUp PageDown Home End"
                    on:input=move |ev| {
                        if let Ok(p) = event_target_value(&ev).parse::<u32>() {
                            on_change.run(round(from_pos(p, min, max)));
                        }
                    }
                    on:keydown=move |ev: web_sys::KeyboardEvent| {
                        // Round-number steps instead of the range input's 1/400 of the scale.
                        if let Some(v) = key_step(&ev.key(), value.get_untracked(), min, max, round) {
                            ev.prevent_default();
                            note.set(None);
                            on_change.run(v);
                        }
                    }
                />
                <input
                    type="text"
                    inputmode="decimal"
                    class="widget-exact"
                    id=exact_id
                    data-testid=format!("{testid}-exact")
                    aria-label=exact_label
                    prop:value=move || trim(value.get())
                    on:change=move |ev| {
                        match typed_value(&event_target_value(&ev), min, max, round, fmt) {
                            Ok((v, n)) => {
                                note.set(n);
                                on_change.run(v);
                            }
                            Err(e) => note.set(Some(e)),
                        }
                        // Show the value in force, whatever was typed.
                        if let Some(t) = ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok()) {
                            t.set_value(&trim(value.get_untracked()));
                        }
                    }
                />
            </div>
            <Show when=move || note.get().is_some()>
                <p class="widget-note" role="status" data-testid=format!("{testid}-note")>{move || note.get().unwrap_or_default()}"."</p>
            </Show>
        </div>
    }
}

/// A value as a person types it: up to four significant figures, no trailing zeros.
pub fn trim(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return "0".into();
    }
    let digits = (3 - v.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
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

    #[test]
    fn keys_step_on_round_numbers_a_reader_notices() {
        let same = |v: f64| v;
        let whole = |v: f64| v.round().max(1.0);
        // The localhost wait: ten arrow presses take 0.064 to 0.6 ms (the range input's own step took it to 0.079).
        let mut v = 0.064;
        for _ in 0..10 {
            v = key_step("ArrowUp", v, 0.01, 100.0, same).unwrap();
        }
        assert_eq!(v, 0.6);
        assert_eq!(key_step("ArrowUp", 0.064, 0.01, 100.0, same), Some(0.08));
        assert_eq!(key_step("ArrowDown", 0.064, 0.01, 100.0, same), Some(0.06));
        assert_eq!(key_step("PageUp", 0.064, 0.01, 100.0, same), Some(0.1));
        assert_eq!(key_step("PageDown", 0.064, 0.01, 100.0, same), Some(0.05));
        assert_eq!(key_step("Home", 3.0, 0.01, 100.0, same), Some(0.01));
        assert_eq!(key_step("End", 3.0, 0.01, 100.0, same), Some(100.0));
        assert_eq!(key_step("Tab", 3.0, 0.01, 100.0, same), None);
        // Whole callers never stall on a rung that rounds back: 1 → 2 → 3 → 4 → 5 → 6 → 8 → 10 → 12.
        let mut n = 1.0;
        let mut seen = vec![];
        for _ in 0..8 {
            n = key_step("ArrowRight", n, 1.0, 100_000.0, whole).unwrap();
            seen.push(n);
        }
        assert_eq!(seen, [2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0]);
        assert_eq!(key_step("PageUp", 50.0, 1.0, 100_000.0, whole), Some(100.0));
        assert_eq!(key_step("PageDown", 50.0, 1.0, 100_000.0, whole), Some(20.0));
        // At the ends the value stays in range.
        assert_eq!(key_step("ArrowUp", 100_000.0, 1.0, 100_000.0, whole), Some(100_000.0));
        assert_eq!(key_step("ArrowDown", 1.0, 1.0, 100_000.0, whole), Some(1.0));
        assert_eq!(key_step("ArrowUp", 99.0, 0.01, 100.0, same), Some(100.0));
    }

    #[test]
    fn a_typed_value_is_clamped_and_explained_never_a_panic() {
        let fmt = |v: f64| format!("{v} ms");
        let same = |v: f64| v;
        assert_eq!(typed_value(" 2.5 ", 0.01, 100.0, same, fmt), Ok((2.5, None)));
        let (v, note) = typed_value("0.001", 0.01, 100.0, same, fmt).unwrap();
        assert_eq!(v, 0.01);
        assert_eq!(note.unwrap(), "0.001 is below the smallest value, 0.01 ms; set to 0.01 ms");
        assert!(typed_value("1e9", 0.01, 100.0, same, fmt).unwrap().1.unwrap().contains("above the largest value"));
        assert!(typed_value("abc", 0.01, 100.0, same, fmt).unwrap_err().contains("not a number"));
        assert!(typed_value("NaN", 0.01, 100.0, same, fmt).is_err());
        assert!(typed_value("inf", 0.01, 100.0, same, fmt).is_err());
        assert_eq!(typed_value("1,000", 1.0, 100_000.0, |v| v.round(), |v| v.to_string()).unwrap().0, 1000.0);
        assert_eq!(trim(0.064), "0.064");
        assert_eq!(trim(1500.0), "1500");
        assert_eq!(trim(87.0), "87");
    }
}

/// The shared scenario's I/O wait as a slider (with its exact-value box).
#[component]
pub(crate) fn IoSlider(uid: String, shared: crate::scenario::Shared) -> impl IntoView {
    use charts::format::number;
    let io = Signal::derive(move || shared.scenario.get().io_wait_ms);
    let set_io = Callback::new(move |v: f64| shared.scenario.update(|s| s.io_wait_ms = v));
    view! {
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
            unit="ms"
        />
    }
}

/// The two sliders every scenario-driven widget shows: I/O wait and concurrency.
#[component]
pub(crate) fn ScenarioSliders(uid: String, shared: crate::scenario::Shared) -> impl IntoView {
    use charts::format::{count, number};
    let n = Signal::derive(move || shared.scenario.get().concurrency as f64);
    let set_n = Callback::new(move |v: f64| shared.scenario.update(|s| s.concurrency = v as u32));
    let notes = move || shared.notes.get();
    view! {
        <Show when=move || !notes().is_empty()>
            <p class="widget-note" role="status">
                "The scenario was adjusted: " {move || notes().join("; ")} "."
            </p>
        </Show>
        <div class="widget-controls">
            <IoSlider uid=uid.clone() shared/>
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
pub(crate) fn MoreSettings(uid: String, shared: crate::scenario::Shared) -> impl IntoView {
    use perfmodel::scenario::range;
    let sc = shared.scenario;
    let uid_c = uid.clone();
    let field = move |key: &'static str,
                      label: &'static str,
                      (min, max): (f64, f64),
                      step: f64,
                      get: fn(&perfmodel::Scenario) -> f64,
                      set: fn(&mut perfmodel::Scenario, f64)| {
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
    // A choice among named options (key, words), its view erased so each one adds no view type.
    let choice = move |key: &'static str,
                       label: &'static str,
                       options: Vec<(&'static str, &'static str)>,
                       get: fn(&perfmodel::Scenario) -> &'static str,
                       set: fn(&mut perfmodel::Scenario, &str)| {
        let id = format!("{uid_c}-{key}");
        let for_id = id.clone();
        view! {
            <label for=for_id class="widget-field">
                {label}
                <select id=id data-testid=format!("{key}-input")
                    prop:value=move || get(&sc.get())
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        sc.update(|s| set(s, &v));
                    }>
                    {options.into_iter().map(|(k, w)| view! { <option value=k>{w}</option> }).collect_view()}
                </select>
            </label>
        }
        .into_any()
    };
    view! {
        <details class="widget-more">
            <summary>"More settings: pool size, cores and node CPUs, Python build, machine costs, CPU work per request, background threads"</summary>
            <div class="widget-fields">
                {field("pool", "Executor pool size (threads)", range::POOL, 1.0,
                    |s| s.pool_size() as f64, |s, v| s.pool = Some(v as u32))}
                <button type="button" class="widget-field-reset" data-testid="pool-default"
                    disabled=move || sc.get().pool.is_none()
                    on:click=move |_| sc.update(|s| s.pool = None)>
                    {move || format!("Python's default ({})", perfmodel::scenario::default_pool(sc.get().node_cpu_count()))}
                </button>
                {field("cores", "CPU quota (cores the process may use)", range::CORES, 0.25,
                    |s| s.cores, |s, v| s.cores = v)}
                {field("ncpu", "Node CPUs (what os.cpu_count() reports)", range::NODE_CPUS, 1.0,
                    |s| s.node_cpu_count() as f64, |s, v| s.node_cpus = Some(v as u32))}
                {choice("py", "Python build", charts::service::PYTHONS.iter().map(|(_, k, w)| (*k, *w)).collect(),
                    |s| charts::service::python_key(s.python),
                    |s, v| if let Some((py, _, _)) = charts::service::PYTHONS.iter().find(|(_, k, _)| *k == v) { s.python = *py })}
                {choice("machine", "Machine costs", perfmodel::machine::PROFILES.iter().map(|p| (p.key, p.label)).collect(),
                    |s| s.machine.profile().key,
                    |s, v| if let Some(p) = perfmodel::machine::PROFILES.iter().find(|p| p.key == v) { s.machine = p.machine })}
                {field("cpu", "CPU work per request on the loop (ms, GIL held)", range::APP_CPU_MS, 0.01,
                    |s| s.app_cpu_ms, |s, v| s.app_cpu_ms = v)}
                {field("bg", "Background CPU-bound threads", range::BACKGROUND_THREADS, 1.0,
                    |s| s.background_threads as f64, |s, v| s.background_threads = v as u32)}
            </div>
            <p class="widget-hint">
                "The pool size starts at CPython's default, min(32, os.cpu_count() + 4), and os.cpu_count() counts the node's CPUs, not a container's CPU quota: a 2-core quota on a 32-CPU node gets 32 threads. Tokio's default runs one worker per core of the quota. Machine costs: the lab's, measured on Linux x86_64, are the default, as the closest to a production client host; the Darwin arm64 profile scales every CPU cost and thread wake-up by the speed fitted to aerospike-py's published one-caller latencies. It gives that machine's client costs, not its published throughputs, which something outside the client limited (Methodology, Machine profiles)."
            </p>
        </details>
    }
}

/// I/O wait slider range, ms: 10 µs (a fast local socket) to 100 ms (across continents).
pub(crate) const IO_MIN_MS: f64 = 0.01;
pub(crate) const IO_MAX_MS: f64 = 100.0;
/// Concurrency slider range: the model's (and the chart's axis).
pub(crate) const N_MIN: f64 = perfmodel::scenario::range::CONCURRENCY.0;
pub(crate) const N_MAX: f64 = perfmodel::scenario::range::CONCURRENCY.1;

/// A fresh id prefix for one widget's controls.
pub(crate) fn uid() -> String {
    format!("w{}", (js_sys::Math::random() * 1e9) as u64)
}
