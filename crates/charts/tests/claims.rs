//! Sentences on the reader pages that state a result of the model, held to the model: if a change to the model turns one false, this fails and the page must be rewritten.

use charts::latency::p99_point;
use perfmodel::{Params, Pattern, Scenario};
use widget_props::start::CONTENTION_BACKGROUND as CONTENTION_START_BACKGROUND;

fn p99(s: &Scenario, pattern: Pattern) -> f64 {
    p99_point(&Params::default(), s, pattern, 50).unwrap().p99_ms
}

/// limits/gil-contention.md: with a CPU-bound thread in the process, both
/// async patterns' simulated p99 at the benchmark's 50 callers is in
/// milliseconds, the executor's the higher; each of its requests takes the
/// GIL once more than Tokio's; switching the thread off lowers every
/// pattern's p99.
#[test]
fn gil_contention_page() {
    let on = Scenario { background_threads: CONTENTION_START_BACKGROUND, ..Scenario::default() };
    let off = Scenario::default();
    let (tk, ex) = (p99(&on, Pattern::Tokio), p99(&on, Pattern::Executor));
    assert!(ex > tk && tk > 1.0, "Tokio {tk} ms vs executor {ex} ms");
    let (p, s) = (Params::default(), Scenario::default());
    let acq = |pattern| perfmodel::pattern::totals(&perfmodel::pattern::steps(pattern, &p, &s)).gil_acquisitions;
    assert_eq!(acq(Pattern::Executor), acq(Pattern::Tokio) + 1);
    assert_eq!(on.pool_size(), 6, "its six workers");
    for pattern in Pattern::COMPARED {
        assert!(p99(&off, pattern) < p99(&on, pattern), "{pattern:?}");
    }
}

/// limits/conditions.md and comparison/throughput.md: in the benchmark's own
/// cell both async patterns are limited by the cores (their CPU time per
/// request on two cores), not by the GIL nor the pool; from a same-zone
/// round trip on, the executor's pool sets its pace.
#[test]
fn conditions_page() {
    let p = Params::default();
    let bound = |pattern, s: &Scenario| perfmodel::predict(pattern, &p, s, perfmodel::Solver::Analytic, 1).unwrap().bounds.binding().1;
    let s = Scenario::default();
    assert_eq!((bound(Pattern::Executor, &s), bound(Pattern::Tokio, &s)), ("cpu", "cpu"));
    let zone = Scenario { io_wait_ms: 0.25, ..s };
    assert_eq!(bound(Pattern::Executor, &zone), "pool");
}

/// limits/io-concurrency.md: in the same zone at a few hundred callers the
/// default pool binds well below the cores' limit, and a pool of 64 lifts
/// the executor until the cores bind.
#[test]
fn io_concurrency_page() {
    let p = Params::default();
    let at = |pool| {
        let s = Scenario { io_wait_ms: 0.25, concurrency: 256, pool, ..Scenario::default() };
        perfmodel::predict(Pattern::Executor, &p, &s, perfmodel::Solver::Analytic, 1).unwrap()
    };
    let (small, big) = (at(None), at(Some(64)));
    assert_eq!((small.bounds.binding().1, big.bounds.binding().1), ("pool", "cpu"));
    assert!(big.throughput_ops_s > 2.0 * small.throughput_ops_s, "{} then {}", small.throughput_ops_s, big.throughput_ops_s);
}

/// comparison/memory.md: at the same requests in flight, from a few dozen to
/// about twenty thousand, aerospike-py's process is the largest in the model
/// (resident memory); past that a thread per request costs more.
#[test]
fn memory_page() {
    let p = Params::default();
    let rss = |pattern, n| perfmodel::memory::memory(pattern, &p, &Scenario { concurrency: n, ..Scenario::default() }).resident;
    for n in [50, 1_000, 10_000, 20_000] {
        let tk = rss(Pattern::Tokio, n);
        for other in [Pattern::Executor, Pattern::SyncThreads] {
            assert!(tk > rss(other, n), "{n} in flight: Tokio {tk} MiB, {other:?} {} MiB", rss(other, n));
        }
    }
    assert!(rss(Pattern::SyncThreads, 40_000) > rss(Pattern::Tokio, 40_000));
}

