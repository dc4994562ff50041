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
