//! "Your service": a service described in its own terms in, per pattern its capacity, latency at the load, threads, memory and binding limit out, plus the smallest executor pool that meets the latency target and a verdict that says only what those numbers say.
//!
//! A load given as requests in flight is a closed loop; a load given as a
//! rate is an open one, requests arriving at random (Poisson) whatever is in
//! progress ([`perfmodel::open`] and the simulator's arrivals): each pattern's
//! capacity is then the rate at which its first resource saturates, and past
//! it the pattern does not keep up at all. The verdict flags a rate above
//! [`NEAR`] of a capacity, where the tail grows fast.

use perfmodel::machine::Machine;
use perfmodel::memory::{memory, threads};
use perfmodel::mva::{bounds, Bounds};
use perfmodel::open;
use perfmodel::pattern::{steps, totals};
use perfmodel::predict::{short_run, ShortRun};
use perfmodel::scenario::{range, Python};
use perfmodel::sim::{simulate, SimConfig};
use perfmodel::{predict_curve, ModelError, Params, Pattern, Scenario};
use serde::{Deserialize, Serialize};

use crate::format::{count, number, percent};

/// Seed of the service page's simulations.
pub const SEED: u64 = 43;
/// A load above this share of a pattern's capacity is "near capacity".
pub const NEAR: f64 = 0.8;
/// The executor pool sizes tried for the smallest pool that meets the target: doublings from 1 to the largest the model takes.
pub const POOLS: [u32; 11] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
/// Each pattern's simulation: one warm-up cycle, then max(5,000, N) measured requests, at most 50,000.
pub const RUN: ShortRun = ShortRun { min: 5_000, cap: 50_000, warmup_min: 1_000, warmup_cap: 50_000 };
/// Each pool size's: a warm-up and a measurement of at most 20,000 requests each (about
/// 200 samples above the 99th percentile), so the eleven pool sizes cost about what three
/// patterns do.
pub const LADDER_RUN: ShortRun = ShortRun { cap: 20_000, warmup_cap: 20_000, ..RUN };

/// How the load is given.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Load {
    /// Requests per second the service must complete.
    Rate(f64),
    /// Requests outstanding at once (each caller waits for its answer).
    InFlight(u32),
}

/// A service as its owner describes it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Service {
    /// Network round trip to the database node, ms.
    pub rtt_ms: f64,
    /// The server's own time per read, ms.
    pub server_ms: f64,
    pub load: Load,
    /// CPU quota: cores the process may use.
    pub cores: u32,
    /// CPUs of the node (what `os.cpu_count()` reports).
    pub node_cpus: u32,
    /// Executor pool size; `None` is Python's default.
    pub pool: Option<u32>,
    /// Python work per request on the event loop (GIL held), ms.
    pub python_ms: f64,
    pub background_threads: u32,
    pub pod_limit_mib: f64,
    /// The latency target at the 99th percentile, ms.
    pub target_p99_ms: f64,
    /// Which CPython build.
    pub python: Python,
    /// Whose CPU costs (a machine profile).
    #[serde(default)]
    pub machine: Machine,
}

/// Valid ranges of the fields the scenario does not already bound.
pub mod limits {
    pub const RATE: (f64, f64) = (1.0, 1_000_000.0);
    pub const RTT_MS: (f64, f64) = (0.0, 5_000.0);
    pub const SERVER_MS: (f64, f64) = (0.0, 5_000.0);
    pub const TARGET_P99_MS: (f64, f64) = (0.01, 60_000.0);
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
        cores: 2,
        node_cpus: 16,
        pool: None,
        python_ms: 0.05,
        background_threads: 0,
        pod_limit_mib: 512.0,
        target_p99_ms: 10.0,
        python: Python::Gil,
        machine: Machine::Lab,
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
            key: "busy-api",
            label: "Busy API, cross zone",
            about: "5,000 requests/s with 0.1 ms of Python per request, 4 cores on a 32-CPU node, 1 ms round trip",
            service: Service {
                rtt_ms: rtt("cross-zone"),
                load: Load::Rate(5_000.0),
                cores: 4,
                node_cpus: 32,
                python_ms: 0.1,
                target_p99_ms: 20.0,
                ..base
            },
        },
        Preset {
            key: "fan-out",
            label: "Batch fan-out",
            about: "a job with 1,000 reads outstanding at once, same zone, 1 GiB pod, 100 ms p99 target",
            service: Service { load: Load::InFlight(1_000), python_ms: 0.0, pod_limit_mib: 1_024.0, target_p99_ms: 100.0, ..base },
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
        let (s, more) = self.scenario_at(1).clamped();
        notes.extend(more);
        self.cores = s.cores;
        self.node_cpus = s.node_cpus.unwrap_or(s.cores);
        self.pool = s.pool;
        self.python_ms = s.app_cpu_ms;
        self.background_threads = s.background_threads;
        self.pod_limit_mib = s.pod_limit_mib;
        (self, notes)
    }

    /// The model's scenario at `n` requests in flight.
    pub fn scenario_at(&self, n: u32) -> Scenario {
        Scenario {
            io_wait_ms: self.io_wait_ms(),
            concurrency: n,
            arrival_rate: None,
            timeout_ms: None,
            burstiness: None,
            pool: self.pool,
            cores: self.cores,
            node_cpus: Some(self.node_cpus),
            tokio_workers: None,
            app_cpu_ms: self.python_ms,
            background_threads: self.background_threads,
            pod_limit_mib: self.pod_limit_mib,
            python: self.python,
            machine: self.machine,
        }
    }

    /// The site-wide scenario this service sets: the requests in flight the
    /// load implies with no queueing at all (Little's law, N = rate × (I/O wait + Python work)).
    pub fn scenario(&self) -> Scenario {
        let n = match self.load {
            Load::InFlight(n) => n,
            Load::Rate(r) => (r * (self.io_wait_ms() + self.python_ms) / 1e3).round().clamp(1.0, range::CONCURRENCY.1) as u32,
        };
        self.scenario_at(n)
    }
}

