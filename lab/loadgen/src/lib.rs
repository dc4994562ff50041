//! The service lab's load generator: requests to one HTTP/1.1 endpoint on 127.0.0.1, open (Poisson arrivals) or closed (N connections back to back).
//!
//! An open load sends each request at its scheduled time whatever is still
//! in progress, on keep-alive connections opened as needed (up to a limit;
//! beyond it an arrival waits for a connection), and takes each latency from
//! the scheduled time: a server that falls behind is charged for the wait,
//! and so is the generator (its own lateness is reported beside it).

mod drive;
mod http;
mod schedule;
mod stats;

pub use drive::{run_closed, run_open, Closed, Open};
pub use http::{read_response, Response};
pub use schedule::poisson;
pub use stats::Report;
