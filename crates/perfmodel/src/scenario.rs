//! The reader's situation: I/O wait, concurrency, pool, cores, other GIL work, pod limit.

use serde::{Deserialize, Serialize};

use crate::batch::Calls;
use crate::error::{check_range, ModelError};
use crate::machine::Machine;

/// One point of the reader's world. Unlike [`crate::Params`], these are not
/// facts about the clients but choices: the sliders on the site.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    /// Network round trip plus server time of one request, in ms.
    pub io_wait_ms: f64,
    /// Callers issuing requests in a closed loop (each awaits its reply, then
    /// issues the next). Ignored when `arrival_rate` is set, except by the
    /// sync-threads pattern, whose thread count it is.
    pub concurrency: u32,
    /// Requests per second arriving whether or not earlier ones are done (an
    /// open load, Poisson arrivals); `None` means the closed loop of
    /// `concurrency` callers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arrival_rate: Option<f64>,
    /// A timeout on each call, ms (`asyncio.wait_for` around it); `None`
    /// means none. Only an awaited call has one: the blocking patterns and
    /// a plain def endpoint, which cannot await, run every call to its end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<f64>,
    /// How bursty an open load's arrivals are: the squared coefficient of
    /// variation of the time between them (1, or `None`, is Poisson: arrivals
    /// at random moments; 4 is bursts of several at once, then a lull).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub burstiness: Option<f64>,
    /// Executor pool size; `None` means CPython's default, min(32, node CPUs + 4).
    pub pool: Option<u32>,
    /// CPU cores the service may use: the pod's CPU quota in a container
    /// (fractional, as Kubernetes' CPU limit is: 0.5 is half a core), else
    /// the machine's cores. Shared by every worker process. The GIL-free
    /// work and Tokio's default worker count follow it.
    pub cores: f64,
    /// Worker processes serving the requests (uvicorn's or gunicorn's
    /// `--workers`): each its own interpreter, GIL, event loop, thread pool
    /// and Tokio runtime; they share `cores`, and the callers or the
    /// arrivals split evenly among them.
    #[serde(skip_serializing_if = "is_one")]
    pub workers: u32,
    /// CPUs the node has, as `os.cpu_count()` reports them inside a container
    /// (it does not see the CPU quota); `None` means the same as `cores`.
    /// Only CPython's default pool size reads it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_cpus: Option<u32>,
    /// Tokio worker threads; `None` means Tokio's default, one per core.
    pub tokio_workers: Option<u32>,
    /// Other CPU work per request that holds the GIL on the loop thread
    /// (a handler, a model inference), in ms; a plain def endpoint runs it
    /// on its own thread.
    pub app_cpu_ms: f64,
    /// CPU work per request the handler hands to the executor's default
    /// pool (`await loop.run_in_executor(None, infer, …)`, a model's
    /// inference say), ms. The blocking patterns and a plain def endpoint
    /// run it on their own thread.
    #[serde(skip_serializing_if = "is_zero")]
    pub offload_cpu_ms: f64,
    /// The share of the offloaded work that holds the GIL: 1 for Python
    /// code, near 0 for a library that releases it while it computes (as
    /// PyTorch's operators do).
    #[serde(skip_serializing_if = "is_whole")]
    pub offload_gil_share: f64,
    /// Each request also passes through a web server and framework (an
    /// ASGI server such as uvicorn, a framework such as FastAPI): their CPU
    /// per request ([`crate::Params::http_server_us`]) is held on the loop
    /// thread (the caller's, for the blocking patterns). `false` is a bare
    /// loop of client calls, as a benchmark runs them.
    #[serde(skip_serializing_if = "is_false")]
    pub web_server: bool,
    /// Background CPU-bound Python threads competing for the GIL.
    pub background_threads: u32,
    /// The container's memory limit, in MiB.
    pub pod_limit_mib: f64,
    /// Which CPython: with the GIL (3.11–3.13, the default) or the free-threaded 3.14t build.
    #[serde(skip_serializing_if = "Python::is_default")]
    pub python: Python,
    /// Whose CPU costs: this project's lab (the default) or another
    /// machine's profile ([`crate::machine`]).
    #[serde(skip_serializing_if = "Machine::is_default")]
    pub machine: Machine,
    /// What one request asks of the client: one get unless set (gets, and a
    /// batch read across a cluster). The I/O wait is then each node request's.
    #[serde(skip_serializing_if = "Calls::is_default")]
    pub calls: Calls,
}

