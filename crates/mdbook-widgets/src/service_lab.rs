//! The service lab beside the model: a FastAPI service under uvicorn, measured in `book/reports/service/`, tabulated with the model's capacity (`{{#service-lab}}`) and summed up for the reader (`{{#service-lab-summary}}`).

use charts::answer::Ahead;
use charts::format::{count, number, percent};
use perfmodel::{open, Params, Pattern, Scenario};
use reports::service::{ServiceCell, ServiceReport};

use crate::BookEnv;

pub(crate) const TOKEN: &str = "{{#service-lab}}";
/// The answer alone, for the reader's page.
pub(crate) const SUMMARY_TOKEN: &str = "{{#service-lab-summary}}";

/// One sentence, inline: how aerospike-py fared against the official client's best pattern behind a web server, over every configuration.
pub(crate) const VERDICT_TOKEN: &str = "{{#service-lab-verdict}}";

/// The endpoints in the order the pages name them: the server alone, then the three official patterns, then aerospike-py.
const ENDPOINTS: [&str; 5] = ["none", "sync", "threadpool", "executor", "asp"];

/// How the pages name an endpoint.
pub fn label(pattern: &str) -> &'static str {
    match pattern {
        "none" => "the server alone",
        "sync" => "blocking call in async def",
        "threadpool" => "plain def endpoint",
        "executor" => "run_in_executor",
        "asp" => "aerospike-py",
        _ => "another endpoint",
    }
}

/// The model's pattern for an endpoint; the server alone has none.
fn pattern_of(endpoint: &str) -> Option<Pattern> {
    match endpoint {
        "sync" => Some(Pattern::Sync),
        "executor" => Some(Pattern::Executor),
        "threadpool" => Some(Pattern::Threadpool),
        "asp" => Some(Pattern::Tokio),
        _ => None,
    }
}

/// One server configuration of the lab: worker processes, injected wait, handler work.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Config {
    pub workers: u32,
    pub io_wait_ms: f64,
    pub handler_cpu_ms: f64,
}

/// The newest service report, read once per book.
pub(crate) fn read_newest(env: &BookEnv) -> Option<ServiceReport> {
    let (name, text) = reports::newest(&env.src_dir.join("reports/service"))?;
    reports::service::parse(&name, &text).ok()
}

/// The configurations measured, one worker first, then by wait and work.
pub fn configs(r: &ServiceReport) -> Vec<Config> {
    let mut out: Vec<Config> = Vec::new();
    for c in &r.cells {
        let k = Config { workers: c.workers, io_wait_ms: c.io_wait_ms, handler_cpu_ms: c.handler_cpu_ms };
        if c.pattern != "none" && !out.contains(&k) {
            out.push(k);
        }
    }
    out.sort_by(|a, b| (a.workers, a.handler_cpu_ms, a.io_wait_ms).partial_cmp(&(b.workers, b.handler_cpu_ms, b.io_wait_ms)).expect("finite"));
    out
}

fn series<'a>(r: &'a ServiceReport, endpoint: &str, k: Config) -> Vec<&'a ServiceCell> {
    // The server alone has no wait: its series at the same workers and work stands for every wait.
    let io = if endpoint == "none" { 0.0 } else { k.io_wait_ms };
    r.series(endpoint, k.workers, io, k.handler_cpu_ms)
}

/// The most requests per second an endpoint answered in any run of a
/// configuration: its closed probe (64 connections) or an open load it kept up with.
pub fn most_answered(r: &ServiceReport, endpoint: &str, k: Config) -> Option<f64> {
    let s = series(r, endpoint, k);
    let probe = s.first().map(|c| c.capacity_per_s)?;
    Some(s.iter().filter(|c| c.steady()).map(|c| c.achieved_per_s).fold(probe, f64::max))
}

