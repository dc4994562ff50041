//! A request's flow through the threads: handed to the role of its next step, queued or started, each step's work, and its end.

use super::queue::Ev;
use super::state::{role_index, Activity, Req, ReqId, Sim, ThreadId};
use super::ThreadState;
use crate::batch::FanOut;
use crate::pattern::{Role, Work};

impl Sim<'_> {
    /// One node request of request `r`'s batch: a thread of the client's
    /// pool sends it and waits for it, or it queues for the next free one.
    pub(super) fn node_task(&mut self, r: ReqId, each_us: f64) {
        if self.client_pool_free > 0 {
            self.client_pool_free -= 1;
            let w = self.draw_io(each_us);
            self.push(self.now + w, Ev::NodeDone { req: r });
        } else {
            self.client_pool_queue.push_back((r, each_us));
        }
    }

    /// A node request of request `r`'s batch came back: its pool thread takes
    /// the next queued one, and the last of the batch wakes the calling thread.
    pub(super) fn node_done(&mut self, r: ReqId) {
        match self.client_pool_queue.pop_front() {
            Some((next, each)) => {
                let w = self.draw_io(each);
                self.push(self.now + w, Ev::NodeDone { req: next });
            }
            None => self.client_pool_free += 1,
        }
        let req = &mut self.reqs[r.idx()];
        req.pending = req.pending.saturating_sub(1);
        if let (0, Some(t)) = (req.pending, req.waiting) {
            let gen = self.threads[t.idx()].gen;
            self.push(self.now, Ev::ThreadDone { thread: t, gen });
        }
    }

    /// One of request `r`'s gathered calls waits on a thread of the
    /// executor's pool: an idle one, a new one if the pool may grow, or the
    /// next one to come free.
    pub(super) fn lend(&mut self, r: ReqId, each_us: f64) {
        let pi = role_index(Role::Worker);
        let t = self.pools[pi].idle.pop().or_else(|| {
            (self.pools[pi].threads.len() < self.pools[pi].max).then(|| {
                let t = self.spawn(Some(Role::Worker));
                self.pools[pi].idle.pop();
                t
            })
        });
        match t {
            Some(t) => self.start_lent(t, r, each_us),
            None => self.lend_queue.push_back((r, each_us)),
        }
    }

    fn start_lent(&mut self, t: ThreadId, r: ReqId, each_us: f64) {
        self.release_gil(t);
        let w = self.draw_io(each_us);
        let th = &mut self.threads[t.idx()];
        th.lent = Some(r);
        th.act = Activity::Io;
        th.gen = th.gen.wrapping_add(1);
        let gen = th.gen;
        self.set_state(t, Some(ThreadState::Io));
        self.push(self.now + w, Ev::ThreadDone { thread: t, gen });
    }

    /// A lent thread's wait ended: the last of the request's calls resumes
    /// it at its next step, and the thread takes other work.
    fn lent_done(&mut self, t: ThreadId, r: ReqId) {
        self.threads[t.idx()].lent = None;
        self.next_work(t);
        let req = &mut self.reqs[r.idx()];
        req.pending = req.pending.saturating_sub(1);
        if req.pending == 0 {
            req.step += 1;
            self.deliver(r);
        }
    }

    pub(super) fn issue(&mut self, r: ReqId) {
        self.reqs[r.idx()] = Req { issued: self.now, ..Req::NEW };
        if self.cfg.follow && self.m.measuring && self.follow.req.is_none() && !self.follow.journey.complete {
            self.follow.req = Some(r);
            self.follow.issued = self.now;
        }
        self.deliver(r);
    }

    /// Hand request `r` to the role of its current step.
    pub(super) fn deliver(&mut self, r: ReqId) {
        if self.late(r) {
            self.abandon(r);
            return;
        }
        let mut step = self.reqs[r.idx()].step;
        // A wake step only costs time if it has to wake an idle thread.
        let wake = if let Work::Wake(us) = self.steps[step].work {
            step += 1;
            self.reqs[r.idx()].step = step;
            us
        } else {
            0.0
        };
        let role = self.steps[step].role;
        let pi = role_index(role);
        let idle = self.pools[pi].idle.pop().or_else(|| {
            (self.pools[pi].threads.len() < self.pools[pi].max).then(|| {
                let t = self.spawn(Some(role));
                self.pools[pi].idle.pop();
                t
            })
        });
        match idle {
            Some(t) => {
                if role != Role::Loop {
                    self.mark_started(r);
                }
                self.hand(t, Some(r));
                let th = &mut self.threads[t.idx()];
                th.batch_left = 1;
                if wake > 0.0 {
                    th.act = Activity::Waking;
                    th.gen = th.gen.wrapping_add(1);
                    let gen = th.gen;
                    self.set_state(t, Some(ThreadState::Waking));
                    let at = self.now + self.draw_cpu(wake);
                    self.push(at, Ev::ThreadDone { thread: t, gen });
                } else {
                    self.start_step(t);
                }
            }
            None => {
                self.account_queue();
                self.pools[pi].queue.push_back(r);
            }
        }
    }

    /// Begin the current step of the thread's request.
    pub(super) fn start_step(&mut self, t: ThreadId) {
        let r = self.threads[t.idx()].req.expect("a thread starting a step has a request");
        let step = self.steps[self.reqs[r.idx()].step];
        match step.work {
            Work::Gil(us) => {
                self.threads[t.idx()].remaining = self.draw_cpu(us);
                self.want_gil(t);
            }
            Work::Cpu(us) => {
                self.release_gil(t);
                let d = self.draw_cpu(us);
                self.threads[t.idx()].remaining = d;
                self.set_state(t, Some(ThreadState::Cpu));
                if self.cores_free > 0 {
                    self.cores_free -= 1;
                    self.run_cpu(t);
                } else {
                    self.threads[t.idx()].act = Activity::WantCore;
                    self.core_queue.push_back(t);
                }
            }
            // Gathered calls through the executor: the request parks (the
            // loop awaits gather) and each call holds a pool thread for its wait.
            Work::Fan(f) if f.gathered && step.role == Role::Worker => {
                self.release_gil(t);
                let req = &mut self.reqs[r.idx()];
                req.pending = f.keys;
                req.waiting = None;
                self.hand(t, None);
                self.next_work(t);
                for _ in 0..f.keys {
                    self.lend(r, f.each_us);
                }
            }
            // The official client's concurrent batch: its thread pool sends the node requests.
            Work::Fan(f) if f.fan_out == FanOut::Parallel && step.role != Role::Tokio => {
                self.release_gil(t);
                let th = &mut self.threads[t.idx()];
                th.act = Activity::Io;
                th.gen = th.gen.wrapping_add(1);
                self.set_state(t, Some(ThreadState::Io));
                let d = self.draw_visited(f);
                let req = &mut self.reqs[r.idx()];
                req.pending = d as u32;
                req.waiting = Some(t);
                for _ in 0..d {
                    self.node_task(r, f.each_us);
                }
            }
            Work::Io(_) | Work::Fan(_) => {
                self.release_gil(t);
                let d = match step.work {
                    Work::Fan(f) => self.draw_fan(f),
                    w => self.draw_io(w.us()),
                };
                if step.role == Role::Tokio {
                    // Async I/O: the worker is free while the request waits.
                    let at = self.now + d;
                    self.push(at, Ev::IoDone { req: r });
                    self.hand(t, None);
                    self.next_work(t);
                } else {
                    let th = &mut self.threads[t.idx()];
                    th.act = Activity::Io;
                    th.gen = th.gen.wrapping_add(1);
                    let gen = th.gen;
                    self.set_state(t, Some(ThreadState::Io));
                    self.push(self.now + d, Ev::ThreadDone { thread: t, gen });
                }
            }
            Work::Wake(_) => {
                // Wake steps inside one thread's part cost nothing.
                self.reqs[r.idx()].step += 1;
                self.start_step(t);
            }
        }
    }

    pub(super) fn run_cpu(&mut self, t: ThreadId) {
        let th = &mut self.threads[t.idx()];
        th.act = Activity::Cpu;
        th.gen = th.gen.wrapping_add(1);
        let (gen, d) = (th.gen, th.remaining);
        self.push(self.now + d, Ev::ThreadDone { thread: t, gen });
    }

    /// The thread's timed activity ended.
    pub(super) fn thread_done(&mut self, t: ThreadId) {
        let act = self.threads[t.idx()].act;
        if act == Activity::Cpu {
            self.free_core();
        }
        if act == Activity::Waking {
            self.start_step(t);
            return;
        }
        if let (Activity::Io, Some(r)) = (act, self.threads[t.idx()].lent) {
            self.lent_done(t, r);
            return;
        }
        let Some(r) = self.threads[t.idx()].req else { return };
        self.advance(t, r);
    }

    /// Move request `r`, run by thread `t`, past its current step.
    pub(super) fn advance(&mut self, t: ThreadId, r: ReqId) {
        let step = self.reqs[r.idx()].step + 1;
        self.reqs[r.idx()].step = step;
        if step == self.steps.len() {
            self.hand(t, None);
            self.finish(r);
            if !self.cfg.burst && self.open.is_none() {
                self.issue(r);
            }
            self.next_work(t);
            return;
        }
        let role = self.threads[t.idx()].role.expect("request threads have a role");
        if self.steps[step].role == role {
            self.start_step(t);
        } else {
            self.hand(t, None);
            self.deliver(r);
            self.next_work(t);
        }
    }

    /// The thread is free: take queued work or go idle.
    pub(super) fn next_work(&mut self, t: ThreadId) {
        let role = self.threads[t.idx()].role.expect("request threads have a role");
        let pi = role_index(role);
        let th = &mut self.threads[t.idx()];
        if role == Role::Loop {
            th.batch_left = th.batch_left.saturating_sub(1);
            if th.batch_left == 0 {
                // End of an iteration: select() releases the GIL.
                self.release_gil(t);
                let th = &mut self.threads[t.idx()];
                th.batch_left = self.pools[pi].queue.len();
            }
        }
        if role == Role::Worker {
            if let Some((r, each)) = self.lend_queue.pop_front() {
                self.start_lent(t, r, each);
                return;
            }
        }
        if !self.pools[pi].queue.is_empty() {
            self.account_queue();
        }
        if let Some(r) = self.pop_live(pi) {
            if role != Role::Loop {
                self.mark_started(r);
            }
            self.hand(t, Some(r));
            self.start_step(t);
        } else {
            self.release_gil(t);
            let th = &mut self.threads[t.idx()];
            th.act = Activity::Idle;
            th.batch_left = 0;
            self.set_state(t, None);
            self.pools[pi].idle.push(t);
        }
    }

    pub(super) fn mark_started(&mut self, r: ReqId) {
        let req = &mut self.reqs[r.idx()];
        if req.started.is_nan() {
            req.started = self.now;
        }
    }

    /// Request `r` is done: its latency is measured, its slot freed (open load).
    pub(super) fn finish(&mut self, r: ReqId) {
        if self.follow.req == Some(r) {
            self.end_follow();
        }
        if self.cfg.burst {
            let req = self.reqs[r.idx()];
            self.m.burst_log.push((req.started / 1e3, self.now / 1e3));
        }
        let lat = self.now - self.reqs[r.idx()].issued;
        if let Some(o) = self.open.as_mut() {
            o.in_system -= 1;
            o.free.push(r);
            if self.m.measuring {
                o.window_done += 1;
            }
            if self.reqs[r.idx()].measured {
                o.measured_left -= 1;
                let on_time = o.deadline_us.is_none_or(|d| lat <= d);
                if on_time {
                    o.good += 1;
                } else {
                    o.late += 1;
                }
                // An asyncio caller stopped waiting at the deadline; a blocking one waited it out.
                let seen = match o.deadline_us {
                    Some(d) if o.cancels => lat.min(d),
                    _ => lat,
                };
                self.m.completed += 1;
                self.m.lat_sum += seen;
                let _ = self.m.hist.record(((seen * 10.0).round() as u64).max(1));
            }
            return;
        }
        self.m.completed += 1;
        if self.m.measuring {
            self.m.lat_sum += lat;
            // Tenths of a µs, at least 1 so the histogram accepts it.
            let _ = self.m.hist.record(((lat * 10.0).round() as u64).max(1));
        } else if self.m.completed >= self.cfg.warmup {
            self.start_measuring();
        }
    }
}
