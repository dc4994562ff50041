//! comparison/pool-size.md against the shipped lab report: "the bigger pool closes the gap in almost every cell", and every cell where it falls short is one where 64 threads held for the whole wait cannot carry aerospike-py's measured rate (64 / W below X).

use std::path::Path;

#[test]
fn the_pages_reading_of_the_lab_holds() {
    let env = mdbook_widgets::BookEnv::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book"), String::new());
    let lab = env.lab().expect("the book ships a lab report with a grid");
    let points = lab.points();
    let (mut cells, mut matched) = (0, 0);
    for big in points.cells.iter().filter(|c| c.pool == Some(64)) {
        let Some(tk) = points.cells.iter().find(|c| c.pool.is_none() && c.injected_ms == big.injected_ms && c.concurrency == big.concurrency) else {
            continue;
        };
        cells += 1;
        if big.ops_per_sec >= (1.0 - charts::pools::CATCH_UP) * tk.ops_per_sec {
            matched += 1;
        } else {
            let cap = 64.0 * 1e3 / big.io_wait_ms;
            assert!(
                cap < tk.ops_per_sec,
                "{} ms, {} callers: 64 threads could carry {cap}/s, aerospike-py did {}",
                big.injected_ms,
                big.concurrency,
                tk.ops_per_sec
            );
        }
    }
    assert!(cells >= 30 && matched as f64 >= 0.9 * cells as f64, "{matched} of {cells}");
    // And the page's table says the same count.
    let text = mdbook_widgets::lab::pool_lab(&env);
    assert!(text.contains(&format!("over {cells} cells")) && text.contains(&format!("**{matched}**")), "{text}");
}

/// limits/open-closed.md: "the lab [...] found the pool of 64 keeping up
/// with a rate aerospike-py did not at both waits it measured": at every
/// injected wait, the largest rate 64 threads kept up with is at least the
/// smallest aerospike-py did not.
#[test]
fn the_open_load_lab_has_64_threads_ahead_of_aerospike_py() {
    use perfmodel::Pattern;
    let env = mdbook_widgets::BookEnv::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book"), String::new());
    let (lab, _) = env.open_lab().expect("a shipped open-load report");
    for io in lab.io_waits() {
        let (big_kept, big_lost) = lab.bracket(Pattern::Executor, io, Some(64));
        let (asp_kept, asp_lost) = lab.bracket(Pattern::Tokio, io, None);
        let (bk, bl, ak, al) = (big_kept.unwrap(), big_lost.unwrap(), asp_kept.unwrap(), asp_lost.unwrap());
        assert!(bk >= al, "at {io} ms: 64 threads kept up with {bk} and not {bl}; aerospike-py with {ak} and not {al}");
    }
}

/// limits/open-closed.md: "for aerospike-py and the executor with 64 threads,
/// the lab's p99 is far above the model's at middle rates [...]; for the
/// blocking client and the default pool the model's p99 is closer."
#[test]
fn the_open_load_tails_read_as_the_page_says() {
    let env = mdbook_widgets::BookEnv::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book"), String::new());
    let m: std::collections::HashMap<&str, f64> = mdbook_widgets::open_lab::p99_medians(&env).into_iter().collect();
    let off = |name: &str| (m[name].ln()).abs();
    for far in ["Executor, 64 threads", "aerospike-py async"] {
        assert!(m[far] < 0.5, "{far}: median model ÷ measured p99 {}", m[far]);
        for close in ["Sync", "Executor, 6 threads"] {
            assert!(off(close) < off(far), "{close} ({}) is not closer than {far} ({})", m[close], m[far]);
        }
    }
}

/// service.md: "in the lab, aerospike-py's tail had already grown well before
/// [80% of its capacity]": at some measured wait, its p99 below 80% of the
/// largest rate it kept up with is at least three times its p99 at the lowest rate.
#[test]
fn aerospike_pys_measured_tail_grows_before_eighty_percent() {
    use perfmodel::Pattern;
    let env = mdbook_widgets::BookEnv::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book"), String::new());
    let (lab, _) = env.open_lab().unwrap();
    let grows = lab.io_waits().into_iter().any(|io| {
        let (kept, _) = lab.bracket(Pattern::Tokio, io, None);
        let mut cells: Vec<_> = lab.cells.iter().filter(|c| c.pattern == Pattern::Tokio && c.io_wait_ms == io && c.stable).collect();
        cells.sort_by(|a, b| a.rate.total_cmp(&b.rate));
        let low = cells.first().and_then(|c| c.p99_ms).unwrap();
        cells.iter().filter(|c| c.rate <= 0.8 * kept.unwrap()).filter_map(|c| c.p99_ms).any(|v| v >= 3.0 * low)
    });
    assert!(grows);
}