/// comparison/requests.md: "where the I/O wait is short, as on localhost, the
/// model has the executor completing more requests per second than Tokio".
#[test]
fn requests_page() {
    let p = Params::default();
    let s = Scenario::default();
    let x = |pattern| perfmodel::predict_curve(pattern, &p, &s, &[s.concurrency]).unwrap()[0].throughput_ops_s;
    assert!(x(Pattern::Executor) > x(Pattern::Tokio));
}

/// comparison/gil.md and the glossary: on the lab's measurements a get holds
/// the GIL longer through aerospike-py (Tokio) than through the official
/// client, whether called directly or through the executor.
#[test]
fn gil_page() {
    use perfmodel::pattern::{steps, totals};
    let (p, s) = (Params::default(), Scenario::default());
    let gil = |pattern| totals(&steps(pattern, &p, &s)).gil_us();
    assert!(gil(Pattern::Sync) < gil(Pattern::Executor) && gil(Pattern::Executor) < gil(Pattern::Tokio));
}

/// comparison/takeaway.md: on localhost at 50 callers both async patterns
/// use nearly all of the two cores (within 20% of what their CPU work per
/// request allows), and the executor, with less CPU per call, is ahead.
#[test]
fn takeaway_page() {
    use perfmodel::pattern::{steps, totals};
    let (p, s) = (Params::default(), Scenario::default());
    let cpu = |pattern| {
        let t = totals(&steps(pattern, &p, &s));
        t.gil_us() + t.cpu_us
    };
    for pattern in [Pattern::Executor, Pattern::Tokio] {
        let x = perfmodel::predict_curve(pattern, &p, &s, &[50]).unwrap()[0].throughput_ops_s;
        let cores = s.cores * 1e6 / cpu(pattern);
        assert!(x > 0.8 * cores && x <= cores * (1.0 + 1e-9), "{pattern:?}: {x} of {cores}");
    }
    assert!(cpu(Pattern::Executor) < cpu(Pattern::Tokio));
}

/// comparison/concurrency.md: at the page's starting scenario (localhost, a
/// burst of 100) the executor finishes the burst first (less GIL work per
/// request, and a wait too short for its pool to matter); from the
/// cross-zone preset (1 ms) on, Tokio does. The executor has a handful of
/// requests in flight at most, Tokio nearly all of them.
#[test]
fn concurrency_page() {
    let finish = |io_wait_ms: f64| {
        let d = charts::burst::burst_data(&Params::default(), &Scenario { io_wait_ms, ..Scenario::default() }, 100).unwrap();
        let of = |pattern| d.patterns.iter().find(|b| b.pattern == pattern).unwrap().clone();
        // "A handful in flight" against Tokio's nearly all.
        assert!(of(Pattern::Executor).peak_in_flight * 4 < of(Pattern::Tokio).peak_in_flight);
        (of(Pattern::Executor).finish_ms, of(Pattern::Tokio).finish_ms)
    };
    let (ex, tk) = finish(Scenario::default().io_wait_ms);
    assert!(ex < tk, "localhost: executor {ex} ms, Tokio {tk} ms");
    for io in [1.0, 20.0] {
        let (ex, tk) = finish(io);
        assert!(tk < ex, "{io} ms: executor {ex} ms, Tokio {tk} ms");
    }
}

/// index.md: aerospike-py "does not make a single call faster": one request
/// alone takes longer through Tokio than through the official client,
/// called directly or through the executor.
#[test]
fn overview_page() {
    use perfmodel::pattern::{steps, totals};
    let (p, s) = (Params::default(), Scenario::default());
    let alone = |pattern| totals(&steps(pattern, &p, &s)).total_us();
    assert!(alone(Pattern::Tokio) > alone(Pattern::Executor) && alone(Pattern::Tokio) > alone(Pattern::Sync));
    let one = |pattern| perfmodel::predict_curve(pattern, &p, &s, &[1]).unwrap()[0].latency_ms.mean;
    assert!(one(Pattern::Tokio) > one(Pattern::Executor) && one(Pattern::Tokio) > one(Pattern::Sync));
}