/// What binds a pattern first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Limit {
    /// One calling thread: requests run one after another.
    OneThread,
    /// Every pool thread is held for the whole I/O wait.
    Pool,
    /// The GIL: one thread at a time runs Python.
    Gil,
    /// The CPU quota.
    Cpu,
    /// The pod's memory limit.
    Memory,
    /// The p99 target.
    Target,
}

impl Limit {
    pub fn words(self) -> &'static str {
        match self {
            Limit::OneThread => "one calling thread",
            Limit::Pool => "the thread pool",
            Limit::Gil => "the GIL",
            Limit::Cpu => "the CPU quota",
            Limit::Memory => "the pod's memory limit",
            Limit::Target => "the p99 target",
        }
    }
}

/// What the simulator adds at the load.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AtLoad {
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub threads: u32,
    pub gil_busy: f64,
    pub events: u64,
}

/// One pattern (or one executor pool size) under the service's load.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Outcome {
    pub pattern: Pattern,
    pub pool: u32,
    /// Most requests/s it sustains (analytic): at any number in flight for a
    /// closed load, the rate at which a resource saturates for an arriving one.
    pub capacity: f64,
    /// What caps the capacity.
    pub capped_by: Limit,
    /// Requests in flight at the load; `None` when the load is above capacity.
    pub in_flight: Option<u32>,
    /// Requests/s at that many in flight (analytic).
    pub throughput: f64,
    pub mean_ms: f64,
    /// Resident and reserved memory at the load, MiB.
    pub resident_mib: f64,
    pub reserved_mib: f64,
    pub threads: u32,
    /// GIL acquisitions on one request's path.
    pub gil_acquisitions: u32,
    pub sim: Option<AtLoad>,
}

impl Outcome {
    /// Whether the pattern carries the load within capacity, memory and target; `None` until simulated.
    pub fn meets(&self, s: &Service) -> Option<bool> {
        if self.in_flight.is_none() || self.resident_mib > s.pod_limit_mib {
            return Some(false);
        }
        self.sim.map(|a| a.p99_ms <= s.target_p99_ms)
    }

    /// The first limit the pattern runs into at the load (`None`: it meets everything, or is not simulated yet).
    pub fn binds(&self, s: &Service) -> Option<Limit> {
        if self.in_flight.is_none() {
            return Some(self.capped_by);
        }
        if self.resident_mib > s.pod_limit_mib {
            return Some(Limit::Memory);
        }
        match self.sim {
            Some(a) if a.p99_ms > s.target_p99_ms => Some(Limit::Target),
            _ => None,
        }
    }

    /// Whether a rate of arrivals runs this close to capacity (a fixed number in flight cannot overrun it).
    pub fn near_capacity(&self, s: &Service) -> bool {
        matches!(s.load, Load::Rate(_)) && self.in_flight.is_some() && rate_of(s, self) > NEAR * self.capacity
    }
}

/// The load as a rate: the given rate, or the pattern's throughput at the given requests in flight.
fn rate_of(s: &Service, o: &Outcome) -> f64 {
    match s.load {
        Load::Rate(r) => r,
        Load::InFlight(_) => o.throughput,
    }
}

/// Everything the page shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceData {
    pub service: Service,
    /// Sync, executor (the service's pool), Tokio.
    pub patterns: Vec<Outcome>,
    /// The executor at each of [`POOLS`].
    pub pools: Vec<Outcome>,
}

