//! The newest lab report in the book and the tables computed from it: the model against each cell, the bigger pool, the verdicts' lab rows.

use crate::{lab_costs, lab_fit, BookEnv};

/// Replaced by the model's throughput against the newest lab report's grid.
pub(crate) const MODEL_VS_LAB: &str = "{{#model-vs-lab}}";
/// Replaced by the lab's executor (default pool, 64 threads) against aerospike-py, cell by cell.
pub(crate) const POOL_LAB: &str = "{{#pool-lab}}";
/// Replaced by where each pattern wins and loses: the model at stated scenarios, then the lab.
pub(crate) const VERDICTS: &str = "{{#verdicts}}";

/// The newest lab report with a grid: the run, its grid, the lab machine's
/// cores, and the stub's own round trip (what a one-caller sync get takes with
/// no injected wait, minus the official client's costs in the model), ms.
#[derive(Debug)]
pub struct Lab {
    pub run: reports::Run,
    pub grid: reports::model::IoWaitGrid,
    /// CPUs the client process had: the pinned ones in a clean lab run, else the machine's.
    pub cores: u32,
    /// CPUs of the machine (`os.cpu_count()`), which size Python's default pool.
    pub node_cpus: u32,
    pub rtt_ms: f64,
}

impl Lab {
    /// The run the model is calibrated from ([`perfmodel::calibrate::CALIBRATION_RUN`]),
    /// or, in a book without it, the newest report of `bundle` with a grid.
    pub(crate) fn calibrating(bundle: &reports::Bundle) -> Option<Lab> {
        let (runs, _) = reports::load_bundle(bundle);
        let named = runs.iter().find(|r| r.file == perfmodel::calibrate::CALIBRATION_RUN).and_then(Lab::of);
        named.or_else(|| runs.iter().find_map(Lab::of))
    }

    /// The newest run with a grid, when it is not the calibrating one: a
    /// quiet re-run on another machine, checked against the model scaled to
    /// that machine's speed.
    pub(crate) fn newer(bundle: &reports::Bundle) -> Option<Lab> {
        let (runs, _) = reports::load_bundle(bundle);
        runs.iter().find_map(Lab::of).filter(|l| l.run.file != perfmodel::calibrate::CALIBRATION_RUN)
    }

    /// One run with a grid, as the model reads it.
    fn of(run: &reports::Run) -> Option<Lab> {
        use perfmodel::{Params, Scenario};
        let rep = run.report.as_ref().ok()?;
        let grid = rep.io_wait_grid.get()?;
        let e = rep.environment.get();
        let node_cpus = e.and_then(|e| e.cpu_count()).unwrap_or(Scenario::default().core_servers());
        let cores = e.and_then(|e| e.client_cpus()).unwrap_or(node_cpus);
        let p = Params::default();
        let sync0 = grid.data.iter().find(|c| c.pattern == "official_sync" && c.io_wait_ms == 0.0 && c.concurrency == 1).and_then(|c| c.ops_per_sec);
        let rtt_ms = sync0
            .map(|x| perfmodel::calibrate::stub_rtt_us(x, p.official_gil_us, p.official_nogil_us) / 1e3)
            .unwrap_or(perfmodel::scenario::LOCALHOST_RTT_MS);
        let mut lab = Lab { run: run.clone(), grid: grid.clone(), cores, node_cpus, rtt_ms };
        // A clean report's own measurements give the round trip exactly as calibration does.
        if let Some(m) = lab_costs::lab_costs(&lab) {
            lab.rtt_ms = perfmodel::calibrate::client_costs(&m, &p).stub_rtt_us / 1e3;
        }
        Some(lab)
    }

    /// The executor's and aerospike-py's measured cells, as the pool figure carries them.
    pub fn points(&self) -> charts::pools::LabPoints {
        let default_pool = perfmodel::scenario::default_pool(self.node_cpus);
        let cells = self
            .grid
            .data
            .iter()
            .filter_map(|c| {
                let pool = match c.pattern.as_str() {
                    "official_executor" => Some(default_pool),
                    "official_executor_64" => Some(64),
                    "aerospike_py_async" => None,
                    _ => return None,
                };
                Some(charts::pools::LabCell {
                    injected_ms: c.io_wait_ms,
                    io_wait_ms: c.io_wait_ms + self.rtt_ms,
                    concurrency: c.concurrency.clamp(1, 100_000) as u32,
                    pool,
                    ops_per_sec: c.ops_per_sec.filter(|x| *x > 0.0)?,
                    p99_ms: c.p99_ms,
                })
            })
            .collect();
        charts::pools::LabPoints { report: self.run.date.clone(), cores: self.cores, node_cpus: self.node_cpus, cells }
    }
}

