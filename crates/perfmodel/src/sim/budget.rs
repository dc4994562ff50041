//! The event budget: the most events a run may process, bounded by the requests it can issue, and why that bound holds.

use super::state::{role_index, Sim};
use super::ServiceDist;
use crate::batch::FanOut;
use crate::pattern::{Role, Work};

impl Sim<'_> {
    /// Requests a run can issue: the warm-up, the measured ones and the N
    /// still in flight when it stops (a burst issues N and no more).
    pub(super) fn issued_bound(&self) -> u64 {
        let n = self.reqs.len() as u64;
        if self.open.is_some() {
            // Arrivals go on until the measured ones are done, `requests` more at most.
            return self.cfg.warmup + 2 * self.cfg.requests;
        }
        if self.cfg.burst {
            n
        } else {
            self.cfg.warmup + self.cfg.requests + n
        }
    }

    /// The most events a run may process; `run` stops there and
    /// [`simulate`] reports an error instead of a result.
    ///
    /// Why it holds. A *request event* is the end of one step of a
    /// request's path (a GIL, CPU, I/O or wake-up step): at most one per
    /// step, so at most `issued × steps`. Every other event is a switch
    /// request, pushed when a thread starts to wait for the GIL behind a
    /// long hold or when a forced hand-off gives the GIL to a thread with
    /// waiters behind it; each is popped once at most. Between two request
    /// events at most three hand-offs are forced one by one: the first one
    /// skips ([`Sim::skip_handoffs`]) every hand-off up to the turn that
    /// ends a step or up to the next pending event, after which at most two
    /// more pass. So events ≤ 10 per request event, plus the hand-offs of
    /// the stretches that skip nothing: the trace window (one per switch
    /// interval) and the followed request's turns (its GIL work in switch
    /// intervals, each behind every long holder: background threads and
    /// roles whose GIL steps can outlast the interval).
    pub(crate) fn event_budget(&self) -> u64 {
        if self.cfg.every_handoff {
            return u64::MAX;
        }
        let s = self.switch_us();
        // An open load adds one arrival event per request.
        // A concurrent batch of the official client adds one event per node
        // request it sends; gathered calls through the executor one per call.
        let node_requests: u64 = self
            .steps
            .iter()
            .filter_map(|st| match st.work {
                Work::Fan(f) if f.gathered && st.role != Role::Tokio => Some(u64::from(f.keys)),
                Work::Fan(f) if f.fan_out == FanOut::Parallel && st.role != Role::Tokio => Some(u64::from(f.nodes.min(f.keys))),
                _ => None,
            })
            .sum();
        let per_request = self.steps.len() as u64 + u64::from(self.open.is_some()) + node_requests;
        let request_events = self.issued_bound().saturating_mul(per_request);
        let threads = (self.reqs.len() + self.pools.iter().map(|p| p.max).sum::<usize>() + self.threads.len()) as u64;
        let trace = 2 * ((self.cfg.trace_ms * 1e3 / s).ceil() as u64 + 1);
        let follow = if self.cfg.follow {
            let may_outlast = |us: f64| self.cfg.dist == ServiceDist::Exponential || us > s;
            let mut long = self.threads.iter().filter(|t| t.role.is_none()).count() as u64;
            for role in [Role::Caller, Role::Loop, Role::Worker, Role::Tokio, Role::Blocking] {
                if self.steps.iter().any(|st| st.role == role && matches!(st.work, Work::Gil(us) if may_outlast(us))) {
                    long += self.pools[role_index(role)].max as u64;
                }
            }
            let gil_work: f64 = self.steps.iter().map(|st| if let Work::Gil(us) = st.work { us } else { 0.0 }).sum();
            3 * (long + 1) * ((gil_work / s).ceil() as u64 + self.steps.len() as u64)
        } else {
            0
        };
        request_events.saturating_mul(10).saturating_add(8 * threads).saturating_add(trace).saturating_add(follow)
    }
}
