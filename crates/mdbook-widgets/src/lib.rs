//! The `mdbook-widgets` preprocessor: directives in the book's Markdown become typed widget placeholders, generated tables and typeset formulas.
//!
//! Directives are found with a Markdown parser ([`scan`]), so one inside a
//! code block or inline code stays text. Every replacement is an edit of a
//! byte span; the edits are spliced back to front so earlier offsets stay
//! valid. What a page reads from the book's folders (the reports, the
//! glossary) is read once per book and shared by every page ([`BookEnv`]).

use std::cell::OnceCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use widget_props::{parse_directive, Widget};

mod bar;
pub mod batch_lab;
mod batch_page;
mod examples;
pub(crate) mod glossary;
pub mod lab;
pub mod lab_costs;
pub mod lab_fit;
pub mod machines;
mod math;
mod noscript;
pub mod open_lab;
mod params;
mod placeholder;
mod scan;
pub mod second_machine;
pub mod service_lab;
mod service_notes;

pub use lab::Lab;
pub use math::mathml;
pub use noscript::static_figure;
pub use placeholder::placeholder_in;

/// Escape text for HTML content or a double-quoted attribute (one escaper for the whole site).
pub(crate) use charts::html::esc as escape_attr;

/// A directive that could not be turned into a widget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectiveError {
    /// 1-based line in the chapter source.
    pub line: usize,
    pub message: String,
}

/// Where the book lives, and where the page being expanded sits in it.
/// Folders named by directives are read relative to `src_dir`; what they
/// hold is read once and shared by every page's `BookEnv` ([`BookEnv::page`]).
#[derive(Debug, Clone, Default)]
pub struct BookEnv {
    pub src_dir: PathBuf,
    /// The way from the page being expanded to the book's root ("../" per
    /// folder level; empty for a page at the root), for links into src.
    pub to_root: String,
    shelf: Rc<Shelf>,
}

/// What the book's folders hold, each read on first use.
#[derive(Debug, Default)]
struct Shelf {
    reports: OnceCell<reports::Bundle>,
    lab: OnceCell<Option<Lab>>,
    batch_lab: OnceCell<Option<batch_lab::BatchLab>>,
    open_lab: OnceCell<Option<(charts::open_load::OpenLab, reports::open_loop::OpenReport)>>,
    service_lab: OnceCell<Option<reports::service::ServiceReport>>,
    glossary: OnceCell<Result<Option<glossary::Glossary>, String>>,
}

impl BookEnv {
    /// The book whose source folder is `src_dir`, at a page `to_root` away from its root.
    pub fn new(src_dir: impl Into<PathBuf>, to_root: impl Into<String>) -> BookEnv {
        BookEnv { src_dir: src_dir.into(), to_root: to_root.into(), shelf: Rc::default() }
    }

    /// Another page of the same book (the folders are not read again).
    pub fn page(&self, to_root: impl Into<String>) -> BookEnv {
        BookEnv { to_root: to_root.into(), ..self.clone() }
    }

    /// A reports folder under the source folder, read as the dashboard's parser reads it (empty if unreadable).
    pub(crate) fn read_reports(&self, folder: &str) -> reports::Bundle {
        reports::read_dir(&self.src_dir.join(folder)).unwrap_or(reports::Bundle { index: None, files: Vec::new() })
    }

    /// The book's `reports/` folder, read once.
    pub fn reports(&self) -> &reports::Bundle {
        self.shelf.reports.get_or_init(|| self.read_reports("reports"))
    }

    /// The lab run the model is calibrated from (else the newest with a grid), read once.
    pub fn lab(&self) -> Option<&Lab> {
        self.shelf.lab.get_or_init(|| Lab::calibrating(self.reports())).as_ref()
    }

    /// The newest report with a batch grid, read once.
    pub fn batch_lab(&self) -> Option<&batch_lab::BatchLab> {
        self.shelf.batch_lab.get_or_init(|| batch_lab::BatchLab::newest(self.reports())).as_ref()
    }

    /// The newest open-load report and the cells the open-load figure carries, read once.
    pub fn open_lab(&self) -> Option<&(charts::open_load::OpenLab, reports::open_loop::OpenReport)> {
        self.shelf.open_lab.get_or_init(|| open_lab::read_newest(self)).as_ref()
    }

    /// The newest service report, read once.
    pub fn service_lab(&self) -> Option<&reports::service::ServiceReport> {
        self.shelf.service_lab.get_or_init(|| service_lab::read_newest(self)).as_ref()
    }

    /// The book's glossary, if it has one (`glossary.toml` in the source folder), read once.
    fn glossary(&self) -> Result<Option<&glossary::Glossary>, String> {
        let g = self.shelf.glossary.get_or_init(|| {
            let path = self.src_dir.join("glossary.toml");
            match std::fs::read_to_string(&path) {
                Ok(text) => glossary::Glossary::parse(&text).map(Some),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(format!("{}: {e}", path.display())),
            }
        });
        g.as_ref().map(Option::as_ref).map_err(Clone::clone)
    }
}

/// Replace every directive in `markdown`, reading folders relative to the
/// current directory; all errors are collected.
pub fn expand(markdown: &str) -> Result<String, Vec<DirectiveError>> {
    expand_in(markdown, &BookEnv::new(Path::new(""), ""))
}

