//! `cargo xtask lab`: build the stub, set up the lab's Python environment, run the harness, file and check the report.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{project_root, read_text, run, write, Result};

/// The lab's virtual environment, with the clients pinned in lab/requirements.txt.
pub(crate) fn ensure_venv() -> Result<PathBuf> {
    let root = project_root();
    let venv = root.join("target/labvenv");
    let python = venv.join("bin/python");
    let wanted = std::fs::read_to_string(root.join("lab/requirements.txt")).map_err(|e| format!("lab/requirements.txt: {e}"))?;
    let stamp = venv.join("requirements.installed");
    if python.exists() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
        return Ok(python);
    }
    run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    run(Command::new(venv.join("bin/pip"))
        .args(["install", "--disable-pip-version-check", "--no-input", "-r"])
        .arg(root.join("lab/requirements.txt")))?;
    write(&stamp, wanted)?;
    Ok(python)
}

/// Run the harness. Quick: a few cells into target/lab-quick/. Full: the
/// whole grid, filed in book/reports/ (named by its date, listed first in
/// index.json). Either way the folder is checked with the dashboard's parser.
pub(crate) fn lab(quick: bool) -> Result<PathBuf> {
    let root = project_root();
    run(crate::cargo().args(["build", "--release", "-p", "aerostub"]))?;
    let python = ensure_venv()?;
    let dir = if quick { root.join("target/lab-quick") } else { root.join("book/reports") };
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let fresh = dir.join("new-report.json.tmp");
    let mut cmd = Command::new(python);
    cmd.arg(root.join("lab/harness.py")).arg("--stub").arg(root.join("target/release/aerostub")).arg("--out").arg(&fresh);
    if quick {
        cmd.arg("--quick");
    }
    run(&mut cmd)?;
    let text = read_text(&fresh)?;
    let date = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("date").and_then(|d| d.as_str()).map(String::from))
        .ok_or("the harness wrote a report without a date")?;
    if !quick {
        let report = reports::parse_report("the new lab report", &text).map_err(|e| e.to_string())?;
        let grid = report.io_wait_grid.get().ok_or("the new lab report has no io_wait_grid")?;
        refuse_if_crowded(&fresh, &date, reports::crowded(grid.data.iter().map(|c| (c.at(), c.foreign_cpu_share)), QUIET))?;
    }
    let file = format!("{date}.json");
    std::fs::rename(&fresh, dir.join(&file)).map_err(|e| e.to_string())?;
    file_in_index(&dir, &date, &file, quick)?;
    let bundle = reports::read_dir(&dir).map_err(|e| e.to_string())?;
    let problems = reports::check_bundle(&bundle);
    if !problems.is_empty() {
        return Err(format!("the lab's report does not pass check-reports:\n  {}", problems.join("\n  ")));
    }
    eprintln!("lab: {} filed in {}", file, dir.display());
    Ok(dir.join(file))
}

/// Run the harness's open load. Quick: a few cells into
/// target/lab-quick/open-loop/. Full: filed in book/reports/open-loop/,
/// named by its date, where the preprocessor reads the newest. Either way
/// the report is parsed and checked cell by cell.
pub(crate) fn lab_open(quick: bool) -> Result<PathBuf> {
    let root = project_root();
    run(crate::cargo().args(["build", "--release", "-p", "aerostub"]))?;
    let python = ensure_venv()?;
    let dir = if quick { root.join("target/lab-quick/open-loop") } else { root.join("book/reports/open-loop") };
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let fresh = dir.join("new-report.json.tmp");
    let mut cmd = Command::new(python);
    cmd.arg(root.join("lab/harness.py")).arg("--open").arg("--stub").arg(root.join("target/release/aerostub")).arg("--out").arg(&fresh);
    if quick {
        cmd.arg("--quick");
    }
    run(&mut cmd)?;
    let text = read_text(&fresh)?;
    let report = reports::open_loop::parse("the new open-load report", &text)?;
    let problems = reports::open_loop::check(&report);
    if quick && report.cells.len() < 6 {
        return Err(format!("lab (open, quick): {} cells measured, expected 6", report.cells.len()));
    }
    if !problems.is_empty() {
        return Err(format!("lab (open): the report does not pass its checks:\n  {}", problems.join("\n  ")));
    }
    if !quick {
        refuse_if_crowded(&fresh, &report.date, reports::crowded(report.cells.iter().map(|c| (c.at(), c.foreign_cpu_share)), QUIET))?;
    }
    let file = dir.join(format!("{}.json", report.date));
    std::fs::rename(&fresh, &file).map_err(|e| e.to_string())?;
    eprintln!("lab (open): {} cells measured, every injected wait applied; {}", report.cells.len(), file.display());
    Ok(file)
}

