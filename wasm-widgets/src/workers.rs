//! Simulation jobs in Web Workers: the jobs that cross to the loader's pool as numbers, their answers folded in job order, and task splitting where no worker runs.
//!
//! The pool (`window.__widgetsPool`, in `assets/widgets-loader.js`) runs
//! this same module in each worker and calls [`widgets_worker_job`] there.
//! A job and its answer cross as arrays of numbers (each [`Kind`] says how),
//! the scenario as JSON. Answers arrive in any order and are folded in job
//! order, so a figure fills exactly as it does when its jobs run one after
//! another on the page.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use perfmodel::sim::Percentiles;
use perfmodel::{Params, Pattern, Scenario};
use wasm_bindgen::prelude::*;

use crate::progress::Runs;

/// A kind of job a worker can run.
pub trait Kind: 'static {
    /// Its name on the way to the worker.
    const NAME: &'static str;
    /// What every job of a run shares, sent as JSON: the scenario, or the service a page describes.
    type Input: Copy + serde::Serialize + serde::de::DeserializeOwned + 'static;
    type Job: Copy + 'static;
    type Answer: 'static;
    fn run(s: &Self::Input, job: Self::Job) -> Result<Self::Answer, String>;
    fn job_numbers(job: Self::Job) -> Vec<f64>;
    fn job_from(v: &[f64]) -> Option<Self::Job>;
    fn answer_numbers(a: &Self::Answer) -> Vec<f64>;
    fn answer_from(v: &[f64]) -> Option<Self::Answer>;
}

/// One cell of the p99 map ([`charts::conditions::p99_cell_job`]).
#[cfg(feature = "conditions-heatmap")]
pub struct P99Cell;

#[cfg(feature = "conditions-heatmap")]
impl Kind for P99Cell {
    const NAME: &'static str = "p99-cell";
    type Input = Scenario;
    type Job = (f64, u32);
    type Answer = charts::conditions::CellAnswer;
    fn run(s: &Scenario, (io, n): (f64, u32)) -> Result<Self::Answer, String> {
        charts::conditions::p99_cell_job(&Params::default(), s, io, n).map_err(|e| e.to_string())
    }
    fn job_numbers((io, n): (f64, u32)) -> Vec<f64> {
        vec![io, n as f64]
    }
    fn job_from(v: &[f64]) -> Option<(f64, u32)> {
        match *v {
            [io, n] => Some((io, whole(n)? as u32)),
            _ => None,
        }
    }
    fn answer_numbers(a: &Self::Answer) -> Vec<f64> {
        a.to_numbers()
    }
    fn answer_from(v: &[f64]) -> Option<Self::Answer> {
        Self::Answer::from_numbers(v)
    }
}

/// One pattern's simulated latency percentiles at the chosen point ([`charts::throughput::percentile_run`]).
#[cfg(feature = "throughput-scaling")]
pub struct Percentile;

#[cfg(feature = "throughput-scaling")]
impl Kind for Percentile {
    const NAME: &'static str = "percentile";
    type Input = Scenario;
    type Job = Pattern;
    type Answer = (Pattern, Percentiles);
    fn run(s: &Scenario, pattern: Pattern) -> Result<Self::Answer, String> {
        charts::throughput::percentile_run(&Params::default(), s, pattern).map(|r| (pattern, r.latency_ms)).map_err(|e| e.to_string())
    }
    fn job_numbers(pattern: Pattern) -> Vec<f64> {
        vec![pattern_number(pattern)]
    }
    fn job_from(v: &[f64]) -> Option<Pattern> {
        match *v {
            [p] => pattern_from(p),
            _ => None,
        }
    }
    fn answer_numbers((pattern, l): &Self::Answer) -> Vec<f64> {
        let mut v = Self::job_numbers(*pattern);
        v.extend([l.mean, l.p50, l.p95, l.p99, l.p999, l.max]);
        v
    }
    fn answer_from(v: &[f64]) -> Option<Self::Answer> {
        match *v {
            [i, mean, p50, p95, p99, p999, max] => Some((Self::job_from(&[i])?, Percentiles { mean, p50, p95, p99, p999, max })),
            _ => None,
        }
    }
}