/// Replace every directive in `markdown` of the book at `env`.
pub fn expand_in(markdown: &str, env: &BookEnv) -> Result<String, Vec<DirectiveError>> {
    let prose = scan::prose_ranges(markdown);
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for d in scan::directives(markdown, scan::OPEN, &prose) {
        match d.and_then(|d| parse_directive(d.inner).map(|w| (d.start, d.end, w)).map_err(|message| DirectiveError { line: d.line, message })) {
            Ok(w) => found.push(w),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // A page with a widget that reads the scenario gets the scenario bar's
    // place under its title, its height reserved, so the bar does not push the
    // page down when the module mounts it.
    let bar = found
        .iter()
        .any(|(_, _, w)| !matches!(w, Widget::ResultsDashboard(_)))
        .then(|| bar::host(&found.iter().map(|(_, _, w)| w).collect::<Vec<_>>(), &env.to_root));
    let mut edits: Vec<(usize, usize, String)> = found.into_iter().map(|(s, e, w)| (s, e, placeholder::placeholder_in(&w, env))).collect();
    if let Some(bar) = bar {
        let at = scan::first_heading_end(markdown).unwrap_or(0);
        edits.push((at, at, bar));
    }
    // Whole-page tokens in prose (in code they stay text), each replaced by its text.
    let tokens = |token: &str| -> Vec<(usize, usize)> {
        let mut at = Vec::new();
        let mut from = 0;
        while let Some(i) = markdown[from..].find(token) {
            let start = from + i;
            from = start + token.len();
            if prose.iter().any(|r| r.contains(&start)) {
                at.push((start, from));
            }
        }
        at
    };
    let model_vs_lab = || lab::model_vs_lab(env);
    let pool_lab = || lab::pool_lab(env);
    let verdicts = || lab::verdicts(env);
    let open_lab_table = || open_lab::table(env, true);
    let open_lab_summary = || open_lab::table(env, false);
    let lab_costs_table = || lab_costs::table(env);
    let machines_table = || machines::table(env);
    let batch_table = || batch_lab::table(env);
    let batch_costs = || batch_lab::costs_table(env);
    let batch_answer = || batch_page::answer(env);
    let batch_flip = || batch_page::flip(env);
    let batch_production = || batch_page::production_table(env);
    let batch_meaning = || batch_page::meaning(env);
    let service_table = || service_lab::table(env, true);
    let service_summary = || service_lab::table(env, false);
    let service_verdict = || service_lab::verdict(env);
    let service_cpu = || service_lab::cpu_words(env);
    let service_notes = || service_notes::table(env);
    let second_machine = || second_machine::table(env);
    let texts: [(&str, &dyn Fn() -> String); 22] = [
        (batch_page::ANSWER, &batch_answer),
        (batch_page::FLIP, &batch_flip),
        (batch_page::PRODUCTION, &batch_production),
        (batch_page::MEANING, &batch_meaning),
        (batch_lab::TOKEN, &batch_table),
        (batch_lab::COSTS_TOKEN, &batch_costs),
        (machines::TOKEN, &machines_table),
        (lab_costs::TOKEN, &lab_costs_table),
        (params::PARAMS, &params::params_table),
        (params::PRESETS, &params::presets_table),
        (lab::MODEL_VS_LAB, &model_vs_lab),
        (examples::SERVICES, &examples::service_examples),
        (lab::POOL_LAB, &pool_lab),
        (lab::VERDICTS, &verdicts),
        (open_lab::TOKEN, &open_lab_table),
        (open_lab::SUMMARY_TOKEN, &open_lab_summary),
        (service_lab::TOKEN, &service_table),
        (service_lab::SUMMARY_TOKEN, &service_summary),
        (service_lab::VERDICT_TOKEN, &service_verdict),
        (service_lab::CPU_TOKEN, &service_cpu),
        (service_notes::TOKEN, &service_notes),
        (second_machine::TOKEN, &second_machine),
    ];
    for (token, text) in texts {
        edits.extend(tokens(token).into_iter().map(|(a, b)| (a, b, text())));
    }
    match math::math_edits(markdown) {
        Ok(m) => edits.extend(m),
        Err(e) => return Err(e),
    }
    match params::param_edits(markdown, &prose, env) {
        Ok(m) => edits.extend(m),
        Err(e) => return Err(e),
    }
    // The glossary: its own page lists it; every other page links the first use of each term.
    if let Some(g) = env.glossary().map_err(|message| vec![DirectiveError { line: 1, message }])? {
        let listed = tokens(glossary::TOKEN);
        if !listed.is_empty() {
            edits.extend(listed.into_iter().map(|(a, b)| (a, b, g.render())));
        } else {
            let taken: Vec<(usize, usize)> = edits.iter().map(|(s, e, _)| (*s, *e)).collect();
            edits.extend(g.links(markdown, &env.to_root, &taken));
        }
    }
    edits.sort_by_key(|e| e.0);
    let mut out = markdown.to_string();
    for (start, end, text) in edits.into_iter().rev() {
        out.replace_range(start..end, &text);
    }
    Ok(out)
}
