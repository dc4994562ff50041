//! Simulation jobs in Web Workers: the jobs that cross to the loader's pool as numbers, their answers folded in job order, and task splitting where no worker runs.
//!
//! The pool (`window.__widgetsPool`, in `assets/widgets-loader.js`) runs
//! this same module in each worker and calls [`widgets_worker_job`] there.
//! Every simulated figure is a [`Staged`] type: its input crosses as JSON, a
//! job and its answer as numbers ([`charts::stages::Numbers`]). Answers arrive
//! in any order and are folded in job order, so a figure fills exactly as it
//! does when its jobs run one after another on the page.

use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

use charts::stages::{from_numbers, to_numbers, Staged};
use leptos::prelude::*;
use perfmodel::Params;
use wasm_bindgen::prelude::*;

use crate::progress::Runs;

/// In a worker: run one job of the figure named `kind` at its input `input` (JSON).
/// The figure's analytic part is kept from the worker's last job of the same
/// figure and input, so a run's jobs compute it once per worker.
#[wasm_bindgen]
pub fn widgets_worker_job(kind: &str, input: &str, job: Vec<f64>) -> Result<Vec<f64>, JsError> {
    match kind {
        charts::conditions::ConditionsData::NAME => serve::<charts::conditions::ConditionsData>(input, &job),
        charts::throughput::PercentilesAt::NAME => serve::<charts::throughput::PercentilesAt>(input, &job),
        charts::latency::LatencyData::NAME => serve::<charts::latency::LatencyData>(input, &job),
        charts::cards::CardsData::NAME => serve::<charts::cards::CardsData>(input, &job),
        charts::pools::PoolsData::NAME => serve::<charts::pools::PoolsData>(input, &job),
        charts::open_load::OpenData::NAME => serve::<charts::open_load::OpenData>(input, &job),
        charts::service::ServiceData::NAME => serve::<charts::service::ServiceData>(input, &job),
        charts::batch::BatchData::NAME => serve::<charts::batch::BatchData>(input, &job),
        charts::gil::GilTimelineData::NAME => serve::<charts::gil::GilTimelineData>(input, &job),
        charts::burst::BurstData::NAME => serve::<charts::burst::BurstData>(input, &job),
        charts::flow::FlowData::NAME => serve::<charts::flow::FlowData>(input, &job),
        other => Err(format!("no such job: {other}")),
    }
    .map_err(|e| JsError::new(&e))
}

/// A worker's last figure: its name, its input as sent, and its analytic part.
type Kept = (&'static str, String, Box<dyn Any>);

thread_local! {
    static LAST: RefCell<Option<Kept>> = const { RefCell::new(None) };
}

fn serve<S: Staged>(input: &str, job: &[f64]) -> Result<Vec<f64>, String> {
    let job = from_numbers::<S::Job>(job).ok_or_else(|| format!("unreadable {} job", S::NAME))?;
    let p = Params::default();
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        let fresh = !matches!(&*last, Some((name, i, d)) if *name == S::NAME && i == input && d.is::<S>());
        if fresh {
            let i: S::Input = serde_json::from_str(input).map_err(|e| format!("unreadable {} input: {e}", S::NAME))?;
            let d = crate::recheck::once_more(S::NAME, || S::start(&p, &i).map_err(|e| e.to_string()))?;
            *last = Some((S::NAME, input.to_string(), Box::new(d)));
        }
        let d = last.as_ref().and_then(|(_, _, d)| d.downcast_ref::<S>()).expect("kept just above");
        answer(d, &p, job)
    })
}

/// One job's answer as numbers, computed once more if it fails (see [`crate::recheck`]).
fn answer<S: Staged>(d: &S, p: &Params, job: S::Job) -> Result<Vec<f64>, String> {
    crate::recheck::once_more(S::NAME, || d.run(p, job).map(|a| to_numbers(&a)).map_err(|e| e.to_string()))
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
pub(crate) struct Pooled {
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
    pub(crate) fn cancel(&self) {
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

    /// Fill `data`, the analytic part of a figure at `input`, with the
    /// answers of its jobs, folded in job order: in the workers where there
    /// are some, else one job per task on the page. The first error replaces
    /// `data` and ends the run. Only this wrapper is generic; the run itself
    /// handles numbers.
    pub(crate) fn fill<S: Staged + Send + Sync>(&self, data: RwSignal<Result<S, String>>, input: S::Input) {
        let jobs = data.with_untracked(|d| d.as_ref().map(S::jobs).unwrap_or_default());
        if jobs.is_empty() {
            self.cancel();
            return;
        }
        let numbers: Vec<Vec<f64>> = jobs.iter().map(to_numbers).collect();
        let p = Params::default();
        let local = move |i: usize| -> Result<Vec<f64>, String> {
            let job = jobs.get(i).copied().ok_or("no such job")?;
            data.with_untracked(|d| match d {
                Ok(d) => answer(d, &p, job),
                Err(e) => Err(e.clone()),
            })
        };
        let fold_in = move |v: &[f64]| -> Result<(), String> {
            let a = from_numbers::<S::Answer>(v).ok_or_else(|| format!("a worker's answer to a {} job was unreadable", S::NAME))?;
            data.update(|d| {
                if let Ok(d) = d {
                    d.fold(a)
                }
            });
            Ok(())
        };
        let fail = move |e: String| data.set(Err(e));
        let input = serde_json::to_string(&input).ok();
        self.run(S::NAME, input, numbers, Rc::new(local), Rc::new(fold_in), Rc::new(fail));
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
            // No workers: one job per task, in order, the first after the
            // next paint (the move that started the run is on screen first).
            self.runs.start_after_paint(count, move |i| {
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

    #[test]
    fn a_worker_answers_a_job_it_can_read_and_refuses_one_it_cannot() {
        let input = serde_json::to_string(&charts::conditions::ConditionsInput {
            scenario: perfmodel::Scenario::default(),
            metric: charts::conditions::Metric::P99,
        })
        .unwrap();
        let job = to_numbers(&(1.0f64, 50u32));
        let first = serve::<charts::conditions::ConditionsData>(&input, &job).unwrap();
        // The second job reuses the worker's analytic part and answers the same.
        assert_eq!(serve::<charts::conditions::ConditionsData>(&input, &job).unwrap(), first);
        assert!(serve::<charts::conditions::ConditionsData>(&input, &[1.0]).unwrap_err().contains("unreadable conditions job"));
        assert!(serve::<charts::conditions::ConditionsData>("{", &job).unwrap_err().contains("unreadable conditions input"));
    }
}