/// Where each pattern wins and loses: the model's verdict table
/// ([`charts::verdicts`]) and the lab's measurements at five cells of its grid.
pub(crate) fn verdicts(env: &BookEnv) -> String {
    use charts::format::{count, number};
    let model = match charts::verdicts::rows(&perfmodel::Params::default()) {
        Ok(rows) => charts::verdicts::markdown(&rows),
        Err(e) => format!("\n\n*The model refused a stated scenario: {e}*\n\n"),
    };
    let Some(lab) = env.lab() else {
        return model;
    };
    let find = |pattern: &str, io: f64, n: u64| {
        lab.grid.data.iter().find(|c| c.pattern == pattern && c.io_wait_ms == io && c.concurrency == n).and_then(|c| c.ops_per_sec)
    };
    let mut rows = String::new();
    for (io, n) in [(0.0, 1), (0.0, 64), (1.0, 64), (5.0, 256), (20.0, 1_024)] {
        let (sync, small, big, tk) =
            (find("official_sync", io, n), find("official_executor", io, n), find("official_executor_64", io, n), find("aerospike_py_async", io, n));
        let Some(tk) = tk else { continue };
        let cell = |x: Option<f64>| x.map(|v| format!("{}/s", number(v))).unwrap_or_else(|| "not measured".into());
        let best = [("the blocking call", sync), ("the default pool", small), ("64 threads", big)]
            .into_iter()
            .filter_map(|(who, x)| x.map(|v| (who, v)))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        let ahead = match best {
            Some((who, v)) if v >= 1.05 * tk => format!("the official client ({who}), {}× aerospike-py", number(v / tk)),
            Some((who, v)) if v > tk / 1.05 => {
                format!("even: the official client ({who}) within 5%")
            }
            Some((who, v)) => format!("aerospike-py, {}× the official client's best ({who})", number(tk / v)),
            None => String::new(),
        };
        rows.push_str(&format!(
            "| {io} ms, {} | {} | {} | {} | {}/s | {ahead} |\n",
            if n == 1 { "one caller".to_string() } else { format!("{} callers", count(n as u32)) },
            cell(sync),
            cell(small),
            cell(big),
            number(tk)
        ));
    }
    format!(
        "{model}Measured by this project's lab (report {}, the client on {} of the machine's {} CPUs and the stub server on another; \
         requests per second, injected wait plus the stub's own round trip):\n\n\
         | Injected wait, callers | Official, blocking | Official, default pool ({}) | Official, 64 threads | aerospike-py async | Ahead |\n\
         |---|---:|---:|---:|---:|---|\n{rows}\n",
        lab.run.date,
        lab.cores,
        lab.node_cpus,
        perfmodel::scenario::default_pool(lab.node_cpus)
    )
}