/// The model's scenario for a configuration: the server's CPUs as the
/// quota, the machine's for Python's default pool, the injected wait plus
/// the stub's round trip, a web server in front (its cost measured by the
/// same report) and the handler's work on the loop.
fn scenario(r: &ServiceReport, k: Config, rtt_ms: f64) -> Scenario {
    let list = |key: &str| r.machine.get(key).and_then(|v| v.as_array()).map(|a| a.len() as f64);
    let node = r.machine.get("cpus").and_then(|v| v.as_u64()).map(|n| n as u32);
    Scenario {
        io_wait_ms: k.io_wait_ms + rtt_ms,
        cores: list("server_cpus").unwrap_or(1.0),
        node_cpus: node,
        workers: k.workers,
        app_cpu_ms: k.handler_cpu_ms,
        web_server: true,
        ..Scenario::default()
    }
}

/// The model's capacity for an endpoint in a configuration (all worker processes), and what limits it.
pub fn model_capacity(p: &Params, r: &ServiceReport, endpoint: &str, k: Config, rtt_ms: f64) -> Option<(f64, open::Limit)> {
    let pattern = pattern_of(endpoint)?;
    let s = scenario(r, k, rtt_ms);
    let (one, limit) = open::capacity(pattern, p, &s.per_worker());
    Some((one * f64::from(s.workers.max(1)), limit))
}

/// "ahead of X by 12%", "behind X by 8%", or "level with X" (within `margin`, a ratio above 1), by the site's one rule for a side ([`Ahead::beyond`]).
fn against(a: f64, b: f64, name: &str, margin: f64) -> String {
    match Ahead::beyond(a, b, true, margin) {
        Ahead::Tokio(_) => format!("ahead of {name} by {}", percent(a / b - 1.0)),
        Ahead::Executor(_) => format!("behind {name} by {}", percent(1.0 - a / b)),
        Ahead::Even => format!("level with {name}"),
    }
}

/// How far apart two single runs must be to name a side: the median spread,
/// (fastest − slowest) ÷ median, of the closed-loop lab's repeated rounds of
/// one cell; 5% without that report.
pub fn resolution(env: &BookEnv) -> f64 {
    let mut spreads: Vec<f64> = env
        .lab()
        .map(|l| {
            l.grid
                .data
                .iter()
                .filter_map(|c| Some((c.ops_max? - c.ops_min?) / c.ops_per_sec.filter(|v| *v > 0.0)?))
                .filter(|s| s.is_finite() && *s >= 0.0)
                .collect()
        })
        .unwrap_or_default();
    spreads.sort_by(f64::total_cmp);
    spreads.get(spreads.len() / 2).map(|m| 1.0 + m).unwrap_or(1.05)
}

/// The time a request spends on the HTTP path outside the server's CPU
/// (the load generator, the loopback, the kernel), ms: the server alone's
/// p50 at its lightest kept-up load, one worker, less the server's CPU per
/// request the model charges (`http_server_us`); 0 without that cell.
pub fn http_path_ms(r: &ServiceReport, p: &Params) -> f64 {
    let light = r.series("none", 1, 0.0, 0.0).into_iter().filter(|c| c.steady()).min_by(|a, b| a.offered_per_s.total_cmp(&b.offered_per_s));
    light.and_then(|c| c.p50_ms).map_or(0.0, |p50| (p50 - p.http_server_us / 1e3).max(0.0))
}

/// The model beside every kept-up cell of a modelled endpoint, the HTTP path outside the server added to its times, and how close it came.
pub struct Fits<'a> {
    pub cells: Vec<(&'a ServiceCell, Modelled)>,
    pub path_ms: f64,
    /// Cells whose simulated p50, p99 were within ×1.5 of the measured, and whose CPU within ×1.25.
    pub p50s: usize,
    pub p99s: usize,
    pub cpus: usize,
    /// Median model ÷ measured.
    pub median_p50: f64,
    pub median_p99: f64,
    pub median_cpu: f64,
}

