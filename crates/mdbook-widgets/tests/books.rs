//! Golden tests: fixture books built by the real mdbook with this preprocessor; the `<main>` HTML is compared to snapshots.
//! Run with SNAPSHOTS=overwrite to accept a deliberate change.

use std::path::{Path, PathBuf};
use std::process::Command;

fn mdbook() -> PathBuf {
    let home = std::env::var("CARGO_HOME").map(PathBuf::from).unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").unwrap()).join(".cargo"));
    let p = home.join("bin/mdbook");
    assert!(p.exists(), "mdbook is not installed at {}; `cargo xtask test` installs it", p.display());
    p
}

/// Copy a fixture book into a temp dir with a book.toml that points at this build of the preprocessor.
fn build(name: &str) -> (PathBuf, std::process::Output) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/books").join(name);
    let dir = std::env::temp_dir().join(format!("mdbook-widgets-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                copy(&e.path(), &to.join(e.file_name()));
            } else {
                std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
            }
        }
    }
    copy(&src.join("src"), &dir.join("src"));
    let toml = format!("[book]\ntitle = \"fixture\"\n[preprocessor.widgets]\ncommand = {:?}\n[output.html]\n", env!("CARGO_BIN_EXE_mdbook-widgets"));
    std::fs::write(dir.join("book.toml"), toml).unwrap();
    let out = Command::new(mdbook()).arg("build").current_dir(&dir).output().unwrap();
    (dir, out)
}

fn main_html(page: &Path) -> String {
    let html = std::fs::read_to_string(page).unwrap();
    let start = html.find("<main>").expect("page has <main>");
    let end = html.find("</main>").expect("page has </main>") + "</main>".len();
    html[start..end].to_string()
}

