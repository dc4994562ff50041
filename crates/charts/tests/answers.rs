//! The sentence each figure opens with: it names the side its own numbers put ahead, quotes those numbers, and calls nothing inside 5% (or, for batches, inside the model's resolution).

use charts::answer::{Ahead, EVEN, EXECUTOR, TOKIO};
use charts::format::number;
use charts::memory::{memory_data, MemoryView};
use perfmodel::{Params, Pattern, Scenario};

/// The scenarios the pages start from and the ones their presets reach: the
/// benchmark's localhost, same zone at a few hundred callers, cross region at thousands, and one CPU-bound thread.
fn scenarios() -> Vec<Scenario> {
    let d = Scenario::default();
    vec![
        d,
        Scenario { io_wait_ms: 0.5, concurrency: 300, ..d },
        Scenario { io_wait_ms: 87.0, concurrency: 5_000, ..d },
        Scenario { background_threads: 1, ..d },
        Scenario { io_wait_ms: 2.0, concurrency: 64, pool: Some(64), ..d },
    ]
}

/// "… {leader} is ahead …" for `a`, or "neither is ahead".
fn names_side(answer: &str, a: Ahead) {
    match a {
        Ahead::Tokio(_) => assert!(answer.contains(&format!("{TOKIO} is ahead")), "{answer}"),
        Ahead::Executor(_) => assert!(answer.contains(&format!("{EXECUTOR} is ahead")), "{answer}"),
        Ahead::Even => assert!(answer.contains("neither is ahead"), "{answer}"),
    }
    assert_eq!(answer.matches(" is ahead").count(), 1, "one side named, once: {answer}");
}

#[test]
fn ahead_calls_a_side_only_beyond_five_percent() {
    assert_eq!(Ahead::of(2.0, 1.0, true), Ahead::Tokio(2.0));
    assert_eq!(Ahead::of(1.0, 2.0, true), Ahead::Executor(2.0));
    assert_eq!(Ahead::of(1.0, 2.0, false), Ahead::Tokio(2.0), "less latency is ahead");
    assert_eq!(Ahead::of(1.04, 1.0, true), Ahead::Even);
    assert_eq!(Ahead::of(1.0, 1.04, false), Ahead::Even);
    assert_eq!(Ahead::of(EVEN, 1.0, true), Ahead::Tokio(EVEN));
    assert_eq!(Ahead::of(f64::NAN, 1.0, true), Ahead::Even, "nothing to compare, no side");
    assert_eq!(Ahead::of_ratio(0.5), Ahead::Executor(2.0));
}

#[test]
fn the_throughput_answer_is_the_figures_numbers() {
    let p = Params::default();
    for s in scenarios() {
        let d = charts::throughput::throughput_data(&p, &s).unwrap();
        let (ex, tk) = (d.get(Pattern::Executor).at_n, d.get(Pattern::Tokio).at_n);
        let a = d.answer();
        names_side(&a, Ahead::of(tk, ex, true));
        assert!(a.contains(&number(ex)) && a.contains(&number(tk)), "{a}");
    }
    // The benchmark's point: the executor ahead, both held by the cores.
    let a = charts::throughput::throughput_data(&p, &Scenario::default()).unwrap().answer();
    assert!(a.contains(&format!("{EXECUTOR} is ahead")) && a.ends_with("2 cores limit both."), "{a}");
    // Cross region with thousands of callers: the default pool holds the executor.
    let a = charts::throughput::throughput_data(&p, &scenarios()[2]).unwrap().answer();
    assert!(a.contains(&format!("{TOKIO} is ahead")) && a.contains("held by its pool of 6 threads"), "{a}");
}

#[test]
fn the_latency_answer_compares_the_drawn_means() {
    let p = Params::default();
    for s in scenarios() {
        let d = charts::latency::latency_data(&p, &s).unwrap();
        let mean = |q| d.mean.iter().find(|(x, _)| *x == q).unwrap().1.iter().find(|(n, _)| *n == s.concurrency).unwrap().1;
        let (ex, tk) = (mean(Pattern::Executor), mean(Pattern::Tokio));
        let a = d.answer();
        names_side(&a, Ahead::of(tk, ex, false));
        assert!(a.contains(&format!("{} ms", number(ex))) && a.contains(&format!("{} ms", number(tk))), "{a}");
    }
}

