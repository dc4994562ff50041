//! The lab's open-load reports (`book/reports/open-loop/*.json`, written by `lab/harness.py --open`): typed, and checked cell by cell.

use serde::{Deserialize, Serialize};

/// A pattern's closed-loop peak at one I/O wait: the rates were fractions of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Peak {
    pub pattern: String,
    pub io_wait_ms: f64,
    pub closed_peak_ops_per_sec: f64,
}

/// One measured cell: a pattern at one injected wait and one arrival rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenCell {
    pub pattern: String,
    /// The stub's injected wait, ms.
    pub io_wait_ms: f64,
    pub offered_rate: f64,
    /// Arrivals per second in the measured window, and answers per second in it.
    pub arrival_rate: f64,
    pub ops_per_sec: f64,
    pub avg_ms: Option<f64>,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub requests: u64,
    pub answered: u64,
    pub sent_all: bool,
    pub stable: bool,
    pub seed: u64,
    pub rss_mib: Option<f64>,
    pub threads: Option<u64>,
    pub applied_wait_p50_us: Option<f64>,
    pub applied_wait_p99_us: Option<f64>,
    pub load_avg: Option<f64>,
    /// The share of the machine's CPU that processes other than the lab's
    /// took during the cell (absent in reports from before the lab measured it).
    #[serde(default)]
    pub foreign_cpu_share: Option<f64>,
    /// The shares of the runs set aside as crowded and measured again.
    #[serde(default)]
    pub noisy_runs: Vec<f64>,
}

impl OpenCell {
    /// Where the cell sits in the report, for messages.
    pub fn at(&self) -> String {
        format!("{} at {} ms, {:.0}/s", self.pattern, self.io_wait_ms, self.offered_rate)
    }
}

/// A whole open-load report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenReport {
    pub kind: String,
    pub date: String,
    pub environment: serde_json::Map<String, serde_json::Value>,
    pub method: String,
    pub peaks: Vec<Peak>,
    pub cells: Vec<OpenCell>,
    #[serde(default)]
    pub failed: Vec<serde_json::Value>,
}

impl OpenReport {
    /// The machine's CPU count, as the harness recorded it.
    pub fn cpu_count(&self) -> Option<u32> {
        self.environment.get("cpu_count").and_then(crate::model::lab_count)
    }

    /// CPUs the client process was pinned to (a pinned run), if recorded.
    pub fn client_cpus(&self) -> Option<u32> {
        self.environment.get("client_cpus").and_then(crate::model::lab_count)
    }

    /// Python's default pool on the lab machine, as the harness recorded it.
    pub fn default_pool(&self) -> Option<u32> {
        self.environment.get("default_pool").and_then(crate::model::lab_count)
    }
}

/// Parse a report, naming the field that is wrong.
pub fn parse(name: &str, text: &str) -> Result<OpenReport, String> {
    let de = &mut serde_json::Deserializer::from_str(text);
    let r: OpenReport = serde_path_to_error::deserialize(de).map_err(|e| format!("{name}: {} at {}", e.inner(), e.path()))?;
    if r.kind != "open-loop" {
        return Err(format!("{name}: kind is {:?}, expected \"open-loop\"", r.kind));
    }
    Ok(r)
}

/// What a report must show to be used: every cell answered something, every
/// injected wait was applied, and no kept-up cell answered faster than the wait.
pub fn check(r: &OpenReport) -> Vec<String> {
    let mut problems = Vec::new();
    if r.cells.is_empty() {
        problems.push("no cells measured".into());
    }
    for c in &r.cells {
        let at = c.at();
        if c.answered == 0 {
            problems.push(format!("{at}: nothing answered"));
        }
        match c.applied_wait_p50_us {
            Some(w) if w + 1.0 >= c.io_wait_ms * 1e3 => {}
            other => problems.push(format!("{at}: the stub applied {other:?} µs for {} µs asked", c.io_wait_ms * 1e3)),
        }
        if c.stable && c.p50_ms.is_some_and(|p| p < c.io_wait_ms) {
            problems.push(format!("{at}: a median of {:?} ms is below the injected wait", c.p50_ms));
        }
        if c.arrival_rate <= 0.0 || (c.arrival_rate / c.offered_rate - 1.0).abs() > 0.25 {
            problems.push(format!("{at}: {:.0} arrivals/s against {:.0} offered", c.arrival_rate, c.offered_rate));
        }
    }
    problems
}
