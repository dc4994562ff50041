//! The clients' costs from the measurement lab's numbers: GIL time from the async peaks, the rest from one-caller latencies.

use serde::Serialize;

use crate::Params;

/// What the lab measured with no injected wait (gets per second).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LabPoints {
    /// The official client called directly by one caller.
    pub official_sync_1: f64,
    /// The official client through run_in_executor: the highest throughput
    /// anywhere on the grid (any pool, any wait).
    pub official_executor_peak: f64,
    /// aerospike-py's AsyncClient, one caller.
    pub asp_async_1: f64,
    /// aerospike-py's AsyncClient: the highest throughput anywhere on the grid.
    pub asp_async_peak: f64,
}

/// The per-client parameters those numbers imply, and the stub's round trip.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ClientCosts {
    pub official_gil_us: f64,
    pub asp_gil_us: f64,
    pub asp_nogil_us: f64,
    /// The stub's own round trip on loopback, µs.
    pub stub_rtt_us: f64,
}

/// Derive the client costs. At the peak the GIL is the bottleneck, so one
/// second over the peak is the GIL time of one request; subtracting the
/// machinery the model already counts (`run_in_executor`'s own cost, the
/// loop's resume) leaves the client's. A one-caller sync get is then the
/// official client's GIL and GIL-free CPU plus the stub's round trip, which
/// gives the round trip; a one-caller aerospike-py get adds two thread
/// wake-ups and a resume, which leaves aerospike-py's GIL-free CPU.
/// `executor_noop_us` is `run_in_executor`'s measured cost per call.
pub fn client_costs(m: &LabPoints, p: &Params, executor_noop_us: f64) -> ClientCosts {
    let official_gil_us = 1e6 / m.official_executor_peak - executor_noop_us;
    let asp_gil_us = 1e6 / m.asp_async_peak - p.loop_resume_us;
    let stub_rtt_us = stub_rtt_us(m.official_sync_1, official_gil_us, p);
    let asp_nogil_us = 1e6 / m.asp_async_1 - asp_gil_us - 2.0 * p.thread_wake_us - p.loop_resume_us - stub_rtt_us;
    ClientCosts { official_gil_us, asp_gil_us, asp_nogil_us, stub_rtt_us }
}

/// The stub's round trip: a one-caller official sync get (gets/s) minus the
/// official client's GIL-held and GIL-free CPU, µs (never below zero).
pub fn stub_rtt_us(official_sync_1: f64, official_gil_us: f64, p: &Params) -> f64 {
    (1e6 / official_sync_1 - official_gil_us - p.official_nogil_us).max(0.0)
}