/// Put the report first in the folder's index.json, as one of the lab's
/// runs when the index names its sources (a quick run's index lists only it).
fn file_in_index(dir: &Path, date: &str, file: &str, alone: bool) -> Result<()> {
    let path = dir.join("index.json");
    let old = if alone { None } else { std::fs::read_to_string(&path).ok() };
    let mut index = match old {
        Some(t) => reports::parse_index(&t).map_err(|e| format!("{}: {e}", path.display()))?,
        None => reports::Index { sources: Vec::new(), reports: Vec::new() },
    };
    let source = index.sources.iter().any(|s| s.id == LAB_SOURCE).then(|| LAB_SOURCE.to_string());
    index.reports.retain(|e| e.file != file);
    index.reports.insert(0, reports::IndexEntry { date: date.into(), file: file.into(), source });
    let text = serde_json::to_string_pretty(&index).map_err(|e| e.to_string())?;
    write(&path, text + "\n")
}

/// The id of the lab's runs among book/reports/index.json's sources.
const LAB_SOURCE: &str = "lab";

/// What the quick run must show: a readable report, every cell measured,
/// and the stub's applied wait never shorter than the one asked for.
pub(crate) fn check_quick(report: &Path) -> Result<()> {
    let text = read_text(report)?;
    let name = report.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let r = reports::parse_report(&name, &text).map_err(|e| e.to_string())?;
    let grid = r.io_wait_grid.get().ok_or("the quick report has no io_wait_grid")?;
    let mut problems = Vec::new();
    if grid.data.len() < 12 {
        problems.push(format!("{} cells measured, expected 12", grid.data.len()));
    }
    for c in &grid.data {
        let at = format!("{} at {} ms, {} callers", c.pattern, c.io_wait_ms, c.concurrency);
        if !c.ops_per_sec.is_some_and(|x| x > 0.0) {
            problems.push(format!("{at}: no throughput"));
        }
        match c.applied_wait_p50_us {
            Some(w) if w + 1.0 >= c.io_wait_ms * 1e3 => {}
            other => problems.push(format!("{at}: the stub applied {other:?} µs for {} µs asked", c.io_wait_ms * 1e3)),
        }
    }
    if problems.is_empty() {
        eprintln!("lab (quick): {} cells measured, every injected wait applied", grid.data.len());
        Ok(())
    } else {
        Err(format!("lab (quick):\n  {}", problems.join("\n  ")))
    }
}

/// The most CPU other processes may take during a filed cell of any grid (as the harness's `batch.QUIET`).
const QUIET: f64 = reports::QUIET_LIMIT;

/// A report with a cell measured on a crowded machine is not filed: it is
/// moved to target/lab-refused/ and the command fails with every such cell.
fn refuse_if_crowded(fresh: &Path, date: &str, crowded: Vec<String>) -> Result<()> {
    if crowded.is_empty() {
        return Ok(());
    }
    let dir = project_root().join("target/lab-refused");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let kept = dir.join(format!("{date}.json"));
    std::fs::rename(fresh, &kept).map_err(|e| e.to_string())?;
    Err(format!(
        "the lab's report is refused, not filed ({} kept for reading): other processes shared the machine:\n  {}",
        kept.display(),
        crowded.join("\n  ")
    ))
}

