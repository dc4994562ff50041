//! Each pattern (and the executor at each pool size) under the service's load: capacity, what caps it, requests in flight, memory, threads; the simulations as stage jobs.

use perfmodel::memory::{memory, threads};
use perfmodel::mva::{bounds, Bounds};
use perfmodel::open;
use perfmodel::pattern::{cpu_us, steps, totals};
use perfmodel::predict::short_run;
use perfmodel::scenario::range;
use perfmodel::sim::{simulate, SimConfig};
use perfmodel::{predict_curve, ModelError, Params, Pattern, Scenario};
use serde::Serialize;

use super::{Load, Objective, Service, NEAR, SEED};
use crate::format::{count, number};
use crate::runs::{self, POOLS};
use crate::stages::{numbers_struct, Numbers, Reader, Staged};

/// What binds a pattern first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Limit {
    /// One calling thread: requests run one after another.
    OneThread,
    /// Every pool thread is held for the whole I/O wait.
    Pool,
    /// The official client's own thread pool: each node request of a concurrent batch holds one of its threads.
    ClientPool,
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
            Limit::ClientPool => "the official client's thread pool",
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
    /// CPU the pod uses at the load, in cores: requests/s × CPU per request (GIL-held or not).
    pub cores_used: f64,
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
    pub(crate) fn near_capacity(&self, s: &Service) -> bool {
        matches!(s.load, Load::Rate(_)) && self.in_flight.is_some() && rate_of(s, self) > NEAR * self.capacity
    }
}

/// The load as a rate: the given rate, or the pattern's throughput at the given requests in flight.
pub(super) fn rate_of(s: &Service, o: &Outcome) -> f64 {
    match s.load {
        Load::Rate(r) => r,
        Load::InFlight(_) => o.throughput,
    }
}

/// Everything the page shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceData {
    pub service: Service,
    /// Sync, executor (the service's pool), a plain def endpoint (behind a web server), Tokio.
    pub patterns: Vec<Outcome>,
    /// The executor at each of [`POOLS`].
    pub pools: Vec<Outcome>,
    /// When a rate is above every pattern's capacity: a larger service that
    /// carries it (`Some(None)`: none within the ranges; `None`: not asked).
    pub grown: Option<Option<Grown>>,
    /// For the objective "the most requests/s within the target": today's
    /// way and aerospike-py's, each at [`MOST`]'s shares of its capacity.
    pub most: Vec<Rung>,
}

/// The shares of a pattern's capacity at which "the most requests/s within
/// the target" is looked for: the highest whose simulated p99 is within it
/// is the answer, to within a rung.
pub const MOST: [f64; 6] = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95];

/// A share of a capacity in words, as the ladder's rungs are whole percentages: "80%".
pub(crate) fn share_words(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// One rung of that ladder: a pattern at a rate (the pod's), and what the simulator found there once run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rung {
    pub pattern: Pattern,
    pub share: f64,
    pub rate: f64,
    pub sim: Option<AtLoad>,
}

/// A service grown to carry a rate: its worker processes and CPU quota, and
/// the pattern whose capacity there is the higher, with that capacity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Grown {
    pub pattern: Pattern,
    pub workers: u32,
    pub cores: f64,
    pub capacity: f64,
}

/// The patterns the page weighs, in its columns' order: the three the site
/// compares and, behind a web server, a plain def endpoint.
pub const SHOWN: [Pattern; 4] = [Pattern::Sync, Pattern::Executor, Pattern::Threadpool, Pattern::Tokio];

impl Service {
    /// The patterns this service's page shows: a plain def endpoint only behind a web framework.
    pub fn shown(&self) -> Vec<Pattern> {
        SHOWN.into_iter().filter(|&p| self.web_server || p != Pattern::Threadpool).collect()
    }
}

