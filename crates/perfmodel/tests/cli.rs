//! The `perfmodel` command line: JSON shapes, the grid, and clear errors.

use std::io::Write;
use std::process::{Command, Stdio};

fn perfmodel(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut child =
        Command::new(env!("CARGO_BIN_EXE_perfmodel")).args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn predict_prints_every_documented_field() {
    for solver in ["analytic", "sim"] {
        let (code, out, err) = perfmodel(&["predict", "--pattern", "executor", "--io-wait-ms", "1", "--concurrency", "50", "--solver", solver], None);
        assert_eq!(code, 0, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        for key in ["throughput_ops_s", "gil_utilization", "threads", "in_flight", "queued"] {
            assert!(v[key].is_number(), "{solver}: {key} missing in {out}");
        }
        for key in ["mean", "p50", "p99"] {
            assert!(v["latency_ms"].get(key).is_some(), "{solver}: latency_ms.{key}");
        }
        assert!(v["memory_mib"]["resident"].is_number() && v["memory_mib"]["reserved"].is_number());
        // The executor at 1 ms and a default pool of 6 is pool-bound: P / W at most.
        assert!(v["throughput_ops_s"].as_f64().unwrap() <= 6.0 / 1e-3);
        if solver == "sim" {
            assert!(v["latency_ms"]["p99"].as_f64().unwrap() >= v["latency_ms"]["p50"].as_f64().unwrap());
        }
    }
}

#[test]
fn params_lists_every_default_with_provenance() {
    let (code, out, _) = perfmodel(&["params"], None);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let list = v["params"].as_array().unwrap();
    assert_eq!(list.len(), perfmodel::Params::describe().len());
    for p in list {
        for key in ["name", "unit", "min", "max", "default", "provenance"] {
            assert!(p.get(key).is_some(), "{p}");
        }
    }
    let machines = v["machines"].as_array().unwrap();
    assert_eq!(machines.len(), perfmodel::machine::PROFILES.len());
    assert_eq!(machines[0]["key"], "lab", "the lab's profile first, the default");
}

#[test]
fn a_machine_profile_changes_the_costs() {
    let at = |m: &str| {
        let (code, out, err) = perfmodel(&["predict", "--pattern", "sync", "--io-wait-ms", "0", "--concurrency", "1", "--machine", m], None);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str::<serde_json::Value>(&out).unwrap()["latency_ms"]["mean"].as_f64().unwrap()
    };
    let (lab, darwin) = (at("lab"), at("darwin"));
    let speed = perfmodel::machine::Machine::Darwin.profile().speed;
    // One caller, no wait: the latency is the client's CPU, scaled by the profile's speed.
    assert!((darwin / lab - speed).abs() < 1e-6, "{darwin} / {lab} against {speed}");
}

#[test]
fn grid_answers_each_point_in_order() {
    let input = r#"[{"pattern":"tokio","io_wait_ms":1,"concurrency":10},
                    {"pattern":"sync","io_wait_ms":1,"concurrency":10},
                    {"pattern":"tokio","io_wait_ms":1,"concurrency":1000,"solver":"sim","seed":3}]"#;
    let (code, out, err) = perfmodel(&["grid"], Some(input));
    assert_eq!(code, 0, "{err}");
    let v: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(v.len(), 3);
    assert_eq!(v[0]["pattern"], "tokio");
    assert_eq!(v[1]["pattern"], "sync");
    assert!(v[0]["throughput_ops_s"].as_f64() > v[1]["throughput_ops_s"].as_f64());
    assert_eq!(v[2]["solver"], "sim");
}

#[test]
fn arrival_rate_gives_an_open_load_and_says_when_it_is_unstable() {
    let (code, out, err) = perfmodel(&["predict", "--pattern", "executor", "--io-wait-ms", "87", "--arrival-rate", "50"], None);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["open"]["stable"], true);
    assert_eq!(v["open"]["limit"], "pool");
    assert!((v["throughput_ops_s"].as_f64().unwrap() - 50.0).abs() < 1e-9);
    // Python's default pool on 2 cores is 6 threads: 6 / 87 ms is about 69 requests/s.
    let (code, out, _) = perfmodel(&["predict", "--pattern", "executor", "--io-wait-ms", "87", "--arrival-rate", "100", "--timeout-ms", "250"], None);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["open"]["stable"], false);
    let growth = v["open"]["backlog_growth_per_s"].as_f64().unwrap();
    let cap = v["open"]["capacity_ops_s"].as_f64().unwrap();
    assert!((growth - (100.0 - cap)).abs() < 1e-6 && cap > 60.0 && cap < 69.0, "growth {growth}, capacity {cap}");
    assert!(v["latency_ms"]["mean"].is_null(), "no mean latency for a queue that grows without bound");
}

