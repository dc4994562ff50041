//! The results dashboard: each panel of one report computed as escaped HTML plus chart specs, then the charts drawn (bars or lines).

use plotters::coord::Shift;
use plotters::prelude::*;
use reports::speedup::speedups;
use reports::{Client, Report, Section, Stats, OPERATIONS};
use serde::{Deserialize, Serialize};

use crate::format::{number, si};
use crate::look::{legend_band, BarFill, Dash, Look, Mark, Swatch};
use crate::style::Pen;
use crate::table::{raw, Table};
use crate::Theme;

/// Whose numbers a series shows; the colour follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Who {
    AerospikePy,
    Official,
    Other,
}

/// One series: sync series are drawn hollow, async ones filled, so colour is never the only cue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub label: String,
    pub who: Who,
    pub hollow: bool,
    /// One value per category (bars) or per x (lines); `None` where the report has no number.
    pub values: Vec<Option<f64>>,
}

/// A chart of the dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    pub id: String,
    pub title: String,
    pub kind: Kind,
    /// Category labels (bars) or x values as text (lines).
    pub categories: Vec<String>,
    /// x values for line charts.
    pub xs: Vec<f64>,
    pub x_desc: String,
    pub value_desc: String,
    pub log_x: bool,
    pub series: Vec<Series>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    /// Horizontal grouped bars, categories down the side.
    Bars,
    /// Lines over a numeric x.
    Lines,
}

impl Chart {
    /// The legend: exactly what each series draws (bars end in their
    /// client's marker; lines take the chart's n-th look).
    pub fn legend(&self, theme: &Theme) -> Vec<(String, Swatch)> {
        self.series
            .iter()
            .enumerate()
            .map(|(j, s)| {
                let sw = match self.kind {
                    Kind::Bars => Swatch::Bar { color: color(theme, s.who), fill: bar_fill(s), mark: who_mark(s.who) },
                    Kind::Lines => Swatch::Line(Look::nth(color(theme, s.who), j, s.hollow)),
                };
                (s.label.clone(), sw)
            })
            .collect()
    }

    pub fn table(&self) -> Table {
        let mut headers = vec![self.x_desc.clone()];
        headers.extend(self.series.iter().map(|s| format!("{} ({})", s.label, self.value_desc)));
        let rows = self
            .categories
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut r = vec![c.clone()];
                r.extend(self.series.iter().map(|s| s.values.get(i).copied().flatten().map(raw).unwrap_or_else(|| "no data".into())));
                r
            })
            .collect();
        Table { headers, rows }
    }
}

/// A panel: its title, its HTML body (already escaped) and the charts whose canvases it holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Panel {
    pub id: String,
    pub title: String,
    pub html: String,
    pub charts: Vec<Chart>,
}

/// Escape text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Markdown emphasis (`**strong**`, `*em*`) to HTML; everything else is escaped text.
pub fn emphasis(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while !rest.is_empty() {
        let (marker, tag) = if rest.starts_with("**") { ("**", "strong") } else if rest.starts_with('*') { ("*", "em") } else { ("", "") };
        if !marker.is_empty() {
            if let Some(end) = rest[marker.len()..].find(marker) {
                let inner = &rest[marker.len()..marker.len() + end];
                // As in CommonMark, emphasis does not start or end with a space.
                let flanking = !inner.starts_with(char::is_whitespace) && !inner.ends_with(char::is_whitespace);
                if !inner.is_empty() && flanking {
                    out.push_str(&format!("<{tag}>{}</{tag}>", esc(inner)));
                    rest = &rest[marker.len() * 2 + end..];
                    continue;
                }
            }
        }
        let next = rest.char_indices().skip(1).find(|&(_, c)| c == '*').map(|(i, _)| i).unwrap_or(rest.len());
        out.push_str(&esc(&rest[..next]));
        rest = &rest[next..];
    }
    out
}

fn table_html(t: &Table, caption: &str) -> String {
    let mut h = format!("<div class=\"widget-data-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"{}\"><table><caption>{}</caption><thead><tr>", esc(caption), esc(caption));
    for c in &t.headers {
        h.push_str(&format!("<th scope=\"col\">{}</th>", esc(c)));
    }
    h.push_str("</tr></thead><tbody>");
    for r in &t.rows {
        h.push_str("<tr>");
        for (i, c) in r.iter().enumerate() {
            let shown = c.parse::<f64>().map(number).unwrap_or_else(|_| c.clone());
            if i == 0 {
                h.push_str(&format!("<th scope=\"row\">{}</th>", esc(&shown)));
            } else {
                h.push_str(&format!("<td>{}</td>", esc(&shown)));
            }
        }
        h.push_str("</tr>");
    }
    h.push_str("</tbody></table></div>");
    h
}

/// The canvas and accessible data table of a chart, as HTML.
fn chart_html(c: &Chart) -> String {
    format!(
        "<figure class=\"dash-chart\"><canvas class=\"widget-canvas\" data-chart=\"{id}\" role=\"img\" aria-label=\"{t}\"></canvas>\
         <figcaption>{t}</figcaption><details class=\"widget-data\"><summary>Data table: {t}</summary>{table}</details></figure>",
        id = esc(&c.id),
        t = esc(&c.title),
        table = table_html(&c.table(), &c.title)
    )
}

fn not_here(what: &str) -> String {
    format!("<p class=\"dash-absent\">{} is not in this report.</p>", esc(what))
}

