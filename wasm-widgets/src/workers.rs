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
    type Job: Copy + 'static;
    type Answer: 'static;
    fn run(s: &Scenario, job: Self::Job) -> Result<Self::Answer, String>;
    fn job_numbers(job: Self::Job) -> Vec<f64>;
    fn job_from(v: &[f64]) -> Option<Self::Job>;
    fn answer_numbers(a: &Self::Answer) -> Vec<f64>;
    fn answer_from(v: &[f64]) -> Option<Self::Answer>;
}

/// One cell of the p99 map ([`charts::conditions::p99_cell_job`]).
pub struct P99Cell;

impl Kind for P99Cell {
    const NAME: &'static str = "p99-cell";
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
            [io, n] if n >= 0.0 && n.fract() == 0.0 => Some((io, n as u32)),
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
pub struct Percentile;

impl Kind for Percentile {
    const NAME: &'static str = "percentile";
    type Job = Pattern;
    type Answer = (Pattern, Percentiles);
    fn run(s: &Scenario, pattern: Pattern) -> Result<Self::Answer, String> {
        charts::throughput::percentile_run(&Params::default(), s, pattern).map(|r| (pattern, r.latency_ms)).map_err(|e| e.to_string())
    }
    fn job_numbers(pattern: Pattern) -> Vec<f64> {
        vec![Pattern::ALL.iter().position(|&p| p == pattern).unwrap_or(0) as f64]
    }
    fn job_from(v: &[f64]) -> Option<Pattern> {
        match *v {
            [i] if i >= 0.0 && i.fract() == 0.0 => Pattern::ALL.get(i as usize).copied(),
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

/// In a worker: run one job of `kind` at the scenario `input` (JSON).
#[wasm_bindgen]
pub fn widgets_worker_job(kind: &str, input: &str, job: Vec<f64>) -> Result<Vec<f64>, JsError> {
    fn serve<K: Kind>(input: &str, job: &[f64]) -> Result<Vec<f64>, String> {
        let s: Scenario = serde_json::from_str(input).map_err(|e| format!("unreadable scenario: {e}"))?;
        let job = K::job_from(job).ok_or_else(|| format!("unreadable {} job", K::NAME))?;
        K::run(&s, job).map(|a| K::answer_numbers(&a))
    }
    match kind {
        P99Cell::NAME => serve::<P99Cell>(input, &job),
        Percentile::NAME => serve::<Percentile>(input, &job),
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

/// The answers of one run so far (by job), and the next to fold in.
struct Fold<A> {
    answers: Vec<Option<Result<A, String>>>,
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
    pub fn fill<K: Kind, T: Send + Sync + 'static>(
        &self,
        data: RwSignal<Result<T, String>>,
        s: Scenario,
        jobs: Vec<K::Job>,
        apply: impl Fn(&mut T, K::Answer) + 'static,
    ) {
        self.cancel();
        let (Some(p), Ok(input)) = (pool(), serde_json::to_string(&s)) else {
            self.runs.fill(data, jobs, move |j| K::run(&s, j), apply);
            return;
        };
        let list = js_sys::Array::new();
        for &j in &jobs {
            list.push(&js_sys::Float64Array::from(K::job_numbers(j).as_slice()));
        }
        let (gen, pooled) = (self.gen.get_value(), *self);
        let fold = RefCell::new(Fold::<K::Answer> { answers: (0..jobs.len()).map(|_| None).collect(), next: 0 });
        // Fold one answer in, then every answer it lets through, in job order.
        let deliver = Rc::new(move |i: usize, answer: Result<K::Answer, String>| {
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
                match a {
                    Ok(a) => data.update(|d| {
                        if let Ok(d) = d {
                            apply(d, a)
                        }
                    }),
                    Err(e) => {
                        data.set(Err(e));
                        f.next = f.answers.len();
                        // The rest of this run is dropped; its handler goes with the next run.
                        pooled.gen.update_value(|g| *g += 1);
                        return;
                    }
                }
            }
        });
        let on_answer = Closure::<dyn FnMut(u32, JsValue, JsValue)>::new(move |i: u32, out: JsValue, error: JsValue| {
            let i = i as usize;
            let Some(&job) = jobs.get(i) else { return };
            match error.as_string() {
                // No worker could take it: this page runs it, one job per task.
                Some(e) if e == "unavailable" => {
                    let deliver = deliver.clone();
                    crate::progress::soon(move || deliver(i, K::run(&s, job)));
                }
                Some(e) => deliver(i, Err(e)),
                None => deliver(
                    i,
                    out.dyn_into::<js_sys::Float64Array>()
                        .ok()
                        .and_then(|a| K::answer_from(&a.to_vec()))
                        .ok_or_else(|| format!("a worker's answer to a {} job was unreadable", K::NAME)),
                ),
            }
        });
        let args = js_sys::Array::of4(&K::NAME.into(), &input.into(), &list, on_answer.as_ref());
        match call(&p, "run", &args) {
            Some(id) => HANDLERS.with(|h| h.borrow_mut().push((self.key, id, on_answer))),
            None => data.set(Err("the simulation workers refused the run".into())),
        }
    }
}
