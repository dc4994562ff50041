//! A service as its owner describes it: round trip, server time, load, CPU quota, pool, Python work; its example presets, its clamping and the scenario it sets.

use perfmodel::batch::{Batch, Calls, FanOut};
use perfmodel::machine::Machine;
use perfmodel::scenario::{range, Python};
use perfmodel::{Pattern, Scenario};
use serde::{Deserialize, Serialize};

/// How the load is given.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Load {
    /// Requests per second the service must complete.
    Rate(f64),
    /// Requests outstanding at once (each caller waits for its answer).
    InFlight(u32),
}

/// What the reader asks of the service: what the verdict weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Objective {
    /// p99 within the target at the load.
    #[default]
    Target,
    /// The most requests per second the pod carries with p99 within the target.
    Most,
    /// Throughput alone, whatever the latency (a batch job).
    Throughput,
}

/// The objectives the form offers, in its order: the objective, its key in the form and the link, its words.
pub const OBJECTIVES: [(Objective, &str, &str); 3] = [
    (Objective::Target, "target", "p99 within the target at this load"),
    (Objective::Most, "most", "the most requests/s with p99 within the target"),
    (Objective::Throughput, "throughput", "throughput only, whatever the latency"),
];

/// A service as its owner describes it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Service {
    /// Network round trip to the database node, ms.
    pub rtt_ms: f64,
    /// The server's own time per read, ms.
    pub server_ms: f64,
    pub load: Load,
    /// CPU quota: cores the pod may use, shared by its worker processes.
    pub cores: f64,
    /// Worker processes (uvicorn's or gunicorn's `--workers`), each its own
    /// GIL, event loop, pool and Tokio runtime; the requests split evenly among them.
    #[serde(default = "one_worker")]
    pub workers: u32,
    /// CPUs of the node (what `os.cpu_count()` reports).
    pub node_cpus: u32,
    /// Executor pool size; `None` is Python's default.
    pub pool: Option<u32>,
    /// Python work per request on the event loop (GIL held), ms: the
    /// handler's own, beyond the web server's.
    pub python_ms: f64,
    /// CPU work per request the handler awaits on the executor's pool
    /// (`run_in_executor`, a model's inference say), ms, and the share of it
    /// that holds the GIL.
    #[serde(default)]
    pub offload_ms: f64,
    #[serde(default = "whole")]
    pub offload_gil_share: f64,
    /// Whether requests come through a web server (FastAPI under uvicorn, its
    /// cost per request as the service lab measured it) or the client is
    /// called directly (a job, a worker consuming a queue, a benchmark).
    #[serde(default = "yes")]
    pub web_server: bool,
    /// How the service calls the official client today, the side aerospike-py
    /// is weighed against: through `run_in_executor` (the default), from a
    /// plain def endpoint (the framework's threads; behind a web server
    /// only) or blocking in async def.
    #[serde(default = "executor")]
    pub official: Pattern,
    pub background_threads: u32,
    pub pod_limit_mib: f64,
    /// The latency target at the 99th percentile, ms.
    pub target_p99_ms: f64,
    /// What the verdict weighs: the target at the load, the most requests/s within it, or throughput alone.
    #[serde(default)]
    pub objective: Objective,
    /// Which CPython build.
    pub python: Python,
    /// Whose CPU costs (a machine profile).
    #[serde(default)]
    pub machine: Machine,
    /// What one request asks of the database: one get unless set (gets, and a batch read).
    #[serde(default)]
    pub calls: Calls,
}

fn one_worker() -> u32 {
    1
}

fn yes() -> bool {
    true
}

fn whole() -> f64 {
    1.0
}

fn executor() -> Pattern {
    Pattern::Executor
}

/// The ways of calling the official client a service may use today, in the form's order: the pattern, its key in the form and the link, its words.
pub const OFFICIALS: [(Pattern, &str, &str); 3] = [
    (Pattern::Executor, "executor", "await loop.run_in_executor(…) in async def"),
    (Pattern::Threadpool, "def", "a plain def endpoint (the framework's threads)"),
    (Pattern::Sync, "blocking", "the blocking call in async def"),
];

/// Valid ranges of the fields the scenario does not already bound.
pub mod limits {
    pub const RATE: (f64, f64) = (1.0, 1_000_000.0);
    pub(crate) const RTT_MS: (f64, f64) = (0.0, 5_000.0);
    pub(crate) const SERVER_MS: (f64, f64) = (0.0, 5_000.0);
    pub(crate) const TARGET_P99_MS: (f64, f64) = (0.01, 60_000.0);
}

/// A named example service (its values are assumptions to replace with one's own, except the round trips, which come from the scenario's presets).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Preset {
    pub key: &'static str,
    pub label: &'static str,
    pub about: &'static str,
    pub service: Service,
}

fn rtt(key: &str) -> f64 {
    perfmodel::scenario::PRESETS.iter().find(|p| p.key == key).map(|p| p.rtt_ms).unwrap_or(perfmodel::scenario::LOCALHOST_RTT_MS)
}