/// The analytic half: capacities, requests in flight, memory; the simulations are jobs ([`jobs`], [`run`]).
pub fn service_data(p: &Params, s: &Service) -> Result<ServiceData, ModelError> {
    let patterns = Pattern::COMPARED.iter().map(|&pt| outcome(p, s, pt, s.pool)).collect::<Result<_, _>>()?;
    let pools = POOLS.iter().map(|&pool| outcome(p, s, Pattern::Executor, Some(pool))).collect::<Result<_, _>>()?;
    Ok(ServiceData { service: *s, patterns, pools })
}

fn outcome(p: &Params, svc: &Service, pattern: Pattern, pool: Option<u32>) -> Result<Outcome, ModelError> {
    let base = Service { pool, ..*svc };
    if let Load::Rate(r) = svc.load {
        return open_outcome(p, &base, pattern, r);
    }
    let at = |n: u32| -> Result<f64, ModelError> { Ok(predict_curve(pattern, p, &base.scenario_at(n), &[n])?[0].throughput_ops_s) };
    let n_max = range::CONCURRENCY.1 as u32;
    let capacity = at(n_max)?;
    let Load::InFlight(n) = svc.load else { unreachable!("a rate is handled above") };
    let s = base.scenario_at(n);
    let q = &predict_curve(pattern, p, &s, &[s.concurrency])?[0];
    let b = bounds(pattern, p, &s);
    let m = memory(pattern, p, &s);
    Ok(Outcome {
        pattern,
        pool: s.pool_size(),
        capacity,
        capped_by: capped_by(pattern, capacity, &b),
        in_flight: Some(n),
        throughput: q.throughput_ops_s,
        mean_ms: q.latency_ms.mean,
        resident_mib: m.resident,
        reserved_mib: m.reserved,
        threads: threads(pattern, p, &s).total(),
        gil_acquisitions: totals(&steps(pattern, p, &s)).gil_acquisitions,
        sim: None,
    })
}

/// A pattern under requests arriving at `rate`: its open-load capacity and
/// what saturates first; within it, the requests in the process (Little's
/// law, N = λ·R) and the threads and memory they take.
fn open_outcome(p: &Params, base: &Service, pattern: Pattern, rate: f64) -> Result<Outcome, ModelError> {
    let s = Scenario { arrival_rate: Some(rate), ..base.scenario_at(1) };
    s.validate()?;
    let a = open::solve(pattern, p, &s, rate);
    let capped_by = match a.limit {
        open::Limit::Thread => Limit::OneThread,
        open::Limit::Pool => Limit::Pool,
        open::Limit::Gil => Limit::Gil,
        open::Limit::Cores | open::Limit::Workers => Limit::Cpu,
    };
    let in_flight = a.in_flight.map(|n| (n.ceil() as u32).clamp(1, range::CONCURRENCY.1 as u32));
    let sn = Scenario { concurrency: in_flight.unwrap_or(1), ..s };
    let m = memory(pattern, p, &sn);
    Ok(Outcome {
        pattern,
        pool: s.pool_size(),
        capacity: a.capacity,
        capped_by,
        in_flight,
        throughput: a.throughput,
        mean_ms: a.latency_ms.map_or(f64::INFINITY, |l| l.mean),
        resident_mib: m.resident,
        reserved_mib: m.reserved,
        threads: threads(pattern, p, &sn).total(),
        gil_acquisitions: totals(&steps(pattern, p, &s)).gil_acquisitions,
        sim: None,
    })
}

/// Which bound the capacity sits at: the lowest of the pool cap, the CPU
/// quota and the GIL ceiling when the capacity is within 20% of it, else the
/// CPU quota (the cores' queueing sets it below every bound).
fn capped_by(pattern: Pattern, capacity: f64, b: &Bounds) -> Limit {
    if pattern == Pattern::Sync {
        return Limit::OneThread;
    }
    let (lowest, which) = b.binding();
    let limit = match which {
        "pool" => Limit::Pool,
        "gil" => Limit::Gil,
        _ => Limit::Cpu,
    };
    if capacity >= NEAR * lowest {
        limit
    } else {
        Limit::Cpu
    }
}

/// Which outcome a simulation job fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    Pattern(usize),
    Pool(usize),
}

/// Every simulation the page needs: one per pattern and one per pool size, for outcomes within capacity.
pub fn jobs(d: &ServiceData) -> Vec<Job> {
    let within = |o: &Outcome| o.in_flight.is_some();
    let mut out: Vec<Job> = (0..d.patterns.len()).filter(|&i| within(&d.patterns[i])).map(Job::Pattern).collect();
    out.extend((0..d.pools.len()).filter(|&i| within(&d.pools[i])).map(Job::Pool));
    out
}

