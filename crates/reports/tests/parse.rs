//! The parser over the project's own fixture reports: full, partial, legacy keys, malformed, wrong types, missing files.

use reports::speedup::speedups;
use reports::*;

fn fixtures() -> Bundle {
    read_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")).unwrap()
}

fn report(name: &str) -> Result<Report, FileError> {
    let (runs, errs) = load_bundle(&fixtures());
    assert!(errs.is_empty(), "{errs:?}");
    runs.into_iter().find(|r| r.file == name).unwrap().report
}

#[test]
fn a_full_report_has_every_section() {
    let r = report("full.json").unwrap();
    assert_eq!(r.date.as_deref(), Some("2026-11-20_10-00"));
    assert!(r.problems().is_empty(), "{:?}", r.problems());
    for (c, s) in &r.clients {
        assert!(s.get().is_some(), "{c:?}");
    }
    assert_eq!(r.environment.get().unwrap().python_version.as_deref(), Some("3.11.7"));
    assert_eq!(r.environment.get().unwrap().other.get("batch_groups"), Some(&serde_json::json!(10)));
    assert_eq!(r.concurrency_scaling.get().unwrap().data.len(), 4);
    assert_eq!(r.high_concurrency_scaling.get().unwrap().data[2].official, None, "null official at 1,000");
    assert_eq!(r.io_wait_grid.get().unwrap().data.len(), 2);
    assert_eq!(r.takeaways.get().unwrap().len(), 2);
    // Async sections carry per-request percentiles under per_op.
    let get = r.client(Client::AerospikePyAsync).unwrap().get("get").unwrap();
    assert_eq!(get.p50_ms, None);
    assert!(get.p50().is_some() && get.p99().is_some());
}

#[test]
fn speedups_compare_sync_with_sync_and_async_with_async() {
    let r = report("full.json").unwrap();
    let s = speedups(&r);
    assert_eq!(s.len(), 18);
    let put_sync = s.iter().find(|x| x.client == Client::AerospikePySync && x.op == "put").unwrap();
    assert_eq!(put_sync.baseline, Client::OfficialSync);
    // The fixture's sync client is 1/1.25 as fast as the official one.
    assert!((put_sync.throughput.unwrap() - 0.8).abs() < 1e-9, "{put_sync:?}");
    assert!((put_sync.latency.unwrap() - 0.8).abs() < 1e-9);
    let put_async = s.iter().find(|x| x.client == Client::AerospikePyAsync && x.op == "put").unwrap();
    assert_eq!(put_async.baseline, Client::OfficialAsync);
    assert!((put_async.throughput.unwrap() - 2.0).abs() < 1e-9);
}

#[test]
fn a_partial_report_marks_absent_sections_and_null_fields() {
    let r = report("partial.json").unwrap();
    assert!(r.problems().is_empty());
    assert_eq!(r.data_size, Section::Absent);
    assert_eq!(r.takeaways, Section::Absent);
    assert!(r.client(Client::AerospikePyAsync).is_none());
    let ops = r.client(Client::AerospikePySync).unwrap();
    assert!(ops.get("put").is_none(), "a null operation is dropped");
    assert_eq!(ops.get("get").unwrap().p99_ms, None);
    let s = speedups(&r);
    assert_eq!(s.len(), 1);
    assert!((s[0].throughput.unwrap() - 1.25).abs() < 1e-9);
}

#[test]
fn legacy_keys_read_as_the_current_ones() {
    let r = report("legacy.json").unwrap();
    assert!(r.problems().is_empty(), "{:?}", r.problems());
    let sync = r.client(Client::AerospikePySync).unwrap();
    assert!(sync.get("query").is_some() && sync.get("scan").is_none());
    assert!(r.client(Client::OfficialSync).unwrap().get("query").is_some());
    assert!(r.client(Client::AerospikePyAsync).is_some());
    let m = r.memory_profiling.get().unwrap();
    assert_eq!(m.has_official, Some(true));
    assert_eq!(m.data[0].official_get_peak_kb, Some(1.5));
    assert_eq!(m.data[0].official_batch_read_peak_kb, Some(950.0));
}

