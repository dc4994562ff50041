//! The reader's scenario as a query string (`io=1&n=50&…`): one key per field, parsed with every correction explained.
//!
//! The same string travels in a shared link, in the links between pages and
//! in the browser's local storage, so all three read and write it here.

use perfmodel::batch::{Batch, FanOut};
use perfmodel::scenario::Python;
use perfmodel::Scenario;

/// Query keys, each stated once.
pub(crate) const IO: &str = "io";
pub(crate) const N: &str = "n";
pub(crate) const MEM: &str = "mem";
pub(crate) const POOL: &str = "pool";
pub(crate) const CORES: &str = "cores";
pub(crate) const NODE_CPUS: &str = "ncpu";
pub const CPU: &str = "cpu";
pub(crate) const BG: &str = "bg";
pub(crate) const PY: &str = "py";
pub(crate) const MACHINE: &str = "machine";
pub(crate) const GETS: &str = "gets";
pub(crate) const BATCH_KEYS: &str = "keys";
pub(crate) const NODES: &str = "nodes";
pub(crate) const FOUND: &str = "found";
pub(crate) const FAN: &str = "fan";
pub(crate) const BATCHES: &str = "batches";
pub(crate) const GATHER: &str = "gather";

/// Every key of the scenario, in the order [`query`] writes them.
pub const KEYS: [&str; 17] = [IO, N, MEM, POOL, CORES, NODE_CPUS, CPU, BG, PY, MACHINE, GETS, BATCH_KEYS, NODES, FOUND, FAN, BATCHES, GATHER];

/// The official client's batch policies in a link: `fan=parallel`; absent is its default, one node after another.
pub(crate) const FANS: [(FanOut, &str); 2] = [(FanOut::Series, "series"), (FanOut::Parallel, "parallel")];

/// The CPython builds in a link: `py=ft` (3.14t, the official client re-enabling the GIL) or `py=ft-forced`; absent is the GIL build.
pub(crate) const PYTHONS: [(Python, &str); 3] = [(Python::Gil, "gil"), (Python::FreeThreaded, "ft"), (Python::FreeThreadedForced, "ft-forced")];

/// The local-storage item that holds the reader's scenario as a query string.
pub const STORAGE_KEY: &str = "aerospike-py-perf.scenario";

/// A scenario read from a query, and what was wrong with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub scenario: Scenario,
    /// Sentences about values that were clamped or ignored, each starting with `origin`.
    pub notes: Vec<String>,
    /// Whether the query set any scenario value at all.
    pub any: bool,
}

/// Parse `?io=..&n=..` into a valid scenario. `origin` names where the query
/// came from in the notes ("the link's", "your saved scenario's").
pub fn parse(search: &str, origin: &str) -> Parsed {
    let mut s = Scenario::default();
    let mut notes = Vec::new();
    let mut any = false;
    let whole = |x: f64| x.round().clamp(0.0, u32::MAX as f64) as u32;
    for pair in search.trim_start_matches('?').split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if !KEYS.contains(&k) {
            continue;
        }
        if k == PY {
            match PYTHONS.iter().find(|(_, key)| *key == v) {
                Some((py, _)) => {
                    s.python = *py;
                    any = true;
                }
                None => notes.push(format!("{origin} {k}={v:?} is not a Python build (gil, ft or ft-forced); ignored")),
            }
            continue;
        }
        if k == GATHER {
            // `gather=1`: the calls are awaited together; absent, one after another.
            match v {
                "1" | "0" => {
                    s.calls.gather = v == "1";
                    any = true;
                }
                _ => notes.push(format!("{origin} {k}={v:?} is neither 1 (the calls awaited together) nor 0; ignored")),
            }
            continue;
        }
        if k == FAN {
            match FANS.iter().find(|(_, key)| *key == v) {
                Some((fan, _)) => {
                    s.calls.batch.get_or_insert(Batch::START).fan_out = *fan;
                    any = true;
                }
                None => notes.push(format!("{origin} {k}={v:?} is not a batch policy (series or parallel); ignored")),
            }
            continue;
        }
        if k == MACHINE {
            match perfmodel::machine::PROFILES.iter().find(|p| p.key == v) {
                Some(p) => {
                    s.machine = p.machine;
                    any = true;
                }
                None => {
                    let keys: Vec<&str> = perfmodel::machine::PROFILES.iter().map(|p| p.key).collect();
                    notes.push(format!("{origin} {k}={v:?} is not a machine profile ({}); using the lab's", keys.join(" or ")));
                }
            }
            continue;
        }
        let Some(x) = v.parse::<f64>().ok().filter(|x| x.is_finite()) else {
            notes.push(format!("{origin} {k}={v:?} is not a number; ignored"));
            continue;
        };
        any = true;
        match k {
            IO => s.io_wait_ms = x,
            N => s.concurrency = whole(x),
            MEM => s.pod_limit_mib = x,
            POOL => s.pool = Some(whole(x)),
            CORES => s.cores = x,
            NODE_CPUS => s.node_cpus = Some(whole(x)),
            CPU => s.app_cpu_ms = x,
            GETS => s.calls.gets = whole(x),
            BATCH_KEYS => s.calls.batch.get_or_insert(Batch::START).keys = whole(x),
            NODES => s.calls.batch.get_or_insert(Batch::START).nodes = whole(x),
            FOUND => s.calls.batch.get_or_insert(Batch::START).found = x,
            BATCHES => {
                s.calls.batch.get_or_insert(Batch::START);
                s.calls.batches = whole(x);
            }
            _ => s.background_threads = whole(x),
        }
    }
    let (s, clamped) = s.clamped();
    notes.extend(clamped.into_iter().map(|n| format!("{origin} {n}")));
    Parsed { scenario: s, notes, any }
}