pub fn fits<'a>(r: &'a ServiceReport, p: &Params, rtt_ms: f64) -> Fits<'a> {
    let path_ms = http_path_ms(r, p);
    let cells: Vec<(&ServiceCell, Modelled)> = r
        .cells
        .iter()
        .filter(|c| c.steady())
        .filter_map(|c| {
            let m = modelled(p, r, c, rtt_ms)?;
            Some((c, Modelled { p50_ms: m.p50_ms + path_ms, p99_ms: m.p99_ms + path_ms, ..m }))
        })
        .collect();
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    };
    Fits {
        p50s: cells.iter().filter(|(c, m)| near(m.p50_ms, c.p50_ms, 1.5)).count(),
        p99s: cells.iter().filter(|(c, m)| near(m.p99_ms, c.p99_ms, 1.5)).count(),
        cpus: cells.iter().filter(|(c, m)| near(m.cores, Some(c.server_cores_used), 1.25)).count(),
        median_p50: median(cells.iter().filter_map(|(c, m)| Some(m.p50_ms / c.p50_ms?)).collect()),
        median_p99: median(cells.iter().filter_map(|(c, m)| Some(m.p99_ms / c.p99_ms?)).collect()),
        median_cpu: median(cells.iter().map(|(c, m)| m.cores / c.server_cores_used).collect()),
        cells,
        path_ms,
    }
}

/// Whether the model's `m` is within a factor `by` of the lab's `l`, either way.
fn near(m: f64, l: Option<f64>, by: f64) -> bool {
    l.is_some_and(|l| l > 0.0 && m > 0.0 && (m / l).max(l / m) <= by)
}

/// For Your service's CPU row: how the CPU the model charges compared with what the service lab's server used.
pub(crate) const CPU_TOKEN: &str = "{{#service-lab-cpu}}";

/// One clause, inline, for the CPU row's note: the lab's median ratio of measured to model CPU.
pub fn cpu_words(env: &BookEnv) -> String {
    let Some(r) = env.service_lab() else {
        return "no service report has been measured yet to check it against".into();
    };
    let rtt = env.lab().map(|l| l.rtt_ms).unwrap_or(perfmodel::scenario::LOCALHOST_RTT_MS);
    let f = fits(r, &Params::default(), rtt);
    format!(
        "in the [service lab]({}methodology.md#a-web-service-measured) the server's processes used a median {}× the CPU the model charges at the rates they kept up with, so read it as a floor",
        env.to_root,
        number(1.0 / f.median_cpu)
    )
}

/// The model beside one cell: the simulated p50 and p99 at its arrivals, and the cores its answered rate takes.
pub struct Modelled {
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub cores: f64,
}

/// The model at a cell's arrivals (one worker process at its share), for an endpoint the model has a pattern for.
pub fn modelled(p: &Params, r: &ServiceReport, c: &ServiceCell, rtt_ms: f64) -> Option<Modelled> {
    let pattern = pattern_of(&c.pattern)?;
    let k = Config { workers: c.workers, io_wait_ms: c.io_wait_ms, handler_cpu_ms: c.handler_cpu_ms };
    let s = Scenario { arrival_rate: Some(c.offered_per_s), ..scenario(r, k, rtt_ms) }.per_worker();
    let cfg = perfmodel::sim::SimConfig { seed: 11, requests: 20_000, warmup: 2_000, ..perfmodel::sim::SimConfig::default() };
    let sim = perfmodel::sim::simulate(pattern, p, &s, &cfg).ok()?;
    Some(Modelled {
        p50_ms: sim.latency_ms.p50,
        p99_ms: sim.latency_ms.p99,
        cores: c.achieved_per_s * perfmodel::pattern::cpu_us(pattern, p, &s) / 1e6,
    })
}

/// The answer for one configuration: what aerospike-py answered at most against the official client's best pattern, then the others.
fn answer_for(r: &ServiceReport, k: Config, margin: f64) -> Option<String> {
    let asp = most_answered(r, "asp", k)?;
    let mut official: Vec<(&str, f64)> = ["sync", "threadpool", "executor"].iter().filter_map(|e| Some((*e, most_answered(r, e, k)?))).collect();
    official.sort_by(|a, b| b.1.total_cmp(&a.1));
    let (best, best_v) = *official.first()?;
    let others: Vec<String> = official[1..].iter().map(|(e, v)| format!("{} {}/s", label(e), number(*v))).collect();
    Some(format!(
        "aerospike-py **{}/s**, the official client's best ({}) {}/s: aerospike-py is **{}**. The others: {}",
        number(asp),
        label(best),
        number(best_v),
        against(asp, best_v, label(best), margin),
        others.join(", ")
    ))
}