fn broken(file: &str, msg: &str) -> String {
    format!("<p class=\"widget-error\" role=\"alert\">{}: {}</p>", esc(file), esc(msg))
}

/// Build a panel from an optional section: absent and invalid sections say so.
fn section_panel<T>(
    id: &'static str,
    title: &'static str,
    file: &str,
    s: &Section<T>,
    build: impl FnOnce(&T) -> (String, Vec<Chart>),
) -> Panel {
    let (html, charts) = match s {
        Section::Present(t) => build(t),
        Section::Absent => (not_here(title), Vec::new()),
        Section::Invalid(e) => (broken(file, e), Vec::new()),
    };
    Panel { id: id.into(), title: title.into(), html, charts }
}

fn who(c: Client) -> Who {
    if c.is_official() { Who::Official } else { Who::AerospikePy }
}

fn ratio_cell(v: Option<f64>) -> String {
    match v {
        Some(x) => format!("{}×", number(x)),
        None => "no data".into(),
    }
}

/// Every panel of a report, in page order.
pub fn panels(file: &str, r: &Report) -> Vec<Panel> {
    let mut out = Vec::new();
    out.push(environment_panel(file, r));
    out.push(speedup_panel(r));
    out.push(operations_panel(r));
    out.extend(comparison_panels(file, r));
    out.push(section_panel("data-size", "Data-size scaling", file, &r.data_size, |d| {
        let cats: Vec<String> = d.data.iter().map(|x| x.label.clone()).collect();
        let col = |f: fn(&reports::DataSizeRow) -> Option<Stats>| d.data.iter().map(|x| f(x).and_then(|s| s.avg_ms)).collect();
        let chart = Chart {
            id: "data-size".into(),
            title: "Mean latency by record size".into(),
            kind: Kind::Bars,
            categories: cats,
            xs: Vec::new(),
            x_desc: "record size".into(),
            value_desc: "ms".into(),
            log_x: false,
            series: vec![
                Series { label: "aerospike-py put".into(), who: Who::AerospikePy, hollow: true, values: col(|x| x.put) },
                Series { label: "aerospike-py get".into(), who: Who::AerospikePy, hollow: false, values: col(|x| x.get) },
                Series { label: "official put".into(), who: Who::Official, hollow: true, values: col(|x| x.official_put) },
                Series { label: "official get".into(), who: Who::Official, hollow: false, values: col(|x| x.official_get) },
            ],
        };
        (chart_html(&chart), vec![chart])
    }));
    out.push(section_panel("latency-sim", "Latency simulation: throughput against a simulated round trip", file, &r.latency_sim, |d| {
        let rows: Vec<_> = d.data.iter().filter(|x| x.rtt_ms.is_some()).collect();
        let chart = pair_lines(
            "latency-sim",
            format!("Throughput against injected round trip{}", d.concurrency.map(|c| format!(" ({c} concurrent)")).unwrap_or_default()),
            "round trip, ms",
            false,
            rows.iter().map(|x| x.rtt_ms.unwrap_or(0.0)).collect(),
            rows.iter().map(|x| (x.aerospike_py, x.official)).collect(),
        );
        (chart_html(&chart) + &missing_note(&chart), vec![chart])
    }));
    out.push(section_panel("memory", "Memory profiling", file, &r.memory_profiling, |d| {
        let cats: Vec<String> = d.data.iter().map(|x| x.label.clone()).collect();
        let col = |f: fn(&reports::MemoryRow) -> Option<f64>| d.data.iter().map(f).collect();
        let chart = Chart {
            id: "memory".into(),
            title: "Peak memory of one get, by record size".into(),
            kind: Kind::Bars,
            categories: cats,
            xs: Vec::new(),
            x_desc: "record size".into(),
            value_desc: "KiB".into(),
            log_x: false,
            series: vec![
                Series { label: "aerospike-py get".into(), who: Who::AerospikePy, hollow: false, values: col(|x| x.get_peak_kb) },
                Series { label: "official get".into(), who: Who::Official, hollow: false, values: col(|x| x.official_get_peak_kb) },
            ],
        };
        let batch = Chart {
            id: "memory-batch".into(),
            title: "Peak memory of one batch read, by record size".into(),
            series: vec![
                Series { label: "aerospike-py batch read".into(), who: Who::AerospikePy, hollow: false, values: col(|x| x.batch_read_peak_kb) },
                Series { label: "official batch read".into(), who: Who::Official, hollow: false, values: col(|x| x.official_batch_read_peak_kb) },
            ],
            ..chart.clone()
        };
        (chart_html(&chart) + &chart_html(&batch), vec![chart, batch])
    }));
    out.push(section_panel("numpy", "NumPy batch", file, &r.numpy_batch, |d| {
        let mut html = String::new();
        let mut charts = Vec::new();
        if let Some(rs) = &d.record_scaling {
            let rows: Vec<_> = rs.data.iter().filter(|x| x.record_count.is_some()).collect();
            let xs: Vec<f64> = rows.iter().map(|x| x.record_count.unwrap_or(0) as f64).collect();
            let col = |f: fn(&reports::NumpyRow) -> Option<Stats>| rows.iter().map(|x| f(x).and_then(|s| s.ops_per_sec)).collect();
            let c = Chart {
                id: "numpy".into(),
                title: "Batch reads per second against records per batch".into(),
                kind: Kind::Lines,
                categories: xs.iter().map(|x| number(*x)).collect(),
                xs,
                x_desc: "records per batch".into(),
                value_desc: "batches/s".into(),
                log_x: true,
                series: vec![
                    Series { label: "dict, sync".into(), who: Who::Other, hollow: true, values: col(|x| x.batch_read_sync) },
                    Series { label: "NumPy, sync".into(), who: Who::AerospikePy, hollow: true, values: col(|x| x.batch_read_numpy_sync) },
                    Series { label: "dict, async".into(), who: Who::Other, hollow: false, values: col(|x| x.batch_read_async) },
                    Series { label: "NumPy, async".into(), who: Who::AerospikePy, hollow: false, values: col(|x| x.batch_read_numpy_async) },
                ],
            };
            html.push_str(&chart_html(&c));
            charts.push(c);
        }
        if let Some(m) = &d.memory {
            let t = Table {
                headers: ["records", "dict peak KiB", "NumPy peak KiB", "saving %"].map(String::from).to_vec(),
                rows: m
                    .data
                    .iter()
                    .map(|x| {
                        let f = |v: Option<f64>| v.map(raw).unwrap_or_else(|| "no data".into());
                        vec![x.record_count.map(|c| c.to_string()).unwrap_or_default(), f(x.dict_peak_kb), f(x.numpy_peak_kb), f(x.savings_pct)]
                    })
                    .collect(),
            };
            html.push_str(&table_html(&t, "Peak memory: dict against NumPy results"));
        }
        if html.is_empty() {
            html = not_here("NumPy scaling data");
        }
        (html, charts)
    }));
    out.push(section_panel("high-concurrency", "High-concurrency scaling", file, &r.high_concurrency_scaling, |d| {
        let rows: Vec<_> = d.data.iter().filter(|x| x.concurrency.is_some()).collect();
        let chart = pair_lines(
            "high-concurrency",
            "Throughput against concurrency (async clients)".into(),
            "concurrency",
            true,
            rows.iter().map(|x| x.concurrency.unwrap_or(1) as f64).collect(),
            rows.iter().map(|x| (x.aerospike_py, x.official)).collect(),
        );
        (chart_html(&chart) + &missing_note(&chart), vec![chart])
    }));
    out.push(section_panel("mixed", "Mixed workload", file, &r.mixed_workload, |d| {
        let chart = Chart {
            id: "mixed".into(),
            title: format!("Throughput by read:write mix{}", d.concurrency.map(|c| format!(" ({c} concurrent)")).unwrap_or_default()),
            kind: Kind::Bars,
            categories: d.data.iter().map(|x| x.label.clone()).collect(),
            xs: Vec::new(),
            x_desc: "mix".into(),
            value_desc: "ops/s".into(),
            log_x: false,
            series: vec![
                Series { label: "aerospike-py".into(), who: Who::AerospikePy, hollow: false, values: d.data.iter().map(|x| x.throughput_ops_sec).collect() },
                Series { label: "official".into(), who: Who::Official, hollow: false, values: d.data.iter().map(|x| x.official_throughput_ops_sec).collect() },
            ],
        };
        (chart_html(&chart), vec![chart])
    }));
    out.push(section_panel("concurrency", "Concurrency scaling", file, &r.concurrency_scaling, |d| {
        let xs: Vec<f64> = d.data.iter().map(|x| x.concurrency as f64).collect();
        let chart = Chart {
            id: "concurrency".into(),
            title: "aerospike-py async throughput against concurrency".into(),
            kind: Kind::Lines,
            categories: xs.iter().map(|x| number(*x)).collect(),
            xs,
            x_desc: "concurrency".into(),
            value_desc: "ops/s".into(),
            log_x: true,
            series: vec![
                Series { label: "put".into(), who: Who::AerospikePy, hollow: true, values: d.data.iter().map(|x| x.put.and_then(|s| s.ops_per_sec)).collect() },
                Series { label: "get".into(), who: Who::AerospikePy, hollow: false, values: d.data.iter().map(|x| x.get.and_then(|s| s.ops_per_sec)).collect() },
            ],
        };
        (chart_html(&chart), vec![chart])
    }));
    out.push(section_panel("io-grid", "I/O wait × concurrency (measurement lab)", file, &r.io_wait_grid, io_grid_panel));
    out.push(section_panel("takeaways", "Takeaways", file, &r.takeaways, |t| {
        let items: String = t.iter().map(|x| format!("<li>{}</li>", emphasis(x))).collect();
        (format!("<ul class=\"dash-takeaways\">{items}</ul><p class=\"widget-hint\">Written by the benchmark suite with the report.</p>"), Vec::new())
    }));
    out
}

