fn main() {
    let p = perfmodel::Params::default();
    let rows = charts::verdicts::rows(&p).unwrap();
    print!("{}", charts::verdicts::markdown(&rows));
    for r in &rows {
        println!("{}: {}", r.case.key, r.verdict());
    }
    use perfmodel::{open::capacity, Pattern, Scenario};
    for io in [1.0, 5.0, 20.0, 87.0] {
        let s = Scenario { io_wait_ms: io, ..Scenario::default() };
        let c = |pat, s: &Scenario| capacity(pat, &p, s);
        println!(
            "io {io}: sync {:?} exec {:?} exec64 {:?} tokio {:?}",
            c(Pattern::Sync, &s),
            c(Pattern::Executor, &s),
            c(Pattern::Executor, &Scenario { pool: Some(64), ..s }),
            c(Pattern::Tokio, &s)
        );
    }
}
