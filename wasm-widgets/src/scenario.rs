//! The page's shared scenario: one set of signals every widget reads and writes, mirrored in the URL.

use leptos::prelude::*;
use perfmodel::Scenario;

/// URL query keys, each stated once.
const IO: &str = "io";
const N: &str = "n";
const MEM: &str = "mem";
const POOL: &str = "pool";
const CORES: &str = "cores";
const CPU: &str = "cpu";
const BG: &str = "bg";

/// The shared scenario and what was wrong with the link that set it.
#[derive(Clone, Copy)]
pub struct Shared {
    pub scenario: RwSignal<Scenario>,
    /// Sentences about values in the URL that were clamped or ignored.
    pub notes: RwSignal<Vec<String>>,
    /// Whether the URL set a value (then it wins over a widget's props).
    pub from_link: bool,
}

impl Shared {
    pub fn from_url() -> Shared {
        let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
        let (s, notes, from_link) = parse_query(&search);
        let shared = Shared { scenario: RwSignal::new(s), notes: RwSignal::new(notes), from_link };
        // Keep the address bar in step so the link reproduces what the reader sees.
        Effect::new(move |_| {
            let s = shared.scenario.get();
            write_url(&s);
        });
        shared
    }
}

/// Parse `?io=..&n=..` into a valid scenario, explaining every correction.
pub fn parse_query(search: &str) -> (Scenario, Vec<String>, bool) {
    let mut s = Scenario::default();
    let mut notes = Vec::new();
    let mut any = false;
    for pair in search.trim_start_matches('?').split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let parsed = v.parse::<f64>();
        match (k, parsed) {
            (IO, Ok(x)) if x.is_finite() => {
                s.io_wait_ms = x;
                any = true;
            }
            (N, Ok(x)) if x.is_finite() => {
                s.concurrency = x.round().clamp(0.0, u32::MAX as f64) as u32;
                any = true;
            }
            (MEM, Ok(x)) if x.is_finite() => {
                s.pod_limit_mib = x;
                any = true;
            }
            (POOL, Ok(x)) if x.is_finite() => {
                s.pool = Some(x.round().clamp(0.0, u32::MAX as f64) as u32);
                any = true;
            }
            (CORES, Ok(x)) if x.is_finite() => {
                s.cores = x.round().clamp(0.0, u32::MAX as f64) as u32;
                any = true;
            }
            (CPU, Ok(x)) if x.is_finite() => {
                s.app_cpu_ms = x;
                any = true;
            }
            (BG, Ok(x)) if x.is_finite() => {
                s.background_threads = x.round().clamp(0.0, u32::MAX as f64) as u32;
                any = true;
            }
            (IO | N | MEM | POOL | CORES | CPU | BG, _) => notes.push(format!("the link's {k}={v:?} is not a number; ignored")),
            _ => {}
        }
    }
    let (s, clamped) = s.clamped();
    notes.extend(clamped.into_iter().map(|n| format!("the link's {n}")));
    (s, notes, any)
}

/// The `key=value` pairs of a query whose key is not one of `keys`.
fn pairs_without(search: &str, keys: &[&str]) -> Vec<String> {
    search
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty() && !keys.contains(&p.split_once('=').map(|(k, _)| k).unwrap_or(p)))
        .map(String::from)
        .collect()
}

/// A widget's own query value (`?run=...`), decoded.
pub fn page_param(key: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let v = search.trim_start_matches('?').split('&').find_map(|p| p.strip_prefix(key)?.strip_prefix('='))?;
    js_sys::decode_uri_component(v).ok().map(String::from)
}

/// Set (or with `None` remove) a widget's own query value, keeping the rest of the address.
pub fn set_page_param(key: &str, value: Option<&str>) {
    let Some(w) = web_sys::window() else { return };
    let loc = w.location();
    let search = loc.search().unwrap_or_default();
    let mut pairs = pairs_without(&search, &[key]);
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
    let hash = loc.hash().unwrap_or_default();
    let mut query = format!("?{IO}={}&{N}={}&{MEM}={}", trim(s.io_wait_ms), s.concurrency, trim(s.pod_limit_mib));
    // The rest only when they differ from the defaults, to keep links short.
    let d = Scenario::default();
    if let Some(p) = s.pool {
        query.push_str(&format!("&{POOL}={p}"));
    }
    if s.cores != d.cores {
        query.push_str(&format!("&{CORES}={}", s.cores));
    }
    if s.app_cpu_ms != d.app_cpu_ms {
        query.push_str(&format!("&{CPU}={}", trim(s.app_cpu_ms)));
    }
    if s.background_threads != d.background_threads {
        query.push_str(&format!("&{BG}={}", s.background_threads));
    }
    // A widget's own pairs (the dashboard's runs) stay beside the scenario's.
    for p in pairs_without(&loc.search().unwrap_or_default(), &[IO, N, MEM, POOL, CORES, CPU, BG]) {
        query.push('&');
        query.push_str(&p);
    }
    if loc.search().ok().as_deref() == Some(query.as_str()) {
        return;
    }
    if let Ok(h) = w.history() {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("{query}{hash}")));
    }
}

fn trim(v: f64) -> String {
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_queries_are_clamped_and_explained() {
        let (s, notes, any) = parse_query("?io=1e99&n=-5&x=<script>");
        // 1e99 ms and -5 callers: both clamped, both explained.
        assert!(any);
        assert_eq!(s.io_wait_ms, 10_000.0);
        assert_eq!(s.concurrency, 1);
        assert_eq!(notes.len(), 2, "{notes:?}");
        let (s, notes, _) = parse_query("?io=abc&n=NaN");
        assert_eq!(s, Scenario { concurrency: 50, ..Scenario::default() });
        assert_eq!(notes.len(), 2, "{notes:?}");
        let (s, notes, _) = parse_query("?io=2.5&n=300&mem=1024");
        assert_eq!((s.io_wait_ms, s.concurrency, s.pod_limit_mib, notes.len()), (2.5, 300, 1024.0, 0));
        let (s, notes, _) = parse_query("?pool=0&cores=4&cpu=2&bg=99");
        assert_eq!((s.pool, s.cores, s.app_cpu_ms, s.background_threads), (Some(1), 4, 2.0, 16));
        assert_eq!(notes.len(), 2, "{notes:?}");
    }
}
