//! `{{#service-notes}}`: the model at the stated settings of aerospike-py's production notes (a FastAPI service on Kubernetes under k6), beside what the notes measured, and what it explains and what not.

use charts::format::{cores, number};
use perfmodel::batch::{Batch, Calls, Fan, FanOut};
use perfmodel::{predict_curve, Params, Pattern, Scenario};
use serde::Deserialize;

use crate::BookEnv;

pub(crate) const TOKEN: &str = "{{#service-notes}}";

/// The figures file, under the book's source folder.
const FILE: &str = "reports/production/service-notes.json";

/// The share of the model's inference that holds the GIL. The notes do not
/// measure it: PyTorch runs its operators with the GIL released, and only
/// the Python that calls them holds it; 5% is this page's assumption, and
/// the sentences below say how much the answer moves with it.
pub(crate) const INFERENCE_GIL_SHARE: f64 = 0.05;

/// The same with the GIL held a quarter of the time, to show what the assumption is worth.
const INFERENCE_GIL_SHARE_HIGH: f64 = 0.25;

#[derive(Debug, Deserialize)]
struct Notes {
    settings: Settings,
    offload: Offload,
    clients: Clients,
    gather: Gather,
}

#[derive(Debug, Deserialize)]
struct Settings {
    vus: u32,
    replicas: u32,
    cpu_per_replica: f64,
    workers: u32,
    nodes: u32,
    keys: u32,
    handler_ms: f64,
    inference_ms: f64,
    batch_io_ms: [f64; 2],
}

#[derive(Debug, Deserialize)]
struct Offload {
    before_rps: f64,
    after_rps: f64,
    before_mean_ms: f64,
    after_mean_ms: f64,
}

#[derive(Debug, Deserialize)]
struct Clients {
    official_mean_ms: f64,
    py_async_mean_ms: f64,
}

#[derive(Debug, Deserialize)]
struct Gather {
    py_async_gather_mean_ms: f64,
    py_async_single_mean_ms: f64,
    official_gather_mean_ms: f64,
    official_single_mean_ms: f64,
    /// One of the gathered calls: its keys, and aerospike-py's own timing of
    /// parsing them (GIL held) and of converting its records (`as_dict`).
    calls: u32,
    keys_per_call: u32,
    key_parse_ms: f64,
    as_dict_ms: f64,
}

/// The model at one replica's settings: closed loop at the VUs per replica,
/// behind the web server, the handler's work on the loop, the inference on
/// it (`offload` false) or awaited on the executor's pool, one batch read of
/// every key over the nodes, each node request waiting `node_ms`.
struct Model<'a> {
    st: &'a Settings,
    p: Params,
}

/// One pattern's closed-loop answer for the whole service: requests/s over every replica, and the mean latency.
#[derive(Debug, Clone, Copy)]
struct Answer {
    rps: f64,
    mean_ms: f64,
}

impl Model<'_> {
    fn in_flight(&self) -> u32 {
        (self.st.vus / self.st.replicas.max(1)).max(1)
    }

    fn scenario(&self, node_ms: f64, offload: bool, share: f64) -> Scenario {
        let st = self.st;
        let batch = Batch { keys: st.keys, nodes: st.nodes, found: 1.0, fan_out: FanOut::Series };
        Scenario {
            io_wait_ms: node_ms,
            concurrency: self.in_flight(),
            cores: st.cpu_per_replica,
            workers: st.workers,
            web_server: true,
            app_cpu_ms: st.handler_ms + if offload { 0.0 } else { st.inference_ms },
            offload_cpu_ms: if offload { st.inference_ms } else { 0.0 },
            offload_gil_share: share,
            calls: Calls { gets: 0, batch: Some(batch), batches: 1, gather: false },
            ..Scenario::default()
        }
    }

    /// The same request reading its keys in `calls` batch reads awaited together.
    fn gathered(&self, s: &Scenario, calls: u32) -> Scenario {
        let mut g = *s;
        g.calls.batches = calls;
        g.calls.gather = true;
        if let Some(b) = g.calls.batch.as_mut() {
            b.keys = self.st.keys / calls.max(1);
        }
        g
    }

    fn answer(&self, pattern: Pattern, s: &Scenario) -> Option<Answer> {
        let pt = predict_curve(pattern, &self.p, s, &[s.concurrency]).ok()?.into_iter().next()?;
        Some(Answer { rps: pt.throughput_ops_s * f64::from(self.st.replicas), mean_ms: pt.latency_ms.mean })
    }

    /// The wait of one node request at which aerospike-py's batch (every
    /// node at once) waits `batch_ms` in all: the notes time the batch's
    /// network wait, not a node's.
    fn node_ms(&self, batch_ms: f64) -> f64 {
        let one = Fan::new(1.0, self.st.keys, self.st.nodes, FanOut::Parallel, self.p.io_jitter).mean_us;
        batch_ms / one.max(1e-9)
    }
}