/// Example services. Round trips are the sourced network presets; the rest
/// are round figures for the kind of service named, to be replaced.
pub fn presets() -> Vec<Preset> {
    let base = Service {
        rtt_ms: rtt("same-zone"),
        server_ms: 0.1,
        load: Load::Rate(1_000.0),
        cores: 2.0,
        workers: 1,
        node_cpus: 16,
        pool: None,
        python_ms: 0.05,
        offload_ms: 0.0,
        offload_gil_share: 1.0,
        web_server: true,
        official: Pattern::Executor,
        background_threads: 0,
        pod_limit_mib: 512.0,
        target_p99_ms: 10.0,
        objective: Objective::Target,
        python: Python::Gil,
        machine: Machine::Lab,
        calls: Calls::default(),
    };
    vec![
        Preset {
            key: "benchmark",
            label: "The benchmark",
            about: "aerospike-py's benchmark suite's default of 50 callers, on 2 cores with the server on the same machine",
            service: Service {
                rtt_ms: rtt("localhost"),
                server_ms: 0.0,
                load: Load::InFlight(50),
                node_cpus: 2,
                python_ms: 0.0,
                web_server: false,
                target_p99_ms: 5.0,
                ..base
            },
        },
        Preset {
            key: "lookup-api",
            label: "Lookup API, same zone",
            about: "a FastAPI service doing one read per request, 1,000 requests/s, in a 2-core pod on a 16-CPU node",
            service: base,
        },
        Preset {
            key: "def-endpoints",
            label: "Plain def endpoints",
            about: "the lookup API written with plain def endpoints, which FastAPI runs on anyio's 40 threads: one read per request, 1,000 requests/s, in a 2-core pod on a 16-CPU node",
            service: Service { official: Pattern::Threadpool, ..base },
        },
        Preset {
            key: "busy-api",
            label: "Busy API, cross zone",
            about: "5,000 requests/s with 0.1 ms of Python per request, uvicorn --workers 4 in a 4-core pod on a 32-CPU node, 1 ms round trip",
            service: Service {
                rtt_ms: rtt("cross-zone"),
                load: Load::Rate(5_000.0),
                cores: 4.0,
                workers: 4,
                node_cpus: 32,
                python_ms: 0.1,
                target_p99_ms: 20.0,
                ..base
            },
        },
        Preset {
            key: "uvicorn-workers",
            label: "Four uvicorn workers",
            about: "a FastAPI service under uvicorn --workers 4 in a 2-core pod on a 16-CPU node, 3,000 requests/s, same zone, 20 ms p99 target",
            service: Service { load: Load::Rate(3_000.0), workers: 4, target_p99_ms: 20.0, ..base },
        },
        Preset {
            key: "batch-api",
            label: "Batch lookup API",
            about: "each request reads 50 keys with one batch_read from a 4-node cluster, then one more record with a get; 300 requests/s, same zone",
            service: Service {
                load: Load::Rate(300.0),
                target_p99_ms: 20.0,
                calls: Calls { gets: 1, batch: Some(Batch { keys: 50, nodes: 4, found: 1.0, fan_out: FanOut::Series }), batches: 1, gather: false },
                ..base
            },
        },
        Preset {
            key: "fan-out",
            label: "Batch fan-out",
            about: "a job with 1,000 reads outstanding at once, same zone, 1 GiB pod, 100 ms p99 target",
            service: Service { load: Load::InFlight(1_000), python_ms: 0.0, web_server: false, pod_limit_mib: 1_024.0, target_p99_ms: 100.0, ..base },
        },
        Preset {
            key: "cross-region",
            label: "Cross-region reads",
            about: "500 requests/s to a cluster in another region (87 ms round trip), 250 ms p99 target",
            service: Service { rtt_ms: rtt("cross-region"), server_ms: 0.1, load: Load::Rate(500.0), target_p99_ms: 250.0, ..base },
        },
    ]
}

/// The example the page starts from when the reader has no scenario yet (a service, not a benchmark).
pub const START: &str = "lookup-api";

/// The starting example's service.
pub fn start() -> Service {
    presets().into_iter().find(|p| p.key == START).map(|p| p.service).expect("the starting example is a preset")
}

impl Service {
    /// The load as a rate per pod, where the reader gave one.
    pub fn rate(&self) -> Option<f64> {
        match self.load {
            Load::Rate(r) => Some(r),
            Load::InFlight(_) => None,
        }
    }

    /// The I/O wait of one read: round trip plus server time.
    pub fn io_wait_ms(&self) -> f64 {
        self.rtt_ms + self.server_ms
    }

