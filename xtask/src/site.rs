//! Build the static site: the WASM module (optimised, content-hashed), its loader, the book (its chrome mended), into dist/.

use std::process::Command;
use std::time::Instant;

use crate::{cargo, chrome, project_root, read, read_text, run, tools, write, Result};

const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// The module one build produced: its hashed names and its bytes, kept by
/// `cargo xtask serve` so a Markdown-only edit rebuilds the book around it.
#[derive(Debug, Clone)]
pub struct Module {
    pub js: String,
    pub wasm: String,
    pub inline: String,
    wasm_bytes: Vec<u8>,
    js_text: String,
}

/// Everything from sources to dist/.
pub fn build() -> Result<Module> {
    let t0 = Instant::now();
    let module = module()?;
    book(&module)?;
    eprintln!(
        "built dist/ in {:.1} s: {} ({} bytes), {} ({} bytes)",
        t0.elapsed().as_secs_f64(),
        module.wasm,
        module.wasm_bytes.len(),
        module.js,
        module.js_text.len()
    );
    Ok(module)
}

/// The tools, then the widgets' module: compiled, bound, optimised and named by its content.
pub fn module() -> Result<Module> {
    let root = project_root();
    tools::ensure_wasm_target()?;
    tools::ensure_mdbook()?;
    tools::ensure_wasm_bindgen()?;
    tools::ensure_node_modules()?;
    run(cargo().args(["build", "--profile", "wasm", "--target", "wasm32-unknown-unknown", "-p", "wasm-widgets"]))?;

    let out = root.join("target/widgets");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    run(Command::new(tools::cargo_bin("wasm-bindgen"))
        .arg("--target")
        .arg("no-modules")
        .arg("--no-typescript")
        .arg("--out-dir")
        .arg(&out)
        .arg("--out-name")
        .arg("widgets")
        .arg(root.join("target/wasm32-unknown-unknown/wasm/wasm_widgets.wasm")))?;
    let raw = out.join("widgets_bg.wasm");
    let opt = out.join("widgets_opt.wasm");
    run(Command::new(tools::wasm_opt()).args(["-Oz", "--strip-debug"]).args(WASM_FEATURES).arg(&raw).arg("-o").arg(&opt))?;

    let wasm_bytes = read(&opt)?;
    let js_text = read_text(&out.join("widgets.js"))?;
    let hash = format!("{:016x}", fnv1a(&[wasm_bytes.as_slice(), js_text.as_bytes()].concat()));
    let short = &hash[..12];
    Ok(Module {
        js: format!("widgets-{short}.js"),
        wasm: format!("widgets-{short}.wasm"),
        inline: format!("widgets-{short}.wasm.js"),
        wasm_bytes,
        js_text,
    })
}

/// The book around a built module: the preprocessor (cargo rebuilds it only
/// if its sources changed), the loader naming the module, mdBook, the
/// chrome's mends and the module's files. Written beside dist/ and swapped
/// in whole, so a server never hands out half a site.
pub fn book(module: &Module) -> Result<()> {
    let root = project_root();
    run(cargo().args(["build", "--release", "-p", "mdbook-widgets"]))?;
    // The loader is generated so its name (hashed by mdBook) changes with the module.
    let template = read_text(&root.join("assets/widgets-loader.js"))?;
    let loader = template
        .replace("@@WIDGETS_JS@@", &module.js)
        .replace("@@WIDGETS_WASM@@", &module.wasm)
        .replace("@@WIDGETS_INLINE@@", &module.inline)
        .replace("@@SCENARIO_KEYS@@", &serde_json::to_string(&widget_props::link::KEYS).map_err(|e| e.to_string())?)
        .replace("@@SCENARIO_STORAGE@@", widget_props::link::STORAGE_KEY);
    std::fs::create_dir_all(root.join("assets/generated")).map_err(|e| e.to_string())?;
    write(&root.join("assets/generated/widgets-loader.js"), loader.as_bytes())?;

    let next = root.join("target/dist-next");
    let _ = std::fs::remove_dir_all(&next);
    run(Command::new(tools::cargo_bin("mdbook")).arg("build").arg("--dest-dir").arg(&next))?;
    chrome::mend(&next)?;

    let widgets = next.join("widgets");
    std::fs::create_dir_all(&widgets).map_err(|e| e.to_string())?;
    write(&widgets.join(&module.js), module.js_text.as_bytes())?;
    write(&widgets.join(&module.wasm), &module.wasm_bytes)?;
    // For pages opened from disk, where fetch() cannot read a .wasm file.
    let inline = format!("window.__widgetsWasmBase64=\"{}\";\n", base64(&module.wasm_bytes));
    write(&widgets.join(&module.inline), inline.as_bytes())?;

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

/// wasm-bindgen-test: widget code that needs a real DOM, in headless Chromium.
pub fn wasm_bindgen_tests() -> Result<()> {
    let root = project_root();
    run(cargo()
        .args(["test", "--target", "wasm32-unknown-unknown", "-p", "wasm-widgets", "--test", "dom"])
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", tools::cargo_bin("wasm-bindgen-test-runner"))
        .env("CHROMEDRIVER", "/usr/bin/chromedriver")
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120")
        .current_dir(root.join("wasm-widgets")))
}

/// FNV-1a, 64 bit: a content fingerprint for file names, not a security hash.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
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
    fn base64_matches_rfc4648_vectors() {
        for (i, o) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foobar", "Zm9vYmFy")] {
            assert_eq!(super::base64(i.as_bytes()), o);
        }
    }
}
