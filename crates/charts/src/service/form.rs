//! The form that describes a service: its numeric fields, choices and example buttons as HTML, and how one edit changes a service (clamped and explained).

use perfmodel::scenario::{range, Python};

use perfmodel::batch::{Batch, FanOut};

use super::describe::{limits, presets, Load, Objective, Service, OBJECTIVES, OFFICIALS};
use crate::format::number;
use crate::html::esc;

/// One numeric input of the form: its key, label, group, range and step, and how it reads and writes a service.
#[derive(Clone, Copy)]
pub struct Field {
    pub key: &'static str,
    pub label: &'static str,
    pub group: Group,
    pub range: (f64, f64),
    pub step: f64,
    pub get: fn(&Service) -> f64,
    pub set: fn(&mut Service, f64),
}

/// The form's four groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Database,
    Request,
    Load,
    Process,
}

impl Group {
    pub const ALL: [Group; 4] = [Group::Database, Group::Request, Group::Load, Group::Process];
    pub fn legend(self) -> &'static str {
        match self {
            Group::Database => "The database",
            Group::Request => "Each request",
            Group::Load => "The load",
            Group::Process => "The processes",
        }
    }
}

/// The request's batch read, or the starting one when a field of it is set first.
fn batch_mut(s: &mut Service) -> &mut Batch {
    s.calls.batch.get_or_insert(Batch::START)
}

/// Every numeric input, in order.
pub const FIELDS: [Field; 18] = [
    Field {
        key: "rtt",
        label: "Network round trip to the node (ms)",
        group: Group::Database,
        range: limits::RTT_MS,
        step: 0.01,
        get: |s| s.rtt_ms,
        set: |s, v| s.rtt_ms = v,
    },
    Field {
        key: "server",
        label: "Server time per read (ms)",
        group: Group::Database,
        range: limits::SERVER_MS,
        step: 0.01,
        get: |s| s.server_ms,
        set: |s, v| s.server_ms = v,
    },
    Field {
        key: "gets",
        label: "Single-record gets",
        group: Group::Request,
        range: range::GETS,
        step: 1.0,
        get: |s| s.calls.gets as f64,
        set: |s, v| s.calls.gets = whole(v),
    },
    Field {
        key: "keys",
        label: "Keys in one batch_read (0: none)",
        group: Group::Request,
        range: (0.0, range::KEYS.1),
        step: 1.0,
        get: |s| s.calls.batch.map_or(0.0, |b| b.keys as f64),
        set: |s, v| {
            if whole(v) == 0 {
                s.calls.batch = None;
            } else {
                batch_mut(s).keys = whole(v);
            }
        },
    },
    Field {
        key: "batches",
        label: "How many such batch_reads (one per set, say)",
        group: Group::Request,
        range: range::BATCHES,
        step: 1.0,
        get: |s| s.calls.batches as f64,
        set: |s, v| {
            batch_mut(s);
            s.calls.batches = whole(v);
        },
    },
    Field {
        key: "nodes",
        label: "Nodes in the cluster",
        group: Group::Request,
        range: range::NODES,
        step: 1.0,
        get: |s| s.calls.batch.unwrap_or(Batch::START).nodes as f64,
        set: |s, v| batch_mut(s).nodes = whole(v),
    },
    Field {
        key: "found",
        label: "Keys that have a record (%)",
        group: Group::Request,
        range: (0.0, 100.0),
        step: 1.0,
        get: |s| s.calls.batch.unwrap_or(Batch::START).found * 100.0,
        set: |s, v| batch_mut(s).found = v / 100.0,
    },
    Field {
        key: "load",
        label: "How many",
        group: Group::Load,
        range: (1.0, limits::RATE.1),
        step: 1.0,
        get: |s| match s.load {
            Load::Rate(r) => r,
            Load::InFlight(n) => n as f64,
        },
        set: |s, v| {
            s.load = match s.load {
                Load::Rate(_) => Load::Rate(v),
                Load::InFlight(_) => Load::InFlight(v.round().clamp(0.0, u32::MAX as f64) as u32),
            }
        },
    },
    Field {
        key: "target",
        label: "Latency target at p99 (ms)",
        group: Group::Load,
        range: limits::TARGET_P99_MS,
        step: 0.1,
        get: |s| s.target_p99_ms,
        set: |s, v| s.target_p99_ms = v,
    },
    Field {
        key: "cores",
        label: "CPU quota of the pod (cores)",
        group: Group::Process,
        range: range::CORES,
        step: 0.25,
        get: |s| s.cores,
        set: |s, v| s.cores = v,
    },
    Field {
        key: "workers",
        label: "Worker processes (uvicorn --workers)",
        group: Group::Process,
        range: range::WORKERS,
        step: 1.0,
        get: |s| s.workers as f64,
        set: |s, v| s.workers = whole(v),
    },
    Field {
        key: "ncpu",
        label: "Node CPUs (what os.cpu_count() reports)",
        group: Group::Process,
        range: range::NODE_CPUS,
        step: 1.0,
        get: |s| s.node_cpus as f64,
        set: |s, v| s.node_cpus = whole(v),
    },
    Field {
        key: "pool",
        label: "Executor pool per process (threads)",
        group: Group::Process,
        range: range::POOL,
        step: 1.0,
        get: |s| s.scenario_at(1).pool_size() as f64,
        set: |s, v| s.pool = Some(whole(v)),
    },
    Field {
        key: "python",
        label: "Python work per request (ms, GIL held)",
        group: Group::Process,
        range: range::APP_CPU_MS,
        step: 0.01,
        get: |s| s.python_ms,
        set: |s, v| s.python_ms = v,
    },
    Field {
        key: "offload",
        label: "Work awaited on the executor's pool per request (ms)",
        group: Group::Process,
        range: range::OFFLOAD_CPU_MS,
        step: 0.1,
        get: |s| s.offload_ms,
        set: |s, v| s.offload_ms = v,
    },
    Field {
        key: "offload-gil",
        label: "Share of that work holding the GIL (0–1)",
        group: Group::Process,
        range: range::OFFLOAD_GIL_SHARE,
        step: 0.05,
        get: |s| s.offload_gil_share,
        set: |s, v| s.offload_gil_share = v,
    },
    Field {
        key: "bg",
        label: "Background CPU-bound threads",
        group: Group::Process,
        range: range::BACKGROUND_THREADS,
        step: 1.0,
        get: |s| s.background_threads as f64,
        set: |s, v| s.background_threads = whole(v),
    },
    Field {
        key: "mem",
        label: "Pod memory limit (MiB)",
        group: Group::Process,
        range: range::POD_LIMIT_MIB,
        step: 1.0,
        get: |s| s.pod_limit_mib,
        set: |s, v| s.pod_limit_mib = v,
    },
];

