//! Where each pattern wins and loses, at stated scenarios: the executor with Python's default pool, the executor with the pool that catches up, and Tokio, each by throughput and simulated p99, and who is ahead. The verdict pages show this table; nothing in it is typed by hand.

use perfmodel::scenario::{LOCALHOST_RTT_MS, PRESETS};
use perfmodel::{ModelError, Params, Pattern, Scenario};

use crate::format::{count, number};
use crate::latency::p99_point;
use crate::pools::CATCH_UP;

/// A stated scenario of the verdict table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Case {
    pub key: &'static str,
    pub label: &'static str,
    pub scenario: Scenario,
}

fn rtt(key: &str) -> f64 {
    PRESETS.iter().find(|p| p.key == key).map(|p| p.rtt_ms).unwrap_or(LOCALHOST_RTT_MS)
}

/// The cases, from the benchmark's own conditions outwards.
pub fn cases() -> Vec<Case> {
    let d = Scenario::default();
    vec![
        Case { key: "one", label: "One request at a time, localhost", scenario: Scenario { concurrency: 1, ..d } },
        Case { key: "benchmark", label: "The benchmark: localhost, 50 callers", scenario: d },
        Case { key: "cpu-thread", label: "Localhost, 50 callers, one CPU-bound Python thread", scenario: Scenario { background_threads: 1, ..d } },
        Case { key: "same-zone", label: "Same zone, 256 in flight", scenario: Scenario { io_wait_ms: rtt("same-zone"), concurrency: 256, ..d } },
        Case {
            key: "cross-zone",
            label: "Cross zone, 1,000 in flight",
            scenario: Scenario { io_wait_ms: rtt("cross-zone"), concurrency: 1_000, ..d },
        },
        Case {
            key: "cross-region",
            label: "Cross region, 500 in flight",
            scenario: Scenario { io_wait_ms: rtt("cross-region"), concurrency: 500, ..d },
        },
    ]
}

/// One contender at one case, all from one simulation (so throughput and percentiles agree).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cell {
    pub pool: Option<u32>,
    pub throughput: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// A row: the executor with Python's default pool, with the pool that catches up with Tokio (if any), and Tokio.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub case: Case,
    pub default: Cell,
    /// The smallest pool within 5% of Tokio's throughput (`None`: none up to [`crate::runs::LARGEST_POOL`]).
    pub catch_up: Option<u32>,
    /// The executor at that pool, when it is bigger than the default.
    pub tuned: Option<Cell>,
    pub tokio: Cell,
    /// The blocking call's median latency, ms.
    pub sync_p50_ms: f64,
    /// The analytic solver's requests/s for the default pool and Tokio (the throughput and latency figures' curves).
    pub analytic: [f64; 2],
}

fn cell(p: &Params, s: &Scenario, pattern: Pattern) -> Result<Cell, ModelError> {
    let sim = p99_point(p, s, pattern, s.concurrency)?;
    Ok(Cell { pool: (pattern == Pattern::Executor).then(|| s.pool_size()), throughput: sim.throughput, p50_ms: sim.p50_ms, p99_ms: sim.p99_ms })
}

/// Every row, fully simulated (6 cases × at most 3 short runs).
pub fn rows(p: &Params) -> Result<Vec<Row>, ModelError> {
    cases()
        .into_iter()
        .map(|case| {
            let s = case.scenario;
            let default = cell(p, &s, Pattern::Executor)?;
            let tokio = cell(p, &s, Pattern::Tokio)?;
            // The tuned pool: none needed where the default pool already keeps up in
            // the simulation; else the smallest on the figure's curve whose throughput
            // is within 5% of Tokio's.
            let catch_up = if default.throughput >= (1.0 - CATCH_UP) * tokio.throughput {
                Some(s.pool_size())
            } else {
                crate::pools::pools_data(p, &s)?.catch_up()
            };
            // One request at a time needs one thread: no pool to tune.
            let tuned = match catch_up {
                Some(pool) if pool > s.pool_size() && s.concurrency > 1 => Some(cell(p, &Scenario { pool: Some(pool), ..s }, Pattern::Executor)?),
                _ => None,
            };
            let sync_p50_ms = p99_point(p, &s, Pattern::Sync, s.concurrency)?.p50_ms;
            let analytic = |pattern| perfmodel::predict(pattern, p, &s, perfmodel::Solver::Analytic, 0).map(|r| r.throughput_ops_s);
            let analytic = [analytic(Pattern::Executor)?, analytic(Pattern::Tokio)?];
            Ok(Row { case, default, catch_up, tuned, tokio, sync_p50_ms, analytic })
        })
        .collect()
}

