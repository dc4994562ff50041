//! Model behaviour: determinism, validation messages, the convoy effect, memory, defaults vs recorded measurements.

use perfmodel::memory;
use perfmodel::pattern::{steps, totals};
use perfmodel::sim::{simulate, SimConfig};
use perfmodel::{predict, ModelError, Params, Pattern, Scenario, Solver};

#[test]
fn same_seed_gives_the_same_numbers() {
    let s = Scenario { concurrency: 300, io_wait_ms: 2.0, ..Scenario::default() };
    let cfg = SimConfig { seed: 42, requests: 10_000, warmup: 1_000, trace_ms: 5.0, ..SimConfig::default() };
    for pattern in Pattern::ALL {
        let a = simulate(pattern, &Params::default(), &s, &cfg).unwrap();
        let b = simulate(pattern, &Params::default(), &s, &cfg).unwrap();
        assert_eq!(a.throughput.to_bits(), b.throughput.to_bits());
        assert_eq!(a.latency_ms, b.latency_ms);
        assert_eq!(a.trace, b.trace);
    }
}

#[test]
fn out_of_range_inputs_name_the_parameter_and_its_range() {
    let s = Scenario { io_wait_ms: -1.0, ..Scenario::default() };
    let err = predict(Pattern::Tokio, &Params::default(), &s, Solver::Analytic, 1).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("io_wait_ms") && msg.contains("between 0 and 10000"), "{msg}");
    let p = Params { loop_resume_us: f64::NAN, ..Params::default() };
    let err = predict(Pattern::Tokio, &p, &Scenario::default(), Solver::Analytic, 1).unwrap_err();
    assert!(matches!(err, ModelError::OutOfRange { name: "loop_resume_us", .. }), "{err}");
}

#[test]
fn clamping_explains_every_change() {
    let s = Scenario { concurrency: 0, io_wait_ms: f64::INFINITY, cores: 9_999.0, ..Scenario::default() };
    let (c, notes) = s.clamped();
    assert!(c.validate().is_ok());
    assert_eq!(c.concurrency, 1);
    assert_eq!(c.cores, 256.0);
    assert_eq!(notes.len(), 3, "{notes:?}");
}

#[test]
fn request_paths_count_gil_acquisitions_and_hops() {
    let p = Params::default();
    let s = Scenario::default();
    let t = |pat| totals(&steps(pat, &p, &s));
    assert_eq!((t(Pattern::Sync).gil_acquisitions, t(Pattern::Sync).thread_hops), (2, 0));
    assert_eq!((t(Pattern::Executor).gil_acquisitions, t(Pattern::Executor).thread_hops), (4, 2));
    // Loop → Tokio worker → blocking-pool thread (which delivers the result) → loop.
    assert_eq!((t(Pattern::Tokio).gil_acquisitions, t(Pattern::Tokio).thread_hops), (3, 3));
}

#[test]
fn a_cpu_bound_background_thread_turns_microseconds_into_milliseconds() {
    let p = Params::default();
    let quiet = Scenario { concurrency: 8, io_wait_ms: 0.5, ..Scenario::default() };
    let noisy = Scenario { background_threads: 1, ..quiet };
    let cfg = SimConfig { requests: 3_000, warmup: 300, ..SimConfig::default() };
    for pattern in [Pattern::Executor, Pattern::Tokio] {
        let a = simulate(pattern, &p, &quiet, &cfg).unwrap();
        let b = simulate(pattern, &p, &noisy, &cfg).unwrap();
        assert!(b.gil_background > 0.3, "{pattern:?}: background share {}", b.gil_background);
        assert!(
            b.latency_ms.p99 > 5.0 * a.latency_ms.p99 && b.latency_ms.p99 > p.gil_switch_interval_ms,
            "{pattern:?}: p99 {} -> {}",
            a.latency_ms.p99,
            b.latency_ms.p99
        );
    }
}

#[test]
fn executor_memory_counts_only_threads_it_created() {
    let p = Params::default();
    let s = Scenario { concurrency: 3, ..Scenario::default() };
    // The loop and three workers, beside the C client's own threads.
    let c_client = p.official_client_threads as u32;
    assert_eq!(memory::threads(Pattern::Executor, &p, &s).total(), 4 + c_client);
    let big = Scenario { concurrency: 10_000, ..Scenario::default() };
    assert_eq!(memory::threads(Pattern::Executor, &p, &big).total(), 1 + big.pool_size() + c_client);
    let m = memory::memory(Pattern::Executor, &p, &big);
    assert!(m.reserved > m.resident);
    let limit = memory::concurrency_exceeding_limit(Pattern::SyncThreads, &p, &Scenario::default(), 100_000).unwrap();
    let under = Scenario { concurrency: limit - 1, ..Scenario::default() };
    let over = Scenario { concurrency: limit, ..Scenario::default() };
    assert!(!memory::memory(Pattern::SyncThreads, &p, &under).exceeds_pod_limit);
    assert!(memory::memory(Pattern::SyncThreads, &p, &over).exceeds_pod_limit);
}

