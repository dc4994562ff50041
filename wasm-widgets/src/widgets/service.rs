//! "Your service": the reader describes a service; a chart of each pattern's capacity against the load, its latency at the load, threads, memory, the smallest pool that meets the target and a verdict follow; the description becomes the site-wide scenario.

use charts::service::{
    draw_capacity, input_value, objective_key, official_key, presets, Edit, Load, Objective, Service, ServiceData, FIELDS, OBJECTIVES, OFFICIALS,
};
use charts::stages::Staged;
use charts::Theme;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use crate::scenario::{Origin, Shared};
use crate::widgets::canvas::Shape;

/// The service's own settings beyond the site-wide scenario, in the page's link and in local storage.
const STORAGE_KEY: &str = "aerospike-py-perf.service";
const SERVER: &str = "srv";
const RATE: &str = "rate";
const TARGET: &str = "p99";
/// Worker processes: a setting of this page's alone until every figure models them.
const WORKERS: &str = "workers";
/// No web server in front (`web=0`): this page's alone, as the other pages model a bare loop of calls.
const WEB: &str = "web";
/// How the service calls the official client today, when not through run_in_executor (`call=def`, `call=blocking`).
const CALL: &str = "call";
/// What the verdict weighs, when not the target at the load (`goal=most`, `goal=throughput`).
const GOAL: &str = "goal";
/// Work awaited on the executor's pool per request (ms) and its share holding the GIL: this page's alone.
const OFFLOAD: &str = "off";
const OFFLOAD_GIL: &str = "offgil";

/// The service's own settings as a query string (no leading `?`).
fn extras(s: &Service) -> String {
    let mut q = format!("{SERVER}={}&{TARGET}={}", s.server_ms, s.target_p99_ms);
    if let Load::Rate(r) = s.load {
        q.push_str(&format!("&{RATE}={r}"));
    }
    if s.workers != 1 {
        q.push_str(&format!("&{WORKERS}={}", s.workers));
    }
    if !s.web_server {
        q.push_str(&format!("&{WEB}=0"));
    }
    if s.official != perfmodel::Pattern::Executor {
        q.push_str(&format!("&{CALL}={}", official_key(s.official)));
    }
    if s.objective != Objective::Target {
        q.push_str(&format!("&{GOAL}={}", objective_key(s.objective)));
    }
    if s.offload_ms > 0.0 {
        q.push_str(&format!("&{OFFLOAD}={}&{OFFLOAD_GIL}={}", s.offload_ms, s.offload_gil_share));
    }
    q
}

/// Read `srv`, `rate`, `p99`, `workers`, `web`, `call`, `goal`, `off` and `offgil` from a query into `s`; whether any was there.
fn read_extras(q: &str, s: &mut Service) -> bool {
    let mut any = false;
    let mut rate = None;
    for pair in q.trim_start_matches('?').split('&') {
        let Some((k, v)) = pair.split_once('=') else { continue };
        if k == CALL {
            // An unknown way is left as it was; `clamped` refuses one the service cannot use.
            if let Some(o) = OFFICIALS.iter().find(|o| o.1 == v) {
                s.official = o.0;
                any = true;
            }
            continue;
        }
        if k == GOAL {
            if let Some(o) = OBJECTIVES.iter().find(|o| o.1 == v) {
                s.objective = o.0;
                any = true;
            }
            continue;
        }
        let Some(x) = v.parse::<f64>().ok().filter(|x| x.is_finite()) else { continue };
        match k {
            SERVER => s.server_ms = x,
            TARGET => s.target_p99_ms = x,
            RATE => rate = Some(x),
            WORKERS => s.workers = x.round().clamp(0.0, u32::MAX as f64) as u32,
            WEB => s.web_server = x != 0.0,
            OFFLOAD => s.offload_ms = x,
            OFFLOAD_GIL => s.offload_gil_share = x,
            _ => continue,
        }
        any = true;
    }
    if let Some(r) = rate {
        s.load = Load::Rate(r);
    }
    any
}