/// The lab's grid: one chart of throughput against concurrency per injected
/// wait, every cell in a table (spread, applied wait, threads, memory, CPU),
/// and the cells not measured with their reason.
fn io_grid_panel(d: &reports::IoWaitGrid) -> (String, Vec<Chart>) {
    let f = |v: Option<f64>| v.map(raw).unwrap_or_else(|| "no data".into());
    let mut patterns: Vec<&str> = Vec::new();
    let mut ios: Vec<f64> = Vec::new();
    let mut ns: Vec<u64> = Vec::new();
    for c in &d.data {
        if !patterns.contains(&c.pattern.as_str()) {
            patterns.push(&c.pattern);
        }
        if !ios.contains(&c.io_wait_ms) {
            ios.push(c.io_wait_ms);
        }
        if !ns.contains(&c.concurrency) {
            ns.push(c.concurrency);
        }
    }
    ns.sort_unstable();
    let mut html = String::new();
    let mut charts = Vec::new();
    // CPU per get: the client process's CPU time (every thread, user and
    // system) over the run, per request at the measured rate.
    let cpu_us = |c: &reports::GridCell| match (c.cpu_cores, c.ops_per_sec) {
        (Some(cores), Some(x)) if x > 0.0 => Some(cores * 1e6 / x),
        _ => None,
    };
    for (k, io) in ios.iter().enumerate() {
        let cell = |p: &str, n: u64| d.data.iter().find(|c| c.pattern == p && c.io_wait_ms == *io && c.concurrency == n);
        let series = |f: &dyn Fn(&reports::GridCell) -> Option<f64>| -> Vec<Series> {
            patterns
                .iter()
                .map(|p| Series {
                    // "aerospike_py_async" → "aerospike-py async".
                    label: p.replace("aerospike_py", "aerospike-py").replace('_', " "),
                    who: if p.starts_with("aerospike_py") { Who::AerospikePy } else { Who::Official },
                    // Sync clients hollow; "_async" does not end in "_sync".
                    hollow: p.ends_with("_sync"),
                    values: ns.iter().map(|&n| cell(p, n).and_then(f)).collect(),
                })
                .collect()
        };
        let c = Chart {
            id: format!("io-grid-{k}"),
            title: format!("Measured gets per second at {} ms of injected wait", number(*io)),
            kind: Kind::Lines,
            categories: ns.iter().map(|n| n.to_string()).collect(),
            xs: ns.iter().map(|&n| n as f64).collect(),
            x_desc: "concurrency".into(),
            value_desc: "ops/s".into(),
            log_x: true,
            series: series(&|c| c.ops_per_sec),
        };
        let cpu = Chart {
            id: format!("io-grid-cpu-{k}"),
            title: format!("Client CPU time per get at {} ms of injected wait", number(*io)),
            value_desc: "µs of CPU per get".into(),
            series: series(&cpu_us),
            ..c.clone()
        };
        html.push_str(&format!("<div class=\"dash-pair\">{}{}</div>", chart_html(&c), chart_html(&cpu)));
        charts.push(c);
        charts.push(cpu);
    }
    let t = Table {
        headers: ["pattern", "I/O wait ms", "concurrency", "ops/s (median)", "ops/s min", "ops/s max", "mean ms", "p50 ms", "p99 ms", "applied wait p50 µs", "threads", "RSS MiB", "CPU cores", "CPU µs per get"]
            .map(String::from)
            .to_vec(),
        rows: d
            .data
            .iter()
            .map(|c| {
                vec![
                    c.pattern.clone(),
                    raw(c.io_wait_ms),
                    c.concurrency.to_string(),
                    f(c.ops_per_sec),
                    f(c.ops_min),
                    f(c.ops_max),
                    f(c.avg_ms),
                    f(c.p50_ms),
                    f(c.p99_ms),
                    f(c.applied_wait_p50_us),
                    c.threads.map(|t| t.to_string()).unwrap_or_else(|| "no data".into()),
                    f(c.rss_mib),
                    f(c.cpu_cores),
                    f(cpu_us(c)),
                ]
            })
            .collect(),
    };
    html.push_str(&format!("<details class=\"widget-data\"><summary>Every measured cell</summary>{}</details>", table_html(&t, "Measured grid")));
    if !d.skipped.is_empty() {
        let items: String = d
            .skipped
            .iter()
            .map(|s| format!("<li>{} at {} ms, {} callers: {}</li>", esc(&s.pattern), number(s.io_wait_ms), s.concurrency, esc(&s.reason)))
            .collect();
        html.push_str(&format!("<details class=\"widget-data\"><summary>Not measured ({})</summary><ul>{items}</ul></details>", d.skipped.len()));
    }
    (html, charts)
}