/// A configuration in short words: "1 worker, 1 ms wait, no handler work".
fn when(k: Config) -> String {
    format!(
        "{} {}, {} ms wait, {}",
        count(k.workers),
        if k.workers == 1 { "worker" } else { "workers" },
        number(k.io_wait_ms),
        if k.handler_cpu_ms > 0.0 { format!("{} ms of handler work", number(k.handler_cpu_ms)) } else { "no handler work".into() }
    )
}

/// What each endpoint's worker spent per request at its busiest kept-up
/// rate, one worker at 1 ms of wait and no handler work, and where the
/// model's capacity for aerospike-py stands against the measured one.
fn costs_words(r: &ServiceReport, p: &Params, rtt: f64, to_root: &str) -> String {
    let k = Config { workers: 1, io_wait_ms: 1.0, handler_cpu_ms: 0.0 };
    let parts: Vec<String> = ENDPOINTS[1..]
        .iter()
        .filter_map(|e| {
            let c = r.costs_cell(e, k.workers, k.io_wait_ms, k.handler_cpu_ms)?;
            Some(format!("{} {} µs and {} threads", label(e), number(c.server_cpu_us_per_request?), count(c.worker_threads.round() as u32)))
        })
        .collect();
    if parts.is_empty() {
        return String::new();
    }
    let model = match (most_answered(r, "asp", k), model_capacity(p, r, "asp", k, rtt)) {
        (Some(m), Some((x, _))) if x > 1.25 * m => format!(
            " The model, which charges aerospike-py the costs measured in a bare loop of calls, puts its capacity here at {}× the measured one: \
             in a web server on one core, each of its requests cost the process more CPU than the model has, and why is not established yet.",
            number(x / m)
        ),
        _ => String::new(),
    };
    // Threads at the lightest load each kept up with: the lab's count against the model's at the same requests in flight (rate × mean latency).
    let threads: Vec<(String, u32, u32)> = ["threadpool", "executor", "asp"]
        .iter()
        .filter_map(|e| {
            let c = series(r, e, k).into_iter().find(|c| c.steady())?;
            let in_flight = (c.achieved_per_s * c.mean_ms? / 1e3).round().max(1.0) as u32;
            let s = Scenario { concurrency: in_flight, ..scenario(r, k, rtt) };
            let model = perfmodel::memory::threads(pattern_of(e)?, p, &s).total();
            Some((
                format!(
                    "{} {} against the model's {} at {}/s",
                    label(e),
                    count(c.worker_threads.round() as u32),
                    count(model),
                    number(c.achieved_per_s)
                ),
                c.worker_threads.round() as u32,
                model,
            ))
        })
        .collect();
    let threads = if threads.iter().any(|(_, lab, model)| f64::from(*lab) > 1.25 * f64::from(*model)) {
        format!(
            " At the lightest load each kept up with, the lab counted these threads in one worker: {}. The model does not count every thread \
             of a web server's process yet, so the Threads row of [Your service]({to_root}service.md) is low, for aerospike-py most.",
            threads.iter().map(|t| t.0.as_str()).collect::<Vec<_>>().join("; ")
        )
    } else {
        String::new()
    };
    format!(
        "What one worker spent per request, at 1 ms of wait with no handler work and the busiest rate it kept up with: {}.{model}{}\n\n",
        parts.join(", "),
        threads
    )
}

