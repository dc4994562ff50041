//! The scenario bar: the reader's scenario in a line under a widget page's title (in the place the preprocessor reserved), with copy link, reset and a way to describe one's own service; one line on a phone until opened.

use charts::format::{scenario_words_at, SCENARIO_BAR_PAGE_START};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::scenario::{Origin, Shared};

/// The page that describes the reader's own service, from the book's root.
const SERVICE_PAGE: &str = "service.html";

/// Mount the bar in the place the preprocessor reserved under the page's title.
pub(crate) fn mount(shared: Shared) {
    let doc = crate::dom::document();
    // The preprocessor reserves the bar's place on every page whose widgets
    // read the scenario, holding the bar as it reads at the page's start; the
    // live bar replaces it in the first host (the print page has one per
    // chapter, emptied as before: one scenario drives every figure there).
    let hosts = doc.query_selector_all("[data-scenario-bar]").ok();
    let hosts: Vec<web_sys::Element> = hosts.iter().flat_map(|l| (0..l.length()).filter_map(move |i| l.item(i)?.dyn_into().ok())).collect();
    let Some(host) = hosts.first().cloned() else { return };
    hosts.iter().for_each(|h| h.set_inner_html(""));
    let to_root = js_sys::Reflect::get(&js_sys::global(), &"path_to_root".into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
    let on_service_page = web_sys::window().and_then(|w| w.location().pathname().ok()).is_some_and(|p| p.ends_with(&format!("/{SERVICE_PAGE}")));
    let service = (!on_service_page).then(|| format!("{to_root}{SERVICE_PAGE}"));
    leptos::mount::mount_to(host.unchecked_into(), move || view! { <ScenarioBar shared service/> }).forget();
}

#[component]
fn ScenarioBar(shared: Shared, service: Option<String>) -> impl IntoView {
    let words = move || scenario_words_at(&shared.scenario.get(), shared.rate.get()).join(" · ");
    let whose = move || match (shared.origin, shared.owned.get()) {
        (Origin::Link, _) => "from the link you opened; it follows you",
        (Origin::Saved, _) => "carried over from the last page you were on",
        (Origin::Page, true) => "yours now: it follows you to every page",
        (Origin::Page, false) => SCENARIO_BAR_PAGE_START,
    };
    // What copying did: nothing yet, done, or the link to copy by hand.
    let copied: RwSignal<Option<Result<(), String>>> = RwSignal::new(None);
    let copy = move |_| {
        let href = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
        copied.set(Some(Err(href.clone())));
        if let Some(p) = write_clipboard(&href) {
            let ok = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| copied.set(Some(Ok(()))));
            let _ = p.then(&ok);
            ok.forget();
        }
    };
    // On a phone the bar is one line until the reader opens it (CSS hides the rest); on a wider screen it is always open.
    let open = RwSignal::new(false);
    view! {
        <section class="widget-scenario-bar" class:widget-scenario-open=move || open.get() aria-label="Your scenario" data-testid="scenario-bar">
            <p class="widget-scenario-words">
                <strong>"Your scenario: "</strong>
                <span data-testid="scenario-words">{words}</span>
            </p>
            <button type="button" class="widget-scenario-toggle" data-testid="scenario-toggle" aria-controls="widget-scenario-more"
                aria-expanded=move || open.get().to_string() on:click=move |_| open.update(|o| *o = !*o)>"Details"</button>
            <div class="widget-scenario-more" id="widget-scenario-more">
                <p class="widget-scenario-actions">
                    <span class="widget-scenario-whose">"("{whose}")"</span>
                    <button type="button" data-testid="scenario-copy" on:click=copy>"Copy link"</button>
                    <button type="button" data-testid="scenario-reset" on:click=move |_| crate::scenario::reset()
                        title="Forget your scenario and go back to this page's starting point">"Reset"</button>
                    {service.map(|href| view! { <a href=href data-testid="scenario-service">"Describe your own service"</a> })}
                </p>
                <p class="widget-scenario-copied" role="status" data-testid="scenario-copied">
                    {move || match copied.get() {
                        None => None,
                        Some(Ok(())) => Some(view! { <span>"Link copied."</span> }.into_any()),
                        Some(Err(href)) => Some(view! {
                            <label>"Copy this link: "
                                <input type="text" readonly value=href size="40"
                                    on:focus=|ev| { if let Some(i) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) { i.select(); } }/>
                            </label>
                        }.into_any()),
                    }}
                </p>
            </div>
        </section>
    }
}

/// `navigator.clipboard.writeText(text)`, or `None` where the page has no
/// clipboard (pages opened from disk in some browsers, older browsers).
fn write_clipboard(text: &str) -> Option<js_sys::Promise> {
    let nav = web_sys::window()?.navigator();
    let clip = js_sys::Reflect::get(&nav, &"clipboard".into()).ok().filter(|c| !c.is_undefined() && !c.is_null())?;
    let write: js_sys::Function = js_sys::Reflect::get(&clip, &"writeText".into()).ok()?.dyn_into().ok()?;
    write.call1(&clip, &text.into()).ok()?.dyn_into().ok()
}