/// "a" ahead of "b" by this factor or more counts as ahead; closer is "even".
fn compare(a: f64, b: f64, higher_wins: bool) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    let r = if higher_wins { a / b } else { b / a };
    if r >= 1.0 + CATCH_UP {
        Greater
    } else if r <= 1.0 / (1.0 + CATCH_UP) {
        Less
    } else {
        Equal
    }
}

impl Row {
    /// Who is ahead, in words built from the cells: Tokio against the default pool, then against the tuned pool.
    pub fn verdict(&self) -> String {
        use std::cmp::Ordering::*;
        let (d, t) = (&self.default, &self.tokio);
        let single = self.case.scenario.concurrency == 1;
        let mut v = if single {
            match compare(t.p50_ms, d.p50_ms, false) {
                Greater => format!("Tokio answers sooner (median {} against {} ms)", number(t.p50_ms), number(d.p50_ms)),
                Less => format!(
                    "The executor answers sooner (median {} against {} ms); a blocking call takes {} ms",
                    number(d.p50_ms),
                    number(t.p50_ms),
                    number(self.sync_p50_ms)
                ),
                Equal => format!("Even (median {} and {} ms)", number(d.p50_ms), number(t.p50_ms)),
            }
        } else {
            match compare(t.throughput, d.throughput, true) {
                Greater => format!("Tokio ahead of the default pool ({}× its requests/s)", number(t.throughput / d.throughput)),
                Less => format!("The default pool ahead of Tokio ({}× its requests/s)", number(d.throughput / t.throughput)),
                Equal => "Even on throughput".to_string(),
            }
        };
        if !single {
            match (compare(t.p99_ms, d.p99_ms, false), self.tuned) {
                (_, Some(tu)) => v.push_str(&format!(
                    "; a pool of {} threads comes within 5% (p99 {} against Tokio's {} ms)",
                    count(tu.pool.unwrap_or(0)),
                    number(tu.p99_ms),
                    number(t.p99_ms)
                )),
                (Less, None) => v.push_str(&format!("; the default pool's p99 is lower ({} against {} ms)", number(d.p99_ms), number(t.p99_ms))),
                (Greater, None) => {
                    v.push_str(&format!("; Tokio's p99 is lower ({} against {} ms) and no pool catches up", number(t.p99_ms), number(d.p99_ms)))
                }
                (Equal, None) => {}
            }
        }
        v
    }
}

/// The table as Markdown.
pub fn markdown(rows: &[Row]) -> String {
    let c = |x: &Cell| format!("{}/s · p99 {} ms", number(x.throughput), number(x.p99_ms));
    let d = Scenario::default();
    let mut t = format!(
        "\n\n| Scenario ({} cores) | Executor, Python's default pool ({}) | Executor, pool that catches up | Tokio (aerospike-py) | Who is ahead |\n|---|---|---|---|---|\n",
        number(d.cores),
        count(d.pool_size())
    );
    for r in rows {
        t.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            r.case.label,
            c(&r.default),
            match (r.catch_up, r.tuned) {
                (_, Some(x)) => format!("{} threads: {}", count(x.pool.unwrap_or(0)), c(&x)),
                (Some(_), None) if r.case.scenario.concurrency == 1 => "one thread is all it uses".into(),
                (Some(_), None) => "the default pool already does".into(),
                (None, None) => format!("none up to {} threads", count(crate::runs::LARGEST_POOL)),
            },
            c(&r.tokio),
            r.verdict()
        ));
    }
    // The same cell reads differently on the figures' analytic curves: say which solver gives which number.
    if let Some(b) = rows.iter().find(|r| r.case.key == "benchmark") {
        let [e, k] = b.analytic;
        let (se, sk) = (b.default.throughput, b.tokio.throughput);
        let lead = |exec: f64, tokio: f64| if exec >= tokio { ("the default pool", exec / tokio) } else { ("Tokio", tokio / exec) };
        let ((an, ar), (sn, sr)) = (lead(e, k), lead(se, sk));
        let agree = if an == sn { format!("both put {an} ahead") } else { format!("the analytic solver puts {an} ahead, the simulator {sn}") };
        t.push_str(&format!(
            "\nEvery cell above is one simulated run. The throughput and latency figures draw the analytic solver: at the benchmark it gives {}/s for the default pool and {}/s for Tokio, where the simulation gives {}/s and {}/s; {agree} ({}× analytic, {}× simulated).\n",
            number(e),
            number(k),
            number(se),
            number(sk),
            number(ar),
            number(sr),
        ));
    }
    t.push('\n');
    t
}