/// Where the page starts: the reader's scenario (with their saved or linked service settings), else the example.
fn starting(shared: &Shared) -> (Service, Vec<String>) {
    let example = charts::service::start();
    let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    if shared.origin == Origin::Page {
        // A link may carry only this page's own settings (the way the official
        // client is called, the objective), which leave the site's scenario as the page starts it.
        let mut s = example;
        return if read_extras(&search, &mut s) { s.clamped() } else { (example, Vec::new()) };
    }
    let sc = shared.scenario.get_untracked();
    let mut s = Service { load: Load::InFlight(sc.concurrency), ..example };
    if !read_extras(&search, &mut s) {
        if let Some(q) = crate::scenario::storage().and_then(|st| st.get_item(STORAGE_KEY).ok().flatten()) {
            read_extras(&q, &mut s);
        }
    }
    // The scenario's I/O wait is round trip plus server time.
    s.server_ms = s.server_ms.clamp(0.0, sc.io_wait_ms);
    s.rtt_ms = sc.io_wait_ms - s.server_ms;
    s.cores = sc.cores;
    s.node_cpus = sc.node_cpu_count();
    s.pool = sc.pool;
    s.python_ms = sc.app_cpu_ms;
    s.background_threads = sc.background_threads;
    s.pod_limit_mib = sc.pod_limit_mib;
    s.python = sc.python;
    s.machine = sc.machine;
    s.calls = sc.calls;
    s.clamped()
}

