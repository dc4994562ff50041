//! A service of several worker processes and a fractional CPU quota: the model against what must hold by construction and by arithmetic.

use perfmodel::{predict, Params, Pattern, Scenario, Solver};

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs())
}

/// K workers sharing K × c cores at rate λ are K processes at λ/K with c
/// cores each: the same latency, K times the rate, threads and memory. Each
/// process sees the node's CPUs and the pod's quota as the workers do.
#[test]
fn k_workers_are_k_processes_at_their_share_of_the_load() {
    let p = Params::default();
    for pattern in [Pattern::Sync, Pattern::Executor, Pattern::Threadpool, Pattern::Tokio] {
        for solver in [Solver::Analytic, Solver::Sim] {
            let one = Scenario {
                io_wait_ms: 1.0,
                arrival_rate: Some(1_500.0),
                cores: 1.0,
                node_cpus: Some(16),
                tokio_workers: Some(4),
                ..Scenario::default()
            };
            let four = Scenario { workers: 4, arrival_rate: Some(6_000.0), cores: 4.0, ..one };
            let a = predict(pattern, &p, &one, solver, 3).unwrap();
            let b = predict(pattern, &p, &four, solver, 3).unwrap();
            assert!(close(b.throughput_ops_s, 4.0 * a.throughput_ops_s, 1e-9), "{pattern:?} {solver:?}");
            assert_eq!(b.latency_ms, a.latency_ms, "{pattern:?} {solver:?}");
            assert_eq!(b.threads, 4 * a.threads);
            assert!(close(b.memory_mib.resident, 4.0 * a.memory_mib.resident, 1e-12));
            let (oa, ob) = (a.open.unwrap(), b.open.unwrap());
            assert!(close(ob.capacity_ops_s, 4.0 * oa.capacity_ops_s, 1e-9));
            assert_eq!(ob.stable, oa.stable);
        }
    }
}

/// A closed loop of N callers splits over the workers, N/K each (rounded up).
#[test]
fn callers_split_among_the_workers() {
    let s = Scenario { concurrency: 50, workers: 4, cores: 2.0, ..Scenario::default() };
    let w = s.per_worker();
    assert_eq!((w.concurrency, w.workers, w.cores), (13, 1, 0.5));
    // Each worker's Tokio and CPython see the pod, not the worker's share.
    assert_eq!(w.tokio_workers, Some(2));
    assert_eq!(w.node_cpus, Some(2));
}

/// Half a core serves half of what a whole one does where the CPU binds,
/// in both solvers, and GIL-held work takes twice as long.
#[test]
fn half_a_core_is_half_the_cpu_bound_capacity() {
    let p = Params::default();
    for pattern in [Pattern::Executor, Pattern::Tokio] {
        let whole = Scenario { concurrency: 256, cores: 1.0, ..Scenario::default() };
        let half = Scenario { cores: 0.5, ..whole };
        let (a, b) = (predict(pattern, &p, &whole, Solver::Analytic, 1).unwrap(), predict(pattern, &p, &half, Solver::Analytic, 1).unwrap());
        assert!(close(b.bounds.cpu_cap, 0.5 * a.bounds.cpu_cap, 1e-9), "{pattern:?}");
        assert!(close(b.bounds.gil_ceiling, 0.5 * a.bounds.gil_ceiling, 1e-9), "{pattern:?}");
        let (sa, sb) = (predict(pattern, &p, &whole, Solver::Sim, 1).unwrap(), predict(pattern, &p, &half, Solver::Sim, 1).unwrap());
        assert!(close(sb.throughput_ops_s, 0.5 * sa.throughput_ops_s, 0.05), "{pattern:?}: {} vs {}", sb.throughput_ops_s, sa.throughput_ops_s);
        assert!(close(sb.throughput_ops_s, b.throughput_ops_s, 0.10), "{pattern:?}: sim {} vs analytic {}", sb.throughput_ops_s, b.throughput_ops_s);
    }
}

/// A quota of 1.5 cores runs on two CPUs at three quarters of their speed;
/// Tokio's default reads it as one worker (whole CPUs, rounded down).
#[test]
fn a_fractional_quota_rounds_up_to_cpus_and_down_to_tokio_workers() {
    let s = Scenario { cores: 1.5, ..Scenario::default() };
    assert_eq!((s.core_servers(), s.core_speed()), (2, 0.75));
    let p = Params::default();
    let t = predict(Pattern::Tokio, &p, &s, Solver::Analytic, 1).unwrap();
    let one = predict(Pattern::Tokio, &p, &Scenario { tokio_workers: Some(1), ..s }, Solver::Analytic, 1).unwrap();
    assert_eq!(t.threads, one.threads);
}

/// Out of range, a worker count or a quota is clamped with a sentence.
#[test]
fn workers_and_quota_are_clamped_with_a_reason() {
    let (s, notes) = Scenario { workers: 0, cores: 0.1, ..Scenario::default() }.clamped();
    assert_eq!((s.workers, s.cores), (1, 0.25));
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(s.validate().is_ok());
}
