//! Random draws, every one from the run's one seeded generator: CPU steps, I/O waits, the gaps between arrivals.

use super::state::Sim;
use super::ServiceDist;

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

    pub(super) fn draw_io(&mut self) -> f64 {
        let w = self.io_us;
        match self.cfg.dist {
            ServiceDist::Exponential => self.exp(w),
            ServiceDist::Measured => {
                let j = self.p.io_jitter;
                w * (1.0 - j) + self.exp(w * j)
            }
        }
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
