//! Print the batch costs the newest batch report gives, as `params.rs` declares them, and the model against every batch cell.
fn main() {
    let env = mdbook_widgets::BookEnv::new(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book"), "");
    let Some(lab) = env.batch_lab() else {
        eprintln!("no batch report in book/reports");
        std::process::exit(1);
    };
    let (off, asp) = lab.costs();
    println!("official: {off:?}\naerospike-py: {asp:?}");
    let p = lab.params(&perfmodel::Params::default());
    for info in perfmodel::Params::describe().into_iter().filter(|i| i.name.contains("batch")) {
        let v = serde_json::to_value(p).ok().and_then(|v| v.get(info.name).and_then(|x| x.as_f64())).unwrap_or(f64::NAN);
        println!("{} = {v:.4}", info.name);
    }
    let rtt = env.lab().map(|l| l.rtt_ms).unwrap_or(perfmodel::scenario::LOCALHOST_RTT_MS);
    let simulate = std::env::args().any(|a| a == "--sim");
    let cells = mdbook_widgets::batch_lab::fit(lab, rtt, &p, simulate);
    for c in &cells {
        println!("{}", c.line());
    }
    for f in mdbook_widgets::batch_lab::summary(&cells) {
        println!(
            "{:36} cells {:3} median {:5.1}% worst {:5.1}% ({}) p99 {}/{}",
            f.label,
            f.cells,
            f.median_err * 100.0,
            f.worst_err * 100.0,
            f.worst_cell,
            f.p99_within,
            f.p99_cells
        );
    }
}
