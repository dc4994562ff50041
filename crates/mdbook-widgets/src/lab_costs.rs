//! `{{#lab-costs}}`: what the clean lab measured inside each client process (GIL time, CPU by thread, threads by name) and the costs calibration derives from it.

use charts::format::number;
use reports::model::GridCell;

use crate::{BookEnv, Lab};

pub(crate) const TOKEN: &str = "{{#lab-costs}}";

/// The cell with the most gets per second at no injected wait.
pub fn peak<'a>(lab: &'a Lab, pattern: &str) -> Option<&'a GridCell> {
    lab.grid
        .data
        .iter()
        .filter(|c| c.pattern == pattern && c.io_wait_ms == 0.0)
        .max_by(|a, b| a.ops_per_sec.unwrap_or(0.0).total_cmp(&b.ops_per_sec.unwrap_or(0.0)))
}

pub fn one_caller<'a>(lab: &'a Lab, pattern: &str) -> Option<&'a GridCell> {
    lab.grid.data.iter().find(|c| c.pattern == pattern && c.io_wait_ms == 0.0 && c.concurrency == 1)
}

/// The costs calibration reads, from the report's cells.
pub fn lab_costs(lab: &Lab) -> Option<perfmodel::calibrate::LabCosts> {
    let costs = |c: &GridCell| {
        Some(perfmodel::calibrate::CellCosts { ops_per_sec: c.ops_per_sec?, gil_us: c.gil_us_per_request?, cpu_us: c.cpu_us_total()? })
    };
    Some(perfmodel::calibrate::LabCosts {
        official_sync_1: costs(one_caller(lab, "official_sync")?)?,
        executor_peak: costs(peak(lab, "official_executor")?)?,
        asp_peak: costs(peak(lab, "aerospike_py_async")?)?,
    })
}

fn row(label: &str, c: &GridCell) -> String {
    let cpu = |role: &str| c.cpu_us_per_request.get(role).copied().unwrap_or(0.0);
    let gil = c.gil_us_per_request.map(number).unwrap_or_else(|| "–".into());
    let range = match (c.gil_us_min, c.gil_us_max) {
        (Some(a), Some(b)) if c.ops_rounds.len() > 1 => format!(" ({}–{})", number(a), number(b)),
        _ => String::new(),
    };
    // The loop (or calling) thread only runs Python, so its CPU is GIL-held
    // time, except a blocking call's, which releases the GIL inside the client.
    let others = cpu("pool") + cpu("tokio") + cpu("other");
    let names: Vec<String> = c.threads_by_name.iter().map(|(k, v)| format!("{v} {k}")).collect();
    format!(
        "| {label} | {} | {} | {gil}{range} | {} | {} | {} | {} | {} |\n",
        c.concurrency,
        c.ops_per_sec.map(number).unwrap_or_default(),
        number(cpu("main")),
        number(others),
        number(c.cpu_us_total().unwrap_or(0.0)),
        names.join(", "),
        c.rss_idle_mib.map(number).unwrap_or_else(|| "–".into()),
    )
}

/// The table: each client at one caller and at its peak, with no injected
/// wait; then the costs derived from those cells.
pub fn table(env: &BookEnv) -> String {
    let Some(lab) = env.lab() else {
        return "\n\n*No lab report yet: `cargo xtask lab` measures the grid; this table is then computed from it.*\n\n".into();
    };
    let mut rows = String::new();
    for (pattern, label) in [
        ("official_sync", "Official, blocking"),
        ("official_executor", "Official, run_in_executor (default pool)"),
        ("aerospike_py_async", "aerospike-py async"),
    ] {
        if let Some(c) = one_caller(lab, pattern) {
            rows.push_str(&row(label, c));
        }
        if let Some(c) = peak(lab, pattern).filter(|c| c.concurrency > 1) {
            rows.push_str(&row(&format!("{label}, at its peak"), c));
        }
    }
    let Some(m) = lab_costs(lab) else {
        return format!("\n\n*The lab report of {} has no GIL or CPU measurements (an older lab); calibration needs them.*\n\n", lab.run.date);
    };
    let p = perfmodel::Params::default();
    let d = perfmodel::calibrate::client_costs(&m, &p);
    let env_text = |key: &str| {
        lab.run
            .report
            .as_ref()
            .ok()
            .and_then(|r| r.environment.get())
            .and_then(|e| e.other.get(key))
            .and_then(|v| v.as_str())
            .map(String::from)
            .unwrap_or_else(|| "not recorded".into())
    };
    format!(
        "\n\nMeasured in the lab report of {date} (pinning: {pin}; GIL sampler: {spy}). Per get, µs; the GIL column is the median \
         over rounds (and their range). The two measurements check each other: the GIL time is never more than the CPU of all \
         the threads, and at each asyncio client's peak it is at least about the event loop's own CPU (the loop runs only \
         Python, apart from the system calls it makes with the GIL released).\n\n\
         | Client | Callers | Gets/s | GIL held | CPU, loop or calling thread | CPU, other threads | CPU, all | Threads at the end | Resident before load (MiB) |\n\
         |---|---:|---:|---:|---:|---:|---:|---|---:|\n{rows}\n\
         What calibration (`perfmodel::calibrate`) takes from these cells:\n\n\
         | Cost | Value (µs) | From |\n|---|---:|---|\n\
         | Official client, GIL held | {og} | the one-caller blocking get's GIL time |\n\
         | Official client, GIL-free CPU | {on} | the executor's CPU per get at its peak, less its GIL time |\n\
         | run_in_executor's machinery, GIL held | {eo} | the executor's GIL time per get at its peak, less the client's and one loop resume |\n\
         | aerospike-py, GIL held | {ag} | its GIL time per get at its peak, less one loop resume |\n\
         | aerospike-py, GIL-free CPU | {an} | its CPU per get at its peak, less its GIL time |\n\
         | The stub's round trip | {rtt} | the one-caller blocking get, less the official client's costs |\n\n",
        date = lab.run.date,
        pin = env_text("pinning"),
        spy = env_text("gil_sampler"),
        og = number(d.official_gil_us),
        on = number(d.official_nogil_us),
        eo = number(d.executor_overhead_us),
        ag = number(d.asp_gil_us),
        an = number(d.asp_nogil_us),
        rtt = number(d.stub_rtt_us),
    )
}