/// The analytic half: capacities, requests in flight, memory; the simulations are jobs ([`Staged`]).
pub fn service_data(p: &Params, s: &Service) -> Result<ServiceData, ModelError> {
    let patterns = s.shown().into_iter().map(|pt| outcome(p, s, pt, s.pool)).collect::<Result<Vec<Outcome>, _>>()?;
    let pools = POOLS.iter().map(|&pool| outcome(p, s, Pattern::Executor, Some(pool))).collect::<Result<Vec<Outcome>, _>>()?;
    let best = patterns.iter().filter(|o| o.pattern != Pattern::Sync).map(|o| o.capacity).fold(0.0, f64::max);
    let grown = match s.load {
        Load::Rate(r) if r > best => Some(grown(p, s, r)?),
        _ => None,
    };
    let most = if s.objective == Objective::Most { ladder(p, s)? } else { Vec::new() };
    Ok(ServiceData { service: *s, patterns, pools, grown, most })
}

/// Today's way of calling the official client and aerospike-py, each at
/// every share of [`MOST`] of its capacity under arriving requests (whatever
/// the form's load): the rungs to simulate.
fn ladder(p: &Params, s: &Service) -> Result<Vec<Rung>, ModelError> {
    let mut out = Vec::new();
    for pattern in [s.official, Pattern::Tokio] {
        let all = Scenario { arrival_rate: Some(1.0), ..s.scenario_at(1) };
        all.validate()?;
        let cap = open::capacity(pattern, p, &all.per_worker()).0 * f64::from(s.workers.max(1));
        out.extend(MOST.iter().map(|&share| Rung { pattern, share, rate: share * cap, sim: None }));
    }
    Ok(out)
}

/// A larger service whose capacity carries `rate` below [`NEAR`] of it:
/// more worker processes on the same CPU quota first (each brings its own
/// GIL), else a larger quota with at least one worker process per core.
/// Capacity is taken to rise with either, so each is a bisection: at most
/// 2 × (7 + 9) services, each the analytic capacity of every pattern but Sync. The service returned is checked to
/// carry the rate whether or not that holds.
fn grown(p: &Params, s: &Service, rate: f64) -> Result<Option<Grown>, ModelError> {
    let need = rate / NEAR;
    let best = |svc: Service| -> Result<Grown, ModelError> {
        let mut out = Grown { pattern: Pattern::Executor, workers: svc.workers, cores: svc.cores, capacity: 0.0 };
        for pattern in svc.shown().into_iter().filter(|&p| p != Pattern::Sync) {
            let all = Scenario { arrival_rate: Some(rate), ..svc.scenario_at(1) };
            all.validate()?;
            let capacity = open::capacity(pattern, p, &all.per_worker()).0 * f64::from(svc.workers.max(1));
            if capacity > out.capacity {
                out = Grown { pattern, capacity, ..out };
            }
        }
        Ok(out)
    };
    // The smallest x in lo..=hi whose service carries the rate, if hi's does.
    let search = |lo: u32, hi: u32, at: &dyn Fn(u32) -> Service| -> Result<Option<Grown>, ModelError> {
        if lo > hi {
            return Ok(None);
        }
        let top = best(at(hi))?;
        if top.capacity < need {
            return Ok(None);
        }
        let (mut lo, mut hi, mut found) = (lo, hi, top);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let g = best(at(mid))?;
            if g.capacity >= need {
                hi = mid;
                found = g;
            } else {
                lo = mid + 1;
            }
        }
        Ok(Some(found))
    };
    let max_workers = range::WORKERS.1 as u32;
    let k0 = s.workers.max(1);
    if let Some(g) = search(k0 + 1, max_workers, &|k| Service { workers: k, ..*s })? {
        return Ok(Some(g));
    }
    let c0 = s.cores.floor() as u32;
    search(c0 + 1, range::CORES.1 as u32, &|c| Service { workers: k0.max(c).min(max_workers), cores: f64::from(c), ..*s })
}

