//! Long model work split into tasks: one job per macrotask, so input is handled between jobs; a newer run cancels an older one.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

/// The runs of one widget: starting a run abandons the one before it.
#[derive(Clone, Copy)]
pub(crate) struct Runs {
    current: StoredValue<u64>,
}

impl Runs {
    /// Must be called inside a component: it registers a cleanup (hence no `Default`).
    #[allow(clippy::new_without_default)]
    pub fn new() -> Runs {
        let runs = Runs { current: StoredValue::new(0) };
        // A widget that goes away stops its work.
        on_cleanup(move || runs.current.set_value(u64::MAX));
        runs
    }

    /// Run `job(0)`, `job(1)`, … `job(jobs - 1)`, each in its own task,
    /// until a job returns false or a newer run starts.
    pub fn start(&self, jobs: usize, job: impl Fn(usize) -> bool + 'static) {
        let gen = self.current.get_value().wrapping_add(1);
        self.current.set_value(gen);
        next(self.current, gen, 0, jobs, Rc::new(job));
    }

    /// [`Runs::start`], with the first job after the browser's next paint:
    /// the interaction that started the run is on screen before its work begins.
    pub(crate) fn start_after_paint(&self, jobs: usize, job: impl Fn(usize) -> bool + 'static) {
        let gen = self.current.get_value().wrapping_add(1);
        self.current.set_value(gen);
        let (current, job): (_, Rc<dyn Fn(usize) -> bool>) = (self.current, Rc::new(job));
        after_paint(move || next(current, gen, 0, jobs, job));
    }

    /// Stop the current run without starting another.
    pub(crate) fn cancel(&self) {
        self.start(0, |_| false);
    }
}

/// Call `run` with `inputs()` now and whenever they change, except with
/// inputs it has had already (`seen`: those the caller has data for) and,
/// once it has run, while `shown` is false: a hidden tab's figure catches up
/// once, when shown. The one rule for when a simulated figure recomputes.
pub(crate) fn on_change_while_shown<K>(shown: Option<Signal<bool>>, seen: Option<K>, inputs: impl Fn() -> K + 'static, run: impl Fn(K) + 'static)
where
    K: Copy + PartialEq + Send + Sync + 'static,
{
    let last = StoredValue::new(seen);
    Effect::new(move |_| {
        let k = inputs();
        let hidden = shown.is_some_and(|s| !s.get());
        if (hidden && last.get_value().is_some()) || last.get_value() == Some(k) {
            return;
        }
        last.set_value(Some(k));
        run(k);
    });
}

fn next(current: StoredValue<u64>, gen: u64, i: usize, jobs: usize, job: Rc<dyn Fn(usize) -> bool>) {
    if i >= jobs {
        return;
    }
    soon(move || {
        if current.get_value() != gen {
            return;
        }
        if job(i) {
            next(current, gen, i + 1, jobs, job);
        }
    });
}

type Task = Box<dyn FnOnce()>;

thread_local! {
    static TASKS: RefCell<VecDeque<Task>> = const { RefCell::new(VecDeque::new()) };
    /// The port tasks are posted to, and the handler that runs them (kept alive).
    static CHANNEL: Option<(web_sys::MessagePort, Closure<dyn FnMut()>)> = channel();
}

fn channel() -> Option<(web_sys::MessagePort, Closure<dyn FnMut()>)> {
    let ch = web_sys::MessageChannel::new().ok()?;
    let run = Closure::<dyn FnMut()>::new(|| {
        if let Some(task) = TASKS.with(|t| t.borrow_mut().pop_front()) {
            task();
        }
    });
    ch.port1().set_onmessage(Some(run.as_ref().unchecked_ref()));
    Some((ch.port2(), run))
}

/// Run `f` just before the next frame is painted (work it posts runs after
/// that paint); where there is no frame to wait for, at once.
fn after_paint(f: impl FnOnce() + 'static) {
    let Some(w) = web_sys::window() else { return f() };
    let slot: Rc<RefCell<Option<Task>>> = Rc::new(RefCell::new(Some(Box::new(f))));
    let mine = slot.clone();
    let cb = Closure::once_into_js(move || {
        if let Some(f) = mine.borrow_mut().take() {
            f()
        }
    });
    if w.request_animation_frame(cb.unchecked_ref()).is_err() {
        if let Some(f) = slot.borrow_mut().take() {
            f()
        }
    }
}

/// Run `f` in a task of its own, after the input and rendering the browser
/// has waiting. A posted message, not `setTimeout(0)`: nested timeouts are
/// held back at least 4 ms each, which a 208-cell map paid 208 times.
pub(crate) fn soon(f: impl FnOnce() + 'static) {
    let mut f: Option<Task> = Some(Box::new(f));
    CHANNEL.with(|c| {
        if let Some((port, _)) = c {
            TASKS.with(|t| t.borrow_mut().push_back(f.take().expect("not taken yet")));
            if port.post_message(&JsValue::NULL).is_err() {
                // Not posted: take it back and fall back to a timeout.
                f = TASKS.with(|t| t.borrow_mut().pop_back());
            }
        }
    });
    if let Some(f) = f {
        set_timeout(f, Duration::ZERO);
    }
}