/// The defaults say they were measured by lab/asyncio_costs.py; hold them to it.
#[test]
fn defaults_equal_the_recorded_measurements() {
    let text = include_str!("../../../lab/results/asyncio_costs.json");
    let m: serde_json::Value = serde_json::from_str(text).unwrap();
    let f = |k: &str| m[k].as_f64().unwrap_or_else(|| m[k][0].as_f64().unwrap());
    let p = Params::default();
    let close = |name: &str, got: f64, want: f64| {
        assert!((got - want).abs() <= 0.051 * want.abs().max(0.1), "{name}: default {got}, measured {want}");
    };
    let resume = f("loop_resume_us");
    close("loop_resume_us", p.loop_resume_us, resume);
    close("thread_wake_us", p.thread_wake_us, f("threadsafe_roundtrip_us") / 2.0);
    close("io_jitter", p.io_jitter, (f("tcp_rtt_p99_over_mean") - 1.0) / (100f64.ln() - 1.0));
    close("base_rss_mib", p.base_rss_mib, f("base_rss_kib") / 1024.0);
    close("thread_rss_kib", p.thread_rss_kib, f("thread_rss_kib"));
    close("thread_stack_mib", p.thread_stack_mib, f("stack_rlimit_kib") / 1024.0);
    close("request_kib", p.request_kib, f("pending_task_bytes") / 1024.0);
    close("open_driver_us", p.open_driver_us, f("open_driver_us") - resume);
    close("threadpool_extra_us", p.threadpool_extra_us, f("threadpool_extra_c64_us"));
    close("gil_switch_interval_ms", p.gil_switch_interval_ms, f("switch_interval_s") * 1e3);
    close("LOCALHOST_RTT_MS", perfmodel::scenario::LOCALHOST_RTT_MS, f("tcp_rtt_us") / 1e3);
    // The client costs come from the lab: client_costs_are_the_ones_the_lab_measured.
}

#[test]
fn every_parameter_has_provenance_and_a_default_in_range() {
    let all = Params::describe();
    assert_eq!(all.len(), 41);
    for info in all {
        assert!(info.provenance.len() > 20 && !info.provenance.contains("PROV_"), "{} lacks provenance", info.name);
        assert!(!info.description.is_empty());
        assert!(info.default >= info.min && info.default <= info.max, "{}", info.name);
    }
    Params::default().validate().unwrap();
}

#[test]
fn a_burst_runs_every_request_once_and_the_pool_queues_the_rest() {
    let p = Params::default();
    let s = Scenario { concurrency: 100, io_wait_ms: 1.0, ..Scenario::default() };
    let cfg = SimConfig { requests: 100, warmup: 0, burst: true, ..SimConfig::default() };
    let ex = simulate(Pattern::Executor, &p, &s, &cfg).unwrap();
    let tk = simulate(Pattern::Tokio, &p, &s, &cfg).unwrap();
    assert_eq!((ex.burst.len(), tk.burst.len()), (100, 100));
    let last = |r: &perfmodel::sim::SimResult| r.burst.iter().map(|b| b.1).fold(0.0, f64::max);
    // Six workers take 100 requests of 1 ms in about 17 rounds; Tokio has them
    // all in flight at once, so only its GIL work (done one request at a time) adds up.
    let tokio_gil_ms = (p.asp_gil_us + p.loop_resume_us) / 1e3;
    assert!(last(&ex) > 15.0, "executor {} ms", last(&ex));
    assert!(
        last(&tk) < s.io_wait_ms + 1.25 * 100.0 * tokio_gil_ms && last(&tk) < last(&ex) / 2.0,
        "executor {} ms, tokio {} ms",
        last(&ex),
        last(&tk)
    );
    let queued_at_start = ex.burst.iter().filter(|b| b.0 > 0.5).count();
    assert!(queued_at_start >= 90, "{queued_at_start} waited for a worker");
    assert_eq!(ex.threads, 1 + 6);
}

