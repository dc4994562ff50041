//! Number formatting shared by charts, readouts and summaries.

/// 26664.2 -> "26,664"; 0.5 -> "0.5"; small values keep two significant digits.
pub fn number(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    if v.abs() >= 100.0 {
        let s = format!("{:.0}", v.round());
        group(&s)
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else if v.abs() >= 1.0 {
        format!("{v:.2}")
    } else if v == 0.0 {
        "0".into()
    } else {
        let digits = (-v.abs().log10().floor()) as usize + 1;
        format!("{v:.digits$}")
    }
}

/// A share as a percentage with one decimal: 0.9995 -> "100.0%".
pub fn percent(share: f64) -> String {
    if share.is_finite() {
        format!("{:.1}%", share * 100.0)
    } else {
        "–".into()
    }
}

/// A CPU quota in words, as a pod's limit is written: "1 core", "2 cores", "0.5 cores", "2.25 cores".
pub fn cores(c: f64) -> String {
    if c == 1.0 {
        return "1 core".into();
    }
    let s = format!("{c:.2}");
    format!("{} cores", s.trim_end_matches('0').trim_end_matches('.'))
}

/// A whole count with thousands separators: 100000 -> "100,000".
pub fn count(v: u32) -> String {
    group(&v.to_string())
}

fn group(s: &str) -> String {
    let (sign, digits) = s.strip_prefix('-').map(|d| ("-", d)).unwrap_or(("", s));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

/// Axis labels on a log scale: 1, 10, 100, 1k, 10k, 100k.
pub fn si(v: f64) -> String {
    let short = |x: f64| if (x - x.round()).abs() < 1e-9 { format!("{}", x.round()) } else { number(x) };
    if v >= 1e6 {
        format!("{}M", short(v / 1e6))
    } else if v >= 1e3 {
        format!("{}k", short(v / 1e3))
    } else {
        short(v)
    }
}

/// Where the scenario bar's scenario comes from when the page opens at its own starting values.
pub const SCENARIO_BAR_PAGE_START: &str = "this page's starting point; changes follow you";

/// The reader's scenario in short words, one item per setting, for the
/// scenario bar: "1 ms I/O wait", "50 callers", "pool 6 (Python's default)"…
/// Settings at their default beyond the first four are left out.
pub fn scenario_words(s: &perfmodel::Scenario) -> Vec<String> {
    let d = perfmodel::Scenario::default();
    let plural = |n: u32, one: &str, many: &str| format!("{} {}", count(n), if n == 1 { one } else { many });
    let mut w = vec![
        format!("{} ms I/O wait", number(s.io_wait_ms)),
        plural(s.concurrency, "caller", "callers"),
        match s.pool {
            Some(p) => plural(p, "pool thread", "pool threads"),
            None => format!("pool {} (Python's default)", s.pool_size()),
        },
        cores(s.cores),
    ];
    if s.workers != d.workers {
        w.push(plural(s.workers, "worker process", "worker processes"));
    }
    if f64::from(s.node_cpu_count()) != s.cores {
        w.push(format!("node of {} CPUs", count(s.node_cpu_count())));
    }
    if s.web_server {
        w.push("behind a web server (FastAPI under uvicorn)".into());
    }
    if s.app_cpu_ms != d.app_cpu_ms {
        w.push(format!("{} ms Python work per request", number(s.app_cpu_ms)));
    }
    if s.background_threads != d.background_threads {
        w.push(plural(s.background_threads, "background thread", "background threads"));
    }
    w.push(format!("{} MiB pod", number(s.pod_limit_mib)));
    match s.python {
        perfmodel::scenario::Python::Gil => {}
        perfmodel::scenario::Python::FreeThreaded => w.push("Python 3.14t (GIL off for aerospike-py only)".into()),
        perfmodel::scenario::Python::FreeThreadedForced => w.push("Python 3.14t, GIL forced off".into()),
    }
    if !s.machine.is_default() {
        w.push(format!("costs of {}", s.machine.profile().label));
    }
    if let Some(b) = s.calls.batch {
        w.push(format!(
            "each request {} of {} over {}{}{}",
            if s.calls.batches == 1 { "a batch_read".to_string() } else { format!("{} batch_reads", count(s.calls.batches)) },
            plural(b.keys, "key", "keys"),
            plural(b.nodes, "node", "nodes"),
            if b.found < 1.0 { format!(", {} found", percent(b.found)) } else { String::new() },
            match b.fan_out {
                perfmodel::batch::FanOut::Series => "",
                perfmodel::batch::FanOut::Parallel => ", official client concurrent=True",
            }
        ));
    }
    if s.calls.gets != d.calls.gets {
        w.push(match (s.calls.batch.is_some(), s.calls.gets) {
            (_, 0) => "no get".into(),
            (true, n) => format!("then {}", plural(n, "get", "gets")),
            (false, n) => format!("{} per request", plural(n, "get", "gets")),
        });
    }
    if s.calls.gather && s.calls.count() >= 2 {
        w.push("the calls awaited together (asyncio.gather)".into());
    }
    w
}

/// The bar's words where the reader gave a load as a rate ("Your service"):
/// the rate per pod, as entered, in place of the requests in flight it implies.
pub fn scenario_words_at(s: &perfmodel::Scenario, rate: Option<f64>) -> Vec<String> {
    let mut w = scenario_words(s);
    if let Some(r) = rate {
        w[1] = format!("{} requests/s per pod (about {} in flight)", number(r), count(s.concurrency));
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn formats() {
        assert_eq!(number(26664.2), "26,664");
        assert_eq!([cores(1.0), cores(2.0), cores(0.5), cores(2.25), cores(256.0)], ["1 core", "2 cores", "0.5 cores", "2.25 cores", "256 cores"]);
        assert_eq!(number(1234567.0), "1,234,567");
        assert_eq!(number(12.345), "12.3");
        assert_eq!(number(0.0637), "0.064");
        assert_eq!(si(100_000.0), "100k");
        assert_eq!(si(2500.0), "2.50k");
        assert_eq!(si(10.0), "10");
        assert_eq!(si(1000.0), "1k");
    }
}
