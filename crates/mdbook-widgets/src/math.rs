//! Formulas typeset at build time: `$…$` and `$$…$$` in prose to MathML, with no script in the page.

use pulldown_cmark::{Event, Options, Parser};

use crate::DirectiveError;

/// `$…$` and `$$…$$` in prose, typeset to MathML when the book is built
/// (no script: it works offline, from disk, in print). A formula the
/// typesetter cannot read fails the build with its line.
pub(crate) fn math_edits(markdown: &str) -> Result<Vec<(usize, usize, String)>, Vec<DirectiveError>> {
    let mut edits = Vec::new();
    let mut errors = Vec::new();
    for (ev, range) in Parser::new_ext(markdown, Options::all()).into_offset_iter() {
        let (tex, block) = match &ev {
            Event::InlineMath(t) => (t.as_ref(), false),
            Event::DisplayMath(t) => (t.as_ref(), true),
            _ => continue,
        };
        let line = markdown[..range.start].matches('\n').count() + 1;
        match mathml(tex, block) {
            Ok(m) => edits.push((range.start, range.end, m)),
            Err(message) => errors.push(DirectiveError { line, message }),
        }
    }
    if errors.is_empty() {
        Ok(edits)
    } else {
        Err(errors)
    }
}

/// One formula as MathML Core. Text between the tags is escaped so that
/// Markdown, which reads it again as inline HTML, finds nothing to format.
pub fn mathml(tex: &str, block: bool) -> Result<String, String> {
    use pulldown_latex::{config::DisplayMode, mathml::push_mathml, Parser as Tex, RenderConfig, Storage};
    let storage = Storage::new();
    if let Some(Err(e)) = Tex::new(tex, &storage).find(|ev| ev.is_err()) {
        return Err(format!("formula ${tex}$ cannot be typeset: {e}"));
    }
    let config = RenderConfig { display_mode: if block { DisplayMode::Block } else { DisplayMode::Inline }, ..RenderConfig::default() };
    let mut out = String::new();
    push_mathml(&mut out, Tex::new(tex, &storage), config).map_err(|e| format!("formula ${tex}$: {e}"))?;
    // The typesetter writes some commands' attributes without a space between
    // them (`\bigl`: `stretchy="true"minsize=…`), which a browser reads as text.
    let run_together = {
        let (mut quoted, mut bad) = (false, false);
        let b = out.as_bytes();
        for (i, &c) in b.iter().enumerate() {
            if c == b'"' {
                // A closing quote must be followed by a space, `>` or `/`.
                if quoted && b.get(i + 1).is_some_and(|n| n.is_ascii_alphanumeric()) {
                    bad = true;
                }
                quoted = !quoted;
            }
        }
        bad
    };
    if run_together {
        return Err(format!(
            "formula ${tex}$ typesets to malformed MathML (attributes run together); write it another way (\\left( … \\right) for \\bigl( … \\bigr))"
        ));
    }
    let mut safe = String::with_capacity(out.len());
    let mut in_tag = false;
    for c in out.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ => {}
        }
        match c {
            '*' | '_' | '`' | '[' | ']' | '\\' | '$' | '~' | '|' if !in_tag => safe.push_str(&format!("&#{};", c as u32)),
            '\n' => safe.push(' '),
            c => safe.push(c),
        }
    }
    Ok(safe)
}
