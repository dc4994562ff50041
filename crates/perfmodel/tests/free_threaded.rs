//! The free-threaded build (3.14t): Python code runs `free_threaded_overhead` slower; where the process has no GIL, only the event loop's work stays one after another, and CPU-bound threads take cores instead of the GIL.

use perfmodel::pattern::{steps, totals};
use perfmodel::scenario::Python;
use perfmodel::{mva, predict_curve, Params, Pattern, Scenario};

fn at(py: Python) -> Scenario {
    Scenario { python: py, ..Scenario::default() }
}

#[test]
fn the_official_client_keeps_the_gil_and_pays_the_overhead() {
    let p = Params::default();
    for pattern in [Pattern::Sync, Pattern::Executor] {
        let gil = totals(&steps(pattern, &p, &at(Python::Gil))).gil_us();
        let ft = totals(&steps(pattern, &p, &at(Python::FreeThreaded))).gil_us();
        assert!((ft / gil - (1.0 + p.free_threaded_overhead)).abs() < 1e-12, "{pattern:?}");
        let x = |py| predict_curve(pattern, &p, &at(py), &[50]).unwrap()[0].throughput_ops_s;
        assert!(x(Python::FreeThreaded) < x(Python::Gil), "{pattern:?}");
    }
}

#[test]
fn without_the_gil_only_the_loop_is_serial() {
    let p = Params::default();
    let s = at(Python::FreeThreaded);
    let path = steps(Pattern::Tokio, &p, &s);
    let t = totals(&path);
    // Only the loop's steps are left on the serial station, each 10% longer.
    assert_eq!(t.gil_other_us, 0.0);
    let loop_gil = totals(&steps(Pattern::Tokio, &p, &Scenario::default())).gil_loop_us * (1.0 + p.free_threaded_overhead);
    assert!((t.gil_loop_us - loop_gil).abs() < 1e-9);
    let b = mva::bounds(Pattern::Tokio, &p, &s);
    assert!((b.gil_ceiling - 1e6 / loop_gil).abs() < 1e-6, "the ceiling is the loop's");
    // Where the GIL, not the CPU, binds (eight cores), the loop alone on
    // the serial station lets Tokio go much further.
    let x = |py| predict_curve(Pattern::Tokio, &p, &Scenario { cores: 8.0, ..at(py) }, &[50]).unwrap()[0].throughput_ops_s;
    assert!(x(Python::FreeThreaded) > 1.3 * x(Python::Gil));
    // Forced off for both, the executor's workers run Python in parallel too.
    let e = |py| predict_curve(Pattern::Executor, &p, &Scenario { cores: 8.0, pool: Some(64), ..at(py) }, &[200]).unwrap()[0].throughput_ops_s;
    assert!(e(Python::FreeThreadedForced) > e(Python::Gil));
}

#[test]
fn cpu_bound_threads_take_cores_not_the_gil() {
    let s = Scenario { background_threads: 1, cores: 4.0, python: Python::FreeThreaded, ..Scenario::default() };
    assert_eq!(s.for_solver(Pattern::Tokio), Scenario { background_threads: 0, cores: 3.0, ..s });
    assert_eq!(s.for_solver(Pattern::Executor), s, "the official client's process keeps the GIL");
    let one = Scenario { cores: 1.0, background_threads: 16, python: Python::FreeThreadedForced, ..Scenario::default() };
    assert_eq!(one.for_solver(Pattern::Executor).cores, 1.0, "never below one core");
    // With the GIL, a CPU-bound thread costs Tokio's p99 dearly; without it, little.
    let p = Params::default();
    let p99 = |py| {
        let s = Scenario { background_threads: 1, python: py, ..Scenario::default() };
        perfmodel::predict(Pattern::Tokio, &p, &s, perfmodel::Solver::Sim, 1).unwrap().latency_ms.p99.unwrap()
    };
    assert!(p99(Python::FreeThreaded) * 5.0 < p99(Python::Gil));
}
