//! The widgets' WebAssembly module: finds every `[data-widget]` placeholder on the page and mounts its widget.
//!
//! One module serves every page. It starts by installing a panic hook that
//! turns a panic into a visible error on every widget (a panic in WASM
//! stops the whole module, so a silent page would be worse), reads the
//! shared scenario from the URL, then mounts each placeholder on its own:
//! a placeholder whose props are broken shows its own error and the others
//! still mount.

pub(crate) mod bar;
pub mod dom;
pub(crate) mod progress;
pub(crate) mod recheck;
pub(crate) mod scenario;
pub(crate) mod slider;
pub(crate) mod staged;
pub(crate) mod theme;
pub(crate) mod tools;
pub(crate) mod widgets;
pub(crate) mod workers;

use wasm_bindgen::prelude::*;
use widget_props::Widget;

/// Entry point, run by wasm-bindgen once the module is instantiated.
#[wasm_bindgen(start)]
pub fn start() {
    // In a simulation worker (no window) the module only answers jobs.
    if web_sys::window().is_none() {
        return;
    }
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        dom::fail_all(&format!("The interactive figures stopped: {info}"));
    }));
    // Leptos schedules effects on the browser's microtask queue; this must be
    // set before the first signal or effect is created.
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let shared = scenario::Shared::load();
    let theme = theme::watch();
    // Where the page's widgets read the scenario, the preprocessor left the bar's place.
    bar::mount(shared);
    for el in dom::placeholders() {
        let name = el.get_attribute("data-widget").unwrap_or_default();
        let props = el.get_attribute("data-props").unwrap_or_else(|| "{}".into());
        match Widget::from_placeholder(&name, &props) {
            Ok(w) => widgets::mount(el, w, shared, theme),
            Err(e) => dom::fail(&el, &format!("This figure could not start: {e}")),
        }
    }
}

/// Deliberately panic: lets the browser tests check that a panic shows up
/// as a visible error on every widget rather than a silently dead page.
#[wasm_bindgen]
pub fn widgets_self_test_panic() {
    panic!("self-test panic requested by the page");
}

/// Time the model's speed targets in this browser: the median over a few
/// runs, in ms, as JSON. `cargo xtask bench` calls it; pages never do.
#[cfg(feature = "bench")]
#[wasm_bindgen]
pub fn widgets_bench_model() -> String {
    let Some(perf) = web_sys::window().and_then(|w| w.performance()) else { return "{}".into() };
    let median = |runs: usize, f: fn() -> f64| {
        let mut t: Vec<f64> = (0..runs)
            .map(|_| {
                let t0 = perf.now();
                std::hint::black_box(f());
                perf.now() - t0
            })
            .collect();
        t.sort_by(f64::total_cmp);
        t[runs / 2]
    };
    let a = median(21, perfmodel::bench::analytic_3x200);
    let s = median(5, perfmodel::bench::sim_100k_at_10k);
    format!(r#"{{"analytic_3_patterns_x_200_points_ms":{a},"sim_100k_requests_at_n_10000_ms":{s}}}"#)
}

/// The worst-case table's figures, as JSON: name, widget and number of
/// corners of each ([`charts::worst`]). `cargo xtask bench` calls it; pages never do.
#[cfg(feature = "bench")]
#[wasm_bindgen]
pub fn widgets_bench_worst_list() -> String {
    let list: Vec<String> = charts::worst::FIGURES
        .iter()
        .map(|f| format!(r#"{{"figure":{:?},"widget":{:?},"corners":{}}}"#, f.name, f.widget, charts::worst::corners(f.reads).len()))
        .collect();
    format!("[{}]", list.join(","))
}

/// Time one figure's complete computation at one corner in this browser:
/// `{"ms":…,"events":…,"at":…}` (or `"error"` instead of `"events"`).
#[cfg(feature = "bench")]
#[wasm_bindgen]
pub fn widgets_bench_worst(figure: usize, corner: usize) -> String {
    let (Some(perf), Some(f)) = (web_sys::window().and_then(|w| w.performance()), charts::worst::FIGURES.get(figure)) else {
        return "{}".into();
    };
    let Some(s) = charts::worst::corners(f.reads).get(corner).copied() else { return "{}".into() };
    let t0 = perf.now();
    let r = (f.run)(&perfmodel::Params::default(), &s);
    let ms = perf.now() - t0;
    let at = charts::worst::label(&s);
    match r {
        Ok(events) => format!(r#"{{"ms":{ms},"events":{events},"at":{at:?}}}"#),
        Err(e) => format!(r#"{{"ms":{ms},"error":{:?},"at":{at:?}}}"#, e.to_string()),
    }
}