/// aerospike-py against official along one numeric axis.
fn pair_lines(id: &str, title: String, x_desc: &str, log_x: bool, xs: Vec<f64>, rows: Vec<(Option<Stats>, Option<Stats>)>) -> Chart {
    Chart {
        id: id.into(),
        title,
        kind: Kind::Lines,
        categories: xs.iter().map(|x| number(*x)).collect(),
        xs,
        x_desc: x_desc.into(),
        value_desc: "ops/s".into(),
        log_x,
        series: vec![
            Series { label: "aerospike-py".into(), who: Who::AerospikePy, hollow: false, values: rows.iter().map(|r| r.0.and_then(|s| s.ops_per_sec)).collect() },
            Series { label: "official".into(), who: Who::Official, hollow: false, values: rows.iter().map(|r| r.1.and_then(|s| s.ops_per_sec)).collect() },
        ],
    }
}

/// "official has no data at 1,000" for every gap, so a missing point is said, not just left out.
fn missing_note(c: &Chart) -> String {
    let gaps: Vec<String> = c
        .series
        .iter()
        .filter_map(|s| {
            let at: Vec<&str> = s.values.iter().zip(&c.categories).filter(|(v, _)| v.is_none()).map(|(_, x)| x.as_str()).collect();
            (!at.is_empty()).then(|| format!("{} has no data at {} {}", s.label, c.x_desc, at.join(", ")))
        })
        .collect();
    if gaps.is_empty() { String::new() } else { format!("<p class=\"dash-missing\">{}.</p>", esc(&gaps.join("; "))) }
}

