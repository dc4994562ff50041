//! The one error type: an input outside its range, named with the range.

use std::fmt;

/// An input the model refuses, with enough context to fix it.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelError {
    /// A parameter or scenario value outside its valid range (or not finite).
    OutOfRange { name: &'static str, value: f64, min: f64, max: f64, unit: &'static str },
    /// A value that is not understood at all (an unknown pattern name, say).
    Invalid { name: &'static str, reason: String },
    /// A simulation that reached its event budget (`sim`'s bound on work per
    /// request) before it finished: reported, never returned as a result.
    OverBudget { budget: u64, requests: u64 },
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelError::OutOfRange { name, value, min, max, unit } => {
                write!(f, "{name} = {value} is out of range: it must be between {min} and {max} {unit}")
            }
            ModelError::Invalid { name, reason } => write!(f, "{name}: {reason}"),
            ModelError::OverBudget { budget, requests } => {
                write!(f, "the simulation stopped at its bound of {budget} events for {requests} requests before it finished")
            }
        }
    }
}

impl std::error::Error for ModelError {}

/// Check that `value` is finite and inside `[min, max]`.
pub(crate) fn check_range(name: &'static str, value: f64, min: f64, max: f64, unit: &'static str) -> Result<(), ModelError> {
    if value.is_finite() && value >= min && value <= max {
        Ok(())
    } else {
        Err(ModelError::OutOfRange { name, value, min, max, unit })
    }
}
