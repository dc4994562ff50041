//! Benchmark reports in the format aerospike-py's suite writes: parsed section by section, so one bad section never hides the others.
//!
//! The same parser runs in the browser (the results dashboard) and on the
//! command line (`cargo xtask check-reports DIR`). A report is read into
//! [`Report`], whose every optional section is a [`Section`]: present and
//! typed, absent, or invalid with a message naming the field.

pub mod batch;
pub mod model;
pub mod open_loop;
pub mod service;
pub mod speedup;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use model::*;

/// One optional part of a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", content = "value", rename_all = "kebab-case")]
pub enum Section<T> {
    Present(T),
    /// Not in this report (older suites wrote fewer sections).
    Absent,
    /// There, but not readable: the message names the field.
    Invalid(String),
}

impl<T> Section<T> {
    pub fn get(&self) -> Option<&T> {
        match self {
            Section::Present(t) => Some(t),
            _ => None,
        }
    }
    pub fn error(&self) -> Option<&str> {
        match self {
            Section::Invalid(e) => Some(e),
            _ => None,
        }
    }
}

/// A report: what every run has, then each optional section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub timestamp: Option<String>,
    pub date: Option<String>,
    pub environment: Section<Environment>,
    /// The four client sections, in [`Client::ALL`] order.
    pub clients: Vec<(Client, Section<Operations>)>,
    pub data_size: Section<DataSize>,
    pub concurrency_scaling: Section<ConcurrencyScaling>,
    pub memory_profiling: Section<MemoryProfiling>,
    pub mixed_workload: Section<MixedWorkload>,
    pub high_concurrency_scaling: Section<PairScaling>,
    pub latency_sim: Section<PairScaling>,
    pub numpy_batch: Section<NumpyBatch>,
    pub io_wait_grid: Section<IoWaitGrid>,
    pub batch_grid: Section<batch::BatchGrid>,
    pub takeaways: Section<Vec<String>>,
    /// Top-level keys this parser does not know (the suite adds sections
    /// over time): the dashboard ignores them, `check-reports` names them.
    pub unknown: Vec<String>,
}

/// Every top-level key a report may carry (legacy client keys are renamed before this is consulted).
const KNOWN_KEYS: [&str; 17] = [
    "timestamp",
    "date",
    "environment",
    "aerospike_py_sync",
    "official_sync",
    "aerospike_py_async",
    "official_async",
    "data_size",
    "concurrency_scaling",
    "memory_profiling",
    "mixed_workload",
    "high_concurrency_scaling",
    "latency_sim",
    "numpy_batch",
    "io_wait_grid",
    "batch_grid",
    "takeaways",
];

/// Why a file could not be read at all.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileError {
    pub file: String,
    pub message: String,
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

/// Older suites wrote these keys; each maps to its current name.
const LEGACY_KEYS: [(&str, &str); 4] =
    [("rust_sync", "aerospike_py_sync"), ("c_sync", "official_sync"), ("rust_async", "aerospike_py_async"), ("c_async", "official_async")];

fn section<T: DeserializeOwned>(obj: &Map<String, Value>, key: &str) -> Section<T> {
    match obj.get(key) {
        None | Some(Value::Null) => Section::Absent,
        Some(v) => match serde_path_to_error::deserialize::<_, T>(v.clone()) {
            Ok(t) => Section::Present(t),
            Err(e) => {
                let at = e.path().to_string();
                let field = if at == "." { key.to_string() } else { format!("{key}.{at}") };
                Section::Invalid(format!("field {field}: {}", e.inner()))
            }
        },
    }
}

