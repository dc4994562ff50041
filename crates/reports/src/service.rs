//! The service lab's reports (`book/reports/service/*.json`, written by `lab/service.py`): a FastAPI service under uvicorn, typed, and checked cell by cell.

use serde::{Deserialize, Serialize};

/// One measured cell: one endpoint of one server at one arrival rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceCell {
    /// The endpoint: none, sync, executor, threadpool or asp (lab/service_app.py).
    pub pattern: String,
    /// uvicorn's worker processes, all on the server's one CPU.
    pub workers: u32,
    /// The stub's injected wait, ms.
    pub io_wait_ms: f64,
    /// The handler's own Python work (a busy loop holding the GIL), ms.
    pub handler_cpu_ms: f64,
    /// What the closed probe answered per second, and the share of it offered.
    pub capacity_per_s: f64,
    pub fraction: f64,
    pub offered_per_s: f64,
    pub achieved_per_s: f64,
    /// The harness's strict reading: every request answered, none failed, 90% of the rate achieved.
    pub kept_up: bool,
    /// Requests scheduled in the measured window, answered, never answered, and failed (over the whole run).
    pub measured: u64,
    pub completed: u64,
    pub unfinished: u64,
    pub errors: u64,
    /// Whether the generator sent its whole schedule.
    pub sent_all: bool,
    pub first_error: Option<String>,
    pub mean_ms: Option<f64>,
    pub p50_ms: Option<f64>,
    pub p90_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub p999_ms: Option<f64>,
    /// How late the generator itself sent, 99th percentile.
    pub generator_late_p99_us: Option<f64>,
    /// CPU time of the server's processes over the cell, per second and per request.
    pub server_cores_used: f64,
    pub server_cpu_us_per_request: Option<f64>,
    pub worker_rss_mib: f64,
    pub worker_threads: f64,
    pub applied_wait_p50_us: Option<f64>,
    /// Share of the machine's CPU time processes outside the lab took.
    pub foreign_cpu_share: Option<f64>,
    pub loadavg_1m: f64,
}

impl ServiceCell {
    /// Whether the server kept up: the whole schedule sent, 90% of the rate
    /// achieved, and every request answered but those that failed, at most
    /// 1% of them, each on a connection the server had closed (uvicorn
    /// closes one idle for 5 s; a generator that reused it lost that
    /// request, which says nothing of the server's pace).
    pub fn steady(&self) -> bool {
        let closed = |e: &str| e.contains("closed the connection") || e.contains("reset by peer");
        self.sent_all
            && self.achieved_per_s >= 0.9 * self.offered_per_s
            && self.unfinished == self.errors
            && self.errors as f64 <= 0.01 * self.measured as f64
            && self.first_error.as_deref().is_none_or(closed)
    }
}

/// A whole service report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceReport {
    pub kind: String,
    pub date: String,
    pub quick: bool,
    pub machine: serde_json::Map<String, serde_json::Value>,
    pub versions: serde_json::Map<String, serde_json::Value>,
    pub server: String,
    pub seed: u64,
    pub quiet_limit: f64,
    pub probe_connections: u32,
    pub cells: Vec<ServiceCell>,
    #[serde(default)]
    pub refused: Vec<serde_json::Value>,
}

impl ServiceReport {
    /// The cells of one configuration, by increasing rate.
    pub fn series(&self, pattern: &str, workers: u32, io_wait_ms: f64, handler_cpu_ms: f64) -> Vec<&ServiceCell> {
        let mut out: Vec<&ServiceCell> = self
            .cells
            .iter()
            .filter(|c| c.pattern == pattern && c.workers == workers && c.io_wait_ms == io_wait_ms && c.handler_cpu_ms == handler_cpu_ms)
            .collect();
        out.sort_by(|a, b| a.offered_per_s.total_cmp(&b.offered_per_s));
        out
    }

    /// The cell an endpoint's costs are read from: the highest rate up to
    /// 95% of its capacity that it kept up with (busy, not yet queueing).
    pub fn costs_cell(&self, pattern: &str, workers: u32, io_wait_ms: f64, handler_cpu_ms: f64) -> Option<&ServiceCell> {
        self.series(pattern, workers, io_wait_ms, handler_cpu_ms).into_iter().rfind(|c| c.steady() && c.fraction <= 0.95)
    }

    /// What the web server alone costs a worker: the CPU per request and the
    /// resident memory of the one worker serving the endpoint that calls
    /// nothing, with no handler work, at its costs cell.
    pub fn server_cost(&self) -> Option<(f64, f64)> {
        let c = self.costs_cell("none", 1, 0.0, 0.0)?;
        Some((c.server_cpu_us_per_request?, c.worker_rss_mib))
    }

    /// A package's version as the lab recorded it.
    pub fn version(&self, package: &str) -> Option<&str> {
        self.versions.get(package).and_then(|v| v.as_str())
    }
}

/// Parse a report, naming the field that is wrong.
pub fn parse(name: &str, text: &str) -> Result<ServiceReport, String> {
    let de = &mut serde_json::Deserializer::from_str(text);
    let r: ServiceReport = serde_path_to_error::deserialize(de).map_err(|e| format!("{name}: {} at {}", e.inner(), e.path()))?;
    if r.kind != "service" {
        return Err(format!("{name}: kind is {:?}, expected \"service\"", r.kind));
    }
    Ok(r)
}

/// What a report must show to be filed: cells measured, each on a quiet
/// machine, each answering, the stub's wait applied, and no kept-up median
/// under the injected wait.
pub fn check(r: &ServiceReport) -> Vec<String> {
    let mut problems = Vec::new();
    if r.cells.is_empty() {
        problems.push("no cells measured".into());
    }
    for c in &r.cells {
        let at = format!("{} ×{} at {} ms wait, {} ms work, {:.0}/s", c.pattern, c.workers, c.io_wait_ms, c.handler_cpu_ms, c.offered_per_s);
        if c.completed == 0 {
            problems.push(format!("{at}: nothing answered"));
        }
        match c.foreign_cpu_share {
            Some(f) if f <= r.quiet_limit => {}
            other => problems.push(format!("{at}: other processes took {other:?} of the CPU (limit {})", r.quiet_limit)),
        }
        if c.io_wait_ms > 0.0 && !c.applied_wait_p50_us.is_some_and(|w| w + 1.0 >= c.io_wait_ms * 1e3) {
            problems.push(format!("{at}: the stub applied {:?} µs for {} µs asked", c.applied_wait_p50_us, c.io_wait_ms * 1e3));
        }
        if c.steady() && c.p50_ms.is_some_and(|p| p < c.io_wait_ms + c.handler_cpu_ms) {
            problems.push(format!("{at}: a median of {:?} ms is below the wait plus the handler's work", c.p50_ms));
        }
    }
    problems
}
