//! I/O × concurrency cards: each pattern's numbers at one point, analytic first, simulated figures added as they finish, and a verdict bounded by what the model shows.

use perfmodel::mva::Bounds;
use perfmodel::sim::simulate;
use perfmodel::{
    predict::{short_run, ShortRun},
    predict_curve, ModelError, Params, Pattern, Scenario,
};
use serde::Serialize;

use crate::answer::Ahead;
use crate::format::{count, number};
use crate::stages::{numbers_struct, Staged};

/// Seed of the card simulations.
pub const SEED: u64 = 41;

/// What the simulator adds to a card.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Simulated {
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub threads: u32,
    pub queued: f64,
    pub gil_utilization: f64,
    /// The simulator's events (its work).
    pub events: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Card {
    pub pattern: Pattern,
    /// Analytic, requests/s.
    pub throughput: f64,
    /// Analytic mean latency, ms.
    pub mean_ms: f64,
    pub bounds: Bounds,
    pub sim: Option<Simulated>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CardsData {
    /// The point the cards show.
    #[serde(skip)]
    pub scenario: Scenario,
    pub io_wait_ms: f64,
    pub concurrency: u32,
    pub pool: u32,
    pub cards: Vec<Card>,
}

/// The analytic half of every card.
pub fn cards_data(p: &Params, s: &Scenario) -> Result<CardsData, ModelError> {
    let mut cards = Vec::new();
    for pattern in Pattern::COMPARED {
        let q = &predict_curve(pattern, p, s, &[s.concurrency])?[0];
        cards.push(Card { pattern, throughput: q.throughput_ops_s, mean_ms: q.latency_ms.mean, bounds: q.bounds, sim: None });
    }
    Ok(CardsData { scenario: *s, io_wait_ms: s.io_wait_ms, concurrency: s.concurrency, pool: s.pool_size(), cards })
}

numbers_struct!(Simulated { p50_ms, p99_ms, threads, queued, gil_utilization, events });

/// The analytic numbers at once, one simulation per pattern.
impl Staged for CardsData {
    const NAME: &'static str = "cards";
    type Input = Scenario;
    type Job = Pattern;
    type Answer = (Pattern, Simulated);
    fn start(p: &Params, s: &Scenario) -> Result<CardsData, ModelError> {
        cards_data(p, s)
    }
    fn jobs(&self) -> Vec<Pattern> {
        Pattern::COMPARED.to_vec()
    }
    fn run(&self, p: &Params, pattern: Pattern) -> Result<(Pattern, Simulated), ModelError> {
        simulate_card(p, &self.scenario, pattern).map(|sim| (pattern, sim))
    }
    fn fold(&mut self, (pattern, sim): (Pattern, Simulated)) {
        if let Some(c) = self.cards.iter_mut().find(|c| c.pattern == pattern) {
            c.sim = Some(sim);
        }
    }
    fn is_complete(&self) -> bool {
        self.cards.iter().all(|c| c.sim.is_some())
    }
}

/// The simulated half of one card: one warm-up cycle, then max(5,000, N)
/// measured requests capped at 50,000.
pub fn simulate_card(p: &Params, s: &Scenario, pattern: Pattern) -> Result<Simulated, ModelError> {
    let cfg = short_run(s, SEED, ShortRun { min: 5_000, cap: 50_000, warmup_min: 1_000, warmup_cap: u64::MAX });
    let r = simulate(pattern, p, s, &cfg)?;
    Ok(Simulated {
        p50_ms: r.latency_ms.p50,
        p99_ms: r.latency_ms.p99,
        threads: r.threads,
        queued: r.queued,
        gil_utilization: r.gil_utilization + r.gil_background,
        events: r.events,
    })
}

/// What the cards' verdict opens with, before the ratio.
pub const VERDICT_LEAD: &str = "Tokio ÷ executor throughput: ";

impl CardsData {
    pub fn get(&self, p: Pattern) -> &Card {
        self.cards.iter().find(|c| c.pattern == p).expect("every compared pattern has a card")
    }

    /// Tokio's throughput over the executor's.
    pub fn ratio(&self) -> f64 {
        self.get(Pattern::Tokio).throughput / self.get(Pattern::Executor).throughput
    }

    /// One line comparing the two async patterns, saying only what the numbers show.
    pub fn verdict(&self) -> String {
        let (ex, tk) = (self.get(Pattern::Executor), self.get(Pattern::Tokio));
        let r = self.ratio();
        // The side is called as every figure's answer calls it (charts::answer).
        let a = Ahead::of_ratio(r);
        let (lead, other) = a.names();
        let (first, second) = a.short_names();
        let mut s = match a {
            Ahead::Even => format!("Neither is ahead here: {lead} and {other} are {} of each other's requests per second", a.by()),
            // ASCII: Unicode's case tables would cost the module about 18 KB.
            _ => {
                format!("{}{} is ahead here: {first} completes {} {second}'s requests per second", lead[..1].to_ascii_uppercase(), &lead[1..], a.by())
            }
        };
        // Which limit binds the executor, when one does.
        let ((cap, which), (tk_cap, tk_which)) = (ex.bounds.binding(), tk.bounds.binding());
        let near = ex.throughput > 0.8 * cap && tk.throughput > 0.8 * tk_cap;
        if ex.throughput > 0.8 * cap && which == "pool" {
            s.push_str(&format!(
                ". The executor sits at its pool cap ({} threads each held for the whole I/O wait, {} requests/s)",
                self.pool,
                number(cap)
            ));
        } else if near && which == "gil" && tk_which == "gil" {
            s.push_str(". Both are close to their GIL ceilings, so the GIL, not the I/O, sets the pace");
        } else if near && which != "pool" && tk_which != "pool" {
            s.push_str(
                ". Both are close to what the cores allow (their CPU work per request, GIL-held or not), so the CPU, not the I/O, sets the pace",
            );
        }
        if let (Some(e), Some(t)) = (ex.sim, tk.sim) {
            s.push_str(&format!(". Simulated p99: executor {} ms, Tokio {} ms", number(e.p99_ms), number(t.p99_ms)));
        }
        s.push('.');
        s
    }

    pub fn summary(&self) -> String {
        let parts: Vec<String> = self.cards.iter().map(|c| format!("{} {} requests/s", c.pattern.label(), number(c.throughput))).collect();
        format!(
            "At {} ms I/O wait, {} callers and a pool of {}: {}. {}",
            number(self.io_wait_ms),
            count(self.concurrency),
            self.pool,
            parts.join("; "),
            self.verdict()
        )
    }
}