/// Run one job's simulation: a closed loop at the requests in flight, or
/// the arriving requests themselves (at least [`RUN`]'s 5,000 measured and
/// 1,000 of warm-up, more when that many arrive in under a second, at most
/// [`LADDER_RUN`]'s 20,000 for a pool size and [`RUN`]'s 50,000 for a pattern).
pub fn run(p: &Params, d: &ServiceData, job: Job) -> Result<(Job, AtLoad), ModelError> {
    let o = d.outcome(job);
    let n = o.in_flight.unwrap_or(1);
    let mut s = Service { pool: Some(o.pool), ..d.service }.scenario_at(n);
    let run = if matches!(job, Job::Pool(_)) { LADDER_RUN } else { RUN };
    let cfg = match d.service.load {
        Load::Rate(rate) => {
            s.arrival_rate = Some(rate);
            let per_second = rate.ceil() as u64;
            SimConfig {
                seed: SEED,
                requests: per_second.clamp(run.min, run.cap),
                warmup: per_second.clamp(run.warmup_min, run.warmup_cap),
                ..SimConfig::default()
            }
        }
        Load::InFlight(_) => short_run(&s, SEED, run),
    };
    let r = simulate(o.pattern, p, &s, &cfg)?;
    Ok((
        job,
        AtLoad {
            p50_ms: r.latency_ms.p50,
            p99_ms: r.latency_ms.p99,
            threads: r.threads,
            gil_busy: r.gil_utilization + r.gil_background,
            events: r.events,
        },
    ))
}

/// Every simulation, in order: for tests, the CLI and the no-JavaScript page.
pub fn complete(p: &Params, s: &Service) -> Result<ServiceData, ModelError> {
    let mut d = service_data(p, s)?;
    for job in jobs(&d) {
        let (job, at) = run(p, &d, job)?;
        d.fill(job, at);
    }
    Ok(d)
}

impl ServiceData {
    fn outcome(&self, job: Job) -> &Outcome {
        match job {
            Job::Pattern(i) => &self.patterns[i],
            Job::Pool(i) => &self.pools[i],
        }
    }

    pub fn fill(&mut self, job: Job, at: AtLoad) {
        match job {
            Job::Pattern(i) => self.patterns[i].sim = Some(at),
            Job::Pool(i) => self.pools[i].sim = Some(at),
        }
    }

    pub fn get(&self, p: Pattern) -> &Outcome {
        self.patterns.iter().find(|o| o.pattern == p).expect("every compared pattern has an outcome")
    }

    /// Whether every simulation has reported.
    pub fn complete(&self) -> bool {
        jobs(self).iter().all(|&j| self.outcome(j).sim.is_some())
    }

    /// The smallest pool of [`POOLS`] that meets everything, once known:
    /// `Some(Some(o))` found, `Some(None)` none does, `None` not known yet.
    pub fn smallest_pool(&self) -> Option<Option<&Outcome>> {
        for o in &self.pools {
            match o.meets(&self.service) {
                Some(true) => return Some(Some(o)),
                Some(false) => {}
                None => return None,
            }
        }
        Some(None)
    }

    /// The load in words.
    pub fn load_words(&self) -> String {
        match self.service.load {
            Load::Rate(r) => format!("{} requests/s", number(r)),
            Load::InFlight(n) => format!("{} requests in flight", count(n)),
        }
    }