fn whole(v: f64) -> u32 {
    v.round().clamp(0.0, u32::MAX as f64) as u32
}

/// A number as an input shows it: no trailing zeros, no exponent.
pub fn input_value(v: f64) -> String {
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Which control of the form an edit came from, and what it says.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// A numeric input, by key, with the text typed.
    Number(String, String),
    /// The load given as a rate (`true`) or as requests in flight.
    ByRate(bool),
    /// "Python's default" pool on or off.
    DefaultPool(bool),
    /// An example service, by key.
    Preset(String),
    /// A network round trip preset, in ms.
    RoundTrip(f64),
    /// The CPython build, by its key ([`python_key`]).
    Python(String),
    /// The machine profile, by its key (`perfmodel::machine::PROFILES`).
    Machine(String),
    /// The official client's batch policy, by its key ([`FANS`]).
    Fan(String),
    /// A web server in front of the handler, by its key ([`SERVERS`]).
    Server(String),
    /// How the service calls the official client today, by its key ([`OFFICIALS`]).
    Official(String),
    /// What the verdict weighs, by its key ([`OBJECTIVES`]).
    Objective(String),
    /// How an async handler awaits its calls, by its key ([`GATHERS`]).
    Gather(String),
}

/// How an async handler awaits its calls: key, words.
pub const GATHERS: [(bool, &str, &str); 2] =
    [(false, "series", "one after another (await each)"), (true, "gather", "together (asyncio.gather; async handlers only)")];

/// What sits in front of the client calls: key, words.
pub const SERVERS: [(bool, &str, &str); 2] = [(true, "fastapi", "FastAPI under uvicorn (measured)"), (false, "none", "none: a job calls the client")];

/// The official client's batch policies the form offers: key, words.
pub const FANS: [(FanOut, &str, &str); 2] =
    [(FanOut::Series, "series", "default: one node after another"), (FanOut::Parallel, "parallel", "concurrent=True: all nodes at once")];

/// The CPython builds the form offers: key, words.
pub const PYTHONS: [(Python, &str, &str); 3] = [
    (Python::Gil, "gil", "3.11–3.13, with the GIL"),
    (Python::FreeThreaded, "ft", "3.14t (the official client: GIL on)"),
    (Python::FreeThreadedForced, "ft-forced", "3.14t with PYTHON_GIL=0"),
];

/// The web server's key in the form.
pub fn server_key(on: bool) -> &'static str {
    if on {
        SERVERS[0].1
    } else {
        SERVERS[1].1
    }
}