/// What a second worker process on the same core changed, per wait and
/// work: each endpoint's most answered with one worker and with two.
fn second_worker(r: &ServiceReport, configs: &[Config]) -> String {
    let mut out = String::new();
    for two in configs.iter().filter(|k| k.workers == 2) {
        let one = Config { workers: 1, ..*two };
        if !configs.contains(&one) {
            continue;
        }
        let parts: Vec<String> = ENDPOINTS[1..]
            .iter()
            .filter_map(|e| {
                let (a, b) = (most_answered(r, e, one)?, most_answered(r, e, *two)?);
                let change = if b >= a { format!("+{}", percent(b / a - 1.0)) } else { format!("−{}", percent(1.0 - b / a)) };
                Some(format!("{} {} → {}/s ({change})", label(e), number(a), number(b)))
            })
            .collect();
        if !parts.is_empty() {
            out.push_str(&format!(
                "- A second worker process on the same core, at {} ms of wait{}: {}.\n",
                number(two.io_wait_ms),
                if two.handler_cpu_ms > 0.0 { format!(" and {} ms of handler work", number(two.handler_cpu_ms)) } else { String::new() },
                parts.join(", ")
            ));
        }
    }
    if out.is_empty() {
        out
    } else {
        format!("{out}\n")
    }
}

/// The service lab in one sentence for the verdict pages: in how many
/// configurations aerospike-py answered more than, less than or level with
/// the official client's best pattern, and the longest wait with one worker.
pub fn verdict(env: &BookEnv) -> String {
    let Some(r) = env.service_lab() else {
        return "no web service has been measured yet".into();
    };
    let margin = resolution(env);
    let configs = configs(r);
    // aerospike-py (the first value of `Ahead`) against the official client's best pattern, by the summary's rule.
    let sides: Vec<Ahead> = configs
        .iter()
        .filter_map(|k| {
            let asp = most_answered(r, "asp", *k)?;
            let best = ["sync", "threadpool", "executor"].iter().filter_map(|e| most_answered(r, e, *k)).reduce(f64::max)?;
            Some(Ahead::beyond(asp, best, true, margin))
        })
        .collect();
    let n = |f: fn(&Ahead) -> bool| sides.iter().filter(|a| f(a)).count();
    let mut out = format!(
        "behind FastAPI on one core (this project's service lab, {}), aerospike-py answered more than the official client's best pattern \
         in {} of {} configurations, less in {} and level in {}",
        r.date,
        n(|a| matches!(a, Ahead::Tokio(_))),
        sides.len(),
        n(|a| matches!(a, Ahead::Executor(_))),
        n(|a| matches!(a, Ahead::Even)),
    );
    // The longest wait measured with one worker and no handler work: where the bare loop and the model favour aerospike-py most.
    let longest = configs.iter().filter(|k| k.workers == 1 && k.handler_cpu_ms == 0.0).max_by(|a, b| a.io_wait_ms.total_cmp(&b.io_wait_ms));
    if let Some(k) = longest {
        let words: Vec<String> =
            ["asp", "executor", "threadpool"].iter().filter_map(|e| Some(format!("{} {}/s", label(e), number(most_answered(r, e, *k)?)))).collect();
        let node = r.machine.get("cpus").and_then(|v| v.as_u64()).map(|n| n as u32).unwrap_or(1);
        out.push_str(&format!(
            "; at its longest wait, {} ms with one worker: {} (run_in_executor with Python's default pool of {})",
            number(k.io_wait_ms),
            words.join(", "),
            count(perfmodel::scenario::default_pool(node))
        ));
    }
    out
}

