//! The verdict and the summary: sentences built only from the outcomes' numbers (who meets the target, what binds, what a bigger pool would do).

use perfmodel::Pattern;

use perfmodel::scenario::range;

use super::outcome::{rate_of, Grown, Limit, Outcome, ServiceData};
use super::{Load, Objective, NEAR};
use crate::answer::Ahead;
use crate::format::{cores, count, number, percent};
use crate::runs::POOLS;

/// How much more one side carries, by a ratio above 1: "28.0% more", or "10.6× as many" from twice on.
fn more(r: f64) -> String {
    if r >= 2.0 {
        format!("{}× as many", number(r))
    } else {
        format!("{} more", percent(r - 1.0))
    }
}

/// How a way of calling the official client reads in a sentence: "the executor (pool of 20)".
fn official_words(o: &Outcome) -> String {
    match o.pattern {
        Pattern::Executor => format!("the executor (pool of {})", o.pool),
        Pattern::Threadpool => format!("a plain def endpoint (the framework's {} threads)", count(o.pool)),
        Pattern::Sync => "the blocking call in async def".into(),
        p => p.label().to_string(),
    }
}

impl ServiceData {
    /// The verdict, built only from the outcomes above, for the reader's objective.
    pub fn verdict(&self) -> Vec<String> {
        let mut v = match self.service.objective {
            Objective::Target => self.target_verdict(),
            Objective::Most => self.most_verdict(),
            Objective::Throughput => self.throughput_verdict(),
        };
        // Gathered calls where today's way cannot await: it makes them in turn.
        let c = self.service.calls;
        if c.gathered_in(Pattern::Tokio) && !c.gathered_in(self.service.official) {
            v.push(format!(
                "Today's way, {}, cannot await its calls together: it makes the {} one after another, while aerospike-py awaits them with asyncio.gather.",
                official_words(self.today()),
                count(c.count())
            ));
        }
        v
    }

    /// Throughput alone: who sustains more, the load against it, a larger service when none carries it.
    fn throughput_verdict(&self) -> Vec<String> {
        let s = &self.service;
        let (ex, tk) = (self.today(), self.get(Pattern::Tokio));
        let today = official_words(ex);
        let mut out = Vec::new();
        let (what, a, b) = match s.load {
            Load::Rate(_) => ("sustains up to".to_string(), tk.capacity, ex.capacity),
            Load::InFlight(n) => (format!("completes, at your {} requests in flight,", count(n)), tk.throughput, ex.throughput),
        };
        out.push(format!(
            "For throughput alone, aerospike-py's async client {what} {} requests/s per pod and {today} {}: {}.",
            number(a),
            number(b),
            match Ahead::of(a, b, true) {
                Ahead::Tokio(r) => format!("aerospike-py is ahead, {}", more(r)),
                Ahead::Executor(r) => format!("{today} is ahead, {}", more(r)),
                Ahead::Even => format!("level, {}", Ahead::Even.by()),
            }
        ));
        if let Load::Rate(r) = s.load {
            let (carry, not): (Vec<&Outcome>, Vec<&Outcome>) = [ex, tk].into_iter().partition(|o| o.capacity >= r);
            let names = |v: &[&Outcome]| {
                v.iter()
                    .map(|o| if o.pattern == Pattern::Tokio { "aerospike-py".to_string() } else { official_words(o) })
                    .collect::<Vec<_>>()
                    .join(" and ")
            };
            match (carry.is_empty(), not.is_empty()) {
                (false, true) => out.push(format!("Both carry your {} requests/s.", number(r))),
                (false, false) => out.push(format!("Your {} requests/s is within {}'s capacity, not {}'s.", number(r), names(&carry), names(&not))),
                (true, _) => out.push(self.grown_sentence(r, self.grown.flatten())),
            }
        }
        out.push(format!("Latency is left out, as you asked; {} has the p99 of each at your load.", "the table"));
        out
    }

