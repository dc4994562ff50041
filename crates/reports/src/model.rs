//! The sections of a report as types. Every number may be null; older key names are accepted as aliases.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The four client sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Client {
    AerospikePySync,
    OfficialSync,
    AerospikePyAsync,
    OfficialAsync,
}

impl Client {
    pub const ALL: [Client; 4] = [Client::AerospikePySync, Client::OfficialSync, Client::AerospikePyAsync, Client::OfficialAsync];

    pub fn key(self) -> &'static str {
        match self {
            Client::AerospikePySync => "aerospike_py_sync",
            Client::OfficialSync => "official_sync",
            Client::AerospikePyAsync => "aerospike_py_async",
            Client::OfficialAsync => "official_async",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Client::AerospikePySync => "aerospike-py sync",
            Client::OfficialSync => "official sync",
            Client::AerospikePyAsync => "aerospike-py async",
            Client::OfficialAsync => "official async",
        }
    }
    pub fn is_async(self) -> bool {
        matches!(self, Client::AerospikePyAsync | Client::OfficialAsync)
    }
    pub fn is_official(self) -> bool {
        matches!(self, Client::OfficialSync | Client::OfficialAsync)
    }
    /// The official client in the same mode (sync against sync, async against async).
    pub fn baseline(self) -> Client {
        if self.is_async() {
            Client::OfficialAsync
        } else {
            Client::OfficialSync
        }
    }
}

/// Operations in display order.
pub const OPERATIONS: [&str; 9] = ["put", "get", "operate", "remove", "batch_read", "batch_read_numpy", "batch_write", "batch_write_numpy", "query"];

/// Timings of one operation. Async sections put per-request percentiles under `per_op`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    #[serde(default)]
    pub avg_ms: Option<f64>,
    #[serde(default)]
    pub p50_ms: Option<f64>,
    #[serde(default)]
    pub p99_ms: Option<f64>,
    #[serde(default)]
    pub ops_per_sec: Option<f64>,
    #[serde(default)]
    pub per_op: Option<PerOp>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct PerOp {
    #[serde(default)]
    pub avg_ms: Option<f64>,
    #[serde(default)]
    pub p50_ms: Option<f64>,
    #[serde(default)]
    pub p99_ms: Option<f64>,
    #[serde(default)]
    pub ops_per_sec: Option<f64>,
}

impl Stats {
    /// The median a caller sees: `p50_ms`, or the per-request one of an async run.
    pub fn p50(&self) -> Option<f64> {
        self.p50_ms.or(self.per_op.and_then(|p| p.p50_ms))
    }
    pub fn p99(&self) -> Option<f64> {
        self.p99_ms.or(self.per_op.and_then(|p| p.p99_ms))
    }
}

/// A client's operations, with the old `scan` read as `query`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "BTreeMap<String, Option<Stats>>")]
pub struct Operations(pub BTreeMap<String, Stats>);

impl From<BTreeMap<String, Option<Stats>>> for Operations {
    fn from(m: BTreeMap<String, Option<Stats>>) -> Self {
        let mut out = BTreeMap::new();
        for (k, v) in m {
            let k = if k == "scan" { "query".to_string() } else { k };
            if let Some(v) = v {
                out.entry(k).or_insert(v);
            }
        }
        Operations(out)
    }
}

impl Operations {
    pub fn get(&self, op: &str) -> Option<&Stats> {
        self.0.get(op)
    }
}

/// Where and how the run was made. Known fields typed; the rest kept for badges.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Environment {
    #[serde(default)]
    pub platform: Option<String>,
    #[serde(default)]
    pub python_version: Option<String>,
    #[serde(default)]
    pub count: Option<u64>,
    #[serde(default)]
    pub rounds: Option<u64>,
    #[serde(default)]
    pub warmup: Option<u64>,
    #[serde(default)]
    pub concurrency: Option<u64>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl Environment {
    /// The machine's CPU count, as the lab's harness records it.
    pub fn cpu_count(&self) -> Option<u32> {
        self.other.get("cpu_count").and_then(lab_count)
    }

    /// CPUs the client process was pinned to (a pinned lab run), if recorded.
    pub fn client_cpus(&self) -> Option<u32> {
        self.other.get("client_cpus").and_then(lab_count)
    }
}