/// The scenario as `io=..&n=..&mem=..`, then each other field that differs
/// from the default (links stay short); no leading `?`.
pub fn query(s: &Scenario) -> String {
    let d = Scenario::default();
    let mut q = format!("{IO}={}&{N}={}&{MEM}={}", trim(s.io_wait_ms), s.concurrency, trim(s.pod_limit_mib));
    if let Some(p) = s.pool {
        q.push_str(&format!("&{POOL}={p}"));
    }
    if s.cores != d.cores {
        q.push_str(&format!("&{CORES}={}", trim(s.cores)));
    }
    if let Some(c) = s.node_cpus {
        q.push_str(&format!("&{NODE_CPUS}={c}"));
    }
    if s.app_cpu_ms != d.app_cpu_ms {
        q.push_str(&format!("&{CPU}={}", trim(s.app_cpu_ms)));
    }
    if s.background_threads != d.background_threads {
        q.push_str(&format!("&{BG}={}", s.background_threads));
    }
    if let Some((_, key)) = PYTHONS.iter().find(|(py, _)| *py == s.python && *py != d.python) {
        q.push_str(&format!("&{PY}={key}"));
    }
    if !s.machine.is_default() {
        q.push_str(&format!("&{MACHINE}={}", s.machine.profile().key));
    }
    if s.calls.gets != d.calls.gets {
        q.push_str(&format!("&{GETS}={}", s.calls.gets));
    }
    if let Some(b) = s.calls.batch {
        q.push_str(&format!("&{BATCH_KEYS}={}&{NODES}={}&{FOUND}={}", b.keys, b.nodes, trim(b.found)));
        if let Some((_, key)) = FANS.iter().find(|(f, _)| *f == b.fan_out && *f != FanOut::Series) {
            q.push_str(&format!("&{FAN}={key}"));
        }
        if s.calls.batches != 1 {
            q.push_str(&format!("&{BATCHES}={}", s.calls.batches));
        }
    }
    if s.calls.gather {
        q.push_str(&format!("&{GATHER}=1"));
    }
    q
}

/// The `key=value` pairs of a query whose key is not one of `keys`.
pub fn pairs_without(search: &str, keys: &[&str]) -> Vec<String> {
    search
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty() && !keys.contains(&p.split_once('=').map(|(k, _)| k).unwrap_or(p)))
        .map(String::from)
        .collect()
}

/// `search` with its scenario pairs replaced by `s`'s, other pairs (a
/// widget's own, such as the dashboard's run) kept after them; with `?`.
pub fn merged(search: &str, s: &Scenario) -> String {
    let mut q = query(s);
    for p in pairs_without(search, &KEYS) {
        q.push('&');
        q.push_str(&p);
    }
    format!("?{q}")
}