/// One pattern under the service's load. A service of K worker processes
/// is one worker at its share of the load and of the CPU quota
/// ([`Scenario::per_worker`]), K times: its rates, requests in flight,
/// threads and memory add up; its latency and what caps it are one worker's.
fn outcome(p: &Params, svc: &Service, pattern: Pattern, pool: Option<u32>) -> Result<Outcome, ModelError> {
    let base = Service { pool, ..*svc };
    if let Load::Rate(r) = svc.load {
        return open_outcome(p, &base, pattern, r);
    }
    let Load::InFlight(n) = svc.load else { unreachable!("a rate is handled above") };
    let s = base.scenario_at(n).per_worker();
    let k = f64::from(base.workers.max(1));
    let n_max = range::CONCURRENCY.1 as u32;
    let one_capacity = predict_curve(pattern, p, &Scenario { concurrency: n_max, ..s }, &[n_max])?[0].throughput_ops_s;
    let q = &predict_curve(pattern, p, &s, &[s.concurrency])?[0];
    let b = bounds(pattern, p, &s);
    let m = memory(pattern, p, &s);
    Ok(Outcome {
        pattern,
        pool: pool_of(pattern, &s),
        // The most it sustains at any number in flight: the solver's curve may
        // peak a little below its largest population (0.3% for a plain def
        // endpoint at 50 against 100,000 in the lookup example).
        capacity: one_capacity.max(q.throughput_ops_s) * k,
        capped_by: capped_by(pattern, one_capacity, &b),
        in_flight: Some(n),
        throughput: q.throughput_ops_s * k,
        mean_ms: q.latency_ms.mean,
        resident_mib: m.resident * k,
        reserved_mib: m.reserved * k,
        threads: threads(pattern, p, &s).total() * base.workers.max(1),
        gil_acquisitions: totals(&steps(pattern, p, &s)).gil_acquisitions,
        cores_used: q.throughput_ops_s * k * cpu_us(pattern, p, &s) / 1e6,
        sim: None,
    })
}

/// A pattern under requests arriving at `rate`: its open-load capacity and
/// what saturates first; within it, the requests in the service (Little's
/// law, N = λ·R) and the threads and memory they take. Each of K workers
/// takes `rate / K` of the arrivals.
fn open_outcome(p: &Params, base: &Service, pattern: Pattern, rate: f64) -> Result<Outcome, ModelError> {
    let all = Scenario { arrival_rate: Some(rate), ..base.scenario_at(1) };
    all.validate()?;
    let s = all.per_worker();
    let workers = base.workers.max(1);
    let k = f64::from(workers);
    let a = open::solve(pattern, p, &s, rate / k);
    let capped_by = match a.limit {
        open::Limit::Thread => Limit::OneThread,
        open::Limit::Pool => Limit::Pool,
        open::Limit::ClientPool => Limit::ClientPool,
        open::Limit::Gil => Limit::Gil,
        open::Limit::Cores | open::Limit::Workers => Limit::Cpu,
    };
    // One worker's requests in flight, then the service's.
    let one = a.in_flight.map(|n| (n.ceil() as u32).clamp(1, range::CONCURRENCY.1 as u32));
    let in_flight = a.in_flight.map(|n| ((n * k).ceil() as u32).clamp(1, range::CONCURRENCY.1 as u32));
    let sn = Scenario { concurrency: one.unwrap_or(1), ..s };
    let m = memory(pattern, p, &sn);
    Ok(Outcome {
        pattern,
        pool: pool_of(pattern, &s),
        capacity: a.capacity * k,
        capped_by,
        in_flight,
        throughput: a.throughput * k,
        mean_ms: a.latency_ms.map_or(f64::INFINITY, |l| l.mean),
        resident_mib: m.resident * k,
        reserved_mib: m.reserved * k,
        threads: threads(pattern, p, &sn).total() * workers,
        gil_acquisitions: totals(&steps(pattern, p, &s)).gil_acquisitions,
        cores_used: a.throughput * k * cpu_us(pattern, p, &s) / 1e6,
        sim: None,
    })
}