    /// The most requests/s within the target: the highest rung of each ladder whose simulated p99 is within it.
    fn most_verdict(&self) -> Vec<String> {
        let s = &self.service;
        let ex = self.today();
        let (Some(a), Some(b)) = (self.most_within(Pattern::Tokio), self.most_within(ex.pattern)) else {
            return vec!["Simulating each pattern at rising rates…".into()];
        };
        let today = official_words(ex);
        let target = format!("p99 ≤ {} ms", number(s.target_p99_ms));
        let share = super::outcome::share_words;
        let rung = |r: &super::outcome::Rung| format!("{} requests/s per pod ({} of its capacity)", number(r.rate), share(r.share));
        let lowest = format!("{} of its capacity", share(super::outcome::MOST[0]));
        let mut out = vec![match (a, b) {
            (Some(a), Some(b)) => format!(
                "Within {target}, aerospike-py's async client carries up to {} and {today} up to {}: {}.",
                rung(a),
                rung(b),
                match Ahead::of(a.rate, b.rate, true) {
                    Ahead::Tokio(r) => format!("aerospike-py carries {}", more(r)),
                    Ahead::Executor(r) => format!("{today} carries {}", more(r)),
                    Ahead::Even => format!("level, {}", Ahead::Even.by()),
                }
            ),
            (Some(a), None) => {
                format!("Within {target}, aerospike-py's async client carries up to {}; {today} misses the target even at {lowest}.", rung(a))
            }
            (None, Some(b)) => {
                format!("Within {target}, {today} carries up to {}; aerospike-py's async client misses the target even at {lowest}.", rung(b))
            }
            (None, None) => format!("Neither meets {target} even at {lowest}."),
        }];
        let shares: Vec<String> = super::outcome::MOST.iter().map(|m| format!("{:.0}", m * 100.0)).collect();
        out.push(format!(
            "Each was simulated at {} and {}% of its capacity; the answer is the highest share whose p99 stayed within the target.",
            shares[..shares.len() - 1].join(", "),
            shares[shares.len() - 1]
        ));
        out
    }

    /// The verdict for a p99 target at the load: who meets it, what binds, what a bigger pool would do.
    fn target_verdict(&self) -> Vec<String> {
        let s = &self.service;
        let (ex, tk) = (self.today(), self.get(Pattern::Tokio));
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
        let today = official_words(ex);
        let mut out = Vec::new();
        match (ex_ok, tk_ok) {
            (true, true) => out.push(format!(
                "Switching gains nothing you asked for: both {today} and aerospike-py's async client meet {target} (p99 {} and {}).",
                p99(ex),
                p99(tk)
            )),
            (false, true) => out.push(format!("aerospike-py's async client meets {target} (p99 {}); {today} does not: {}.", p99(tk), why(ex))),
            (true, false) => {
                out.push(format!("Stay with {today}: it meets {target} (p99 {}), and aerospike-py's async client does not: {}.", p99(ex), why(tk)))
            }
            (false, false) => out.push(format!(
                "Neither meets {target}{}: {today} because {}, aerospike-py's async client because {}.",
                // The target's load names the worker processes when there are several.
                if s.workers <= 1 { " in one process" } else { "" },
                why(ex),
                why(tk)
            )),
        }
        // Another way of calling the official client that meets what today's does not: no new client needed.
        if !ex_ok {
            let other = self.patterns.iter().filter(|o| o.pattern != ex.pattern && o.pattern != Pattern::Tokio).find(|o| o.meets(s) == Some(true));
            if let Some(o) = other {
                out.push(format!("Without changing clients, {} would meet it too (p99 {}).", official_words(o), p99(o)));
            }
        }
        if !ex_ok && ex.pattern == Pattern::Executor {
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
            out.push(self.grown_sentence(r, grown));
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

    /// A rate above every capacity: where the pod tops out, and the larger service that carries it.
    fn grown_sentence(&self, r: f64, grown: Option<Grown>) -> String {
        let s = &self.service;
        let best = self.patterns.iter().filter(|o| o.pattern != Pattern::Sync).map(|o| o.capacity).fold(0.0, f64::max);
        let who = if s.workers <= 1 { "One Python process tops out".to_string() } else { format!("{} worker processes top out", count(s.workers)) };
        let carry = |g: &Grown| {
            let who = match g.pattern {
                Pattern::Tokio => "aerospike-py's async client".to_string(),
                Pattern::Executor => format!("the executor (pool of {} per process)", self.get(Pattern::Executor).pool),
                p => official_words(self.get(p)),
            };
            format!("{who} would carry up to {} requests/s", number(g.capacity))
        };
        match grown {
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
        }
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