/// limits/gil-contention.md: the figure's thin mean lines and its p99 dots
/// come from two solvers; with the CPU-bound thread on they must not
/// contradict each other where both are simple (one caller: a request's
/// p99 is no shorter than the mean). The analytic side counts one forced
/// switch per GIL acquisition, and a blocking caller's back-to-back requests
/// share the hold between them, as the simulator's do.
#[test]
fn contention_mean_and_p99_agree_for_one_caller() {
    let p = Params::default();
    let s = Scenario { background_threads: CONTENTION_START_BACKGROUND, concurrency: 1, ..Scenario::default() };
    for pattern in Pattern::COMPARED {
        let mean = perfmodel::predict_curve(pattern, &p, &s, &[1]).unwrap()[0].latency_ms.mean;
        let p99 = p99_point(&p, &s, pattern, 1).unwrap().p99_ms;
        assert!(p99 >= 0.95 * mean && p99 <= 1.5 * mean, "{pattern:?}: mean {mean} ms, p99 {p99} ms");
    }
}

/// comparison/takeaway.md, limits/conclusion.md and the overview's short answer, on the verdict table
/// (simulated throughput and percentiles): one request at a time is answered
/// sooner through the official client, and sooner still by a blocking call; on
/// localhost Python's default pool is ahead of Tokio on throughput and p99; in
/// the same zone Tokio is ahead and a pool of about a dozen catches up; with a
/// CPU-bound thread the executor has about half Tokio's throughput, twice its
/// p99, and no pool catches up; cross zone and cross region, Tokio is ahead of
/// the default pool and a bigger pool comes within 5% of Tokio's throughput.
#[test]
fn verdict_table() {
    use charts::verdicts::rows;
    let rows = rows(&Params::default()).unwrap();
    let get = |k: &str| rows.iter().find(|r| r.case.key == k).unwrap();
    let one = get("one");
    assert!(one.default.p50_ms < one.tokio.p50_ms && one.sync_p50_ms < one.default.p50_ms, "{one:?}");
    let r = get("benchmark");
    assert!(r.default.throughput > r.tokio.throughput && r.default.p99_ms < r.tokio.p99_ms, "{r:?}");
    assert!(r.tuned.is_none(), "no bigger pool needed");
    // The table's note names each solver's numbers at the benchmark, and both solvers name the same side.
    let md = charts::verdicts::markdown(&rows);
    assert!(md.contains("both put the default pool ahead"), "{md}");
    let c = get("cpu-thread");
    assert!(c.tokio.throughput > 1.5 * c.default.throughput && c.tokio.throughput < 3.0 * c.default.throughput, "{c:?}");
    assert!(c.default.p99_ms > 1.5 * c.tokio.p99_ms && c.default.p99_ms < 3.0 * c.tokio.p99_ms, "{c:?}");
    assert!(c.tuned.is_none(), "{c:?}");
    let z = get("same-zone");
    assert!(z.verdict().starts_with("Tokio ahead of the default pool"), "{}", z.verdict());
    assert!((8..=16).contains(&z.catch_up.expect("a pool catches up")), "about a dozen: {z:?}");
    for k in ["cross-zone", "cross-region"] {
        let r = get(k);
        assert!(r.verdict().starts_with("Tokio ahead of the default pool"), "{k}: {}", r.verdict());
        let t = r.tuned.expect("a bigger pool catches up");
        assert!(t.throughput >= 0.95 * r.tokio.throughput && t.pool.unwrap() > 6, "{k}: {t:?}");
    }
}

