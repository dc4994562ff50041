//! `{{#machine-profiles}}`: the machine profiles a reader can pick, and the published runs' fit behind the second.

use charts::format::{count, number};
use perfmodel::calibrate::SpeedFit;
use perfmodel::machine::{Machine, PROFILES};
use perfmodel::{Params, Pattern, Scenario};
use reports::model::{Client, PairRow, Stats};
use reports::{Report, Run};

use crate::BookEnv;

pub const TOKEN: &str = "{{#machine-profiles}}";

/// A published run on another machine, and its one-caller latencies (µs) per pattern.
pub struct Published {
    pub run: Run,
    pub platform: String,
    pub python: String,
    pub one_caller: Vec<(Pattern, f64)>,
}

fn report(run: &Run) -> Option<&Report> {
    run.report.as_ref().ok()
}

/// The per-request mean latency of a stats block, µs.
fn mean_us(s: &Stats) -> Option<f64> {
    s.per_op.and_then(|p| p.avg_ms).or(s.avg_ms).map(|ms| ms * 1e3)
}

/// The newest run in `book/reports/` that is not this project's lab and has
/// the sections the fit reads: the official client's blocking get, and both
/// asyncio clients at one caller in `high_concurrency_scaling`.
pub fn published(env: &BookEnv) -> Option<Published> {
    let bundle = reports::read_dir(&env.src_dir.join("reports")).ok()?;
    let (runs, _) = reports::load_bundle(&bundle);
    runs.into_iter().find_map(|run| {
        let rep = report(&run)?;
        if rep.io_wait_grid.get().is_some() {
            return None;
        }
        let e = rep.environment.get()?;
        let sync = rep.clients.iter().find(|(c, _)| *c == Client::OfficialSync)?.1.get()?.0.get("get").and_then(mean_us)?;
        let row = rep.high_concurrency_scaling.get()?.data.iter().find(|r| r.concurrency == Some(1))?.clone();
        let one = |r: &PairRow, f: fn(&PairRow) -> Option<&Stats>| f(r).and_then(mean_us);
        let executor = one(&row, |r| r.official.as_ref())?;
        let tokio = one(&row, |r| r.aerospike_py.as_ref())?;
        Some(Published {
            platform: e.platform.clone().unwrap_or_else(|| "an unnamed platform".into()),
            python: e.python_version.clone().unwrap_or_else(|| "?".into()),
            one_caller: vec![(Pattern::Sync, sync), (Pattern::Executor, executor), (Pattern::Tokio, tokio)],
            run,
        })
    })
}

/// The fit over the published run's one-caller latencies, with the lab's costs.
pub fn fit(p: &Published) -> Option<SpeedFit> {
    perfmodel::calibrate::speed_fit(&p.one_caller, &Params::default())
}

/// Each asyncio client's highest throughput in the run's scaling section, and its callers.
fn peaks(rep: &Report) -> Vec<(Pattern, f64, u64)> {
    let Some(s) = rep.high_concurrency_scaling.get() else { return Vec::new() };
    let best = |f: fn(&PairRow) -> Option<&Stats>| {
        s.data.iter().filter_map(|r| Some((f(r)?.ops_per_sec?, r.concurrency?))).max_by(|a, b| a.0.total_cmp(&b.0))
    };
    let mut out = Vec::new();
    if let Some((x, n)) = best(|r| r.official.as_ref()) {
        out.push((Pattern::Executor, x, n));
    }
    if let Some((x, n)) = best(|r| r.aerospike_py.as_ref()) {
        out.push((Pattern::Tokio, x, n));
    }
    out
}

fn label(p: Pattern) -> &'static str {
    match p {
        Pattern::Sync | Pattern::SyncThreads => "Official, blocking",
        Pattern::Executor => "Official, run_in_executor",
        Pattern::Tokio => "aerospike-py async",
    }
}