/// The page's text: the summary, and with `full` the tables.
pub fn table(env: &BookEnv, full: bool) -> String {
    let Some(r) = env.service_lab() else {
        return "\n\n*No service report yet: `cargo xtask lab --service` measures one and files it in `book/reports/service/`; this section is then computed from it.*\n\n".into();
    };
    let p = Params::default();
    let rtt = env.lab().map(|l| l.rtt_ms).unwrap_or(perfmodel::scenario::LOCALHOST_RTT_MS);
    let configs = configs(r);
    let margin = resolution(env);
    let one = Config { workers: 1, io_wait_ms: 0.0, handler_cpu_ms: 0.0 };
    let server = most_answered(r, "none", one);
    let server_cpu = r.server_cost().map(|(cpu, _)| cpu);
    let version = |v: &str| r.version(v).unwrap_or("?").to_string();
    let mut out = format!(
        "\n\nMeasured here ({date}): a FastAPI {fastapi} service under uvicorn {uvicorn} (httptools, asyncio's loop), its worker processes \
         sharing one CPU as a pod with a quota of one core does, the stub on the other CPU answering each call after an injected wait, \
         and requests arriving at random (Poisson) at fixed rates. Each configuration ran once. A difference under {spread} is called level: \
         that is the median spread between the fastest and slowest of three rounds of one cell in the closed-loop lab. ",
        date = r.date,
        fastapi = version("fastapi"),
        uvicorn = version("uvicorn"),
        spread = percent(margin - 1.0),
    );
    out.push_str(&format!(
        "\"Answered at most\" is the higher of two kinds of run: a closed probe of {} connections, each waiting for its answer before sending again, \
         and the fastest Poisson rate the endpoint kept up with.",
        count(r.probe_connections)
    ));
    if let (Some(s), Some(c)) = (server, server_cpu) {
        // One get's GIL time on the path the steps figure shows, hand-offs and the loop's part included.
        let gil = |pattern| perfmodel::pattern::totals(&perfmodel::pattern::steps(pattern, &p, &Scenario::default())).gil_us();
        let (asp, exec) = (gil(Pattern::Tokio), gil(Pattern::Executor));
        out.push_str(&format!(
            " The server alone, with an endpoint that calls nothing, answered at most **{}/s**: it spends **{} µs** of CPU on each request, \
             {}× the GIL-held time of one get through aerospike-py ({} µs) and {}× through run_in_executor ({} µs).",
            number(s),
            number(c),
            number(c / asp),
            number(asp),
            number(c / exec),
            number(exec),
        ));
    }
    out.push_str("\n\n");
    for k in &configs {
        if let Some(a) = answer_for(r, *k, margin) {
            out.push_str(&format!("- **{}**: {}.\n", when(*k), a));
        }
    }
    out.push('\n');
    out.push_str(&costs_words(r, &p, rtt, &env.to_root));
    out.push_str(&second_worker(r, &configs));
    if !full {
        return out;
    }
    // The capacities side by side.
    out.push_str("| Worker processes | Wait (ms) | Handler work (ms) |");
    for e in ENDPOINTS {
        out.push_str(&format!(" {} (req/s) |", label(e)));
    }
    out.push_str("\n|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for k in &configs {
        out.push_str(&format!("| {} | {} | {} |", count(k.workers), number(k.io_wait_ms), number(k.handler_cpu_ms)));
        for e in ENDPOINTS {
            out.push_str(&format!(" {} |", most_answered(r, e, *k).map(number).unwrap_or_else(|| "–".into())));
        }
        out.push('\n');
    }
    // The model against them.
    let (mut rows, mut within, mut n) = (String::new(), 0usize, 0usize);
    for k in &configs {
        for e in ["sync", "threadpool", "executor", "asp"] {
            let (Some(m), Some((model, limit))) = (most_answered(r, e, *k), model_capacity(&p, r, e, *k, rtt)) else {
                continue;
            };
            n += 1;
            let ratio = model / m;
            within += (0.8..=1.25).contains(&ratio) as usize;
            rows.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} ({}) | {}× |\n",
                label(e),
                count(k.workers),
                number(k.io_wait_ms),
                number(k.handler_cpu_ms),
                number(m),
                number(model),
                limit.label(),
                number(ratio)
            ));
        }
    }
    out.push_str(&format!(
        "\nThe model, given the server's own cost ({} µs per request, held on the loop) and the handler's work, against the most each \
         endpoint answered: within ×1.25 in **{within} of {n}**.\n\n\
         | Endpoint | Worker processes | Wait (ms) | Handler work (ms) | Measured (req/s) | Model's capacity (req/s) | Model ÷ measured |\n\
         |---|---:|---:|---:|---:|---|---:|\n{rows}\n",
        number(p.http_server_us)
    ));
    let f = fits(r, &p, rtt);
    out.push_str(&format!(
        "At each rate an endpoint kept up with ({n} cells of the four modelled endpoints), the simulator given the same arrivals: its p50 within \
         ×1.5 of the measured in **{p50s} of {n}** and its p99 in **{p99s} of {n}** (median model ÷ measured: p50 {m50}×, p99 {m99}×); the CPU the \
         model charges (the rate times each request's CPU) within ×1.25 of the cores the server's processes used in **{cpus} of {n}** \
         (median {mcpu}×). The measured times run from each request's scheduled send to its answer, so they hold the HTTP path outside the \
         server, which the model does not: {path} ms, the server alone's p50 at its lightest load less its measured CPU per request, is added to \
         the model's times here.\n\n",
        n = f.cells.len(),
        p50s = f.p50s,
        p99s = f.p99s,
        cpus = f.cpus,
        path = number(f.path_ms),
        m50 = number(f.median_p50),
        m99 = number(f.median_p99),
        mcpu = number(f.median_cpu),
    ));
    // The same, endpoint by endpoint.
    let mut by = String::from("| Endpoint | Kept-up cells | p50 within ×1.5 | p99 within ×1.5 | CPU within ×1.25 |\n|---|---:|---:|---:|---:|\n");
    for e in ENDPOINTS.iter().filter(|e| pattern_of(e).is_some()) {
        let mine: Vec<&(&ServiceCell, Modelled)> = f.cells.iter().filter(|(c, _)| c.pattern == *e).collect();
        by.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            label(e),
            mine.len(),
            mine.iter().filter(|(c, m)| near(m.p50_ms, c.p50_ms, 1.5)).count(),
            mine.iter().filter(|(c, m)| near(m.p99_ms, c.p99_ms, 1.5)).count(),
            mine.iter().filter(|(c, m)| near(m.cores, Some(c.server_cores_used), 1.25)).count(),
        ));
    }
    out.push_str(&by);
    out.push('\n');
    let fits = f.cells;
    // Every cell.
    let mut cells: Vec<&ServiceCell> = r.cells.iter().collect();
    cells.sort_by(|a, b| {
        (a.workers, a.handler_cpu_ms, a.io_wait_ms)
            .partial_cmp(&(b.workers, b.handler_cpu_ms, b.io_wait_ms))
            .expect("finite")
            .then(ENDPOINTS.iter().position(|e| *e == a.pattern).cmp(&ENDPOINTS.iter().position(|e| *e == b.pattern)))
            .then(a.offered_per_s.total_cmp(&b.offered_per_s))
    });
    let cell = |v: Option<f64>| v.map(number).unwrap_or_else(|| "–".into());
    let mut rows = String::new();
    for c in cells {
        let m = fits.iter().find(|(f, _)| std::ptr::eq(*f, c)).map(|(_, m)| m);
        let model = |v: Option<f64>| v.map(|v| format!(" ({})", number(v))).unwrap_or_default();
        rows.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {}{} | {}{} | {}{} | {} | {} | {} |\n",
            label(&c.pattern),
            count(c.workers),
            number(c.io_wait_ms),
            number(c.handler_cpu_ms),
            number(c.offered_per_s),
            if c.steady() { "yes" } else { "no" },
            cell(c.p50_ms),
            model(m.map(|m| m.p50_ms)),
            cell(c.p99_ms),
            model(m.map(|m| m.p99_ms)),
            number(c.server_cores_used),
            model(m.map(|m| m.cores)),
            cell(c.server_cpu_us_per_request),
            number(c.worker_threads),
            number(c.worker_rss_mib),
        ));
    }
    out.push_str(&format!(
        "<details><summary>Every cell: latency from each request's scheduled time, and what the server's processes used (the model's in brackets where it kept up)</summary>\n\n\
         | Endpoint | Worker processes | Wait (ms) | Handler work (ms) | Arrivals (req/s) | Kept up | p50 (ms) | p99 (ms) | Cores used | CPU per request (µs) | Threads per worker | Memory per worker (MiB) |\n\
         |---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|\n{rows}\n</details>\n\n"
    ));
    out
}