/// Parse the text of one report file named `file`.
pub fn parse_report(file: &str, text: &str) -> Result<Report, FileError> {
    let err = |message: String| FileError { file: file.to_string(), message };
    let value: Value = serde_json::from_str(text).map_err(|e| err(format!("not valid JSON: {e}")))?;
    let Value::Object(mut obj) = value else {
        return Err(err("a report is a JSON object with timestamp, date, environment and client sections".into()));
    };
    for (old, new) in LEGACY_KEYS {
        if !obj.contains_key(new) {
            if let Some(v) = obj.remove(old) {
                obj.insert(new.to_string(), v);
            }
        }
    }
    let text_field = |k: &str| -> Result<Option<String>, FileError> {
        match obj.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(err(format!("field {k}: expected a string, found {other}"))),
        }
    };
    let report = Report {
        timestamp: text_field("timestamp")?,
        date: text_field("date")?,
        environment: section(&obj, "environment"),
        clients: Client::ALL.iter().map(|&c| (c, section::<Operations>(&obj, c.key()))).collect(),
        data_size: section(&obj, "data_size"),
        concurrency_scaling: section(&obj, "concurrency_scaling"),
        memory_profiling: section(&obj, "memory_profiling"),
        mixed_workload: section(&obj, "mixed_workload"),
        high_concurrency_scaling: section(&obj, "high_concurrency_scaling"),
        latency_sim: section(&obj, "latency_sim"),
        numpy_batch: section(&obj, "numpy_batch"),
        io_wait_grid: section(&obj, "io_wait_grid"),
        batch_grid: section(&obj, "batch_grid"),
        takeaways: section(&obj, "takeaways"),
        unknown: obj.keys().filter(|k| !KNOWN_KEYS.contains(&k.as_str())).cloned().collect(),
    };
    if report.clients.iter().all(|(_, s)| matches!(s, Section::Absent)) && report.date.is_none() {
        return Err(err("no date and no client section: this does not look like a benchmark report".into()));
    }
    Ok(report)
}

impl Report {
    pub fn client(&self, c: Client) -> Option<&Operations> {
        self.clients.iter().find(|(k, _)| *k == c).and_then(|(_, s)| s.get())
    }

    /// Every invalid section, as "section: message" lines.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut note = |e: Option<&str>| {
            if let Some(e) = e {
                out.push(e.to_string());
            }
        };
        note(self.environment.error());
        for (_, s) in &self.clients {
            note(s.error());
        }
        note(self.data_size.error());
        note(self.concurrency_scaling.error());
        note(self.memory_profiling.error());
        note(self.mixed_workload.error());
        note(self.high_concurrency_scaling.error());
        note(self.latency_sim.error());
        note(self.numpy_batch.error());
        note(self.io_wait_grid.error());
        note(self.batch_grid.error());
        note(self.takeaways.error());
        out
    }

    /// A label for the run picker.
    pub fn label(&self) -> String {
        self.date.clone().or_else(|| self.timestamp.clone()).unwrap_or_else(|| "undated run".into())
    }
}

/// `index.json`: the runs, newest first, and (optionally) who measured them.
///
/// The suite's own index has only `reports`; a folder that gathers runs from
/// several places lists its `sources` and names one in each entry, so the
/// dashboard can group the runs and say where each comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Index {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    pub reports: Vec<IndexEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexEntry {
    pub date: String,
    pub file: String,
    /// The `id` of one of the index's sources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Where a group of runs comes from: who measured them, on what, under which terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub id: String,
    /// The run picker's group label.
    pub label: String,
    /// One sentence: who measured, where it was published, the machine.
    pub about: String,
    /// A file in the same folder with the terms the runs are shared under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
}

/// A file name that stays in its folder (no separators, not hidden).
fn plain_name(f: &str) -> bool {
    !f.is_empty() && !f.contains('/') && !f.contains('\\') && !f.starts_with('.')
}

/// Parse `index.json`, checking that every file name stays in its folder.
pub fn parse_index(text: &str) -> Result<Index, FileError> {
    let err = |message: String| FileError { file: "index.json".into(), message };
    let index: Index = serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(text)).map_err(|e| {
        let at = e.path().to_string();
        err(if at == "." { format!("{}", e.inner()) } else { format!("field {at}: {}", e.inner()) })
    })?;
    for e in &index.reports {
        if !plain_name(&e.file) || !e.file.ends_with(".json") {
            return Err(err(format!("file {:?} must be a .json file name in the reports folder", e.file)));
        }
        if let Some(s) = &e.source {
            if !index.sources.iter().any(|x| &x.id == s) {
                return Err(err(format!("{}: source {s:?} is not one of the index's sources", e.file)));
            }
        }
    }
    for (i, s) in index.sources.iter().enumerate() {
        if index.sources[..i].iter().any(|x| x.id == s.id) {
            return Err(err(format!("source {:?} is listed twice", s.id)));
        }
        if let Some(l) = &s.license {
            if !plain_name(l) {
                return Err(err(format!("source {:?}: license {l:?} must be a file name in the reports folder", s.id)));
            }
        }
    }
    Ok(index)
}