/// A pattern as a number: its place in [`Pattern::ALL`].
fn pattern_number(p: Pattern) -> f64 {
    Pattern::ALL.iter().position(|&q| q == p).unwrap_or(0) as f64
}

fn pattern_from(x: f64) -> Option<Pattern> {
    (x >= 0.0 && x.fract() == 0.0).then(|| Pattern::ALL.get(x as usize).copied()).flatten()
}

fn whole(x: f64) -> Option<f64> {
    (x >= 0.0 && x.fract() == 0.0).then_some(x)
}

/// One point of a p99 curve ([`charts::latency::p99_job`]).
#[cfg(feature = "latency-scaling")]
pub struct P99Curve;

#[cfg(feature = "latency-scaling")]
impl Kind for P99Curve {
    const NAME: &'static str = "p99-curve";
    type Input = Scenario;
    type Job = (Pattern, u32);
    type Answer = charts::latency::P99Answer;
    fn run(s: &Scenario, (pattern, n): (Pattern, u32)) -> Result<Self::Answer, String> {
        charts::latency::p99_job(&Params::default(), s, pattern, n).map_err(|e| e.to_string())
    }
    fn job_numbers((pattern, n): (Pattern, u32)) -> Vec<f64> {
        vec![pattern_number(pattern), n as f64]
    }
    fn job_from(v: &[f64]) -> Option<(Pattern, u32)> {
        match *v {
            [p, n] => Some((pattern_from(p)?, whole(n)? as u32)),
            _ => None,
        }
    }
    fn answer_numbers(a: &Self::Answer) -> Vec<f64> {
        use charts::latency::P99Answer;
        match *a {
            P99Answer::Simulated(q) => vec![
                pattern_number(q.pattern),
                q.concurrency as f64,
                q.p50_ms,
                q.p99_ms,
                q.events as f64,
                q.throughput,
                f64::from(u8::from(q.extended)),
            ],
            P99Answer::Extended { pattern, concurrency } => vec![pattern_number(pattern), concurrency as f64],
        }
    }
    fn answer_from(v: &[f64]) -> Option<Self::Answer> {
        use charts::latency::{P99Answer, P99Point};
        match *v {
            [p, n] => Some(P99Answer::Extended { pattern: pattern_from(p)?, concurrency: whole(n)? as u32 }),
            [p, n, p50_ms, p99_ms, events, throughput, extended] => Some(P99Answer::Simulated(P99Point {
                pattern: pattern_from(p)?,
                concurrency: whole(n)? as u32,
                p50_ms,
                p99_ms,
                events: whole(events)? as u64,
                throughput,
                extended: extended != 0.0,
            })),
            _ => None,
        }
    }
}

/// One pattern's simulated card ([`charts::cards::simulate_card`]).
#[cfg(feature = "io-concurrency")]
pub struct Card;

#[cfg(feature = "io-concurrency")]
impl Kind for Card {
    const NAME: &'static str = "card";
    type Input = Scenario;
    type Job = Pattern;
    type Answer = (Pattern, charts::cards::Simulated);
    fn run(s: &Scenario, pattern: Pattern) -> Result<Self::Answer, String> {
        charts::cards::simulate_card(&Params::default(), s, pattern).map(|sim| (pattern, sim)).map_err(|e| e.to_string())
    }
    fn job_numbers(pattern: Pattern) -> Vec<f64> {
        vec![pattern_number(pattern)]
    }
    fn job_from(v: &[f64]) -> Option<Pattern> {
        match *v {
            [p] => pattern_from(p),
            _ => None,
        }
    }
    fn answer_numbers((pattern, c): &Self::Answer) -> Vec<f64> {
        vec![pattern_number(*pattern), c.p50_ms, c.p99_ms, c.threads as f64, c.queued, c.gil_utilization, c.events as f64]
    }
    fn answer_from(v: &[f64]) -> Option<Self::Answer> {
        match *v {
            [p, p50_ms, p99_ms, threads, queued, gil_utilization, events] => Some((
                pattern_from(p)?,
                charts::cards::Simulated { p50_ms, p99_ms, threads: whole(threads)? as u32, queued, gil_utilization, events: whole(events)? as u64 },
            )),
            _ => None,
        }
    }
}

