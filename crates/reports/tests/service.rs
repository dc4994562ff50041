//! The shipped service report parses, was measured on a quiet machine, and covers every endpoint; a report of another kind or with a noisy cell is refused with its reason.

fn shipped() -> reports::service::ServiceReport {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book/reports/service");
    let (name, text) = reports::newest(&dir).expect("a shipped service report");
    reports::service::parse(&name, &text).unwrap()
}

#[test]
fn the_newest_service_report_is_readable_and_sound() {
    let r = shipped();
    assert!(!r.quick, "a quick run is not filed");
    assert_eq!(reports::service::check(&r), Vec::<String>::new());
    assert!(r.refused.is_empty(), "refused cells: {:?}", r.refused);
    for v in ["fastapi", "uvicorn", "aerospike", "aerospike-py"] {
        assert!(r.version(v).is_some(), "{v}'s version is recorded");
    }
    // Every endpoint was measured with one and two worker processes, and
    // each configuration kept up at its lowest rate.
    for pattern in ["none", "sync", "executor", "threadpool", "asp"] {
        for workers in [1, 2] {
            let configs: Vec<_> = r.cells.iter().filter(|c| c.pattern == pattern && c.workers == workers).collect();
            assert!(!configs.is_empty(), "{pattern} ×{workers}");
            for c in &configs {
                let series = r.series(pattern, workers, c.io_wait_ms, c.handler_cpu_ms);
                assert!(series[0].steady(), "{pattern} ×{workers} at {} ms: its lowest rate", c.io_wait_ms);
            }
        }
    }
}

#[test]
fn a_report_of_another_kind_is_refused_with_its_name() {
    let e = reports::service::parse("x.json", r#"{"kind":"open-loop"}"#).unwrap_err();
    assert!(e.contains("x.json"), "{e}");
    let mut text = serde_json::to_value(shipped()).unwrap();
    text["kind"] = "open-loop".into();
    let e = reports::service::parse("y.json", &text.to_string()).unwrap_err();
    assert!(e.contains("y.json") && e.contains("\"service\""), "{e}");
}

#[test]
fn a_cell_measured_on_a_busy_machine_is_named() {
    let mut r = shipped();
    r.cells[0].foreign_cpu_share = Some(0.3);
    let problems = reports::service::check(&r);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("0.3") && problems[0].contains(&r.cells[0].pattern), "{}", problems[0]);
}
