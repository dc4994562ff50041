//! Poisson arrival times from a seeded generator, so a run can be repeated exactly.

/// SplitMix64: a small, well-mixed generator; the lab needs repeatability, not secrecy.
struct SplitMix(u64);

impl SplitMix {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1]: never 0, so its logarithm is finite.
    fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 1.0) / (1u64 << 53) as f64
    }
}

/// Send times in seconds from the start, of a Poisson process at `rate`
/// per second over `seconds`; at most `limit` of them (the caller's bound
/// on a run's work).
pub fn poisson(rate: f64, seconds: f64, seed: u64, limit: usize) -> Vec<f64> {
    let mut rng = SplitMix(seed);
    let mut t = 0.0;
    let mut out = Vec::new();
    if !(rate > 0.0 && seconds > 0.0) {
        return out;
    }
    while out.len() < limit {
        t += -rng.unit().ln() / rate;
        if t >= seconds {
            break;
        }
        out.push(t);
    }
    out
}