#[test]
fn broken_files_name_the_file_and_the_field() {
    let e = report("malformed.json").unwrap_err();
    assert_eq!(e.file, "malformed.json");
    assert!(e.message.starts_with("not valid JSON"), "{e}");
    let r = report("wrong-type.json").unwrap();
    let p = r.problems();
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(p.iter().any(|x| x.contains("field official_sync.get.avg_ms") && x.contains("invalid type: string")), "{p:?}");
    assert!(p.iter().any(|x| x.contains("field memory_profiling.data")), "{p:?}");
    // The rest of that report still reads.
    assert!(r.client(Client::AerospikePySync).is_some());
    let e = report("not-uploaded.json").unwrap_err();
    assert!(e.message.contains("listed in index.json but not in the reports folder"));
}

#[test]
fn check_lists_every_problem_of_the_folder() {
    let lines = check_bundle(&fixtures());
    assert_eq!(lines.len(), 4, "{lines:#?}");
    assert!(lines.iter().all(|l| l.contains(".json")));
    assert!(check_bundle(&Bundle { index: None, files: vec![] }).contains(&"index.json: missing".to_string()));
}

#[test]
fn sections_the_dashboard_does_not_know_are_named_not_refused() {
    let text = r#"{"date": "2026-03-01", "official_sync": {"get": {"ops_per_sec": 10.0}}, "gpu_batch": {"x": 1}, "zeta": null}"#;
    let r = parse_report("new.json", text).unwrap();
    assert_eq!(r.unknown, vec!["gpu_batch".to_string(), "zeta".to_string()]);
    assert!(r.problems().is_empty() && r.client(Client::OfficialSync).is_some());
    let bundle = Bundle {
        index: Some(r#"{"reports": [{"date": "2026-03-01", "file": "new.json"}]}"#.into()),
        files: vec![BundledFile { file: "new.json".into(), text: Some(text.into()) }],
    };
    assert!(check_bundle(&bundle).is_empty(), "an unknown section is not a problem");
    assert_eq!(unknown_sections(&load_bundle(&bundle).0), vec!["new.json: not shown by the dashboard: gpu_batch, zeta".to_string()]);
    // Legacy client keys are known under their new names.
    assert!(report("legacy.json").unwrap().unknown.is_empty());
}

#[test]
fn hostile_indexes_and_non_reports_are_refused_with_reasons() {
    assert!(parse_index(r#"{"reports":[{"date":"x","file":"../../etc/passwd.json"}]}"#).unwrap_err().message.contains("must be a .json file name"));
    assert!(parse_index(r#"{"reports":[{"date":1,"file":"a.json"}]}"#).unwrap_err().message.contains("field reports[0].date"));
    assert!(parse_index("[]").is_err());
    assert!(parse_report("x.json", "[1,2]").is_err());
    assert!(parse_report("x.json", r#"{"hello": "world"}"#).unwrap_err().message.contains("does not look like a benchmark report"));
    let e = parse_report("x.json", r#"{"date": 5}"#).unwrap_err();
    assert!(e.message.contains("field date"), "{e}");
}

#[test]
fn an_index_may_name_sources_and_each_run_carries_its_own() {
    let index = r#"{"sources": [{"id": "lab", "label": "Lab", "about": "here"}, {"id": "suite", "label": "Suite", "about": "there", "license": "LICENSE.txt"}],
        "reports": [{"date": "b", "file": "b.json", "source": "lab"}, {"date": "a", "file": "a.json", "source": "suite"}, {"date": "c", "file": "c.json"}]}"#;
    let text = r#"{"date": "x", "official_sync": {"get": {"ops_per_sec": 1.0}}}"#;
    let files = ["a.json", "b.json", "c.json"].map(|f| BundledFile { file: f.into(), text: Some(text.into()) }).to_vec();
    let (runs, errs) = load_bundle(&Bundle { index: Some(index.into()), files });
    assert!(errs.is_empty(), "{errs:?}");
    let of: Vec<Option<&str>> = runs.iter().map(|r| r.source.as_ref().map(|s| s.id.as_str())).collect();
    assert_eq!(of, [Some("lab"), Some("suite"), None]);
    assert_eq!(runs[1].source.as_ref().unwrap().license.as_deref(), Some("LICENSE.txt"));
    // The suite's own index (no sources) reads as before.
    assert!(parse_index(r#"{"reports": [{"date": "a", "file": "a.json"}]}"#).unwrap().sources.is_empty());
}

#[test]
fn a_source_the_index_does_not_list_or_lists_twice_is_named() {
    let e = parse_index(r#"{"reports": [{"date": "a", "file": "a.json", "source": "lab"}]}"#).unwrap_err();
    assert!(e.message.contains("a.json: source \"lab\" is not one of the index's sources"), "{}", e.message);
    let twice = r#"{"sources": [{"id": "s", "label": "S", "about": ""}, {"id": "s", "label": "T", "about": ""}], "reports": []}"#;
    assert!(parse_index(twice).unwrap_err().message.contains("source \"s\" is listed twice"));
    let outside = r#"{"sources": [{"id": "s", "label": "S", "about": "", "license": "../LICENSE"}], "reports": []}"#;
    assert!(parse_index(outside).unwrap_err().message.contains("must be a file name in the reports folder"));
    let typo = r#"{"sources": [{"id": "s", "label": "S", "about": "", "licence": "L"}], "reports": []}"#;
    assert!(parse_index(typo).unwrap_err().message.contains("licence"));
}

/// The site's own folder: the lab's runs and the ten runs aerospike-py
/// published, each labelled with its source, all readable, newest first per source.
#[test]
fn the_shipped_reports_are_the_labs_and_aerospike_pys_published_runs() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book/reports");
    let bundle = read_dir(&dir).unwrap();
    assert_eq!(check_bundle(&bundle), Vec::<String>::new());
    let (runs, _) = load_bundle(&bundle);
    let ids = |id: &str| runs.iter().filter(|r| r.source.as_ref().is_some_and(|s| s.id == id)).collect::<Vec<_>>();
    let published = ids("aerospike-py");
    assert_eq!(published.len(), 10);
    assert!(!ids("lab").is_empty());
    assert_eq!(ids("lab").len() + published.len(), runs.len(), "every run names its source");
    for r in &published {
        let env = r.report.as_ref().unwrap().environment.get().unwrap();
        assert_eq!((env.platform.as_deref(), env.python_version.as_deref()), (Some("Darwin arm64"), Some("3.13.11")), "{}", r.file);
        // Copied unchanged from the published set.
        let original = dir.join("../../../shared/data/aerospike-py-published/reports").join(&r.file);
        if let Ok(o) = std::fs::read(&original) {
            assert_eq!(std::fs::read(dir.join(&r.file)).unwrap(), o, "{} differs from the published file", r.file);
        }
    }
    let license = published[0].source.as_ref().unwrap().license.as_ref().unwrap();
    assert!(std::fs::read_to_string(dir.join(license)).unwrap().contains("Apache License"));
    for group in [ids("lab"), published] {
        let dates: Vec<&str> = group.iter().map(|r| r.date.as_str()).collect();
        let mut sorted = dates.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        assert_eq!(dates, sorted, "newest first");
    }
}

/// The newest lab grid was measured on a quiet machine: every cell recorded
/// the share of the CPU other processes took, and none took more than the
/// lab's limit (older runs predate the meter).
#[test]
fn the_newest_grid_was_measured_on_a_quiet_machine() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book/reports");
    let (runs, _) = load_bundle(&read_dir(&dir).unwrap());
    let grid = runs
        .iter()
        .filter(|r| r.source.as_ref().is_some_and(|s| s.id == "lab"))
        .find_map(|r| r.report.as_ref().ok()?.io_wait_grid.get())
        .expect("a lab run with a grid");
    assert!(grid.data.len() > 100, "{} cells", grid.data.len());
    assert_eq!(crowded(grid.data.iter().map(|c| (c.at(), c.foreign_cpu_share)), QUIET_LIMIT), Vec::<String>::new());
}
