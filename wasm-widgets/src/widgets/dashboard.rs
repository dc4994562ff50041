//! "Results": the reports embedded in the page, a run picker, and each run's panels (HTML built natively, charts drawn after).

use charts::dashboard::{draw_chart, panel_html, Chart, Payload, RunView};
use charts::Theme;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlCanvasElement, HtmlElement};

/// The one-line instruction the empty state gives.
pub const HOW_TO_ADD: &str = "Put report JSON files in book/reports/ with an index.json listing them newest first ({\"reports\": [{\"date\": …, \"file\": …}]}), then rebuild the site (cargo xtask build).";

/// Read the panels the preprocessor computed and embedded in the placeholder.
fn embedded_payload(host: &HtmlElement) -> Result<Payload, String> {
    let script = host
        .query_selector("script.widget-bundle")
        .ok()
        .flatten()
        .ok_or("the page carries no reports data (was it built with the mdbook-widgets preprocessor?)")?;
    let text = script.text_content().unwrap_or_default();
    serde_json::from_str(&text).map_err(|e| format!("the embedded reports data is unreadable: {e}"))
}

/// Draw every chart of the shown run into its canvas; a chart that fails says so in its own figure.
fn draw_all(root: &HtmlElement, charts: &[Chart], theme: &Theme) {
    for c in charts {
        let Ok(Some(el)) = root.query_selector(&format!("canvas[data-chart=\"{}\"]", c.id)) else { continue };
        let Ok(canvas) = el.dyn_into::<HtmlCanvasElement>() else { continue };
        let result = crate::widgets::canvas::draw_hidpi(&canvas, 0.5, |area, scale| draw_chart(area, c, theme, scale));
        if let Err(e) = result {
            if let Some(fig) = canvas.parent_element() {
                let p = crate::dom::document().create_element("p").expect("create <p>");
                p.set_class_name("widget-error");
                p.set_text_content(Some(&format!("This chart could not be drawn: {e}")));
                let _ = fig.append_child(&p);
            }
        }
    }
}

#[component]
pub fn Dashboard(host: HtmlElement, theme: RwSignal<Theme>) -> impl IntoView {
    let (runs, folder_problems) = match embedded_payload(&host) {
        Ok(p) => (p.runs, p.folder_errors),
        Err(e) => (Vec::new(), vec![e]),
    };
    let runs: StoredValue<Vec<RunView>> = StoredValue::new(runs);
    let selected = RwSignal::new(0usize);
    let content = NodeRef::<leptos::html::Div>::new();
    let built = Memo::new(move |_| {
        let i = selected.get();
        runs.with_value(|rs| {
            rs.get(i).map(|run| match &run.error {
                None => {
                    let html: String = run.panels.iter().map(panel_html).collect();
                    let charts: Vec<Chart> = run.panels.iter().flat_map(|p| p.charts.clone()).collect();
                    (html, charts)
                }
                Some(e) => (
                    format!("<p class=\"widget-error\" role=\"alert\" data-testid=\"run-error\">{}</p>", charts::dashboard::esc(e)),
                    Vec::new(),
                ),
            })
        })
    });
    // The window width changes the canvases' size: redraw on resize.
    let width = RwSignal::new(0u32);
    {
        use wasm_bindgen::prelude::*;
        let on_resize = Closure::<dyn FnMut()>::new(move || width.update(|w| *w += 1));
        if let Some(w) = web_sys::window() {
            let _ = w.add_event_listener_with_callback("resize", on_resize.as_ref().unchecked_ref());
        }
        on_resize.forget();
    }
    let el = host.clone();
    Effect::new(move |_| {
        let t = theme.get();
        width.track();
        let Some(div) = content.get() else { return };
        match built.get() {
            Some((html, charts)) => {
                div.set_inner_html(&html);
                draw_all(&div, &charts, &t);
            }
            None => div.set_inner_html(""),
        }
        let _ = el.set_attribute("data-run", &selected.get_untracked().to_string());
        crate::dom::set_state(&el, "ready");
    });
    let count = runs.with_value(|r| r.len());
    let options = move || {
        runs.with_value(|rs| {
            rs.iter()
                .enumerate()
                .map(|(i, r)| {
                    let mark = if r.error.is_some() { " (unreadable)" } else { "" };
                    view! { <option value=i.to_string() selected=move || selected.get() == i>{format!("{}{mark}", r.date)}</option> }
                })
                .collect::<Vec<_>>()
        })
    };
    let uid = crate::slider::uid();
    let pick_id = format!("{uid}-run");
    let pick_for = pick_id.clone();
    view! {
        <div class="widget-body dashboard">
            {folder_problems.into_iter().map(|e| view! { <p class="widget-error" role="alert" data-testid="folder-error">{e}</p> }).collect::<Vec<_>>()}
            <Show when=move || count == 0>
                <div class="dash-empty" data-testid="no-reports">
                    <p><strong>"No reports yet."</strong>" The site ships only reports measured by this project's own measurement lab."</p>
                    <p>{HOW_TO_ADD}</p>
                </div>
            </Show>
            <Show when=move || count != 0>
                <div class="widget-controls">
                    <label for=pick_for.clone()>"Run: "
                        <select id=pick_id.clone() data-testid="run-picker" on:change=move |ev| {
                            if let Ok(i) = event_target_value(&ev).parse::<usize>() { selected.set(i) }
                        }>{options}</select>
                    </label>
                </div>
            </Show>
            <div node_ref=content class="dash-panels"></div>
        </div>
    }
}