pub fn table(env: &BookEnv) -> String {
    let mut out = String::from("\n\n| Profile | Link | CPU time for the lab's 1 µs | Where it comes from |\n|---|---|---:|---|\n");
    for pr in PROFILES {
        let default = if pr.machine == Machine::default() { " (the default)" } else { "" };
        out.push_str(&format!("| {}{default} | `machine={}` | {:.3} | {} |\n", pr.label, pr.key, pr.speed, pr.provenance));
    }
    let Some(pb) = published(env) else {
        out.push_str("\n*No published run with one-caller latencies in `book/reports/`: the fitted profile cannot be checked here.*\n\n");
        return out;
    };
    let Some(f) = fit(&pb) else {
        out.push_str(&format!("\n*The run of {} does not give a physical fit (a positive speed and round trip).*\n\n", pb.run.date));
        return out;
    };
    out.push_str(&format!(
        "\n\nThe fit, over the published run of {date} ({platform}, Python {python}): a get with one caller queues for nothing, so its \
         latency is its path; the three patterns talk to the same server, so they share one round trip. Least squares of \
         latency = round trip + speed × the lab's path gives a speed of **{speed}** and a round trip of **{rtt} µs** \
         (this project's stub answers in {stub} µs on loopback; theirs was a real server on the same machine).\n\n\
         | Pattern | Measured there (µs) | The lab's path (µs) | Fit (µs) | Error |\n|---|---:|---:|---:|---:|\n",
        date = pb.run.date,
        platform = pb.platform,
        python = pb.python,
        speed = format!("{:.3}", f.speed),
        rtt = number(f.rtt_us),
        stub = number(crate::newest_lab(env).map(|l| l.rtt_ms * 1e3).unwrap_or(perfmodel::scenario::LOCALHOST_RTT_MS * 1e3)),
    ));
    for r in &f.rows {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {:+.1}% |\n",
            label(r.pattern),
            number(r.measured_us),
            number(r.lab_path_us),
            number(r.fitted_us),
            (r.fitted_us / r.measured_us - 1.0) * 100.0
        ));
    }
    // What the peaks say, on the profile: the CPU of a get there, and the cores that much CPU would fill.
    let darwin = Scenario { machine: Machine::Darwin, io_wait_ms: 0.0, concurrency: 1, ..Scenario::default() };
    let p = Params::default();
    let mut peaks_text = Vec::new();
    let mut under_one_core = true;
    for (pattern, x, n) in report(&pb.run).map(peaks).unwrap_or_default() {
        let t = perfmodel::pattern::totals(&perfmodel::pattern::steps(pattern, &p, &darwin));
        let cpu = t.gil_us() + t.cpu_us;
        under_one_core &= x * cpu / 1e6 < 1.0;
        peaks_text.push(format!(
            "- {} peaked at {}/s with {} callers. On this profile a get costs {} µs of CPU ({} of them holding the GIL): that rate \
             is {} cores' worth of client CPU, and the GIL alone would allow {}/s.",
            label(pattern),
            number(x),
            count(n as u32),
            number(cpu),
            number(t.gil_us()),
            format!("{:.2}", x * cpu / 1e6),
            number(1e6 / t.gil_us()),
        ));
    }
    out.push_str(&format!(
        "\n\nWhat the run does not allow:\n\n\
         - **The split.** It records neither GIL time nor CPU time, so it cannot split a get's cost into GIL-held and GIL-free \
         parts: the profile keeps the lab's split and scales both by one speed.\n\
         - **Its peaks.** It does not record the machine's core count, and its server ran on the same machine, so its peaks \
         are not limits of the client the model could fit{}:\n\n{}\n\n\
         - **Memory and threads.** Those sections do not record them; the profile keeps the lab's.\n\
         - **`latency_sim`** ran at 100 callers against a simulated round trip, inside the same unknown limit.\n\n",
        if under_one_core && !peaks_text.is_empty() {
            ". Each asyncio client's highest throughput needs less than one core of its CPU on this profile, so a limit outside the client (most likely the server sharing the machine) set it"
        } else {
            ""
        },
        peaks_text.iter().map(|t| format!("  {t}")).collect::<Vec<_>>().join("\n")
    ));
    out
}
