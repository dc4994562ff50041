//! `perfmodel`: the model from the command line; JSON out, no browser needed.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};
use perfmodel::batch::{Batch, Calls, FanOut};
use perfmodel::scenario::Python;
use perfmodel::{predict, Params, Pattern, Scenario, Solver};
use serde::Deserialize;
use serde_json::json;

/// The performance model of three ways to call Aerospike from Python: predictions as JSON.
#[derive(Parser)]
#[command(name = "perfmodel", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Predict one pattern at one scenario (a closed loop of callers or an arrival rate).
    Predict(Box<PredictArgs>),
    /// Every parameter with unit, range, default and provenance, and the machine profiles.
    Params,
    /// Predict a list of points read from standard input: a JSON list of objects
    /// with pattern, solver, seed and any scenario field (io_wait_ms, concurrency, pool, cores, ...).
    Grid {
        /// Parameters to use instead of the defaults (a JSON object; missing fields keep their defaults).
        #[arg(long, value_name = "FILE.json")]
        params: Option<PathBuf>,
    },
}

#[derive(Args)]
#[command(group(ArgGroup::new("load").required(true).args(["concurrency", "arrival_rate"])))]
struct PredictArgs {
    /// How the client is called.
    #[arg(long, value_enum)]
    pattern: PatternArg,
    /// Network round trip plus server time of one request, ms.
    #[arg(long, value_name = "W", allow_negative_numbers = true)]
    io_wait_ms: f64,
    /// Callers in a closed loop (each awaits its answer, then sends the next).
    #[arg(long, value_name = "N")]
    concurrency: Option<u32>,
    /// Requests per second arriving whatever is in progress (an open load).
    #[arg(long, value_name = "R")]
    arrival_rate: Option<f64>,
    /// A timeout on each call, ms (open load only).
    #[arg(long, value_name = "T")]
    timeout_ms: Option<f64>,
    /// The arrivals' squared coefficient of variation: 1 is Poisson (open load only).
    #[arg(long, value_name = "C2")]
    burstiness: Option<f64>,
    /// Executor pool size (default: Python's, min(32, node CPUs + 4)).
    #[arg(long, value_name = "P")]
    pool: Option<u32>,
    /// CPU cores the service may use: the pod's CPU limit (fractional, 0.25 up), shared by its workers.
    #[arg(long, value_name = "C")]
    cores: Option<f64>,
    /// Worker processes (uvicorn's --workers): each its own GIL, loop, pool and Tokio runtime.
    #[arg(long, value_name = "K")]
    workers: Option<u32>,
    /// CPUs of the node, as os.cpu_count() reports them (default: the cores).
    #[arg(long, value_name = "K")]
    node_cpus: Option<u32>,
    /// Tokio worker threads (default: one per core).
    #[arg(long, value_name = "T")]
    tokio_workers: Option<u32>,
    /// The handler's own Python work per request, GIL held, ms: on the event loop (on its thread for a plain def endpoint).
    #[arg(long, value_name = "A", alias = "handler-cpu-ms")]
    app_cpu_ms: Option<f64>,
    /// CPU work per request awaited on the executor's pool (run_in_executor), ms; run in place by the blocking patterns and a def endpoint.
    #[arg(long, value_name = "O")]
    offload_cpu_ms: Option<f64>,
    /// The share of the offloaded work that holds the GIL (0-1; default 1, Python code).
    #[arg(long, value_name = "S")]
    offload_gil_share: Option<f64>,
    /// Each request passes through a web server (FastAPI under uvicorn, as the
    /// service lab measured its cost): its CPU per request held on the loop.
    #[arg(long)]
    web_server: bool,
    /// CPU-bound Python threads competing for the GIL.
    #[arg(long, value_name = "B")]
    background_threads: Option<u32>,
    /// The container's memory limit, MiB.
    #[arg(long, value_name = "M")]
    pod_limit_mib: Option<f64>,
    /// What each request does: one get, or one batch read (with --keys, --nodes, --found, --fan-out).
    #[arg(long, value_enum, default_value = "get")]
    operation: OperationArg,
    /// Keys in the batch read (1-5,000).
    #[arg(long, value_name = "K")]
    keys: Option<u32>,
    /// Nodes in the cluster (1-128); the I/O wait is each node request's.
    #[arg(long, value_name = "M")]
    nodes: Option<u32>,
    /// Share of the batch's keys that have a record (0-1).
    #[arg(long, value_name = "F")]
    found: Option<f64>,
    /// How the official client sends a batch's node requests (aerospike-py sends them at once either way).
    #[arg(long, value_enum, default_value = "series")]
    fan_out: FanOutArg,
    /// Batch reads each request makes, each of --keys keys (with --operation batch-read; default 1, at most 16).
    #[arg(long, value_name = "B")]
    batches: Option<u32>,
    /// Gets each request makes besides its batch read (with --operation batch-read; default 0).
    #[arg(long, value_name = "G")]
    gets: Option<u32>,
    /// Gets each request makes, awaited one after another (with --operation get; default 1, at most 16).
    #[arg(long, value_name = "N")]
    calls: Option<u32>,
    /// Await a request's calls (its gets and batch reads) together with asyncio.gather instead of one after another (executor and tokio; the blocking patterns and a def endpoint make them in turn).
    #[arg(long)]
    gather: bool,
    /// The CPython build.
    #[arg(long, value_enum, default_value = "gil")]
    python: PythonArg,
    /// Whose CPU costs (a machine profile's key).
    #[arg(long, value_name = "KEY")]
    machine: Option<String>,
    /// Parameters to use instead of the defaults (a JSON object; missing fields keep their defaults).
    #[arg(long, value_name = "FILE.json")]
    params: Option<PathBuf>,
    /// Which solver: the analytic one (means) or the simulator (percentiles too).
    #[arg(long, value_enum, default_value = "analytic")]
    solver: SolverArg,
    /// The simulator's seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

#[derive(Clone, Copy, ValueEnum)]
enum PatternArg {
    Sync,
    SyncThreads,
    Executor,
    /// The official client in a plain def endpoint, on the framework's 40 threads
    Threadpool,
    Tokio,
}

#[derive(Clone, Copy, PartialEq, ValueEnum)]
enum OperationArg {
    Get,
    BatchRead,
}

#[derive(Clone, Copy, ValueEnum)]
enum FanOutArg {
    /// The official client's default: one node after another.
    Series,
    /// concurrent=True: every node at once, from the client's thread pool.
    Parallel,
}

#[derive(Clone, Copy, ValueEnum)]
enum PythonArg {
    /// 3.11-3.13, with the GIL.
    Gil,
    /// 3.14t, the GIL off for aerospike-py only.
    Ft,
    /// 3.14t with the GIL forced off for both clients.
    FtForced,
}

#[derive(Clone, Copy, ValueEnum)]
enum SolverArg {
    Analytic,
    Sim,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(out) => {
            println!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("perfmodel: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(cmd: Command) -> Result<String, String> {
    match cmd {
        Command::Predict(a) => {
            if (a.timeout_ms.is_some() || a.burstiness.is_some()) && a.arrival_rate.is_none() {
                return Err("--timeout-ms and --burstiness apply to an open load: give --arrival-rate".into());
            }
            let batch_flags = a.keys.is_some() || a.nodes.is_some() || a.found.is_some() || a.gets.is_some() || a.batches.is_some();
            if a.operation == OperationArg::Get && batch_flags {
                return Err("--keys, --nodes, --found, --batches and --gets describe batch reads: give --operation batch-read".into());
            }
            if a.operation == OperationArg::BatchRead && a.calls.is_some() {
                return Err("--calls counts a request's gets: with --operation batch-read, --gets gives the gets beside the batch".into());
            }
            let calls = match a.operation {
                OperationArg::Get => Calls { gets: a.calls.unwrap_or(1), batch: None, batches: 1, gather: a.gather },
                OperationArg::BatchRead => Calls {
                    gets: a.gets.unwrap_or(0),
                    batch: Some(Batch {
                        keys: a.keys.unwrap_or(Batch::START.keys),
                        nodes: a.nodes.unwrap_or(Batch::START.nodes),
                        found: a.found.unwrap_or(Batch::START.found),
                        fan_out: match a.fan_out {
                            FanOutArg::Series => FanOut::Series,
                            FanOutArg::Parallel => FanOut::Parallel,
                        },
                    }),
                    batches: a.batches.unwrap_or(1),
                    gather: a.gather,
                },
            };
            let params = read_params(a.params.as_ref())?;
            let pattern = match a.pattern {
                PatternArg::Sync => Pattern::Sync,
                PatternArg::SyncThreads => Pattern::SyncThreads,
                PatternArg::Executor => Pattern::Executor,
                PatternArg::Threadpool => Pattern::Threadpool,
                PatternArg::Tokio => Pattern::Tokio,
            };
            let d = Scenario::default();
            let s = Scenario {
                io_wait_ms: a.io_wait_ms,
                concurrency: a.concurrency.unwrap_or(d.concurrency),
                arrival_rate: a.arrival_rate,
                timeout_ms: a.timeout_ms,
                burstiness: a.burstiness,
                pool: a.pool,
                cores: a.cores.unwrap_or(d.cores),
                workers: a.workers.unwrap_or(d.workers),
                node_cpus: a.node_cpus,
                tokio_workers: a.tokio_workers,
                app_cpu_ms: a.app_cpu_ms.unwrap_or(0.0),
                offload_cpu_ms: a.offload_cpu_ms.unwrap_or(d.offload_cpu_ms),
                offload_gil_share: a.offload_gil_share.unwrap_or(d.offload_gil_share),
                web_server: a.web_server,
                background_threads: a.background_threads.unwrap_or(0),
                pod_limit_mib: a.pod_limit_mib.unwrap_or(d.pod_limit_mib),
                python: match a.python {
                    PythonArg::Gil => Python::Gil,
                    PythonArg::Ft => Python::FreeThreaded,
                    PythonArg::FtForced => Python::FreeThreadedForced,
                },
                machine: match a.machine {
                    None => d.machine,
                    Some(key) => {
                        let keys: Vec<&str> = perfmodel::machine::PROFILES.iter().map(|p| p.key).collect();
                        perfmodel::machine::PROFILES
                            .iter()
                            .find(|p| p.key == key)
                            .ok_or_else(|| format!("--machine {key:?}: expected {}", keys.join(" or ")))?
                            .machine
                    }
                },
                calls,
            };
            let solver = match a.solver {
                SolverArg::Analytic => Solver::Analytic,
                SolverArg::Sim => Solver::Sim,
            };
            let p = predict(pattern, &params, &s, solver, a.seed).map_err(|e| e.to_string())?;
            serde_json::to_string_pretty(&p).map_err(|e| e.to_string())
        }
        Command::Params => serde_json::to_string_pretty(&json!({ "params": Params::describe(), "machines": perfmodel::machine::PROFILES }))
            .map_err(|e| e.to_string()),
        Command::Grid { params } => {
            let params = read_params(params.as_ref())?;
            let mut input = String::new();
            std::io::stdin().read_to_string(&mut input).map_err(|e| format!("reading stdin: {e}"))?;
            let points: Vec<GridPoint> = serde_json::from_str(&input).map_err(|e| format!("stdin is not a JSON list of points: {e}"))?;
            let mut out = Vec::with_capacity(points.len());
            for (i, pt) in points.into_iter().enumerate() {
                let p = predict(pt.pattern, &params, &pt.scenario, pt.solver.unwrap_or(Solver::Analytic), pt.seed.unwrap_or(1))
                    .map_err(|e| format!("point {i}: {e}"))?;
                out.push(p);
            }
            serde_json::to_string_pretty(&out).map_err(|e| e.to_string())
        }
    }
}

#[derive(Deserialize)]
struct GridPoint {
    pattern: Pattern,
    solver: Option<Solver>,
    seed: Option<u64>,
    #[serde(flatten)]
    scenario: Scenario,
}

/// The parameters in `path` (a JSON object; missing fields keep their defaults), or the defaults.
fn read_params(path: Option<&PathBuf>) -> Result<Params, String> {
    let Some(path) = path else { return Ok(Params::default()) };
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("--params {shown}: {e}"))?;
    let p: Params = serde_json::from_str(&text).map_err(|e| format!("--params {shown}: {e}"))?;
    p.validate().map_err(|e| format!("--params {shown}: {e}"))?;
    Ok(p)
}
