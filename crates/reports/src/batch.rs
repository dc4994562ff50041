//! The lab's batch grid: `batch_read` of K keys from a stub cluster of M nodes, per client pattern, with what each cell's CPU, GIL and nodes did.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The section `batch_grid`: the measured cells and those refused (never measured quietly, or failing every round).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BatchGrid {
    #[serde(default)]
    pub data: Vec<BatchCell>,
    #[serde(default)]
    pub refused: Vec<RefusedBatchCell>,
}

/// One measured cell.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BatchCell {
    /// The patterns of the io_wait_grid: official_sync, official_executor, official_executor_64, aerospike_py_sync, aerospike_py_async.
    pub pattern: String,
    /// How the official client sends a batch's node requests: "default" (one after another) or "parallel" (`concurrent`).
    pub policy: String,
    pub keys: u64,
    pub nodes: u64,
    pub io_wait_ms: f64,
    pub concurrency: u64,
    /// Share of keys the stub finds (0: none, 1: all).
    pub found_ratio: f64,
    /// Batches per second.
    #[serde(default)]
    pub ops_per_sec: Option<f64>,
    #[serde(default)]
    pub records_per_sec: Option<f64>,
    #[serde(default)]
    pub avg_ms: Option<f64>,
    #[serde(default)]
    pub p50_ms: Option<f64>,
    #[serde(default)]
    pub p99_ms: Option<f64>,
    #[serde(default)]
    pub ops_min: Option<f64>,
    #[serde(default)]
    pub ops_max: Option<f64>,
    #[serde(default)]
    pub rounds: Option<u64>,
    /// CPU time per batch of every thread together, and by thread role, µs.
    #[serde(default)]
    pub cpu_us_per_request: Option<f64>,
    #[serde(default)]
    pub cpu_us_by_role: BTreeMap<String, f64>,
    /// GIL-held time per batch (py-spy), µs.
    #[serde(default)]
    pub gil_us_per_request: Option<f64>,
    #[serde(default)]
    pub threads: Option<u64>,
    #[serde(default)]
    pub threads_by_name: BTreeMap<String, u64>,
    /// Node requests the stub served per batch the client issued (a batch visits the nodes owning its keys).
    #[serde(default)]
    pub node_requests_per_batch: Option<f64>,
    /// Requests each node served over the median round: the proof that the client talked to every node.
    #[serde(default)]
    pub nodes_used: BTreeMap<String, u64>,
    /// CPU time other processes took, as a share of the machine's, the highest over the rounds kept.
    #[serde(default)]
    pub foreign_cpu_share: Option<f64>,
    /// The stub cluster's CPU, as a share of its one CPU.
    #[serde(default)]
    pub stub_cpu_share: Option<f64>,
    #[serde(default)]
    pub load_avg: Option<f64>,
    #[serde(default)]
    pub failed_rounds: Vec<String>,
    /// Foreign CPU shares of the runs measured again for being above the limit.
    #[serde(default)]
    pub noisy_runs: Vec<f64>,
}

/// A cell the lab did not file, and why.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RefusedBatchCell {
    pub pattern: String,
    pub policy: String,
    pub keys: u64,
    pub nodes: u64,
    pub io_wait_ms: f64,
    pub concurrency: u64,
    pub found_ratio: f64,
    #[serde(default)]
    pub reason: String,
}

impl BatchGrid {
    /// What a report's cells must show to be filed: every number readable,
    /// each node of a cell's cluster served requests where its batches reach
    /// every node, and no cell measured above the foreign-CPU limit.
    pub fn problems(&self, quiet_limit: f64) -> Vec<String> {
        let mut out = Vec::new();
        for c in &self.data {
            let at = format!(
                "{} ({}) {} keys, {} nodes, {} ms, {} callers, found {}",
                c.pattern, c.policy, c.keys, c.nodes, c.io_wait_ms, c.concurrency, c.found_ratio
            );
            if !c.ops_per_sec.is_some_and(|x| x > 0.0) {
                out.push(format!("{at}: no throughput"));
            }
            // Keys spread over the nodes: from as many keys as nodes on, every node is reached in a run.
            if c.keys >= c.nodes && (c.nodes_used.len() as u64) < c.nodes {
                out.push(format!("{at}: {} of {} nodes served requests", c.nodes_used.len(), c.nodes));
            }
            if c.keys >= c.nodes && c.nodes_used.values().any(|&n| n == 0) {
                out.push(format!("{at}: a node served no request: {:?}", c.nodes_used));
            }
            if c.foreign_cpu_share.is_some_and(|f| f > quiet_limit) {
                out.push(format!(
                    "{at}: measured while other processes took {:.0}% of the CPU (limit {:.0}%)",
                    100.0 * c.foreign_cpu_share.unwrap_or(0.0),
                    100.0 * quiet_limit
                ));
            }
        }
        out
    }
}