/// A count the lab's harness records in a report's environment.
pub(crate) fn lab_count(v: &Value) -> Option<u32> {
    v.as_u64().and_then(|c| u32::try_from(c).ok())
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DataSize {
    #[serde(default)]
    pub count: Option<u64>,
    #[serde(default, alias = "has_c")]
    pub has_official: Option<bool>,
    #[serde(default)]
    pub data: Vec<DataSizeRow>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DataSizeRow {
    pub label: String,
    #[serde(default)]
    pub num_bins: Option<u64>,
    #[serde(default)]
    pub value_size: Option<u64>,
    #[serde(default)]
    pub put: Option<Stats>,
    #[serde(default)]
    pub get: Option<Stats>,
    #[serde(default, alias = "c_put")]
    pub official_put: Option<Stats>,
    #[serde(default, alias = "c_get")]
    pub official_get: Option<Stats>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConcurrencyScaling {
    #[serde(default)]
    pub count: Option<u64>,
    #[serde(default)]
    pub data: Vec<ConcurrencyRow>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConcurrencyRow {
    pub concurrency: u64,
    #[serde(default)]
    pub put: Option<Stats>,
    #[serde(default)]
    pub get: Option<Stats>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MemoryProfiling {
    #[serde(default)]
    pub count: Option<u64>,
    #[serde(default, alias = "has_c")]
    pub has_official: Option<bool>,
    #[serde(default)]
    pub data: Vec<MemoryRow>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MemoryRow {
    pub label: String,
    #[serde(default)]
    pub put_peak_kb: Option<f64>,
    #[serde(default)]
    pub get_peak_kb: Option<f64>,
    #[serde(default)]
    pub batch_read_peak_kb: Option<f64>,
    #[serde(default, alias = "c_put_peak_kb")]
    pub official_put_peak_kb: Option<f64>,
    #[serde(default, alias = "c_get_peak_kb")]
    pub official_get_peak_kb: Option<f64>,
    #[serde(default, alias = "c_batch_read_peak_kb")]
    pub official_batch_read_peak_kb: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MixedWorkload {
    #[serde(default)]
    pub concurrency: Option<u64>,
    #[serde(default)]
    pub data: Vec<MixedRow>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Latencies {
    #[serde(default)]
    pub count: Option<u64>,
    #[serde(default)]
    pub avg_ms: Option<f64>,
    #[serde(default)]
    pub p50_ms: Option<f64>,
    #[serde(default)]
    pub p95_ms: Option<f64>,
    #[serde(default)]
    pub p99_ms: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MixedRow {
    pub label: String,
    #[serde(default)]
    pub read_ratio: Option<f64>,
    #[serde(default)]
    pub throughput_ops_sec: Option<f64>,
    #[serde(default)]
    pub read: Option<Latencies>,
    #[serde(default)]
    pub write: Option<Latencies>,
    #[serde(default, alias = "c_throughput_ops_sec")]
    pub official_throughput_ops_sec: Option<f64>,
    #[serde(default, alias = "c_read")]
    pub official_read: Option<Latencies>,
    #[serde(default, alias = "c_write")]
    pub official_write: Option<Latencies>,
}

/// aerospike-py against the official client along one axis
/// (`high_concurrency_scaling`: concurrency; `latency_sim`: injected RTT).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PairScaling {
    #[serde(default)]
    pub concurrency: Option<u64>,
    #[serde(default)]
    pub simulation: Option<bool>,
    #[serde(default)]
    pub data: Vec<PairRow>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PairRow {
    #[serde(default)]
    pub concurrency: Option<u64>,
    #[serde(default)]
    pub rtt_ms: Option<f64>,
    #[serde(default, alias = "rust")]
    pub aerospike_py: Option<Stats>,
    #[serde(default, alias = "c")]
    pub official: Option<Stats>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NumpyBatch {
    #[serde(default)]
    pub record_scaling: Option<NumpyScaling>,
    #[serde(default)]
    pub bin_scaling: Option<NumpyScaling>,
    #[serde(default)]
    pub memory: Option<NumpyMemory>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NumpyScaling {
    #[serde(default)]
    pub data: Vec<NumpyRow>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NumpyRow {
    #[serde(default)]
    pub record_count: Option<u64>,
    #[serde(default)]
    pub bin_count: Option<u64>,
    #[serde(default)]
    pub batch_read_sync: Option<Stats>,
    #[serde(default)]
    pub batch_read_numpy_sync: Option<Stats>,
    #[serde(default)]
    pub batch_read_async: Option<Stats>,
    #[serde(default)]
    pub batch_read_numpy_async: Option<Stats>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NumpyMemory {
    #[serde(default)]
    pub data: Vec<NumpyMemoryRow>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NumpyMemoryRow {
    #[serde(default)]
    pub record_count: Option<u64>,
    #[serde(default)]
    pub dict_peak_kb: Option<f64>,
    #[serde(default)]
    pub numpy_peak_kb: Option<f64>,
    #[serde(default)]
    pub savings_pct: Option<f64>,
}

/// The project's own section (the measurement lab): each client pattern
/// over injected I/O wait × concurrency.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IoWaitGrid {
    #[serde(default)]
    pub data: Vec<GridCell>,
    /// Cells not measured, with the reason.
    #[serde(default)]
    pub skipped: Vec<SkippedCell>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SkippedCell {
    pub pattern: String,
    pub io_wait_ms: f64,
    pub concurrency: u64,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GridCell {
    /// "official_sync", "official_executor", "aerospike_py_sync", "aerospike_py_async", …
    pub pattern: String,
    pub io_wait_ms: f64,
    pub concurrency: u64,
    #[serde(default)]
    pub ops_per_sec: Option<f64>,
    #[serde(default)]
    pub avg_ms: Option<f64>,
    #[serde(default)]
    pub p50_ms: Option<f64>,
    #[serde(default)]
    pub p99_ms: Option<f64>,
    /// Slowest and fastest of the repeated runs, ops/s.
    #[serde(default)]
    pub ops_min: Option<f64>,
    #[serde(default)]
    pub ops_max: Option<f64>,
    #[serde(default)]
    pub rss_mib: Option<f64>,
    #[serde(default)]
    pub threads: Option<u64>,
    #[serde(default)]
    pub cpu_cores: Option<f64>,
    /// The wait the stub actually applied (median, µs).
    #[serde(default)]
    pub applied_wait_p50_us: Option<f64>,
    /// And its 99th percentile, µs.
    #[serde(default)]
    pub applied_wait_p99_us: Option<f64>,
    #[serde(default)]
    pub load_avg: Option<f64>,
    /// The clean lab (interleaved rounds, one fresh process per run): each
    /// round's throughput, ops/s, and the highest load average of any round.
    #[serde(default)]
    pub ops_rounds: Vec<f64>,
    #[serde(default)]
    pub load_avg_max: Option<f64>,
    /// Resident set of the fresh process with its client connected, before any load.
    #[serde(default)]
    pub rss_idle_mib: Option<f64>,
    /// Threads by kernel name at the end of the measurement window.
    #[serde(default)]
    pub threads_by_name: BTreeMap<String, u64>,
    /// CPU time per request by thread role (main, pool, tokio, other), µs.
    #[serde(default)]
    pub cpu_us_per_request: BTreeMap<String, f64>,
    /// GIL-held time per request (py-spy), µs: median over rounds, and the range.
    #[serde(default)]
    pub gil_us_per_request: Option<f64>,
    #[serde(default)]
    pub gil_us_min: Option<f64>,
    #[serde(default)]
    pub gil_us_max: Option<f64>,
    /// Rounds of this cell that failed, with the reason.
    #[serde(default)]
    pub failed_rounds: Vec<String>,
    /// The largest share of the machine's CPU that processes other than the
    /// lab's took during a kept round (absent in reports from before the lab
    /// measured it).
    #[serde(default)]
    pub foreign_cpu_share: Option<f64>,
    /// The shares of the runs set aside as crowded and measured again.
    #[serde(default)]
    pub noisy_runs: Vec<f64>,
}

/// The most of the machine's CPU other processes may take while a filed lab
/// cell runs (the harness's `batch.QUIET`): a run above it is measured again.
pub const QUIET_LIMIT: f64 = 0.10;

/// Cells measured while other processes took more than `limit` of the CPU,
/// or without the share recorded, each said with its place in the grid.
pub fn crowded<'a>(cells: impl IntoIterator<Item = (String, Option<f64>)> + 'a, limit: f64) -> Vec<String> {
    cells
        .into_iter()
        .filter_map(|(at, share)| match share {
            Some(f) if f <= limit => None,
            Some(f) => Some(format!("{at}: other processes took {f:.3} of the CPU (the limit is {limit})")),
            None => Some(format!("{at}: the share of the CPU other processes took is not recorded")),
        })
        .collect()
}

impl GridCell {
    /// Where the cell sits in the grid, for messages.
    pub fn at(&self) -> String {
        format!("{} at {} ms, {} callers", self.pattern, self.io_wait_ms, self.concurrency)
    }

    /// CPU time per request of every thread together, µs.
    pub fn cpu_us_total(&self) -> Option<f64> {
        (!self.cpu_us_per_request.is_empty()).then(|| self.cpu_us_per_request.values().sum())
    }

    /// The wait the stub applied (its median), where the report says, else
    /// the injected one; never below the injected one, ms.
    pub fn applied_wait_ms(&self) -> f64 {
        self.applied_wait_p50_us.filter(|w| *w > 0.0).map(|w| w / 1e3).unwrap_or(self.io_wait_ms).max(self.io_wait_ms)
    }
}
