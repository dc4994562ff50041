//! Random draws, every one from the run's one seeded generator: CPU steps, I/O waits, the gaps between arrivals.

use super::state::Sim;
use super::ServiceDist;
use crate::batch::{Fan, FanOut};

impl Sim<'_> {
    pub(super) fn draw_cpu(&mut self, mean: f64) -> f64 {
        match self.cfg.dist {
            ServiceDist::Measured => mean,
            ServiceDist::Exponential => self.exp(mean),
        }
    }

    pub(super) fn exp(&mut self, mean: f64) -> f64 {
        if mean <= 0.0 {
            return 0.0;
        }
        // 1 - u is in (0, 1], so ln never sees zero.
        -mean * (1.0 - self.rng.f64()).ln()
    }

    /// One wait on the server of mean `w` µs: (1 − j)·w + Exp(j·w), or Exp(w) for validation.
    pub(super) fn draw_io(&mut self, w: f64) -> f64 {
        match self.cfg.dist {
            ServiceDist::Exponential => self.exp(w),
            ServiceDist::Measured => {
                let j = self.p.io_jitter;
                w * (1.0 - j) + self.exp(w * j)
            }
        }
    }

    /// A batch's wait on its nodes where its thread waits for them itself:
    /// how many it visits, then their waits added up (one after another) or
    /// the slowest of them (at once, aerospike-py's Tokio tasks).
    pub(super) fn draw_fan(&mut self, f: Fan) -> f64 {
        let d = self.draw_visited(f);
        let waits = (0..d).map(|_| self.draw_io(f.each_us));
        match f.fan_out {
            FanOut::Series => waits.sum(),
            FanOut::Parallel => waits.fold(0.0, f64::max),
        }
    }

    /// How many nodes one batch visits, drawn from the occupancy law of its keys.
    pub(super) fn draw_visited(&mut self, f: Fan) -> usize {
        if f.gathered {
            // Tokio's tasks all wait at once (the executor lends threads instead).
            return f.keys as usize;
        }
        if self.fan_cdf.as_ref().is_none_or(|(k, m, _)| (*k, *m) != (f.keys, f.nodes)) {
            let mut acc = 0.0;
            let cdf = crate::batch::visited(f.keys, f.nodes)
                .into_iter()
                .map(|p| {
                    acc += p;
                    acc
                })
                .collect();
            self.fan_cdf = Some((f.keys, f.nodes, cdf));
        }
        let u = self.rng.f64();
        let cdf = &self.fan_cdf.as_ref().expect("set just above").2;
        cdf.partition_point(|&c| c <= u).min(cdf.len() - 1) + 1
    }

    /// The time to an open load's next arrival: exponential, or hyperexponential when bursty.
    pub(super) fn gap(&mut self) -> f64 {
        let o = self.open.as_ref().expect("open load");
        let (mean, bursts) = (o.gap_us, o.bursts);
        match bursts {
            None => self.exp(mean),
            Some((p, short, long)) => {
                let m = if self.rng.f64() < p { short } else { long };
                self.exp(m)
            }
        }
    }
}