fn environment_panel(file: &str, r: &Report) -> Panel {
    let mut badges = Vec::new();
    if let Some(t) = &r.timestamp {
        badges.push(("run", t.clone()));
    }
    let html = match &r.environment {
        Section::Present(e) => {
            let mut b = |k: &'static str, v: Option<String>| {
                if let Some(v) = v {
                    badges.push((k, v));
                }
            };
            b("platform", e.platform.clone());
            b("Python", e.python_version.clone());
            b("operations per round", e.count.map(|v| v.to_string()));
            b("rounds", e.rounds.map(|v| v.to_string()));
            b("warm-up", e.warmup.map(|v| v.to_string()));
            b("concurrency", e.concurrency.map(|v| v.to_string()));
            let mut h: String = badges.iter().map(|(k, v)| format!("<li><span>{}</span> {}</li>", esc(k), esc(v))).collect();
            for (k, v) in &e.other {
                let shown = match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                h.push_str(&format!("<li><span>{}</span> {}</li>", esc(k), esc(&shown)));
            }
            format!("<ul class=\"dash-badges\" aria-label=\"Environment\">{h}</ul>")
        }
        Section::Absent => not_here("The environment"),
        Section::Invalid(e) => broken(file, e),
    };
    // Sections a newer suite wrote that this site predates: named, so nothing is silently missing.
    let html = if r.unknown.is_empty() {
        html
    } else {
        let names: Vec<String> = r.unknown.iter().map(|k| format!("<code>{}</code>", esc(k))).collect();
        format!(r#"{html}<p class="dash-note" data-testid="unknown-sections">This report also has sections this page does not show: {}.</p>"#, names.join(", "))
    };
    Panel { id: "environment".into(), title: "Environment".into(), html, charts: Vec::new() }
}

fn speedup_panel(r: &Report) -> Panel {
    let s = speedups(r);
    if s.is_empty() {
        return Panel {
            id: "speedup".into(),
            title: "Speedup summary".into(),
            html: "<p class=\"dash-absent\">This report has no pair of aerospike-py and official client sections to compare.</p>".into(),
            charts: Vec::new(),
        };
    }
    let mut h = String::from(
        "<p>Each aerospike-py client against the official client <strong>in the same mode</strong>: \
         the sync client against the official sync client, the async client against the official client's async run. \
         Above 1× aerospike-py is ahead: throughput is ops/s over the official ops/s, latency is the official mean over aerospike-py's.</p>",
    );
    let t = Table {
        headers: ["operation", "sync vs sync: throughput", "sync vs sync: latency", "async vs async: throughput", "async vs async: latency"]
            .map(String::from)
            .to_vec(),
        rows: OPERATIONS
            .iter()
            .filter(|op| s.iter().any(|x| x.op == **op))
            .map(|op| {
                let find = |c: Client| s.iter().find(|x| x.op == *op && x.client == c);
                let sy = find(Client::AerospikePySync);
                let asy = find(Client::AerospikePyAsync);
                vec![
                    op.to_string(),
                    ratio_cell(sy.and_then(|x| x.throughput)),
                    ratio_cell(sy.and_then(|x| x.latency)),
                    ratio_cell(asy.and_then(|x| x.throughput)),
                    ratio_cell(asy.and_then(|x| x.latency)),
                ]
            })
            .collect(),
    };
    h.push_str(&table_html(&t, "aerospike-py ÷ official, per operation"));
    Panel { id: "speedup".into(), title: "Speedup summary".into(), html: h, charts: Vec::new() }
}

fn operations_panel(r: &Report) -> Panel {
    let mut h = String::from("<div class=\"dash-cards\">");
    let mut any = false;
    for op in OPERATIONS {
        let rows: Vec<(Client, Stats)> =
            Client::ALL.iter().filter_map(|&c| r.client(c).and_then(|o| o.get(op)).map(|s| (c, *s))).collect();
        if rows.is_empty() {
            continue;
        }
        any = true;
        h.push_str(&format!("<section class=\"dash-card\" aria-label=\"{op}\"><h3>{op}</h3><table><thead><tr><th scope=\"col\">client</th><th scope=\"col\">ops/s</th><th scope=\"col\">mean ms</th><th scope=\"col\">p99 ms</th></tr></thead><tbody>", op = esc(op)));
        for (c, s) in rows {
            let f = |v: Option<f64>| v.map(number).unwrap_or_else(|| "–".into());
            h.push_str(&format!(
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(c.label()),
                f(s.ops_per_sec),
                f(s.avg_ms),
                f(s.p99())
            ));
        }
        h.push_str("</tbody></table></section>");
    }
    h.push_str("</div><p class=\"widget-hint\">p99 of an async run is per request (its <code>per_op</code> figures); – means the report has no number.</p>");
    if !any {
        h = "<p class=\"dash-absent\">No client sections in this report.</p>".into();
    }
    Panel { id: "operations".into(), title: "Per-operation comparison".into(), html: h, charts: Vec::new() }
}

