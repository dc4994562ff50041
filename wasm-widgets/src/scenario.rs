//! The reader's scenario: one set of signals every widget reads and writes, kept in the URL and in local storage so it follows the reader from page to page.
//!
//! Where it starts: a link that sets a scenario wins; else the scenario the
//! reader last had on any page (local storage); else the defaults and the
//! page's own starting values. From the reader's first change (or a link) on
//! it is theirs: written into the address bar and into storage, and
//! `assets/widgets-loader.js` carries it in every link to another page.

use leptos::prelude::*;
use perfmodel::Scenario;
use widget_props::link::{self, STORAGE_KEY};

/// Where the page's scenario came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// The link's query set it.
    Link,
    /// The reader's saved scenario (another page, an earlier visit).
    Saved,
    /// Nothing: the defaults and this page's starting values.
    Page,
}

/// The shared scenario and what was wrong with the link that set it.
#[derive(Clone, Copy)]
pub(crate) struct Shared {
    pub scenario: RwSignal<Scenario>,
    /// Sentences about values in the URL that were clamped or ignored.
    pub notes: RwSignal<Vec<String>>,
    pub origin: Origin,
    /// Whether the scenario is the reader's (a link, a saved one, or a change since the page opened).
    pub owned: RwSignal<bool>,
    /// The load as the reader entered it on "Your service" where it is a
    /// rate per pod: the bar shows it instead of the callers it implies.
    pub rate: RwSignal<Option<f64>>,
}

impl Shared {
    pub(crate) fn load() -> Shared {
        let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
        let from_link = link::parse(&search, "the link's");
        let saved = stored().map(|q| link::parse(&q, "your saved scenario's")).filter(|p| p.any);
        let (parsed, origin) = match (from_link.any, saved) {
            // A link between the book's pages carries the saved scenario itself.
            (true, Some(s)) if s.scenario == from_link.scenario => (from_link, Origin::Saved),
            (true, _) => (from_link, Origin::Link),
            (false, Some(s)) => (s, Origin::Saved),
            // A link whose values were all unreadable still explains itself.
            (false, None) => (from_link, Origin::Page),
        };
        let shared = Shared {
            scenario: RwSignal::new(parsed.scenario),
            notes: RwSignal::new(parsed.notes),
            origin,
            owned: RwSignal::new(origin != Origin::Page),
            rate: RwSignal::new(None),
        };
        // Effects first run after every widget has mounted (and applied its
        // starting values), so only a later change makes a page's scenario the reader's.
        Effect::new(move |prev: Option<Scenario>| {
            let s = shared.scenario.get();
            if prev.is_some_and(|p| p != s) {
                shared.owned.set(true);
            }
            if shared.owned.get_untracked() {
                write_url(&s);
                store(&s);
            }
            s
        });
        shared
    }

    /// Whether the page's own starting values apply (only when the reader has no scenario yet).
    pub(crate) fn page_starts(&self) -> bool {
        self.origin == Origin::Page
    }
}

/// The browser's local storage, where the page may use it.
pub(crate) fn storage() -> Option<web_sys::Storage> {
    // Storage can be missing or refused (privacy settings, some file:// pages); the link still carries the scenario.
    web_sys::window()?.local_storage().ok().flatten()
}

fn stored() -> Option<String> {
    storage()?.get_item(STORAGE_KEY).ok().flatten()
}

fn store(s: &Scenario) {
    if let Some(st) = storage() {
        let _ = st.set_item(STORAGE_KEY, &link::query(s));
    }
}

/// Forget the reader's scenario and reopen the page at its own starting values.
pub(crate) fn reset() {
    if let Some(st) = storage() {
        let _ = st.remove_item(STORAGE_KEY);
    }
    let Some(w) = web_sys::window() else { return };
    let loc = w.location();
    let search = loc.search().unwrap_or_default();
    let rest = link::pairs_without(&search, &link::KEYS);
    let query = if rest.is_empty() { String::new() } else { format!("?{}", rest.join("&")) };
    let _ = loc.replace(&format!("{}{query}{}", loc.pathname().unwrap_or_default(), loc.hash().unwrap_or_default()));
}

/// A widget's own query value (`?run=...`), decoded.
pub(crate) fn page_param(key: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let v = search.trim_start_matches('?').split('&').find_map(|p| p.strip_prefix(key)?.strip_prefix('='))?;
    js_sys::decode_uri_component(v).ok().map(String::from)
}

/// Set (or with `None` remove) a widget's own query value, keeping the rest of the address.
pub(crate) fn set_page_param(key: &str, value: Option<&str>) {
    let Some(w) = web_sys::window() else { return };
    let loc = w.location();
    let search = loc.search().unwrap_or_default();
    let mut pairs = link::pairs_without(&search, &[key]);
    if let Some(v) = value {
        pairs.push(format!("{key}={}", String::from(js_sys::encode_uri_component(v))));
    }
    let query = if pairs.is_empty() { String::new() } else { format!("?{}", pairs.join("&")) };
    let path = loc.pathname().unwrap_or_default();
    if let Ok(h) = w.history() {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("{path}{query}{}", loc.hash().unwrap_or_default())));
    }
}

fn write_url(s: &Scenario) {
    let Some(w) = web_sys::window() else { return };
    let loc = w.location();
    let search = loc.search().unwrap_or_default();
    let query = link::merged(&search, s);
    if search == query {
        return;
    }
    if let Ok(h) = w.history() {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("{query}{}", loc.hash().unwrap_or_default())));
    }
}
