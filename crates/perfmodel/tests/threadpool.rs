//! A plain def endpoint (the official client on the framework's threads) against the executor it resembles: what must be equal, and what differs by construction.

use perfmodel::memory::threads;
use perfmodel::pattern::{steps, totals, Role, Work};
use perfmodel::scenario::FRAMEWORK_THREADS;
use perfmodel::sim::simulate;
use perfmodel::{mva, open, Params, Pattern, Scenario};

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs())
}

/// With anyio's extra hand-off cost set to nothing and no handler work, a
/// request of a def endpoint does what run_in_executor's does on a pool of
/// the framework's size: the same costs, so the same answers from both solvers.
#[test]
fn without_its_extra_cost_it_is_the_executor_on_the_frameworks_threads() {
    let p = Params { threadpool_extra_us: 0.0, ..Params::default() };
    for (io, n) in [(1.0, 200u32), (5.0, 64), (0.0637, 50)] {
        let s = Scenario { io_wait_ms: io, concurrency: n, ..Scenario::default() };
        let ex = Scenario { pool: Some(FRAMEWORK_THREADS), ..s };
        let (a, b) = (totals(&steps(Pattern::Threadpool, &p, &s)), totals(&steps(Pattern::Executor, &p, &ex)));
        assert!(close(a.gil_us(), b.gil_us(), 1e-12) && close(a.total_us(), b.total_us(), 1e-12), "io {io}: {a:?} vs {b:?}");
        assert!(close(a.worker_held_us, b.worker_held_us, 1e-12));
        let x = |pattern, s: &Scenario| mva::solve(pattern, &p, s, &[n])[0].throughput;
        assert!(close(x(Pattern::Threadpool, &s), x(Pattern::Executor, &ex), 1e-9), "io {io}: closed-loop throughput");
        let (ca, la) = open::capacity(Pattern::Threadpool, &p, &s);
        let (cb, lb) = open::capacity(Pattern::Executor, &p, &ex);
        assert!(close(ca, cb, 1e-9) && la == lb, "io {io}: capacity {ca} ({la:?}) vs {cb} ({lb:?})");
        let cfg = perfmodel::predict::sim_config(&s, 7);
        let (sa, sb) = (simulate(Pattern::Threadpool, &p, &s, &cfg).unwrap(), simulate(Pattern::Executor, &p, &ex, &cfg).unwrap());
        assert!(close(sa.throughput, sb.throughput, 0.03), "io {io}: simulated {} vs {}", sa.throughput, sb.throughput);
    }
}

/// The handler's work runs on the thread, not the loop, and the hand-off
/// is paid once per request however many calls the handler makes: three
/// gets through run_in_executor cost two more hand-offs and two more
/// resumptions of the loop than one def endpoint making the same three.
#[test]
fn the_handler_runs_on_its_thread_and_hands_off_once() {
    let p = Params::default();
    let s = Scenario {
        io_wait_ms: 1.0,
        app_cpu_ms: 1.0,
        calls: perfmodel::batch::Calls { gets: 3, batch: None, batches: 1, gather: false },
        ..Scenario::default()
    };
    let path = steps(Pattern::Threadpool, &p, &s);
    let (tp, ex) = (totals(&path), totals(&steps(Pattern::Executor, &p, &s)));
    let handler = path.iter().find(|st| matches!(st.work, Work::Gil(us) if us >= 1e3)).expect("a step holds the handler's work");
    assert_eq!(handler.role, Role::Worker);
    assert!(tp.gil_loop_us < 100.0, "the loop holds {} µs", tp.gil_loop_us);
    let want = ex.gil_us() - 2.0 * (p.executor_overhead_us + p.loop_resume_us) + p.threadpool_extra_us;
    assert!(close(tp.gil_us(), want, 1e-12), "GIL per request {} vs {want}", tp.gil_us());
    // Each call and the handler's work hold the thread.
    assert!(tp.worker_held_us > 3.0 * 1e3 + 1e3);
}

/// The framework's 40 threads bound it as the executor's pool does: where
/// the cores do not bind, at most 40 requests wait at once; anyio creates
/// its threads as requests need them.
#[test]
fn its_forty_threads_bound_it() {
    let p = Params::default();
    let s = Scenario { io_wait_ms: 20.0, cores: 64.0, ..Scenario::default() };
    let (cap, limit) = open::capacity(Pattern::Threadpool, &p, &s);
    // The pool's bound: 40 threads each held at least for its GIL, CPU and wait.
    let t = totals(&steps(Pattern::Threadpool, &p, &s));
    let bound = f64::from(FRAMEWORK_THREADS) * 1e6 / (t.gil_other_us + t.cpu_us + t.io_us);
    assert_eq!(mva::bounds(Pattern::Threadpool, &p, &s).pool_cap, Some(bound));
    assert_eq!(limit, open::Limit::Pool);
    assert!(cap <= bound * 1.000_001 && cap > 0.95 * bound, "capacity {cap}, bound {bound}");
    let official = p.official_client_threads.round() as u32;
    assert_eq!(threads(Pattern::Threadpool, &p, &Scenario { concurrency: 10, ..s }).total(), 1 + 10 + official);
    assert_eq!(threads(Pattern::Threadpool, &p, &Scenario { concurrency: 1_000, ..s }).total(), 1 + FRAMEWORK_THREADS + official);
}
