//! "Your service": a service described in its own terms in; per pattern its capacity, latency at the load, threads, memory and binding limit out, the smallest executor pool that meets the latency target, and a verdict that says only what those numbers say.
//!
//! A load given as requests in flight is a closed loop; a load given as a
//! rate is an open one, requests arriving at random (Poisson) whatever is in
//! progress ([`perfmodel::open`] and the simulator's arrivals): each pattern's
//! capacity is then the rate at which its first resource saturates, and past
//! it the pattern does not keep up at all. The verdict flags a rate above
//! [`NEAR`] of a capacity, where the tail grows fast.
//!
//! [`describe`] is the service and its examples, [`outcome`] each pattern at
//! its load (the analytic part, then the simulations as [`crate::stages`]
//! jobs), [`verdict`] the sentences made from those numbers, [`capacity`] the
//! chart of each capacity against the load, [`html`] the results as the page shows them and [`form`] the form that edits a service.

mod capacity;
mod describe;
mod form;
mod html;
mod outcome;
mod verdict;

pub use capacity::{draw_capacity, Bar, Capacity};
pub use describe::{limits, presets, start, Load, Objective, Preset, Service, OBJECTIVES, OFFICIALS, START};
pub use form::{input_value, objective_key, official_key, python_key, server_key, Edit, Field, Group, FANS, FIELDS, GATHERS, PYTHONS, SERVERS};
pub use outcome::{service_data, AtLoad, Grown, Job, Limit, Outcome, Rung, ServiceData, MOST, SHOWN};

/// Seed of the service page's simulations.
pub const SEED: u64 = 43;
/// A load above this share of a pattern's capacity is "near capacity".
pub(crate) const NEAR: f64 = 0.8;
