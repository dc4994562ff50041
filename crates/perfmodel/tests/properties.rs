//! Property tests over the full parameter and scenario ranges: no panic, no NaN, no infinity.

use perfmodel::sim::{simulate, SimConfig};
use perfmodel::{memory, mva, Params, Pattern, Scenario};
use proptest::prelude::*;

fn log_range(lo: f64, hi: f64) -> impl Strategy<Value = f64> {
    (0.0f64..=1.0).prop_map(move |u| if lo <= 0.0 { hi * u.powi(3) } else { lo * (hi / lo).powf(u) })
}

prop_compose! {
    fn any_params()(
        og in log_range(0.1, 10_000.0), on in log_range(0.0, 10_000.0),
        ag in log_range(0.1, 10_000.0), an in log_range(0.0, 10_000.0),
        lr in log_range(0.1, 1_000.0), eo in log_range(0.1, 10_000.0),
        tw in log_range(0.0, 10_000.0), si in log_range(0.1, 100.0), j in 0.0f64..=1.0,
    ) -> Params {
        Params { official_gil_us: og, official_nogil_us: on, asp_gil_us: ag, asp_nogil_us: an,
                 loop_resume_us: lr, executor_overhead_us: eo, thread_wake_us: tw,
                 gil_switch_interval_ms: si, io_jitter: j, ..Params::default() }
    }
}

prop_compose! {
    fn any_scenario()(
        io in log_range(0.0, 10_000.0), n in 1u32..=100_000, pool in proptest::option::of(1u32..=1_024),
        cores in log_range(0.25, 256.0), workers in 1u32..=64, node in proptest::option::of(1u32..=1_024), tw in proptest::option::of(1u32..=256), app in log_range(0.0, 1_000.0),
        bg in 0u32..=16, lim in log_range(16.0, 1_048_576.0), py in 0u8..3, m in 0usize..perfmodel::machine::PROFILES.len(), web in proptest::bool::ANY,
        calls in (0u32..=9, proptest::option::of((1u32..=5_000, 1u32..=128, 0.0f64..=1.0, proptest::bool::ANY, 1u32..=16)), proptest::bool::ANY),
        offload in proptest::option::of((log_range(0.0, 1_000.0), 0.0f64..=1.0)),
    ) -> Scenario {
        use perfmodel::batch::{Batch, Calls, FanOut};
        let (gets, batch, gather) = calls;
        let batches = batch.map_or(1, |b| b.4);
        let batch = batch.map(|(keys, nodes, found, parallel, _)| Batch { keys, nodes, found, fan_out: if parallel { FanOut::Parallel } else { FanOut::Series } });
        // A request makes at least one call.
        let calls = Calls { gets: if batch.is_none() { gets.max(1) } else { gets }, batch, batches, gather };
        Scenario { io_wait_ms: io, concurrency: n, arrival_rate: None, timeout_ms: None, burstiness: None, pool, cores, workers, node_cpus: node, tokio_workers: tw, app_cpu_ms: app, web_server: web,
                   offload_cpu_ms: offload.map_or(0.0, |o| o.0), offload_gil_share: offload.map_or(1.0, |o| o.1),
                   background_threads: bg, pod_limit_mib: lim,
                   python: [perfmodel::scenario::Python::Gil, perfmodel::scenario::Python::FreeThreaded, perfmodel::scenario::Python::FreeThreadedForced][py as usize],
                   machine: perfmodel::machine::PROFILES[m].machine, calls }
    }
}

proptest! {
    // 512 cases per run over the full ranges of every parameter and scenario field.
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn analytic_outputs_are_finite_and_bounded(p in any_params(), s in any_scenario()) {
        for pattern in Pattern::ALL {
            let b = mva::bounds(pattern, &p, &s);
            for pt in mva::solve(pattern, &p, &s, &[1, s.concurrency]) {
                prop_assert!(pt.throughput.is_finite() && pt.throughput > 0.0, "{pattern:?} {pt:?}");
                prop_assert!(pt.latency_ms.is_finite() && pt.latency_ms > 0.0);
                prop_assert!(pt.gil_wait_ms.is_finite() && pt.gil_wait_ms >= -1e-9);
                prop_assert!(pt.queued.is_finite() && pt.in_flight.is_finite());
                prop_assert!(pt.throughput <= b.gil_ceiling * (1.0 + 1e-6));
                if let Some(cap) = b.pool_cap { prop_assert!(pt.throughput <= cap * (1.0 + 1e-6)); }
            }
            let m = memory::memory(pattern, &p, &s);
            prop_assert!(m.resident.is_finite() && m.reserved.is_finite());
        }
    }
}

