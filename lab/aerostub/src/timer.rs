//! A timer thread with microsecond precision: deadlines in a heap, sleeps with 1 ns of timer slack, wake-ups through oneshot channels.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::Instant;

use tokio::sync::oneshot;

type Job = (Instant, oneshot::Sender<()>);

/// Handle to the timer thread.
#[derive(Debug)]
pub struct Timer {
    tx: Sender<Job>,
}

impl Timer {
    pub fn start() -> Timer {
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("stub-timer".into())
            .spawn(move || {
                precise_sleeps();
                let mut heap: BinaryHeap<Reverse<(Instant, u64)>> = BinaryHeap::new();
                let mut waiting: std::collections::HashMap<u64, oneshot::Sender<()>> = Default::default();
                let mut seq = 0u64;
                loop {
                    let next = heap.peek().map(|Reverse((t, _))| *t);
                    let got = match next {
                        Some(t) => rx.recv_timeout(t.saturating_duration_since(Instant::now())),
                        None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
                    };
                    match got {
                        Ok((t, done)) => {
                            seq += 1;
                            heap.push(Reverse((t, seq)));
                            waiting.insert(seq, done);
                        }
                        Err(RecvTimeoutError::Timeout) => {}
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                    let now = Instant::now();
                    while let Some(Reverse((t, id))) = heap.peek().copied() {
                        if t > now {
                            break;
                        }
                        heap.pop();
                        if let Some(done) = waiting.remove(&id) {
                            let _ = done.send(());
                        }
                    }
                }
            })
            .expect("spawn the timer thread");
        Timer { tx }
    }

    /// Resolve at `deadline` (at once if it has passed).
    pub async fn wait_until(&self, deadline: Instant) {
        if deadline <= Instant::now() {
            return;
        }
        let (done, wait) = oneshot::channel();
        if self.tx.send((deadline, done)).is_ok() {
            let _ = wait.await;
        } else {
            // The timer thread is gone: fall back to tokio's coarser timer.
            tokio::time::sleep(deadline.saturating_duration_since(Instant::now())).await;
        }
    }
}

/// Linux lets a thread's sleeps overshoot by its timer slack (50 µs by
/// default); 1 ns makes `recv_timeout` wake within a few µs of the deadline.
#[allow(unsafe_code)]
fn precise_sleeps() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_TIMERSLACK takes one integer argument and only changes
    // this thread's timer slack; no memory is passed.
    unsafe {
        libc::prctl(libc::PR_SET_TIMERSLACK, 1 as libc::c_ulong, 0 as libc::c_ulong, 0 as libc::c_ulong, 0 as libc::c_ulong);
    }
}
