//! Memory model: resident (what a container limit counts) and reserved address space, from threads and requests.

use serde::Serialize;

use crate::{Params, Pattern, Scenario};

/// Threads a pattern runs, split by who created them (their stacks differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Threads {
    /// Threads created by Python (caller, loop, executor workers, background).
    pub python: u32,
    /// Threads created by Tokio's runtime.
    pub tokio: u32,
}

impl Threads {
    pub fn total(&self) -> u32 {
        self.python + self.tokio
    }
}

/// Threads of a pattern in steady state at the scenario's concurrency.
/// The executor creates workers lazily, so it never has more than it had
/// requests to run at once.
// ANCHOR: threads
pub fn threads(pattern: Pattern, s: &Scenario) -> Threads {
    let bg = s.background_threads;
    match pattern {
        Pattern::Sync => Threads { python: 1 + bg, tokio: 0 },
        Pattern::SyncThreads => Threads { python: s.concurrency + bg, tokio: 0 },
        Pattern::Executor => Threads { python: 1 + s.pool_size().min(s.concurrency) + bg, tokio: 0 },
        Pattern::Tokio => Threads { python: 1 + bg, tokio: s.tokio_worker_count() },
    }
}
// ANCHOR_END: threads

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
    let th = threads(pattern, s);
    let requests = s.concurrency as f64 * p.request_kib / 1024.0;
    let resident = p.base_rss_mib + th.total() as f64 * p.thread_rss_kib / 1024.0 + requests;
    let reserved = p.base_rss_mib
        + th.python as f64 * p.thread_stack_mib
        + th.tokio as f64 * p.tokio_stack_mib
        + requests;
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
