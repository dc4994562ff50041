//! The performance model: scenario in, predictions out, for Sync, Executor and Tokio.
//!
//! Pure Rust with no web, no I/O and no clock: the same inputs give the same
//! numbers natively, in the CLI and in the browser. Three layers:
//!
//! * [`params`] and [`scenario`]: every input, with unit, range, default and
//!   where the default comes from; [`machine`]: those costs on another machine;
//! * [`pattern`]: the steps behind one `client.get(key)` in each pattern, the
//!   single description both solvers read;
//! * the solvers: [`mva`] (analytic, mean values, a closed loop of callers),
//!   [`open`] (analytic, requests arriving at a rate) and [`sim`]
//!   (discrete-event, seeded, either load, percentiles and a GIL trace), plus [`memory`].
//!
//! [`predict`] ties them together into one [`Prediction`].

pub mod batch;
pub mod bench;
pub mod calibrate;
pub mod error;
pub mod machine;
pub mod memory;
pub mod mva;
pub mod open;
pub mod params;
pub mod pattern;
pub mod predict;
pub mod scenario;
pub mod sim;

pub use error::ModelError;
pub use params::Params;
pub use pattern::Pattern;
pub use predict::{predict, predict_curve, Prediction, Solver};
pub use scenario::Scenario;
