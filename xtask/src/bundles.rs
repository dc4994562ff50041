//! Widget data too large to hold up a page's first paint, moved out of the page into a script the loader asks for after the load event.

use std::path::Path;

use crate::{read_text, write, Result};

/// How a widget's data sits in a page (mdbook-widgets' placeholder).
const OPEN: &str = "<script type=\"application/json\" class=\"widget-bundle\">";
const CLOSE: &str = "</script>";
/// Data up to this many bytes stays in the page; larger data (the
/// dashboard's reports: 810 KB, 90 KB gzipped) is what a page would
/// otherwise make a reader download before its first paint.
const INLINE_MAX: usize = 16 * 1024;

/// Every page's large widget data written to `widgets/bundle-HASH.js`
/// (a script, so a page opened from disk can load it too) and the page's
/// script left empty, naming it (`data-src`, from the book's root, and
/// `data-key`): assets/widgets-loader.js puts the data back before the
/// module reads it. The same data on two pages (a chapter and the print
/// page) is one file.
pub(crate) fn externalize(dist: &Path) -> Result<()> {
    let mut pages = Vec::new();
    crate::chrome::collect(dist, &mut pages)?;
    for p in pages {
        let html = read_text(&p)?;
        if !html.contains(OPEN) {
            continue;
        }
        let (page, files) = split(&html).map_err(|e| format!("{}: {e}", p.display()))?;
        for (name, body) in files {
            let file = dist.join(name);
            if let Some(dir) = file.parent() {
                std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            }
            write(&file, body.as_bytes())?;
        }
        write(&p, page.as_bytes())?;
    }
    Ok(())
}

/// The page with its large data moved out, and each moved file's name and text.
fn split(html: &str) -> Result<(String, Vec<(String, String)>)> {
    let mut out = String::with_capacity(html.len());
    let mut files = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(OPEN) {
        let body = at + OPEN.len();
        let end = body + rest[body..].find(CLOSE).ok_or("a widget's data has no closing </script>")?;
        let json = &rest[body..end];
        if json.len() <= INLINE_MAX {
            out.push_str(&rest[..end + CLOSE.len()]);
        } else {
            let key = format!("{:016x}", crate::fnv1a(json.as_bytes()));
            let name = format!("widgets/bundle-{key}.js");
            // The data as a JavaScript string: the module parses it as it would the page's.
            let text = serde_json::to_string(json).map_err(|e| e.to_string())?;
            files.push((name.clone(), format!("(window.__widgetBundles = window.__widgetBundles || {{}})[\"{key}\"] = {text};\n")));
            out.push_str(&rest[..at]);
            out.push_str(&format!("<script type=\"application/json\" class=\"widget-bundle\" data-src=\"{name}\" data-key=\"{key}\"></script>"));
        }
        rest = &rest[end + CLOSE.len()..];
    }
    out.push_str(rest);
    Ok((out, files))
}

#[cfg(test)]
mod tests {
    #[test]
    fn large_data_moves_to_a_script_and_small_data_stays() {
        let big = format!("{{\"runs\":\"{}<\\/p>\"}}", "x".repeat(super::INLINE_MAX));
        let html = format!("<p>a</p>{}{{\"n\":1}}</script><div>{}{big}</script></div>", super::OPEN, super::OPEN);
        let (page, files) = super::split(&html).unwrap();
        assert_eq!(files.len(), 1);
        let (name, body) = &files[0];
        assert!(page.starts_with(&format!("<p>a</p>{}{{\"n\":1}}</script><div>", super::OPEN)), "{page}");
        assert!(page.ends_with(&format!("data-src=\"{name}\" data-key=\"{}\"></script></div>", &name[15..31])), "{page}");
        // The script holds the page's text exactly, as a string.
        let (_, literal) = body.split_once("] = ").unwrap();
        let back: String = serde_json::from_str(literal.trim_end().trim_end_matches(';')).unwrap();
        assert_eq!(back, big);
        assert!(super::split("<script type=\"application/json\" class=\"widget-bundle\">{").is_err(), "an unclosed script is refused");
    }
}
