//! The `mdbook-widgets` binary: mdBook's preprocessor protocol around [`mdbook_widgets::expand`].

use std::io::{self, Write};
use std::process::ExitCode;

use mdbook_preprocessor::book::BookItem;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `mdbook-widgets payload DIR`: the dashboard data a reports folder becomes
    // (what the page embeds), for checking a folder and for the browser tests.
    if args.first().map(String::as_str) == Some("payload") {
        let Some(dir) = args.get(1) else {
            eprintln!("usage: mdbook-widgets payload DIR");
            return ExitCode::FAILURE;
        };
        return match reports::read_dir(std::path::Path::new(dir)) {
            Ok(b) => {
                println!("{}", serde_json::to_string(&charts::dashboard::payload(&b, "")).expect("payloads serialise"));
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("mdbook-widgets: {dir}: {e}");
                ExitCode::FAILURE
            }
        };
    }
    // `mdbook-widgets widget-sets DIR`: the distinct sets of widgets the
    // book's pages under DIR carry, as JSON (one WebAssembly module each).
    if args.first().map(String::as_str) == Some("widget-sets") {
        let Some(dir) = args.get(1) else {
            eprintln!("usage: mdbook-widgets widget-sets DIR");
            return ExitCode::FAILURE;
        };
        return match widget_sets(std::path::Path::new(dir)) {
            Ok(sets) => {
                println!("{}", serde_json::to_string(&sets).expect("names serialise"));
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("mdbook-widgets: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if args.first().map(String::as_str) == Some("supports") {
        // Placeholders are HTML: only the HTML renderer can show them.
        return if args.get(1).map(String::as_str) == Some("html") { ExitCode::SUCCESS } else { ExitCode::FAILURE };
    }
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mdbook-widgets: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Every Markdown file under `dir` (recursively), each page's widget set, the distinct non-empty sets in order.
fn widget_sets(dir: &std::path::Path) -> Result<Vec<Vec<&'static str>>, String> {
    let mut files = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))? {
            let p = e.map_err(|e| e.to_string())?.path();
            if p.is_dir() {
                todo.push(p);
            } else if p.extension().is_some_and(|x| x == "md") {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut sets: Vec<Vec<&'static str>> = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
        let set = mdbook_widgets::widgets_on_page(&text).map_err(|errs| {
            let lines: Vec<String> = errs.iter().map(|e| format!("{}:{}: {}", f.display(), e.line, e.message)).collect();
            format!("bad widget directive(s):\n  {}", lines.join("\n  "))
        })?;
        if !set.is_empty() && !sets.contains(&set) {
            sets.push(set);
        }
    }
    Ok(sets)
}

fn run() -> Result<(), String> {
    let (ctx, mut book) = mdbook_preprocessor::parse_input(io::stdin()).map_err(|e| e.to_string())?;
    let book_env = mdbook_widgets::BookEnv::new(ctx.root.join(&ctx.config.book.src), "");
    let mut problems = Vec::new();
    book.for_each_mut(|item| {
        if let BookItem::Chapter(ch) = item {
            let depth = ch.path.as_ref().map(|p| p.components().count().saturating_sub(1)).unwrap_or(0);
            let env = book_env.page("../".repeat(depth));
            let file = ch.source_path.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| ch.name.clone());
            match mdbook_widgets::expand_in(&ch.content, &env) {
                Ok(out) => ch.content = out,
                Err(errs) => {
                    for e in errs {
                        problems.push(format!("{file}:{}: {}", e.line, e.message));
                    }
                }
            }
        }
    });
    if !problems.is_empty() {
        return Err(format!("bad widget directive(s):\n  {}", problems.join("\n  ")));
    }
    let stdout = io::stdout();
    let mut out = stdout.lock();
    serde_json::to_writer(&mut out, &book).map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())
}