/// How the service calls the official client, as the form and the link key it.
pub fn official_key(p: perfmodel::Pattern) -> &'static str {
    OFFICIALS.iter().find(|x| x.0 == p).map(|x| x.1).unwrap_or(OFFICIALS[0].1)
}

/// An objective's key in the form and the link.
pub fn objective_key(o: Objective) -> &'static str {
    OBJECTIVES.iter().find(|x| x.0 == o).map(|x| x.1).unwrap_or(OBJECTIVES[0].1)
}

/// A build's key in the form.
pub fn python_key(p: Python) -> &'static str {
    PYTHONS.iter().find(|x| x.0 == p).map(|x| x.1).unwrap_or("gil")
}

impl Service {
    /// Apply one edit; out-of-range values are clamped and said, text that is not a number is refused with a reason.
    pub fn edit(&self, e: &Edit) -> (Service, Vec<String>) {
        let mut s = *self;
        match e {
            Edit::Number(key, text) => {
                let Some(f) = FIELDS.iter().find(|f| f.key == key) else {
                    return (s, vec![format!("no setting {key:?}")]);
                };
                match text.trim().parse::<f64>() {
                    Ok(v) if v.is_finite() => (f.set)(&mut s, v),
                    _ => return (s, vec![format!("{}: {text:?} is not a number; left as it was", f.label)]),
                }
            }
            Edit::ByRate(true) => {
                if let Load::InFlight(_) = s.load {
                    // The rate those requests in flight would carry with no queueing (Little's law).
                    s.load = Load::Rate((s.scenario().concurrency as f64 * 1e3 / (s.request_wait_ms() + s.python_ms).max(0.001)).round());
                }
            }
            Edit::ByRate(false) => {
                if let Load::Rate(_) = s.load {
                    s.load = Load::InFlight(s.scenario().concurrency);
                }
            }
            Edit::DefaultPool(on) => s.pool = if *on { None } else { Some(s.scenario_at(1).pool_size()) },
            Edit::Preset(key) => match presets().into_iter().find(|p| p.key == key) {
                Some(p) => s = p.service,
                None => return (s, vec![format!("no example {key:?}")]),
            },
            Edit::RoundTrip(ms) => s.rtt_ms = *ms,
            Edit::Python(key) => match PYTHONS.iter().find(|x| x.1 == key) {
                Some(x) => s.python = x.0,
                None => return (s, vec![format!("no Python build {key:?}")]),
            },
            Edit::Machine(key) => match perfmodel::machine::PROFILES.iter().find(|p| p.key == key) {
                Some(p) => s.machine = p.machine,
                None => return (s, vec![format!("no machine profile {key:?}")]),
            },
            Edit::Gather(key) => match GATHERS.iter().find(|x| x.1 == key) {
                Some(x) => s.calls.gather = x.0,
                None => return (s, vec![format!("no way to await the calls {key:?}")]),
            },
            Edit::Fan(key) => match FANS.iter().find(|x| x.1 == key) {
                Some(x) => batch_mut(&mut s).fan_out = x.0,
                None => return (s, vec![format!("no batch policy {key:?}")]),
            },
            Edit::Server(key) => match SERVERS.iter().find(|x| x.1 == key) {
                Some(x) => s.web_server = x.0,
                None => return (s, vec![format!("no web server {key:?}")]),
            },
            Edit::Objective(key) => match OBJECTIVES.iter().find(|x| x.1 == key) {
                Some(x) => s.objective = x.0,
                None => return (s, vec![format!("no objective {key:?}")]),
            },
            Edit::Official(key) => match OFFICIALS.iter().find(|x| x.1 == key) {
                Some(x) => s.official = x.0,
                None => return (s, vec![format!("no way of calling the official client {key:?}")]),
            },
        }
        s.clamped()
    }

