//! The verdict and the summary: sentences built only from the outcomes' numbers (who meets the target, what binds, what a bigger pool would do).

use perfmodel::Pattern;

use super::outcome::{rate_of, Limit, Outcome, ServiceData};
use super::{Load, NEAR};
use crate::format::{count, number, percent};
use crate::runs::POOLS;

impl ServiceData {
    /// The verdict, built only from the outcomes above: who meets the target, what binds, what a bigger pool would do.
    pub fn verdict(&self) -> Vec<String> {
        let s = &self.service;
        let (ex, tk) = (self.get(Pattern::Executor), self.get(Pattern::Tokio));
        let (Some(ex_ok), Some(tk_ok)) = (ex.meets(s), tk.meets(s)) else {
            return vec!["Simulating the latency at your load…".into()];
        };
        let target = format!("p99 ≤ {} ms at {}", number(s.target_p99_ms), self.load_words());
        let p99 = |o: &Outcome| o.sim.map(|a| format!("{} ms", number(a.p99_ms))).unwrap_or_else(|| "—".into());
        let why = |o: &Outcome| match o.binds(s) {
            Some(Limit::Target) => format!("its p99 is {}", p99(o)),
            Some(Limit::Memory) => format!("it needs {} MiB, above the pod's {} MiB", number(o.resident_mib), number(s.pod_limit_mib)),
            Some(l) => format!("{} caps it at {} requests/s", l.words(), number(o.capacity)),
            None => String::new(),
        };
        let mut out = Vec::new();
        match (ex_ok, tk_ok) {
            (true, true) => out.push(format!(
                "Switching gains nothing you asked for: both the executor (pool of {}) and aerospike-py's async client meet {target} (p99 {} and {}).",
                ex.pool,
                p99(ex),
                p99(tk)
            )),
            (false, true) => out.push(format!(
                "aerospike-py's async client meets {target} (p99 {}); the executor with a pool of {} does not: {}.",
                p99(tk),
                ex.pool,
                why(ex)
            )),
            (true, false) => out.push(format!(
                "Stay with the executor: with a pool of {} it meets {target} (p99 {}), and aerospike-py's async client does not: {}.",
                ex.pool,
                p99(ex),
                why(tk)
            )),
            (false, false) => out.push(format!(
                "Neither meets {target} in one process: the executor because {}, aerospike-py's async client because {}.",
                why(ex),
                why(tk)
            )),
        }
        if !ex_ok {
            match self.smallest_pool() {
                Some(Some(o)) => out.push(format!(
                    "A pool of {} threads would meet it with the official client (p99 {}), at {} threads and {} MiB resident{}.",
                    o.pool,
                    p99(o),
                    count(o.threads),
                    number(o.resident_mib),
                    if tk_ok {
                        format!(
                            " against Tokio's {} threads and {} MiB: resizing the pool is the smaller change",
                            count(tk.threads),
                            number(tk.resident_mib)
                        )
                    } else {
                        String::new()
                    }
                )),
                Some(None) => {
                    out.push(format!("No pool size up to {} threads meets it with the official client.", count(*POOLS.last().expect("pools"))))
                }
                None => {}
            }
        }
        if !ex_ok && !tk_ok {
            let best = ex.capacity.max(tk.capacity);
            if let Load::Rate(r) = s.load {
                if r > best {
                    out.push(format!(
                        "One Python process tops out at {} requests/s here; {} processes (each with its own GIL) would share the load.",
                        number(best),
                        ((r / (NEAR * best)).ceil() as u32).max(2)
                    ));
                }
            }
        }
        for o in [ex, tk] {
            if o.near_capacity(s) {
                out.push(format!(
                    "{} runs at {} of its capacity: near it, a small rise in the rate makes its tail much longer.",
                    o.pattern.label(),
                    percent(rate_of(s, o) / o.capacity)
                ));
            }
        }
        out
    }

    /// A text summary of the table, for screen readers and the no-JavaScript page.
    pub fn summary(&self) -> String {
        let parts: Vec<String> = self
            .patterns
            .iter()
            .map(|o| {
                format!(
                    "{}: capacity {} requests/s ({}), {}",
                    o.pattern.label(),
                    number(o.capacity),
                    o.capped_by.words(),
                    o.sim.map(|a| format!("p99 {} ms", number(a.p99_ms))).unwrap_or_else(|| if o.in_flight.is_none() {
                        "over capacity".into()
                    } else {
                        "p99 pending".into()
                    })
                )
            })
            .collect();
        format!("At {} with {} ms I/O wait: {}. {}", self.load_words(), number(self.service.io_wait_ms()), parts.join("; "), self.verdict().join(" "))
    }
}