proptest! {
    // The simulator is slower: 48 cases per run, each a short simulation.
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn simulator_outputs_are_finite(p in any_params(), s in any_scenario(), seed in any::<u64>()) {
        let s = Scenario { concurrency: s.concurrency.min(2_000), ..s };
        let cfg = SimConfig { seed, requests: 400, warmup: 100, trace_ms: 1.0, ..SimConfig::default() };
        for pattern in Pattern::ALL {
            let r = simulate(pattern, &p, &s, &cfg).unwrap();
            prop_assert!(r.throughput.is_finite() && r.throughput > 0.0, "{pattern:?} {s:?}");
            prop_assert!(r.latency_ms.mean.is_finite() && r.latency_ms.p99.is_finite());
            prop_assert!(r.gil_utilization.is_finite() && r.queued.is_finite());
            for seg in &r.trace { prop_assert!(seg.end_ms >= seg.start_ms); }
        }
    }
}

proptest! {
    // An open load over the whole range of every parameter, scenario field, rate and timeout.
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn open_load_outputs_are_finite_or_say_unstable(p in any_params(), s in any_scenario(), rate in log_range(0.01, 1_000_000.0),
                                                    timeout in proptest::option::of(log_range(0.1, 600_000.0)),
                                                    bursts in proptest::option::of(log_range(1.0, 100.0))) {
        let s = Scenario { arrival_rate: Some(rate), timeout_ms: timeout, burstiness: bursts, ..s };
        for pattern in Pattern::ALL {
            let pr = perfmodel::predict(pattern, &p, &s, perfmodel::Solver::Analytic, 1).unwrap();
            let o = pr.open.unwrap();
            prop_assert!(o.capacity_ops_s.is_finite() && o.capacity_ops_s > 0.0, "{pattern:?} {o:?}");
            prop_assert!(pr.throughput_ops_s <= rate * (1.0 + 1e-9) && pr.throughput_ops_s <= o.capacity_ops_s.max(rate) * (1.0 + 1e-9));
            if o.stable {
                prop_assert!(rate <= o.capacity_ops_s * (1.0 + 1e-6));
                prop_assert!(pr.latency_ms.mean.is_finite() && pr.latency_ms.mean > 0.0);
                prop_assert!(pr.latency_ms.p99.unwrap() >= pr.latency_ms.p50.unwrap() * (1.0 - 1e-9));
                if let Some(g) = o.goodput_ops_s { prop_assert!(g.is_finite() && g <= rate * (1.0 + 1e-9)); }
            } else {
                prop_assert!((o.backlog_growth_per_s - (rate - o.capacity_ops_s)).abs() <= 1e-6 * rate);
            }
            prop_assert!(pr.memory_mib.resident.is_finite());
        }
    }
}

proptest! {
    // And the simulator under it: short runs, every pattern.
    #![proptest_config(ProptestConfig::with_cases(32))]
    #[test]
    fn open_load_simulations_are_finite(p in any_params(), s in any_scenario(), rate in log_range(0.01, 1_000_000.0),
                                        timeout in proptest::option::of(log_range(0.1, 600_000.0)), seed in any::<u64>(),
                                        bursts in proptest::option::of(log_range(1.0, 100.0))) {
        let s = Scenario { arrival_rate: Some(rate), timeout_ms: timeout, burstiness: bursts, ..s };
        let cfg = SimConfig { seed, requests: 300, warmup: 50, ..SimConfig::default() };
        for pattern in Pattern::ALL {
            let r = simulate(pattern, &p, &s, &cfg).unwrap();
            let o = r.open.unwrap();
            prop_assert_eq!(r.completed, 300);
            prop_assert!(r.throughput.is_finite() && r.latency_ms.p99.is_finite() && o.backlog_growth_per_s.is_finite(), "{pattern:?} {s:?}");
            if let Some(t) = timeout {
                // Only an awaited call can be wrapped in asyncio.wait_for.
                if matches!(pattern, Pattern::Executor | Pattern::Tokio) {
                    prop_assert!(r.latency_ms.max <= t * 1.001 + 0.001, "{pattern:?}: max {} over timeout {t}", r.latency_ms.max);
                }
            }
        }
    }
}
