//! The slider extremes a reader can reach and each simulating figure's complete computation: the workload of the worst-case benchmark.
//!
//! A reader reaches every value of [`perfmodel::scenario::range`], by slider
//! or by link (a link is clamped, not refused). The work of a simulation
//! grows with its inputs, so its worst case sits at a corner of that box:
//! [`corners`] lists every combination of the extreme values of the inputs
//! a figure reads, and [`FIGURES`] names what each figure computes after a
//! slider move, to completion. `cargo xtask bench` times every figure at
//! every corner natively and in Chromium; the simulator's own event count is
//! returned so the work itself (not only its time) can be checked.

use perfmodel::scenario::range;
use perfmodel::{ModelError, Params, Pattern, Scenario};

use crate::stages::complete;

/// Which scenario inputs a figure reads (the others keep their defaults,
/// so corners that differ only in an unread input are computed once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reads {
    pub io_wait: bool,
    pub concurrency: bool,
}

/// One figure whose computation runs the simulator.
#[derive(Debug, Clone, Copy)]
pub struct Figure {
    /// Stable name, used by the benchmark's output.
    pub name: &'static str,
    /// Widget and page it appears on.
    pub widget: &'static str,
    pub reads: Reads,
    /// The complete computation after one slider move; returns the
    /// simulator's events processed (summed over every run it made).
    pub run: fn(&Params, &Scenario) -> Result<u64, ModelError>,
}

const ALL: Reads = Reads { io_wait: true, concurrency: true };

/// Every figure that simulates, in the order of the book.
pub const FIGURES: [Figure; 15] = [
    Figure { name: "throughput percentiles", widget: "throughput-scaling", reads: ALL, run: throughput_percentiles },
    Figure { name: "request flow (sync)", widget: "request-flow", reads: ALL, run: |p, s| flow(p, s, Pattern::Sync) },
    Figure { name: "request flow (executor)", widget: "request-flow", reads: ALL, run: |p, s| flow(p, s, Pattern::Executor) },
    Figure { name: "request flow (tokio)", widget: "request-flow", reads: ALL, run: |p, s| flow(p, s, Pattern::Tokio) },
    Figure { name: "GIL timeline", widget: "gil-timeline", reads: ALL, run: gil_timeline },
    Figure { name: "burst of 10,000", widget: "concurrent-handling", reads: Reads { io_wait: true, concurrency: false }, run: burst },
    Figure { name: "p99 curve", widget: "latency-scaling, gil-contention", reads: Reads { io_wait: true, concurrency: false }, run: p99_curve },
    Figure { name: "p99 heatmap", widget: "conditions-heatmap", reads: Reads { io_wait: false, concurrency: false }, run: p99_map },
    Figure { name: "cards", widget: "io-concurrency", reads: ALL, run: cards },
    Figure { name: "pool size", widget: "pool-size", reads: ALL, run: pool_size },
    Figure { name: "your service", widget: "your-service", reads: ALL, run: your_service },
    Figure { name: "your service (a rate)", widget: "your-service", reads: Reads { io_wait: true, concurrency: false }, run: your_service_rate },
    Figure { name: "your service (the most within the target)", widget: "your-service", reads: ALL, run: your_service_most },
    Figure { name: "open load", widget: "open-load", reads: Reads { io_wait: true, concurrency: false }, run: open_load },
    Figure { name: "batches (5,000 keys, 128 nodes)", widget: "batch-scaling", reads: ALL, run: batches },
];

