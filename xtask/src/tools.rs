//! Install the tools the build needs, only when the one on PATH is missing or the wrong version.

use std::path::PathBuf;
use std::process::Command;

use crate::{output, project_root, run, Result};

/// mdBook release the book is written for (0.5.x).
pub(crate) const MDBOOK_VERSION: &str = "0.5.4";

pub(crate) fn cargo_bin(name: &str) -> PathBuf {
    let home =
        std::env::var("CARGO_HOME").map(PathBuf::from).unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo"));
    let p = home.join("bin").join(name);
    if p.exists() {
        p
    } else {
        PathBuf::from(name)
    }
}

fn version_of(bin: &str) -> Option<String> {
    let out = Command::new(cargo_bin(bin)).arg("--version").output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

pub(crate) fn ensure_wasm_target() -> Result<()> {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"]))?;
    if !installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    Ok(())
}

pub(crate) fn ensure_mdbook() -> Result<()> {
    match version_of("mdbook") {
        Some(v) if v.ends_with(MDBOOK_VERSION) => Ok(()),
        found => {
            eprintln!("mdbook {MDBOOK_VERSION} needed, found {found:?}: installing (a few minutes)");
            // Only the renderer and search are needed: serving and watching are done by xtask.
            run(Command::new("cargo").args(["install", "mdbook", "--version", MDBOOK_VERSION, "--no-default-features", "--features", "search"]))
        }
    }
}

/// The wasm-bindgen version Cargo.lock resolved: the CLI must match it exactly.
pub(crate) fn wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string(project_root().join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(l) = lines.next() {
        if l == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|v| v.strip_prefix("version = \"")) {
                return Ok(v.trim_end_matches('"').to_string());
            }
        }
    }
    Err("Cargo.lock has no wasm-bindgen package".into())
}

pub(crate) fn ensure_wasm_bindgen() -> Result<()> {
    let want = wasm_bindgen_version()?;
    match version_of("wasm-bindgen") {
        Some(v) if v.ends_with(&want) => Ok(()),
        found => {
            eprintln!("wasm-bindgen-cli {want} needed, found {found:?}: installing (about 15 minutes on 2 cores)");
            // Not --locked: the CLI's own lockfile pins a webpki-roots release
            // the registry here does not have.
            run(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &want]))
        }
    }
}

/// npm packages of the browser tests (playwright-core, axe-core) and
/// binaryen's wasm-opt (npm's build; Debian's binaryen 108 breaks the module).
pub(crate) fn ensure_node_modules() -> Result<()> {
    npm_ci("tests/browser")
}

/// Lighthouse lives in its own package: only `cargo xtask bench` needs it.
pub(crate) fn ensure_lighthouse() -> Result<()> {
    npm_ci("tests/lighthouse")
}

/// Every npm lockfile of the project must install as committed: `npm ci
/// --dry-run` on a copy of each `package.json` and `package-lock.json`
/// (a dependency that floats, like `"latest"`, makes it fail as soon as the
/// registry moves on, which a folder with `node_modules` already in place
/// would never notice).
pub(crate) fn check_lockfiles() -> Result<()> {
    let root = project_root();
    let mut found = Vec::new();
    find_lockfiles(&root, &mut found);
    if found.is_empty() {
        return Err("no package-lock.json found: the browser tests need one".into());
    }
    for lock in found {
        let dir = lock.parent().expect("a file has a folder");
        let copy = root.join("target/lockcheck").join(dir.strip_prefix(&root).unwrap_or(dir));
        let _ = std::fs::remove_dir_all(&copy);
        std::fs::create_dir_all(&copy).map_err(|e| format!("{}: {e}", copy.display()))?;
        for f in ["package.json", "package-lock.json"] {
            std::fs::copy(dir.join(f), copy.join(f)).map_err(|e| format!("{}: {e}", dir.join(f).display()))?;
        }
        run(Command::new("npm").args(["ci", "--dry-run", "--ignore-scripts", "--no-audit", "--no-fund"]).current_dir(&copy))
            .map_err(|e| format!("{} does not install as committed: {e}", lock.display()))?;
    }
    Ok(())
}

fn find_lockfiles(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name();
        if p.is_dir() {
            if !matches!(name.to_str(), Some("node_modules" | "target" | "dist" | ".git" | ".tools")) {
                find_lockfiles(&p, out);
            }
        } else if name == "package-lock.json" {
            out.push(p);
        }
    }
}

/// `npm ci` in `folder` unless its node_modules is newer than its lockfile.
fn npm_ci(folder: &str) -> Result<()> {
    let dir = project_root().join(folder);
    let stamp = dir.join("node_modules/.package-lock.json");
    let lock = dir.join("package-lock.json");
    let fresh = match (std::fs::metadata(&stamp), std::fs::metadata(&lock)) {
        (Ok(s), Ok(l)) => s.modified().ok() >= l.modified().ok(),
        _ => false,
    };
    if !fresh {
        run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&dir))?;
    }
    Ok(())
}

pub(crate) fn wasm_opt() -> PathBuf {
    project_root().join("tests/browser/node_modules/.bin/wasm-opt")
}

pub(crate) const CHROMIUM: &str = "/usr/bin/chromium";

/// Debian's packages for each engine the browser tests drive, and a file each
/// installs: Chromium; Firefox ESR (over WebDriver BiDi, no driver needed);
/// WebKitGTK's WebDriver with its MiniBrowser, run under Xvfb.
const ENGINES: [(&str, &[&str], &[&str]); 3] = [
    ("Chromium", &["chromium", "chromium-driver"], &[CHROMIUM, "/usr/bin/chromedriver"]),
    ("Firefox ESR", &["firefox-esr"], &["/usr/bin/firefox-esr"]),
    (
        "WebKitGTK",
        &["webkit2gtk-driver", "xvfb"],
        &["/usr/bin/WebKitWebDriver", "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser", "/usr/bin/Xvfb"],
    ),
];

/// Chromium alone (the benchmark's browser).
pub(crate) fn ensure_chromium() -> Result<()> {
    ensure_engines(&ENGINES[..1])
}

/// Every engine the browser tests run in.
pub(crate) fn ensure_browsers() -> Result<()> {
    ensure_engines(&ENGINES)
}

fn ensure_engines(engines: &[(&str, &[&str], &[&str])]) -> Result<()> {
    let missing: Vec<_> = engines.iter().filter(|(_, _, files)| !files.iter().all(|f| std::path::Path::new(f).exists())).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = missing.iter().map(|(name, _, _)| *name).collect();
    let packages: Vec<&str> = missing.iter().flat_map(|(_, packages, _)| packages.iter().copied()).collect();
    eprintln!("{} missing: installing Debian's {}", names.join(", "), packages.join(", "));
    run(Command::new("apt-get").arg("update"))?;
    run(Command::new("apt-get").args(["install", "-y", "--no-install-recommends"]).args(&packages).env("DEBIAN_FRONTEND", "noninteractive"))?;
    match engines.iter().flat_map(|(_, _, files)| files.iter()).find(|f| !std::path::Path::new(f).exists()) {
        Some(f) => Err(format!("installed {} but {f} is still missing", packages.join(", "))),
        None => Ok(()),
    }
}
