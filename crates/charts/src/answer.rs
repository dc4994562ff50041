//! The sentence a figure opens with: which of Tokio and the executor is ahead at the reader's scenario, by how much, computed from the same data the figure draws.

use crate::format::number;

/// Closer than this factor, neither pattern is called ahead: the 5% margin
/// the pool figure and the verdicts use for "catches up" ([`crate::pools::CATCH_UP`]).
pub const EVEN: f64 = 1.0 + crate::pools::CATCH_UP;

/// Which of the two async patterns is ahead on one measure, and by what factor (at least [`EVEN`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ahead {
    Tokio(f64),
    Executor(f64),
    Even,
}

impl Ahead {
    /// Tokio's and the executor's values of a measure where more is better
    /// (`more`: requests per second) or less is (latency, memory).
    pub fn of(tokio: f64, executor: f64, more: bool) -> Ahead {
        Ahead::beyond(tokio, executor, more, EVEN)
    }

    /// As [`Ahead::of`], with a side called only beyond `margin` (at least 1):
    /// a model's resolution where a lab has measured one.
    pub fn beyond(tokio: f64, executor: f64, more: bool, margin: f64) -> Ahead {
        let r = if more { tokio / executor } else { executor / tokio };
        let m = margin.max(1.0);
        if !r.is_finite() || r <= 0.0 {
            Ahead::Even
        } else if r >= m {
            Ahead::Tokio(r)
        } else if r <= 1.0 / m {
            Ahead::Executor(1.0 / r)
        } else {
            Ahead::Even
        }
    }

    /// An advantage already expressed as a ratio (> 1: Tokio ahead), as the conditions map's cells carry it.
    pub fn of_ratio(advantage: f64) -> Ahead {
        Ahead::of(advantage, 1.0, true)
    }

    /// The factor, formatted ("1.33×"), or "within 5%" when even.
    pub fn by(self) -> String {
        match self {
            Ahead::Tokio(r) | Ahead::Executor(r) => format!("{}×", number(r)),
            Ahead::Even => format!("within {:.0}%", crate::pools::CATCH_UP * 100.0),
        }
    }

    /// The leader's name and the other's, as an answer names them: the
    /// pattern first, then whose client it is. Even: Tokio first.
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            Ahead::Executor(_) => (EXECUTOR, TOKIO),
            _ => (TOKIO, EXECUTOR),
        }
    }

    /// The same two names, short: "Tokio" and "the executor", for a clause after the first.
    pub fn short_names(self) -> (&'static str, &'static str) {
        match self {
            Ahead::Executor(_) => ("the executor", "Tokio"),
            _ => ("Tokio", "the executor"),
        }
    }

    /// Which value goes first: the leader's (`tokio` when even).
    pub fn first<T>(self, tokio: T, executor: T) -> (T, T) {
        match self {
            Ahead::Executor(_) => (executor, tokio),
            _ => (tokio, executor),
        }
    }
}

/// The two async patterns as an answer names them.
pub const TOKIO: &str = "Tokio (aerospike-py)";
pub const EXECUTOR: &str = "the executor (official client)";