    /// The verdict, built only from the outcomes above: who meets the target, what binds, what a bigger pool would do.
    pub fn verdict(&self) -> Vec<String> {
        let s = &self.service;
        let (ex, tk) = (self.get(Pattern::Executor), self.get(Pattern::Tokio));
        let (Some(ex_ok), Some(tk_ok)) = (ex.meets(s), tk.meets(s)) else {
            return vec!["Simulating the latency at your load…".into()];
        };
        let target = format!("p99 ≤ {} ms at {}", number(s.target_p99_ms), self.load_words());
        let p99 = |o: &Outcome| o.sim.map(|a| format!("{} ms", number(a.p99_ms))).unwrap_or_else(|| "—".into());
        let why = |o: &Outcome| match o.binds(s) {
            Some(Limit::Target) => format!("its p99 is {}", p99(o)),
            Some(Limit::Memory) => format!("it needs {} MiB, above the pod's {} MiB", number(o.resident_mib), number(s.pod_limit_mib)),
            Some(l) => format!("{} caps it at {} requests/s", l.words(), number(o.capacity)),
            None => String::new(),
        };
        let mut out = Vec::new();
        match (ex_ok, tk_ok) {
            (true, true) => out.push(format!(
                "Switching gains nothing you asked for: both the executor (pool of {}) and aerospike-py's async client meet {target} (p99 {} and {}).",
                ex.pool,
                p99(ex),
                p99(tk)
            )),
            (false, true) => out.push(format!(
                "aerospike-py's async client meets {target} (p99 {}); the executor with a pool of {} does not: {}.",
                p99(tk),
                ex.pool,
                why(ex)
            )),
            (true, false) => out.push(format!(
                "Stay with the executor: with a pool of {} it meets {target} (p99 {}), and aerospike-py's async client does not: {}.",
                ex.pool,
                p99(ex),
                why(tk)
            )),
            (false, false) => out.push(format!(
                "Neither meets {target} in one process: the executor because {}, aerospike-py's async client because {}.",
                why(ex),
                why(tk)
            )),
        }
        if !ex_ok {
            match self.smallest_pool() {
                Some(Some(o)) => out.push(format!(
                    "A pool of {} threads would meet it with the official client (p99 {}), at {} threads and {} MiB resident{}.",
                    o.pool,
                    p99(o),
                    count(o.threads),
                    number(o.resident_mib),
                    if tk_ok {
                        format!(
                            " against Tokio's {} threads and {} MiB: resizing the pool is the smaller change",
                            count(tk.threads),
                            number(tk.resident_mib)
                        )
                    } else {
                        String::new()
                    }
                )),
                Some(None) => {
                    out.push(format!("No pool size up to {} threads meets it with the official client.", count(*POOLS.last().expect("pools"))))
                }
                None => {}
            }
        }
        if !ex_ok && !tk_ok {
            let best = ex.capacity.max(tk.capacity);
            if let Load::Rate(r) = s.load {
                if r > best {
                    out.push(format!(
                        "One Python process tops out at {} requests/s here; {} processes (each with its own GIL) would share the load.",
                        number(best),
                        ((r / (NEAR * best)).ceil() as u32).max(2)
                    ));
                }
            }
        }
        for o in [ex, tk] {
            if o.near_capacity(s) {
                out.push(format!(
                    "{} runs at {} of its capacity: near it, a small rise in the rate makes its tail much longer.",
                    o.pattern.label(),
                    percent(rate_of(s, o) / o.capacity)
                ));
            }
        }
        out
    }

    /// A text summary of the table, for screen readers and the no-JavaScript page.
    pub fn summary(&self) -> String {
        let parts: Vec<String> = self
            .patterns
            .iter()
            .map(|o| {
                format!(
                    "{}: capacity {} requests/s ({}), {}",
                    o.pattern.label(),
                    number(o.capacity),
                    o.capped_by.words(),
                    o.sim.map(|a| format!("p99 {} ms", number(a.p99_ms))).unwrap_or_else(|| if o.in_flight.is_none() {
                        "over capacity".into()
                    } else {
                        "p99 pending".into()
                    })
                )
            })
            .collect();
        format!("At {} with {} ms I/O wait: {}. {}", self.load_words(), number(self.service.io_wait_ms()), parts.join("; "), self.verdict().join(" "))
    }
}