#[test]
fn a_followed_request_accounts_for_its_whole_latency() {
    use perfmodel::sim::LegState;
    let p = Params::default();
    for (io, n) in [(0.0637, 1), (1.0, 50), (5.0, 400)] {
        let s = Scenario { io_wait_ms: io, concurrency: n, ..Scenario::default() };
        let cfg = SimConfig { requests: 2_000.max(2 * n as u64), warmup: 1_000, follow: true, ..SimConfig::default() };
        for pattern in Pattern::COMPARED {
            let r = simulate(pattern, &p, &s, &cfg).unwrap();
            let j = &r.journey;
            assert!(j.complete, "{pattern:?} io={io} n={n}: the followed request did not finish");
            assert_eq!(j.legs[0].start_ms, 0.0);
            for w in j.legs.windows(2) {
                assert!((w[0].end_ms - w[1].start_ms).abs() < 1e-9, "legs must be contiguous: {w:?}");
                assert!(w[0] != w[1]);
            }
            let path = steps(pattern, &p, &s);
            let want = totals(&path);
            let sum = |f: fn(LegState) -> bool| -> f64 { j.legs.iter().filter(|l| f(l.state)).map(|l| (l.end_ms - l.start_ms) * 1e3).sum() };
            // Measured service times: the GIL-held and CPU time are exactly the path's.
            let held = sum(|s| s == LegState::HoldsGil);
            assert!((held - want.gil_us()).abs() < 1e-6 * want.gil_us().max(1.0), "{pattern:?}: held {held} µs vs {}", want.gil_us());
            let cpu = sum(|s| s == LegState::Cpu);
            assert!((cpu - want.cpu_us).abs() < 1e-6 * want.cpu_us.max(1.0), "{pattern:?}: cpu {cpu} vs {}", want.cpu_us);
            // Off-thread legs appear only where the pattern has them.
            let off_thread_io = sum(|s| s == LegState::AsyncIo);
            assert_eq!(off_thread_io > 0.0, pattern == Pattern::Tokio, "{pattern:?}");
            // Every step of the path is visited, in order.
            let mut seen: Vec<usize> = j.legs.iter().map(|l| l.step).collect();
            seen.dedup();
            assert!(seen.windows(2).all(|w| w[0] < w[1]), "{pattern:?}: steps out of order {seen:?}");
        }
    }
}

/// The lab run the defaults are calibrated from, as the book ships it (and
/// as every lab-calibrated parameter's provenance names it).
fn newest_lab_report() -> serde_json::Value {
    let name = perfmodel::calibrate::CALIBRATION_RUN;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book/reports");
    let index: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("index.json")).unwrap()).unwrap();
    assert!(index["reports"].as_array().unwrap().iter().any(|e| e["file"] == name), "{name} is listed in index.json");
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap();
    assert!(report.get("io_wait_grid").is_some(), "{name} carries the lab's grid");
    // Every parameter calibrated from a lab grid names this run.
    for d in Params::describe().iter().filter(|d| {
        d.provenance.contains("lab report book/reports/") && !d.provenance.contains("-batch.json") && !d.provenance.contains("reports/service/")
    }) {
        assert!(d.provenance.contains(name), "{}: {}", d.name, d.provenance);
    }
    report
}

