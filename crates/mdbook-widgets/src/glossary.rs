//! The glossary: `book/glossary.toml` rendered by `{{#glossary}}`, and the first use of each term on every other page linked to its entry.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use serde::Deserialize;

/// Replaced by the glossary's entries.
pub(crate) const TOKEN: &str = "{{#glossary}}";
/// The page the entries live on, relative to the book's source folder.
pub(crate) const PAGE: &str = "glossary.md";

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Glossary {
    pub term: Vec<Term>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Term {
    /// The anchor on the glossary page.
    pub id: String,
    /// As the entry shows it.
    pub name: String,
    /// The words that count as a use of the term (whole words, case as written).
    #[serde(rename = "match")]
    pub matches: Vec<String>,
    /// The definition (Markdown).
    pub text: String,
}

impl Glossary {
    /// Read and check `glossary.toml`: unique ids made of `a-z0-9-`, a match for every term.
    pub(crate) fn parse(text: &str) -> Result<Glossary, String> {
        let g: Glossary = toml::from_str(text).map_err(|e| format!("glossary.toml: {e}"))?;
        for (i, t) in g.term.iter().enumerate() {
            if t.id.is_empty() || !t.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
                return Err(format!("glossary.toml: id {:?} must be lowercase letters, digits and dashes", t.id));
            }
            if g.term[..i].iter().any(|o| o.id == t.id) {
                return Err(format!("glossary.toml: id {:?} is used twice", t.id));
            }
            if t.matches.iter().all(|m| m.trim().is_empty()) {
                return Err(format!("glossary.toml: {:?} has nothing to match", t.id));
            }
        }
        Ok(g)
    }

    /// The entries as Markdown, in alphabetical order, each with its anchor.
    pub(crate) fn render(&self) -> String {
        let mut terms: Vec<&Term> = self.term.iter().collect();
        terms.sort_by_key(|t| t.name.to_lowercase());
        let mut out = String::from("\n\n");
        for t in terms {
            out.push_str(&format!("<a id=\"{}\"></a>**{}**: {}\n\n", t.id, t.name, t.text.trim()));
        }
        out
    }

    /// Links for the first use of each term in `markdown`'s prose (text or
    /// inline code; not headings, links, images or code blocks), skipping any
    /// byte range in `taken`. Longer matches win where two overlap.
    pub(crate) fn links(&self, markdown: &str, to_root: &str, taken: &[(usize, usize)]) -> Vec<(usize, usize, String)> {
        let mut words: Vec<(&str, &Term)> = self.term.iter().flat_map(|t| t.matches.iter().map(move |m| (m.as_str(), t))).collect();
        words.sort_by_key(|(m, _)| std::cmp::Reverse(m.len()));
        let mut edits: Vec<(usize, usize, String)> = Vec::new();
        let mut linked: Vec<&str> = Vec::new();
        let mut skip = 0usize;
        let free = |a: usize, b: usize, edits: &[(usize, usize, String)]| {
            !taken.iter().any(|&(s, e)| a < e && s < b) && !edits.iter().any(|(s, e, _)| a < *e && *s < b)
        };
        let url = |t: &Term| format!("{to_root}{PAGE}#{}", t.id);
        // Without smart punctuation: it splits "Little's law" into three text
        // events at its apostrophe, and no term would match across them.
        let options = Options::all() - Options::ENABLE_SMART_PUNCTUATION;
        for (ev, range) in Parser::new_ext(markdown, options).into_offset_iter() {
            match ev {
                // Not in headings, table headers (a link there would be a
                // heading's colour on the header's background), links, images or code.
                Event::Start(
                    Tag::Heading { .. }
                    | Tag::TableHead
                    | Tag::Link { .. }
                    | Tag::Image { .. }
                    | Tag::CodeBlock(_)
                    | Tag::HtmlBlock
                    | Tag::MetadataBlock(_),
                ) => skip += 1,
                Event::End(
                    TagEnd::Heading(_)
                    | TagEnd::TableHead
                    | TagEnd::Link
                    | TagEnd::Image
                    | TagEnd::CodeBlock
                    | TagEnd::HtmlBlock
                    | TagEnd::MetadataBlock(_),
                ) => skip = skip.saturating_sub(1),
                Event::Code(code) if skip == 0 => {
                    if let Some((_, t)) = words.iter().find(|(m, t)| *m == code.as_ref() && !linked.contains(&t.id.as_str())) {
                        if free(range.start, range.end, &edits) {
                            edits.push((range.start, range.end, format!("[{}]({})", &markdown[range.clone()], url(t))));
                            linked.push(&t.id);
                        }
                    }
                }
                Event::Text(_) if skip == 0 => {
                    let src = &markdown[range.clone()];
                    for (m, t) in &words {
                        if linked.contains(&t.id.as_str()) {
                            continue;
                        }
                        // The first whole-word use not inside something already replaced.
                        let mut from = 0;
                        while let Some(at) = find_word(&src[from..], m) {
                            let (a, b) = (range.start + from + at, range.start + from + at + m.len());
                            if free(a, b, &edits) {
                                edits.push((a, b, format!("[{}]({})", &markdown[a..b], url(t))));
                                linked.push(&t.id);
                                break;
                            }
                            from += at + m.len();
                        }
                    }
                }
                _ => {}
            }
        }
        edits
    }
}