/// Run the harness's batch grid. Quick: a few cells into
/// target/lab-quick/batch/, checked for the fan-out each client really has.
/// Full: filed in book/reports/ as a lab run (named by its date, first in
/// index.json), refused with the reasons if a cell ran on a busy machine.
pub(crate) fn lab_batch(quick: bool) -> Result<PathBuf> {
    let root = project_root();
    run(crate::cargo().args(["build", "--release", "-p", "aerostub"]))?;
    let python = ensure_venv()?;
    let dir = if quick { root.join("target/lab-quick/batch") } else { root.join("book/reports") };
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let fresh = dir.join("new-batch-report.json.tmp");
    let mut cmd = Command::new(python);
    cmd.arg(root.join("lab/harness.py")).arg("--batch").arg("--stub").arg(root.join("target/release/aerostub")).arg("--out").arg(&fresh);
    if quick {
        cmd.arg("--quick");
    }
    run(&mut cmd)?;
    let text = read_text(&fresh)?;
    let report = reports::parse_report("the new batch report", &text).map_err(|e| e.to_string())?;
    let grid = report.batch_grid.get().ok_or("the batch report has no batch_grid")?;
    let date = report.date.clone().ok_or("the harness wrote a report without a date")?;
    // A quick run checks the harness, not the numbers: it does not hold the quiet limit.
    let mut problems = grid.problems(if quick { f64::INFINITY } else { QUIET });
    if quick {
        problems.extend(check_fan_out(grid));
    }
    if !problems.is_empty() {
        return Err(format!("lab (batch): the report is refused:\n  {}", problems.join("\n  ")));
    }
    let file = format!("{date}-batch.json");
    std::fs::rename(&fresh, dir.join(&file)).map_err(|e| e.to_string())?;
    if !quick {
        file_in_index(&dir, &date, &file, false)?;
    }
    eprintln!("lab (batch): {} cells measured, {} refused; {}", grid.data.len(), grid.refused.len(), dir.join(&file).display());
    Ok(dir.join(file))
}

/// Run the service lab. Quick: three endpoints at one rate into
/// target/lab-quick/service/, checked for every endpoint answering with the
/// stub's wait applied. Full: filed in book/reports/service/ (named by its
/// date; the preprocessor reads the newest), refused with the reasons if a
/// cell ran on a busy machine.
pub(crate) fn lab_service(quick: bool) -> Result<PathBuf> {
    let root = project_root();
    run(crate::cargo().args(["build", "--release", "-p", "aerostub", "-p", "loadgen"]))?;
    let python = ensure_venv()?;
    let dir = if quick { root.join("target/lab-quick/service") } else { root.join("book/reports/service") };
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let fresh = dir.join("new-report.json.tmp");
    let mut cmd = Command::new(python);
    cmd.arg(root.join("lab/service.py"))
        .arg("--stub")
        .arg(root.join("target/release/aerostub"))
        .arg("--loadgen")
        .arg(root.join("target/release/loadgen"))
        .arg("--out")
        .arg(&fresh);
    if quick {
        cmd.arg("--quick");
    }
    run(&mut cmd)?;
    let text = read_text(&fresh)?;
    let mut report = reports::service::parse("the new service report", &text)?;
    if quick {
        // A quick run checks the lab's machinery, not the numbers: it does not hold the quiet limit.
        report.quiet_limit = f64::INFINITY;
    }
    let mut problems = reports::service::check(&report);
    if quick {
        for pattern in ["none", "asp", "threadpool"] {
            if !report.cells.iter().any(|c| c.pattern == pattern && c.completed > 0) {
                problems.push(format!("the endpoint /{pattern} answered nothing"));
            }
        }
    }
    if !problems.is_empty() {
        return Err(format!("lab (service): the report is refused:\n  {}", problems.join("\n  ")));
    }
    let file = dir.join(format!("{}.json", report.date));
    std::fs::rename(&fresh, &file).map_err(|e| e.to_string())?;
    eprintln!("lab (service): {} cells measured, {} refused; {}", report.cells.len(), report.refused.len(), file.display());
    Ok(file)
}

/// The quick grid's own claims about the clients: with its default batch
/// policy the official client sends a batch's node requests one after
/// another (its median at least twice the parallel policy's, four nodes and
/// 1 ms each) and aerospike-py sends them at once (its median under 60% of
/// the one-after-another one).
fn check_fan_out(grid: &reports::batch::BatchGrid) -> Vec<String> {
    let p50 = |pattern: &str, policy: &str| {
        grid.data.iter().find(|c| c.pattern == pattern && c.policy == policy && c.found_ratio == 1.0).and_then(|c| c.p50_ms)
    };
    let mut out = Vec::new();
    match (p50("official_sync", "default"), p50("official_sync", "parallel"), p50("aerospike_py_async", "default")) {
        (Some(series), Some(parallel), Some(asp)) => {
            if series < 2.0 * parallel {
                out.push(format!(
                    "the official client's default policy took {series:.3} ms against {parallel:.3} ms in parallel: not one node after another"
                ));
            }
            if asp > 0.6 * series {
                out.push(format!(
                    "aerospike-py took {asp:.3} ms for a batch over four nodes against {series:.3} ms one node after another: not at once"
                ));
            }
        }
        other => out.push(format!("the quick grid lacks a cell the fan-out check reads: {other:?}")),
    }
    out
}