#[test]
fn directives_become_placeholders_except_in_code() {
    let (dir, out) = build("ok");
    assert!(out.status.success(), "mdbook failed: {}", String::from_utf8_lossy(&out.stderr));
    let got = main_html(&dir.join("book/chapter.html"));
    assert_eq!(got.matches("data-widget=").count(), 1, "only the prose directive is expanded");
    assert!(got.contains(r#"data-props="{&quot;concurrency&quot;:300,&quot;io_wait_ms&quot;:2.0}""#), "{got}");
    assert_eq!(got.matches("{{#widget throughput-scaling}}").count(), 3, "code keeps its text");
    // Every reader gets the chart at the starting scenario, drawn at build time, at first paint.
    let first = &got[got.find("<div class=\"widget-first\"").unwrap()..];
    assert!(first.contains("<svg role=\"img\"") && first.contains("<polyline"), "static figure");
    // Named by the widget's own summary, the first child of the image.
    let title = &first[first.find("<title>").expect("the figure has a title")..];
    assert!(title.starts_with("<title>At 2.00 ms of I/O wait and 300 concurrent callers the model gives Tokio "), "{}", &title[..120]);
    assert!(!first[first.find("<svg").unwrap()..first.find("<title>").unwrap()].contains("<rect"), "title comes first");
    // Under it: with JavaScript, that the live figure is loading; without, what needs JavaScript.
    let caption = &first[first.find("<figcaption").unwrap()..first.find("</figcaption>").unwrap()];
    assert!(
        caption.contains("the interactive figure is loading")
            && caption.contains("<noscript>Throughput against concurrency")
            && caption.contains("needs JavaScript"),
        "{caption}"
    );
    assert!(!got.contains("<p><svg"), "the SVG stays inside the HTML block");
    let snap = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/books/ok.main.html");
    if std::env::var("SNAPSHOTS").as_deref() == Ok("overwrite") {
        std::fs::write(&snap, &got).unwrap();
    } else {
        let want = std::fs::read_to_string(&snap).expect("snapshot missing: run with SNAPSHOTS=overwrite");
        assert_eq!(got, want, "rendered chapter differs from tests/books/ok.main.html");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_parameter_in_prose_is_its_default_linked_to_its_row() {
    let p = perfmodel::Params::default();
    let env = mdbook_widgets::BookEnv::new("", "../");
    let got = mdbook_widgets::expand_in("Up to {{#param tokio_max_blocking}}, `{{#param x}}`.\n", &env).unwrap();
    assert_eq!(got, format!("Up to [{} threads](../methodology.md#param-tokio_max_blocking), `{{{{#param x}}}}`.\n", p.tokio_max_blocking));
    let err = mdbook_widgets::expand("Text.\n\nA {{#param no_such_cost}}.\n").unwrap_err();
    assert_eq!(err.len(), 1);
    assert_eq!((err[0].line, err[0].message.as_str()), (3, "{{#param no_such_cost}}: the model has no parameter \"no_such_cost\""));
}

#[test]
fn bad_directives_fail_the_build_with_chapter_and_line() {
    let (dir, out) = build("bad");
    assert!(!out.status.success(), "a bad directive must fail the build");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("chapter.md:5: unknown widget \"no-such-widget\""), "{err}");
    assert!(err.contains("chapter.md:7:") && err.contains("concurrency"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_dashboard_embeds_its_reports_folder_safely() {
    let (dir, out) = build("dash");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let html = main_html(&dir.join("book/results.html"));
    let start = html.find("<script type=\"application/json\" class=\"widget-bundle\">").expect("the bundle is embedded");
    let body = &html[start..];
    let json = &body[body.find('>').unwrap() + 1..body.find("</script>").unwrap()];
    // Nothing in the data can close the script element early.
    assert!(!json.contains("</") && json.contains("<\\/p>"), "{json}");
    let payload: charts::dashboard::Payload = serde_json::from_str(json).unwrap();
    assert_eq!(payload.runs.len(), 3);
    assert!(payload.folder_errors.is_empty());
    assert!(payload.runs[0].error.is_none() && !payload.runs[0].panels.is_empty());
    assert!(payload.runs[1].error.as_deref().unwrap().contains("gone.json: listed in index.json but not in the reports folder"));
    // At first paint and without JavaScript: the newest run's panels, with the report's text escaped.
    let first =
        &html[html.find("<div class=\"widget-first\"").unwrap()..html.find("<script type=\"application/json\" class=\"widget-bundle\">").unwrap()];
    assert!(first.contains("data-panel=\"speedup\"") && first.contains("&lt;/script&gt;"), "{first}");
}

#[test]
fn the_model_is_set_against_the_newest_lab_report() {
    let env = mdbook_widgets::BookEnv::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/books/dash/src"), "../");
    let out = mdbook_widgets::expand_in("# M\n\n{{#model-vs-lab}}\n\n`{{#model-vs-lab}}`\n", &env).unwrap();
    assert!(out.contains("Against the lab report of 2025-12-31_00-00 (`lab.json`), over 2 cells"), "{out}");
    // The blocking aerospike-py client has no pattern in the model: left out, not invented.
    assert!(!out.contains("| 800 |"), "{out}");
    let exec = perfmodel::predict_curve(
        perfmodel::Pattern::Executor,
        &perfmodel::Params::default(),
        // The fixture has no one-caller sync cell, so the loopback round trip measured here stands in.
        &perfmodel::Scenario { io_wait_ms: 1.0 + perfmodel::scenario::LOCALHOST_RTT_MS, concurrency: 64, cores: 2.0, ..Default::default() },
        &[64],
    )
    .unwrap()[0]
        .throughput_ops_s;
    assert!(
        out.contains(&format!("| Executor (default pool) | 1 | 64 | 5000 | {} | {:+.0}% |", exec.round(), (exec / 5000.0 - 1.0) * 100.0)),
        "{out}"
    );
    assert!(out.contains("`{{#model-vs-lab}}`"), "code stays code");
    let none = mdbook_widgets::expand_in("{{#model-vs-lab}}", &mdbook_widgets::BookEnv::new("/nonexistent", "")).unwrap();
    assert!(none.contains("No lab report yet"));
}

#[test]
fn formulas_are_typeset_to_mathml_at_build_time() {
    let out = mdbook_widgets::expand("The loop: $X_k = N / R$.\n\n$$R_k(n) = D_k \\left(1 + Q_k(n-1)\\right)$$\n\n`$not math$`\n").unwrap();
    assert!(out.contains("<math") && out.contains("<msub>") && out.contains("display=\"block\""), "{out}");
    assert!(out.contains("`$not math$`"), "code stays code");
    // Nothing Markdown would read again as emphasis or a link.
    let inline = &out[..out.find("`$not").unwrap()];
    assert!(!inline.contains('$') && !inline.contains('_'), "{inline}");
    let err = mdbook_widgets::expand("Broken: $\\frac{1}$ here.\n").unwrap_err();
    assert_eq!(err[0].line, 1);
    assert!(err[0].message.contains("cannot be typeset"), "{}", err[0].message);
    // Output the browser would misread fails the build too.
    let bad = mdbook_widgets::expand("Sized: $\\bigl(1\\bigr)$.\n").unwrap_err();
    assert!(bad[0].message.contains("malformed MathML"), "{}", bad[0].message);
}
