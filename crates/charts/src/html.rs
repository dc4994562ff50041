//! HTML made safe: one escape for every crate's text and attributes, Markdown emphasis, and a data table.

use crate::format::number;
use crate::table::Table;

/// Escape text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Markdown emphasis (`**strong**`, `*em*`) to HTML; everything else is escaped text.
pub fn emphasis(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while !rest.is_empty() {
        let (marker, tag) = if rest.starts_with("**") {
            ("**", "strong")
        } else if rest.starts_with('*') {
            ("*", "em")
        } else {
            ("", "")
        };
        if !marker.is_empty() {
            if let Some(end) = rest[marker.len()..].find(marker) {
                let inner = &rest[marker.len()..marker.len() + end];
                // As in CommonMark, emphasis does not start or end with a space.
                let flanking = !inner.starts_with(char::is_whitespace) && !inner.ends_with(char::is_whitespace);
                if !inner.is_empty() && flanking {
                    out.push_str(&format!("<{tag}>{}</{tag}>", esc(inner)));
                    rest = &rest[marker.len() * 2 + end..];
                    continue;
                }
            }
        }
        let next = rest.char_indices().skip(1).find(|&(_, c)| c == '*').map(|(i, _)| i).unwrap_or(rest.len());
        out.push_str(&esc(&rest[..next]));
        rest = &rest[next..];
    }
    out
}

/// A table as an accessible HTML table in a keyboard-scrollable box, its first column row headers.
pub(crate) fn table_html(t: &Table, caption: &str) -> String {
    let mut h = format!(
        "<div class=\"widget-data-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"{}\"><table><caption>{}</caption><thead><tr>",
        esc(caption),
        esc(caption)
    );
    for c in &t.headers {
        h.push_str(&format!("<th scope=\"col\">{}</th>", esc(c)));
    }
    h.push_str("</tr></thead><tbody>");
    for r in &t.rows {
        h.push_str("<tr>");
        for (i, c) in r.iter().enumerate() {
            let shown = c.parse::<f64>().map(number).unwrap_or_else(|_| c.clone());
            if i == 0 {
                h.push_str(&format!("<th scope=\"row\">{}</th>", esc(&shown)));
            } else {
                h.push_str(&format!("<td>{}</td>", esc(&shown)));
            }
        }
        h.push_str("</tr>");
    }
    h.push_str("</tbody></table></div>");
    h
}