/// The first place `word` stands as a whole word in `text` (no letter, digit
/// or underscore on either side).
fn find_word(text: &str, word: &str) -> Option<usize> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut from = 0;
    while let Some(i) = text[from..].find(word) {
        let at = from + i;
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        if !before.is_some_and(is_word) && !after.is_some_and(is_word) {
            return Some(at);
        }
        from = at + word.len().max(1);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g() -> Glossary {
        Glossary::parse(
            r#"
[[term]]
id = "gil"
name = "GIL"
match = ["GIL"]
text = "The lock."
[[term]]
id = "gil-ceiling"
name = "GIL ceiling"
match = ["GIL ceiling"]
text = "The cap."
[[term]]
id = "rie"
name = "run_in_executor"
match = ["run_in_executor"]
text = "The call."
[[term]]
id = "littles-law"
name = "Little's law"
match = ["Little's law"]
text = "N = X × R."
"#,
        )
        .unwrap()
    }

    fn apply(md: &str, edits: Vec<(usize, usize, String)>) -> String {
        let mut out = md.to_string();
        let mut e = edits;
        e.sort_by_key(|x| x.0);
        for (a, b, t) in e.into_iter().rev() {
            out.replace_range(a..b, &t);
        }
        out
    }

    #[test]
    fn the_first_use_is_linked_longest_match_first_and_never_in_headings_links_or_code_blocks() {
        let md = "# The GIL\n\nThe GIL ceiling caps it; the GIL is a lock; GILs and theGIL are not it. See [GIL](x.md).\n\n```\nGIL\n```\n\nCall `run_in_executor` twice: `run_in_executor`.\n";
        let out = apply(md, g().links(md, "../", &[]));
        assert!(out.starts_with("# The GIL\n"), "{out}");
        assert!(
            out.contains("The [GIL ceiling](../glossary.md#gil-ceiling) caps it; the [GIL](../glossary.md#gil) is a lock; GILs and theGIL"),
            "{out}"
        );
        assert!(out.contains("[`run_in_executor`](../glossary.md#rie) twice: `run_in_executor`."), "{out}");
        assert!(out.contains("```\nGIL\n```"));
        assert_eq!(out.matches("glossary.md#gil)").count(), 1);
    }

    #[test]
    fn a_term_with_an_apostrophe_is_linked() {
        let md = "Callers are the rate times the time (Little's law).\n";
        let out = apply(md, g().links(md, "", &[]));
        assert_eq!(out, "Callers are the rate times the time ([Little's law](glossary.md#littles-law)).\n");
    }

    #[test]
    fn ranges_already_taken_are_left_alone() {
        let md = "{{#widget x pattern=GIL}} and the GIL.\n";
        let taken = [(0, md.find("}}").unwrap() + 2)];
        let out = apply(md, g().links(md, "", &taken));
        assert_eq!(out, "{{#widget x pattern=GIL}} and the [GIL](glossary.md#gil).\n");
    }

    #[test]
    fn a_bad_glossary_is_named() {
        assert!(Glossary::parse("[[term]]\nid = \"A b\"\nname = \"x\"\nmatch = [\"x\"]\ntext = \"\"\n").unwrap_err().contains("lowercase"));
        assert!(Glossary::parse("[[term]]\nid = \"a\"\nname = \"x\"\nmatch = []\ntext = \"\"\n").unwrap_err().contains("nothing to match"));
        assert!(Glossary::parse("[[term]]\nid = \"a\"\nnam = \"x\"\n").unwrap_err().contains("glossary.toml"));
    }
}