#[test]
fn the_memory_answer_names_the_smaller_process_and_the_limit() {
    let p = Params::default();
    for s in scenarios() {
        let d = memory_data(&p, &s, MemoryView::Resident).unwrap();
        let of = |q| d.series.iter().find(|x| x.pattern == q).unwrap();
        let (ex, tk) = (of(Pattern::Executor), of(Pattern::Tokio));
        let a = d.answer();
        names_side(&a, Ahead::of(tk.resident_at_n, ex.resident_at_n, false));
        assert!(a.contains(&number(ex.resident_at_n)) && a.contains(&number(tk.resident_at_n)), "{a}");
        let limit = format!("{} MiB limit", number(d.pod_limit_mib));
        assert!(a.contains(&limit), "{a}");
        if let Some(n) = ex.exceeds_at.or(tk.exceeds_at) {
            assert!(a.contains(&format!("from {} callers", charts::format::count(n))), "{a}");
        }
    }
}

#[test]
fn the_pool_answer_is_the_catch_up_pool() {
    let p = Params::default();
    for s in scenarios() {
        let d = charts::stages::complete::<charts::pools::PoolsData>(&p, &s).unwrap();
        let a = d.answer();
        match d.catch_up() {
            Some(c) if c <= d.pool => {
                assert!(a.contains("already keeps up") && a.contains(&format!("from {} threads", charts::format::count(c))), "{a}")
            }
            Some(c) => assert!(a.contains(&format!("a pool of {} threads brings", charts::format::count(c))), "{a}"),
            None => assert!(a.contains("no pool up to"), "{a}"),
        }
    }
}

#[test]
fn the_maps_answer_is_the_readers_cell_and_the_summarys_range() {
    let p = Params::default();
    for s in scenarios() {
        let d = charts::conditions::throughput_cells(&p, &s).unwrap();
        let (c, r) = charts::conditions::nearest(s.io_wait_ms, s.concurrency);
        let cell = d.cell(c, r).unwrap();
        let a = d.answer();
        match Ahead::of_ratio(cell.advantage) {
            Ahead::Even => assert!(a.contains("neither is ahead"), "{a}"),
            side => assert!(a.contains(&format!("{} is ahead: {}", side.names().0, side.by())), "{a}"),
        }
        // It names the pool it measures against, as the summary does.
        let pool = if s.pool.is_none() {
            format!("Python's default pool of {} threads", s.pool_size())
        } else {
            format!("a pool of {} threads", s.pool_size())
        };
        assert!(a.contains(&pool), "{a}");
    }
    // From the benchmark's start, the production region is all Tokio's, over the same range the summary quotes.
    let d = charts::conditions::throughput_cells(&p, &Scenario::default()).unwrap();
    let (a, summary) = (d.answer(), d.summary());
    let range = a.split("Tokio is ahead, ").nth(1).expect(&a).trim_end_matches('.');
    assert!(summary.contains(&format!("{range} over the shaded production region")), "{a} / {summary}");
}

#[test]
fn the_open_load_answer_compares_the_p99s_it_draws() {
    let p = Params::default();
    for (s, rate) in [
        (Scenario { io_wait_ms: 1.0, ..Scenario::default() }, 2_000.0),
        (Scenario { io_wait_ms: 1.0, ..Scenario::default() }, 50_000.0),
        (Scenario::default(), 30_000.0),
    ] {
        let d = charts::open_load::open_data(&p, &s, rate, 1_000.0).unwrap();
        let line = |q| d.lines.iter().find(|l| l.pattern == q).unwrap();
        let (ex, tk) = (line(Pattern::Executor), line(Pattern::Tokio));
        let a = d.answer();
        match (ex.at_rate.latency_ms, tk.at_rate.latency_ms) {
            (Some(e), Some(t)) => {
                names_side(&a, Ahead::of(t.p99, e.p99, false));
                assert!(a.contains(&number(e.p99)) && a.contains(&number(t.p99)), "{a}");
            }
            (Some(_), None) => assert!(a.contains("only the executor (official client) keeps up"), "{a}"),
            (None, Some(_)) => assert!(a.contains("only Tokio (aerospike-py) keeps up"), "{a}"),
            (None, None) => assert!(a.contains("neither async pattern keeps up"), "{a}"),
        }
    }
}

