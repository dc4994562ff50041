//! The event queue: what can happen next and when, earliest first (ties in the order pushed).

use std::cmp::Ordering;

use super::state::{ReqId, Sim, ThreadId};

/// What an event is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ev {
    /// A thread's current timed activity (GIL step, CPU step, blocking I/O, wake-up) ends.
    ThreadDone { thread: ThreadId, gen: u32 },
    /// Asynchronous I/O of a request ends (Tokio).
    IoDone { req: ReqId },
    /// A waiter's switch interval expired: it asks the holder of hold
    /// number `switches` to drop the GIL (a forced switch).
    SwitchRequest { waiter: ThreadId, switches: u64 },
    /// A request arrives (open load).
    Arrive,
    /// One node request of a batch sent by the client's thread pool came back.
    NodeDone { req: ReqId },
}

/// An event at a time `t` (µs), `seq` its place among events pushed.
#[derive(Debug, Clone, Copy)]
pub(super) struct Event {
    pub(super) t: f64,
    pub(super) seq: u64,
    pub(super) ev: Ev,
}
impl PartialEq for Event {
    fn eq(&self, o: &Self) -> bool {
        self.t == o.t && self.seq == o.seq
    }
}
impl Eq for Event {}
impl PartialOrd for Event {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Event {
    fn cmp(&self, o: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap, we want the earliest event.
        o.t.total_cmp(&self.t).then(o.seq.cmp(&self.seq))
    }
}

impl Sim<'_> {
    pub(super) fn push(&mut self, t: f64, ev: Ev) {
        self.seq += 1;
        let e = Event { t, seq: self.seq, ev };
        match ev {
            Ev::SwitchRequest { .. } => self.switch_requests.push(e),
            _ => self.heap.push(e),
        }
    }

    /// The earliest pending event of the three queues (ties in push order).
    pub(super) fn pop_next(&mut self) -> Option<Event> {
        let h = self.heap.peek().copied();
        let d = self.switch_requests.peek().copied();
        // `Event`'s order is reversed: the greater is the earlier.
        let best = [h, d, self.gil_end].into_iter().flatten().max()?;
        if Some(best) == self.gil_end {
            self.gil_end = None;
        } else if Some(best) == h {
            self.heap.pop();
        } else {
            self.switch_requests.pop();
        }
        Some(best)
    }
}