/// Every combination of the extreme values of the inputs `reads` names plus
/// pool, cores, loop work and background threads, on every machine profile:
/// at most 2⁶ × 2 = 128.
pub fn corners(reads: Reads) -> Vec<Scenario> {
    let ends = |r: (f64, f64)| [r.0, r.1];
    let d = Scenario::default();
    let io: Vec<f64> = if reads.io_wait { ends(range::IO_WAIT_MS).to_vec() } else { vec![d.io_wait_ms] };
    let ns: Vec<f64> = if reads.concurrency { ends(range::CONCURRENCY).to_vec() } else { vec![d.concurrency as f64] };
    let mut out = Vec::new();
    for &io_wait_ms in &io {
        for &n in &ns {
            for pool in ends(range::POOL) {
                for cores in ends(range::CORES) {
                    for app_cpu_ms in ends(range::APP_CPU_MS) {
                        for bg in ends(range::BACKGROUND_THREADS) {
                            for profile in perfmodel::machine::PROFILES {
                                out.push(Scenario {
                                    io_wait_ms,
                                    concurrency: n as u32,
                                    pool: Some(pool as u32),
                                    cores,
                                    app_cpu_ms,
                                    background_threads: bg as u32,
                                    machine: profile.machine,
                                    ..d
                                });
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

/// A short label of a corner, for the benchmark's table.
pub fn label(s: &Scenario) -> String {
    format!(
        "io={} n={} pool={} cores={} cpu={} bg={} machine={}",
        s.io_wait_ms,
        s.concurrency,
        s.pool_size(),
        s.cores,
        s.app_cpu_ms,
        s.background_threads,
        s.machine.profile().key
    )
}

fn throughput_percentiles(p: &Params, s: &Scenario) -> Result<u64, ModelError> {
    Pattern::COMPARED.iter().map(|&pattern| crate::throughput::percentile_run(p, s, pattern).map(|r| r.events)).sum()
}

fn flow(p: &Params, s: &Scenario, pattern: Pattern) -> Result<u64, ModelError> {
    Ok(crate::flow::flow_data(p, s, pattern)?.events)
}

fn gil_timeline(p: &Params, s: &Scenario) -> Result<u64, ModelError> {
    Ok(crate::gil::gil_timeline_data(p, s)?.events)
}

fn burst(p: &Params, s: &Scenario) -> Result<u64, ModelError> {
    Ok(crate::burst::burst_data(p, s, crate::burst::K_MAX)?.events)
}

fn p99_curve(p: &Params, s: &Scenario) -> Result<u64, ModelError> {
    Ok(complete::<crate::latency::LatencyData>(p, s)?.p99.iter().map(|q| q.events).sum())
}

fn p99_map(p: &Params, s: &Scenario) -> Result<u64, ModelError> {
    let input = crate::conditions::ConditionsInput { scenario: *s, metric: crate::conditions::Metric::P99 };
    Ok(complete::<crate::conditions::ConditionsData>(p, &input)?.cells.iter().map(|c| c.events).sum())
}

fn cards(p: &Params, s: &Scenario) -> Result<u64, ModelError> {
    let mut events = 0;
    for pattern in Pattern::COMPARED {
        events += crate::cards::simulate_card(p, s, pattern)?.events;
    }
    Ok(events)
}

fn pool_size(p: &Params, s: &Scenario) -> Result<u64, ModelError> {
    Ok(complete::<crate::pools::PoolsData>(p, s)?.events)
}

/// The service page at the corner: its requests in flight as the load, every
/// pattern and every pool size simulated.
fn your_service(p: &Params, s: &Scenario) -> Result<u64, ModelError> {
    service_at(p, s, crate::service::Load::InFlight(s.concurrency), crate::service::Objective::Target)
}

/// The service page asked for the most requests/s within the target: every
/// pattern at the load and each ladder's rungs, up to 95% of a capacity.
fn your_service_most(p: &Params, s: &Scenario) -> Result<u64, ModelError> {
    service_at(p, s, crate::service::Load::InFlight(s.concurrency), crate::service::Objective::Most)
}

/// The service page with a rate just under aerospike-py's capacity at the
/// corner: the pattern that keeps up with the highest rate runs the longest
/// open-load simulation (its arrivals per second set its length).
fn your_service_rate(p: &Params, s: &Scenario) -> Result<u64, ModelError> {
    let (cap, _) = perfmodel::open::capacity(Pattern::Tokio, p, s);
    service_at(p, s, crate::service::Load::Rate((0.95 * cap).clamp(1.0, crate::service::limits::RATE.1)), crate::service::Objective::Target)
}

/// The open-load figure at the corner with the largest rate and timeout a
/// reader can set (the timeout sets the goodput runs' warm-up).
fn open_load(p: &Params, s: &Scenario) -> Result<u64, ModelError> {
    use perfmodel::scenario::range;
    let input = crate::open_load::OpenInput { scenario: *s, rate: range::ARRIVAL_RATE.1, timeout_ms: range::TIMEOUT_MS.1 };
    Ok(complete::<crate::open_load::OpenData>(p, &input)?.events)
}

fn service_at(p: &Params, s: &Scenario, load: crate::service::Load, objective: crate::service::Objective) -> Result<u64, ModelError> {
    use crate::service::{Service, ServiceData};
    let svc = Service {
        rtt_ms: s.io_wait_ms,
        server_ms: 0.0,
        load,
        cores: s.cores,
        workers: s.workers,
        node_cpus: s.node_cpu_count(),
        pool: s.pool,
        python_ms: s.app_cpu_ms,
        offload_ms: s.offload_cpu_ms,
        offload_gil_share: s.offload_gil_share,
        // Behind a web server, as the page starts: a plain def endpoint's run too.
        web_server: true,
        official: Pattern::Executor,
        background_threads: s.background_threads,
        pod_limit_mib: s.pod_limit_mib,
        target_p99_ms: 1.0,
        objective,
        python: s.python,
        machine: s.machine,
        calls: s.calls,
    };
    let d = complete::<ServiceData>(p, &svc)?;
    Ok(d.patterns.iter().chain(&d.pools).filter_map(|o| o.sim).chain(d.most.iter().filter_map(|r| r.sim)).map(|a| a.events).sum())
}

/// The batch figure at its largest batch and cluster: 5,000 keys over 128
/// nodes (the ladder's p99s reach 5,000 keys whatever the scenario's batch).
fn batches(p: &Params, s: &Scenario) -> Result<u64, ModelError> {
    let b = perfmodel::batch::Batch { keys: 5_000, nodes: 128, ..perfmodel::batch::Batch::START };
    let s = Scenario { calls: perfmodel::batch::Calls { gets: 0, batch: Some(b), batches: 1, gather: false }, ..*s };
    Ok(complete::<crate::batch::BatchData>(p, &s)?.events)
}