impl ServiceData {
    /// The results as HTML: the verdict, a table with one column per pattern,
    /// and the executor at every pool size. The widget and the no-JavaScript
    /// page write the same markup.
    pub fn html(&self) -> String {
        use crate::dashboard::esc;
        let s = &self.service;
        let pending = "…";
        let ms = |v: f64| format!("{} ms", number(v));
        let mut h = String::from("<div class=\"service-verdict\" data-testid=\"service-verdict\">");
        for v in self.verdict() {
            h.push_str(&format!("<p>{}</p>", esc(&v)));
        }
        h.push_str("</div>");
        // One column per pattern: four columns fit a phone.
        h.push_str(&format!(
            "<div class=\"service-box\" tabindex=\"0\" role=\"region\" aria-label=\"Each pattern at your load\"><table class=\"service-table\" data-testid=\"service-table\"><caption>Each pattern at {} ({} ms I/O wait)</caption><thead><tr><th scope=\"col\">At your load</th>",
            esc(&self.load_words()),
            number(s.io_wait_ms())
        ));
        for o in &self.patterns {
            h.push_str(&format!(
                "<th scope=\"col\" title=\"{}\"><span class=\"widget-swatch {}\"></span>{}</th>",
                esc(o.pattern.label()),
                o.pattern.name(),
                crate::style::short_label(o.pattern)
            ));
        }
        h.push_str("</tr></thead><tbody>");
        type Cell = fn(&Outcome, &Service) -> String;
        let rows: [(&str, Cell); 9] = [
            ("Capacity (requests/s)", |o, _| number(o.capacity)),
            ("Capped by", |o, _| o.capped_by.words().to_string()),
            ("Requests in flight at your load", |o, _| o.in_flight.map(count).unwrap_or_else(|| "over capacity".into())),
            ("p50", |o, _| o.sim.map(|a| format!("{} ms", number(a.p50_ms))).unwrap_or_default()),
            ("p99", |o, _| o.sim.map(|a| format!("{} ms", number(a.p99_ms))).unwrap_or_default()),
            ("Threads", |o, _| if o.in_flight.is_some() { count(o.threads) } else { String::new() }),
            ("Resident memory", |o, _| if o.in_flight.is_some() { format!("{} MiB", number(o.resident_mib)) } else { String::new() }),
            ("GIL acquisitions per request", |o, _| count(o.gil_acquisitions)),
            ("First limit reached", |o, s| match (o.meets(s), o.binds(s)) {
                (None, _) => String::new(),
                (_, Some(l)) => l.words().to_string(),
                (_, None) => "none: meets the target".into(),
            }),
        ];
        for (label, cell) in rows {
            h.push_str(&format!("<tr><th scope=\"row\">{label}</th>"));
            for o in &self.patterns {
                let c = cell(o, s);
                let c = if c.is_empty() && o.in_flight.is_some() {
                    pending.to_string()
                } else if c.is_empty() {
                    "—".into()
                } else {
                    c
                };
                h.push_str(&format!("<td data-pattern=\"{}\">{}</td>", o.pattern.name(), esc(&c)));
            }
            h.push_str("</tr>");
        }
        h.push_str("</tbody></table></div>");
        // The bigger-pool question.
        h.push_str(&format!(
            "<div class=\"service-box\" tabindex=\"0\" role=\"region\" aria-label=\"The executor at each pool size, at your load\"><table class=\"service-pools\" data-testid=\"service-pools\"><caption>The official client through the executor with a bigger pool, at {} (p99 target {})</caption>\
             <thead><tr><th scope=\"col\">Pool threads</th><th scope=\"col\">Capacity (requests/s)</th><th scope=\"col\">p99</th><th scope=\"col\">Threads used</th><th scope=\"col\">Resident memory</th><th scope=\"col\">Meets the target</th></tr></thead><tbody>",
            esc(&self.load_words()),
            ms(s.target_p99_ms)
        ));
        let smallest = self.smallest_pool().flatten().map(|o| o.pool);
        for o in &self.pools {
            let within = o.in_flight.is_some();
            let p99 = o.sim.map(|a| ms(a.p99_ms)).unwrap_or_else(|| if within { pending.into() } else { "over capacity".into() });
            let meets = match o.meets(s) {
                Some(true) => "yes",
                Some(false) => "no",
                None => pending,
            };
            let mark = if smallest == Some(o.pool) { " class=\"service-smallest\"" } else { "" };
            h.push_str(&format!(
                "<tr{mark}><th scope=\"row\">{}{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{meets}</td></tr>",
                count(o.pool),
                if smallest == Some(o.pool) { " (smallest that meets it)" } else { "" },
                number(o.capacity),
                esc(&p99),
                if within { count(o.threads) } else { "—".into() },
                if within { format!("{} MiB", number(o.resident_mib)) } else { "—".into() },
            ));
        }
        h.push_str("</tbody></table></div>");
        h
    }
}

/// One numeric input of the form: its key, label, group, range and step, and how it reads and writes a service.
#[derive(Clone, Copy)]
pub struct Field {
    pub key: &'static str,
    pub label: &'static str,
    pub group: Group,
    pub range: (f64, f64),
    pub step: f64,
    pub get: fn(&Service) -> f64,
    pub set: fn(&mut Service, f64),
}

/// The form's three groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Database,
    Load,
    Process,
}

impl Group {
    pub const ALL: [Group; 3] = [Group::Database, Group::Load, Group::Process];
    pub fn legend(self) -> &'static str {
        match self {
            Group::Database => "The database",
            Group::Load => "The load",
            Group::Process => "The process",
        }
    }
}