    /// Every value inside its range; each change said in a sentence.
    pub fn clamped(mut self) -> (Service, Vec<String>) {
        let mut notes = Vec::new();
        let mut fix = |name: &str, v: f64, (lo, hi): (f64, f64)| -> f64 {
            let out = if v.is_finite() { v.clamp(lo, hi) } else { lo };
            if out != v {
                notes.push(format!("{name} {v} is outside {lo}–{hi}; using {out}"));
            }
            out
        };
        self.rtt_ms = fix("round trip (ms)", self.rtt_ms, limits::RTT_MS);
        self.server_ms = fix("server time (ms)", self.server_ms, limits::SERVER_MS);
        self.target_p99_ms = fix("p99 target (ms)", self.target_p99_ms, limits::TARGET_P99_MS);
        self.load = match self.load {
            Load::Rate(r) => Load::Rate(fix("request rate (/s)", r, limits::RATE)),
            Load::InFlight(n) => Load::InFlight(fix("requests in flight", n as f64, range::CONCURRENCY) as u32),
        };
        let io = self.io_wait_ms();
        if io > range::IO_WAIT_MS.1 {
            notes.push(format!(
                "round trip plus server time {io} ms is above {} ms; using {} ms of server time",
                range::IO_WAIT_MS.1,
                range::IO_WAIT_MS.1 - self.rtt_ms
            ));
            self.server_ms = (range::IO_WAIT_MS.1 - self.rtt_ms).max(0.0);
        }
        let allowed = OFFICIALS.iter().any(|o| o.0 == self.official) && (self.web_server || self.official != Pattern::Threadpool);
        if !allowed {
            notes.push(format!(
                "{} is not a way a service calls the official client{}; using run_in_executor",
                self.official.label(),
                if self.official == Pattern::Threadpool { " without a web framework" } else { "" }
            ));
            self.official = Pattern::Executor;
        }
        let (s, more) = self.scenario_at(1).clamped();
        notes.extend(more);
        self.cores = s.cores;
        self.workers = s.workers;
        self.node_cpus = s.node_cpus.unwrap_or(s.core_servers());
        self.pool = s.pool;
        self.python_ms = s.app_cpu_ms;
        self.offload_ms = s.offload_cpu_ms;
        self.offload_gil_share = s.offload_gil_share;
        self.background_threads = s.background_threads;
        self.pod_limit_mib = s.pod_limit_mib;
        self.calls = s.calls;
        (self, notes)
    }

    /// The model's scenario at `n` requests in flight.
    pub(crate) fn scenario_at(&self, n: u32) -> Scenario {
        Scenario {
            io_wait_ms: self.io_wait_ms(),
            concurrency: n,
            arrival_rate: None,
            timeout_ms: None,
            burstiness: None,
            pool: self.pool,
            cores: self.cores,
            workers: self.workers,
            node_cpus: Some(self.node_cpus),
            tokio_workers: None,
            app_cpu_ms: self.python_ms,
            offload_cpu_ms: self.offload_ms,
            offload_gil_share: self.offload_gil_share,
            web_server: self.web_server,
            background_threads: self.background_threads,
            pod_limit_mib: self.pod_limit_mib,
            python: self.python,
            machine: self.machine,
            calls: self.calls,
        }
    }

    /// One request's calls in words: "one get", "one batch_read of 50 keys over 4 nodes and one get".
    pub fn request_words(&self) -> String {
        let gets = match self.calls.gets {
            0 => None,
            1 => Some("one get".to_string()),
            n => Some(format!("{n} gets")),
        };
        let batch = self.calls.batch.map(|b| {
            format!(
                "{} of {} keys over {} node{}{}",
                if self.calls.batches == 1 { "one batch_read".to_string() } else { format!("{} batch_reads", self.calls.batches) },
                crate::format::count(b.keys),
                crate::format::count(b.nodes),
                if b.nodes == 1 { "" } else { "s" },
                if b.found < 1.0 { format!(", {} found", crate::format::percent(b.found)) } else { String::new() }
            )
        });
        let words = match (batch, gets) {
            (Some(b), Some(g)) => format!("{b} and {g}"),
            (Some(b), None) => b,
            (None, Some(g)) => g,
            (None, None) => "no call".into(),
        };
        if self.calls.gather && self.calls.count() >= 2 {
            format!("{words}, awaited together")
        } else {
            words
        }
    }

    /// The site-wide scenario this service sets: the requests in flight the
    /// load implies with no queueing at all (Little's law, N = rate × (I/O wait + Python work)).
    pub fn scenario(&self) -> Scenario {
        let n = match self.load {
            Load::InFlight(n) => n,
            Load::Rate(r) => (r * (self.request_wait_ms() + self.python_ms) / 1e3).round().clamp(1.0, range::CONCURRENCY.1) as u32,
        };
        self.scenario_at(n)
    }

    /// One request's waits on the database with nothing queued, ms: each get's
    /// and each batch's nodes one after another (the official client's
    /// default); calls awaited together wait about as long as the longest.
    pub fn request_wait_ms(&self) -> f64 {
        let batch = self.calls.batch.map_or(0.0, |b| perfmodel::batch::expected_nodes(b.keys, b.nodes));
        if self.calls.gather && self.calls.count() >= 2 {
            // Together: about the longest call's wait.
            return self.io_wait_ms() * if self.calls.batch.is_some() { batch } else { 1.0 };
        }
        self.io_wait_ms() * (self.calls.gets as f64 + batch * self.calls.batches as f64)
    }
}