/// limits/open-closed.md, "Things to try" and "What this means": aerospike-py's
/// open-load capacity does not move with the I/O wait while the executor's falls;
/// at a cross-region round trip Python's default pool (on two cores) keeps up
/// with only a few dozen requests per second; on two cores a pool of 64
/// reaches aerospike-py's capacity at 1 ms and not from 5 ms on, where
/// aerospike-py's is set by the cores; the tail grows well before
/// capacity; past capacity, with a timeout, all three answer almost nobody in time.
#[test]
fn open_closed_page() {
    use charts::open_load::{OpenData, OpenInput, GOODPUT_FRACTIONS};
    use widget_props::start::{OPEN_RATE, OPEN_TIMEOUT_MS};
    let complete =
        |p: &Params, s: &Scenario, rate: f64, timeout_ms: f64| charts::stages::complete::<OpenData>(p, &OpenInput { scenario: *s, rate, timeout_ms });
    use perfmodel::open::capacity;
    let p = Params::default();
    let at = |io: f64| Scenario { io_wait_ms: io, ..Scenario::default() };
    let cap = |pattern, s: &Scenario| capacity(pattern, &p, s).0;
    assert!((cap(Pattern::Tokio, &at(1.0)) - cap(Pattern::Tokio, &at(87.0))).abs() < 1e-6 * cap(Pattern::Tokio, &at(1.0)));
    assert!(cap(Pattern::Executor, &at(87.0)) < 0.05 * cap(Pattern::Executor, &at(1.0)));
    let cross_region = cap(Pattern::Executor, &at(87.0));
    assert!((20.0..100.0).contains(&cross_region), "a few dozen: {cross_region}");
    // A pool of 64 reaches aerospike-py's capacity at 1 ms; from 5 ms on it is the limit again.
    assert!(cap(Pattern::Executor, &Scenario { pool: Some(64), ..at(1.0) }) >= cap(Pattern::Tokio, &at(1.0)));
    for io in [5.0, 20.0] {
        assert!(cap(Pattern::Executor, &Scenario { pool: Some(64), ..at(io) }) < cap(Pattern::Tokio, &at(io)), "{io} ms");
    }
    assert_eq!(capacity(Pattern::Tokio, &p, &at(5.0)).1, perfmodel::open::Limit::Cores);
    let d = complete(&p, &at(1.0), OPEN_RATE, OPEN_TIMEOUT_MS).unwrap();
    let last = GOODPUT_FRACTIONS.len() - 1;
    for l in &d.lines {
        // sims[0] is at 0.25 of capacity, sims[3] at 0.85, sims[4] at 0.95: the blocking
        // client's and the executor's tails depart by 0.85, aerospike-py's (limited by
        // the cores) closer to its capacity.
        let at = if l.pattern == Pattern::Tokio { 4 } else { 3 };
        let (low, high) = (l.sims[0].unwrap().p99_ms, l.sims[at].unwrap().p99_ms);
        assert!(high > 1.3 * low, "{:?}: p99 {low} ms at 0.25× capacity, {high} ms at {}×", l.pattern, charts::open_load::FRACTIONS[at]);
        if l.pattern == Pattern::Tokio {
            assert!(l.sims[3].unwrap().p99_ms < 1.3 * low, "aerospike-py's tail departs later");
        }
        let g = l.goodput[last].unwrap().steady_goodput();
        assert!(g < 0.05 * l.capacity, "{:?}: {g} answered in time at twice capacity", l.pattern);
        // A little past capacity (1.2×) the asyncio patterns still answer a share in time, the
        // blocking one none; at one and a half times almost nobody is answered in time.
        assert_eq!((GOODPUT_FRACTIONS[3], GOODPUT_FRACTIONS[4]), (1.2, 1.5));
        let (little, half) = (l.goodput[3].unwrap().steady_goodput(), l.goodput[4].unwrap().steady_goodput());
        if l.pattern == Pattern::Sync {
            assert_eq!(little, 0.0);
        } else {
            assert!(little > 0.05 * l.capacity, "{:?}: {little} in time at 1.2× capacity", l.pattern);
        }
        assert!(half < 0.1 * l.capacity, "{:?}: {half} in time at 1.5× capacity", l.pattern);
    }
    // "A shorter timeout sheds work sooner but does not bring the answers back": with a tenth of
    // it, a little past capacity, no pattern answers even half its capacity in time.
    let short = complete(&p, &at(1.0), OPEN_RATE, OPEN_TIMEOUT_MS / 10.0).unwrap();
    for k in &short.lines {
        let gs = k.goodput[3].unwrap().steady_goodput();
        assert!(gs < 0.5 * k.capacity, "{:?}: {gs} in time with a tenth of the timeout", k.pattern);
    }
}
