//! `loadgen --port P --path /x [--rate R --seed N --max-conns C | --closed N] [--warmup S] [--seconds S]`: load one endpoint on 127.0.0.1 and print one JSON line.

use loadgen::{run_closed, run_open, Closed, Open};

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse(&args).and_then(|run| run().map_err(|e| e.to_string())) {
        Ok(json) => {
            println!("{json}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("loadgen: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

type Run = Box<dyn FnOnce() -> std::io::Result<String>>;

fn parse(args: &[String]) -> Result<Run, String> {
    let value = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1));
    let num = |name: &str, default: Option<f64>, min: f64, max: f64| -> Result<f64, String> {
        match value(name) {
            None => default.ok_or_else(|| format!("{name} is required")),
            Some(v) => v
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x >= min && *x <= max)
                .ok_or_else(|| format!("{name} takes a number from {min} to {max}, not {v:?}")),
        }
    };
    let port = num("--port", None, 1.0, 65_535.0)? as u16;
    let path = value("--path").cloned().ok_or("--path is required (e.g. /asp?work_ms=0)")?;
    if !path.starts_with('/') || path.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("--path takes a path starting with / without spaces, not {path:?}"));
    }
    let warmup_s = num("--warmup", Some(2.0), 0.0, 600.0)?;
    let seconds = num("--seconds", Some(10.0), 0.1, 600.0)?;
    if value("--closed").is_some() {
        let conns = num("--closed", None, 1.0, 10_000.0)? as usize;
        let cfg = Closed { port, path, conns, warmup_s, seconds };
        Ok(Box::new(move || run_closed(&cfg).map(|r| r.to_json())))
    } else {
        let rate = num("--rate", None, 0.01, 500_000.0)?;
        let seed = num("--seed", Some(1.0), 0.0, 1e15)? as u64;
        let max_conns = num("--max-conns", Some(2_000.0), 1.0, 20_000.0)? as usize;
        let cfg = Open { port, path, rate, warmup_s, seconds, seed, max_conns };
        Ok(Box::new(move || run_open(&cfg).map(|r| r.to_json())))
    }
}
