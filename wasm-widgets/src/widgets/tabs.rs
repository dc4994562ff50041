//! The comparison figures in one tab group (WAI-ARIA tabs: arrow keys, Home and End move between tabs).

use charts::Theme;
use leptos::prelude::*;
use web_sys::HtmlElement;

use crate::scenario::Shared;

const TABS: [&str; 4] = ["GIL Hold Time", "Concurrent Request Handling", "Throughput Scaling", "Memory Usage"];

#[component]
pub(crate) fn ComparisonTabs(host: HtmlElement, shared: Shared, theme: RwSignal<Theme>, open: usize) -> impl IntoView {
    let selected = RwSignal::new(open.min(TABS.len() - 1));
    let uid = crate::slider::uid();
    // Panels hidden at first have no width: redraw their charts when shown.
    Effect::new(move |_| {
        selected.track();
        if let Some(w) = web_sys::window() {
            if let Ok(ev) = web_sys::Event::new("resize") {
                let _ = w.dispatch_event(&ev);
            }
        }
    });
    let tab_id = {
        let uid = uid.clone();
        move |i: usize| format!("{uid}-tab-{i}")
    };
    let panel_id = {
        let uid = uid.clone();
        move |i: usize| format!("{uid}-panel-{i}")
    };
    let focus_tab = {
        let tab_id = tab_id.clone();
        move |i: usize| {
            if let Some(el) = crate::dom::document().get_element_by_id(&tab_id(i)) {
                use wasm_bindgen::JsCast;
                if let Ok(h) = el.dyn_into::<HtmlElement>() {
                    let _ = h.focus();
                }
            }
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let n = TABS.len();
        let cur = selected.get_untracked();
        let next = match ev.key().as_str() {
            "ArrowRight" => (cur + 1) % n,
            "ArrowLeft" => (cur + n - 1) % n,
            "Home" => 0,
            "End" => n - 1,
            _ => return,
        };
        ev.prevent_default();
        // mdBook turns the arrow keys into previous/next chapter on the document.
        ev.stop_propagation();
        selected.set(next);
        focus_tab(next);
    };
    // Each panel holds its own widget; the host element's state is the group's.
    let tabs = TABS
        .iter()
        .enumerate()
        .map(|(i, label)| {
            view! {
                <button
                    type="button"
                    role="tab"
                    id=tab_id(i)
                    data-testid=format!("tab-{i}")
                    aria-controls=panel_id(i)
                    aria-selected=move || (selected.get() == i).to_string()
                    tabindex=move || if selected.get() == i { "0" } else { "-1" }
                    on:click=move |_| selected.set(i)
                >
                    {*label}
                </button>
            }
        })
        .collect::<Vec<_>>();
    let sub = |i: usize| -> HtmlElement {
        use wasm_bindgen::JsCast;
        let el: HtmlElement = crate::dom::document().create_element("div").unwrap().dyn_into().unwrap();
        let _ = el.set_attribute("data-subwidget", &i.to_string());
        el
    };
    let hosts: Vec<HtmlElement> = (0..TABS.len()).map(sub).collect();
    // The group is ready when every panel has drawn its first frame.
    let ready_hosts = hosts.clone();
    let group = host.clone();
    let check = move || -> bool {
        let states: Vec<Option<String>> = ready_hosts.iter().map(|h| h.get_attribute("data-state")).collect();
        if let Some(i) = states.iter().position(|s| s.as_deref() == Some("error")) {
            let why = ready_hosts[i].query_selector(".widget-error").ok().flatten().and_then(|e| e.text_content()).unwrap_or_default();
            crate::dom::fail(&group, &format!("The {} figure could not start. {why}", TABS[i]));
            true
        } else if states.iter().all(|s| s.as_deref() == Some("ready")) {
            crate::dom::set_state(&group, "ready");
            true
        } else {
            false
        }
    };
    let panels = hosts
        .into_iter()
        .enumerate()
        .map(|(i, h)| {
            // A hidden panel's figure keeps its data and catches up when shown.
            let shown = Signal::derive(move || selected.get() == i);
            let content = match i {
                0 => view! { <super::gil::GilTimeline host=h.clone() shared theme shown/> }.into_any(),
                1 => view! { <super::burst::ConcurrentHandling host=h.clone() shared theme k=100 shown/> }.into_any(),
                2 => view! { <super::throughput::ThroughputScaling host=h.clone() shared theme shown/> }.into_any(),
                _ => view! { <super::memory::MemoryUsage host=h.clone() shared theme reserved=false shown/> }.into_any(),
            };
            view! {
                <div
                    role="tabpanel"
                    id=panel_id(i)
                    aria-labelledby=tab_id(i)
                    hidden=move || selected.get() != i
                    data-testid=format!("panel-{i}")
                >
                    {content}
                </div>
            }
        })
        .collect::<Vec<_>>();
    // The sub-widgets mark their own (detached) hosts; poll them until the
    // group settles, for at most a minute.
    let ticks = std::rc::Rc::new(std::cell::Cell::new(0u32));
    let handle: std::rc::Rc<std::cell::Cell<Option<IntervalHandle>>> = Default::default();
    let h2 = handle.clone();
    if let Ok(h) = set_interval_with_handle(
        move || {
            ticks.set(ticks.get() + 1);
            if check() || ticks.get() > 1_200 {
                if let Some(h) = h2.take() {
                    h.clear();
                }
            }
        },
        std::time::Duration::from_millis(50),
    ) {
        handle.set(Some(h));
    }
    view! {
        <div class="widget-tabs">
            <div role="tablist" aria-label="Comparison figures" on:keydown=on_key>{tabs}</div>
            {panels}
        </div>
    }
}