/// One p99 of the pool-size figure ([`charts::pools::run`]).
#[cfg(feature = "pool-size")]
pub struct Pool;

#[cfg(feature = "pool-size")]
impl Kind for Pool {
    const NAME: &'static str = "pool";
    type Input = Scenario;
    type Job = charts::pools::PoolJob;
    type Answer = (charts::pools::PoolJob, f64, u64);
    fn run(s: &Scenario, job: Self::Job) -> Result<Self::Answer, String> {
        charts::pools::run(&Params::default(), s, job).map_err(|e| e.to_string())
    }
    fn job_numbers(job: Self::Job) -> Vec<f64> {
        match job {
            charts::pools::PoolJob::Executor(pool) => vec![pool as f64],
            charts::pools::PoolJob::Tokio => vec![-1.0],
        }
    }
    fn job_from(v: &[f64]) -> Option<Self::Job> {
        match *v {
            [x] if x == -1.0 => Some(charts::pools::PoolJob::Tokio),
            [x] => Some(charts::pools::PoolJob::Executor(whole(x)? as u32)),
            _ => None,
        }
    }
    fn answer_numbers((job, p99, events): &Self::Answer) -> Vec<f64> {
        let mut v = Self::job_numbers(*job);
        v.extend([*p99, *events as f64]);
        v
    }
    fn answer_from(v: &[f64]) -> Option<Self::Answer> {
        match *v {
            [j, p99, events] => Some((Self::job_from(&[j])?, p99, whole(events)? as u64)),
            _ => None,
        }
    }
}

/// One simulation of the open-load figure ([`charts::open_load::run`]). The
/// worker works out the figure's analytic data (capacities, the chosen
/// rate's solution) itself: the jobs read only those, never another job's answer.
#[cfg(feature = "open-load")]
pub struct Open;

/// What every job of an open-load run shares: the scenario, and the
/// figure's own arrival rate (requests/s) and timeout (ms).
#[cfg(feature = "open-load")]
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OpenInput {
    pub scenario: Scenario,
    pub rate: f64,
    pub timeout_ms: f64,
}

#[cfg(feature = "open-load")]
impl Kind for Open {
    const NAME: &'static str = "open";
    type Input = OpenInput;
    type Job = charts::open_load::OpenJob;
    type Answer = (charts::open_load::OpenJob, charts::open_load::OpenResult, u64);
    fn run(i: &OpenInput, job: Self::Job) -> Result<Self::Answer, String> {
        let p = Params::default();
        let d = charts::open_load::open_data(&p, &i.scenario, i.rate, i.timeout_ms, None).map_err(|e| e.to_string())?;
        charts::open_load::run(&p, &i.scenario, &d, job).map_err(|e| e.to_string())
    }
    fn job_numbers(job: Self::Job) -> Vec<f64> {
        open_job_numbers(job)
    }
    fn job_from(v: &[f64]) -> Option<Self::Job> {
        match *v {
            [a, b, c] => open_job_from(a, b, c),
            _ => None,
        }
    }
    fn answer_numbers((job, r, events): &Self::Answer) -> Vec<f64> {
        use charts::open_load::OpenResult;
        let mut v = open_job_numbers(*job);
        v.push(*events as f64);
        match *r {
            OpenResult::Point(q) => v.extend([
                0.0,
                q.rate,
                q.p50_ms,
                q.p99_ms,
                q.throughput,
                f64::from(u8::from(q.goodput.is_some())),
                q.goodput.unwrap_or(0.0),
                f64::from(u8::from(q.stable)),
                f64::from(u8::from(q.backlog_grows)),
            ]),
            OpenResult::Closed(p99) => v.extend([1.0, p99]),
            OpenResult::Skipped => v.push(2.0),
        }
        v
    }
    fn answer_from(v: &[f64]) -> Option<Self::Answer> {
        use charts::open_load::{OpenResult, SimPoint};
        let (&[a, b, c, events], rest) = v.split_first_chunk::<4>()?;
        let r = match *rest {
            [0.0, rate, p50_ms, p99_ms, throughput, has_goodput, goodput, stable, backlog_grows] => OpenResult::Point(SimPoint {
                rate,
                p50_ms,
                p99_ms,
                throughput,
                goodput: (has_goodput != 0.0).then_some(goodput),
                stable: stable != 0.0,
                backlog_grows: backlog_grows != 0.0,
            }),
            [1.0, p99] => OpenResult::Closed(p99),
            [2.0] => OpenResult::Skipped,
            _ => return None,
        };
        Some((open_job_from(a, b, c)?, r, whole(events)? as u64))
    }
}

