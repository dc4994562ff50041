//! Memory model: resident (what a container limit counts) and reserved address space, from threads and requests.

use serde::Serialize;

use crate::{Params, Pattern, Scenario};

/// Threads a pattern runs, split by who created them (their stacks differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Threads {
    /// Threads created by Python (caller, loop, executor workers, background).
    pub python: u32,
    /// Threads created by Tokio's runtime: its workers and its blocking pool.
    pub tokio: u32,
    /// Threads the official C client starts for itself.
    pub native: u32,
}

impl Threads {
    pub fn total(&self) -> u32 {
        self.python + self.tokio + self.native
    }
}

/// Threads of a pattern in steady state with `in_flight` requests at once
/// (the callers of a closed loop, λ·R of an open one). The executor creates
/// workers lazily, so it never has more than it had requests to run at once;
/// so does anyio for a plain def endpoint.
/// aerospike-py's futures are finished on Tokio's blocking pool (one task
/// per request, to take the GIL and deliver the result); an idle blocking
/// thread lives on for 10 s, so the pool keeps up to one thread per request
/// in flight, up to its limit.
// ANCHOR: threads
pub(crate) fn threads_at(pattern: Pattern, p: &Params, s: &Scenario, in_flight: u32) -> Threads {
    let bg = s.background_threads;
    let official = p.official_client_threads.round() as u32;
    match pattern {
        Pattern::Sync => Threads { python: 1 + bg, tokio: 0, native: official },
        Pattern::SyncThreads => Threads { python: in_flight + bg, tokio: 0, native: official },
        Pattern::Executor | Pattern::Threadpool => Threads { python: 1 + s.pool_for(pattern).min(in_flight.max(1)) + bg, tokio: 0, native: official },
        // Work it offloads runs on the executor's pool, created as it is needed.
        Pattern::Tokio => Threads {
            python: 1 + s.pool_for(pattern).min(in_flight.max(1)) + bg,
            tokio: s.tokio_worker_count() + in_flight.max(1).min(p.tokio_max_blocking.round() as u32),
            native: 0,
        },
    }
}
// ANCHOR_END: threads

/// The threads at the scenario's concurrency.
pub fn threads(pattern: Pattern, p: &Params, s: &Scenario) -> Threads {
    threads_at(pattern, p, s, s.concurrency)
}

/// Resident memory the pattern's client module and connected client add, MiB.
pub(crate) fn client_rss_mib(pattern: Pattern, p: &Params) -> f64 {
    match pattern {
        Pattern::Tokio => p.asp_rss_mib,
        _ => p.official_rss_mib,
    }
}

/// Memory of a pattern, MiB.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Memory {
    /// Resident set: base + threads × resident per thread + callers × per-request state.
    pub resident: f64,
    /// Address space reserved: base + stacks reserved + per-request state.
    pub reserved: f64,
    /// Whether the resident set exceeds the scenario's pod limit.
    pub exceeds_pod_limit: bool,
}

/// Each caller owns one request at all times (in flight or queued), so the
/// per-request state scales with concurrency, not with throughput.
// ANCHOR: memory
pub fn memory(pattern: Pattern, p: &Params, s: &Scenario) -> Memory {
    memory_at(pattern, p, s, s.concurrency)
}

/// The same with `in_flight` requests at once.
pub(crate) fn memory_at(pattern: Pattern, p: &Params, s: &Scenario, in_flight: u32) -> Memory {
    let th = threads_at(pattern, p, s, in_flight);
    let per_request = match pattern {
        // A plain def endpoint's request is handed to its thread as the executor's is.
        Pattern::Executor | Pattern::Threadpool => p.executor_request_kib,
        Pattern::Tokio => p.asp_request_kib,
        Pattern::Sync | Pattern::SyncThreads => p.request_kib,
    };
    let requests = in_flight as f64 * per_request / 1024.0;
    let server = if s.web_server { p.http_server_rss_mib } else { 0.0 };
    let base = p.base_rss_mib + client_rss_mib(pattern, p) + server;
    // Tokio's blocking-pool threads each touch more than an idle thread.
    let blocking = th.tokio.saturating_sub(s.tokio_worker_count());
    let resident = base + (th.total() - blocking) as f64 * p.thread_rss_kib / 1024.0 + blocking as f64 * p.tokio_thread_rss_kib / 1024.0 + requests;
    let reserved = base + (th.python + th.native) as f64 * p.thread_stack_mib + th.tokio as f64 * p.tokio_stack_mib + requests;
    Memory { resident, reserved, exceeds_pod_limit: resident > s.pod_limit_mib }
}
// ANCHOR_END: memory

/// The lowest concurrency at which a pattern's resident memory exceeds the
/// pod limit, searched up to `n_max`; `None` if it never does.
pub fn concurrency_exceeding_limit(pattern: Pattern, p: &Params, s: &Scenario, n_max: u32) -> Option<u32> {
    let over = |n: u32| memory(pattern, p, &Scenario { concurrency: n, ..*s }).exceeds_pod_limit;
    if !over(n_max) {
        return None;
    }
    // Memory grows monotonically with concurrency: bisect.
    let (mut lo, mut hi) = (0u32, n_max);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if over(mid.max(1)) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Some(hi.max(1))
}
