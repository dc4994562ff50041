//! Expand one Markdown file's directives as the book's preprocessor would, reading the book's folder: `cargo run -p mdbook-widgets --example expand FILE`.
fn main() {
    let path = std::env::args().nth(1).expect("a Markdown file");
    let text = std::fs::read_to_string(&path).expect("readable");
    let env = mdbook_widgets::BookEnv { src_dir: "book".into(), to_root: String::new() };
    match mdbook_widgets::expand_in(&text, &env) {
        Ok(out) => print!("{out}"),
        Err(e) => eprintln!("{e:?}"),
    }
}