/// The CPython build, and what it means for the GIL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Python {
    /// CPython 3.11–3.13: one GIL for the process (what the lab measured).
    #[default]
    Gil,
    /// 3.14t with the GIL off for aerospike-py only: the official client
    /// publishes no cp314t wheel, and CPython re-enables the GIL when an
    /// extension that does not declare free-threading support is imported,
    /// so a process that imports it runs with the GIL.
    FreeThreaded,
    /// 3.14t with the GIL forced off for both clients (`PYTHON_GIL=0`): what
    /// aerospike-py's published 3.14t runs appear to have had (both clients faster).
    FreeThreadedForced,
}

impl Python {
    pub fn is_default(&self) -> bool {
        *self == Python::Gil
    }

    /// Whether `pattern` runs without a GIL under this build.
    pub(crate) fn gil_free(self, pattern: crate::Pattern) -> bool {
        match self {
            Python::Gil => false,
            Python::FreeThreaded => pattern == crate::Pattern::Tokio,
            Python::FreeThreadedForced => true,
        }
    }

    /// Whether this is the free-threaded build (its single-thread overhead applies).
    pub(crate) fn free_threaded(self) -> bool {
        self != Python::Gil
    }
}

/// Valid ranges, each stated once; the site's sliders read them from here.
pub mod range {
    pub const IO_WAIT_MS: (f64, f64) = (0.0, 10_000.0);
    /// Fewest and most callers (or requests in flight), as whole numbers.
    pub const CONCURRENCY_MIN: u32 = 1;
    pub const CONCURRENCY_MAX: u32 = 100_000;
    pub const CONCURRENCY: (f64, f64) = (CONCURRENCY_MIN as f64, CONCURRENCY_MAX as f64);
    pub const POOL: (f64, f64) = (1.0, 1_024.0);
    /// A quarter of a core up: Kubernetes takes CPU limits in thousandths
    /// of a core, and below a quarter a Python process spends its quota
    /// starting up.
    pub const CORES: (f64, f64) = (0.25, 256.0);
    pub const WORKERS: (f64, f64) = (1.0, 64.0);
    pub const NODE_CPUS: (f64, f64) = (1.0, 1_024.0);
    pub(crate) const TOKIO_WORKERS: (f64, f64) = (1.0, 256.0);
    pub const APP_CPU_MS: (f64, f64) = (0.0, 1_000.0);
    pub const OFFLOAD_CPU_MS: (f64, f64) = (0.0, 1_000.0);
    pub const OFFLOAD_GIL_SHARE: (f64, f64) = (0.0, 1.0);
    pub const BACKGROUND_THREADS: (f64, f64) = (0.0, 16.0);
    pub const POD_LIMIT_MIB: (f64, f64) = (16.0, 1_048_576.0);
    pub const ARRIVAL_RATE: (f64, f64) = (0.01, 1_000_000.0);
    pub const TIMEOUT_MS: (f64, f64) = (0.1, 600_000.0);
    pub const BURSTINESS: (f64, f64) = (1.0, 100.0);
    /// Keys in one batch read, and nodes in the cluster.
    pub const KEYS: (f64, f64) = (1.0, 5_000.0);
    pub const NODES: (f64, f64) = (1.0, 128.0);
    /// Share of a batch's keys that have a record.
    pub const FOUND: (f64, f64) = (0.0, 1.0);
    /// Gets one request makes (besides a batch read).
    pub const GETS: (f64, f64) = (0.0, 16.0);
    /// Batch reads per request: one per set a request reads, say.
    pub const BATCHES: (f64, f64) = (1.0, 16.0);
}

impl Default for Scenario {
    /// The benchmark's own conditions: localhost, concurrency 50 (the default
    /// of aerospike-py's benchmark suite), a two-core machine, nothing else
    /// competing for the GIL, a 512 MiB pod.
    fn default() -> Self {
        Scenario {
            io_wait_ms: LOCALHOST_RTT_MS,
            concurrency: 50,
            arrival_rate: None,
            timeout_ms: None,
            burstiness: None,
            pool: None,
            cores: 2.0,
            workers: 1,
            node_cpus: None,
            tokio_workers: None,
            app_cpu_ms: 0.0,
            offload_cpu_ms: 0.0,
            offload_gil_share: 1.0,
            web_server: false,
            background_threads: 0,
            pod_limit_mib: 512.0,
            python: Python::Gil,
            machine: Machine::Lab,
            calls: Calls::default(),
        }
    }
}