/// Every numeric input, in order.
pub const FIELDS: [Field; 10] = [
    Field {
        key: "rtt",
        label: "Network round trip to the node (ms)",
        group: Group::Database,
        range: limits::RTT_MS,
        step: 0.01,
        get: |s| s.rtt_ms,
        set: |s, v| s.rtt_ms = v,
    },
    Field {
        key: "server",
        label: "Server time per read (ms)",
        group: Group::Database,
        range: limits::SERVER_MS,
        step: 0.01,
        get: |s| s.server_ms,
        set: |s, v| s.server_ms = v,
    },
    Field {
        key: "load",
        label: "How many",
        group: Group::Load,
        range: (1.0, limits::RATE.1),
        step: 1.0,
        get: |s| match s.load {
            Load::Rate(r) => r,
            Load::InFlight(n) => n as f64,
        },
        set: |s, v| {
            s.load = match s.load {
                Load::Rate(_) => Load::Rate(v),
                Load::InFlight(_) => Load::InFlight(v.round().clamp(0.0, u32::MAX as f64) as u32),
            }
        },
    },
    Field {
        key: "target",
        label: "Latency target at p99 (ms)",
        group: Group::Load,
        range: limits::TARGET_P99_MS,
        step: 0.1,
        get: |s| s.target_p99_ms,
        set: |s, v| s.target_p99_ms = v,
    },
    Field {
        key: "cores",
        label: "CPU quota (cores)",
        group: Group::Process,
        range: range::CORES,
        step: 1.0,
        get: |s| s.cores as f64,
        set: |s, v| s.cores = whole(v),
    },
    Field {
        key: "ncpu",
        label: "Node CPUs (what os.cpu_count() reports)",
        group: Group::Process,
        range: range::NODE_CPUS,
        step: 1.0,
        get: |s| s.node_cpus as f64,
        set: |s, v| s.node_cpus = whole(v),
    },
    Field {
        key: "pool",
        label: "Executor pool (threads)",
        group: Group::Process,
        range: range::POOL,
        step: 1.0,
        get: |s| s.scenario_at(1).pool_size() as f64,
        set: |s, v| s.pool = Some(whole(v)),
    },
    Field {
        key: "python",
        label: "Python work per request (ms, GIL held)",
        group: Group::Process,
        range: range::APP_CPU_MS,
        step: 0.01,
        get: |s| s.python_ms,
        set: |s, v| s.python_ms = v,
    },
    Field {
        key: "bg",
        label: "Background CPU-bound threads",
        group: Group::Process,
        range: range::BACKGROUND_THREADS,
        step: 1.0,
        get: |s| s.background_threads as f64,
        set: |s, v| s.background_threads = whole(v),
    },
    Field {
        key: "mem",
        label: "Pod memory limit (MiB)",
        group: Group::Process,
        range: range::POD_LIMIT_MIB,
        step: 1.0,
        get: |s| s.pod_limit_mib,
        set: |s, v| s.pod_limit_mib = v,
    },
];

fn whole(v: f64) -> u32 {
    v.round().clamp(0.0, u32::MAX as f64) as u32
}

/// A number as an input shows it: no trailing zeros, no exponent.
pub fn input_value(v: f64) -> String {
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Which control of the form an edit came from, and what it says.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// A numeric input, by key, with the text typed.
    Number(String, String),
    /// The load given as a rate (`true`) or as requests in flight.
    ByRate(bool),
    /// "Python's default" pool on or off.
    DefaultPool(bool),
    /// An example service, by key.
    Preset(String),
    /// A network round trip preset, in ms.
    RoundTrip(f64),
    /// The CPython build, by its key ([`python_key`]).
    Python(String),
    /// The machine profile, by its key (`perfmodel::machine::PROFILES`).
    Machine(String),
}

/// The CPython builds the form offers: key, words.
pub const PYTHONS: [(Python, &str, &str); 3] = [
    (Python::Gil, "gil", "3.11–3.13, with the GIL"),
    (Python::FreeThreaded, "ft", "3.14t free-threaded (the official client brings the GIL back)"),
    (Python::FreeThreadedForced, "ft-forced", "3.14t with the GIL forced off for both (PYTHON_GIL=0)"),
];

/// A build's key in the form.
pub fn python_key(p: Python) -> &'static str {
    PYTHONS.iter().find(|x| x.0 == p).map(|x| x.1).unwrap_or("gil")
}

impl Service {
    /// Apply one edit; out-of-range values are clamped and said, text that is not a number is refused with a reason.
    pub fn edit(&self, e: &Edit) -> (Service, Vec<String>) {
        let mut s = *self;
        match e {
            Edit::Number(key, text) => {
                let Some(f) = FIELDS.iter().find(|f| f.key == key) else {
                    return (s, vec![format!("no setting {key:?}")]);
                };
                match text.trim().parse::<f64>() {
                    Ok(v) if v.is_finite() => (f.set)(&mut s, v),
                    _ => return (s, vec![format!("{}: {text:?} is not a number; left as it was", f.label)]),
                }
            }
            Edit::ByRate(true) => {
                if let Load::InFlight(_) = s.load {
                    // The rate those requests in flight would carry with no queueing (Little's law).
                    s.load = Load::Rate((s.scenario().concurrency as f64 * 1e3 / (s.io_wait_ms() + s.python_ms).max(0.001)).round());
                }
            }
            Edit::ByRate(false) => {
                if let Load::Rate(_) = s.load {
                    s.load = Load::InFlight(s.scenario().concurrency);
                }
            }
            Edit::DefaultPool(on) => s.pool = if *on { None } else { Some(s.scenario_at(1).pool_size()) },
            Edit::Preset(key) => match presets().into_iter().find(|p| p.key == key) {
                Some(p) => s = p.service,
                None => return (s, vec![format!("no example {key:?}")]),
            },
            Edit::RoundTrip(ms) => s.rtt_ms = *ms,
            Edit::Python(key) => match PYTHONS.iter().find(|x| x.1 == key) {
                Some(x) => s.python = x.0,
                None => return (s, vec![format!("no Python build {key:?}")]),
            },
            Edit::Machine(key) => match perfmodel::machine::PROFILES.iter().find(|p| p.key == key) {
                Some(p) => s.machine = p.machine,
                None => return (s, vec![format!("no machine profile {key:?}")]),
            },
        }
        s.clamped()
    }