fn trim(v: f64) -> String {
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_queries_are_clamped_and_explained() {
        let p = parse("?io=1e99&n=-5&x=<script>", "the link's");
        // 1e99 ms and -5 callers: both clamped, both explained.
        assert!(p.any);
        assert_eq!(p.scenario.io_wait_ms, 10_000.0);
        assert_eq!(p.scenario.concurrency, 1);
        assert_eq!(p.notes.len(), 2, "{:?}", p.notes);
        assert!(p.notes.iter().all(|n| n.starts_with("the link's ")), "{:?}", p.notes);
        let p = parse("?io=abc&n=NaN", "the link's");
        assert_eq!(p.scenario, Scenario { concurrency: 50, ..Scenario::default() });
        assert_eq!((p.notes.len(), p.any), (2, false), "{:?}", p.notes);
        let p = parse("?io=2.5&n=300&mem=1024", "x");
        let s = p.scenario;
        assert_eq!((s.io_wait_ms, s.concurrency, s.pod_limit_mib, p.notes.len()), (2.5, 300, 1024.0, 0));
        let p = parse("?py=3.14", "the link's");
        assert_eq!((p.scenario.python, p.notes.len(), p.any), (Python::Gil, 1, false));
        let p = parse("?machine=cray", "the link's");
        assert_eq!((p.scenario.machine, p.any), (perfmodel::machine::Machine::Lab, false));
        assert_eq!(p.notes, ["the link's machine=\"cray\" is not a machine profile (lab or darwin); using the lab's"]);
        let p = parse("?pool=0&cores=4&cpu=2&bg=99&ncpu=5000", "your saved scenario's");
        let s = p.scenario;
        assert_eq!((s.pool, s.cores, s.app_cpu_ms, s.background_threads, s.node_cpus), (Some(1), 4.0, 2.0, 16, Some(1_024)));
        assert_eq!(p.notes.len(), 3, "{:?}", p.notes);
    }

    #[test]
    fn a_query_reads_back_as_the_same_scenario() {
        let s = Scenario {
            io_wait_ms: 1.25,
            concurrency: 500,
            pool: Some(64),
            cores: 2.0,
            node_cpus: Some(32),
            app_cpu_ms: 0.2,
            background_threads: 1,
            pod_limit_mib: 1024.0,
            python: Python::FreeThreaded,
            machine: perfmodel::machine::Machine::Darwin,
            ..Scenario::default()
        };
        let q = query(&s);
        assert_eq!(q, "io=1.25&n=500&mem=1024&pool=64&ncpu=32&cpu=0.2&bg=1&py=ft&machine=darwin");
        assert_eq!(parse(&q, "").scenario, s);
        assert_eq!(parse(&query(&Scenario::default()), "").scenario, Scenario::default());
        // A pod's fractional CPU limit reads back as it was written; below a quarter of a core it is clamped.
        let half = Scenario { cores: 0.5, ..s };
        assert!(query(&half).contains("&cores=0.5&"), "{}", query(&half));
        assert_eq!(parse(&query(&half), "").scenario, half);
        let p = parse("?cores=0.1", "the link's");
        assert_eq!((p.scenario.cores, p.notes.len()), (0.25, 1), "{:?}", p.notes);
        // A request of three batches of 200 keys on 8 nodes, in parallel, plus two gets, all awaited together.
        let b = Scenario {
            calls: perfmodel::batch::Calls {
                gets: 2,
                batch: Some(Batch { keys: 200, nodes: 8, found: 0.5, fan_out: FanOut::Parallel }),
                batches: 3,
                gather: true,
            },
            ..s
        };
        let qb = query(&b);
        assert!(qb.ends_with("&gets=2&keys=200&nodes=8&found=0.5&fan=parallel&batches=3&gather=1"), "{qb}");
        assert_eq!(parse(&qb, "").scenario, b);
        let p = parse("?keys=9000&nodes=0&found=2&fan=both", "the link's");
        let batch = p.scenario.calls.batch.expect("the link asks for a batch");
        assert_eq!((batch.keys, batch.nodes, batch.found, batch.fan_out), (5_000, 1, 1.0, FanOut::Series));
        assert_eq!(p.notes.len(), 4, "{:?}", p.notes);
        // A widget's own pairs survive, the old scenario's do not.
        assert_eq!(merged("?run=a.json&io=9&vs=b.json", &s), format!("?{q}&run=a.json&vs=b.json"));
    }
}
