//! `{{#machine-profiles}}`: the machine profiles a reader can pick, and the published runs' fit behind the second.

use charts::format::{count, number};
use perfmodel::calibrate::SpeedFit;
use perfmodel::machine::{Machine, PROFILES};
use perfmodel::{Params, Pattern, Scenario};
use reports::model::{Client, PairRow, Stats};
use reports::{Report, Run};

use crate::BookEnv;

pub(crate) const TOKEN: &str = "{{#machine-profiles}}";

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
    let (runs, _) = reports::load_bundle(env.reports());
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

/// Each asyncio client's highest throughput in the run's scaling section,
/// its callers, and whether it is the client's last result there (the rows
/// with more callers have none for it).
fn peaks(rep: &Report) -> Vec<(Pattern, f64, u64, bool)> {
    let Some(s) = rep.high_concurrency_scaling.get() else { return Vec::new() };
    let top = s.data.iter().filter_map(|r| r.concurrency).max();
    let best = |f: fn(&PairRow) -> Option<&Stats>| {
        let rows: Vec<(f64, u64)> = s.data.iter().filter_map(|r| Some((f(r)?.ops_per_sec?, r.concurrency?))).collect();
        let last = rows.iter().map(|r| r.1).max();
        rows.into_iter().max_by(|a, b| a.0.total_cmp(&b.0)).map(|(x, n)| (x, n, Some(n) == last && top > last))
    };
    let mut out = Vec::new();
    if let Some((x, n, last)) = best(|r| r.official.as_ref()) {
        out.push((Pattern::Executor, x, n, last));
    }
    if let Some((x, n, last)) = best(|r| r.aerospike_py.as_ref()) {
        out.push((Pattern::Tokio, x, n, last));
    }
    out
}

