//! The followed request: which thread has it and what it is doing, leg by leg, for the request-flow figure.

use super::state::{Activity, ReqId, Sim, ThreadId};
use super::{Journey, Leg, LegState};
use crate::pattern::Work;

/// Bookkeeping for the followed request.
#[derive(Debug, Default)]
pub(super) struct Follow {
    /// The followed request, once chosen, until it completes.
    pub(super) req: Option<ReqId>,
    /// The thread that has it now.
    pub(super) thread: Option<ThreadId>,
    pub(super) issued: f64,
    pub(super) journey: Journey,
}

impl Sim<'_> {
    /// Give thread `t` request `r` (or take its request away), keeping track
    /// of where the followed request is.
    pub(super) fn hand(&mut self, t: ThreadId, r: Option<ReqId>) {
        if let Some(f) = self.follow.req {
            if r == Some(f) {
                self.follow.thread = Some(t);
            } else if self.threads[t.idx()].req == Some(f) {
                self.follow.thread = None;
            }
        }
        self.threads[t.idx()].req = r;
    }

    /// After each event: note where the followed request is now, starting a
    /// new leg when that changed.
    pub(super) fn note_follow(&mut self) {
        let Some(r) = self.follow.req else { return };
        let step = self.reqs[r.idx()].step;
        let state = match self.follow.thread {
            Some(t) => match self.threads[t.idx()].act {
                Activity::Waking => LegState::Waking,
                Activity::WantGil => LegState::WaitingGil,
                Activity::Gil { .. } => LegState::HoldsGil,
                Activity::WantCore => LegState::WaitingCore,
                Activity::Cpu => LegState::Cpu,
                Activity::Io => LegState::Io,
                Activity::Idle => LegState::Queued,
            },
            None if matches!(self.steps[step.min(self.steps.len() - 1)].work, Work::Io(_) | Work::Fan(_)) => LegState::AsyncIo,
            None => LegState::Queued,
        };
        let at = (self.now - self.follow.issued) / 1e3;
        let legs = &mut self.follow.journey.legs;
        if let Some(last) = legs.last_mut() {
            let thread = self.follow.thread.map(|t| t.0);
            if last.thread == thread && last.state == state && last.step == step {
                return;
            }
            last.end_ms = at;
            if last.end_ms <= last.start_ms {
                legs.pop();
            }
        }
        legs.push(Leg { thread: self.follow.thread.map(|t| t.0), state, step, start_ms: at, end_ms: at });
    }

    /// The followed request completed: close its last leg.
    pub(super) fn end_follow(&mut self) {
        let at = (self.now - self.follow.issued) / 1e3;
        if let Some(last) = self.follow.journey.legs.last_mut() {
            last.end_ms = at;
        }
        self.follow.journey.legs.retain(|l| l.end_ms > l.start_ms);
        self.follow.journey.complete = true;
        self.follow.req = None;
        self.follow.thread = None;
    }
}
