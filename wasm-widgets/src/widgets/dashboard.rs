//! "Results": the reports embedded in the page, a run picker, and each run's panels (HTML built natively, charts drawn after).

use crate::widgets::canvas::Shape;
use charts::dashboard::{compare_panel, draw_chart, panel_html, Chart, Payload, RunView};
use charts::Theme;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlCanvasElement, HtmlElement};

/// The one-line instruction the empty state gives.
pub(crate) const HOW_TO_ADD: &str = "Put report JSON files in book/reports/ with an index.json listing them newest first ({\"reports\": [{\"date\": …, \"file\": …}]}), then rebuild the site (cargo xtask build).";

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

/// Draw every chart shown into its canvas (on its side, when two runs are
/// side by side); a chart that fails says so in its own figure.
fn draw_all(root: &HtmlElement, charts: &[(&str, Chart)], theme: &Theme) {
    for (side, c) in charts {
        let scope = if side.is_empty() { String::new() } else { format!("[data-side=\"{side}\"] ") };
        let Ok(Some(el)) = root.query_selector(&format!("{scope}canvas[data-chart=\"{}\"]", c.id)) else { continue };
        let Ok(canvas) = el.dyn_into::<HtmlCanvasElement>() else { continue };
        let result = crate::widgets::canvas::draw_hidpi(&canvas, canvas.client_width() as f64, Shape::chart(0.5), |area, scale| {
            draw_chart(area, c, theme, scale)
        });
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

/// The HTML and charts of what is shown: one run, or two side by side with
/// their comparison first. Each chart is listed with its side ("a" or "b").
fn compose(runs: &[RunView], a: usize, b: Option<usize>) -> Option<(String, Vec<(&'static str, Chart)>)> {
    let ra = runs.get(a)?;
    let error = |e: &str| format!("<p class=\"widget-error\" role=\"alert\" data-testid=\"run-error\">{}</p>", charts::html::esc(e));
    let Some(rb) = b.filter(|&b| b != a).and_then(|b| runs.get(b)) else {
        return Some(match &ra.error {
            None => (charts::dashboard::run_html(&ra.panels), ra.panels.iter().flat_map(|p| p.charts.iter().map(|c| ("", c.clone()))).collect()),
            Some(e) => (error(e), Vec::new()),
        });
    };
    let mut html = String::new();
    let mut drawn = Vec::new();
    for (r, side, name) in [(ra, "a", "A"), (rb, "b", "B")] {
        if let Some(e) = &r.error {
            html.push_str(&error(&format!("Run {name}: {e}")));
        }
        drawn.extend(r.panels.iter().flat_map(|p| p.charts.iter().map(move |c| (side, c.clone()))));
    }
    html.push_str(&panel_html(&compare_panel(ra, rb), None));
    // Panels in A's order, then any only B has; each pair side by side.
    let mut ids: Vec<&str> = ra.panels.iter().map(|p| p.id.as_str()).collect();
    ids.extend(rb.panels.iter().map(|p| p.id.as_str()).filter(|id| !ra.panels.iter().any(|p| p.id == *id)));
    for id in ids {
        html.push_str("<div class=\"dash-pair\">");
        for (r, side, name) in [(ra, "a", "A"), (rb, "b", "B")] {
            match r.panels.iter().find(|p| p.id == id) {
                Some(p) => {
                    let mut p = p.clone();
                    p.title = format!("{name}: {}", p.title);
                    // Regions and figures are named per side, so landmarks stay unique.
                    p.html = p.html.replace("aria-label=\"", &format!("aria-label=\"{name}: "));
                    html.push_str(&panel_html(&p, Some(side)));
                }
                None => html.push_str(&format!("<p class=\"dash-absent\" data-side=\"{side}\">Run {name} has no such panel.</p>")),
            }
        }
        html.push_str("</div>");
    }
    Some((html, drawn))
}

/// The picker's options: one group per source, runs newest first.
fn options_html(p: &Payload, selected: Option<usize>, none: Option<&str>) -> String {
    let esc = charts::html::esc;
    let opt = |i: usize| {
        let sel = if selected == Some(i) { " selected" } else { "" };
        format!("<option value=\"{i}\"{sel}>{}</option>", esc(&p.runs[i].label()))
    };
    let mut h =
        none.map(|t| format!("<option value=\"\"{}>{}</option>", if selected.is_none() { " selected" } else { "" }, esc(t))).unwrap_or_default();
    let groups = p.groups();
    if groups.len() == 1 && groups[0].0.is_none() {
        h.extend(groups[0].1.iter().map(|&i| opt(i)));
        return h;
    }
    for (src, runs) in groups {
        let label = src.map(|s| s.label.as_str()).unwrap_or("Other reports");
        h.push_str(&format!("<optgroup label=\"{}\">", esc(label)));
        h.extend(runs.iter().map(|&i| opt(i)));
        h.push_str("</optgroup>");
    }
    h
}

#[component]
pub(crate) fn Dashboard(host: HtmlElement, theme: RwSignal<Theme>) -> impl IntoView {
    let (payload, folder_problems) = match embedded_payload(&host) {
        Ok(p) => {
            let e = p.folder_errors.clone();
            (p, e)
        }
        Err(e) => (Payload::default(), vec![e]),
    };
    // A shared link names its runs by file: `?run=A.json&vs=B.json`.
    let by_file = |key: &str| crate::scenario::page_param(key).and_then(|f| payload.runs.iter().position(|r| r.file == f));
    let selected = RwSignal::new(by_file("run").unwrap_or(0));
    let versus = RwSignal::new(by_file("vs").filter(|&b| b != selected.get_untracked()));
    let count = payload.runs.len();
    let payload: StoredValue<Payload> = StoredValue::new(payload);
    let content = NodeRef::<leptos::html::Div>::new();
    let built = Memo::new(move |_| {
        let (a, b) = (selected.get(), versus.get());
        payload.with_value(|p| compose(&p.runs, a, b))
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
        let (a, b) = (selected.get_untracked(), versus.get_untracked());
        let _ = el.set_attribute("data-run", &a.to_string());
        let _ = el.set_attribute("data-versus", &b.map(|b| b.to_string()).unwrap_or_default());
        payload.with_value(|p| {
            let file = |i: usize| p.runs.get(i).map(|r| r.file.clone());
            // The first run needs no parameter: a plain link shows it.
            crate::scenario::set_page_param("run", if a == 0 { None } else { file(a) }.as_deref());
            crate::scenario::set_page_param("vs", b.and_then(file).as_deref());
        });
        crate::dom::set_state(&el, "ready");
    });
    let uid = crate::slider::uid();
    let (pick_id, vs_id) = (format!("{uid}-run"), format!("{uid}-vs"));
    let (pick_for, vs_for) = (pick_id.clone(), vs_id.clone());
    let run_options = move || payload.with_value(|p| options_html(p, Some(selected.get()), None));
    let vs_options = move || payload.with_value(|p| options_html(p, versus.get(), Some("nothing: one run")));
    view! {
        <div class="widget-body dashboard">
            {folder_problems.into_iter().map(|e| view! { <p class="widget-error" role="alert" data-testid="folder-error">{e}</p> }).collect::<Vec<_>>()}
            <Show when=move || count == 0>
                <div class="dash-empty" data-testid="no-reports">
                    <p><strong>"No reports yet."</strong>" The dashboard shows the reports filed in the site's reports folder."</p>
                    <p>{HOW_TO_ADD}</p>
                </div>
            </Show>
            <Show when=move || count != 0>
                <div class="widget-controls">
                    <label for=pick_for.clone()>"Run: "
                        <select id=pick_id.clone() data-testid="run-picker" inner_html=run_options on:change=move |ev| {
                            if let Ok(i) = event_target_value(&ev).parse::<usize>() {
                                if versus.get_untracked() == Some(i) { versus.set(None) }
                                selected.set(i)
                            }
                        }></select>
                    </label>
                    {(1 < count).then(|| {
                        let (id, label_for) = (vs_id.clone(), vs_for.clone());
                        view! {
                            <label for=label_for>"Compare with: "
                                <select id=id data-testid="versus-picker" inner_html=vs_options on:change=move |ev| {
                                    let v = event_target_value(&ev).parse::<usize>().ok().filter(|&b| b != selected.get_untracked());
                                    versus.set(v)
                                }></select>
                            </label>
                        }
                    })}
                </div>
            </Show>
            <div node_ref=content class="dash-panels"></div>
        </div>
    }
}
