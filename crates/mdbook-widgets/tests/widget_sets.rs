//! The widgets a page carries, as the build reads them to give each page its own WebAssembly module.

use mdbook_widgets::widgets_on_page;

#[test]
fn a_page_s_widgets_are_sorted_once_each_and_code_is_not_a_widget() {
    let page = "# Page\n\n{{#widget throughput-scaling}}\n\n`{{#widget gil-timeline}}` is how a page asks for it.\n\n\
                ```text\n{{#widget open-load}}\n```\n\n{{#widget memory-usage view=reserved}}\n\n{{#widget throughput-scaling io_wait_ms=5}}\n";
    assert_eq!(widgets_on_page(page).unwrap(), vec!["memory-usage", "throughput-scaling"]);
    assert_eq!(widgets_on_page("# No figure\n\nProse only.\n").unwrap(), Vec::<&str>::new());
}

#[test]
fn a_bad_directive_is_an_error_with_its_line() {
    let errs = widgets_on_page("# Page\n\n{{#widget no-such-widget}}\n").unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].line, 3);
}

#[test]
fn the_book_s_sets_name_only_widgets_the_module_has_features_for() {
    // Each set becomes `--features a,b`: every name must be one of wasm-widgets' features.
    let manifest = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../wasm-widgets/Cargo.toml")).unwrap();
    for name in widget_props::NAMES {
        assert!(manifest.lines().any(|l| l.starts_with(&format!("{name} = "))), "wasm-widgets has no feature {name}");
    }
}
