//! `cargo xtask`: every build, serve, test and benchmark step of the project, printed before it runs.

mod bundles;
mod chrome;
mod lab;
mod serve;
mod site;
mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const TASKS: &str = "\
cargo xtask <task>

  serve   install what is missing, build the site, serve it on http://127.0.0.1:3000, rebuild on change
  build   write the complete static site to dist/
  test    every test: native unit, property and golden tests, the browser tests, the workflow lint
  bench   print (and write to target/bench.json, target/lighthouse.json) sizes,
          load/interaction timings, JS heap, and Lighthouse scores
  lab [--open | --batch | --service] [--quick]
          the measurement lab: the real clients (pinned in lab/requirements.txt, in
          target/labvenv) against the stub server over I/O wait x concurrency; the
          full grid files its report in book/reports/, --quick runs a few cells;
          --open measures an open load (requests at a Poisson rate) instead and
          files it in book/reports/open-loop/; --batch measures batch_read of 1 to
          1,000 keys from stub clusters of 1, 4 and 8 nodes and files it in book/reports/;
          --service loads a FastAPI service under uvicorn (lab/service_app.py) at
          Poisson rates and files it in book/reports/service/
  check-reports DIR
          validate a folder of benchmark reports (index.json and the files it lists)
          with the dashboard's own parser; exits non-zero with the reasons";

fn main() -> ExitCode {
    let task = std::env::args().nth(1);
    let result = match task.as_deref() {
        Some("serve") => serve::serve(),
        Some("build") => site::build().map(|_| ()),
        Some("test") => test(),
        Some("bench") => bench(),
        Some("check-reports") => check_reports(std::env::args().nth(2)),
        Some("lab") => {
            let opts: Vec<String> = std::env::args().skip(2).collect();
            let has = |o: &str| opts.iter().any(|x| x == o);
            let (open, batch, service, quick) = (has("--open"), has("--batch"), has("--service"), has("--quick"));
            match opts.iter().find(|o| !["--open", "--batch", "--service", "--quick"].contains(&o.as_str())) {
                Some(other) => Err(format!("unknown lab option {other}; use --open, --batch or --service, and --quick")),
                None if [open, batch, service].iter().filter(|x| **x).count() > 1 => {
                    Err("--open, --batch and --service are three labs: run one at a time".into())
                }
                None if open => lab::lab_open(quick).map(|_| ()),
                None if service => lab::lab_service(quick).map(|_| ()),
                None if batch => lab::lab_batch(quick).map(|_| ()),
                None if quick => lab::lab(true).and_then(|p| lab::check_quick(&p)),
                None => lab::lab(false).map(|_| ()),
            }
        }
        _ => {
            println!("{TASKS}");
            return if task.is_none() { ExitCode::SUCCESS } else { ExitCode::FAILURE };
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

pub(crate) type Result<T> = std::result::Result<T, String>;

/// `cargo xtask check-reports DIR`: the dashboard's parser over a folder.
fn check_reports(dir: Option<String>) -> Result<()> {
    let dir = PathBuf::from(dir.ok_or("usage: cargo xtask check-reports DIR")?);
    if !dir.is_dir() {
        return Err(format!("{} is not a folder", dir.display()));
    }
    let bundle = reports::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut problems = reports::check_bundle(&bundle);
    let (runs, _) = reports::load_bundle(&bundle);
    // A source's license ships beside its runs.
    let licenses: std::collections::BTreeSet<&str> = runs.iter().filter_map(|r| r.source.as_ref()?.license.as_deref()).collect();
    problems
        .extend(licenses.into_iter().filter(|l| !dir.join(l).is_file()).map(|l| format!("{l}: named as a source's license but not in the folder")));
    for note in reports::unknown_sections(&runs) {
        println!("note: {note}");
    }
    for r in &runs {
        let state = match &r.report {
            Ok(rep) if rep.problems().is_empty() => "ok".to_string(),
            Ok(rep) => format!("{} section(s) unreadable", rep.problems().len()),
            Err(_) => "unreadable".to_string(),
        };
        let source = r.source.as_ref().map(|s| s.id.as_str()).unwrap_or("-");
        println!("{:<24} {:<32} {:<14} {state}", r.date, r.file, source);
    }
    if problems.is_empty() {
        println!("{}: {} report(s), all readable", dir.display(), runs.len());
        Ok(())
    } else {
        for p in &problems {
            eprintln!("{p}");
        }
        Err(format!("{}: {} problem(s)", dir.display(), problems.len()))
    }
}

/// The workspace root, from this crate's manifest directory.
pub(crate) fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives one level below the root").to_path_buf()
}

/// FNV-1a, 64 bit: a content fingerprint for file names, not a security hash.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// A file's bytes; the error names the file.
pub(crate) fn read(p: &Path) -> Result<Vec<u8>> {
    std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))
}

