//! An open load: arrivals on a schedule whatever is in progress, the measured window, timeouts and the requests they abandon.

use super::queue::Ev;
use super::state::{Req, ReqId, Sim, ThreadId};

/// Bookkeeping of an open load.
#[derive(Debug, Default)]
pub(super) struct Open {
    /// Mean time between arrivals, µs.
    pub(super) gap_us: f64,
    /// Bursty arrivals: a two-phase hyperexponential with balanced means,
    /// (probability of the short phase, its mean, the long phase's mean), µs.
    pub(super) bursts: Option<(f64, f64, f64)>,
    /// Timeout, µs, and whether the pattern can abandon a late request.
    pub(super) deadline_us: Option<f64>,
    pub(super) cancels: bool,
    pub(super) arrived: u64,
    /// Request slots free for reuse.
    pub(super) free: Vec<ReqId>,
    pub(super) in_system: u64,
    pub(super) backlog_start: u64,
    pub(super) backlog_end: u64,
    /// Measured arrivals not yet answered or abandoned.
    pub(super) measured_left: u64,
    pub(super) window_end: f64,
    pub(super) window_done: u64,
    pub(super) window_closed: bool,
    pub(super) good: u64,
    pub(super) late: u64,
    pub(super) abandoned: u64,
}

impl Sim<'_> {
    /// An open load's next arrival: a new request, and the one after it
    /// scheduled while the measured ones are not all done.
    pub(super) fn arrive(&mut self) {
        let (warmup, requests) = (self.cfg.warmup, self.cfg.requests);
        let Some(o) = self.open.as_mut() else { return };
        let k = o.arrived;
        o.arrived += 1;
        let measured = k >= warmup && k < warmup + requests;
        let r = match o.free.pop() {
            Some(r) => r,
            None => {
                self.reqs.push(Req::NEW);
                ReqId(self.reqs.len() as u32 - 1)
            }
        };
        if k == warmup {
            self.start_measuring();
            let o = self.open.as_mut().expect("open load");
            o.backlog_start = o.in_system;
        }
        let o = self.open.as_mut().expect("open load");
        o.in_system += 1;
        let more = o.arrived < warmup + 2 * requests && o.measured_left > 0;
        if more {
            let at = self.now + self.gap();
            self.push(at, Ev::Arrive);
        }
        self.issue(r);
        self.reqs[r.idx()].measured = measured;
        if k + 1 == warmup + requests {
            self.close_window();
        }
    }

    /// The last measured arrival: the window's time-based accounting stops here.
    pub(super) fn close_window(&mut self) {
        self.account_gil();
        self.account_queue();
        for t in 0..self.threads.len() as u32 {
            self.set_state(ThreadId(t), None);
        }
        self.m.measuring = false;
        let now = self.now;
        let o = self.open.as_mut().expect("open load");
        o.window_closed = true;
        o.window_end = now;
        o.backlog_end = o.in_system;
    }

    /// Whether request `r`'s caller has given up on it and the pattern can drop it.
    pub(super) fn late(&self, r: ReqId) -> bool {
        self.open.as_ref().is_some_and(|o| o.cancels && o.deadline_us.is_some_and(|d| self.now >= self.reqs[r.idx()].issued + d))
    }

    /// Drop a late request that no thread holds: its caller had a
    /// `TimeoutError` at the deadline.
    pub(super) fn abandon(&mut self, r: ReqId) {
        let req = self.reqs[r.idx()];
        let o = self.open.as_mut().expect("only an open load abandons");
        o.in_system -= 1;
        o.free.push(r);
        if req.measured {
            o.measured_left -= 1;
            o.late += 1;
            o.abandoned += 1;
            let d = o.deadline_us.expect("a late request has a deadline");
            self.m.completed += 1;
            self.m.lat_sum += d;
            let _ = self.m.hist.record(((d * 10.0).round() as u64).max(1));
        }
    }

    /// The first request in role `pi`'s queue whose caller still waits;
    /// late ones are dropped on the way.
    pub(super) fn pop_live(&mut self, pi: usize) -> Option<ReqId> {
        while let Some(r) = self.pools[pi].queue.pop_front() {
            if self.late(r) {
                self.abandon(r);
                continue;
            }
            return Some(r);
        }
        None
    }
}