fn is_one(k: &u32) -> bool {
    *k == 1
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

fn is_whole(x: &f64) -> bool {
    *x == 1.0
}

/// CPython's default pool for a machine whose `os.cpu_count()` is `cpus`.
pub fn default_pool(cpus: u32) -> u32 {
    (cpus + 4).min(32)
}

/// The threads a plain `def` endpoint runs on: Starlette (under FastAPI)
/// calls it through `anyio.to_thread.run_sync`, whose default limiter is
/// `CapacityLimiter(40)` (anyio 4.16.0, `_backends/_asyncio.py`,
/// `current_default_thread_limiter`; the version `lab/requirements.txt` pins).
pub const FRAMEWORK_THREADS: u32 = 40;

/// Loopback TCP round trip measured here (lab/results/asyncio_costs.json, tcp_rtt_us).
pub const LOCALHOST_RTT_MS: f64 = 0.0637;

/// A named network distance: the round trip it sets as the I/O wait, and
/// where that figure comes from. The I/O wait also includes the server's
/// own time, which a preset leaves out.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Preset {
    pub key: &'static str,
    pub label: &'static str,
    pub rtt_ms: f64,
    pub source: &'static str,
}

/// The presets offered next to the I/O-wait slider.
pub const PRESETS: [Preset; 4] = [
    Preset {
        key: "localhost",
        label: "Localhost",
        rtt_ms: LOCALHOST_RTT_MS,
        source: "measured here: loopback TCP round trip (lab/results/asyncio_costs.json)",
    },
    Preset {
        key: "same-zone",
        label: "Same zone",
        rtt_ms: 0.25,
        source: "xkyle.com, \"Measuring AWS Region and AZ Latency\": best of 50 pings within one availability zone, about 0.25 ms",
    },
    Preset {
        key: "cross-zone",
        label: "Cross zone",
        rtt_ms: 1.0,
        source: "Google Distributed Cloud zone requirements: under 1 ms round trip between two zones of a region (an upper bound)",
    },
    Preset {
        key: "cross-region",
        label: "Cross region",
        rtt_ms: 87.0,
        source: "\"Latency Between AWS Global Regions\" (as tabulated on acomputerscientistlearnsaws.blogspot.com, 2017): US East (N. Virginia) to US West (Oregon), 86.98 ms average",
    },
];

impl Scenario {
    /// CPython's ThreadPoolExecutor default: `min(32, os.cpu_count() + 4)`
    /// since 3.8 (`os.process_cpu_count()` since 3.13, which sees CPU
    /// affinity but not a cgroup CPU quota either), so it follows the
    /// node's CPUs, not the pod's quota (CPython docs,
    /// `concurrent.futures.ThreadPoolExecutor`).
    pub fn pool_size(&self) -> u32 {
        self.pool.unwrap_or_else(|| default_pool(self.node_cpu_count()))
    }

    /// The threads a request of `pattern` holds while it waits: the
    /// executor's pool (aerospike-py's too when it offloads work), or the
    /// framework's threads for a plain def endpoint ([`FRAMEWORK_THREADS`]);
    /// 0 for the patterns without a pool.
    pub fn pool_for(&self, pattern: crate::Pattern) -> u32 {
        match pattern {
            crate::Pattern::Executor => self.pool_size(),
            crate::Pattern::Threadpool => FRAMEWORK_THREADS,
            // aerospike-py's handler awaits its offloaded work on the executor's pool.
            crate::Pattern::Tokio if self.offload_cpu_ms > 0.0 => self.pool_size(),
            _ => 0,
        }
    }

    /// What `os.cpu_count()` returns: the node's CPUs, or the cores when no node count is set.
    pub fn node_cpu_count(&self) -> u32 {
        let quota = self.core_servers();
        self.node_cpus.unwrap_or(quota).max(quota)
    }

    /// The cores as whole CPUs a process can run on at once: the quota rounded up.
    pub fn core_servers(&self) -> u32 {
        (self.cores.ceil() as u32).max(1)
    }

    /// How fast a step runs on one of [`Scenario::core_servers`] when the
    /// quota is fractional: `cores / core_servers` (1 for whole cores). The
    /// quota's mean share of a CPU, spread over the time a step takes; the
    /// kernel runs a step at full speed and stops the whole group when its
    /// quota for the 100 ms period is spent, which this leaves out.
    pub fn core_speed(&self) -> f64 {
        (self.cores / self.core_servers() as f64).clamp(f64::MIN_POSITIVE, 1.0)
    }