/// An open-load job as three numbers: its kind, its pattern and its point.
#[cfg(feature = "open-load")]
fn open_job_numbers(job: charts::open_load::OpenJob) -> Vec<f64> {
    use charts::open_load::OpenJob;
    let (tag, p, i) = match job {
        OpenJob::Tail(p, i) => (0.0, p, i),
        OpenJob::Goodput(p, i) => (1.0, p, i),
        OpenJob::AtRate(p) => (2.0, p, 0),
        OpenJob::Closed(p) => (3.0, p, 0),
    };
    vec![tag, pattern_number(p), i as f64]
}

#[cfg(feature = "open-load")]
fn open_job_from(tag: f64, p: f64, i: f64) -> Option<charts::open_load::OpenJob> {
    use charts::open_load::{OpenJob, FRACTIONS, GOODPUT_FRACTIONS};
    let (p, i) = (pattern_from(p)?, whole(i)? as usize);
    match tag {
        0.0 if i < FRACTIONS.len() => Some(OpenJob::Tail(p, i)),
        1.0 if i < GOODPUT_FRACTIONS.len() => Some(OpenJob::Goodput(p, i)),
        2.0 if i == 0 => Some(OpenJob::AtRate(p)),
        3.0 if i == 0 => Some(OpenJob::Closed(p)),
        _ => None,
    }
}

/// One simulation of "Your service" ([`charts::service::run`]): a pattern,
/// or the executor at one pool size, under the service's load. The worker
/// works out the service's analytic numbers itself from its description.
#[cfg(feature = "your-service")]
pub struct ServiceRun;

#[cfg(feature = "your-service")]
impl Kind for ServiceRun {
    const NAME: &'static str = "service";
    type Input = charts::service::Service;
    type Job = charts::service::Job;
    type Answer = (charts::service::Job, charts::service::AtLoad);
    fn run(s: &charts::service::Service, job: Self::Job) -> Result<Self::Answer, String> {
        let p = Params::default();
        let d = charts::service::service_data(&p, s).map_err(|e| e.to_string())?;
        charts::service::run(&p, &d, job).map_err(|e| e.to_string())
    }
    fn job_numbers(job: Self::Job) -> Vec<f64> {
        match job {
            charts::service::Job::Pattern(i) => vec![0.0, i as f64],
            charts::service::Job::Pool(i) => vec![1.0, i as f64],
        }
    }
    fn job_from(v: &[f64]) -> Option<Self::Job> {
        use charts::service::{Job, POOLS};
        match *v {
            [0.0, i] if whole(i)? < Pattern::COMPARED.len() as f64 => Some(Job::Pattern(i as usize)),
            [1.0, i] if whole(i)? < POOLS.len() as f64 => Some(Job::Pool(i as usize)),
            _ => None,
        }
    }
    fn answer_numbers((job, a): &Self::Answer) -> Vec<f64> {
        let mut v = Self::job_numbers(*job);
        v.extend([a.p50_ms, a.p99_ms, a.threads as f64, a.gil_busy, a.events as f64]);
        v
    }
    fn answer_from(v: &[f64]) -> Option<Self::Answer> {
        match *v {
            [k, i, p50_ms, p99_ms, threads, gil_busy, events] => Some((
                Self::job_from(&[k, i])?,
                charts::service::AtLoad { p50_ms, p99_ms, threads: whole(threads)? as u32, gil_busy, events: whole(events)? as u64 },
            )),
            _ => None,
        }
    }
}