fn comparison_panels(file: &str, r: &Report) -> Vec<Panel> {
    let broken_clients: Vec<String> = r
        .clients
        .iter()
        .filter_map(|(c, s)| s.error().map(|e| format!("{} ({})", e, c.key())))
        .collect();
    let ops: Vec<&str> = OPERATIONS.iter().copied().filter(|op| Client::ALL.iter().any(|&c| r.client(c).and_then(|o| o.get(op)).is_some())).collect();
    let series = |f: fn(&Stats) -> Option<f64>| -> Vec<Series> {
        Client::ALL
            .iter()
            .filter(|&&c| r.client(c).is_some())
            .map(|&c| Series {
                label: c.label().into(),
                who: who(c),
                hollow: !c.is_async(),
                values: ops.iter().map(|op| r.client(c).and_then(|o| o.get(op)).and_then(f)).collect(),
            })
            .collect()
    };
    let mk = |id: &str, title: &str, desc: &str, f: fn(&Stats) -> Option<f64>| Chart {
        id: id.into(),
        title: title.into(),
        kind: Kind::Bars,
        categories: ops.iter().map(|s| s.to_string()).collect(),
        xs: Vec::new(),
        x_desc: "operation".into(),
        value_desc: desc.into(),
        log_x: false,
        series: series(f),
    };
    let problems: String = broken_clients.iter().map(|e| broken(file, e)).collect();
    let make = |id: &'static str, title: &'static str, c: Chart| {
        let html = if ops.is_empty() { not_here("Per-client operation data") } else { chart_html(&c) };
        Panel { id: id.into(), title: title.into(), html: problems.clone() + &html, charts: if ops.is_empty() { Vec::new() } else { vec![c] } }
    };
    vec![
        make("throughput", "Throughput comparison", mk("throughput", "Operations per second, by client", "ops/s", |s| s.ops_per_sec)),
        make("latency", "Latency comparison", mk("latency", "Mean latency, by client", "ms", |s| s.avg_ms)),
    ]
}

fn color(theme: &Theme, w: Who) -> RGBColor {
    match w {
        Who::AerospikePy => theme.tokio,
        Who::Official => theme.executor,
        Who::Other => theme.sync,
    }
}

/// A run as the page carries it: its panels computed at build time by the
/// same parser `check-reports` uses, or why the file could not be read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunView {
    pub date: String,
    pub file: String,
    /// The id of the source the index names for it (a `Payload::sources` entry).
    #[serde(default)]
    pub source: Option<String>,
    /// "Darwin arm64, Python 3.13.11", from the report's environment.
    #[serde(default)]
    pub machine: Option<String>,
    pub error: Option<String>,
    pub panels: Vec<Panel>,
}

impl RunView {
    /// The run picker's text: when, and on what.
    pub fn label(&self) -> String {
        let mut s = pretty_date(&self.date);
        if let Some(m) = &self.machine {
            s.push_str(" · ");
            s.push_str(m);
        }
        if self.error.is_some() {
            s.push_str(" (unreadable)");
        }
        s
    }
}

/// "2026-02-28_10-46" (the suite's file date) as "2026-02-28 10:46"; anything else unchanged.
pub fn pretty_date(d: &str) -> String {
    let b = d.as_bytes();
    let digits = |r: std::ops::Range<usize>| r.into_iter().all(|i| b[i].is_ascii_digit());
    if b.len() == 16 && digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10) && b[10] == b'_' && digits(11..13) && b[13] == b'-' && digits(14..16) {
        format!("{} {}:{}", &d[..10], &d[11..13], &d[14..])
    } else {
        d.to_string()
    }
}

/// Everything the dashboard shows, embedded in its page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Payload {
    /// Who measured the runs, in the index's order (empty: the index names none).
    #[serde(default)]
    pub sources: Vec<reports::Source>,
    pub runs: Vec<RunView>,
    /// Problems with the folder itself (an unreadable index.json).
    pub folder_errors: Vec<String>,
}

impl Payload {
    /// The runs grouped for the picker: each source with its runs' indices
    /// (newest first, as the index lists them), then any runs without a source.
    pub fn groups(&self) -> Vec<(Option<&reports::Source>, Vec<usize>)> {
        let of = |id: Option<&str>| (0..self.runs.len()).filter(|&i| self.runs[i].source.as_deref() == id).collect::<Vec<_>>();
        let mut out: Vec<_> = self.sources.iter().map(|s| (Some(s), of(Some(&s.id)))).filter(|(_, v)| !v.is_empty()).collect();
        let known = |r: &RunView| r.source.as_ref().is_some_and(|id| self.sources.iter().any(|s| &s.id == id));
        let rest: Vec<usize> = (0..self.runs.len()).filter(|&i| !known(&self.runs[i])).collect();
        if !rest.is_empty() {
            out.push((None, rest));
        }
        out
    }
}

/// Compute the payload of a reports folder's bundle. `folder_url` is the
/// folder's URL from the page (for links to a source's license).
pub fn payload(b: &reports::Bundle, folder_url: &str) -> Payload {
    let (runs, errs) = reports::load_bundle(b);
    let mut sources: Vec<reports::Source> = Vec::new();
    for s in runs.iter().filter_map(|r| r.source.as_ref()) {
        if !sources.iter().any(|x| x.id == s.id) {
            sources.push(s.clone());
        }
    }
    Payload {
        runs: runs
            .into_iter()
            .map(|r| {
                let source = r.source.as_ref().map(|s| s.id.clone());
                match &r.report {
                    Ok(rep) => {
                        let mut panels = panels(&r.file, rep);
                        if let (Some(s), Some(env)) = (&r.source, panels.iter_mut().find(|p| p.id == "environment")) {
                            env.html = source_html(s, folder_url) + &env.html;
                        }
                        RunView { panels, machine: machine(rep), source, date: r.date, file: r.file, error: None }
                    }
                    Err(e) => RunView { error: Some(e.to_string()), machine: None, source, date: r.date, file: r.file, panels: Vec::new() },
                }
            })
            .collect(),
        sources,
        folder_errors: errs.iter().map(|e| e.to_string()).collect(),
    }
}

