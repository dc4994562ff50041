//! Build the static site: the WASM module every page loads (and the benchmark's), optimised and content-hashed, their loader, the book (its chrome mended), into dist/.

use std::process::Command;
use std::time::Instant;

use crate::{cargo, chrome, output, project_root, read, read_text, run, tools, write, Result};

const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// One WebAssembly module a build produced: its hashed names and its bytes,
/// kept by `cargo xtask serve` so a Markdown-only edit rebuilds the book around it.
#[derive(Debug, Clone)]
pub(crate) struct Module {
    /// The loader's key: `site` (every page) or `all` (with the benchmark's entry points).
    pub key: String,
    pub js: String,
    pub wasm: String,
    pub inline: String,
    wasm_bytes: Vec<u8>,
    js_text: String,
    /// The bytes as base64 in a script, for pages opened from disk.
    inline_text: String,
}

/// Which modules a build makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Modules {
    /// `site`, every widget, which every page loads (a reader downloads it
    /// once per visit), and `all`, the same with the benchmark's entry points.
    SiteAndBench,
    /// Only `all`, for every page: `cargo xtask serve` after an edit to the
    /// module's sources, where one build is quicker than two.
    One,
}

/// Everything from sources to dist/.
pub(crate) fn build() -> Result<Vec<Module>> {
    let t0 = Instant::now();
    let modules = modules(Modules::SiteAndBench)?;
    book(&modules)?;
    let sizes: Vec<String> = modules.iter().map(|m| format!("{} {} B", m.key, m.wasm_bytes.len())).collect();
    eprintln!("built dist/ in {:.1} s; modules: {}", t0.elapsed().as_secs_f64(), sizes.join(", "));
    Ok(modules)
}

/// The tools, then the widgets' modules: each compiled with its features,
/// bound, optimised and named by its content. A module whose inputs (every
/// source file cargo read for it, the lockfile, the features and the tools)
/// are those of its last build is taken from `target/widgets/`.
pub(crate) fn modules(which: Modules) -> Result<Vec<Module>> {
    let root = project_root();
    tools::ensure_wasm_target()?;
    tools::ensure_mdbook()?;
    tools::ensure_wasm_bindgen()?;
    tools::ensure_node_modules()?;
    // The key, then the crate's features: none for the site, `bench` for the benchmark's.
    let mut groups: Vec<(&str, &str)> = Vec::new();
    if which == Modules::SiteAndBench {
        groups.push(("site", ""));
    }
    groups.push(("all", "bench"));

    let tools_line = format!(
        "{} | wasm-bindgen {} | {}",
        output(std::process::Command::new("rustc").arg("-V"))?.trim(),
        tools::wasm_bindgen_version()?,
        output(std::process::Command::new(tools::wasm_opt()).arg("--version"))?.trim()
    );
    let mut built = Vec::new();
    let mut optimising: Vec<(std::path::PathBuf, std::process::Child, String)> = Vec::new();
    for &(key, features) in &groups {
        let dir = root.join("target/widgets").join(key);
        let setting = format!("{tools_line} | {features} | {}", WASM_FEATURES.join(" "));
        if fresh(&dir, &setting) {
            eprintln!("module {key}: unchanged since its last build");
            built.push((key.to_string(), dir));
            continue;
        }
        run(cargo()
            .args(["build", "--profile", "wasm", "--target", "wasm32-unknown-unknown", "-p", "wasm-widgets", "--no-default-features", "--features"])
            .arg(features))?;
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        run(Command::new(tools::cargo_bin("wasm-bindgen"))
            .arg("--target")
            .arg("no-modules")
            .arg("--no-typescript")
            .arg("--out-dir")
            .arg(&dir)
            .arg("--out-name")
            .arg("widgets")
            .arg(root.join("target/wasm32-unknown-unknown/wasm/wasm_widgets.wasm")))?;
        let inputs = dep_files(&root.join("target/wasm32-unknown-unknown/wasm/wasm_widgets.d"))?;
        // wasm-opt runs beside the next module's compile (each takes one core).
        let opt = Command::new(tools::wasm_opt())
            .args(["-Oz", "--strip-debug"])
            .args(WASM_FEATURES)
            .arg(dir.join("widgets_bg.wasm"))
            .arg("-o")
            .arg(dir.join("widgets_opt.wasm"))
            .spawn()
            .map_err(|e| format!("could not start wasm-opt: {e}"))?;
        optimising.push((dir.clone(), opt, stamp(&setting, &inputs)));
        built.push((key.to_string(), dir));
    }
    for (dir, mut child, stamp) in optimising {
        let status = child.wait().map_err(|e| format!("wasm-opt: {e}"))?;
        if !status.success() {
            return Err(format!("wasm-opt failed on {} ({status})", dir.display()));
        }
        // Written last: a module whose optimisation did not finish is built again next time.
        write(&dir.join(STAMP), stamp.as_bytes())?;
    }
    built.into_iter().map(|(key, dir)| named(key, &dir)).collect()
}