#[test]
fn client_costs_are_the_ones_the_lab_measured() {
    use perfmodel::calibrate::{client_costs, CellCosts, LabCosts};
    let report = newest_lab_report();
    let cells = report["io_wait_grid"]["data"].as_array().unwrap();
    let costs = |c: &serde_json::Value| CellCosts {
        ops_per_sec: c["ops_per_sec"].as_f64().unwrap(),
        gil_us: c["gil_us_per_request"].as_f64().expect("the clean lab samples the GIL (py-spy)"),
        cpu_us: c["cpu_us_per_request"].as_object().unwrap().values().map(|v| v.as_f64().unwrap()).sum(),
    };
    let at0 = |pattern: &'static str| cells.iter().filter(move |c| c["pattern"] == pattern && c["io_wait_ms"].as_f64() == Some(0.0));
    // A peak: the concurrency with the most gets per second at no injected wait.
    let peak = |pattern: &'static str| {
        costs(at0(pattern).max_by(|a, b| a["ops_per_sec"].as_f64().unwrap().total_cmp(&b["ops_per_sec"].as_f64().unwrap())).unwrap())
    };
    let m = LabCosts {
        official_sync_1: costs(at0("official_sync").find(|c| c["concurrency"] == 1).unwrap()),
        executor_peak: peak("official_executor"),
        asp_peak: peak("aerospike_py_async"),
    };
    let p = Params::default();
    let want = client_costs(&m, &p);
    // What the lab gives, for recalibrating after a new report (run with --nocapture).
    eprintln!("measured {m:?}\ncalibrated {want:?}");
    let close = |name: &str, got: f64, want: f64| {
        assert!((got - want).abs() <= 0.051 * want.abs().max(1.0), "{name}: default {got}, the lab gives {want} ({m:?})");
    };
    close("official_gil_us", p.official_gil_us, want.official_gil_us);
    close("official_nogil_us", p.official_nogil_us, want.official_nogil_us);
    close("executor_overhead_us", p.executor_overhead_us, want.executor_overhead_us);
    close("asp_gil_us", p.asp_gil_us, want.asp_gil_us);
    close("asp_nogil_us", p.asp_nogil_us, want.asp_nogil_us);
    assert!(want.stub_rtt_us > 0.0, "{want:?}");
    // Memory and threads: the clients' own, from their fresh processes before any load.
    let idle = |prefix: &str| {
        let mut v: Vec<f64> =
            cells.iter().filter(|c| c["pattern"].as_str().unwrap().starts_with(prefix)).filter_map(|c| c["rss_idle_mib"].as_f64()).collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    close("official_rss_mib", p.official_rss_mib, idle("official_") - p.base_rss_mib);
    close("asp_rss_mib", p.asp_rss_mib, idle("aerospike_py_") - p.base_rss_mib);
    // Memory per request and per blocking-pool thread, from the cells' growth.
    use perfmodel::calibrate::{memory_costs, CellMemory};
    let rows = |patterns: &[&str]| -> Vec<Vec<CellMemory>> {
        let mut out = Vec::new();
        for pattern in patterns {
            for io in [0.0, 0.5, 1.0, 2.0, 5.0, 20.0] {
                out.push(
                    cells
                        .iter()
                        .filter(|c| c["pattern"] == *pattern && c["io_wait_ms"].as_f64() == Some(io))
                        .map(|c| {
                            let idle: u64 = c["threads_idle_by_name"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
                            CellMemory {
                                concurrency: c["concurrency"].as_u64().unwrap() as u32,
                                rss_mib: c["rss_mib"].as_f64().unwrap(),
                                rss_idle_mib: c["rss_idle_mib"].as_f64().unwrap(),
                                extra_threads: (c["threads"].as_u64().unwrap() - idle) as u32,
                            }
                        })
                        .collect(),
                );
            }
        }
        out
    };
    let exec = memory_costs(&rows(&["official_executor", "official_executor_64"])).unwrap();
    let asp = memory_costs(&rows(&["aerospike_py_async"])).unwrap();
    eprintln!(
        "idle rss: official {} MiB, aerospike-py {} MiB; memory: executor {exec:?}, aerospike-py {asp:?}",
        idle("official_"),
        idle("aerospike_py_")
    );
    close("executor_request_kib", p.executor_request_kib, exec.request_kib);
    close("asp_request_kib", p.asp_request_kib, asp.request_kib);
    close("tokio_thread_rss_kib", p.tokio_thread_rss_kib, asp.thread_kib.unwrap());
    // Tokio's blocking pool stops at its limit: the most tokio threads of any cell.
    let most = cells.iter().filter_map(|c| c["threads_by_name"]["tokio-rt-worker"].as_u64()).max().unwrap();
    assert!(most as f64 >= p.tokio_max_blocking && most as f64 <= p.tokio_max_blocking + 8.0, "{most}");
    let c_threads = |c: &serde_json::Value| {
        c["threads_idle_by_name"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| *k == "tend" || *k == "tpool")
            .map(|(_, v)| v.as_u64().unwrap())
            .sum::<u64>()
    };
    for c in cells.iter().filter(|c| c["pattern"].as_str().unwrap().starts_with("official_")) {
        assert_eq!(c_threads(c) as f64, p.official_client_threads, "{c}");
    }
}

/// When the cores bind, the analytic throughput rises with the callers to
/// what the cores allow and stays there: the recursion must not swing (a
/// floor fed back into the cores' queue once made it oscillate between 8k
/// and 30k requests/s from one population to the next).
#[test]
fn a_cpu_bound_curve_rises_and_stays() {
    let p = Params::default();
    for pattern in [Pattern::Executor, Pattern::Tokio] {
        let s = Scenario { io_wait_ms: 0.047, cores: 1.0, node_cpus: Some(2), ..Scenario::default() };
        let ns: Vec<u32> = (0..=12).map(|k| 1 << k).chain([999, 1000, 1001, 1024]).collect();
        let x: Vec<f64> = perfmodel::predict_curve(pattern, &p, &s, &ns).unwrap().iter().map(|q| q.throughput_ops_s).collect();
        let cap = perfmodel::mva::bounds(pattern, &p, &s).cpu_cap;
        for (n, v) in ns.iter().zip(&x).filter(|(n, _)| **n >= 256) {
            assert!(
                *v > 0.95 * cap.min(perfmodel::mva::bounds(pattern, &p, &s).binding().0) && *v <= cap * (1.0 + 1e-9),
                "{pattern:?} at {n}: {v} of {cap}"
            );
        }
        for w in x.windows(2).take(8) {
            assert!(w[1] >= 0.99 * w[0], "{pattern:?}: {x:?}");
        }
    }
}
