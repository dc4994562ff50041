//! The model's parameters and presets in the book: their tables, and `{{#param NAME}}` for one default in prose.

use crate::scan::directives;
use crate::{BookEnv, DirectiveError};

/// Replaced by the table of model parameters (name, default, unit, range, source).
pub(crate) const PARAMS: &str = "{{#model-params}}";
/// Replaced by the table of network presets (round trip and source).
pub(crate) const PRESETS: &str = "{{#model-presets}}";

/// The model's parameter list as a Markdown table, straight from
/// [`perfmodel::Params::describe`].
pub(crate) fn params_table() -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut t = String::from(
        "\n\n| Parameter | Default | Unit | Valid range | What it is | Where the default comes from |\n\
         |---|---:|---|---|---|---|\n",
    );
    for p in perfmodel::Params::describe() {
        t.push_str(&format!(
            "| <a id=\"param-{}\"></a>`{}` | {} | {} | {} – {} | {} | {} |\n",
            p.name,
            p.name,
            p.default,
            p.unit,
            p.min,
            p.max,
            cell(p.description),
            cell(p.provenance)
        ));
    }
    t.push('\n');
    t
}

/// The network presets as a Markdown table, from [`perfmodel::scenario::PRESETS`].
pub(crate) fn presets_table() -> String {
    let mut t = String::from("\n\n| Preset | Round trip (ms) | Source |\n|---|---:|---|\n");
    for p in perfmodel::scenario::PRESETS {
        t.push_str(&format!("| {} | {} | {} |\n", p.label, p.rtt_ms, p.source.replace('|', "\\|")));
    }
    t.push('\n');
    t
}

/// Replaced inline by one parameter's default with its unit, linked to its row of the parameter table.
pub(crate) const PARAM: &str = "{{#param ";

/// `{{#param NAME}}` in prose: the default of the model's parameter NAME and
/// its unit ("512 threads", "8 MiB"), linked to the methodology page's row,
/// so prose never types a parameter's value. An unknown name fails the build.
pub(crate) fn param_edits(
    markdown: &str,
    prose: &[std::ops::Range<usize>],
    env: &BookEnv,
) -> Result<Vec<(usize, usize, String)>, Vec<DirectiveError>> {
    let table = perfmodel::Params::describe();
    let (mut edits, mut errors) = (Vec::new(), Vec::new());
    for d in directives(markdown, PARAM, prose) {
        let (start, end, line, name) = match d {
            Ok(d) => (d.start, d.end, d.line, d.inner.trim()),
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        match table.iter().find(|p| p.name == name) {
            Some(p) => {
                let unit = if p.unit == "fraction" { String::new() } else { format!(" {}", p.unit) };
                let d = p.default;
                let value = if d.fract() == 0.0 && d.abs() < 1e9 { charts::format::count(d as u32) } else { charts::format::number(d) };
                edits.push((start, end, format!("[{value}{unit}]({}methodology.md#param-{name})", env.to_root)));
            }
            None => errors.push(DirectiveError { line, message: format!("{{{{#param {name}}}}}: the model has no parameter {name:?}") }),
        }
    }
    if errors.is_empty() {
        Ok(edits)
    } else {
        Err(errors)
    }
}
