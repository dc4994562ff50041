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
        calls: Calls { gets: 0, batch: Some(Batch { keys: 50, nodes: 4, ..Batch::START }) },
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
