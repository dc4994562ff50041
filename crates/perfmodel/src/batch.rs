//! What one request asks of the client (gets, and a batch read across a cluster), and the fan-out arithmetic of a batch: how many nodes it visits and how long their answers take together.
//!
//! A batch read splits its keys by the node that owns each key's partition
//! and sends one request per node visited. Keys hash evenly over the
//! partitions, and the partitions evenly over the nodes, so with K keys and
//! M nodes the number of nodes visited is the number of occupied boxes when
//! K balls are thrown into M boxes ([`visited`], exact, by recursion over the
//! keys). The node requests go out one after another (their waits add up)
//! or all at once (the batch waits for the slowest): [`Fan::mean_us`].

use serde::{Deserialize, Serialize};

/// How a client sends a batch's node requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FanOut {
    /// One after another on the calling thread: the official client's
    /// default (its batch policy's `concurrent` is false).
    #[default]
    Series,
    /// All at once: the official client with `concurrent` true (its thread
    /// pool sends them), and aerospike-py always (a Tokio task per node).
    Parallel,
}

/// One batch read.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    /// Keys in the batch.
    pub keys: u32,
    /// Nodes in the cluster (the partitions spread evenly over them).
    pub nodes: u32,
    /// Share of the keys that have a record (0–1).
    pub found: f64,
    /// How the official client sends the node requests (aerospike-py sends them at once whatever this says).
    #[serde(default)]
    pub fan_out: FanOut,
}

impl Batch {
    /// A batch before the reader sets it: 50 keys (the smaller batch of
    /// aerospike-py's production benchmark, `20260416_134243-report.md`)
    /// over 4 nodes, every key found, the official client's default policy:
    /// the centre of the lab's batch grid.
    pub const START: Batch = Batch { keys: 50, nodes: 4, found: 1.0, fan_out: FanOut::Series };
}

/// What one request does with the client: `gets` single-record reads and,
/// if set, `batches` batch reads (each as `batch`) first; one after
/// another, or all awaited together (`gather`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Calls {
    pub gets: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch: Option<Batch>,
    /// How many such batch reads a request makes (a set each, say).
    #[serde(skip_serializing_if = "is_one")]
    pub batches: u32,
    /// The calls are awaited together with `asyncio.gather`: the request
    /// waits for the slowest of them. Only an async handler can: the
    /// blocking patterns and a plain def endpoint make them one after
    /// another whatever this says.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub gather: bool,
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

impl Default for Calls {
    /// One get: what the site models unless a reader says otherwise.
    fn default() -> Self {
        Calls { gets: 1, batch: None, batches: 1, gather: false }
    }
}

impl Calls {
    pub fn is_default(&self) -> bool {
        *self == Calls::default()
    }

    /// The calls in the order a request makes them: the batches, then the gets.
    pub fn list(&self) -> impl Iterator<Item = Call> + '_ {
        let batches = self.batch.map_or(0, |_| self.batches);
        self.batch.into_iter().flat_map(move |b| (0..batches).map(move |_| Call::Batch(b))).chain((0..self.gets).map(|_| Call::Get))
    }

    /// How many calls a request makes.
    pub fn count(&self) -> u32 {
        self.gets + self.batch.map_or(0, |_| self.batches)
    }

    /// Whether `pattern` awaits the calls together: where gathering means
    /// anything (an async handler, two calls or more).
    pub fn gathered_in(&self, pattern: crate::Pattern) -> bool {
        self.gather && self.count() >= 2 && matches!(pattern, crate::Pattern::Executor | crate::Pattern::Tokio)
    }
}

/// One call to the client.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Call {
    Get,
    Batch(Batch),
}

/// The distribution of the nodes a batch visits: `p[d - 1]` is the
/// probability that `keys` keys land on exactly `d` of `nodes` nodes.
/// O(keys × nodes) work (at most 5,000 × 128).
pub fn visited(keys: u32, nodes: u32) -> Vec<f64> {
    let m = nodes.max(1) as usize;
    let mut p = vec![0.0; m + 1];
    p[0] = 1.0;
    for _ in 0..keys {
        // A key lands on an occupied node with probability d/m, else on a new one.
        for d in (0..=m).rev() {
            let stay = p[d] * d as f64 / m as f64;
            let from_below = if d > 0 { p[d - 1] * (m - d + 1) as f64 / m as f64 } else { 0.0 };
            p[d] = stay + from_below;
        }
    }
    p.remove(0);
    p
}

/// The expected number of nodes a batch visits: M (1 − (1 − 1/M)^K).
pub fn expected_nodes(keys: u32, nodes: u32) -> f64 {
    let m = nodes.max(1) as f64;
    m * (1.0 - (1.0 - 1.0 / m).powi(keys as i32))
}

/// A batch's wait on its nodes, for the solvers (mean) and the simulator (draws).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Fan {
    /// One node request's wait (round trip plus server time), µs.
    pub each_us: f64,
    pub keys: u32,
    pub nodes: u32,
    pub fan_out: FanOut,
    /// The mean of the whole wait, µs ([`Fan::mean_us`] at construction).
    pub mean_us: f64,
    /// Every key is a request of its own, all at once: the gets a handler
    /// awaits together with `asyncio.gather` ([`Fan::gathered`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub gathered: bool,
}