/// The threads a pattern's requests wait on: the framework's for a plain def
/// endpoint, else the executor's pool (shown for the executor only).
fn pool_of(pattern: Pattern, s: &Scenario) -> u32 {
    if pattern == Pattern::Threadpool {
        s.pool_for(pattern)
    } else {
        s.pool_size()
    }
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
        "client-pool" => Limit::ClientPool,
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
    /// A rung of the ladder for "the most requests/s within the target".
    Most(usize),
}

/// The analytic part at once; one simulation per pattern and one per pool
/// size, for outcomes within capacity. Each runs a closed loop at the
/// requests in flight, or the arriving requests themselves (at least
/// [`runs::PATTERN`]'s 5,000 measured and 1,000 of warm-up, more when that
/// many arrive in under a second, at most [`runs::SERVICE_LADDER`]'s for a
/// pool size and [`runs::SERVICE_PATTERN`]'s for a pattern).
impl Staged for ServiceData {
    const NAME: &'static str = "service";
    type Input = Service;
    type Job = Job;
    type Answer = (Job, AtLoad);
    fn start(p: &Params, s: &Service) -> Result<ServiceData, ModelError> {
        service_data(p, s)
    }
    fn jobs(&self) -> Vec<Job> {
        let within = |o: &Outcome| o.in_flight.is_some();
        let mut out: Vec<Job> = (0..self.patterns.len()).filter(|&i| within(&self.patterns[i])).map(Job::Pattern).collect();
        // The bigger pools answer the target at the load: that objective's question only.
        if self.service.objective == Objective::Target {
            out.extend((0..self.pools.len()).filter(|&i| within(&self.pools[i])).map(Job::Pool));
        }
        out.extend((0..self.most.len()).map(Job::Most));
        out
    }
    fn run(&self, p: &Params, job: Job) -> Result<(Job, AtLoad), ModelError> {
        if let Job::Most(i) = job {
            return self.run_rung(p, i).map(|at| (job, at));
        }
        let o = self.outcome(job).ok_or(ModelError::Invalid { name: "job", reason: format!("no outcome for {job:?}") })?;
        let n = o.in_flight.unwrap_or(1);
        let pool = if o.pattern == Pattern::Executor { Some(o.pool) } else { self.service.pool };
        let mut all = Service { pool, ..self.service }.scenario_at(n);
        if let Load::Rate(rate) = self.service.load {
            all.arrival_rate = Some(rate);
        }
        // One worker process at its share; the others are alike and independent.
        let s = all.per_worker();
        let workers = self.service.workers.max(1);
        let run = if matches!(job, Job::Pool(_)) { runs::SERVICE_LADDER } else { runs::SERVICE_PATTERN };
        let cfg = match s.arrival_rate {
            Some(rate) => {
                let per_second = rate.ceil() as u64;
                SimConfig {
                    seed: SEED,
                    requests: per_second.clamp(run.min, run.cap),
                    warmup: per_second.clamp(run.warmup_min, run.warmup_cap),
                    ..SimConfig::default()
                }
            }
            None => short_run(&s, SEED, run),
        };
        let r = simulate(o.pattern, p, &s, &cfg)?;
        Ok((
            job,
            AtLoad {
                p50_ms: r.latency_ms.p50,
                p99_ms: r.latency_ms.p99,
                threads: r.threads * workers,
                gil_busy: r.gil_utilization + r.gil_background,
                events: r.events,
            },
        ))
    }
    fn fold(&mut self, (job, at): (Job, AtLoad)) {
        match job {
            Job::Pattern(i) => self.patterns[i].sim = Some(at),
            Job::Pool(i) => self.pools[i].sim = Some(at),
            Job::Most(i) => {
                if let Some(r) = self.most.get_mut(i) {
                    r.sim = Some(at);
                }
            }
        }
    }
    fn is_complete(&self) -> bool {
        self.jobs().iter().all(|&j| match j {
            Job::Most(i) => self.most.get(i).is_some_and(|r| r.sim.is_some()),
            j => self.outcome(j).is_some_and(|o| o.sim.is_some()),
        })
    }
}

