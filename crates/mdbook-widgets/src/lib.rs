//! Find `{{#widget ...}}` directives in Markdown and replace each with a typed placeholder element.
//!
//! Directives are found with a Markdown parser, so one inside a code block
//! or inline code stays text. Replacements are spliced back to front so
//! earlier offsets stay valid.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use widget_props::{parse_directive, Widget};

const OPEN: &str = "{{#widget";
const CLOSE: &str = "}}";
/// Replaced by the table of model parameters (name, default, unit, range, source).
const PARAMS: &str = "{{#model-params}}";

/// A directive that could not be turned into a widget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectiveError {
    /// 1-based line in the chapter source.
    pub line: usize,
    pub message: String,
}

/// Replace every directive in `markdown`; all errors are collected.
pub fn expand(markdown: &str) -> Result<String, Vec<DirectiveError>> {
    let prose = prose_ranges(markdown);
    let mut found = Vec::new();
    let mut errors = Vec::new();
    let mut from = 0;
    while let Some(i) = markdown[from..].find(OPEN) {
        let start = from + i;
        from = start + OPEN.len();
        if !prose.iter().any(|r| r.contains(&start)) {
            continue;
        }
        let line = markdown[..start].matches('\n').count() + 1;
        let Some(j) = markdown[from..].find(CLOSE) else {
            errors.push(DirectiveError { line, message: "widget directive is not closed with }}".into() });
            break;
        };
        let end = from + j + CLOSE.len();
        match parse_directive(&markdown[from..from + j]) {
            Ok(w) => found.push((start, end, w)),
            Err(message) => errors.push(DirectiveError { line, message }),
        }
        from = end;
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut edits: Vec<(usize, usize, String)> =
        found.into_iter().map(|(s, e, w)| (s, e, placeholder(&w))).collect();
    let mut from = 0;
    while let Some(i) = markdown[from..].find(PARAMS) {
        let start = from + i;
        from = start + PARAMS.len();
        if prose.iter().any(|r| r.contains(&start)) {
            edits.push((start, from, params_table()));
        }
    }
    edits.sort_by_key(|e| e.0);
    let mut out = markdown.to_string();
    for (start, end, text) in edits.into_iter().rev() {
        out.replace_range(start..end, &text);
    }
    Ok(out)
}

/// The model's parameter list as a Markdown table, straight from
/// [`perfmodel::Params::describe`].
pub fn params_table() -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut t = String::from(
        "\n\n| Parameter | Default | Unit | Valid range | What it is | Where the default comes from |\n\
         |---|---:|---|---|---|---|\n",
    );
    for p in perfmodel::Params::describe() {
        t.push_str(&format!(
            "| `{}` | {} | {} | {} – {} | {} | {} |\n",
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

/// Byte ranges of ordinary text: not code blocks, inline code or raw HTML.
fn prose_ranges(markdown: &str) -> Vec<std::ops::Range<usize>> {
    let mut in_code = 0usize;
    let mut out = Vec::new();
    for (ev, range) in Parser::new_ext(markdown, Options::all()).into_offset_iter() {
        match ev {
            Event::Start(Tag::CodeBlock(_)) => in_code += 1,
            Event::End(TagEnd::CodeBlock) => in_code = in_code.saturating_sub(1),
            Event::Text(_) if in_code == 0 => out.push(range),
            _ => {}
        }
    }
    out
}

/// The placeholder a widget mounts into. It is a block of its own (blank
/// lines around it), carries its props as escaped JSON, shows a loading
/// line until the WASM module replaces it, and says what it is without
/// JavaScript.
pub fn placeholder(w: &Widget) -> String {
    format!(
        "\n\n<div class=\"widget\" data-widget=\"{name}\" data-props=\"{props}\" data-state=\"loading\">\
<p class=\"widget-loading\">Loading the interactive figure…</p>\
<noscript><p class=\"widget-noscript\">{noscript}</p></noscript></div>\n\n",
        name = w.name(),
        props = escape_attr(&w.props_json()),
        noscript = noscript_text(w),
    )
}

fn noscript_text(w: &Widget) -> &'static str {
    match w {
        Widget::ThroughputScaling(_) => {
            "This interactive chart of throughput against concurrency needs JavaScript. \
             The methodology chapter lists how every number is computed."
        }
        Widget::MemoryUsage(_) => {
            "This interactive chart of memory against concurrency needs JavaScript. \
             The memory chapter shows the model's memory rule."
        }
        Widget::GilTimeline(_) => {
            "This interactive timeline of which thread holds the GIL needs JavaScript. \
             The methodology chapter describes the simulator that produces it."
        }
    }
}

/// Escape text for a double-quoted HTML attribute.
pub fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}
