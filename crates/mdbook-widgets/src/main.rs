//! The `mdbook-widgets` binary: mdBook's preprocessor protocol around [`mdbook_widgets::expand`].

use std::io::{self, Write};
use std::process::ExitCode;

use mdbook_preprocessor::book::BookItem;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
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
    let (_ctx, mut book) = mdbook_preprocessor::parse_input(io::stdin()).map_err(|e| e.to_string())?;
    let mut problems = Vec::new();
    book.for_each_mut(|item| {
        if let BookItem::Chapter(ch) = item {
            let file = ch
                .source_path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| ch.name.clone());
            match mdbook_widgets::expand(&ch.content) {
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
