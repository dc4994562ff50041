//! Forced GIL hand-offs among long holders, skipped many at once: the same results as one by one, at a cost bounded by requests, not by simulated time.

use super::state::{Activity, Sim, ThreadId};
use super::ThreadState;

impl Sim<'_> {
    /// At a forced switch of `holder`: skip the forced hand-offs that
    /// follow, one switch interval each, before anything else happens.
    ///
    /// The cycle `c` is the holder (`c₀`) and the GIL waiters in queue order
    /// (`c₁ … c₍ₖ₋₁₎`). After this switch, turn `i = 1, 2, …` goes to
    /// `c₍ᵢ mod k₎`, starts at `T + (i−1)·S` and is forced out at `T + i·S`
    /// as long as its thread's remaining work at the turn's start exceeds
    /// `S`. A thread with remaining work `r` has `⌈r/S⌉ − 1` forced turns;
    /// the first turn that is not forced ends a step (a request event), and
    /// the next pending event bounds the skip too. So `q` hand-offs can be
    /// skipped at once, `q` the smaller of (the first unforced turn − 1) and
    /// (the last turn that ends before the next event): the state jumps to
    /// `T + q·S`, where `c₍q mod k₎` is the holder about to be forced, each
    /// thread's remaining work is less its turns × `S`, the GIL counts `S`
    /// per turn as held (by a request or a background thread) and each
    /// request thread's waits are added as its turns would have added them.
    /// Nothing is skipped while the trace window is open or while the
    /// followed request's thread is in the cycle, whose records need every
    /// hand-off.
    pub(super) fn skip_handoffs(&mut self, holder: ThreadId) {
        if self.m.measuring && self.now < self.m.trace_end {
            return;
        }
        let Activity::Gil { end } = self.threads[holder.idx()].act else { return };
        if let Some(f) = self.follow.thread {
            if f == holder || self.threads[f.idx()].act == Activity::WantGil {
                return;
            }
        }
        let (t0, s) = (self.now, self.switch_us());
        let k = self.gil_waiters.len() + 1;
        // c_j, and its remaining work at the start of its next turn.
        let at = |sim: &Self, j: usize| if j == 0 { holder } else { sim.gil_waiters[j - 1] };
        let rem = |sim: &Self, j: usize| if j == 0 { end - t0 } else { sim.threads[at(sim, j).idx()].remaining };
        // The first turn that is not forced: c_j's comes no earlier than
        // turn j, so the scan stops at the best found so far.
        // (Infinite work, a background thread's, is never unforced: no division.)
        let forced = |r: f64| if r.is_infinite() { r } else { (r / s).ceil() - 1.0 };
        let mut first_unforced = (forced(rem(self, 0)) + 1.0) * k as f64;
        let mut j = 1;
        while j < k && (j as f64) < first_unforced {
            first_unforced = first_unforced.min(j as f64 + forced(rem(self, j)) * k as f64);
            j += 1;
        }
        // The heap's top is the next thing that happens: its step ends are
        // never stale (the one end a forced switch cancels, the holder's,
        // lives in `gil_end`). Nothing pending: the cycle runs until its own
        // work ends.
        let next = self.heap.peek().map_or(f64::INFINITY, |e| e.t);
        let by_time = ((next - t0) / s).ceil() - 1.0;
        let q = (first_unforced - 1.0).min(by_time);
        if !(q >= 2.0 && q.is_finite()) {
            return;
        }
        let (q, k64) = (q as u64, k as u64);
        // Turns of c_j among turns 1..=q; only c_0 … c_min(q, k-1) have any.
        let turns = |j: u64| {
            if j == 0 {
                q / k64
            } else if q >= j {
                (q - j) / k64 + 1
            } else {
                0
            }
        };
        let a = (q % k64) as usize;
        let t1 = t0 + q as f64 * s;
        self.account_gil();
        let involved = (q.min(k64 - 1) + 1) as usize;
        // (thread, its turns, its remaining work before them)
        let changed: Vec<(ThreadId, u64, f64)> = (0..involved).map(|j| (at(self, j), turns(j as u64), rem(self, j))).collect();
        for (j, &(t, n, r)) in changed.iter().enumerate() {
            let j64 = j as u64;
            if self.m.measuring && n > 0 {
                if self.threads[t.idx()].role.is_some() {
                    self.m.gil_busy_req += n as f64 * s;
                    // The first take waited since it queued (c₀: since t0), the others a round each.
                    let (queued, first_take) =
                        if j == 0 { (t0, t0 + (k64 - 1) as f64 * s) } else { (self.threads[t.idx()].wait_since, t0 + (j64 - 1) as f64 * s) };
                    self.m.gil_wait_sum += first_take - queued + (n - 1) as f64 * (k64 - 1) as f64 * s;
                } else {
                    self.m.gil_busy_bg += n as f64 * s;
                }
            }
            let th = &mut self.threads[t.idx()];
            if j == a {
                // The holder of turn q, about to be forced at t1.
                th.act = Activity::Gil { end: t1 - s + r - (n as f64 - 1.0) * s };
            } else {
                th.remaining = r - n as f64 * s;
                // Back in the queue since its last turn was forced (c₀: since t0).
                if j == 0 {
                    th.wait_since = t0 + (n * k64) as f64 * s;
                } else if n > 0 {
                    th.wait_since = t0 + (j64 + (n - 1) * k64) as f64 * s;
                }
            }
        }
        self.now = t1;
        if a != 0 {
            // The queue turns by a: c_a holds, c_(a+1) … c_(k-1), c_0 … c_(a-1) wait.
            let passed: Vec<ThreadId> = self.gil_waiters.drain(..a - 1).collect();
            let new = self.gil_waiters.pop_front().expect("c_a is a waiter");
            self.gil_waiters.push_back(holder);
            self.gil_waiters.extend(passed);
            let old = &mut self.threads[holder.idx()];
            old.holds_gil = false;
            old.act = Activity::WantGil;
            old.gen = old.gen.wrapping_add(1);
            let th = &mut self.threads[new.idx()];
            th.holds_gil = true;
            th.gen = th.gen.wrapping_add(1);
            self.gil = Some(new);
            self.set_state(holder, Some(ThreadState::Waiting));
            self.set_state(new, Some(ThreadState::Held));
        }
        self.m.gil_since = t1;
        self.gil_taken_at = t1 - s;
        self.gil_switches += q;
        self.skipped_handoffs += q;
        // Every pending switch request names a hand-off count now passed.
        self.switch_requests.clear();
        self.switch_asked_for = None;
    }
}