/// In a worker: run one job of `kind` at the scenario `input` (JSON).
#[wasm_bindgen]
pub fn widgets_worker_job(kind: &str, input: &str, job: Vec<f64>) -> Result<Vec<f64>, JsError> {
    fn serve<K: Kind>(input: &str, job: &[f64]) -> Result<Vec<f64>, String> {
        let s: K::Input = serde_json::from_str(input).map_err(|e| format!("unreadable {} input: {e}", K::NAME))?;
        let job = K::job_from(job).ok_or_else(|| format!("unreadable {} job", K::NAME))?;
        K::run(&s, job).map(|a| K::answer_numbers(&a))
    }
    match kind {
        #[cfg(feature = "conditions-heatmap")]
        P99Cell::NAME => serve::<P99Cell>(input, &job),
        #[cfg(feature = "throughput-scaling")]
        Percentile::NAME => serve::<Percentile>(input, &job),
        #[cfg(feature = "latency-scaling")]
        P99Curve::NAME => serve::<P99Curve>(input, &job),
        #[cfg(feature = "io-concurrency")]
        Card::NAME => serve::<Card>(input, &job),
        #[cfg(feature = "pool-size")]
        Pool::NAME => serve::<Pool>(input, &job),
        #[cfg(feature = "open-load")]
        Open::NAME => serve::<Open>(input, &job),
        #[cfg(feature = "your-service")]
        ServiceRun::NAME => serve::<ServiceRun>(input, &job),
        other => Err(format!("no such job: {other}")),
    }
    .map_err(|e| JsError::new(&e))
}

/// The loader's pool, if this page has one with workers in it.
fn pool() -> Option<JsValue> {
    let p = js_sys::Reflect::get(&web_sys::window()?.into(), &"__widgetsPool".into()).ok().filter(|p| p.is_object())?;
    let size = js_sys::Reflect::get(&p, &"size".into()).ok()?.dyn_into::<js_sys::Function>().ok()?.call0(&p).ok()?.as_f64()?;
    (size > 0.0).then_some(p)
}

fn call(p: &JsValue, method: &str, args: &js_sys::Array) -> Option<JsValue> {
    js_sys::Reflect::get(p, &method.into()).ok()?.dyn_into::<js_sys::Function>().ok()?.apply(p, args).ok()
}

/// The answers of one run so far (by job, as numbers), and the next to fold in.
struct Fold {
    answers: Vec<Option<Result<Vec<f64>, String>>>,
    next: usize,
}

type Handler = Closure<dyn FnMut(u32, JsValue, JsValue)>;

thread_local! {
    /// Each widget's current run: its key, the pool's id of the run, and the
    /// handler its answers come to (dropped when the widget's next run starts).
    static HANDLERS: RefCell<Vec<(u64, JsValue, Handler)>> = const { RefCell::new(Vec::new()) };
}

/// Keys that tell widgets' runs apart in [`HANDLERS`].
static NEXT_KEY: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A widget's runs in the workers: starting one drops the one before it,
/// in every worker (jobs not begun are dropped, a job under way is ignored).
#[derive(Clone, Copy)]
pub struct Pooled {
    runs: Runs,
    /// Which run is current: answers of an older one are dropped.
    gen: StoredValue<u64>,
    /// This widget's key in [`HANDLERS`].
    key: u64,
}

impl Pooled {
    /// Must be called inside a component (see [`Runs::new`]).
    #[allow(clippy::new_without_default)]
    pub fn new() -> Pooled {
        let key = NEXT_KEY.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let pooled = Pooled { runs: Runs::new(), gen: StoredValue::new(0), key };
        on_cleanup(move || pooled.cancel());
        pooled
    }

    /// Stop the current run.
    pub fn cancel(&self) {
        self.runs.cancel();
        self.gen.try_update_value(|g| *g += 1);
        let taken = HANDLERS.with(|h| {
            let mut h = h.borrow_mut();
            let i = h.iter().position(|(k, _, _)| *k == self.key)?;
            Some(h.swap_remove(i))
        });
        if let (Some((_, id, handler)), Some(p)) = (taken, pool()) {
            call(&p, "cancel", &js_sys::Array::of1(&id));
            drop(handler);
        }
    }