    /// One worker process of the service: its share of the callers (or the
    /// arrivals) and of the cores. The rest of the scenario is each
    /// worker's own (its pool, its background threads, its handler work).
    pub fn per_worker(&self) -> Scenario {
        let k = self.workers.max(1);
        if k == 1 {
            return *self;
        }
        Scenario {
            workers: 1,
            // An open load's callers are not a split quantity: the arrivals are.
            concurrency: if self.open() { self.concurrency } else { self.concurrency.div_ceil(k).max(1) },
            arrival_rate: self.arrival_rate.map(|r| r / k as f64),
            cores: self.cores / k as f64,
            // Each worker's Tokio reads the pod's quota, not its share of it.
            tokio_workers: Some(self.tokio_worker_count()),
            node_cpus: Some(self.node_cpu_count()),
            ..*self
        }
    }

    /// Tokio's multi-thread runtime default: one worker per CPU the process
    /// may use: the logical CPU count, which takes scheduler affinity and the
    /// cgroup CPU quota into account (tokio-rs/tokio#2269), so it follows the quota.
    /// Rust's `available_parallelism` reads a cgroup v2 quota as whole CPUs
    /// (`limit / period`, rounded down, at least one).
    pub(crate) fn tokio_worker_count(&self) -> u32 {
        self.tokio_workers.unwrap_or((self.cores.floor() as u32).max(1))
    }

    /// The arrivals' squared coefficient of variation: 1 for Poisson.
    pub fn arrival_scv(&self) -> f64 {
        self.burstiness.unwrap_or(1.0)
    }

    /// Whether requests arrive at a rate (an open load) rather than from a closed loop of callers.
    pub fn open(&self) -> bool {
        self.arrival_rate.is_some()
    }

    /// The scenario as the solvers see it for `pattern`: without a GIL,
    /// CPU-bound background threads no longer contend for it but take cores.
    pub fn for_solver(&self, pattern: crate::Pattern) -> Scenario {
        if self.python.gil_free(pattern) && self.background_threads > 0 {
            Scenario { cores: (self.cores - self.background_threads as f64).max(self.cores.min(1.0)), background_threads: 0, ..*self }
        } else {
            *self
        }
    }

    /// Every value inside its range, or an error naming the first that is not.
    pub fn validate(&self) -> Result<(), ModelError> {
        use range::*;
        check_range("io_wait_ms", self.io_wait_ms, IO_WAIT_MS.0, IO_WAIT_MS.1, "ms")?;
        check_range("concurrency", self.concurrency as f64, CONCURRENCY.0, CONCURRENCY.1, "callers")?;
        if let Some(p) = self.pool {
            check_range("pool", p as f64, POOL.0, POOL.1, "threads")?;
        }
        // A worker's share of the smallest quota among the most workers is a valid process too.
        check_range("cores", self.cores, CORES.0 / WORKERS.1, CORES.1, "cores")?;
        check_range("workers", self.workers as f64, WORKERS.0, WORKERS.1, "worker processes")?;
        if let Some(c) = self.node_cpus {
            check_range("node_cpus", c as f64, NODE_CPUS.0, NODE_CPUS.1, "CPUs")?;
        }
        if let Some(t) = self.tokio_workers {
            check_range("tokio_workers", t as f64, TOKIO_WORKERS.0, TOKIO_WORKERS.1, "threads")?;
        }
        check_range("app_cpu_ms", self.app_cpu_ms, APP_CPU_MS.0, APP_CPU_MS.1, "ms")?;
        check_range("offload_cpu_ms", self.offload_cpu_ms, OFFLOAD_CPU_MS.0, OFFLOAD_CPU_MS.1, "ms")?;
        check_range("offload_gil_share", self.offload_gil_share, OFFLOAD_GIL_SHARE.0, OFFLOAD_GIL_SHARE.1, "")?;
        check_range("background_threads", self.background_threads as f64, BACKGROUND_THREADS.0, BACKGROUND_THREADS.1, "threads")?;
        check_range("pod_limit_mib", self.pod_limit_mib, POD_LIMIT_MIB.0, POD_LIMIT_MIB.1, "MiB")?;
        if let Some(r) = self.arrival_rate {
            check_range("arrival_rate", r, ARRIVAL_RATE.0, ARRIVAL_RATE.1, "requests/s")?;
        }
        if let Some(t) = self.timeout_ms {
            check_range("timeout_ms", t, TIMEOUT_MS.0, TIMEOUT_MS.1, "ms")?;
        }
        if let Some(b) = self.burstiness {
            check_range("burstiness", b, BURSTINESS.0, BURSTINESS.1, "(squared coefficient of variation)")?;
        }
        check_range("gets", self.calls.gets as f64, GETS.0, GETS.1, "gets per request")?;
        if let Some(b) = self.calls.batch {
            check_range("batches", self.calls.batches as f64, BATCHES.0, BATCHES.1, "batch reads per request")?;
            check_range("keys", b.keys as f64, KEYS.0, KEYS.1, "keys per batch")?;
            check_range("nodes", b.nodes as f64, NODES.0, NODES.1, "nodes")?;
            check_range("found", b.found, FOUND.0, FOUND.1, "(share of keys)")?;
        }
        if self.calls.count() == 0 {
            return Err(ModelError::Invalid { name: "calls", reason: "a request makes at least one call (a get or a batch read)".into() });
        }
        Ok(())
    }