#[test]
fn bad_input_gets_a_clear_message_and_exit_code_2() {
    let cases: &[(&[&str], &str)] = &[
        (&["predict", "--pattern", "tokio", "--io-wait-ms", "-1", "--concurrency", "5"], "io_wait_ms = -1 is out of range"),
        (&["predict", "--pattern", "fast", "--io-wait-ms", "1", "--concurrency", "5"], "invalid value 'fast' for '--pattern"),
        (&["predict", "--pattern", "tokio", "--io-wait-ms", "x", "--concurrency", "5"], "invalid value 'x' for '--io-wait-ms"),
        (&["predict", "--pattern", "tokio", "--io-wait-ms", "1"], "--concurrency <N>|--arrival-rate <R>"),
        (&["predict", "--pattern", "tokio", "--io-wait-ms", "1", "--concurrency", "5", "--arrival-rate", "100"], "cannot be used with"),
        (
            &["predict", "--pattern", "tokio", "--io-wait-ms", "1", "--concurrency", "5", "--timeout-ms", "100"],
            "apply to an open load: give --arrival-rate",
        ),
        (&["predict", "--pattern", "tokio", "--io-wait-ms", "1", "--arrival-rate", "100", "--burstiness", "0.5"], "burstiness = 0.5 is out of range"),
        (&["predict", "--pattern", "tokio", "--io-wait-ms", "1", "--arrival-rate", "0"], "arrival_rate = 0 is out of range"),
        (&["predict", "--pattern", "tokio", "--io-wait-ms", "1", "--concurrency", "0"], "concurrency = 0 is out of range"),
        (
            &["predict", "--pattern", "tokio", "--io-wait-ms", "1", "--concurrency", "5", "--machine", "cray"],
            "--machine \"cray\": expected lab or darwin",
        ),
        (&["frobnicate"], "unrecognized subcommand"),
    ];
    for (args, want) in cases {
        let (code, _, err) = perfmodel(args, None);
        assert_eq!(code, 2, "{args:?}");
        assert!(err.contains(want), "{args:?}: {err}");
    }
    let (code, _, err) = perfmodel(&["grid"], Some("[{\"pattern\":\"tokio\",\"io_wait_ms\":1,\"concurrency\":-4}]"));
    assert_eq!(code, 2);
    assert!(err.contains("stdin is not a JSON list"), "{err}");
}

#[test]
fn help_prints_usage_for_the_tool_and_each_command() {
    for args in [&["--help"][..], &["-h"], &["predict", "--help"], &["grid", "-h"], &["help", "params"]] {
        let (code, out, err) = perfmodel(args, None);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(out.contains("Usage: perfmodel"), "{args:?}: {out}");
    }
    let (_, out, _) = perfmodel(&["predict", "--help"], None);
    for flag in ["--pattern", "--io-wait-ms", "--concurrency", "--arrival-rate", "--timeout-ms", "--machine", "--solver", "--params"] {
        assert!(out.contains(flag), "predict --help names {flag}");
    }
    let (code, _, err) = perfmodel(&[], None);
    assert_eq!(code, 2, "no command is an error, with the usage");
    assert!(err.contains("Usage: perfmodel"), "{err}");
}

