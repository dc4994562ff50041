//! Each aerospike-py client against the official client in the same mode, operation by operation.

use serde::Serialize;

use crate::{Client, Report, OPERATIONS};

/// aerospike-py's figure over the official one for one operation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Speedup {
    pub client: Client,
    pub baseline: Client,
    pub op: &'static str,
    /// ops/s ÷ baseline ops/s (> 1: aerospike-py completes more).
    pub throughput: Option<f64>,
    /// baseline mean ÷ mean latency (> 1: aerospike-py is quicker).
    pub latency: Option<f64>,
}

fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if a > 0.0 && b > 0.0 && a.is_finite() && b.is_finite() => Some(a / b),
        _ => None,
    }
}

/// Sync against sync, async against async; an operation missing on either side gives `None`s.
pub fn speedups(r: &Report) -> Vec<Speedup> {
    let mut out = Vec::new();
    for client in [Client::AerospikePySync, Client::AerospikePyAsync] {
        let baseline = client.baseline();
        let (Some(mine), Some(theirs)) = (r.client(client), r.client(baseline)) else { continue };
        for op in OPERATIONS {
            let (a, b) = (mine.get(op), theirs.get(op));
            if a.is_none() && b.is_none() {
                continue;
            }
            out.push(Speedup {
                client,
                baseline,
                op,
                throughput: ratio(a.and_then(|s| s.ops_per_sec), b.and_then(|s| s.ops_per_sec)),
                latency: ratio(b.and_then(|s| s.avg_ms), a.and_then(|s| s.avg_ms)),
            });
        }
    }
    out
}