/// The lab's measurements of the bigger-pool question: in every cell where the
/// executor ran with 64 threads and aerospike-py's async client ran too, their
/// requests/s side by side, with the default pool's, and the count of cells
/// where 64 threads matched (within 5%) or beat aerospike-py.
pub fn pool_lab(env: &BookEnv) -> String {
    use charts::format::{count, number};
    let Some(lab) = env.lab() else {
        return "\n\n*No lab report yet: `cargo xtask lab` measures the grid; this table is then computed from it.*\n\n".into();
    };
    let find = |pattern: &str, io: f64, n: u64| lab.grid.data.iter().find(|c| c.pattern == pattern && c.io_wait_ms == io && c.concurrency == n);
    let default_pool = perfmodel::scenario::default_pool(lab.node_cpus);
    let (mut rows, mut cells, mut matched, mut default_matched, mut default_cells) = (String::new(), 0u32, 0u32, 0u32, 0u32);
    let mut rss: Vec<f64> = Vec::new();
    for c in lab.grid.data.iter().filter(|c| c.pattern == "official_executor_64") {
        let (Some(big), Some(tk)) = (c.ops_per_sec, find("aerospike_py_async", c.io_wait_ms, c.concurrency).and_then(|t| t.ops_per_sec)) else {
            continue;
        };
        let small = find("official_executor", c.io_wait_ms, c.concurrency);
        let within = |x: f64| x >= (1.0 - charts::pools::CATCH_UP) * tk;
        cells += 1;
        matched += within(big) as u32;
        default_matched += small.and_then(|s| s.ops_per_sec).is_some_and(within) as u32;
        default_cells += small.and_then(|s| s.ops_per_sec).is_some() as u32;
        if let (Some(a), Some(b)) = (c.rss_mib, small.and_then(|s| s.rss_mib)) {
            rss.push(a - b);
        }
        rows.push_str(&format!(
            "| {} | {} | {} | {} | {} | {}× |\n",
            c.io_wait_ms,
            count(c.concurrency as u32),
            small.and_then(|s| s.ops_per_sec).map(number).unwrap_or_else(|| "not measured".into()),
            number(big),
            number(tk),
            number(big / tk)
        ));
    }
    rss.sort_by(f64::total_cmp);
    let rss = rss
        .get(rss.len() / 2)
        .map(|v| {
            format!(
                " The 64-thread process's resident set was a median {} MiB above the default pool's in the same cells (each run \
                 is a fresh process; the model's figures are in the table under the figure).",
                number(*v)
            )
        })
        .unwrap_or_default();
    format!(
        "\n\nIn the lab report of {date}, over {cells} cells measured both ways, the executor with 64 threads completed \
         at least 95% of aerospike-py's async requests per second (or more) in **{matched}**; with Python's default pool \
         ({default_pool} threads, from the lab machine's {cores} CPUs) it did in {default_matched} of the {default_cells} where that pool \
         was measured.{rss}\n\n\
         <details><summary>Every cell</summary>\n\n\
         | Injected wait (ms) | Callers | Executor, {default_pool} threads (req/s) | Executor, 64 threads (req/s) | aerospike-py async (req/s) | 64 threads ÷ aerospike-py |\n\
         |---:|---:|---:|---:|---:|---:|\n{rows}\n</details>\n\n",
        date = lab.run.date,
        cores = lab.node_cpus,
    )
}