/// A file's text; the error names the file.
pub(crate) fn read_text(p: &Path) -> Result<String> {
    std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))
}

/// Write a file; the error names the file.
pub(crate) fn write(p: &Path, bytes: impl AsRef<[u8]>) -> Result<()> {
    std::fs::write(p, bytes).map_err(|e| format!("{}: {e}", p.display()))
}

/// Print a command, run it from the project root, fail on a non-zero exit.
pub(crate) fn run(cmd: &mut Command) -> Result<()> {
    if cmd.get_current_dir().is_none() {
        cmd.current_dir(project_root());
    }
    eprintln!("$ {}", show(cmd));
    let status = cmd.status().map_err(|e| format!("could not start {}: {e}", show(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{} failed ({status})", show(cmd)))
    }
}

/// Run a command and capture its standard output.
pub(crate) fn output(cmd: &mut Command) -> Result<String> {
    if cmd.get_current_dir().is_none() {
        cmd.current_dir(project_root());
    }
    let out = cmd.output().map_err(|e| format!("could not start {}: {e}", show(cmd)))?;
    if !out.status.success() {
        return Err(format!("{} failed: {}", show(cmd), String::from_utf8_lossy(&out.stderr)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn show(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// Every test, cheapest first so a broken basic fails fast.
fn test() -> Result<()> {
    let root = project_root();
    // Formatting and lints cost seconds and fail fast, before anything is built for long.
    run(cargo().args(["fmt", "--all", "--check"]))?;
    run(cargo().args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))?;
    // The WebAssembly module's own code, with every widget's feature, for its
    // target (which a fresh machine has yet to install).
    tools::ensure_wasm_target()?;
    run(cargo().args(["clippy", "-p", "wasm-widgets", "--target", "wasm32-unknown-unknown", "--all-targets", "--", "-D", "warnings"]))?;
    // Lockfiles next: a newcomer's `npm ci` must not be the first to find a drift.
    tools::check_lockfiles()?;
    // The preprocessor's golden tests build fixture books with the real mdbook.
    tools::ensure_mdbook()?;
    run(cargo().args(["test", "--release", "--workspace"]))?;
    // The measurement lab, quick mode: both real clients against the stub, a
    // few cells, checked with the dashboard's parser (bounded to a couple of minutes).
    let quick = lab::lab(true)?;
    lab::check_quick(&quick)?;
    // And an open load: a few rates on the same clients, checked the same way.
    lab::lab_open(true)?;
    // And batches from a stub cluster: the clients' fan-out checked against what they claim.
    lab::lab_batch(true)?;
    // And a web service: the FastAPI app under uvicorn, loaded by the lab's generator.
    lab::lab_service(true)?;
    site::build()?;
    tools::ensure_browsers()?;
    tools::ensure_node_modules()?;
    run(Command::new("node").args(["--test", "--test-concurrency=1", "tests/browser/"]).env("DIST", root.join("dist")))?;
    site::wasm_bindgen_tests()?;
    Ok(())
}

fn bench() -> Result<()> {
    let root = project_root();
    let modules = site::build()?;
    // A Markdown-only edit in `cargo xtask serve` rebuilds just this: the book around the modules.
    let t0 = std::time::Instant::now();
    site::book(&modules)?;
    let book_rebuild_ms = t0.elapsed().as_millis().to_string();
    tools::ensure_chromium()?;
    tools::ensure_node_modules()?;
    run(Command::new("node")
        .arg("tests/browser/bench.mjs")
        .env("DIST", root.join("dist"))
        .env("BOOK_REBUILD_MS", book_rebuild_ms)
        .env("OUT", root.join("target/bench.json")))?;
    tools::ensure_lighthouse()?;
    run(Command::new("node").arg("tests/lighthouse/run.mjs").env("DIST", root.join("dist")).env("OUT", root.join("target/lighthouse.json")))
}
