//! One `get` in each pattern, step by step and side by side (thread, GIL or not, time, what happens), with GIL holds and thread hops: the path both solvers read, as a table.

use perfmodel::pattern::{gil_holds, steps, totals, PathTotals, Role, Work};
use perfmodel::{ModelError, Params, Pattern, Scenario};

use crate::answer::Ahead;
use crate::format::number;
use crate::html::esc;

/// One step as a reader sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRow {
    pub thread: &'static str,
    pub work: Work,
    pub what: &'static str,
}

/// A pattern's steps and what they add up to.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternSteps {
    pub pattern: Pattern,
    pub rows: Vec<StepRow>,
    pub totals: PathTotals,
    /// The separate GIL holds, µs.
    pub holds: Vec<f64>,
}

/// The three patterns at one I/O wait.
#[derive(Debug, Clone, PartialEq)]
pub struct StepsData {
    pub io_wait_ms: f64,
    pub patterns: Vec<PatternSteps>,
}

/// A thread's name for a Python reader, short enough for a narrow column.
pub(crate) fn thread_name(r: Role) -> &'static str {
    match r {
        Role::Caller => "caller",
        Role::Loop => "event loop",
        Role::Worker => "pool worker",
        Role::Blocking => "Tokio blocking-pool thread",
        Role::Tokio => "Tokio worker",
    }
}

/// µs below a millisecond, ms above.
pub(crate) fn duration(us: f64) -> String {
    if us >= 1000.0 {
        format!("{} ms", number(us / 1000.0))
    } else {
        format!("{} µs", number(us))
    }
}

pub fn steps_data(p: &Params, s: &Scenario) -> Result<StepsData, ModelError> {
    p.validate()?;
    let (s, _) = s.clamped();
    let patterns = Pattern::COMPARED
        .iter()
        .map(|&pattern| {
            let path = steps(pattern, p, &s);
            PatternSteps {
                pattern,
                rows: path.iter().map(|st| StepRow { thread: thread_name(st.role), work: st.work, what: st.what }).collect(),
                totals: totals(&path),
                holds: gil_holds(&path),
            }
        })
        .collect();
    Ok(StepsData { io_wait_ms: s.io_wait_ms, patterns })
}

impl PatternSteps {
    /// "GIL held 28.9 µs in 2 holds · 0 thread hops · …": the line under a pattern's table.
    pub(crate) fn tally(&self) -> String {
        let t = &self.totals;
        let hops = t.thread_hops;
        format!(
            "GIL held {} in {} hold{}; CPU without the GIL {}; {} thread hop{}; {} alone, before any queueing.",
            duration(t.gil_us()),
            self.holds.len(),
            if self.holds.len() == 1 { "" } else { "s" },
            duration(t.cpu_us),
            hops,
            if hops == 1 { "" } else { "s" },
            duration(t.total_us())
        )
    }
}

impl StepsData {
    /// The three tables side by side, as HTML (escaped).
    pub fn html(&self) -> String {
        let mut h = String::from("<div class=\"steps-grid\">");
        for ps in &self.patterns {
            let name = ps.pattern.name();
            h.push_str(&format!(
                "<section class=\"steps-pattern\" data-pattern=\"{name}\"><p class=\"steps-name\" role=\"heading\" aria-level=\"2\"><span class=\"widget-swatch {name}\"></span>{}</p>\
                 <table class=\"steps-table\">\
                 <caption>{} at {} ms of I/O wait</caption>\
                 <thead><tr><th scope=\"col\">#</th><th scope=\"col\">Thread · time: what happens</th></tr></thead><tbody>",
                esc(ps.pattern.label()),
                esc(ps.pattern.label()),
                number(self.io_wait_ms)
            ));
            for (i, r) in ps.rows.iter().enumerate() {
                let class = match r.work {
                    Work::Gil(_) => "gil",
                    Work::Cpu(_) => "cpu",
                    Work::Io(_) | Work::Fan(_) => "io",
                    Work::Wake(_) => "wake",
                };
                let gil = if r.work.holds_gil() { " <strong class=\"step-gil-tag\">GIL</strong>" } else { "" };
                h.push_str(&format!(
                    "<tr class=\"step-{class}\"><th scope=\"row\">{}</th><td><span class=\"step-where\">{} · {}{gil}</span> {}</td></tr>",
                    i + 1,
                    esc(r.thread),
                    duration(r.work.us()),
                    esc(r.what)
                ));
            }
            h.push_str(&format!("</tbody></table><p class=\"steps-tally\" data-testid=\"tally-{name}\">{}</p></section>", esc(&ps.tally())));
        }
        h.push_str("</div>");
        h
    }

    pub fn get(&self, p: Pattern) -> Option<&PatternSteps> {
        self.patterns.iter().find(|ps| ps.pattern == p)
    }

    /// The figure's answer: which async pattern answers one request alone
    /// sooner, by how much, and the GIL each holds on the way.
    pub fn answer(&self) -> String {
        let (Some(ex), Some(tk)) = (self.get(Pattern::Executor), self.get(Pattern::Tokio)) else { return String::new() };
        let alone = |ps: &PatternSteps| ps.totals.total_us();
        let a = Ahead::of(alone(tk), alone(ex), false);
        let (lead, other) = a.names();
        let (x, y) = a.first(tk, ex);
        let (first, second) = a.short_names();
        let at = format!("For one get alone at {} ms of I/O wait", number(self.io_wait_ms));
        let gil = format!(
            "{first} holds the GIL {} in {} holds, {second} {} in {}",
            duration(x.totals.gil_us()),
            x.holds.len(),
            duration(y.totals.gil_us()),
            y.holds.len()
        );
        match a {
            Ahead::Even => format!(
                "{at}, neither is ahead: {lead} and {other} answer {} of each other ({} and {}); {gil}.",
                a.by(),
                duration(alone(x)),
                duration(alone(y))
            ),
            _ => format!(
                "{at}, {lead} is ahead: it answers in {}, {second} takes {} as long ({}); {gil}.",
                duration(alone(x)),
                a.by(),
                duration(alone(y))
            ),
        }
    }

    /// One sentence per pattern, for screen readers and the page's summary.
    pub fn summary(&self) -> String {
        self.patterns
            .iter()
            .map(|ps| {
                let threads: Vec<&str> = ps.rows.iter().fold(Vec::new(), |mut v, r| {
                    if !v.contains(&r.thread) {
                        v.push(r.thread);
                    }
                    v
                });
                format!("{}: {} steps on {}; {}", ps.pattern.label(), ps.rows.len(), threads.join(", "), ps.tally())
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}
