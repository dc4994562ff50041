//! The run loop: events in time order until the measured requests are done or the event budget is spent.

use super::queue::{Ev, Event};
use super::state::{Sim, ThreadId};

impl Sim<'_> {
    pub(super) fn run(&mut self) {
        if self.cfg.warmup == 0 && self.open.is_none() {
            self.start_measuring();
        }
        let budget = self.event_budget();
        while let Some(Event { t, ev, .. }) = self.pop_next() {
            self.events += 1;
            if self.events > budget {
                self.over_budget = true;
                break;
            }
            self.now = t;
            match ev {
                Ev::ThreadDone { thread, gen } => {
                    if self.threads[thread.idx()].gen == gen {
                        self.thread_done(thread);
                    }
                }
                Ev::IoDone { req } => {
                    self.reqs[req.idx()].step += 1;
                    self.deliver(req);
                }
                Ev::SwitchRequest { waiter, switches } => self.forced_switch(waiter, switches),
                Ev::Arrive => self.arrive(),
                Ev::NodeDone { req } => self.node_done(req),
            }
            if self.follow.req.is_some() {
                self.note_follow();
            }
            if let Some(o) = &self.open {
                if o.measured_left == 0 {
                    break;
                }
            } else if self.m.measuring && self.m.completed >= self.cfg.requests {
                break;
            }
        }
        self.account_gil();
        self.account_queue();
        for t in 0..self.threads.len() as u32 {
            self.set_state(ThreadId(t), None);
        }
    }
}
