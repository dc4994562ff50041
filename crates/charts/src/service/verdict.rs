//! The verdict and the summary: sentences built only from the outcomes' numbers (who meets the target, what binds, what a bigger pool would do).

use perfmodel::Pattern;

use perfmodel::scenario::range;

use super::outcome::{rate_of, Grown, Limit, Outcome, ServiceData};
use super::{Load, NEAR};
use crate::format::{cores, count, number, percent};
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
                "Neither meets {target}{}: the executor because {}, aerospike-py's async client because {}.",
                // The target's load names the worker processes when there are several.
                if s.workers <= 1 { " in one process" } else { "" },
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
        if let (false, false, Load::Rate(r), Some(grown)) = (ex_ok, tk_ok, s.load, self.grown) {
            let best = ex.capacity.max(tk.capacity);
            let who =
                if s.workers <= 1 { "One Python process tops out".to_string() } else { format!("{} worker processes top out", count(s.workers)) };
            let carry = |g: &Grown| {
                let who = match g.pattern {
                    Pattern::Tokio => "aerospike-py's async client".to_string(),
                    _ => format!("the executor (pool of {} per process)", ex.pool),
                };
                format!("{who} would carry up to {} requests/s", number(g.capacity))
            };
            out.push(match grown {
                Some(g) if g.cores == s.cores => format!(
                    "{who} at {} requests/s here. With {} worker processes sharing the same {} (each with its own GIL), {}.",
                    number(best),
                    count(g.workers),
                    cores(s.cores),
                    carry(&g)
                ),
                Some(g) => format!(
                    "{who} at {} requests/s here, and more worker processes on {} do not carry {} requests/s: the CPU quota binds. With {} and {} worker processes, {}.",
                    number(best),
                    cores(s.cores),
                    number(r),
                    cores(g.cores),
                    count(g.workers),
                    carry(&g)
                ),
                None => format!(
                    "{who} at {} requests/s here, and no pod of up to {} worker processes and {} carries {} requests/s below {} of its capacity: the load needs several pods.",
                    number(best),
                    count(range::WORKERS.1 as u32),
                    cores(range::CORES.1),
                    number(r),
                    percent(NEAR)
                ),
            });
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