fn machine(r: &Report) -> Option<String> {
    let e = r.environment.get()?;
    match (&e.platform, &e.python_version) {
        (Some(p), Some(v)) => Some(format!("{p}, Python {v}")),
        (Some(p), None) => Some(p.clone()),
        (None, Some(v)) => Some(format!("Python {v}")),
        (None, None) => None,
    }
}

/// Where a run comes from, above its environment badges.
fn source_html(s: &reports::Source, folder_url: &str) -> String {
    let license = s
        .license
        .as_ref()
        .map(|l| format!(" <a href=\"{}{}\">Terms of use</a>.", esc(folder_url), esc(l)))
        .unwrap_or_default();
    format!("<p class=\"dash-source\"><strong>{}.</strong> {}{license}</p>", esc(&s.label), esc(&s.about))
}

/// A panel as a page section. `side` ("a" or "b") keeps element ids unique
/// when two runs are shown side by side.
pub fn panel_html(p: &Panel, side: Option<&str>) -> String {
    let key = match side {
        Some(s) => format!("{s}-{}", p.id),
        None => p.id.clone(),
    };
    let side_attr = side.map(|s| format!(" data-side=\"{}\"", esc(s))).unwrap_or_default();
    format!(
        "<section class=\"dash-panel\" data-panel=\"{id}\"{side_attr} aria-labelledby=\"dash-{key}-title\"><h2 id=\"dash-{key}-title\">{t}</h2>{body}</section>",
        id = esc(&p.id),
        key = esc(&key),
        t = esc(&p.title),
        body = p.html
    )
}

/// One number both runs carry: where it is, and its value in each.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub chart: String,
    pub category: String,
    pub series: String,
    pub unit: String,
    pub a: f64,
    pub b: f64,
}

impl Change {
    pub fn ratio(&self) -> f64 {
        self.b / self.a
    }
}

/// Every number of every chart that both runs carry (same chart, same
/// category, same series), in run A's order. Zero or non-finite values in A
/// are left out: a ratio to them says nothing.
pub fn changes(a: &RunView, b: &RunView) -> Vec<Change> {
    let mut out = Vec::new();
    for ca in a.panels.iter().flat_map(|p| &p.charts) {
        let Some(cb) = b.panels.iter().flat_map(|p| &p.charts).find(|c| c.id == ca.id) else { continue };
        for sa in &ca.series {
            let Some(sb) = cb.series.iter().find(|s| s.label == sa.label) else { continue };
            for (i, cat) in ca.categories.iter().enumerate() {
                let Some(j) = cb.categories.iter().position(|c| c == cat) else { continue };
                if let (Some(Some(x)), Some(Some(y))) = (sa.values.get(i), sb.values.get(j)) {
                    if x.is_finite() && y.is_finite() && *x != 0.0 {
                        out.push(Change { chart: ca.title.clone(), category: format!("{} {cat}", ca.x_desc), series: sa.label.clone(), unit: ca.value_desc.clone(), a: *x, b: *y });
                    }
                }
            }
        }
    }
    out
}

/// The comparison's own panel: per chart, how many numbers both runs carry
/// and the range of B ÷ A, then every such number in a table.
pub fn compare_panel(a: &RunView, b: &RunView) -> Panel {
    let all = changes(a, b);
    let (la, lb) = (esc(&a.label()), esc(&b.label()));
    let mut html = format!("<p>Run A is <strong>{la}</strong>; run B is <strong>{lb}</strong>. Below, each panel shows A beside B; here, every number both runs carry, as B ÷ A.</p>");
    if all.is_empty() {
        html.push_str("<p class=\"dash-absent\">The two runs have no number in common (no chart with the same series at the same point).</p>");
        return Panel { id: "compare".into(), title: "A against B".into(), html, charts: Vec::new() };
    }
    let mut titles: Vec<&str> = Vec::new();
    for c in &all {
        if !titles.contains(&c.chart.as_str()) {
            titles.push(&c.chart);
        }
    }
    html.push_str("<ul class=\"dash-changes\">");
    for t in &titles {
        let mut r: Vec<f64> = all.iter().filter(|c| c.chart == *t).map(Change::ratio).collect();
        r.sort_by(f64::total_cmp);
        let median = if r.len() % 2 == 1 { r[r.len() / 2] } else { (r[r.len() / 2 - 1] + r[r.len() / 2]) / 2.0 };
        html.push_str(&format!(
            "<li>{}: {} number{} in both; B ÷ A from {}× to {}× (median {}×)</li>",
            esc(t),
            r.len(),
            if r.len() == 1 { "" } else { "s" },
            number(r[0]),
            number(r[r.len() - 1]),
            number(median)
        ));
    }
    html.push_str("</ul>");
    let t = Table {
        headers: ["chart", "at", "series", "unit", "A", "B", "B ÷ A"].map(String::from).to_vec(),
        rows: all.iter().map(|c| vec![c.chart.clone(), c.category.clone(), c.series.clone(), c.unit.clone(), raw(c.a), raw(c.b), format!("{}×", number(c.ratio()))]).collect(),
    };
    html.push_str(&format!("<details class=\"widget-data\"><summary>Every number in both runs ({})</summary>{}</details>", all.len(), table_html(&t, "A against B")));
    Panel { id: "compare".into(), title: "A against B".into(), html, charts: Vec::new() }
}

/// Draw one dashboard chart.
pub fn draw_chart<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, c: &Chart, theme: &Theme, scale: f64) -> Result<(), String> {
    match c.kind {
        Kind::Bars => draw_bars(area, c, theme, scale),
        Kind::Lines => draw_lines(area, c, theme, scale),
    }
}

