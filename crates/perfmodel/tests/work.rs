//! The simulator's work: skipping round-robin GIL rounds changes no result, and events per request stay bounded at the worst reachable scenarios.

use perfmodel::scenario::range;
use perfmodel::sim::{simulate, SimConfig, SimResult};
use perfmodel::{Params, Pattern, Scenario};

fn both(pattern: Pattern, s: &Scenario, cfg: SimConfig) -> (SimResult, SimResult) {
    let p = Params::default();
    let skipping = simulate(pattern, &p, s, &cfg).unwrap();
    let every = simulate(pattern, &p, s, &SimConfig { every_handoff: true, ..cfg }).unwrap();
    (skipping, every)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-9)
}

/// Scenarios where background threads and long loop work pass the GIL
/// round-robin for long stretches: skipping them must give the numbers
/// that simulating every hand-off gives (up to the rounding of summed times).
#[test]
fn skipped_rounds_change_no_result() {
    let cases = [
        Scenario { io_wait_ms: 200.0, concurrency: 4, background_threads: 3, ..Scenario::default() },
        Scenario { io_wait_ms: 50.0, concurrency: 20, background_threads: 16, pool: Some(2), ..Scenario::default() },
        Scenario { io_wait_ms: 1.0, concurrency: 10, app_cpu_ms: 40.0, background_threads: 2, ..Scenario::default() },
        Scenario { io_wait_ms: 30.0, concurrency: 1, app_cpu_ms: 12.0, background_threads: 5, cores: 1.0, ..Scenario::default() },
    ];
    let mut skipped = 0;
    for s in cases {
        for pattern in Pattern::ALL {
            let cfg = SimConfig { seed: 5, requests: 600, warmup: 100, ..SimConfig::default() };
            let (a, b) = both(pattern, &s, cfg);
            let what = format!("{pattern:?} at {s:?}");
            assert_eq!(a.completed, b.completed, "{what}");
            assert_eq!(b.skipped_handoffs, 0, "{what}");
            for (x, y, name) in [
                (a.throughput, b.throughput, "throughput"),
                (a.latency_ms.mean, b.latency_ms.mean, "mean"),
                (a.gil_utilization, b.gil_utilization, "GIL by requests"),
                (a.gil_background, b.gil_background, "GIL by background threads"),
                (a.gil_wait_ms, b.gil_wait_ms, "GIL wait"),
                (a.queued, b.queued, "queued"),
                (a.window_ms, b.window_ms, "window"),
            ] {
                assert!(close(x, y), "{what}: {name} {x} with skipping, {y} hand-off by hand-off");
            }
            // Percentiles come from a histogram of 3 significant figures.
            for (x, y) in [(a.latency_ms.p50, b.latency_ms.p50), (a.latency_ms.p99, b.latency_ms.p99), (a.latency_ms.max, b.latency_ms.max)] {
                assert!((x - y).abs() <= 1e-3 * y.max(1e-3), "{what}: percentile {x} against {y}");
            }
            assert_eq!(a.threads, b.threads, "{what}");
            assert!(a.events <= b.events, "{what}");
            skipped += a.skipped_handoffs;
        }
    }
    assert!(skipped > 10_000, "the cases must exercise skipping: {skipped} hand-offs skipped");
}

/// The trace window and the followed request skip nothing, so they match too.
#[test]
fn traces_and_journeys_are_unchanged_by_skipping() {
    let s = Scenario { io_wait_ms: 20.0, concurrency: 6, background_threads: 4, app_cpu_ms: 7.0, ..Scenario::default() };
    for pattern in Pattern::COMPARED {
        let cfg = SimConfig { seed: 9, requests: 300, warmup: 50, trace_ms: 40.0, follow: true, ..SimConfig::default() };
        let (a, b) = both(pattern, &s, cfg);
        // The same segments; a segment is written when its thread's state
        // next changes, which a skip may move past the window's end.
        let sorted = |r: &SimResult| {
            let mut t = r.trace.clone();
            t.sort_by(|x, y| (x.thread, x.start_ms).partial_cmp(&(y.thread, y.start_ms)).unwrap());
            t
        };
        let (ta, tb) = (sorted(&a), sorted(&b));
        assert_eq!(ta.len(), tb.len(), "{pattern:?}");
        assert!(!ta.is_empty());
        for (x, y) in ta.iter().zip(&tb) {
            assert_eq!((x.thread, x.state), (y.thread, y.state), "{pattern:?}");
            assert!(close(x.start_ms, y.start_ms) && close(x.end_ms, y.end_ms), "{pattern:?}: {x:?} against {y:?}");
        }
        assert!(a.journey.complete && b.journey.complete, "{pattern:?}");
        assert_eq!(a.journey.legs.len(), b.journey.legs.len(), "{pattern:?}");
        for (x, y) in a.journey.legs.iter().zip(&b.journey.legs) {
            assert_eq!((x.thread, x.state, x.step), (y.thread, y.state, y.step), "{pattern:?}");
            assert!(close(x.end_ms, y.end_ms), "{pattern:?}: {x:?} against {y:?}");
        }
    }
}

/// The corners of the reachable box (every combination of the extreme
/// I/O wait, pool, cores, loop work and background threads, on every
/// machine profile) at a small and
/// a large concurrency: every run finishes within its event budget (else
/// `simulate` errs), and the work per request stays small. The bound is
/// on events, which are deterministic, never on time.
#[test]
fn events_per_request_stay_bounded_at_the_worst_corners() {
    let p = Params::default();
    let ends = |r: (f64, f64)| [r.0, r.1];
    let mut worst = (0.0, String::new());
    for io in ends(range::IO_WAIT_MS) {
        for n in [1u32, 2_000] {
            for pool in ends(range::POOL) {
                for cores in ends(range::CORES) {
                    for cpu in ends(range::APP_CPU_MS) {
                        for (bg, profile) in ends(range::BACKGROUND_THREADS).into_iter().flat_map(|b| perfmodel::machine::PROFILES.map(|m| (b, m))) {
                            let s = Scenario {
                                io_wait_ms: io,
                                concurrency: n,
                                pool: Some(pool as u32),
                                cores,
                                app_cpu_ms: cpu,
                                background_threads: bg as u32,
                                machine: profile.machine,
                                ..Scenario::default()
                            };
                            for pattern in Pattern::COMPARED {
                                let cfg = SimConfig { seed: 3, requests: 400, warmup: n as u64, ..SimConfig::default() };
                                let r = simulate(pattern, &p, &s, &cfg).unwrap_or_else(|e| panic!("{pattern:?} at {s:?}: {e}"));
                                let issued = (cfg.requests + cfg.warmup + n as u64) as f64;
                                let per = r.events as f64 / issued;
                                if per > worst.0 {
                                    worst = (per, format!("{pattern:?} at {s:?}"));
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    // Measured when this test was written: at most 16.0 events per request
    // (the executor with one caller, a pool of 1, 1 s of loop work and 16
    // background threads); hand-off by hand-off that run takes about 10,000.
    assert!(worst.0 < 40.0, "{} events per request: {}", worst.0, worst.1);
    eprintln!("most events per request: {:.1} ({})", worst.0, worst.1);
}