/// A module's files read from its folder and named by their content.
fn named(key: String, dir: &std::path::Path) -> Result<Module> {
    let wasm_bytes = read(&dir.join("widgets_opt.wasm"))?;
    let js_text = read_text(&dir.join("widgets.js"))?;
    let hash = format!("{:016x}", crate::fnv1a(&[wasm_bytes.as_slice(), js_text.as_bytes()].concat()));
    let short = &hash[..12];
    let inline_text = format!("window.__widgetsWasmBase64=\"{}\";\n", base64(&wasm_bytes));
    Ok(Module {
        key,
        js: format!("widgets-{short}.js"),
        wasm: format!("widgets-{short}.wasm"),
        inline: format!("widgets-{short}.wasm.js"),
        wasm_bytes,
        js_text,
        inline_text,
    })
}

/// Where a module's folder records what it was built from.
const STAMP: &str = "inputs";

/// The record of a build: a fingerprint of its setting and of every input
/// file's bytes, then the input files, one per line.
fn stamp(setting: &str, inputs: &[std::path::PathBuf]) -> String {
    let mut out = format!("{:016x}\n", fingerprint(setting, inputs));
    for p in inputs {
        out.push_str(&p.to_string_lossy());
        out.push('\n');
    }
    out
}

/// Whether the module in `dir` was built with `setting` from the files it read, as they are now.
fn fresh(dir: &std::path::Path, setting: &str) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join(STAMP)) else { return false };
    let mut lines = text.lines();
    let Some(seen) = lines.next() else { return false };
    let inputs: Vec<std::path::PathBuf> = lines.map(std::path::PathBuf::from).collect();
    !inputs.is_empty()
        && dir.join("widgets_opt.wasm").exists()
        && dir.join("widgets.js").exists()
        && seen == format!("{:016x}", fingerprint(setting, &inputs))
}

fn fingerprint(setting: &str, inputs: &[std::path::PathBuf]) -> u64 {
    let root = project_root();
    // The lockfile pins every registry crate (cargo's dep-info lists only local files) and the manifests name the features.
    let fixed = [root.join("Cargo.lock"), root.join("Cargo.toml"), root.join("wasm-widgets/Cargo.toml")];
    let mut bytes = setting.as_bytes().to_vec();
    for p in fixed.iter().chain(inputs) {
        bytes.extend_from_slice(p.to_string_lossy().as_bytes());
        bytes.push(0);
        bytes.extend_from_slice(&std::fs::read(p).unwrap_or_else(|_| b"(missing)".to_vec()));
        bytes.push(0);
    }
    crate::fnv1a(&bytes)
}

/// The input files a cargo dep-info file lists (`out: a b\ c ...`, spaces in names escaped).
fn dep_files(dep_info: &std::path::Path) -> Result<Vec<std::path::PathBuf>> {
    let text = read_text(dep_info)?;
    let mut files = Vec::new();
    for line in text.lines() {
        let Some((_, deps)) = line.split_once(": ") else { continue };
        let mut name = String::new();
        let mut chars = deps.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' if chars.peek() == Some(&' ') => name.push(chars.next().unwrap_or(' ')),
                ' ' => {
                    if !name.is_empty() {
                        files.push(std::path::PathBuf::from(std::mem::take(&mut name)));
                    }
                }
                c => name.push(c),
            }
        }
        if !name.is_empty() {
            files.push(std::path::PathBuf::from(name));
        }
    }
    files.sort();
    files.dedup();
    if files.is_empty() {
        return Err(format!("{}: no input files listed", dep_info.display()));
    }
    Ok(files)
}

