//! Gets awaited together with `asyncio.gather`: the request waits for the slowest of them, the pool still pays for every wait, and only an async handler can gather.

use perfmodel::batch::Calls;
use perfmodel::pattern::{steps, totals};
use perfmodel::sim::simulate;
use perfmodel::{mva, open, Params, Pattern, Scenario};

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs())
}

fn gets(n: u32, gather: bool) -> Calls {
    Calls { gets: n, batch: None, batches: 1, gather }
}

/// One get gathered is one get; and where a call blocks its thread (the
/// blocking patterns, a plain def endpoint) gathering changes nothing: the
/// calls run one after another.
#[test]
fn gathering_needs_an_async_handler_and_two_calls() {
    let p = Params::default();
    let s = Scenario { io_wait_ms: 1.0, concurrency: 8, ..Scenario::default() };
    for pattern in Pattern::ALL {
        let one = totals(&steps(pattern, &p, &Scenario { calls: gets(1, true), ..s }));
        assert_eq!(one, totals(&steps(pattern, &p, &s)), "{pattern:?}: one get gathered");
    }
    for pattern in [Pattern::Sync, Pattern::SyncThreads, Pattern::Threadpool] {
        let a = steps(pattern, &p, &Scenario { calls: gets(4, true), ..s });
        assert_eq!(a, steps(pattern, &p, &Scenario { calls: gets(4, false), ..s }), "{pattern:?} cannot gather");
    }
}

/// Gathered, the request waits for the slowest of its calls: with the
/// model's wait (1 − j)·W + Exp(j·W) the mean of the largest of n is
/// (1 − j)·W + j·W·H(n). The work is the same as in series: every call's
/// GIL and CPU, and, through the executor, every call's wait on a pool thread.
#[test]
fn gathered_calls_wait_for_the_largest() {
    let p = Params::default();
    let w = 5_000.0;
    let s = Scenario { io_wait_ms: w / 1e3, concurrency: 1, pool: Some(16), ..Scenario::default() };
    for n in [2u32, 4, 9] {
        let h: f64 = (1..=n).map(|i| 1.0 / f64::from(i)).sum();
        let want = (1.0 - p.io_jitter) * w + p.io_jitter * w * h;
        for pattern in [Pattern::Executor, Pattern::Tokio] {
            let (g, q) = (
                totals(&steps(pattern, &p, &Scenario { calls: gets(n, true), ..s })),
                totals(&steps(pattern, &p, &Scenario { calls: gets(n, false), ..s })),
            );
            assert!(close(g.io_us, want, 1e-12), "{pattern:?} {n}: waits {} for the slowest, want {want}", g.io_us);
            assert!(close(q.io_us, f64::from(n) * w, 1e-12), "{pattern:?} {n}: in series the waits add up");
            assert!(close(g.gil_us() + g.cpu_us, q.gil_us() + q.cpu_us, 1e-12), "{pattern:?} {n}: the same work");
            if pattern == Pattern::Executor {
                assert!(close(g.worker_io_us, q.worker_io_us, 1e-12), "{n}: the pool pays for every wait");
            } else {
                assert_eq!(g.worker_held_us, 0.0, "{n}: a Tokio worker holds no thread while it waits");
            }
            // One caller: the simulated mean latency is the path's, the slowest wait included.
            let mean = mva::solve(pattern, &p, &Scenario { calls: gets(n, true), ..s }, &[1])[0].latency_ms * 1e3;
            let sim = simulate(pattern, &p, &Scenario { calls: gets(n, true), ..s }, &perfmodel::predict::sim_config(&s, 3)).unwrap();
            assert!(
                close(sim.latency_ms.mean * 1e3, mean, 0.04),
                "{pattern:?} {n}: simulated {} ms, analytic {} ms",
                sim.latency_ms.mean,
                mean / 1e3
            );
            let series = mva::solve(pattern, &p, &Scenario { calls: gets(n, false), ..s }, &[1])[0].latency_ms * 1e3;
            assert!(series - mean > 0.9 * (f64::from(n) * w - want), "{pattern:?} {n}: gathered {mean} µs, in series {series} µs");
        }
    }
}

/// More gathered calls than the executor has threads: they take turns, and
/// the request waits about a turn longer (nine calls on Python's default
/// pool of six on two cores).
#[test]
fn more_calls_than_threads_take_turns() {
    let p = Params::default();
    let s = Scenario { io_wait_ms: 5.0, concurrency: 1, calls: gets(9, true), ..Scenario::default() };
    assert_eq!(s.pool_for(Pattern::Executor), 6);
    let all = Scenario { pool: Some(9), ..s };
    let mean = |s: &Scenario| mva::solve(Pattern::Executor, &p, s, &[1])[0].latency_ms;
    let (turns, once) = (mean(&s), mean(&all));
    assert!(turns - once > 0.9 * (1.0 - p.io_jitter) * 5.0, "six threads {turns} ms, nine {once} ms");
    let sim = simulate(Pattern::Executor, &p, &s, &perfmodel::predict::sim_config(&s, 3)).unwrap();
    assert!(close(sim.latency_ms.mean, turns, 0.06), "simulated {} ms, analytic {turns} ms", sim.latency_ms.mean);
}