#[test]
fn the_batch_answer_calls_a_side_only_beyond_the_resolution() {
    use perfmodel::batch::{Batch, Calls};
    let p = Params::default();
    let s = Scenario {
        io_wait_ms: 1.0,
        concurrency: 16,
        calls: Calls { gets: 0, batch: Some(Batch { keys: 50, nodes: 4, ..Batch::START }), batches: 1, gather: false },
        ..Scenario::default()
    };
    let mut d = charts::batch::batch_data(&p, &s).unwrap();
    let a = d.answer();
    let (tk, ex) = (a.contains(&format!("{TOKIO} is ahead")), a.contains(&format!("{EXECUTOR} is ahead")));
    assert!(tk != ex && a.contains("the executor with its default policy"), "{a}");
    // A resolution wider than any ratio on the figure: no side is called.
    d.resolution = 1e6;
    assert!(d.answer().contains("closer than the model tells apart"), "{}", d.answer());
}

/// The GIL timeline's answer compares GIL time per request from its own
/// simulation; the burst's, when the last request of the burst completes.
/// At the benchmark's start a get holds the GIL longer through Tokio (the
/// GIL page says so) and the executor finishes the localhost burst first
/// (the concurrency page says so); cross zone, Tokio finishes first.
#[test]
fn gil_and_burst_answers_follow_their_simulations() {
    use charts::burst::burst_data;
    use charts::gil::gil_timeline_data;
    let p = Params::default();
    for s in scenarios() {
        let g = gil_timeline_data(&p, &s).unwrap();
        let (ex, tk) = (g.get(Pattern::Executor).unwrap(), g.get(Pattern::Tokio).unwrap());
        let a = Ahead::of(tk.hold_per_request_us(), ex.hold_per_request_us(), false);
        let text = g.answer();
        names_side(&text, a);
        assert!(text.contains(&number(tk.hold_per_request_us())) && text.contains(&number(ex.hold_per_request_us())), "{text}");
        let b = burst_data(&p, &s, 100).unwrap();
        let a = Ahead::of(b.get(Pattern::Tokio).finish_ms, b.get(Pattern::Executor).finish_ms, false);
        let text = b.answer();
        names_side(&text, a);
        assert!(text.contains(&number(b.get(Pattern::Tokio).finish_ms)), "{text}");
    }
    let d = Scenario::default();
    let g = gil_timeline_data(&p, &d).unwrap();
    assert!(g.answer().contains(&format!("{EXECUTOR} is ahead")), "{}", g.answer());
    assert!(burst_data(&p, &d, 100).unwrap().answer().contains(&format!("{EXECUTOR} is ahead")));
    let cross_zone = Scenario { io_wait_ms: 1.0, ..d };
    assert!(burst_data(&p, &cross_zone, 100).unwrap().answer().contains(&format!("{TOKIO} is ahead")));
}

/// The steps' answer: one request alone, from the path's own totals. The
/// overview says aerospike-py "does not make a single call faster": at
/// every scenario here the executor answers a lone get sooner.
#[test]
fn steps_answer_follows_the_path() {
    let p = Params::default();
    for s in scenarios() {
        let d = charts::steps::steps_data(&p, &s).unwrap();
        let (ex, tk) = (d.get(Pattern::Executor).unwrap(), d.get(Pattern::Tokio).unwrap());
        let a = Ahead::of(tk.totals.total_us(), ex.totals.total_us(), false);
        let text = d.answer();
        names_side(&text, a);
        assert!(matches!(a, Ahead::Executor(_) | Ahead::Even), "{text}");
        assert!(text.starts_with("For one get alone at"), "{text}");
    }
}

/// With a CPU-bound thread, the latency answer is the simulated p99's (the
/// analytic mean misses the executor's queue for the GIL): at the GIL
/// contention page's start Tokio is ahead by the p99 the figure draws, not
/// by the mean's larger factor.
#[test]
fn contention_answer_is_the_simulated_p99s() {
    use charts::latency::LatencyData;
    let p = Params::default();
    let s = Scenario { background_threads: 1, ..Scenario::default() };
    let d = charts::stages::complete::<LatencyData>(&p, &s).unwrap();
    let (ex, tk) = (d.p99_of(Pattern::Executor, 50).unwrap(), d.p99_of(Pattern::Tokio, 50).unwrap());
    let text = d.answer();
    names_side(&text, Ahead::of(tk, ex, false));
    assert!(text.contains(&format!("{TOKIO} is ahead")) && text.contains("simulated p99"), "{text}");
    assert!(text.contains(&number(ex)) && text.contains(&number(tk)), "{text}");
    // Without the thread, the answer is the mean's, as before.
    let plain = charts::stages::complete::<LatencyData>(&p, &Scenario::default()).unwrap();
    assert!(plain.answer().contains("on average"), "{}", plain.answer());
}
