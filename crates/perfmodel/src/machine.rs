//! Machine profiles: the lab's measured CPU costs, scaled to the machine a reader runs on.
//!
//! Every CPU cost in [`Params`] was measured on one machine, this project's
//! lab. A profile says how fast another machine does the same work: one
//! factor over every CPU-time cost (the clients', asyncio's, a thread's
//! wake-up), fitted by [`crate::calibrate::speed_fit`] from what was measured
//! there. Memory, thread counts and CPython's constants do not change.

use serde::{Deserialize, Serialize};

use crate::Params;

/// Which machine's costs the model uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Machine {
    /// This project's lab: Linux x86_64, the costs as measured (the default:
    /// a production client host is a Linux server far more often than a laptop).
    #[default]
    Lab,
    /// The machine of aerospike-py's published benchmark runs (Darwin arm64,
    /// Python 3.13), fitted from their one-caller latencies.
    Darwin,
}

/// One profile as the site lists it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Profile {
    pub machine: Machine,
    /// The key in a link (`machine=darwin`).
    pub key: &'static str,
    pub label: &'static str,
    /// CPU time there for the lab's one µs.
    pub speed: f64,
    pub provenance: &'static str,
}

/// Every profile, the default first.
pub const PROFILES: [Profile; 2] = [
    Profile {
        machine: Machine::Lab,
        key: "lab",
        label: "Linux x86_64 (this lab, measured)",
        speed: 1.0,
        provenance: "the costs as measured: lab/results/asyncio_costs.json and the newest report of the measurement lab (see each parameter)",
    },
    Profile {
        machine: Machine::Darwin,
        key: "darwin",
        label: "Darwin arm64 (published runs, fitted)",
        speed: 0.471,
        provenance: "fitted to aerospike-py's published report 2026-02-28_10-46 (Darwin arm64, Python 3.13.11): one-caller latencies of the official client called directly (official_sync get, 148.7 µs), through run_in_executor (high_concurrency_scaling at 1, 194.7 µs) and of aerospike-py's AsyncClient (206.0 µs), least squares of latency = round trip + speed × the lab's path; perfmodel::calibrate::speed_fit",
    },
];

impl Machine {
    pub fn profile(self) -> &'static Profile {
        PROFILES.iter().find(|p| p.machine == self).unwrap_or(&PROFILES[0])
    }

    pub fn is_default(&self) -> bool {
        *self == Machine::Lab
    }

    /// The parameters on this machine: every CPU-time cost times its speed.
    pub fn costs(self, p: &Params) -> Params {
        p.cpu_scaled(self.profile().speed)
    }
}
