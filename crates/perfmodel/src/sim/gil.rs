//! The GIL: one holder, a FIFO of waiters, the switch interval that forces a long holder to let go, and the core the holder runs on.

use super::queue::{Ev, Event};
use super::state::{Activity, Sim, ThreadId};
use super::ThreadState;

impl Sim<'_> {
    pub(super) fn want_gil(&mut self, t: ThreadId) {
        if self.threads[t.idx()].holds_gil {
            self.run_gil(t);
            return;
        }
        if self.gil.is_none() && self.gil_waiters.is_empty() {
            self.take_gil(t);
            self.run_gil_on_core(t);
        } else {
            let th = &mut self.threads[t.idx()];
            th.act = Activity::WantGil;
            th.wait_since = self.now;
            self.gil_waiters.push_back(t);
            self.set_state(t, Some(ThreadState::Waiting));
            // Only a hold longer than the switch interval can be forced to
            // end; short holds end by themselves first, so they schedule
            // nothing (this keeps the event queue small at high load).
            if let Some(h) = self.gil {
                if let Activity::Gil { end } = self.threads[h.idx()].act {
                    let at = (self.gil_taken_at + self.switch_us()).max(self.now);
                    if end > at {
                        self.ask_switch(at, t);
                    }
                }
            }
        }
    }

    pub(super) fn switch_us(&self) -> f64 {
        self.p.gil_switch_interval_ms * 1e3
    }

    pub(super) fn take_gil(&mut self, t: ThreadId) {
        self.account_gil();
        self.gil_taken_at = self.now;
        self.gil = Some(t);
        self.gil_switches += 1;
        self.threads[t.idx()].holds_gil = true;
    }

    pub(super) fn release_gil(&mut self, t: ThreadId) {
        if !self.threads[t.idx()].holds_gil {
            return;
        }
        self.account_gil();
        self.threads[t.idx()].holds_gil = false;
        self.gil = None;
        if let Some(next) = self.gil_waiters.pop_front() {
            // The GIL passes on with the core it runs on.
            let waited = self.now - self.threads[next.idx()].wait_since;
            if self.m.measuring && self.threads[next.idx()].role.is_some() {
                self.m.gil_wait_sum += waited;
            }
            self.take_gil(next);
            self.run_gil_on_core(next);
        } else if self.gil_core {
            self.gil_core = false;
            self.free_core();
        }
    }

    /// Start the new holder's hold on a core: the one the GIL came with, a
    /// free one, or (every core busy with GIL-free work) it holds the GIL and
    /// waits for one. A CPU-bound background thread never waits and keeps no
    /// core: it can be preempted at any moment, as the OS time-slices it,
    /// and its work has no end for a core to wait for.
    pub(super) fn run_gil_on_core(&mut self, t: ThreadId) {
        if self.threads[t.idx()].role.is_none() {
            if self.gil_core {
                self.gil_core = false;
                self.free_core();
            }
            self.run_gil(t);
        } else if self.gil_core {
            self.run_gil(t);
        } else if self.cores_free > 0 {
            self.cores_free -= 1;
            self.gil_core = true;
            self.run_gil(t);
        } else {
            self.gil_stalled = true;
            let th = &mut self.threads[t.idx()];
            th.act = Activity::WantCore;
            th.gen = th.gen.wrapping_add(1);
            self.set_state(t, Some(ThreadState::Waiting));
        }
    }

    /// A core comes free: the GIL holder waiting for one takes it first,
    /// then the GIL-free work queued for one.
    pub(super) fn free_core(&mut self) {
        if self.gil_stalled {
            self.gil_stalled = false;
            self.gil_core = true;
            let h = self.gil.expect("a stalled GIL holder holds the GIL");
            self.gil_taken_at = self.now;
            self.run_gil(h);
        } else if let Some(next) = self.core_queue.pop_front() {
            self.run_cpu(next);
        } else {
            self.cores_free += 1;
        }
    }

    /// Run the current GIL step of a thread that holds the GIL.
    pub(super) fn run_gil(&mut self, t: ThreadId) {
        let now = self.now;
        let th = &mut self.threads[t.idx()];
        th.gen = th.gen.wrapping_add(1);
        let end = now + th.remaining;
        th.act = Activity::Gil { end };
        let gen = th.gen;
        self.set_state(t, Some(ThreadState::Held));
        self.seq += 1;
        self.gil_end = end.is_finite().then_some(Event { t: end, seq: self.seq, ev: Ev::ThreadDone { thread: t, gen } });
        // A long hold with threads already waiting: the first of them will
        // ask for the GIL one switch interval after this hold began.
        let at = self.gil_taken_at + self.switch_us();
        if end > at {
            if let Some(&waiter) = self.gil_waiters.front() {
                self.ask_switch(at.max(now), waiter);
            }
        }
    }

    /// Schedule `waiter`'s switch-interval request against the current
    /// hold, unless one is already pending for it: the first to fire forces
    /// the switch and any later one for the same hold would be stale.
    pub(super) fn ask_switch(&mut self, at: f64, waiter: ThreadId) {
        let switches = self.gil_switches;
        if self.switch_asked_for != Some(switches) {
            self.switch_asked_for = Some(switches);
            self.push(at, Ev::SwitchRequest { waiter, switches });
        }
    }

    pub(super) fn forced_switch(&mut self, waiter: ThreadId, switches: u64) {
        if self.threads[waiter.idx()].act != Activity::WantGil {
            return;
        }
        if switches != self.gil_switches {
            // The GIL changed hands meanwhile; if the new hold is long, it
            // scheduled its own request when it began.
            return;
        }
        let Some(h) = self.gil else { return };
        if !matches!(self.threads[h.idx()].act, Activity::Gil { .. }) {
            return;
        }
        if !self.cfg.every_handoff {
            self.skip_handoffs(h);
        }
        // Forced switch: the holder (perhaps another one after a skip)
        // stops mid-step and queues again.
        let Some(h) = self.gil else { return };
        let th = &mut self.threads[h.idx()];
        let Activity::Gil { end } = th.act else { return };
        th.remaining = (end - self.now).max(0.0);
        th.gen = th.gen.wrapping_add(1);
        self.gil_end = None;
        self.release_gil(h);
        self.want_gil(h);
    }
}