    /// Fill `data` with the answers of `jobs` at `s`, folded in job order by
    /// `apply`: in the workers where there are some, else one job per task
    /// on the page. The first error replaces `data` and ends the run.
    /// Only this wrapper is generic; the run itself handles numbers.
    pub fn fill<K: Kind, T: Send + Sync + 'static>(
        &self,
        data: RwSignal<Result<T, String>>,
        s: K::Input,
        jobs: Vec<K::Job>,
        apply: impl Fn(&mut T, K::Answer) + 'static,
    ) {
        let numbers: Vec<Vec<f64>> = jobs.iter().map(|&j| K::job_numbers(j)).collect();
        let local = move |i: usize| -> Result<Vec<f64>, String> {
            let job = jobs.get(i).copied().ok_or("no such job")?;
            K::run(&s, job).map(|a| K::answer_numbers(&a))
        };
        let fold_in = move |v: &[f64]| -> Result<(), String> {
            let a = K::answer_from(v).ok_or_else(|| format!("a worker's answer to a {} job was unreadable", K::NAME))?;
            data.update(|d| {
                if let Ok(d) = d {
                    apply(d, a)
                }
            });
            Ok(())
        };
        let fail = move |e: String| data.set(Err(e));
        let input = serde_json::to_string(&s).ok();
        self.run(K::NAME, input, numbers, Rc::new(local), Rc::new(fold_in), Rc::new(fail));
    }

    fn run(&self, kind: &'static str, input: Option<String>, jobs: Vec<Vec<f64>>, local: Rc<Local>, fold_in: Rc<FoldIn>, fail: Rc<dyn Fn(String)>) {
        self.cancel();
        let (gen, pooled, count) = (self.gen.get_value(), *self, jobs.len());
        let fold = RefCell::new(Fold { answers: (0..count).map(|_| None).collect(), next: 0 });
        let refused = fail.clone();
        // Fold one answer in, then every answer it lets through, in job order.
        let deliver = Rc::new(move |i: usize, answer: Result<Vec<f64>, String>| {
            if pooled.gen.try_get_value() != Some(gen) {
                return;
            }
            let mut f = fold.borrow_mut();
            if let Some(slot) = f.answers.get_mut(i) {
                *slot = Some(answer);
            }
            loop {
                let next = f.next;
                let Some(a) = f.answers.get_mut(next).and_then(Option::take) else { break };
                f.next += 1;
                if let Err(e) = a.and_then(|v| fold_in(&v)) {
                    fail(e);
                    f.next = f.answers.len();
                    // The rest of this run is dropped; its handler goes with the next run.
                    pooled.gen.update_value(|g| *g += 1);
                    return;
                }
            }
        });
        let on_page = {
            let (local, deliver) = (local.clone(), deliver.clone());
            move |i: usize| {
                let (local, deliver) = (local.clone(), deliver.clone());
                crate::progress::soon(move || deliver(i, local(i)))
            }
        };
        let (Some(p), Some(input)) = (pool(), input) else {
            // No workers: one job per task, in order.
            self.runs.start(count, move |i| {
                deliver(i, local(i));
                pooled.gen.try_get_value() == Some(gen)
            });
            return;
        };
        let list = js_sys::Array::new();
        for j in &jobs {
            list.push(&js_sys::Float64Array::from(j.as_slice()));
        }
        let on_answer = Closure::<dyn FnMut(u32, JsValue, JsValue)>::new(move |i: u32, out: JsValue, error: JsValue| {
            let i = i as usize;
            match error.as_string() {
                // No worker could take it: this page runs it, one job per task.
                Some(e) if e == "unavailable" => on_page(i),
                Some(e) => deliver(i, Err(e)),
                None => deliver(
                    i,
                    out.dyn_into::<js_sys::Float64Array>()
                        .map(|a| a.to_vec())
                        .map_err(|_| format!("a worker's answer to a {kind} job was not numbers")),
                ),
            }
        });
        let args = js_sys::Array::of4(&kind.into(), &input.into(), &list, on_answer.as_ref());
        match call(&p, "run", &args) {
            Some(id) => HANDLERS.with(|h| h.borrow_mut().push((self.key, id, on_answer))),
            None => refused("the simulation workers refused the run".into()),
        }
    }
}