fn value_range(c: &Chart) -> (f64, f64) {
    let hi = c.series.iter().flat_map(|s| s.values.iter().flatten()).fold(0.0f64, |a, &b| if b.is_finite() { a.max(b) } else { a });
    (0.0, if hi > 0.0 { hi * 1.12 } else { 1.0 })
}

/// A series' bar fill: aerospike-py solid (async) or outlined (sync), the
/// official client tinted with an edge (async) or without (sync), so the
/// four read apart in greyscale.
fn bar_fill(s: &Series) -> BarFill {
    match (s.who, s.hollow) {
        (Who::Official, false) => BarFill::TintEdged,
        (Who::Official, true) => BarFill::Tint,
        (_, false) => BarFill::Solid,
        (_, true) => BarFill::Outline,
    }
}

/// The marker a series' bar ends in: the client, not only its colour.
fn who_mark(w: Who) -> Mark {
    match w {
        Who::AerospikePy => Mark::Circle,
        Who::Official => Mark::Triangle,
        Who::Other => Mark::Square,
    }
}

fn draw_bars<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, c: &Chart, theme: &Theme, scale: f64) -> Result<(), String> {
    let pen = Pen::fill(area, theme, scale)?;
    let px = |v: f64| pen.px(v);
    let n = c.categories.len().max(1);
    let (_, hi) = value_range(c);
    let items = c.legend(theme);
    let plot = legend_band(area, pen, &items)?;
    let labels = c.categories.clone();
    let mut chart = ChartBuilder::on(&plot)
        .margin(px(10.0))
        .x_label_area_size(px(40.0))
        .y_label_area_size(px(120.0))
        .build_cartesian_2d(0.0..hi, -0.5..n as f64 - 0.5)
        .map_err(|e| e.to_string())?;
    pen.value_mesh(chart.configure_mesh().disable_y_mesh())
        .x_desc(c.value_desc.as_str())
        .x_labels(pen.labels_for(plot.dim_in_pixel().0.saturating_sub(px(130.0)), 70.0))
        .y_labels(n)
        .x_label_formatter(&|v| si(*v))
        .y_label_formatter(&|v| {
            let i = v.round();
            if (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n { labels[n - 1 - i as usize].clone() } else { String::new() }
        })
        .draw()
        .map_err(|e| e.to_string())?;
    let k = c.series.len().max(1) as f64;
    let band = 0.8 / k;
    for (j, s) in c.series.iter().enumerate() {
        let col = color(theme, s.who);
        let fill = bar_fill(s);
        let at: Vec<(f64, f64)> = s
            .values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.filter(|v| v.is_finite()).map(|v| (v, (n - 1 - i) as f64 - 0.4 + band * j as f64)))
            .collect();
        for style in fill.styles(col, pen) {
            chart
                .draw_series(at.iter().map(|&(v, y0)| Rectangle::new([(0.0, y0 + band * 0.08), (v, y0 + band * 0.92)], style)))
                .map_err(|e| e.to_string())?;
        }
        let end = Look { color: col, dash: Dash::Solid, mark: who_mark(s.who), hollow: fill.hollow(), width: 2.0 };
        end.marks(&mut chart, pen, &at.iter().map(|&(v, y0)| (v, y0 + band * 0.5)).collect::<Vec<_>>())?;
    }
    area.present().map_err(|e| e.to_string())
}

fn draw_lines<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, c: &Chart, theme: &Theme, scale: f64) -> Result<(), String> {
    let pen = Pen::fill(area, theme, scale)?;
    let px = |v: f64| pen.px(v);
    let (_, hi) = value_range(c);
    let (x0, x1) = c.xs.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
    let (x0, x1) = if x0.is_finite() && x1 > x0 { (x0, x1) } else { (0.0, 1.0) };
    let items = c.legend(theme);
    let plot = legend_band(area, pen, &items)?;
    let mut builder = ChartBuilder::on(&plot);
    builder.margin(px(10.0)).margin_right(px(22.0)).x_label_area_size(px(40.0)).y_label_area_size(px(64.0));
    // Log x needs positive values; fall back to linear otherwise.
    let log = c.log_x && x0 > 0.0;
    let to_x = move |x: f64| if log { x.log10() } else { x };
    let (a, b) = (to_x(x0), to_x(x1));
    let pad = (b - a) * 0.03;
    let mut chart = builder.build_cartesian_2d(a - pad..b + pad, 0.0..hi).map_err(|e| e.to_string())?;
    pen.value_mesh(&mut chart.configure_mesh())
        .x_desc(if log { format!("{} (log)", c.x_desc) } else { c.x_desc.clone() })
        .y_desc(c.value_desc.as_str())
        // On a log axis only whole decades are labelled (1, 10, 100, 1k).
        .x_label_formatter(&|v| {
            if !log {
                si(*v)
            } else if (v - v.round()).abs() < 0.02 {
                si(10f64.powf(v.round()))
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|v| si(*v))
        .draw()
        .map_err(|e| e.to_string())?;
    for (j, s) in c.series.iter().enumerate() {
        let l = Look::nth(color(theme, s.who), j, s.hollow);
        let pts: Vec<(f64, f64)> =
            c.xs.iter().zip(&s.values).filter_map(|(&x, v)| v.filter(|v| v.is_finite()).map(|v| (to_x(x), v))).collect();
        l.line(&mut chart, pen, &pts)?;
        l.marks(&mut chart, pen, &pts)?;
    }
    area.present().map_err(|e| e.to_string())
}
