//! `cargo xtask serve`: a small static server for dist/ on 127.0.0.1:3000 that rebuilds when sources change.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use crate::{project_root, site, Result};

const ADDR: &str = "127.0.0.1:3000";
/// What the book alone reads: an edit here rebuilds the book around the modules it has.
const BOOK: &[&str] = &["book", "assets", "book.toml", "crates/mdbook-widgets"];
/// What the modules are compiled from: an edit here rebuilds one module for every page, then the book.
const MODULE: &[&str] = &[
    "crates/perfmodel",
    "crates/charts",
    "crates/widget-props",
    "crates/reports",
    "wasm-widgets/src",
    "wasm-widgets/Cargo.toml",
    "Cargo.toml",
    "Cargo.lock",
];

pub(crate) fn serve() -> Result<()> {
    let mut modules = site::build()?;
    let dist = project_root().join("dist");
    let listener = TcpListener::bind(ADDR).map_err(|e| format!("cannot listen on {ADDR}: {e}"))?;
    eprintln!("serving {} on http://{ADDR}/ (Ctrl-C to stop); rebuilding on change", dist.display());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let dist = dist.clone();
            std::thread::spawn(move || {
                let _ = handle(stream, &dist);
            });
        }
    });
    let (mut book_seen, mut module_seen) = (newest(BOOK), newest(MODULE));
    loop {
        std::thread::sleep(Duration::from_millis(300));
        let (book_now, module_now) = (newest(BOOK), newest(MODULE));
        if book_now <= book_seen && module_now <= module_seen {
            continue;
        }
        let t0 = Instant::now();
        let rebuilt = if module_now > module_seen {
            // The benchmark's module for every page: one compile instead of two (`cargo xtask build` makes the site's again).
            eprintln!("the module's sources changed: rebuilding one module for every page, then the book");
            site::modules(site::Modules::One).and_then(|m| {
                site::book(&m)?;
                modules = m;
                Ok(())
            })
        } else {
            eprintln!("the book changed: rebuilding the book around the module it has");
            site::book(&modules)
        };
        match rebuilt {
            Ok(()) => eprintln!("rebuilt in {:.1} s; reload the page", t0.elapsed().as_secs_f64()),
            Err(e) => eprintln!("build failed (still serving the previous site): {e}"),
        }
        // Edits made during the build are seen on the next turn.
        (book_seen, module_seen) = (book_now, module_now);
    }
}

fn newest(paths: &[&str]) -> SystemTime {
    fn walk(p: &Path, best: &mut SystemTime) {
        let Ok(meta) = std::fs::metadata(p) else { return };
        if meta.is_dir() {
            if p.ends_with("generated") {
                return;
            }
            if let Ok(rd) = std::fs::read_dir(p) {
                for e in rd.flatten() {
                    walk(&e.path(), best);
                }
            }
        } else if let Ok(m) = meta.modified() {
            *best = (*best).max(m);
        }
    }
    let root = project_root();
    let mut best = SystemTime::UNIX_EPOCH;
    for p in paths {
        walk(&root.join(p), &mut best);
    }
    best
}

fn handle(mut stream: TcpStream, dist: &Path) -> std::io::Result<()> {
    let mut line = String::new();
    BufReader::new(&stream).read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("/");
    let path = path.split(['?', '#']).next().unwrap_or("/");
    let mut file: PathBuf = dist.to_path_buf();
    for seg in path.split('/').filter(|s| !s.is_empty() && *s != "." && *s != "..") {
        file.push(seg);
    }
    if file.is_dir() {
        file.push("index.html");
    }
    match std::fs::read(&file) {
        Ok(body) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n",
                mime(&file),
                body.len()
            );
            stream.write_all(head.as_bytes())?;
            stream.write_all(&body)
        }
        Err(_) => {
            let body = b"not found";
            let head = format!("HTTP/1.1 404 Not Found\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
            stream.write_all(head.as_bytes())?;
            stream.write_all(body)
        }
    }
}

fn mime(p: &Path) -> &'static str {
    match p.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}
