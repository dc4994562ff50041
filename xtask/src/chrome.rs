//! Mend mdBook 0.5's page chrome where axe-core finds it wanting; every mend must find its target.
//!
//! mdBook's template puts the whole table of contents before the chapter in
//! keyboard order with no way past it, ships a sidebar toggle that is a
//! `<label>` for a hidden checkbox (no keyboard access, ARIA a label may not
//! carry), a menu bar and a search area outside any landmark, an untitled
//! frame, table boxes that scroll without taking focus, and a
//! table-of-contents fragment (`toc.html`, the frame's document) without a
//! title or landmark.
//! Rather than fork the whole `index.hbs`, the build rewrites those few spots
//! in the generated pages. Each rewrite looks for mdBook's exact markup and the
//! build fails, naming the mend, if a page lacks it: a new mdBook that changed
//! (or fixed) its chrome is noticed, not silently left half-mended.
//! mdBook's book.js also sets an empty `onunload` handler, which keeps every
//! page out of the back/forward cache and uses a deprecated event; it goes,
//! and assets/chrome.js reloads a page restored in a stale theme instead.
//! A page without a code block does without highlight.js and clipboard.js,
//! and book.js's calls into them check that they are there. The six
//! stylesheets every page links as a plain `<link>` become one file, so a
//! first paint waits for one request instead of six.
//! The colours are in assets/chrome.css, the behaviour in assets/chrome.js.

use std::path::Path;

use crate::{read_text, write, Result};

/// A plain insertion: `with` replaces the first `find` on every book page.
struct Mend {
    why: &'static str,
    find: &'static str,
    with: &'static str,
}

const PAGE_MENDS: &[Mend] = &[
    Mend {
        why: "toc.js, which fills the sidebar, no longer holds up the first paint",
        find: "<!-- Start loading toc.js asap -->\n        <script src=\"",
        with: "<!-- Fetched at once, run once the page is parsed: the first paint does not wait for the sidebar -->\n        <script defer src=\"",
    },
    Mend {
        why: "a skip link leads past the table of contents to the chapter",
        find: "<body>\n",
        with: "<body>\n    <a class=\"skip-link\" href=\"#mdbook-content\">Skip to the chapter</a>\n",
    },
    Mend {
        why: "the menu bar is the page's banner landmark",
        find: r#"<div id="mdbook-menu-bar" class="menu-bar sticky">"#,
        with: r#"<div id="mdbook-menu-bar" class="menu-bar sticky" role="banner">"#,
    },
    Mend {
        why: "the search box and its results form a search landmark",
        find: r#"<div id="mdbook-search-wrapper" class="hidden">"#,
        with: r#"<div id="mdbook-search-wrapper" class="hidden" role="search">"#,
    },
    Mend {
        why: "the no-JavaScript table-of-contents frame has a title",
        find: r#"<iframe class="sidebar-iframe-outer" src=""#,
        with: r#"<iframe class="sidebar-iframe-outer" title="Table of contents" src=""#,
    },
];

/// mdBook wraps each Markdown table in a box that scrolls sideways when the
/// table is wider than the page. A reader without JavaScript can only scroll
/// it from the keyboard if it takes focus, so every box gets a tab stop;
/// assets/chrome.js keeps it only on boxes that do scroll.
const TABLE_BOX: Mend = Mend {
    why: "a table box that may scroll sideways takes focus",
    find: r#"<div class="table-wrapper">"#,
    with: r#"<div class="table-wrapper" tabindex="0">"#,
};

const TOGGLE_OPEN: &str = r#"<label id="mdbook-sidebar-toggle" class="icon-button" for="mdbook-sidebar-toggle-anchor" title="Toggle Table of Contents" aria-label="Toggle Table of Contents" aria-controls="mdbook-sidebar">"#;

