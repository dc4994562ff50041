//! Print what the book's computed directives expand to (e.g. `{{#open-lab}}`), for reading a page's numbers without a build.
fn main() {
    let env = mdbook_widgets::BookEnv::new(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book"), "");
    for d in std::env::args().skip(1) {
        match mdbook_widgets::expand_in(&format!("{d}\n"), &env) {
            Ok(s) => println!("{s}"),
            Err(e) => eprintln!("{e:?}"),
        }
    }
}