/// A folder's reports as the dashboard gets them: each index entry with its
/// file's text, or `None` if the file is not there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bundle {
    /// The index's own text (`None`: there is no index.json).
    pub index: Option<String>,
    pub files: Vec<BundledFile>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundledFile {
    pub file: String,
    pub text: Option<String>,
}

/// One run as the dashboard shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub date: String,
    pub file: String,
    /// The index's source for this run, if it names one.
    pub source: Option<Source>,
    pub report: Result<Report, FileError>,
}

/// Read a bundle into runs (newest first) and folder-level errors.
pub fn load_bundle(b: &Bundle) -> (Vec<Run>, Vec<FileError>) {
    let Some(index_text) = &b.index else {
        return (Vec::new(), Vec::new());
    };
    let index = match parse_index(index_text) {
        Ok(i) => i,
        Err(e) => return (Vec::new(), vec![e]),
    };
    let runs = index
        .reports
        .iter()
        .map(|e| {
            let text = b.files.iter().find(|f| f.file == e.file).and_then(|f| f.text.as_deref());
            let report = match text {
                Some(t) => parse_report(&e.file, t),
                None => Err(FileError { file: e.file.clone(), message: "listed in index.json but not in the reports folder".into() }),
            };
            let source = e.source.as_ref().and_then(|s| index.sources.iter().find(|x| &x.id == s)).cloned();
            Run { date: e.date.clone(), file: e.file.clone(), source, report }
        })
        .collect();
    (runs, Vec::new())
}

/// Sections the dashboard does not show, one line per report that has any
/// (notes, not problems: a newer suite may write sections this site predates).
pub fn unknown_sections(runs: &[Run]) -> Vec<String> {
    runs.iter()
        .filter_map(|r| r.report.as_ref().ok().filter(|rep| !rep.unknown.is_empty()).map(|rep| (r, rep)))
        .map(|(r, rep)| format!("{}: not shown by the dashboard: {}", r.file, rep.unknown.join(", ")))
        .collect()
}

/// Check a folder's bundle: every problem, one line each (empty: all good).
pub fn check_bundle(b: &Bundle) -> Vec<String> {
    let (runs, errors) = load_bundle(b);
    let mut out: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    if b.index.is_none() {
        out.push("index.json: missing".into());
    }
    for r in &runs {
        match &r.report {
            Err(e) => out.push(e.to_string()),
            Ok(rep) => out.extend(rep.problems().into_iter().map(|p| format!("{}: {p}", r.file))),
        }
    }
    out
}

/// Read a reports folder from disk into a bundle: `index.json` and every
/// file it lists (a listed file that is not there is kept as `None`).
/// A missing folder or index gives an empty bundle, the "no reports yet" state.
pub fn read_dir(dir: &std::path::Path) -> std::io::Result<Bundle> {
    let index_path = dir.join("index.json");
    if !index_path.exists() {
        return Ok(Bundle { index: None, files: Vec::new() });
    }
    let index = std::fs::read_to_string(&index_path)?;
    let mut files = Vec::new();
    if let Ok(i) = parse_index(&index) {
        for e in i.reports {
            let text = std::fs::read_to_string(dir.join(&e.file)).ok();
            files.push(BundledFile { file: e.file, text });
        }
    }
    Ok(Bundle { index: Some(index), files })
}

/// The newest report in a folder of dated reports (by file name, which starts with its date): its name and text.
pub fn newest(dir: &std::path::Path) -> Option<(String, String)> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).ok()?.filter_map(|e| e.ok()?.file_name().into_string().ok()).filter(|n| n.ends_with(".json")).collect();
    names.sort();
    let name = names.pop()?;
    let text = std::fs::read_to_string(dir.join(&name)).ok()?;
    Some((name, text))
}
