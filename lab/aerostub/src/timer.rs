//! A timer thread with microsecond precision: deadlines in a shared heap, sleeps with 1 ns of timer slack, wake-ups through oneshot channels.
//!
//! A new deadline wakes the timer thread only when it is earlier than the
//! one the thread sleeps until. The lab's waits are all the same length, so
//! every new deadline comes after the ones already queued and adding one
//! costs a lock, not a thread wake-up: the stub's CPU per delayed request is
//! what a server's would be, not twice it.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

use tokio::sync::oneshot;

/// The deadlines waiting, and the one the timer thread sleeps until.
#[derive(Debug, Default)]
struct Queue {
    heap: BinaryHeap<Reverse<(Instant, u64)>>,
    waiting: std::collections::HashMap<u64, oneshot::Sender<()>>,
    seq: u64,
    /// When the timer thread will next wake by itself (`None`: it waits for a deadline).
    wakes_at: Option<Instant>,
    closed: bool,
}

#[derive(Debug, Default)]
struct Shared {
    queue: Mutex<Queue>,
    added: Condvar,
}

/// Handle to the timer thread; dropping it ends the thread.
#[derive(Debug)]
pub struct Timer {
    shared: Arc<Shared>,
}

impl Timer {
    pub fn start() -> Timer {
        let shared = Arc::new(Shared::default());
        let mine = shared.clone();
        std::thread::Builder::new()
            .name("stub-timer".into())
            .spawn(move || {
                precise_sleeps();
                let mut q = mine.queue.lock().expect("timer lock");
                loop {
                    if q.closed {
                        return;
                    }
                    // Fire everything due, then sleep until the next deadline.
                    let now = Instant::now();
                    let mut due = Vec::new();
                    while let Some(&Reverse((t, id))) = q.heap.peek() {
                        if t > now {
                            break;
                        }
                        q.heap.pop();
                        due.extend(q.waiting.remove(&id));
                    }
                    q.wakes_at = q.heap.peek().map(|Reverse((t, _))| *t);
                    if !due.is_empty() {
                        drop(q);
                        for done in due {
                            let _ = done.send(());
                        }
                        q = mine.queue.lock().expect("timer lock");
                        continue;
                    }
                    q = match q.wakes_at {
                        Some(t) => mine.added.wait_timeout(q, t.saturating_duration_since(now)).expect("timer lock").0,
                        None => mine.added.wait(q).expect("timer lock"),
                    };
                }
            })
            .expect("spawn the timer thread");
        Timer { shared }
    }

    /// Resolve at `deadline` (at once if it has passed).
    pub async fn wait_until(&self, deadline: Instant) {
        if deadline <= Instant::now() {
            return;
        }
        let (done, wait) = oneshot::channel();
        {
            let mut q = self.shared.queue.lock().expect("timer lock");
            q.seq += 1;
            let id = q.seq;
            q.heap.push(Reverse((deadline, id)));
            q.waiting.insert(id, done);
            // Wake the thread only if it would sleep past this deadline.
            if q.wakes_at.is_none_or(|t| deadline < t) {
                q.wakes_at = Some(deadline);
                self.shared.added.notify_one();
            }
        }
        let _ = wait.await;
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        if let Ok(mut q) = self.shared.queue.lock() {
            q.closed = true;
        }
        self.shared.added.notify_one();
    }
}

/// Linux lets a thread's sleeps overshoot by its timer slack (50 µs by
/// default); 1 ns makes the timed wait wake within a few µs of the deadline.
#[allow(unsafe_code)]
fn precise_sleeps() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_TIMERSLACK takes one integer argument and only changes
    // this thread's timer slack; no memory is passed.
    unsafe {
        libc::prctl(libc::PR_SET_TIMERSLACK, 1 as libc::c_ulong, 0 as libc::c_ulong, 0 as libc::c_ulong, 0 as libc::c_ulong);
    }
}