/// Through the executor every gathered call holds a pool thread for its own
/// wait, so where the pool binds, gathering buys no throughput: the pool's
/// bound and the simulated rate are those of the same calls in series,
/// whatever the latency gains. The simulator lends the threads: as many
/// waits at once as the pool has threads, never more.
#[test]
fn the_pool_pays_for_every_gathered_wait() {
    let p = Params::default();
    let s = Scenario { io_wait_ms: 20.0, cores: 64.0, concurrency: 400, pool: Some(16), ..Scenario::default() };
    let (g, q) = (Scenario { calls: gets(4, true), ..s }, Scenario { calls: gets(4, false), ..s });
    let (bg, bq) = (mva::bounds(Pattern::Executor, &p, &g).pool_cap.unwrap(), mva::bounds(Pattern::Executor, &p, &q).pool_cap.unwrap());
    assert!(close(bg, bq, 1e-12), "pool bound gathered {bg}, in series {bq}");
    let (cg, lg) = open::capacity(Pattern::Executor, &p, &g);
    assert_eq!(lg, open::Limit::Pool);
    assert!(cg <= bg * 1.000_001 && cg > 0.9 * bg, "open capacity {cg}, bound {bg}");
    let x = mva::solve(Pattern::Executor, &p, &g, &[400])[0].throughput;
    assert!(x <= bg * 1.000_001 && x > 0.95 * bg, "closed throughput {x}, bound {bg}");
    let cfg = perfmodel::predict::sim_config(&g, 5);
    let sim = simulate(Pattern::Executor, &p, &g, &cfg).unwrap();
    assert!(sim.throughput <= bg * 1.02 && sim.throughput > 0.95 * bg, "simulated {}, bound {bg}", sim.throughput);
    assert!(sim.threads <= 1 + 16 + 64, "the pool grew to {} threads", sim.threads);
}

/// Batch reads gathered, as a service reading nine sets at once does: on
/// Tokio every node request of every batch goes out together, so the
/// request waits for the slowest of them all; through the executor each
/// batch holds a pool thread for its own nodes, one after another by the
/// official client's default. The work is that of the same batches in
/// turn. The official client's concurrent batches need its own pool, which
/// a gathered wait does not model: they stay in turn.
#[test]
fn gathered_batch_reads() {
    use perfmodel::batch::{Batch, FanOut};
    let p = Params::default();
    let w = 2_000.0;
    let b = Batch { keys: 200, nodes: 8, found: 1.0, fan_out: FanOut::Series };
    let calls = |gather| Calls { gets: 0, batch: Some(b), batches: 9, gather };
    let s = Scenario { io_wait_ms: w / 1e3, concurrency: 1, pool: Some(16), ..Scenario::default() };
    let (g, q) = (Scenario { calls: calls(true), ..s }, Scenario { calls: calls(false), ..s });
    let h = |n: u32| (1..=n).map(|i| 1.0 / f64::from(i)).sum::<f64>();
    for pattern in [Pattern::Executor, Pattern::Tokio] {
        let (tg, tq) = (totals(&steps(pattern, &p, &g)), totals(&steps(pattern, &p, &q)));
        assert!(close(tg.gil_us() + tg.cpu_us, tq.gil_us() + tq.cpu_us, 1e-12), "{pattern:?}: the same work");
        let want = if pattern == Pattern::Tokio {
            // 9 batches × 8 nodes (200 keys reach all 8), all at once.
            (1.0 - p.io_jitter) * w + p.io_jitter * w * h(72)
        } else {
            // 9 calls at once, each waiting its 8 nodes in turn: the exponential parts taken as the slowest of nine such waits.
            (1.0 - p.io_jitter) * 8.0 * w + p.io_jitter * 8.0 * w * h(9)
        };
        let nodes = perfmodel::batch::expected_nodes(200, 8);
        assert!(close(tg.io_us, want, 0.01), "{pattern:?}: waits {} µs, want {want} ({nodes} nodes a batch)", tg.io_us);
        // In turn the nine batches' waits add up (aerospike-py's each the slowest of its nodes).
        let one = if pattern == Pattern::Tokio { perfmodel::batch::Fan::new(w, 200, 8, FanOut::Parallel, p.io_jitter).mean_us } else { nodes * w };
        assert!(close(tq.io_us, 9.0 * one, 1e-9), "{pattern:?}: in turn {} µs, want {}", tq.io_us, 9.0 * one);
        let mean = mva::solve(pattern, &p, &g, &[1])[0].latency_ms;
        let sim = simulate(pattern, &p, &g, &perfmodel::predict::sim_config(&g, 3)).unwrap();
        assert!(close(sim.latency_ms.mean, mean, 0.06), "{pattern:?}: simulated {} ms, analytic {mean} ms", sim.latency_ms.mean);
    }
    let concurrent = Batch { fan_out: FanOut::Parallel, ..b };
    let c = |gather| Scenario { calls: Calls { batch: Some(concurrent), ..calls(gather) }, ..s };
    assert_eq!(steps(Pattern::Executor, &p, &c(true)), steps(Pattern::Executor, &p, &c(false)));
}
