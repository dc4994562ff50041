//! What a run measures: latencies, the GIL's busy time and waits, queue lengths, the thread-state trace, the burst log; the result they make.

use hdrhistogram::Histogram;

use super::state::{role_index, Sim, ThreadId};
use super::{OpenRun, Percentiles, Segment, SimResult, ThreadState, MAX_TRACE_SEGMENTS};
use crate::pattern::{Pattern, Role};
use crate::Scenario;

/// The measurements of the window after the warm-up.
#[derive(Debug)]
pub(super) struct Measure {
    /// Completed requests (counted from zero again when measuring starts).
    pub(super) completed: u64,
    pub(super) measuring: bool,
    /// When measuring started.
    pub(super) t_start: f64,
    /// Latencies in tenths of a µs.
    pub(super) hist: Histogram<u64>,
    pub(super) lat_sum: f64,
    /// GIL-held time by request threads and by background threads, and since when the holder is counted.
    pub(super) gil_busy_req: f64,
    pub(super) gil_busy_bg: f64,
    pub(super) gil_since: f64,
    pub(super) gil_wait_sum: f64,
    /// Requests queued × time, and since when.
    pub(super) queued_area: f64,
    pub(super) queued_since: f64,
    pub(super) trace: Vec<Segment>,
    pub(super) trace_end: f64,
    pub(super) burst_log: Vec<(f64, f64)>,
}

impl Default for Measure {
    fn default() -> Self {
        Measure {
            completed: 0,
            measuring: false,
            t_start: 0.0,
            hist: Histogram::new(3).expect("3 significant figures is a valid histogram precision"),
            lat_sum: 0.0,
            gil_busy_req: 0.0,
            gil_busy_bg: 0.0,
            gil_since: 0.0,
            gil_wait_sum: 0.0,
            queued_area: 0.0,
            queued_since: 0.0,
            trace: Vec::new(),
            trace_end: 0.0,
            burst_log: Vec::new(),
        }
    }
}

impl Sim<'_> {
    pub(super) fn set_state(&mut self, t: ThreadId, st: Option<ThreadState>) {
        let now = self.now;
        let th = &mut self.threads[t.idx()];
        if th.state == st {
            return;
        }
        if let Some(old) = th.state {
            if self.m.measuring && th.since < self.m.trace_end && now > self.m.t_start && self.m.trace.len() < MAX_TRACE_SEGMENTS {
                let a = th.since.max(self.m.t_start);
                let b = now.min(self.m.trace_end);
                if b > a {
                    self.m.trace.push(Segment { thread: t.0, state: old, start_ms: (a - self.m.t_start) / 1e3, end_ms: (b - self.m.t_start) / 1e3 });
                }
            }
        }
        th.state = st;
        th.since = now;
    }

    pub(super) fn account_gil(&mut self) {
        if let Some(h) = self.gil {
            if self.m.measuring {
                let dt = self.now - self.m.gil_since.max(self.m.t_start);
                if dt > 0.0 {
                    if self.threads[h.idx()].role.is_some() {
                        self.m.gil_busy_req += dt;
                    } else {
                        self.m.gil_busy_bg += dt;
                    }
                }
            }
        }
        self.m.gil_since = self.now;
    }

    /// Requests waiting for a thread before they can start: behind the
    /// blocked caller thread (sync) or in the executor's work queue. The
    /// loop's and Tokio's run queues are not counted: work there is running.
    pub(super) fn queued_now(&self) -> usize {
        self.pools[role_index(Role::Caller)].queue.len() + self.pools[role_index(Role::Worker)].queue.len()
    }

    pub(super) fn account_queue(&mut self) {
        if self.m.measuring {
            let dt = self.now - self.m.queued_since.max(self.m.t_start);
            if dt > 0.0 {
                self.m.queued_area += dt * self.queued_now() as f64;
            }
        }
        self.m.queued_since = self.now;
    }

    pub(super) fn start_measuring(&mut self) {
        self.m.measuring = true;
        self.m.t_start = self.now;
        self.m.trace_end = self.now + self.cfg.trace_ms * 1e3;
        self.m.gil_since = self.now;
        self.m.queued_since = self.now;
        self.m.completed = 0;
        for th in &mut self.threads {
            th.since = self.now;
        }
    }

    pub(super) fn result(&self, pattern: Pattern, s: &Scenario) -> SimResult {
        let end = self.open.as_ref().filter(|o| o.window_closed).map_or(self.now, |o| o.window_end);
        let window = (end - self.m.t_start).max(f64::MIN_POSITIVE);
        let ms = |v: u64| v as f64 / 1e4;
        let n = self.m.completed.max(1) as f64;
        let queued = self.m.queued_area / window;
        let open = self.open.as_ref().map(|o| {
            let per_s = |k: f64| k / window * 1e6;
            let measured = self.cfg.requests.max(1) as f64;
            OpenRun {
                arrival_rate: per_s(self.cfg.requests.saturating_sub(1) as f64),
                backlog_growth_per_s: per_s(o.backlog_end as f64 - o.backlog_start as f64),
                backlog_end: o.backlog_end,
                goodput: o.deadline_us.map(|_| per_s(o.good as f64)),
                timed_out: o.deadline_us.map(|_| o.late as f64 / measured),
                abandoned: o.deadline_us.map(|_| o.abandoned as f64 / measured),
            }
        });
        let throughput = match &self.open {
            Some(o) => o.window_done as f64 / window * 1e6,
            None => self.m.completed as f64 / window * 1e6,
        };
        let mean_ms = self.m.lat_sum / n / 1e3;
        // Closed: the callers not queued are in flight. Open: Little's law
        // gives the requests in the process, less the queued ones.
        let in_flight = if self.open.is_some() { throughput * mean_ms / 1e3 - queued } else { s.concurrency as f64 - queued };
        SimResult {
            pattern,
            concurrency: s.concurrency,
            completed: self.m.completed,
            throughput,
            latency_ms: Percentiles {
                mean: mean_ms,
                p50: ms(self.m.hist.value_at_quantile(0.5)),
                p95: ms(self.m.hist.value_at_quantile(0.95)),
                p99: ms(self.m.hist.value_at_quantile(0.99)),
                p999: ms(self.m.hist.value_at_quantile(0.999)),
                max: ms(self.m.hist.max()),
            },
            gil_utilization: (self.m.gil_busy_req / window).min(1.0),
            gil_background: (self.m.gil_busy_bg / window).min(1.0),
            gil_wait_ms: self.m.gil_wait_sum / n / 1e3,
            in_flight: in_flight.max(0.0),
            queued,
            threads: self.threads.len() as u32,
            lanes: self.lanes.clone(),
            trace: self.m.trace.clone(),
            window_ms: window / 1e3,
            burst: self.m.burst_log.clone(),
            journey: self.follow.journey.clone(),
            events: self.events,
            skipped_handoffs: self.skipped_handoffs,
            open,
        }
    }
}