    /// The form, as HTML: the widget writes it once and then updates the values in place (so focus stays put).
    pub fn form_html(&self, uid: &str) -> String {
        use crate::dashboard::esc;
        let mut h = String::from("<div class=\"widget-presets\" role=\"group\" aria-label=\"Example services\">");
        for p in presets() {
            h.push_str(&format!(
                "<button type=\"button\" data-preset=\"{}\" data-testid=\"svc-preset-{}\" title=\"{}\" aria-pressed=\"{}\">{}</button>",
                p.key,
                p.key,
                esc(p.about),
                *self == p.service,
                esc(p.label)
            ));
        }
        h.push_str("</div>");
        for g in Group::ALL {
            h.push_str(&format!("<fieldset class=\"service-fields\"><legend>{}</legend>", g.legend()));
            if g == Group::Load {
                let rate = matches!(self.load, Load::Rate(_));
                h.push_str(&format!(
                    "<div class=\"service-choice\" role=\"radiogroup\" aria-label=\"How the load is given\">\
                     <label><input type=\"radio\" name=\"{uid}-load\" data-by-rate=\"true\" data-testid=\"svc-by-rate\"{}> requests per second</label>\
                     <label><input type=\"radio\" name=\"{uid}-load\" data-by-rate=\"false\" data-testid=\"svc-by-flight\"{}> requests in flight at once</label></div>",
                    if rate { " checked" } else { "" },
                    if rate { "" } else { " checked" }
                ));
            }
            for f in FIELDS.iter().filter(|f| f.group == g) {
                h.push_str(&format!(
                    "<label class=\"widget-field\" for=\"{uid}-{k}\">{}<input type=\"number\" id=\"{uid}-{k}\" data-key=\"{k}\" data-testid=\"svc-{k}\" min=\"{}\" max=\"{}\" step=\"{}\" value=\"{}\"></label>",
                    esc(f.label),
                    input_value(f.range.0),
                    input_value(f.range.1),
                    f.step,
                    input_value((f.get)(self)),
                    k = f.key
                ));
            }
            match g {
                Group::Database => {
                    h.push_str("<div class=\"widget-presets\" role=\"group\" aria-label=\"Network round trips\">");
                    for p in perfmodel::scenario::PRESETS {
                        h.push_str(&format!(
                            "<button type=\"button\" data-rtt=\"{}\" title=\"{} ms. Source: {}\">{} ({} ms)</button>",
                            p.rtt_ms,
                            number(p.rtt_ms),
                            esc(p.source),
                            esc(p.label),
                            number(p.rtt_ms)
                        ));
                    }
                    h.push_str("</div>");
                }
                Group::Process => {
                    h.push_str(&format!(
                        "<label class=\"service-choice\"><input type=\"checkbox\" data-default-pool data-testid=\"svc-default-pool\"{}> <span data-default-pool-text>{}</span></label>",
                        if self.pool.is_none() { " checked" } else { "" },
                        esc(&self.default_pool_words())
                    ));
                    // A choice among named options: the attribute the widget listens on, the label, (key, words, chosen).
                    let mut choice = |attr: &str, label: &str, options: Vec<(&str, &str, bool)>| {
                        h.push_str(&format!(
                            "<label class=\"widget-field service-wide\" for=\"{uid}-{attr}\">{label}<select id=\"{uid}-{attr}\" data-{attr} data-testid=\"svc-{attr}\">"
                        ));
                        for (key, words, chosen) in options {
                            h.push_str(&format!("<option value=\"{key}\"{}>{}</option>", if chosen { " selected" } else { "" }, esc(words)));
                        }
                        h.push_str("</select></label>");
                    };
                    choice("python", "Python", PYTHONS.iter().map(|(py, key, words)| (*key, *words, *py == self.python)).collect());
                    choice(
                        "machine",
                        "Machine costs",
                        perfmodel::machine::PROFILES.iter().map(|p| (p.key, p.label, p.machine == self.machine)).collect(),
                    );
                }
                Group::Load => {}
            }
            h.push_str("</fieldset>");
        }
        h
    }

    /// The "Python's default" checkbox's words.
    pub fn default_pool_words(&self) -> String {
        format!("pool: Python's default, min(32, node CPUs + 4) = {}", perfmodel::scenario::default_pool(self.node_cpus))
    }
}
