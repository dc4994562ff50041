//! `perfmodel`: the model from the command line; JSON out, no browser needed.

use std::io::Read;
use std::process::ExitCode;

use perfmodel::{predict, Params, Pattern, Scenario, Solver};
use serde::Deserialize;
use serde_json::json;

const USAGE: &str = "\
usage:
  perfmodel predict --pattern sync|sync-threads|executor|tokio --io-wait-ms W
                    (--concurrency N | --arrival-rate R [--timeout-ms T] [--burstiness C2]) [--pool P] [--cores C] [--node-cpus K] [--tokio-workers T] [--app-cpu-ms A]
                    [--background-threads B] [--pod-limit-mib M] [--python gil|ft|ft-forced] [--machine lab|darwin]
                    [--params FILE.json] [--solver analytic|sim] [--seed S]
  perfmodel params          every parameter with unit, range, default and provenance, and the machine profiles
  perfmodel grid [--params FILE.json] < points.json
                            points: a JSON list of objects with pattern, solver, seed and any
                            scenario field (io_wait_ms, concurrency, pool, cores, ...)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
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

fn run(args: &[String]) -> Result<String, String> {
    let Some(cmd) = args.first() else { return Err(USAGE.to_string()) };
    let opts = Opts::parse(&args[1..])?;
    match cmd.as_str() {
        "predict" => {
            let params = opts.params()?;
            let pattern = Pattern::parse(opts.get("pattern").ok_or("--pattern is required")?).map_err(|e| e.to_string())?;
            let mut s = Scenario::default();
            s.io_wait_ms = opts.num("io-wait-ms")?.ok_or("--io-wait-ms is required")?;
            let n = opts.int("concurrency")?;
            s.arrival_rate = opts.num("arrival-rate")?;
            s.timeout_ms = opts.num("timeout-ms")?;
            s.burstiness = opts.num("burstiness")?;
            match (n, s.arrival_rate) {
                (Some(_), Some(_)) => {
                    return Err("--concurrency and --arrival-rate are exclusive: callers in a closed loop, or requests arriving at a rate".into())
                }
                (None, None) => return Err("--concurrency or --arrival-rate is required".into()),
                (Some(n), None) => s.concurrency = n,
                (None, Some(_)) => {}
            }
            if (s.timeout_ms.is_some() || s.burstiness.is_some()) && s.arrival_rate.is_none() {
                return Err("--timeout-ms and --burstiness apply to an open load: give --arrival-rate".into());
            }
            s.pool = opts.int("pool")?;
            s.cores = opts.int("cores")?.unwrap_or(s.cores);
            s.node_cpus = opts.int("node-cpus")?;
            s.tokio_workers = opts.int("tokio-workers")?;
            s.app_cpu_ms = opts.num("app-cpu-ms")?.unwrap_or(0.0);
            s.background_threads = opts.int("background-threads")?.unwrap_or(0);
            s.pod_limit_mib = opts.num("pod-limit-mib")?.unwrap_or(s.pod_limit_mib);
            s.python = match opts.get("python").unwrap_or("gil") {
                "gil" => perfmodel::scenario::Python::Gil,
                "ft" => perfmodel::scenario::Python::FreeThreaded,
                "ft-forced" => perfmodel::scenario::Python::FreeThreadedForced,
                other => return Err(format!("--python {other:?}: expected gil, ft or ft-forced")),
            };
            if let Some(key) = opts.get("machine") {
                let keys: Vec<&str> = perfmodel::machine::PROFILES.iter().map(|p| p.key).collect();
                s.machine = perfmodel::machine::PROFILES
                    .iter()
                    .find(|p| p.key == key)
                    .ok_or_else(|| format!("--machine {key:?}: expected {}", keys.join(" or ")))?
                    .machine;
            }
            let solver = match opts.get("solver").unwrap_or("analytic") {
                "analytic" => Solver::Analytic,
                "sim" => Solver::Sim,
                other => return Err(format!("--solver {other:?}: expected analytic or sim")),
            };
            let seed = opts.int::<u64>("seed")?.unwrap_or(1);
            let p = predict(pattern, &params, &s, solver, seed).map_err(|e| e.to_string())?;
            serde_json::to_string_pretty(&p).map_err(|e| e.to_string())
        }
        "params" => serde_json::to_string_pretty(&json!({ "params": Params::describe(), "machines": perfmodel::machine::PROFILES }))
            .map_err(|e| e.to_string()),
        "grid" => {
            let params = opts.params()?;
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
        "-h" | "--help" | "help" => Ok(USAGE.to_string()),
        other => Err(format!("unknown command {other:?}\n{USAGE}")),
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

struct Opts(Vec<(String, String)>);

impl Opts {
    fn parse(args: &[String]) -> Result<Opts, String> {
        let mut out = Vec::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let key = a.strip_prefix("--").ok_or_else(|| format!("unexpected argument {a:?}\n{USAGE}"))?;
            let (k, v) = match key.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (key.to_string(), it.next().ok_or_else(|| format!("--{key} needs a value"))?.clone()),
            };
            out.push((k, v));
        }
        Ok(Opts(out))
    }
    fn get(&self, k: &str) -> Option<&str> {
        self.0.iter().rev().find(|(kk, _)| kk == k).map(|(_, v)| v.as_str())
    }
    fn num(&self, k: &str) -> Result<Option<f64>, String> {
        self.get(k).map(|v| v.parse::<f64>().map_err(|_| format!("--{k} {v:?} is not a number"))).transpose()
    }
    fn int<T: std::str::FromStr>(&self, k: &str) -> Result<Option<T>, String> {
        self.get(k).map(|v| v.parse::<T>().map_err(|_| format!("--{k} {v:?} is not a whole number in range"))).transpose()
    }
    fn params(&self) -> Result<Params, String> {
        let Some(path) = self.get("params") else { return Ok(Params::default()) };
        let text = std::fs::read_to_string(path).map_err(|e| format!("--params {path}: {e}"))?;
        let p: Params = serde_json::from_str(&text).map_err(|e| format!("--params {path}: {e}"))?;
        p.validate().map_err(|e| format!("--params {path}: {e}"))?;
        Ok(p)
    }
}