/// A job run on the page: its answer as numbers.
type Local = dyn Fn(usize) -> Result<Vec<f64>, String>;
/// An answer folded into the figure's data.
type FoldIn = dyn Fn(&[f64]) -> Result<(), String>;

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind's job and answer cross as numbers and come back the same.
    fn round_trip<K: Kind>(s: &K::Input, jobs: &[K::Job]) -> usize
    where
        K::Job: PartialEq + std::fmt::Debug,
        K::Answer: PartialEq + std::fmt::Debug,
    {
        for &j in jobs {
            assert_eq!(K::job_from(&K::job_numbers(j)), Some(j), "{} job", K::NAME);
            let a = K::run(s, j).unwrap();
            assert_eq!(K::answer_from(&K::answer_numbers(&a)).as_ref(), Some(&a), "{} answer", K::NAME);
        }
        jobs.len()
    }

    #[test]
    fn jobs_and_answers_cross_as_numbers_unchanged() {
        let s = Scenario { concurrency: 20, ..Scenario::default() };
        let cells = charts::conditions::cell_order();
        let curve = charts::latency::p99_jobs();
        let checked = round_trip::<P99Cell>(&s, &cells[..2])
            + round_trip::<Percentile>(&s, &Pattern::COMPARED)
            + round_trip::<P99Curve>(&s, &[curve[0], curve[curve.len() - 1]])
            + round_trip::<Card>(&s, &Pattern::COMPARED)
            + round_trip::<Pool>(&s, &[charts::pools::PoolJob::Executor(4), charts::pools::PoolJob::Tokio]);
        assert_eq!(checked, 12);
        // Every open-load job, at a rate past the executor's capacity (a skipped closed loop among them) and with a timeout.
        let open = OpenInput { scenario: s, rate: 2_000.0, timeout_ms: 50.0 };
        let open_jobs = charts::open_load::jobs(&charts::open_load::open_data(&Params::default(), &s, open.rate, open.timeout_ms, None).unwrap());
        let answers: Vec<_> = open_jobs.iter().map(|&j| Open::run(&open, j).unwrap()).collect();
        assert!(answers.iter().any(|a| matches!(a.1, charts::open_load::OpenResult::Point(q) if q.goodput.is_some())));
        assert_eq!(round_trip::<Open>(&open, &open_jobs), open_jobs.len());
        assert_eq!(Open::job_from(&[0.0, 1.0, 99.0]), None, "no such point");
        let input: OpenInput = serde_json::from_str(&serde_json::to_string(&open).unwrap()).unwrap();
        assert_eq!(input, open, "the run's input crosses as JSON unchanged");
        // "Your service": every job at a closed load and at an arrival rate.
        for load in [charts::service::Load::InFlight(40), charts::service::Load::Rate(900.0)] {
            let svc = charts::service::Service { load, ..charts::service::presets()[0].service };
            let d = charts::service::service_data(&Params::default(), &svc).unwrap();
            let todo = charts::service::jobs(&d);
            assert!(!todo.is_empty());
            assert_eq!(round_trip::<ServiceRun>(&svc, &todo), todo.len());
        }
        assert_eq!(ServiceRun::job_from(&[1.0, 11.0]), None, "no such pool");
        assert_eq!(P99Curve::job_from(&[9.0, 1.0]), None, "no such pattern");
        assert_eq!(Card::answer_from(&[0.0, 1.0]), None, "a wrong shape");
    }

    #[test]
    fn a_worker_answers_a_job_it_can_read() {
        let s = serde_json::to_string(&Scenario::default()).unwrap();
        assert!(widgets_worker_job("p99-cell", &s, vec![1.0, 50.0]).is_ok());
    }
}
