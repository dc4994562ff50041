//! Print the verdict table (the same Markdown the verdict pages carry).
fn main() {
    let rows = charts::verdicts::rows(&perfmodel::Params::default()).expect("the stated scenarios are valid");
    print!("{}", charts::verdicts::markdown(&rows));
}