fn label(p: Pattern) -> &'static str {
    match p {
        Pattern::Sync | Pattern::SyncThreads => "Official, blocking",
        Pattern::Executor => "Official, run_in_executor",
        Pattern::Threadpool => "Official, plain def endpoint",
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
    let rep = report(&pb.run);
    let env_of = rep.and_then(|r| r.environment.get());
    let gets = match (env_of.and_then(|e| e.count), env_of.and_then(|e| e.rounds)) {
        (Some(c), Some(r)) => format!("{} gets in each of {} rounds", count(c as u32), r),
        _ => "gets (the report does not say how many)".into(),
    };
    // The lab's newest run is read once: its Python and its stub's round trip.
    let lab = env.lab();
    let lab_python =
        lab.as_ref().and_then(|l| l.run.report.as_ref().ok()?.environment.get()?.python_version.clone()).unwrap_or_else(|| "not recorded".into());
    let p = Params::default();
    let lab_one = Scenario { io_wait_ms: 0.0, concurrency: 1, ..Scenario::default() };
    let se = f.speed_se.map(|e| format!(" ± {e:.2} (one standard error: three latencies, two unknowns)")).unwrap_or_default();
    out.push_str(&format!(
        "\n\nThe fit, over the published run of {date} ([`{file}`]({root}reports/{file}); {platform}, Python {python}): the mean \
         latency of each pattern's {gets}, with one caller, for the blocking call (`official_sync.get`) and for both asyncio \
         clients (`high_concurrency_scaling` at concurrency 1, `per_op`). With one caller nothing queues, so the latency is the \
         path; the three patterns talk to the same server, so they share one round trip. Least squares of latency = round \
         trip + speed × the lab's path gives a speed of **{speed:.3}**{se} and a round trip of **{rtt} µs** (this project's stub \
         answers in {stub} µs on loopback; theirs was a real server on the same machine). The lab's path is the model's \
         one-caller get with no wait and the [defaults](#parameters); its wake-ups are the share spent waiting for a thread \
         to be scheduled ([`thread_wake_us`](#param-thread_wake_us)).\n\n\
         | Pattern | Measured there (µs) | The lab's path (µs) | Of it, wake-ups | Fit (µs) | Miss | Miss against the scaled part |\n\
         |---|---:|---:|---:|---:|---:|---:|\n",
        date = pb.run.date,
        file = pb.run.file,
        root = env.to_root,
        platform = pb.platform,
        python = pb.python,
        speed = f.speed,
        rtt = number(f.rtt_us),
        stub = number(lab.as_ref().map(|l| l.rtt_ms * 1e3).unwrap_or(perfmodel::scenario::LOCALHOST_RTT_MS * 1e3)),
    ));
    for r in &f.rows {
        let t = perfmodel::pattern::totals(&perfmodel::pattern::steps(r.pattern, &p, &lab_one));
        out.push_str(&format!(
            "| {} | {:.1} | {:.1} | {:.0}% | {:.1} | {:+.1}% | {:+.0}% |\n",
            label(r.pattern),
            r.measured_us,
            r.lab_path_us,
            t.wake_us / r.lab_path_us * 100.0,
            r.fitted_us,
            (r.fitted_us / r.measured_us - 1.0) * 100.0,
            (r.fitted_us - r.measured_us) / (f.speed * r.lab_path_us) * 100.0,
        ));
    }
    // What the peaks say, on the profile: a get's CPU there, the loop thread's share of it, and the GIL's.
    let darwin = Scenario { machine: Machine::Darwin, ..lab_one };
    let mut peaks_text = Vec::new();
    let mut none_full = true;
    for (pattern, x, n, is_last) in rep.map(peaks).unwrap_or_default() {
        let t = perfmodel::pattern::totals(&perfmodel::pattern::steps(pattern, &p, &darwin));
        let cpu = t.gil_us() + t.cpu_us;
        none_full &= x * cpu / 1e6 < 1.0 && x * t.gil_us() / 1e6 < 1.0;
        let last = if is_last { " (its last result: the rows with more callers have none for it)" } else { "" };
        peaks_text.push(format!(
            "  - {} reached {}/s at {} callers{last}. On this profile a get costs {} µs of CPU, {} of them on the event loop and {} \
             holding the GIL: that rate is {:.2} cores' worth of client CPU, {:.2} of the loop thread, and {:.0}% of what the GIL \
             alone would allow ({}/s).",
            label(pattern),
            number(x),
            count(n as u32),
            number(cpu),
            number(t.gil_loop_us),
            number(t.gil_us()),
            x * cpu / 1e6,
            x * t.gil_loop_us / 1e6,
            x * t.gil_us() / 1e4,
            charts::format::si(1e6 / t.gil_us()),
        ));
    }
    out.push_str(&format!(
        "\n\nWhat the speed is, and what the run does not allow:\n\n\
         - **One factor for the whole path.** A profile scales every cost in µs, the thread wake-ups included, and the \
         wake-ups are most of the asyncio paths (above). The factor therefore also carries that machine's scheduler \
         (macOS, against a Linux virtual machine here), its Python ({python} against {lab_python} here) and its client \
         versions (not recorded), not only its CPU.\n\
         - **The split.** The run records neither GIL time nor CPU time, so it cannot split a get's cost into GIL-held \
         and GIL-free parts: the profile keeps the lab's split.\n\
         - **Its peaks.** It does not record the machine's core count, and its server ran on the same machine. {verdict} \
         the report does not say what did limit them, so the peaks neither confirm nor correct the profile, and the \
         profile does not reproduce them:\n\n{peaks}\n\n\
         - **Memory and threads.** Those sections do not record them; the profile keeps the lab's.\n\
         - **`latency_sim`** ran at 100 callers against a simulated round trip, inside the same unknown limit.\n\n",
        python = pb.python,
        verdict = if none_full {
            "On this profile's costs neither asyncio client's highest rate fills a core, its event loop or the GIL;"
        } else {
            "On this profile's costs a client's highest rate reaches a core's worth of CPU or the GIL's limit, but"
        },
        peaks = peaks_text.join("\n"),
    ));
    out
}