impl Fan {
    /// A batch of `keys` over `nodes`, each node request waiting `each_us` on
    /// average, of which the share `jitter` is exponential (the model's I/O
    /// wait: (1 − j)·W + Exp(j·W)).
    pub fn new(each_us: f64, keys: u32, nodes: u32, fan_out: FanOut, jitter: f64) -> Fan {
        let mut f = Fan { each_us, keys, nodes, fan_out, mean_us: 0.0, gathered: false };
        f.mean_us = f.mean_with(jitter);
        f
    }

    /// `calls` gets awaited together with `asyncio.gather`, each waiting
    /// `each_us` on average, at most `threads` at once (an executor's pool;
    /// `calls` on Tokio): the request waits for the slowest.
    pub fn gathered(each_us: f64, calls: u32, threads: u32, jitter: f64) -> Fan {
        let threads = threads.clamp(1, calls.max(1));
        let mut f = Fan { each_us, keys: calls, nodes: threads, fan_out: FanOut::Parallel, mean_us: 0.0, gathered: true };
        f.mean_us = f.mean_with(jitter);
        f
    }

    /// The expected number of separate waits.
    pub fn mean_waits(&self) -> f64 {
        if self.gathered {
            self.keys as f64
        } else {
            expected_nodes(self.keys, self.nodes)
        }
    }

    /// The mean wait: one after another, the nodes' waits add up (E[D]·W);
    /// at once, the batch waits for the slowest of D waits, whose mean is
    /// (1 − j)·W + j·W·H(D) (H the harmonic number: the mean maximum of D
    /// exponentials), averaged over the number of nodes visited D. Gathered
    /// calls with fewer threads than calls take ⌈calls/threads⌉ turns of a
    /// thread: the constant parts of a thread's calls add up, and the
    /// exponential parts are taken as the slowest of all the calls (a thread
    /// that comes free early starts the next call at once; the simulator
    /// lends real threads and checks this within a few percent).
    fn mean_with(&self, jitter: f64) -> f64 {
        let w = self.each_us;
        let slowest = |d: u32| (1.0 - jitter) * w + jitter * w * (1..=d).map(|i| 1.0 / f64::from(i)).sum::<f64>();
        match self.fan_out {
            FanOut::Series => self.mean_waits() * w,
            FanOut::Parallel if self.gathered => {
                let waves = self.keys.div_ceil(self.nodes);
                f64::from(waves - 1) * (1.0 - jitter) * w + slowest(self.keys)
            }
            FanOut::Parallel => {
                // The harmonic number H(d) as a running sum over d: O(nodes), not O(nodes²).
                let mut h = 0.0;
                visited(self.keys, self.nodes)
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        h += 1.0 / f64::from(i as u32 + 1);
                        p * ((1.0 - jitter) * w + jitter * w * h)
                    })
                    .sum()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nodes_visited_follow_the_occupancy_law() {
        // One key visits one node; one node is all a batch can visit.
        assert_eq!(visited(1, 8)[0], 1.0);
        assert_eq!(visited(50, 1), vec![1.0]);
        for (k, m) in [(2u32, 4u32), (10, 4), (50, 8), (1_000, 128)] {
            let p = visited(k, m);
            assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{k} keys, {m} nodes");
            let mean: f64 = p.iter().enumerate().map(|(i, p)| (i + 1) as f64 * p).sum();
            assert!((mean - expected_nodes(k, m)).abs() < 1e-9 * m as f64, "{k} keys, {m} nodes: {mean}");
        }
        // Two keys on four nodes share one with probability 1/4.
        assert!((visited(2, 4)[0] - 0.25).abs() < 1e-12);
    }

    #[test]
    fn in_series_the_waits_add_up_and_at_once_the_slowest_counts() {
        let w = 1_000.0;
        // One key, one node: today's get.
        for fan in [FanOut::Series, FanOut::Parallel] {
            assert!((Fan::new(w, 1, 1, fan, 0.18).mean_us - w).abs() < 1e-9);
        }
        // Many keys on 8 nodes: all 8 visited; in series 8 waits.
        assert!((Fan::new(w, 1_000, 8, FanOut::Series, 0.18).mean_us - 8.0 * w).abs() < 1e-6);
        // At once: the mean maximum of 8 waits, H(8) = 2.718 exponential parts.
        let h8: f64 = (1..=8).map(|i| 1.0 / i as f64).sum();
        assert!((Fan::new(w, 1_000, 8, FanOut::Parallel, 0.18).mean_us - (0.82 * w + 0.18 * w * h8)).abs() < 1e-6);
        // A constant wait: the slowest is the wait itself.
        assert!((Fan::new(w, 1_000, 8, FanOut::Parallel, 0.0).mean_us - w).abs() < 1e-9);
    }

    #[test]
    fn a_request_lists_its_calls_batch_first() {
        assert_eq!(Calls::default().list().collect::<Vec<_>>(), vec![Call::Get]);
        let b = Batch { keys: 50, nodes: 4, found: 1.0, fan_out: FanOut::Series };
        let c = Calls { gets: 1, batch: Some(b), batches: 1, gather: false };
        assert_eq!(c.list().collect::<Vec<_>>(), vec![Call::Batch(b), Call::Get]);
        assert_eq!(c.count(), 2);
        let nine = Calls { gets: 0, batches: 9, ..c };
        assert_eq!(nine.list().collect::<Vec<_>>(), vec![Call::Batch(b); 9]);
        assert_eq!((nine.count(), Calls { batches: 9, batch: None, ..c }.count()), (9, 1));
    }
}
