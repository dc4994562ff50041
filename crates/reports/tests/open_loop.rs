//! The shipped open-load report parses and passes its checks.

#[test]
fn the_newest_open_load_report_is_readable_and_sound() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book/reports/open-loop");
    let (name, text) = reports::newest(&dir).expect("a shipped open-load report");
    let r = reports::open_loop::parse(&name, &text).unwrap();
    assert_eq!(reports::open_loop::check(&r), Vec::<String>::new());
    assert_eq!(r.cpu_count(), Some(2));
    // Every pattern at every injected wait kept up at its lowest rate and not at its highest.
    for p in &r.peaks {
        let cells: Vec<_> = r.cells.iter().filter(|c| c.pattern == p.pattern && c.io_wait_ms == p.io_wait_ms).collect();
        let lo = cells.iter().min_by(|a, b| a.offered_rate.total_cmp(&b.offered_rate)).unwrap();
        let hi = cells.iter().max_by(|a, b| a.offered_rate.total_cmp(&b.offered_rate)).unwrap();
        assert!(lo.stable && !hi.stable, "{} at {} ms", p.pattern, p.io_wait_ms);
    }
}

#[test]
fn a_report_of_another_kind_is_refused_with_its_name() {
    let e = reports::open_loop::parse("x.json", r#"{"kind":"grid","date":"d","environment":{},"method":"m","peaks":[],"cells":[]}"#).unwrap_err();
    assert!(e.contains("x.json") && e.contains("open-loop"), "{e}");
    let e =
        reports::open_loop::parse("y.json", r#"{"kind":"open-loop","date":"d","environment":{},"method":"m","peaks":[],"cells":[{"pattern":"p"}]}"#)
            .unwrap_err();
    assert!(e.contains("cells[0]"), "{e}");
}