/// The book around a built module: the preprocessor (cargo rebuilds it only
/// if its sources changed), the loader naming the module, mdBook, the
/// chrome's mends and the module's files. Written beside dist/ and swapped
/// in whole, so a server never hands out half a site.
pub(crate) fn book(modules: &[Module]) -> Result<()> {
    let root = project_root();
    run(cargo().args(["build", "--release", "-p", "mdbook-widgets"]))?;
    // The loader is generated so its name (hashed by mdBook) changes with the module.
    let template = read_text(&root.join("assets/widgets-loader.js"))?;
    let loader = template
        .replace("@@WIDGETS_MODULES@@", &loader_map(modules))
        .replace("@@SCENARIO_KEYS@@", &serde_json::to_string(&widget_props::link::KEYS).map_err(|e| e.to_string())?)
        .replace("@@SCENARIO_STORAGE@@", widget_props::link::STORAGE_KEY);
    std::fs::create_dir_all(root.join("assets/generated")).map_err(|e| e.to_string())?;
    write(&root.join("assets/generated/widgets-loader.js"), loader.as_bytes())?;

    let next = root.join("target/dist-next");
    let _ = std::fs::remove_dir_all(&next);
    run(Command::new(tools::cargo_bin("mdbook")).arg("build").arg("--dest-dir").arg(&next))?;
    chrome::mend(&next)?;
    crate::bundles::externalize(&next)?;

    let widgets = next.join("widgets");
    std::fs::create_dir_all(&widgets).map_err(|e| e.to_string())?;
    for m in modules {
        write(&widgets.join(&m.js), m.js_text.as_bytes())?;
        write(&widgets.join(&m.wasm), &m.wasm_bytes)?;
        // For pages opened from disk, where fetch() cannot read a .wasm file.
        write(&widgets.join(&m.inline), m.inline_text.as_bytes())?;
    }
    // Which module serves which widgets, for the tests and the benchmark (the loader carries its own copy).
    write(&widgets.join("modules.json"), loader_map(modules).as_bytes())?;

    let dist = root.join("dist");
    let old = root.join("target/dist-old");
    let _ = std::fs::remove_dir_all(&old);
    if dist.exists() {
        std::fs::rename(&dist, &old).map_err(|e| format!("moving the old dist/ aside: {e}"))?;
    }
    std::fs::rename(&next, &dist).map_err(|e| format!("moving the new site into dist/: {e}"))?;
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

/// The loader's table: each module's key to its files.
fn loader_map(modules: &[Module]) -> String {
    let table: serde_json::Map<String, serde_json::Value> =
        modules.iter().map(|m| (m.key.clone(), serde_json::json!({ "js": m.js, "wasm": m.wasm, "inline": m.inline }))).collect();
    serde_json::Value::Object(table).to_string()
}

/// wasm-bindgen-test: widget code that needs a real DOM, in headless Chromium.
pub(crate) fn wasm_bindgen_tests() -> Result<()> {
    let root = project_root();
    run(cargo()
        .args(["test", "--target", "wasm32-unknown-unknown", "-p", "wasm-widgets", "--test", "dom"])
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", tools::cargo_bin("wasm-bindgen-test-runner"))
        .env("CHROMEDRIVER", "/usr/bin/chromedriver")
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120")
        .current_dir(root.join("wasm-widgets")))
}

fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 { T[(n >> 6) as usize & 63] as char } else { '=' });
        out.push(if chunk.len() > 2 { T[n as usize & 63] as char } else { '=' });
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn dep_info_lists_every_input_once_with_escaped_spaces() {
        let dir = std::env::temp_dir().join(format!("xtask-dep-info-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let d = dir.join("m.d");
        std::fs::write(&d, "/t/m.wasm: /w/a.rs /w/my\\ file.rs /w/b.rs\n\n/t/m.rlib: /w/a.rs\n").unwrap();
        let files = super::dep_files(&d).unwrap();
        let names: Vec<&str> = files.iter().map(|p| p.to_str().unwrap()).collect();
        assert_eq!(names, ["/w/a.rs", "/w/b.rs", "/w/my file.rs"]);
        std::fs::write(&d, "/t/m.wasm:\n").unwrap();
        assert!(super::dep_files(&d).is_err(), "a dep-info with no inputs is refused, not cached");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_module_is_fresh_only_while_its_setting_and_inputs_are_unchanged() {
        let dir = std::env::temp_dir().join(format!("xtask-fresh-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let input = dir.join("lib.rs");
        std::fs::write(&input, "fn a() {}").unwrap();
        for f in ["widgets_opt.wasm", "widgets.js"] {
            std::fs::write(dir.join(f), "x").unwrap();
        }
        std::fs::write(dir.join(super::STAMP), super::stamp("features=a", std::slice::from_ref(&input))).unwrap();
        assert!(super::fresh(&dir, "features=a"));
        assert!(!super::fresh(&dir, "features=a,b"), "other features");
        std::fs::write(&input, "fn a() { 1; }").unwrap();
        assert!(!super::fresh(&dir, "features=a"), "an input changed");
        std::fs::write(dir.join(super::STAMP), super::stamp("features=a", std::slice::from_ref(&input))).unwrap();
        std::fs::remove_file(dir.join("widgets_opt.wasm")).unwrap();
        assert!(!super::fresh(&dir, "features=a"), "an output is missing");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (i, o) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foobar", "Zm9vYmFy")] {
            assert_eq!(super::base64(i.as_bytes()), o);
        }
    }
}
