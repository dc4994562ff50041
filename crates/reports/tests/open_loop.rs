//! The shipped open-load report parses and passes its checks.

#[test]
fn the_newest_open_load_report_is_readable_and_sound() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book/reports/open-loop");
    let (name, text) = reports::newest(&dir).expect("a shipped open-load report");
    let r = reports::open_loop::parse(&name, &text).unwrap();
    assert_eq!(reports::open_loop::check(&r), Vec::<String>::new());
    assert_eq!(r.cpu_count(), Some(2));
    // Measured on a quiet machine: no cell shared the CPU with other processes beyond the lab's limit.
    assert_eq!(reports::crowded(r.cells.iter().map(|c| (c.at(), c.foreign_cpu_share)), reports::QUIET_LIMIT), Vec::<String>::new());
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

#[test]
fn a_crowded_or_unmetered_cell_is_named() {
    let cells = [("a".to_string(), Some(0.05)), ("b".to_string(), Some(0.31)), ("c".to_string(), None)];
    let out = reports::crowded(cells, 0.10);
    assert_eq!(out.len(), 2, "{out:?}");
    assert!(out[0].starts_with("b: other processes took 0.310"), "{out:?}");
    assert!(out[1].starts_with("c:") && out[1].contains("not recorded"), "{out:?}");
}