#[test]
fn a_batch_read_over_a_cluster_waits_for_its_nodes_in_turn_or_at_once() {
    let mean = |pattern: &str, extra: &[&str]| {
        let mut args = vec![
            "predict",
            "--pattern",
            pattern,
            "--io-wait-ms",
            "5",
            "--concurrency",
            "1",
            "--operation",
            "batch-read",
            "--keys",
            "200",
            "--nodes",
            "8",
        ];
        args.extend_from_slice(extra);
        let (code, out, err) = perfmodel(&args, None);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str::<serde_json::Value>(&out).unwrap()["latency_ms"]["mean"].as_f64().unwrap()
    };
    // Nine batch reads of a set each, in turn and awaited together.
    let (turn, together) = (mean("tokio", &["--batches", "9"]), mean("tokio", &["--batches", "9", "--gather"]));
    assert!(turn > 3.0 * together, "nine batch reads in turn {turn} ms, together {together} ms");
    // 200 keys over 8 nodes visit all 8: one after another, at least 8 waits of 5 ms.
    let series = mean("sync", &[]);
    assert!(series >= 40.0, "{series}");
    // At once, the slowest of 8: well under that, above one wait.
    let parallel = mean("sync", &["--fan-out", "parallel"]);
    assert!(parallel > 5.0 && parallel < 0.5 * series, "{parallel} against {series}");
    // aerospike-py always sends them at once.
    let tokio = mean("tokio", &[]);
    assert!(tokio < 0.5 * series, "{tokio} against {series}");
    let (code, _, err) = perfmodel(&["predict", "--pattern", "tokio", "--io-wait-ms", "1", "--concurrency", "1", "--keys", "50"], None);
    assert_eq!(code, 2);
    assert!(err.contains("give --operation batch-read"), "{err}");
    let (code, _, err) =
        perfmodel(&["predict", "--pattern", "tokio", "--io-wait-ms", "1", "--concurrency", "1", "--operation", "batch-read", "--keys", "9000"], None);
    assert_eq!(code, 2);
    assert!(err.contains("keys = 9000 is out of range"), "{err}");
}

/// A web service's flags: a plain def endpoint as a pattern, the handler's
/// work under its other name, gets per request, work awaited on the pool:
/// each changes the answer the way the model says, and a wrong mix is refused.
#[test]
fn a_web_services_flags() {
    let run = |extra: &[&str]| {
        let mut args = vec!["predict", "--io-wait-ms", "1", "--arrival-rate", "500", "--node-cpus", "16", "--web-server"];
        args.extend_from_slice(extra);
        let (code, out, err) = perfmodel(&args, None);
        assert_eq!(code, 0, "{extra:?}: {err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["open"]["capacity_ops_s"].as_f64().unwrap()
    };
    let one = run(&["--pattern", "threadpool", "--cores", "0.5"]);
    let three = run(&["--pattern", "threadpool", "--cores", "0.5", "--calls", "3"]);
    assert!(three < one, "three gets per request: {three}, one: {one}");
    let handler = run(&["--pattern", "executor", "--handler-cpu-ms", "2"]);
    let app = run(&["--pattern", "executor", "--app-cpu-ms", "2"]);
    assert_eq!(handler, app);
    let on_loop = run(&["--pattern", "tokio", "--cores", "2", "--app-cpu-ms", "5"]);
    let moved = run(&["--pattern", "tokio", "--cores", "2", "--offload-cpu-ms", "5", "--offload-gil-share", "0.1"]);
    assert!(moved > on_loop, "work moved off the loop: {moved}, on it: {on_loop}");
    let (code, _, err) = perfmodel(
        &["predict", "--pattern", "executor", "--io-wait-ms", "1", "--concurrency", "5", "--operation", "batch-read", "--calls", "2"],
        None,
    );
    assert_eq!(code, 2);
    assert!(err.contains("--gets gives the gets beside the batch"), "{err}");
    // Four gets awaited together: the request waits for the slowest, not for all four.
    let mean = |extra: &[&str]| {
        let mut args = vec!["predict", "--pattern", "tokio", "--io-wait-ms", "5", "--concurrency", "1", "--calls", "4"];
        args.extend_from_slice(extra);
        let (code, out, err) = perfmodel(&args, None);
        assert_eq!(code, 0, "{extra:?}: {err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["latency_ms"]["mean"].as_f64().unwrap_or_else(|| panic!("{out}"))
    };
    let (series, gathered) = (mean(&[]), mean(&["--gather"]));
    assert!(series > 19.0 && gathered < 8.0, "in series {series} ms, gathered {gathered} ms");
    let (code, _, err) = perfmodel(&["predict", "--pattern", "tokio", "--io-wait-ms", "1", "--concurrency", "5", "--batches", "9"], None);
    assert_eq!(code, 2);
    assert!(err.contains("give --operation batch-read"), "{err}");
}
