//! Where the book's directives are: `{{#…}}` spans in prose found with a Markdown parser (code stays code), and the first heading.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::DirectiveError;

pub(crate) const OPEN: &str = "{{#widget";
const CLOSE: &str = "}}";

/// The end of the chapter's first heading (its title), if it has one.
pub(crate) fn first_heading_end(markdown: &str) -> Option<usize> {
    let mut in_heading = false;
    for (ev, range) in Parser::new_ext(markdown, Options::all()).into_offset_iter() {
        match ev {
            Event::Start(Tag::Heading { .. }) => in_heading = true,
            Event::End(TagEnd::Heading(_)) if in_heading => return Some(range.end),
            _ => {}
        }
    }
    None
}

/// One `{{#… }}` found in prose.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Directive<'a> {
    /// Its byte span in the chapter.
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// Its 1-based line.
    pub(crate) line: usize,
    /// The text between the opening and `}}`.
    pub(crate) inner: &'a str,
}

/// Each `open … }}` in prose (in code it stays text); an unclosed one is an error and ends the search.
pub(crate) fn directives<'a>(markdown: &'a str, open: &'a str, prose: &[std::ops::Range<usize>]) -> Vec<Result<Directive<'a>, DirectiveError>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = markdown[from..].find(open) {
        let start = from + i;
        from = start + open.len();
        if !prose.iter().any(|r| r.contains(&start)) {
            continue;
        }
        let line = markdown[..start].matches('\n').count() + 1;
        let Some(j) = markdown[from..].find(CLOSE) else {
            out.push(Err(DirectiveError { line, message: format!("{}…}} is not closed with }}}}", open.trim_end()) }));
            break;
        };
        out.push(Ok(Directive { start, end: from + j + CLOSE.len(), line, inner: &markdown[from..from + j] }));
        from += j + CLOSE.len();
    }
    out
}

/// Byte ranges of ordinary text: not code blocks, inline code or raw HTML.
pub(crate) fn prose_ranges(markdown: &str) -> Vec<std::ops::Range<usize>> {
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