/// A change as readers say it: "+76%", "−33%".
fn change(r: f64) -> String {
    if (r - 1.0).abs() < 0.005 {
        "0%".into()
    } else if r >= 1.0 {
        format!("+{:.0}%", (r - 1.0) * 100.0)
    } else {
        format!("−{:.0}%", (1.0 - r) * 100.0)
    }
}

/// A share in whole percent: "5%".
fn share(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// Whether `x` lies within the span of `ys`, and where it is otherwise.
fn place(x: f64, ys: &[f64]) -> std::cmp::Ordering {
    let lo = ys.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = ys.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if x < lo * 0.999 {
        std::cmp::Ordering::Less
    } else if x > hi * 1.001 {
        std::cmp::Ordering::Greater
    } else {
        std::cmp::Ordering::Equal
    }
}

fn read(env: &BookEnv) -> Result<Notes, String> {
    let path = env.src_dir.join(FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{FILE} could not be read ({e})"))?;
    serde_json::from_str(&text).map_err(|e| format!("{FILE} is not the expected figures file ({e})"))
}

/// The table and the sentences, or a sentence saying why there are none.
pub(crate) fn table(env: &BookEnv) -> String {
    match read(env) {
        Ok(n) => render(&n),
        Err(why) => format!("\n\n*The production notes' figures are missing here: {why}.*\n\n"),
    }
}

fn render(n: &Notes) -> String {
    let m = Model { st: &n.settings, p: Params::default() };
    let waits: Vec<f64> = n.settings.batch_io_ms.iter().map(|&b| m.node_ms(b)).collect();
    // Per wait: aerospike-py before and after moving the inference, and both clients after.
    let mut offload_rps = Vec::new();
    let mut offload_mean = Vec::new();
    let mut offload_rps_high = Vec::new();
    let mut clients = Vec::new();
    let mut merged_asp = Vec::new();
    let mut merged_official = Vec::new();
    let mut cells: Vec<[String; 4]> = Vec::new();
    let g = &n.gather;
    for &w in &waits {
        // Before the inference moved (the notes merged the batches first): nine gathered against one.
        let one = m.scenario(w, false, INFERENCE_GIL_SHARE);
        let nine = m.gathered(&one, g.calls);
        let merge = |pattern| -> Option<f64> { Some(m.answer(pattern, &one)?.mean_ms / m.answer(pattern, &nine)?.mean_ms) };
        let (Some(ma), Some(mo)) = (merge(Pattern::Tokio), merge(Pattern::Executor)) else {
            return "\n\n*The model has no answer at the production notes' settings.*\n\n".into();
        };
        merged_asp.push(ma);
        merged_official.push(mo);
        let (Some(before), Some(after), Some(high), Some(official)) = (
            m.answer(Pattern::Tokio, &m.scenario(w, false, INFERENCE_GIL_SHARE)),
            m.answer(Pattern::Tokio, &m.scenario(w, true, INFERENCE_GIL_SHARE)),
            m.answer(Pattern::Tokio, &m.scenario(w, true, INFERENCE_GIL_SHARE_HIGH)),
            m.answer(Pattern::Executor, &m.scenario(w, true, INFERENCE_GIL_SHARE)),
        ) else {
            return "\n\n*The model has no answer at the production notes' settings.*\n\n".into();
        };
        offload_rps.push(after.rps / before.rps);
        offload_rps_high.push(high.rps / before.rps);
        offload_mean.push(after.mean_ms / before.mean_ms);
        clients.push(official.mean_ms / after.mean_ms);
        cells.push([
            format!("{} ({} → {})", change(after.rps / before.rps), number(before.rps), number(after.rps)),
            format!("{} ({} → {} ms)", change(after.mean_ms / before.mean_ms), number(before.mean_ms), number(after.mean_ms)),
            format!("{}× ({} / {} ms)", number(official.mean_ms / after.mean_ms), number(official.mean_ms), number(after.mean_ms)),
            format!("aerospike-py {}, official {}", change(ma), change(mo)),
        ]);
    }
    let (o, c) = (&n.offload, &n.clients);
    let measured = [
        format!("{} ({} → {})", change(o.after_rps / o.before_rps), o.before_rps, o.after_rps),
        format!("{} ({} → {} ms)", change(o.after_mean_ms / o.before_mean_ms), o.before_mean_ms, o.after_mean_ms),
        format!("{}× ({} / {} ms)", number(c.official_mean_ms / c.py_async_mean_ms), c.official_mean_ms, c.py_async_mean_ms),
        format!(
            "aerospike-py {}, official {}",
            change(g.py_async_single_mean_ms / g.py_async_gather_mean_ms),
            change(g.official_single_mean_ms / g.official_gather_mean_ms)
        ),
    ];
    let nine_label =
        format!("{} `batch_read`s of {} keys awaited with `asyncio.gather`, then one of all their keys: mean latency", g.calls, g.keys_per_call);
    let labels = [
        "Inference moved to `run_in_executor` (aerospike-py): requests/s",
        "The same change: mean latency",
        "The official client (through `run_in_executor`) against aerospike-py: mean latency",
        nine_label.as_str(),
    ];
    let st = &n.settings;
    let mut out = format!(
        "\n\n| What the note measured | Measured | Model, batch wait {} ms (each node {} ms) | Model, batch wait {} ms (each node {} ms) |\n|---|---|---|---|\n",
        st.batch_io_ms[0],
        number(waits[0]),
        st.batch_io_ms[1],
        number(waits[1]),
    );
    for (i, label) in labels.iter().enumerate() {
        out.push_str(&format!("| {label} | {} | {} | {} |\n", measured[i], cells[0][i], cells[1][i]));
    }
    out.push_str(&format!(
        "\n\nThe model is set to each replica as the notes state it: {} requests in flight ({} VUs over {} replicas), {} worker process, {}, \
         FastAPI's cost per request as the service lab measured it, {} ms of the handler's Python on the loop, {} ms of inference (on the loop before the \
         change, awaited on the executor's pool after it, holding the GIL {} of the time: the notes do not measure that share, and PyTorch runs its \
         operators with the GIL released, so this is an assumption, and the sentences below say what it is worth), and one `batch_read` of {} keys over {} nodes, every key found, \
         each client with its default batch policy. The notes time a batch's network wait ({}–{} ms) but not its nodes' round trips: the two model columns \
         take each node request's wait as the one that gives aerospike-py's batch that wait.",
        m.in_flight(),
        st.vus,
        st.replicas,
        st.workers,
        cores(st.cpu_per_replica),
        st.handler_ms,
        st.inference_ms,
        share(INFERENCE_GIL_SHARE),
        charts::format::count(st.keys),
        st.nodes,
        st.batch_io_ms[0],
        st.batch_io_ms[1],
    ));
    out.push_str(&sentences(n, &offload_rps, &offload_rps_high, &offload_mean, &clients, (&merged_asp, &merged_official)));
    out.push_str("\n\n");
    out
}

/// What the comparison explains and what not, each from the numbers above.
fn sentences(n: &Notes, rps: &[f64], rps_high: &[f64], mean: &[f64], clients: &[f64], merged: (&[f64], &[f64])) -> String {
    use std::cmp::Ordering::*;
    let (o, c) = (&n.offload, &n.clients);
    let span = |ys: &[f64]| {
        let lo = ys.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = ys.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if change(lo) == change(hi) {
            change(lo)
        } else {
            format!("{} to {}", change(lo), change(hi))
        }
    };
    let measured_rps = o.after_rps / o.before_rps;
    let mut s = format!(
        "\n\n**Moving the inference off the loop.** The model gains {} requests/s where the note measured {}",
        span(rps),
        change(measured_rps)
    );
    s.push_str(match place(measured_rps, rps) {
        Equal => ": the model explains the gain.",
        Less => ": the model promises more than the service gained.",
        Greater => ": the service gained more than the model promises.",
    });
    s.push_str(&format!(
        " With the inference holding the GIL {} of the time instead of {}, the model's gain is {}.",
        share(INFERENCE_GIL_SHARE_HIGH),
        share(INFERENCE_GIL_SHARE),
        span(rps_high)
    ));
    let measured_mean = o.after_mean_ms / o.before_mean_ms;
    s.push_str(&format!(" Its mean latency changes by {} where the note measured {}", span(mean), change(measured_mean)));
    s.push_str(match place(measured_mean, mean) {
        Equal => ", within the model's range.",
        Less => ": the service's latency fell further than the model's.",
        Greater => ": the service's latency fell less than the model's.",
    });
    s.push_str(&format!(
        " The model's requests/s are those of every VU at aerospike-py's endpoint. The note's are not: {} VUs waiting {} ms each would make {} \
         requests/s, and it counted {}, as the notes' k6 script sends each VU to the official client's endpoint in turn \
         (k6-runtime-client-comparison.md). So only the change is compared.",
        n.settings.vus,
        o.before_mean_ms,
        number(f64::from(n.settings.vus) * 1e3 / o.before_mean_ms),
        o.before_rps
    ));
    let measured_clients = c.official_mean_ms / c.py_async_mean_ms;
    s.push_str(&format!(
        "\n\n**The two clients.** In the notes' last run of both clients, with one batch read per request, the note puts the official client's \
         mean latency at {1}× aerospike-py's; the model, with the inference off the loop, at {0}",
        clients.iter().map(|r| format!("{}×", number(*r))).collect::<Vec<_>>().join(" to "),
        number(measured_clients)
    ));
    s.push_str(match place(measured_clients, clients) {
        Equal => ". The model explains the gap.",
        Less => ". The service measured the clients closer than the model puts them. The model charges the official client's default policy a wait per node, one node after another, and every record's conversion on a pool thread that needs the GIL; whatever the service did to narrow that, the notes do not say.",
        Greater => ". The service measured a wider gap than the model's.",
    });
    let g = &n.gather;
    let p = Params::default();
    let keys = f64::from(g.keys_per_call);
    let (parse, convert) = (keys * p.asp_batch_key_gil_us / 1e3, keys * p.asp_batch_record_gil_us / 1e3);
    let (asp, official) = (g.py_async_single_mean_ms / g.py_async_gather_mean_ms, g.official_single_mean_ms / g.official_gather_mean_ms);
    s.push_str(&format!(
        "\n\n**One batch read instead of {}.** Merging the {} gathered `batch_read`s into one changed the mean latency by {} for aerospike-py and \
         {} for the official client in the notes; in the model, with the inference still on the loop as it was then, by {} and {}. ",
        g.calls,
        g.calls,
        change(asp),
        change(official),
        span(merged.0),
        span(merged.1),
    ));
    s.push_str(match (place(asp, merged.0), place(official, merged.1)) {
        (Equal, Equal) => "The model explains both.",
        (Less, _) | (_, Less) => "The service gained more from merging than the model does.",
        _ => "The service gained less from merging than the model does.",
    });
    s.push_str(&format!(
        " The notes time one call of {} keys parsing its keys in {} ms and converting its records in {} ms, with the GIL held; the model, from the \
         lab, charges {} ms and {} ms for as many keys and records. {}",
        g.keys_per_call,
        g.key_parse_ms,
        g.as_dict_ms,
        number(parse),
        number(convert),
        match place(g.key_parse_ms, &[parse * 0.8, parse * 1.25]) {
            Greater => format!(
                "Parsing keys took the service {}× what it takes the lab: the notes' keys, or their machine, cost more than the lab's, and the \
                 model does not know by how much.",
                number(g.key_parse_ms / parse)
            ),
            _ => "Both are within a quarter of the lab's costs.".to_string(),
        }
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notes() -> Notes {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../book/", "reports/production/service-notes.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    /// Every figure of the table is the file's or the model's; the sentences follow where the measurement falls.
    #[test]
    fn the_notes_beside_the_model() {
        let n = notes();
        let out = render(&n);
        // The measured column is the file's figures as they stand.
        assert!(out.contains("| +76% (30.8 → 54.2) |"), "{out}");
        assert!(out.contains("| −33% (129 → 87 ms) |"), "{out}");
        assert!(out.contains("| 1.23× (74.7 / 60.8 ms) |"), "{out}");
        assert!(out.contains("aerospike-py −33%, official −25%"), "{out}");
        // The per-call stage timings beside the lab's costs for the same keys.
        let p = Params::default();
        let parse = number(200.0 * p.asp_batch_key_gil_us / 1e3);
        assert!(
            out.contains(&format!(
                "parsing its keys in 1.46 ms and converting its records in 0.79 ms, with the GIL held; the model, from the lab, charges {parse} ms"
            )),
            "{out}"
        );
        // The model's cells at the two waits, recomputed here.
        let m = Model { st: &n.settings, p: Params::default() };
        for b in n.settings.batch_io_ms {
            let w = m.node_ms(b);
            let one = Fan::new(w * 1e3, n.settings.keys, n.settings.nodes, FanOut::Parallel, m.p.io_jitter).mean_us / 1e3;
            assert!((one - b).abs() < 1e-9, "a batch waits {one} ms at {w} ms a node, want {b}");
            let before = m.answer(Pattern::Tokio, &m.scenario(w, false, INFERENCE_GIL_SHARE)).unwrap();
            let after = m.answer(Pattern::Tokio, &m.scenario(w, true, INFERENCE_GIL_SHARE)).unwrap();
            assert!(after.rps > before.rps, "moving the inference off the loop gains requests/s at {w} ms");
            assert!(out.contains(&format!("{} ({} → {})", change(after.rps / before.rps), number(before.rps), number(after.rps))), "{out}");
        }
        // The merge row: nine gathered batch reads of 200 keys against one of 1,800, inference on the loop.
        let w = m.node_ms(n.settings.batch_io_ms[0]);
        let one = m.scenario(w, false, INFERENCE_GIL_SHARE);
        let nine = m.gathered(&one, 9);
        assert_eq!((nine.calls.batches, nine.calls.batch.unwrap().keys, nine.calls.gather), (9, 200, true));
        let r = |pattern| m.answer(pattern, &one).unwrap().mean_ms / m.answer(pattern, &nine).unwrap().mean_ms;
        assert!(out.contains(&format!("| aerospike-py {}, official {} |", change(r(Pattern::Tokio)), change(r(Pattern::Executor)))), "{out}");
        assert_eq!(m.in_flight(), 5);
        assert!(out.contains("5 requests in flight (10 VUs over 2 replicas)"), "{out}");
    }

    #[test]
    fn a_broken_file_is_said_not_panicked() {
        let dir = std::env::temp_dir().join(format!("service-notes-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("reports/production")).unwrap();
        std::fs::write(dir.join(FILE), "{ not json").unwrap();
        let env = BookEnv::new(dir.clone(), String::new());
        let out = table(&env);
        assert!(out.contains("is not the expected figures file"), "{out}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
