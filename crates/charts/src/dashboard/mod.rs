//! The results dashboard: each run of a reports folder as panels of escaped HTML and chart specs, computed at build time; two runs compared; the charts drawn in the browser.
//!
//! [`spec`] is what a panel holds, [`panels`] how one report becomes
//! panels, [`compare`] two runs side by side and [`draw`] the charts.

mod compare;
mod draw;
mod panels;
mod spec;

use reports::Report;
use serde::{Deserialize, Serialize};

pub use compare::{changes, compare_panel, Change};
pub use draw::draw_chart;
pub use panels::panels;
pub use spec::{Chart, Kind, Panel, Series, Who};

use crate::html::esc;

/// A run as the page carries it: its panels computed at build time by the
/// same parser `check-reports` uses, or why the file could not be read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunView {
    pub date: String,
    pub file: String,
    /// The id of the source the index names for it (a `Payload::sources` entry).
    #[serde(default)]
    pub source: Option<String>,
    /// "Darwin arm64, Python 3.13.11", from the report's environment.
    #[serde(default)]
    pub machine: Option<String>,
    pub error: Option<String>,
    pub panels: Vec<Panel>,
}

impl RunView {
    /// The run picker's text: when, and on what.
    pub fn label(&self) -> String {
        let mut s = pretty_date(&self.date);
        if let Some(m) = &self.machine {
            s.push_str(" · ");
            s.push_str(m);
        }
        if self.error.is_some() {
            s.push_str(" (unreadable)");
        }
        s
    }
}

/// "2026-02-28_10-46" (the suite's file date) as "2026-02-28 10:46"; anything else unchanged.
pub fn pretty_date(d: &str) -> String {
    let b = d.as_bytes();
    let digits = |r: std::ops::Range<usize>| r.into_iter().all(|i| b[i].is_ascii_digit());
    if b.len() == 16
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'_'
        && digits(11..13)
        && b[13] == b'-'
        && digits(14..16)
    {
        format!("{} {}:{}", &d[..10], &d[11..13], &d[14..])
    } else {
        d.to_string()
    }
}

/// Everything the dashboard shows, embedded in its page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Payload {
    /// Who measured the runs, in the index's order (empty: the index names none).
    #[serde(default)]
    pub sources: Vec<reports::Source>,
    pub runs: Vec<RunView>,
    /// Problems with the folder itself (an unreadable index.json).
    pub folder_errors: Vec<String>,
}

impl Payload {
    /// The runs grouped for the picker: each source with its runs' indices
    /// (newest first, as the index lists them), then any runs without a source.
    pub fn groups(&self) -> Vec<(Option<&reports::Source>, Vec<usize>)> {
        let of = |id: Option<&str>| (0..self.runs.len()).filter(|&i| self.runs[i].source.as_deref() == id).collect::<Vec<_>>();
        let mut out: Vec<_> = self.sources.iter().map(|s| (Some(s), of(Some(&s.id)))).filter(|(_, v)| !v.is_empty()).collect();
        let known = |r: &RunView| r.source.as_ref().is_some_and(|id| self.sources.iter().any(|s| &s.id == id));
        let rest: Vec<usize> = (0..self.runs.len()).filter(|&i| !known(&self.runs[i])).collect();
        if !rest.is_empty() {
            out.push((None, rest));
        }
        out
    }
}

/// Compute the payload of a reports folder's bundle. `folder_url` is the
/// folder's URL from the page (for links to a source's license).
pub fn payload(b: &reports::Bundle, folder_url: &str) -> Payload {
    let (runs, errs) = reports::load_bundle(b);
    let mut sources: Vec<reports::Source> = Vec::new();
    for s in runs.iter().filter_map(|r| r.source.as_ref()) {
        if !sources.iter().any(|x| x.id == s.id) {
            sources.push(s.clone());
        }
    }
    Payload {
        runs: runs
            .into_iter()
            .map(|r| {
                let source = r.source.as_ref().map(|s| s.id.clone());
                match &r.report {
                    Ok(rep) => {
                        let mut panels = panels(&r.file, rep);
                        if let (Some(s), Some(env)) = (&r.source, panels.iter_mut().find(|p| p.id == "environment")) {
                            env.html = source_html(s, folder_url) + &env.html;
                        }
                        RunView { panels, machine: machine(rep), source, date: r.date, file: r.file, error: None }
                    }
                    Err(e) => RunView { error: Some(e.to_string()), machine: None, source, date: r.date, file: r.file, panels: Vec::new() },
                }
            })
            .collect(),
        sources,
        folder_errors: errs.iter().map(|e| e.to_string()).collect(),
    }
}

fn machine(r: &Report) -> Option<String> {
    let e = r.environment.get()?;
    match (&e.platform, &e.python_version) {
        (Some(p), Some(v)) => Some(format!("{p}, Python {v}")),
        (Some(p), None) => Some(p.clone()),
        (None, Some(v)) => Some(format!("Python {v}")),
        (None, None) => None,
    }
}

/// Where a run comes from, above its environment badges.
fn source_html(s: &reports::Source, folder_url: &str) -> String {
    let license = s.license.as_ref().map(|l| format!(" <a href=\"{}{}\">Terms of use</a>.", esc(folder_url), esc(l))).unwrap_or_default();
    format!("<p class=\"dash-source\"><strong>{}.</strong> {}{license}</p>", esc(&s.label), esc(&s.about))
}

/// One run's panels, results first: the panels with something to show, then
/// the run's environment, then one line naming the sections the report lacks.
pub fn run_html(panels: &[Panel]) -> String {
    let (absent, shown): (Vec<&Panel>, Vec<&Panel>) = panels.iter().partition(|p| p.is_absent());
    let (env, results): (Vec<&Panel>, Vec<&Panel>) = shown.into_iter().partition(|p| p.id == "environment");
    let mut h: String = results.iter().chain(&env).map(|p| panel_html(p, None)).collect();
    if !absent.is_empty() {
        // One line, not a sentence per section: a run of one kind (batch reads only) lacks most of them.
        let names: Vec<String> = absent.iter().map(|p| format!("<span data-panel=\"{}\">{}</span>", esc(&p.id), esc(&p.title))).collect();
        h.push_str(&format!(
            "<section class=\"dash-panel\" data-panel=\"absent\" aria-labelledby=\"dash-absent-title\"><h2 id=\"dash-absent-title\">Not in this report</h2>\
             <p class=\"dash-absent\">{}.</p></section>",
            names.join(", ")
        ));
    }
    h
}

/// A panel as a page section. `side` ("a" or "b") keeps element ids unique
/// when two runs are shown side by side.
pub fn panel_html(p: &Panel, side: Option<&str>) -> String {
    let key = match side {
        Some(s) => format!("{s}-{}", p.id),
        None => p.id.clone(),
    };
    let side_attr = side.map(|s| format!(" data-side=\"{}\"", esc(s))).unwrap_or_default();
    format!(
        "<section class=\"dash-panel\" data-panel=\"{id}\"{side_attr} aria-labelledby=\"dash-{key}-title\"><h2 id=\"dash-{key}-title\">{t}</h2>{body}</section>",
        id = esc(&p.id),
        key = esc(&key),
        t = esc(&p.title),
        body = p.html
    )
}