/// The model against the measurement lab: for every measured cell of the
/// newest report in the book's `reports/` folder that the model has a
/// pattern for, the measured and the predicted (analytic) throughput, and
/// the error. The scenario is the cell's: its injected wait plus the stub's
/// round trip (derived from the report), its callers, the machine's cores.
pub(crate) fn model_vs_lab(env: &BookEnv) -> String {
    use charts::format::number;
    let Some(lab) = env.lab() else {
        return "\n\n*No lab report yet: `cargo xtask lab` measures the grid and files it in `book/reports/`; \
                this table is then computed from it.*\n\n"
            .into();
    };
    let cells = lab_fit::fit(lab, &perfmodel::Params::default(), true);
    let pct = |v: Option<f64>| v.filter(|v| v.is_finite()).map(|v| format!("{:+.0}%", v * 100.0)).unwrap_or_else(|| "–".into());
    let abs_pct = |v: f64| {
        if v.is_finite() {
            format!("{:.0}%", v * 100.0)
        } else {
            "–".into()
        }
    };
    let ms = |v: Option<f64>| v.map(number).unwrap_or_else(|| "–".into());
    let mut rows = String::new();
    for c in &cells {
        rows.push_str(&format!(
            "| {} | {} | {} | {} | {} | {:+.0}% | {} | {} | {} | {} | {} | {} |\n",
            c.label,
            c.io_wait_ms,
            c.concurrency,
            c.measured_ops.round(),
            c.model_ops.round(),
            c.throughput_err() * 100.0,
            pct(c.mean_err()),
            ms(c.measured_p99_ms),
            ms(c.model_p99_ms),
            c.measured_rss_mib.map(number).unwrap_or_else(|| "–".into()),
            number(c.model_rss_mib),
            c.measured_threads.map(|t| format!("{t} / {}", c.model_threads)).unwrap_or_else(|| "–".into()),
        ));
    }
    let mut summary = String::new();
    let mut misses = String::new();
    let fits = lab_fit::summary(&cells);
    for f in &fits {
        summary.push_str(&format!(
            "| {} | {} | {} | {} ({}) | {} | {} of {} | {} | {} |\n",
            f.label,
            f.cells,
            abs_pct(f.median_err),
            abs_pct(f.worst_err),
            f.worst_cell,
            abs_pct(f.median_mean_err),
            f.p99_within,
            f.p99_cells,
            abs_pct(f.median_rss_err),
            abs_pct(f.median_threads_err),
        ));
        let m = f.misses();
        if !m.is_empty() {
            misses.push_str(&format!("- **{}** misses: {}.\n", f.label, m.join("; ")));
        }
    }
    if misses.is_empty() {
        misses = "Every pattern meets every target.\n".into();
    }
    let all = {
        let mut v: Vec<f64> = cells.iter().map(|c| c.throughput_err().abs()).collect();
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    };
    format!(
        "\n\nAgainst the lab report of {} (`{}`), over {} cells the model's median throughput error is {:.0}%. \
         Each cell is modelled as the lab ran it: the client process on {} CPU{} of a {}-CPU machine (Python's default pool \
         follows the machine's count), an I/O wait of the wait the stub applied plus the stub's own round trip, {} µs \
         (the one-caller blocking get with no injected wait, minus the official client's costs in the model). \
         The p99 comes from one short simulation per cell. {}\n\n\
         | Pattern | Cells | Median \\|throughput error\\| | Largest (cell) | Median \\|mean latency error\\| | p99 within ×{} | Median \\|resident memory error\\| | Median \\|thread count error\\| |\n\
         |---|---:|---:|---|---:|---:|---:|---:|\n{summary}\n\
         Targets: throughput median ≤ {:.0}% and worst ≤ {:.0}% for every pattern, p99 within ×{} in at least {:.0}% of cells, \
         resident memory within {:.0}%.\n\n{misses}\n\
         <details><summary>Every cell</summary>\n\n\
         | Pattern | Injected wait (ms) | Callers | Measured (req/s) | Model (req/s) | Throughput error | Mean latency error | p99 measured (ms) | p99 model (ms) | RSS measured (MiB) | RSS model (MiB) | Threads measured / model |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n{rows}\n</details>\n\n",
        lab.run.date,
        lab.run.file,
        cells.len(),
        all * 100.0,
        lab.cores,
        if lab.cores == 1 { "" } else { "s" },
        lab.node_cpus,
        number(lab.rtt_ms * 1e3),
        quiet_sentence(lab.grid.data.iter().map(|c| (c.foreign_cpu_share, c.noisy_runs.len(), c.load_avg.or(c.load_avg_max))), lab.node_cpus),
        lab_fit::P99_FACTOR,
        lab_fit::THROUGHPUT_MEDIAN * 100.0,
        lab_fit::THROUGHPUT_WORST * 100.0,
        lab_fit::P99_FACTOR,
        lab_fit::P99_SHARE * 100.0,
        lab_fit::RSS_MEDIAN * 100.0,
    )
}

/// How quiet the machine was while a report's cells ran, from each cell's
/// foreign CPU share, its runs set aside as crowded and its load average: a
/// report from before the lab measured the share says so.
pub(crate) fn quiet_sentence(cells: impl Iterator<Item = (Option<f64>, usize, Option<f64>)>, cpus: u32) -> String {
    let (mut most, mut unmetered, mut set_aside, mut n) = (0.0f64, 0, 0, 0);
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for (share, noisy, load) in cells {
        n += 1;
        match share {
            Some(f) => most = most.max(f),
            None => unmetered += 1,
        }
        set_aside += noisy;
        if let Some(l) = load {
            lo = lo.min(l);
            hi = hi.max(l);
        }
    }
    let loads = if lo <= hi { format!(" at load averages from {lo:.2} to {hi:.2}") } else { String::new() };
    if n == 0 {
        String::new()
    } else if unmetered == n {
        format!(
            "These cells ran{loads} on a {cpus}-CPU machine, before the lab measured how much of the CPU other processes took; \
             the load average counts the lab's own runnable threads as well, so it cannot say."
        )
    } else if unmetered > 0 {
        format!("{unmetered} of {n} cells did not record how much of the CPU other processes took{loads}.")
    } else {
        let aside = match set_aside {
            0 => "no run had to be measured again".to_string(),
            1 => "1 run was set aside as crowded and measured again".to_string(),
            k => format!("{k} runs were set aside as crowded and measured again"),
        };
        format!(
            "Every cell ran on a quiet machine: other processes took at most {:.1}% of its CPU during any kept run \
             (the lab's limit is {:.0}%; {aside}){loads}.",
            most * 100.0,
            reports::QUIET_LIMIT * 100.0
        )
    }
}
