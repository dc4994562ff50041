//! A web server in front of the handler is its measured cost per request, held on the loop: the same predictions as that much handler work, and the server's memory on top.

use perfmodel::{predict, Params, Pattern, Scenario, Solver};

#[test]
fn a_web_server_is_its_cost_on_the_loop() {
    let p = Params::default();
    assert!(p.http_server_us > 0.0 && p.http_server_rss_mib > 0.0);
    for pattern in [Pattern::Sync, Pattern::Executor, Pattern::Tokio] {
        for solver in [Solver::Analytic, Solver::Sim] {
            let served = Scenario { io_wait_ms: 1.0, app_cpu_ms: 0.2, web_server: true, concurrency: 8, ..Scenario::default() };
            let bare = Scenario { web_server: false, app_cpu_ms: 0.2 + p.http_server_us / 1e3, ..served };
            let a = predict(pattern, &p, &served, solver, 5).unwrap();
            let b = predict(pattern, &p, &bare, solver, 5).unwrap();
            let at = format!("{pattern:?} {solver:?}");
            assert_eq!(a.throughput_ops_s, b.throughput_ops_s, "{at}");
            assert_eq!(a.latency_ms, b.latency_ms, "{at}");
            assert_eq!(a.threads, b.threads, "{at}");
            let more = a.memory_mib.resident - b.memory_mib.resident;
            assert!((more - p.http_server_rss_mib).abs() < 1e-9, "{at}: {more} MiB more");
        }
    }
}

/// Under an open load the server's measured cost already includes what the
/// bare model charges an arrival (reaching the loop, starting its task): a
/// request through a web server holds the GIL for the server's cost instead.
#[test]
fn an_arrival_through_a_web_server_is_charged_once() {
    use perfmodel::pattern::{steps, totals};
    let p = Params::default();
    for pattern in [Pattern::Sync, Pattern::Executor, Pattern::Tokio] {
        let bare = Scenario { io_wait_ms: 1.0, arrival_rate: Some(300.0), ..Scenario::default() };
        let served = Scenario { web_server: true, ..bare };
        let driver = if pattern == Pattern::Sync { 0.0 } else { p.open_driver_us };
        let (a, b) = (totals(&steps(pattern, &p, &served)).gil_us(), totals(&steps(pattern, &p, &bare)).gil_us());
        assert!((a - (b - driver + p.http_server_us)).abs() < 1e-9, "{pattern:?}: {a} µs against {b} µs bare");
    }
}

#[test]
fn a_web_server_lowers_a_one_core_capacity_by_its_cost_at_least() {
    // One core, no wait: the work per request bounds the rate, and the
    // server's cost adds to it. Tokio's capacity falls as 1 / (work + server);
    // the executor's falls further, its pool's workers holding their threads
    // while the loop holds the GIL for the server's work.
    let p = Params::default();
    let bare = Scenario { io_wait_ms: 0.0, cores: 1.0, arrival_rate: Some(1.0), ..Scenario::default() };
    let served = Scenario { web_server: true, ..bare };
    for pattern in [Pattern::Executor, Pattern::Tokio] {
        let (a, _) = perfmodel::open::capacity(pattern, &p, &bare);
        let (b, _) = perfmodel::open::capacity(pattern, &p, &served);
        let more = 1e6 / b - 1e6 / a;
        assert!(more > 0.9 * p.http_server_us, "{pattern:?}: {more} µs more a request");
        if pattern == Pattern::Tokio {
            assert!(more < 1.1 * p.http_server_us, "{pattern:?}: {more} µs more a request");
        }
    }
}
