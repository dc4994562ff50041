//! The active mdBook theme's chart colours, read from CSS and re-read when the reader switches theme.

use charts::Theme;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Read the chart colours from the CSS custom properties in assets/widgets.css.
pub fn read() -> Theme {
    let doc = crate::dom::document();
    let Some(root) = doc.document_element() else { return Theme::LIGHT };
    let Some(style) = web_sys::window().and_then(|w| w.get_computed_style(&root).ok().flatten()) else {
        return Theme::LIGHT;
    };
    let get = |name: &str, fallback| style.get_property_value(name).ok().and_then(|v| Theme::parse_color(&v)).unwrap_or(fallback);
    let l = Theme::LIGHT;
    Theme {
        background: get("--widget-bg", l.background),
        foreground: get("--widget-fg", l.foreground),
        grid: get("--widget-grid", l.grid),
        sync: get("--widget-sync", l.sync),
        executor: get("--widget-executor", l.executor),
        tokio: get("--widget-tokio", l.tokio),
    }
}

/// A signal holding the current theme, updated whenever mdBook changes the
/// class of `<html>` (its theme picker does).
pub(crate) fn watch() -> RwSignal<Theme> {
    let theme = RwSignal::new(read());
    let cb = Closure::<dyn FnMut()>::new(move || theme.set(read()));
    if let Ok(obs) = web_sys::MutationObserver::new(cb.as_ref().unchecked_ref()) {
        let opts = web_sys::MutationObserverInit::new();
        opts.set_attributes(true);
        opts.set_attribute_filter(&js_sys::Array::of1(&"class".into()));
        if let Some(root) = crate::dom::document().document_element() {
            let _ = obs.observe_with_options(&root, &opts);
        }
    }
    // The observer lives as long as the page.
    cb.forget();
    theme
}