    /// The form, as HTML: the widget writes it once and then updates the values in place (so focus stays put).
    pub fn form_html(&self, uid: &str) -> String {
        let mut h = String::from("<div class=\"widget-presets\" role=\"group\" aria-label=\"Example services\">");
        for p in presets() {
            h.push_str(&format!(
                "<button type=\"button\" data-preset=\"{}\" data-testid=\"svc-preset-{}\" title=\"{}\" aria-pressed=\"{}\">{}</button>",
                p.key,
                p.key,
                esc(p.about),
                *self == p.service,
                esc(p.label)
            ));
        }
        h.push_str("</div>");
        for g in Group::ALL {
            h.push_str(&format!("<fieldset class=\"service-fields\"><legend>{}</legend>", g.legend()));
            if g == Group::Load {
                let rate = matches!(self.load, Load::Rate(_));
                h.push_str(&format!(
                    "<div class=\"service-choice\" role=\"radiogroup\" aria-label=\"How the load is given\">\
                     <label><input type=\"radio\" name=\"{uid}-load\" data-by-rate=\"true\" data-testid=\"svc-by-rate\"{}> requests per second</label>\
                     <label><input type=\"radio\" name=\"{uid}-load\" data-by-rate=\"false\" data-testid=\"svc-by-flight\"{}> requests in flight at once</label></div>",
                    if rate { " checked" } else { "" },
                    if rate { "" } else { " checked" }
                ));
            }
            for f in FIELDS.iter().filter(|f| f.group == g) {
                h.push_str(&format!(
                    "<label class=\"widget-field\" for=\"{uid}-{k}\">{}<input type=\"number\" id=\"{uid}-{k}\" data-key=\"{k}\" data-testid=\"svc-{k}\" min=\"{}\" max=\"{}\" step=\"{}\" value=\"{}\"></label>",
                    esc(f.label),
                    input_value(f.range.0),
                    input_value(f.range.1),
                    f.step,
                    input_value((f.get)(self)),
                    k = f.key
                ));
            }
            match g {
                Group::Database => {
                    h.push_str("<div class=\"widget-presets\" role=\"group\" aria-label=\"Network round trips\">");
                    for p in perfmodel::scenario::PRESETS {
                        h.push_str(&format!(
                            "<button type=\"button\" data-rtt=\"{}\" title=\"{} ms. Source: {}\">{} ({} ms)</button>",
                            p.rtt_ms,
                            number(p.rtt_ms),
                            esc(p.source),
                            esc(p.label),
                            number(p.rtt_ms)
                        ));
                    }
                    h.push_str("</div>");
                }
                Group::Process => {
                    h.push_str(&format!(
                        "<label class=\"service-choice\"><input type=\"checkbox\" data-default-pool data-testid=\"svc-default-pool\"{}> <span data-default-pool-text>{}</span></label>",
                        if self.pool.is_none() { " checked" } else { "" },
                        esc(&self.default_pool_words())
                    ));
                    choice(&mut h, uid, "python", "Python", PYTHONS.iter().map(|(py, key, words)| (*key, *words, *py == self.python)).collect());
                    choice(
                        &mut h,
                        uid,
                        "machine",
                        "Machine costs",
                        perfmodel::machine::PROFILES.iter().map(|p| (p.key, p.label, p.machine == self.machine)).collect(),
                    );
                }
                Group::Request => {
                    choice(
                        &mut h,
                        uid,
                        "front",
                        "In front of the handler",
                        SERVERS.iter().map(|(on, key, words)| (*key, *words, *on == self.web_server)).collect(),
                    );
                    choice(
                        &mut h,
                        uid,
                        "official",
                        "The official client today",
                        OFFICIALS.iter().map(|(p, key, words)| (*key, *words, *p == self.official)).collect(),
                    );
                    choice(
                        &mut h,
                        uid,
                        "gather",
                        "How the handler awaits its calls",
                        GATHERS.iter().map(|(g, key, words)| (*key, *words, *g == self.calls.gather)).collect(),
                    );
                    let fan = self.calls.batch.unwrap_or(Batch::START).fan_out;
                    choice(
                        &mut h,
                        uid,
                        "fan",
                        "How the official client sends a batch's node requests",
                        FANS.iter().map(|(f, key, words)| (*key, *words, *f == fan)).collect(),
                    );
                }
                Group::Load => choice(
                    &mut h,
                    uid,
                    "objective",
                    "What you want",
                    OBJECTIVES.iter().map(|(o, key, words)| (*key, *words, *o == self.objective)).collect(),
                ),
            }
            h.push_str("</fieldset>");
        }
        h
    }

    /// The "Python's default" checkbox's words.
    pub fn default_pool_words(&self) -> String {
        format!("pool: Python's default, min(32, node CPUs + 4) = {}", perfmodel::scenario::default_pool(self.node_cpus))
    }
}

/// A choice among named options as a select: the attribute the widget listens
/// on (`data-ATTR`), the label, and (key, words, chosen) per option. Its id
/// is the form's own, apart from the numeric fields' (`UID-choice-ATTR`).
fn choice(h: &mut String, uid: &str, attr: &str, label: &str, options: Vec<(&str, &str, bool)>) {
    h.push_str(&format!(
        "<label class=\"widget-field service-wide\" for=\"{uid}-choice-{attr}\">{label}<select id=\"{uid}-choice-{attr}\" data-{attr} data-testid=\"svc-{attr}\">"
    ));
    for (key, words, chosen) in options {
        h.push_str(&format!("<option value=\"{key}\"{}>{}</option>", if chosen { " selected" } else { "" }, esc(words)));
    }
    h.push_str("</select></label>");
}