#[component]
pub(crate) fn YourService(host: HtmlElement, shared: Shared, theme: RwSignal<Theme>) -> impl IntoView {
    let (start, notes) = starting(&shared);
    let service = RwSignal::new(start);
    let notes = RwSignal::new(notes);
    // The page's own start applies now, as a widget's starting values do, so it is not taken for a change of the reader's.
    if shared.origin == Origin::Page {
        shared.scenario.set(start.scenario());
    }
    // From the reader's first change on, the description is the site-wide
    // scenario; the service's own settings go in the link and in storage.
    Effect::new(move |prev: Option<Service>| {
        let s = service.get();
        shared.rate.set(s.rate());
        // A link or a saved scenario does not carry everything the service
        // is (its web server): the bar says the service as read.
        if prev.is_none() && shared.origin != Origin::Page && shared.scenario.get_untracked() != s.scenario() {
            shared.scenario.set(s.scenario());
        }
        if prev.is_some_and(|p| p != s) {
            shared.scenario.set(s.scenario());
            if let Some(st) = crate::scenario::storage() {
                let _ = st.set_item(STORAGE_KEY, &extras(&s));
            }
            crate::scenario::set_page_param(SERVER, Some(&s.server_ms.to_string()));
            crate::scenario::set_page_param(TARGET, Some(&s.target_p99_ms.to_string()));
            crate::scenario::set_page_param(RATE, if let Load::Rate(r) = s.load { Some(r.to_string()) } else { None }.as_deref());
            crate::scenario::set_page_param(WORKERS, (s.workers != 1).then(|| s.workers.to_string()).as_deref());
            crate::scenario::set_page_param(WEB, (!s.web_server).then_some("0"));
            crate::scenario::set_page_param(CALL, (s.official != perfmodel::Pattern::Executor).then(|| official_key(s.official)));
            crate::scenario::set_page_param(GOAL, (s.objective != Objective::Target).then(|| objective_key(s.objective)));
            let off = s.offload_ms > 0.0;
            crate::scenario::set_page_param(OFFLOAD, off.then(|| s.offload_ms.to_string()).as_deref());
            crate::scenario::set_page_param(OFFLOAD_GIL, off.then(|| s.offload_gil_share.to_string()).as_deref());
        }
        s
    });
    // The analytic part at once, the simulations in the workers (or in tasks on the page where none runs).
    let data = crate::staged::staged::<ServiceData>(None, move || service.get(), |d| d);
    let el = host.clone();
    Effect::new(move |_| match data.get() {
        Ok(_) => crate::dom::set_state(&el, "ready"),
        Err(e) => crate::dom::fail(&el, &format!("The model refused this service: {e}")),
    });
    let apply = move |e: Edit| {
        let (s, n) = service.get_untracked().edit(&e);
        notes.set(n);
        service.set(s);
    };
    let uid = crate::slider::uid();
    let form = NodeRef::<leptos::html::Div>::new();
    // The form is written once; a change of the service updates its values in place, so focus and the caret stay put.
    Effect::new(move |_| {
        let s = service.get();
        let Some(f) = form.get() else { return };
        sync_form(&f, &s);
    });
    // One listener per kind of event for the whole form.
    let on_change = move |ev: web_sys::Event| {
        let Some(target) = ev.target() else { return };
        // A select, by the attribute it carries, and the edit its value makes.
        type Choice = (&'static str, fn(String) -> Edit);
        let choices: [Choice; 7] = [
            ("data-objective", Edit::Objective),
            ("data-gather", Edit::Gather),
            ("data-python", Edit::Python),
            ("data-machine", Edit::Machine),
            ("data-fan", Edit::Fan),
            ("data-front", Edit::Server),
            ("data-official", Edit::Official),
        ];
        for (attr, edit) in choices {
            if let Some(sel) = target.dyn_ref::<web_sys::Element>().filter(|e| e.has_attribute(attr)) {
                let value = js_sys::Reflect::get(sel, &"value".into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
                apply(edit(value));
                return;
            }
        }
        let Ok(el) = target.dyn_into::<web_sys::HtmlInputElement>() else { return };
        if let Some(key) = el.get_attribute("data-key") {
            apply(Edit::Number(key, el.value()));
        } else if let Some(v) = el.get_attribute("data-by-rate") {
            apply(Edit::ByRate(v == "true"));
        } else if el.has_attribute("data-default-pool") {
            apply(Edit::DefaultPool(el.checked()));
        }
    };
    let on_click = move |ev: web_sys::MouseEvent| {
        let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
        let Some(button) = el.closest("button").ok().flatten() else { return };
        if let Some(key) = button.get_attribute("data-preset") {
            apply(Edit::Preset(key));
        } else if let Some(ms) = button.get_attribute("data-rtt").and_then(|v| v.parse::<f64>().ok()) {
            apply(Edit::RoundTrip(ms));
        }
    };
    let form_html = service.get_untracked().form_html(&uid);
    let verdict = move || data.with(|r| r.as_ref().map(|d| d.verdict_html()).unwrap_or_default());
    let tables = move || data.with(|r| r.as_ref().map(|d| d.tables_html()).unwrap_or_default());
    // The capacity chart reads only the analytic numbers: the simulations arriving do not redraw it.
    let capacity = Memo::new(move |_| data.with(|r| r.as_ref().map(|d| d.capacity()).map_err(|e| e.to_string())));
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    crate::widgets::redraw_on_change(host.clone(), canvas, capacity, theme, Shape::short(0.3, 180.0), draw_capacity);
    let capacity_words = move || capacity.with(|c| c.as_ref().map(|c| c.summary()).unwrap_or_default());
    let summary = move || data.get().map(|d| d.summary()).unwrap_or_default();
    // The verdict's first sentence, kept at the bottom of the screen while the form is in view.
    // Computed apart from the verdict above (formatting a few sentences): a
    // memo shared by both cost 2.7 KB of this page's module for no visible gain.
    let headline = move || data.with(|r| r.as_ref().ok().and_then(|d| d.verdict().into_iter().next()).unwrap_or_default());
    let done = move || data.get().map(|d| d.is_complete()).unwrap_or(false).to_string();
    let hint = move || {
        let s = service.get();
        format!("{} ms of I/O wait per read (round trip plus server time). ", charts::format::number(s.io_wait_ms()))
    };
    view! {
        <div class="widget-body service" data-complete=done>
            <Show when=move || !notes.get().is_empty()>
                <p class="widget-note" role="status">"Adjusted: "{move || notes.get().join("; ")}"."</p>
            </Show>
            <div class="service-results" data-testid="service-results">
                <div inner_html=verdict></div>
                <canvas node_ref=canvas class="widget-canvas" role="img" aria-label=capacity_words data-testid="chart"></canvas>
                <p class="widget-summary" data-testid="capacity-summary">{capacity_words}</p>
                <div inner_html=tables></div>
            </div>
            <p class="widget-hint">{hint}"Capacity and requests in flight are analytic; p50, p99 and the pool table come from the simulator and show “…” while it runs."</p>
            <div class="service-editing">
                <div class="service-form" node_ref=form inner_html=form_html on:change=on_change on:click=on_click></div>
                // A copy for the eyes only: the verdict above is the one read out.
                <p class="service-sticky" aria-hidden="true" data-testid="service-sticky">{headline}</p>
            </div>
            <p class="widget-visually-hidden" aria-live="polite" data-testid="summary">{summary}</p>
        </div>
    }
}

/// Bring the form's inputs, choices and example buttons in line with `s`.
fn sync_form(form: &web_sys::HtmlDivElement, s: &Service) {
    let all = |sel: &str| form.query_selector_all(sel).ok();
    let each = |sel: &str, f: &dyn Fn(&web_sys::Element)| {
        if let Some(list) = all(sel) {
            for i in 0..list.length() {
                if let Some(el) = list.item(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) {
                    f(&el);
                }
            }
        }
    };
    each("input[data-key]", &|el| {
        let key = el.get_attribute("data-key").unwrap_or_default();
        if let (Some(f), Some(input)) = (FIELDS.iter().find(|f| f.key == key), el.dyn_ref::<web_sys::HtmlInputElement>()) {
            let v = input_value((f.get)(s));
            if input.value() != v {
                input.set_value(&v);
            }
        }
    });
    let rate = matches!(s.load, Load::Rate(_));
    each("input[data-by-rate]", &|el| {
        if let Some(input) = el.dyn_ref::<web_sys::HtmlInputElement>() {
            input.set_checked((el.get_attribute("data-by-rate").as_deref() == Some("true")) == rate);
        }
    });
    each("input[data-default-pool]", &|el| {
        if let Some(input) = el.dyn_ref::<web_sys::HtmlInputElement>() {
            input.set_checked(s.pool.is_none());
        }
    });
    each("[data-default-pool-text]", &|el| el.set_text_content(Some(&s.default_pool_words())));
    each("select[data-python]", &|el| {
        let _ = js_sys::Reflect::set(el, &"value".into(), &charts::service::python_key(s.python).into());
    });
    each("select[data-machine]", &|el| {
        let _ = js_sys::Reflect::set(el, &"value".into(), &s.machine.profile().key.into());
    });
    each("select[data-front]", &|el| {
        let _ = js_sys::Reflect::set(el, &"value".into(), &charts::service::server_key(s.web_server).into());
    });
    each("select[data-objective]", &|el| {
        let _ = js_sys::Reflect::set(el, &"value".into(), &objective_key(s.objective).into());
    });
    each("select[data-official]", &|el| {
        let _ = js_sys::Reflect::set(el, &"value".into(), &official_key(s.official).into());
    });
    let gather_key = charts::service::GATHERS.iter().find(|x| x.0 == s.calls.gather).map_or("series", |x| x.1);
    each("select[data-gather]", &|el| {
        let _ = js_sys::Reflect::set(el, &"value".into(), &gather_key.into());
    });
    let fan = s.calls.batch.unwrap_or(perfmodel::batch::Batch::START).fan_out;
    let fan_key = charts::service::FANS.iter().find(|x| x.0 == fan).map_or("series", |x| x.1);
    each("select[data-fan]", &|el| {
        let _ = js_sys::Reflect::set(el, &"value".into(), &fan_key.into());
    });
    let presets = presets();
    each("button[data-preset]", &|el| {
        let key = el.get_attribute("data-preset").unwrap_or_default();
        let on = presets.iter().any(|p| p.key == key && p.service == *s);
        let _ = el.set_attribute("aria-pressed", if on { "true" } else { "false" });
    });
}
