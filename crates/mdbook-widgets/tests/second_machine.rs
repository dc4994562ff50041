//! The quiet re-run on a second machine, as the methodology reads it: a speed fitted from three one-caller latencies, the model scaled by it, and aerospike-py's lead on both machines.

use std::path::Path;

use perfmodel::Params;

#[test]
fn the_second_machine_is_slower_and_the_speed_explains_part_of_it() {
    let env = mdbook_widgets::BookEnv::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book"), String::new());
    let m = mdbook_widgets::second_machine::check(&env).expect("the book ships a re-run on another machine with a physical speed fit");
    eprintln!("{m:#?}");
    // Not the calibrating run, and slower than it.
    assert_ne!(m.run, perfmodel::calibrate::CALIBRATION_RUN);
    assert!(m.speed > 1.0, "{}", m.speed);
    // The one factor brings the model closer to the cells it was not fitted to.
    assert!(m.scaled_median < m.unscaled_median, "{} vs {}", m.scaled_median, m.unscaled_median);
    assert_eq!(m.fits.len(), 4, "every pattern of the model has cells there");
    assert!(m.leads.len() >= 4, "{:?}", m.leads);
    // The page's reason for the smaller leads: aerospike-py spends more CPU per get than the official client through the executor.
    let p = Params::default();
    assert!(p.asp_gil_us + p.asp_nogil_us > p.official_gil_us + p.official_nogil_us + p.executor_overhead_us + p.loop_resume_us);
    let text = mdbook_widgets::expand_in("{{#second-machine}}", &env).unwrap();
    assert!(text.contains(&m.run) && text.contains(perfmodel::calibrate::CALIBRATION_RUN), "{text}");
    assert!(text.contains("slower machine") && text.contains("quiet machine"), "{text}");
}

#[test]
fn a_book_with_only_the_calibrating_run_says_there_is_no_second_machine() {
    let dir = std::env::temp_dir().join(format!("second-machine-{}", std::process::id()));
    let reports = dir.join("reports");
    std::fs::create_dir_all(&reports).unwrap();
    let book = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book/reports");
    let name = perfmodel::calibrate::CALIBRATION_RUN;
    std::fs::copy(book.join(name), reports.join(name)).unwrap();
    std::fs::write(reports.join("index.json"), format!(r#"{{"reports":[{{"date":"2026-12-01_20-09","file":"{name}"}}]}}"#)).unwrap();
    let env = mdbook_widgets::BookEnv::new(dir.clone(), String::new());
    assert!(env.lab().is_some());
    assert!(mdbook_widgets::second_machine::check(&env).is_none());
    let text = mdbook_widgets::expand_in("{{#second-machine}}", &env).unwrap();
    assert!(text.contains("no second machine"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}