numbers_struct!(AtLoad { p50_ms, p99_ms, threads, gil_busy, events });

/// A pattern's or a pool size's outcome, by its place.
impl Numbers for Job {
    fn put(&self, out: &mut Vec<f64>) {
        match *self {
            Job::Pattern(i) => (0u32, i).put(out),
            Job::Pool(i) => (1u32, i).put(out),
            Job::Most(i) => (2u32, i).put(out),
        }
    }
    fn take(r: &mut Reader<'_>) -> Option<Job> {
        match r.whole(2.0)? {
            0.0 => Some(Job::Pattern(r.whole((SHOWN.len() - 1) as f64)? as usize)),
            1.0 => Some(Job::Pool(r.whole((POOLS.len() - 1) as f64)? as usize)),
            _ => Some(Job::Most(r.whole((2 * MOST.len() - 1) as f64)? as usize)),
        }
    }
}

impl ServiceData {
    /// The outcome a pattern's or a pool size's job fills (a rung fills none).
    fn outcome(&self, job: Job) -> Option<&Outcome> {
        match job {
            Job::Pattern(i) => self.patterns.get(i),
            Job::Pool(i) => self.pools.get(i),
            Job::Most(_) => None,
        }
    }

    /// One rung: its pattern under arrivals at its rate, one worker process at its share.
    fn run_rung(&self, p: &Params, i: usize) -> Result<AtLoad, ModelError> {
        let r = *self.most.get(i).ok_or(ModelError::Invalid { name: "rung", reason: format!("no rung {i}") })?;
        let s = Scenario { arrival_rate: Some(r.rate.max(range::ARRIVAL_RATE.0)), ..self.service.scenario_at(1) }.per_worker();
        let per_second = s.arrival_rate.unwrap_or(1.0).ceil() as u64;
        let run = runs::LADDER;
        let cfg = SimConfig {
            seed: SEED,
            requests: per_second.clamp(run.min, run.cap),
            warmup: per_second.clamp(run.warmup_min, run.warmup_cap),
            ..SimConfig::default()
        };
        let out = simulate(r.pattern, p, &s, &cfg)?;
        let workers = self.service.workers.max(1);
        Ok(AtLoad {
            p50_ms: out.latency_ms.p50,
            p99_ms: out.latency_ms.p99,
            threads: out.threads * workers,
            gil_busy: out.gil_utilization + out.gil_background,
            events: out.events,
        })
    }

    /// The most requests/s a pattern carries within the target, by the ladder:
    /// `Some(Some(rung))` the highest rung within it, `Some(None)` none is,
    /// `None` not known yet (or not asked).
    pub fn most_within(&self, pattern: Pattern) -> Option<Option<&Rung>> {
        let rungs: Vec<&Rung> = self.most.iter().filter(|r| r.pattern == pattern).collect();
        if rungs.is_empty() || rungs.iter().any(|r| r.sim.is_none()) {
            return None;
        }
        Some(rungs.into_iter().rfind(|r| r.sim.is_some_and(|a| a.p99_ms <= self.service.target_p99_ms)))
    }

    pub fn get(&self, p: Pattern) -> &Outcome {
        self.patterns.iter().find(|o| o.pattern == p).expect("every shown pattern has an outcome")
    }

    /// How the service calls the official client today: the side aerospike-py is weighed against.
    pub fn today(&self) -> &Outcome {
        self.get(self.service.official)
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

    /// The load in words, and what each request does where it is more than one get.
    pub(crate) fn load_words(&self) -> String {
        let load = match self.service.load {
            Load::Rate(r) => format!("{} requests/s", number(r)),
            Load::InFlight(n) => format!("{} requests in flight", count(n)),
        };
        let load = if self.service.workers <= 1 { load } else { format!("{load} over {} worker processes", count(self.service.workers)) };
        if self.service.calls.is_default() {
            load
        } else {
            format!("{load}, each {}", self.service.request_words())
        }
    }
}
