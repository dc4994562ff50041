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
    labelled(&h)
}

/// Each data cell of every table in `html` labelled with its column's header
/// (`data-label`), so that on a phone a row can stand as a list of
/// "header: value" lines instead of a table wider than the screen. The
/// header's text is its markup less tags, as already escaped.
pub(crate) fn labelled(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 4);
    let mut rest = html;
    while let Some(start) = rest.find("<table") {
        let end = rest[start..].find("</table>").map_or(rest.len(), |e| start + e + "</table>".len());
        out.push_str(&rest[..start]);
        out.push_str(&label_table(&rest[start..end]));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// One table's cells labelled by its `<thead>` row (a table without one is left as it is).
fn label_table(t: &str) -> String {
    let (Some(h0), Some(h1)) = (t.find("<thead>"), t.find("</thead>")) else { return t.to_string() };
    let headers: Vec<String> = t[h0 + "<thead>".len()..h1]
        .split("<th")
        .skip(1)
        .map(|c| text(c.split_once('>').map_or("", |(_, r)| r).split("</th>").next().unwrap_or("")))
        .collect();
    let (head, body) = t.split_at(h1);
    let mut out = String::from(head);
    for (i, row) in body.split("<tr").enumerate() {
        if i > 0 {
            out.push_str("<tr");
        }
        let mut column = 0;
        let mut cells = row.split('<').peekable();
        out.push_str(cells.next().unwrap_or(""));
        for piece in cells {
            out.push('<');
            if piece.starts_with("th") && !piece.starts_with("thead") {
                column += 1;
            } else if let Some(after) = piece.strip_prefix("td") {
                if let Some(h) = headers.get(column).filter(|h| !h.is_empty()) {
                    out.push_str(&format!("td data-label=\"{h}\""));
                    out.push_str(after);
                    column += 1;
                    continue;
                }
                column += 1;
            }
            out.push_str(piece);
        }
    }
    out
}

/// Markup less its tags.
fn text(s: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in s.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::labelled;

    #[test]
    fn each_cell_carries_its_columns_header() {
        let t = "<p>x</p><table><caption>c</caption><thead><tr><th scope=\"col\">Pattern</th><th scope=\"col\" title=\"t\"><span class=\"s\"></span>p99 &amp; more</th><th scope=\"col\">Threads</th></tr></thead>\
                 <tbody><tr class=\"m\"><th scope=\"row\">Sync</th><td>1 ms</td><td data-pattern=\"sync\">3</td></tr><tr><th scope=\"row\">Tokio</th><td>2 ms</td><td>4</td></tr></tbody></table><p>y</p>";
        assert_eq!(
            labelled(t),
            "<p>x</p><table><caption>c</caption><thead><tr><th scope=\"col\">Pattern</th><th scope=\"col\" title=\"t\"><span class=\"s\"></span>p99 &amp; more</th><th scope=\"col\">Threads</th></tr></thead>\
             <tbody><tr class=\"m\"><th scope=\"row\">Sync</th><td data-label=\"p99 &amp; more\">1 ms</td><td data-label=\"Threads\" data-pattern=\"sync\">3</td></tr><tr><th scope=\"row\">Tokio</th><td data-label=\"p99 &amp; more\">2 ms</td><td data-label=\"Threads\">4</td></tr></tbody></table><p>y</p>"
        );
    }

    #[test]
    fn a_table_without_a_header_row_is_left_alone() {
        let t = "<table><tbody><tr><td>1</td></tr></tbody></table>";
        assert_eq!(labelled(t), t);
    }
}
