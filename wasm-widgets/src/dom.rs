//! Small DOM helpers: find placeholders, mark their state, show errors.

use wasm_bindgen::JsCast;
use web_sys::{Document, HtmlElement};

pub fn document() -> Document {
    web_sys::window().and_then(|w| w.document()).expect("widgets run in a page with a document")
}

/// Every placeholder that has not been mounted yet.
pub(crate) fn placeholders() -> Vec<HtmlElement> {
    let list = match document().query_selector_all("[data-widget][data-state=loading]") {
        Ok(l) => l,
        Err(_) => return Vec::new(),
    };
    (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<HtmlElement>().ok()).collect()
}

/// Remove the loading line once a widget is about to render.
pub(crate) fn clear_loading(el: &HtmlElement) {
    if let Ok(Some(p)) = el.query_selector(".widget-loading") {
        p.remove();
    }
}

pub(crate) fn set_state(el: &HtmlElement, state: &str) {
    let _ = el.set_attribute("data-state", state);
}

/// Show `message` in this widget and mark it as failed.
pub fn fail(el: &HtmlElement, message: &str) {
    clear_loading(el);
    set_state(el, "error");
    let doc = document();
    if let Ok(p) = doc.create_element("p") {
        p.set_class_name("widget-error");
        let _ = p.set_attribute("role", "alert");
        p.set_text_content(Some(message));
        let _ = el.append_child(&p);
    }
}

/// Mark every widget on the page as failed (used by the panic hook).
pub(crate) fn fail_all(message: &str) {
    let Ok(list) = document().query_selector_all("[data-widget]") else { return };
    for i in 0..list.length() {
        if let Some(el) = list.item(i).and_then(|n| n.dyn_into::<HtmlElement>().ok()) {
            if el.get_attribute("data-state").as_deref() != Some("error") {
                fail(&el, message);
            }
        }
    }
}