/// The sidebar toggle becomes a button (named, keyboard-reachable, allowed to
/// carry `aria-expanded`, which book.js sets); mdBook's label stays for
/// readers without JavaScript, inside `<noscript>`.
fn sidebar_toggle(html: &str) -> Option<String> {
    let start = html.find(TOGGLE_OPEN)?;
    let inner_start = start + TOGGLE_OPEN.len();
    let inner_len = html[inner_start..].find("</label>")?;
    let icon = html[inner_start..inner_start + inner_len].trim();
    let button = format!(
        r#"<button id="mdbook-sidebar-toggle" class="icon-button" type="button" title="Toggle Table of Contents" aria-label="Toggle Table of Contents" aria-controls="mdbook-sidebar" aria-expanded="false">{icon}</button><noscript><label class="icon-button" for="mdbook-sidebar-toggle-anchor" title="Toggle Table of Contents">{icon}</label></noscript>"#
    );
    let end = inner_start + inner_len + "</label>".len();
    Some(format!("{}{button}{}", &html[..start], &html[end..]))
}

/// `toc.html` is a document of its own (the frame's): a title, the book's
/// icons (without them the browser asks the server's root for
/// `/favicon.ico`, a 404 on every load), and the list as its main landmark
/// under a heading for screen readers.
fn toc(html: &str, icons: &str) -> Option<String> {
    let charset = r#"<meta charset="UTF-8">"#;
    let list = r#"<ol class="chapter">"#;
    if !html.contains(charset) || !html.contains(list) || !html.contains("</body>") {
        return None;
    }
    Some(
        html.replacen(charset, &format!("{charset}\n        <title>Table of contents</title>{icons}"), 1)
            .replacen(list, &format!(r#"<main aria-label="Table of contents"><h1 class="visually-hidden">Table of contents</h1>{list}"#), 1)
            .replacen("</body>", "</main>\n    </body>", 1),
    )
}

const UNLOAD: &str = "// Fix back button cache problem\nwindow.onunload = function() { };\n";

/// book.js's calls into highlight.js and clipboard.js, each made to check that the page loaded it.
const OPTIONAL_SCRIPT_CALLS: [(&str, &str); 3] = [
    ("    hljs.configure({", "    if (window.hljs) hljs.configure({"),
    ("hljs.highlightBlock(block);", "if (window.hljs) hljs.highlightBlock(block);"),
    (
        "(function clipboard() {\n    const clipButtons = document.querySelectorAll('.clip-button');\n",
        "(function clipboard() {\n    const clipButtons = document.querySelectorAll('.clip-button');\n    if (!window.ClipboardJS) return;\n",
    ),
];

/// book.js without its empty unload handler, and at ease on a page without highlight.js or clipboard.js.
fn book_js(js: &str) -> Option<String> {
    let mut out = js.contains(UNLOAD).then(|| js.replacen(UNLOAD, "", 1))?;
    for (find, with) in OPTIONAL_SCRIPT_CALLS {
        if !out.contains(find) {
            return None;
        }
        out = out.replace(find, with);
    }
    Some(out)
}

/// A page without a code block does without highlight.js (137 KB, the
/// largest script after the widgets' module): its `<script>` goes. Inline
/// code keeps its colours, which come from the stylesheets, not the script.
fn without_highlighter(html: &str) -> Option<String> {
    if html.contains("<pre><code") {
        return Some(html.to_string());
    }
    // clipboard.js copies code blocks (the copy button on each): none here either.
    let mut out = html.to_string();
    for names in [["highlight-", "highlight.js"], ["clipboard-", "clipboard.min.js"]] {
        out = without_script(&out, names)?;
    }
    Some(out)
}

/// `html` without the first `<script src=…>` whose tag holds one of `names`, and its line.
fn without_script(html: &str, names: [&str; 2]) -> Option<String> {
    let at = html.match_indices("<script src=\"").find(|(i, _)| {
        let tag = &html[*i..html[*i..].find("</script>").map_or(html.len(), |e| i + e)];
        names.iter().any(|n| tag.contains(n))
    })?;
    let end = at.0 + html[at.0..].find("</script>")? + "</script>".len();
    // The whole line: from the line break before the tag.
    let start = html[..at.0].rfind('\n').filter(|&n| html[n..at.0].trim().is_empty()).unwrap_or(at.0);
    Some(format!("{}{}", &html[..start], &html[end..]))
}

/// How many plain stylesheet links (`<link rel="stylesheet" href="…">`, no
/// media, no id) every page has: mdBook's variables, general and chrome, the
/// fonts, and the book's two. Print and highlight sheets are not plain (book.js
/// switches the highlight sheets by id, per theme). The merged sheet takes the
/// first one's place, so the book's two come before them; that changes no
/// rule's outcome: the highlight sheets style only `.hljs*` classes, which the book's
/// sheets meet only with a theme class in front (more specific), and print.css
/// bare elements and mdBook's ids, which the book's sheets never style bare.
const PLAIN_SHEETS: usize = 6;
const SHEET_OPEN: &str = "<link rel=\"stylesheet\" href=\"";

/// The plain stylesheet links of a page: each line's span and its href.
fn plain_sheets(html: &str) -> Vec<(std::ops::Range<usize>, &str)> {
    let mut out = Vec::new();
    let mut line_start = 0;
    for line in html.split_inclusive('\n') {
        let t = line.trim();
        if let Some(href) = t.strip_prefix(SHEET_OPEN).and_then(|r| r.strip_suffix("\">")) {
            if !href.contains('"') {
                out.push((line_start..line_start + line.len(), href));
            }
        }
        line_start += line.len();
    }
    out
}

/// The way from a page to the book's root, as mdBook's script tells the page (`""` at the root).
fn page_root(html: &str) -> &str {
    const AT: &str = "const path_to_root = \"";
    html.find(AT).and_then(|i| html[i + AT.len()..].split('"').next()).unwrap_or("")
}

/// A page with its plain stylesheet links replaced by one link to `merged`
/// (a path from the root), and the hrefs (from the root) it had, in order.
fn one_sheet(html: &str, merged: &str) -> Option<(String, Vec<String>)> {
    let root = page_root(html);
    let sheets = plain_sheets(html);
    if sheets.len() != PLAIN_SHEETS {
        return None;
    }
    let hrefs = sheets.iter().map(|(_, h)| h.strip_prefix(root).map(str::to_string)).collect::<Option<Vec<_>>>()?;
    let mut out = String::with_capacity(html.len());
    let mut from = 0;
    for (k, (span, _)) in sheets.iter().enumerate() {
        out.push_str(&html[from..span.start]);
        if k == 0 {
            let line = &html[span.clone()];
            let indent = &line[..line.len() - line.trim_start().len()];
            out.push_str(&format!("{indent}{SHEET_OPEN}{root}{merged}\">\n"));
        }
        from = span.end;
    }
    out.push_str(&html[from..]);
    Some((out, hrefs))
}

/// The sheets' texts one after another, each headed by its file; a sheet
/// that refers to another file by a relative `url(…)` is refused, since it
/// would point elsewhere from the merged file's folder.
fn merged_css(dist: &Path, hrefs: &[String]) -> Result<String> {
    let mut out = String::new();
    for h in hrefs {
        let text = read_text(&dist.join(h))?;
        let relative = text.match_indices("url(").any(|(i, _)| {
            let arg = text[i + 4..].trim_start_matches(['\'', '"', ' ']);
            !(arg.starts_with("data:") || arg.starts_with('#'))
        });
        if relative {
            return Err(format!("{h}: a url(…) to another file cannot move into the merged stylesheet (xtask/src/chrome.rs)"));
        }
        out.push_str(&format!("/* {h} */\n{text}\n"));
    }
    Ok(out)
}

/// The icon links of a book page's head, each on its own line.
fn icon_links(page: &str) -> Option<String> {
    let mut out = String::new();
    for rel in [r#"<link rel="icon" "#, r#"<link rel="shortcut icon" "#] {
        let start = page.find(rel)?;
        let end = start + page[start..].find('>')? + 1;
        out.push_str("\n        ");
        out.push_str(&page[start..end]);
    }
    Some(out)
}

/// Mend one page's text; `name` only labels the error, `icons` are the
/// book's icon links (for the pages mdBook writes without them).
fn mend_page(name: &str, html: &str, icons: &str) -> Result<String> {
    let missing = |why: &str| format!("{name}: mdBook's markup changed, cannot mend: {why} (xtask/src/chrome.rs)");
    if name == "toc.html" {
        return toc(html, icons).ok_or_else(|| missing("the table-of-contents fragment gets a title, the icons and a main landmark"));
    }
    let mut out = sidebar_toggle(html).ok_or_else(|| missing("the sidebar toggle becomes a button"))?;
    for m in PAGE_MENDS {
        if !out.contains(m.find) {
            return Err(missing(m.why));
        }
        out = out.replacen(m.find, m.with, 1);
    }
    let out = without_highlighter(&out).ok_or_else(|| missing("a page without code blocks loses highlight.js's and clipboard.js's scripts"))?;
    // Every table box, and pages without tables have none.
    Ok(out.replace(TABLE_BOX.find, TABLE_BOX.with))
}

/// Mend every HTML page mdBook wrote under `dist`, and its book.js.
pub(crate) fn mend(dist: &Path) -> Result<()> {
    let mut scripts = Vec::new();
    for e in std::fs::read_dir(dist).map_err(|e| format!("{}: {e}", dist.display()))? {
        let p = e.map_err(|e| e.to_string())?.path();
        let name = p.file_name().unwrap_or_default().to_string_lossy().into_owned();
        if name.starts_with("book-") && name.ends_with(".js") {
            scripts.push(p);
        }
    }
    if scripts.len() != 1 {
        return Err(format!("expected one book-*.js in {}, found {}: mdBook's layout changed (xtask/src/chrome.rs)", dist.display(), scripts.len()));
    }
    let js = book_js(&read_text(&scripts[0])?).ok_or(
        "book.js: mdBook's markup changed, cannot mend: its empty unload handler goes and its highlight.js calls check for it (xtask/src/chrome.rs)",
    )?;
    write(&scripts[0], js)?;

    let index = dist.join("index.html");
    let icons = icon_links(&read_text(&index)?)
        .ok_or("index.html: mdBook's markup changed, cannot mend: its icon links are copied to toc.html (xtask/src/chrome.rs)")?;
    let mut pages = Vec::new();
    collect(dist, &mut pages)?;
    pages.sort();
    // The merged stylesheet is named by its content, as mdBook names the sheets it holds.
    let first = one_sheet(&read_text(&index)?, "")
        .ok_or("index.html: mdBook's markup changed, cannot mend: its six plain stylesheets become one (xtask/src/chrome.rs)")?
        .1;
    let css = merged_css(dist, &first)?;
    let merged = format!("css/site-{:08x}.css", crate::fnv1a(css.as_bytes()) as u32);
    write(&dist.join(&merged), css.as_bytes())?;
    for p in &pages {
        let name = p.strip_prefix(dist).unwrap_or(p).to_string_lossy().replace('\\', "/");
        let mended = mend_page(&name, &read_text(p)?, &icons)?;
        let (mended, hrefs) = one_sheet(&mended, &merged)
            .ok_or_else(|| format!("{name}: mdBook's markup changed, cannot mend: its six plain stylesheets become one (xtask/src/chrome.rs)"))?;
        if hrefs != first {
            return Err(format!(
                "{name}: links other stylesheets than index.html ({hrefs:?}), so the merged one does not fit it (xtask/src/chrome.rs)"
            ));
        }
        write(p, mended)?;
    }
    Ok(())
}

pub(crate) fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> Result<()> {
    for e in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let p = e.map_err(|e| e.to_string())?.path();
        if p.is_dir() {
            collect(&p, out)?;
        } else if p.extension().is_some_and(|x| x == "html") {
            out.push(p);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = concat!(
        "<!-- Start loading toc.js asap -->\n        <script src=\"../toc-1.js\"></script>\n",
        "<body>\n",
        r#"<nav id="mdbook-sidebar"><noscript><iframe class="sidebar-iframe-outer" src="toc.html"></iframe></noscript></nav>"#,
        r#"<div id="mdbook-menu-bar" class="menu-bar sticky"><div class="left-buttons">"#,
        r#"<label id="mdbook-sidebar-toggle" class="icon-button" for="mdbook-sidebar-toggle-anchor" title="Toggle Table of Contents" aria-label="Toggle Table of Contents" aria-controls="mdbook-sidebar">"#,
        "\n  <span class=fa-svg><svg/></span>\n</label>",
        r#"<button id="mdbook-theme-toggle"></button></div></div>"#,
        r#"<div id="mdbook-search-wrapper" class="hidden"><form></form></div>"#,
        r#"<div class="table-wrapper"><table></table></div><div class="table-wrapper"><table></table></div>"#,
        "\n        <script src=\"../highlight-abc7f01d.js\"></script>\n        <script src=\"../clipboard-9c1d.min.js\"></script>\n        <script src=\"../book-1.js\"></script>",
    );

    #[test]
    fn a_book_page_gets_a_toggle_button_landmarks_and_a_frame_title() {
        let out = mend_page("index.html", PAGE, "").unwrap();
        assert!(out.contains(r#"<button id="mdbook-sidebar-toggle" class="icon-button" type="button""#));
        assert!(out.contains(r#"aria-expanded="false"><span class=fa-svg><svg/></span></button>"#));
        // The label survives for readers without JavaScript, without the ARIA a label may not carry.
        assert!(out.contains(r#"<noscript><label class="icon-button" for="mdbook-sidebar-toggle-anchor" title="Toggle Table of Contents"><span"#));
        assert_eq!(out.matches("<label").count(), 1);
        assert!(!out.contains(r#"<label id="mdbook-sidebar-toggle""#));
        assert!(out.contains(r#"role="banner""#) && out.contains(r#"role="search""#));
        assert!(out.contains("\n<body>\n    <a class=\"skip-link\" href=\"#mdbook-content\">"));
        assert!(out.contains("<script defer src=\"../toc-1.js\"></script>"), "the sidebar's script waits for the parse");
        assert!(out.contains(r#"title="Table of contents" src="toc.html""#));
        assert_eq!(out.matches(r#"<div class="table-wrapper" tabindex="0">"#).count(), 2);
        // The rest of the page is untouched.
        assert!(out.contains(r#"<button id="mdbook-theme-toggle"></button></div></div>"#));
    }

    #[test]
    fn changed_markup_fails_the_build_naming_the_mend() {
        let err = mend_page("a.html", &PAGE.replace("menu-bar sticky", "menu-bar"), "").unwrap_err();
        assert!(err.contains("a.html") && err.contains("banner landmark"), "{err}");
        let err = mend_page("b.html", &PAGE.replace("<label id", "<button id"), "").unwrap_err();
        assert!(err.contains("sidebar toggle"), "{err}");
        let err = mend_page("toc.html", "<html><body><ul></ul></body></html>", "").unwrap_err();
        assert!(err.contains("table-of-contents"), "{err}");
    }

    #[test]
    fn book_js_loses_its_unload_handler_and_checks_for_highlight_js() {
        let calls = "    hljs.configure({ languages: [] });\nnodes.forEach(function (block) { hljs.highlightBlock(block); });\n";
        let clip =
            "(function clipboard() {\n    const clipButtons = document.querySelectorAll('.clip-button');\n    new ClipboardJS('.clip-button');\n";
        let js = ["'use strict';\n\n// Fix back button cache problem\nwindow.onunload = function() { };\n\n", calls, clip].concat();
        assert_eq!(
            book_js(&js).unwrap(),
            "'use strict';\n\n\n    if (window.hljs) hljs.configure({ languages: [] });\nnodes.forEach(function (block) { if (window.hljs) hljs.highlightBlock(block); });\n\
             (function clipboard() {\n    const clipButtons = document.querySelectorAll('.clip-button');\n    if (!window.ClipboardJS) return;\n    new ClipboardJS('.clip-button');\n"
        );
        assert!(book_js("function f() {}").is_none());
        assert!(book_js(&js.replace("hljs.configure", "hljs.setup")).is_none(), "a changed call is noticed");
    }

    #[test]
    fn only_pages_with_a_code_block_load_highlight_js() {
        let out = mend_page("a.html", PAGE, "").unwrap();
        assert!(!out.contains("highlight-abc7f01d.js") && !out.contains("clipboard-9c1d.min.js"));
        assert!(out.contains("</div>\n        <script src=\"../book-1.js\"></script>"), "book.js stays, the lines go: {out}");
        let with_code = PAGE.replace("<table></table></div>", "<table></table></div><pre><code class=\"language-python\">x</code></pre>");
        let kept = mend_page("b.html", &with_code, "").unwrap();
        assert!(kept.contains("<script src=\"../highlight-abc7f01d.js\"></script>") && kept.contains("clipboard-9c1d.min.js"));
        let err = mend_page("c.html", &PAGE.replace("highlight-abc7f01d.js", "hl.js"), "").unwrap_err();
        assert!(err.contains("highlight.js"), "{err}");
    }

    const HEAD: &str = concat!(
        "<head>\n",
        "        <link rel=\"stylesheet\" href=\"../css/variables-1.css\">\n",
        "        <link rel=\"stylesheet\" href=\"../css/general-2.css\">\n",
        "        <link rel=\"stylesheet\" href=\"../css/chrome-3.css\">\n",
        "        <link rel=\"stylesheet\" href=\"../css/print-4.css\" media=\"print\">\n",
        "        <link rel=\"stylesheet\" href=\"../fonts/fonts-5.css\">\n",
        "        <link rel=\"stylesheet\" id=\"mdbook-highlight-css\" href=\"../highlight-6.css\">\n",
        "        <link rel=\"stylesheet\" href=\"../assets/widgets-7.css\">\n",
        "        <link rel=\"stylesheet\" href=\"../assets/chrome-8.css\">\n",
        "        <script>\n            const path_to_root = \"../\";\n        </script>\n",
        "</head>\n",
    );

    #[test]
    fn the_plain_stylesheets_become_one_link_where_the_first_was() {
        let (out, hrefs) = one_sheet(HEAD, "css/site-9.css").unwrap();
        assert_eq!(
            hrefs,
            ["css/variables-1.css", "css/general-2.css", "css/chrome-3.css", "fonts/fonts-5.css", "assets/widgets-7.css", "assets/chrome-8.css"]
        );
        assert_eq!(
            out,
            concat!(
                "<head>\n",
                "        <link rel=\"stylesheet\" href=\"../css/site-9.css\">\n",
                "        <link rel=\"stylesheet\" href=\"../css/print-4.css\" media=\"print\">\n",
                "        <link rel=\"stylesheet\" id=\"mdbook-highlight-css\" href=\"../highlight-6.css\">\n",
                "        <script>\n            const path_to_root = \"../\";\n        </script>\n",
                "</head>\n",
            )
        );
        // A page with another number of plain sheets is mdBook's markup changing: noticed.
        assert!(one_sheet(&HEAD.replace("        <link rel=\"stylesheet\" href=\"../assets/chrome-8.css\">\n", ""), "x.css").is_none());
    }

    #[test]
    fn a_sheet_with_a_relative_url_is_not_merged() {
        let dir = std::env::temp_dir().join(format!("xtask-css-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("css")).unwrap();
        std::fs::write(dir.join("css/a.css"), "a { content: url('data:image/svg+xml,<svg/>'); }").unwrap();
        std::fs::write(dir.join("css/b.css"), "b { background: url(\"img.png\"); }").unwrap();
        assert_eq!(merged_css(&dir, &["css/a.css".into()]).unwrap(), "/* css/a.css */\na { content: url('data:image/svg+xml,<svg/>'); }\n");
        let err = merged_css(&dir, &["css/a.css".into(), "css/b.css".into()]).unwrap_err();
        assert!(err.contains("css/b.css"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_toc_fragment_gets_a_title_and_a_main_landmark() {
        let toc = "<head>\n<meta charset=\"UTF-8\">\n</head><body class=\"sidebar-iframe-inner\">\n<ol class=\"chapter\"><li><a href=\"index.html\">x</a></li></ol>\n</body>";
        let page = "<head>\n<link rel=\"icon\" href=\"favicon-1.svg\">\n<link rel=\"shortcut icon\" href=\"favicon-2.png\">\n</head>";
        let icons = icon_links(page).unwrap();
        let out = mend_page("toc.html", toc, &icons).unwrap();
        assert!(out.contains("<title>Table of contents</title>"));
        assert!(out.contains(r#"<link rel="icon" href="favicon-1.svg">"#) && out.contains(r#"<link rel="shortcut icon" href="favicon-2.png">"#));
        assert!(icon_links("<head></head>").is_none());
        let main = out.find("<main").unwrap();
        assert!(main < out.find("<h1").unwrap() && out.find("<h1").unwrap() < out.find("<ol").unwrap());
        assert!(out.find("</ol>").unwrap() < out.find("</main>").unwrap() && out.find("</main>").unwrap() < out.find("</body>").unwrap());
    }
}