    /// Bring every value into range; each change is reported as a sentence
    /// the site can show. Non-finite numbers fall back to the default.
    pub fn clamped(mut self) -> (Scenario, Vec<String>) {
        use range::*;
        let d = Scenario::default();
        let mut notes = Vec::new();
        let mut fix = |name: &str, v: f64, (lo, hi): (f64, f64), fallback: f64| -> f64 {
            let out = if !v.is_finite() { fallback } else { v.clamp(lo, hi) };
            if out != v {
                notes.push(format!("{name} {v} is outside {lo}–{hi}; using {out}"));
            }
            out
        };
        self.io_wait_ms = fix("I/O wait (ms)", self.io_wait_ms, IO_WAIT_MS, d.io_wait_ms);
        self.concurrency = fix("concurrency", self.concurrency as f64, CONCURRENCY, 50.0) as u32;
        self.pool = self.pool.map(|p| fix("pool size", p as f64, POOL, 6.0) as u32);
        self.cores = fix("cores", self.cores, CORES, 2.0);
        self.workers = fix("worker processes", self.workers as f64, WORKERS, 1.0) as u32;
        self.node_cpus = self.node_cpus.map(|c| fix("node CPUs", c as f64, NODE_CPUS, 2.0) as u32);
        self.tokio_workers = self.tokio_workers.map(|t| fix("Tokio workers", t as f64, TOKIO_WORKERS, 2.0) as u32);
        self.app_cpu_ms = fix("per-request CPU (ms)", self.app_cpu_ms, APP_CPU_MS, 0.0);
        self.offload_cpu_ms = fix("offloaded CPU per request (ms)", self.offload_cpu_ms, OFFLOAD_CPU_MS, 0.0);
        self.offload_gil_share = fix("offloaded work's share holding the GIL", self.offload_gil_share, OFFLOAD_GIL_SHARE, 1.0);
        self.background_threads = fix("background threads", self.background_threads as f64, BACKGROUND_THREADS, 0.0) as u32;
        self.pod_limit_mib = fix("pod memory limit (MiB)", self.pod_limit_mib, POD_LIMIT_MIB, d.pod_limit_mib);
        self.arrival_rate = self.arrival_rate.map(|r| fix("arrival rate (requests/s)", r, ARRIVAL_RATE, 1_000.0));
        self.timeout_ms = self.timeout_ms.map(|t| fix("timeout (ms)", t, TIMEOUT_MS, 1_000.0));
        self.burstiness = self.burstiness.map(|b| fix("burstiness", b, BURSTINESS, 1.0));
        self.calls.gets = fix("gets per request", self.calls.gets as f64, GETS, 1.0) as u32;
        if self.calls.batch.is_some() {
            self.calls.batches = fix("batch reads per request", self.calls.batches as f64, BATCHES, 1.0) as u32;
        }
        if let Some(b) = self.calls.batch.as_mut() {
            b.keys = fix("keys per batch", b.keys as f64, KEYS, 50.0) as u32;
            b.nodes = fix("nodes", b.nodes as f64, NODES, 1.0) as u32;
            b.found = fix("share of keys found", b.found, FOUND, 1.0);
        }
        if self.calls.count() == 0 {
            notes.push("a request makes at least one call; using one get".into());
            self.calls.gets = 1;
        }
        (self, notes)
    }
}
