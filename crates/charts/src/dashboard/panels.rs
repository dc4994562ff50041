//! Each panel of one report as escaped HTML plus chart specs: the environment, the speed-ups, the operations, the lab's grid and the comparisons.

use reports::speedup::speedups;
use reports::{Client, Report, Section, Stats, OPERATIONS};

use super::spec::{Chart, Kind, Panel, Series, Who};
use crate::format::number;
use crate::html::{emphasis, esc, table_html};
use crate::table::{raw, Table};

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
fn section_panel<T>(id: &'static str, title: &'static str, file: &str, s: &Section<T>, build: impl FnOnce(&T) -> (String, Vec<Chart>)) -> Panel {
    let (html, charts) = match s {
        Section::Present(t) => build(t),
        Section::Absent => (not_here(title), Vec::new()),
        Section::Invalid(e) => (broken(file, e), Vec::new()),
    };
    Panel { id: id.into(), title: title.into(), html, charts }
}

fn who(c: Client) -> Who {
    if c.is_official() {
        Who::Official
    } else {
        Who::AerospikePy
    }
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
            html.push_str(BATCH_LINK);
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
                Series {
                    label: "aerospike-py".into(),
                    who: Who::AerospikePy,
                    hollow: false,
                    values: d.data.iter().map(|x| x.throughput_ops_sec).collect(),
                },
                Series {
                    label: "official".into(),
                    who: Who::Official,
                    hollow: false,
                    values: d.data.iter().map(|x| x.official_throughput_ops_sec).collect(),
                },
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
                Series {
                    label: "put".into(),
                    who: Who::AerospikePy,
                    hollow: true,
                    values: d.data.iter().map(|x| x.put.and_then(|s| s.ops_per_sec)).collect(),
                },
                Series {
                    label: "get".into(),
                    who: Who::AerospikePy,
                    hollow: false,
                    values: d.data.iter().map(|x| x.get.and_then(|s| s.ops_per_sec)).collect(),
                },
            ],
        };
        (chart_html(&chart), vec![chart])
    }));
    out.push(section_panel("io-grid", "I/O wait × concurrency (measurement lab)", file, &r.io_wait_grid, io_grid_panel));
    out.push(section_panel("batch-grid", "Batch reads over a stub cluster (measurement lab)", file, &r.batch_grid, batch_grid_panel));
    out.push(section_panel("takeaways", "Takeaways", file, &r.takeaways, |t| {
        let items: String = t.iter().map(|x| format!("<li>{}</li>", emphasis(x))).collect();
        (format!("<ul class=\"dash-takeaways\">{items}</ul><p class=\"widget-hint\">Written by the benchmark suite with the report.</p>"), Vec::new())
    }));
    out
}

/// The lab's batch grid: at its centre (the wait, callers and found share
/// most cells share), one chart of batches per second against keys per batch
/// for each node count, a line per client and policy; then the refused cells.
fn batch_grid_panel(d: &reports::batch::BatchGrid) -> (String, Vec<Chart>) {
    let most = |v: Vec<String>| -> Option<String> {
        let mut counts: Vec<(String, usize)> = Vec::new();
        for x in v {
            match counts.iter_mut().find(|(k, _)| *k == x) {
                Some((_, n)) => *n += 1,
                None => counts.push((x, 1)),
            }
        }
        counts.into_iter().max_by_key(|(_, n)| *n).map(|(k, _)| k)
    };
    let (Some(io), Some(n), Some(found)) = (
        most(d.data.iter().map(|c| raw(c.io_wait_ms)).collect()),
        most(d.data.iter().map(|c| c.concurrency.to_string()).collect()),
        most(d.data.iter().map(|c| raw(c.found_ratio)).collect()),
    ) else {
        return ("<p class=\"dash-absent\">The batch grid has no cells.</p>".into(), Vec::new());
    };
    let centre: Vec<&reports::batch::BatchCell> =
        d.data.iter().filter(|c| raw(c.io_wait_ms) == io && c.concurrency.to_string() == n && raw(c.found_ratio) == found).collect();
    let mut lines: Vec<(String, String)> = Vec::new();
    let mut nodes: Vec<u64> = Vec::new();
    let mut keys: Vec<u64> = Vec::new();
    for c in &centre {
        if !lines.contains(&(c.pattern.clone(), c.policy.clone())) {
            lines.push((c.pattern.clone(), c.policy.clone()));
        }
        if !nodes.contains(&c.nodes) {
            nodes.push(c.nodes);
        }
        if !keys.contains(&c.keys) {
            keys.push(c.keys);
        }
    }
    nodes.sort_unstable();
    keys.sort_unstable();
    let mut html = String::new();
    let mut charts = Vec::new();
    for (k, m) in nodes.iter().enumerate() {
        let series = lines
            .iter()
            .map(|(p, pol)| Series {
                label: format!(
                    "{}{}",
                    p.replace("aerospike_py", "aerospike-py").replace('_', " "),
                    if pol == "parallel" { ", concurrent" } else { "" }
                ),
                who: if p.starts_with("aerospike_py") { Who::AerospikePy } else { Who::Official },
                hollow: p.ends_with("_sync"),
                values: keys
                    .iter()
                    .map(|&kk| {
                        centre.iter().find(|c| c.pattern == *p && c.policy == *pol && c.nodes == *m && c.keys == kk).and_then(|c| c.ops_per_sec)
                    })
                    .collect(),
            })
            .filter(|s: &Series| s.values.iter().any(Option::is_some))
            .collect();
        let c = Chart {
            id: format!("batch-grid-{k}"),
            title: format!("Measured batches per second over {m} node{}, {io} ms injected, {n} callers", if *m == 1 { "" } else { "s" }),
            kind: Kind::Lines,
            categories: keys.iter().map(|k| k.to_string()).collect(),
            xs: keys.iter().map(|&k| k as f64).collect(),
            x_desc: "keys per batch".into(),
            value_desc: "batches/s".into(),
            log_x: true,
            series,
        };
        html.push_str(&chart_html(&c));
        charts.push(c);
    }
    html.push_str(&format!(
        "<p class=\"widget-hint\">{} cells in all; drawn here, those at {io} ms injected, {n} callers and {} of the keys found. \
         The methodology sets the model beside every one.</p>",
        d.data.len(),
        if found == "1" { "all".to_string() } else { format!("{found} share") }
    ));
    if !d.refused.is_empty() {
        html.push_str(&format!("<p class=\"widget-hint\">{} cell(s) refused (never measured quietly, or failing every round).</p>", d.refused.len()));
    }
    html.push_str(BATCH_LINK);
    (html, charts)
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
        headers: [
            "pattern",
            "I/O wait ms",
            "concurrency",
            "ops/s (median)",
            "ops/s min",
            "ops/s max",
            "mean ms",
            "p50 ms",
            "p99 ms",
            "applied wait p50 µs",
            "threads",
            "RSS MiB",
            "CPU cores",
            "CPU µs per get",
            "others' CPU share",
        ]
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
                    f(c.foreign_cpu_share),
                ]
            })
            .collect(),
    };
    html.push_str(&format!("<details class=\"widget-data\"><summary>Every measured cell</summary>{}</details>", table_html(&t, "Measured grid")));
    if !d.skipped.is_empty() {
        let skipped = Table {
            headers: ["pattern", "I/O wait ms", "concurrency", "why not measured"].map(String::from).to_vec(),
            rows: d.skipped.iter().map(|s| vec![s.pattern.clone(), number(s.io_wait_ms), s.concurrency.to_string(), s.reason.clone()]).collect(),
        };
        html.push_str(&format!(
            "<details class=\"widget-data\"><summary>Not measured ({})</summary>{}</details>",
            d.skipped.len(),
            table_html(&skipped, "Cells not measured")
        ));
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
            Series {
                label: "aerospike-py".into(),
                who: Who::AerospikePy,
                hollow: false,
                values: rows.iter().map(|r| r.0.and_then(|s| s.ops_per_sec)).collect(),
            },
            Series {
                label: "official".into(),
                who: Who::Official,
                hollow: false,
                values: rows.iter().map(|r| r.1.and_then(|s| s.ops_per_sec)).collect(),
            },
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
    if gaps.is_empty() {
        String::new()
    } else {
        format!("<p class=\"dash-missing\">{}.</p>", esc(&gaps.join("; ")))
    }
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
        format!(
            r#"{html}<p class="dash-note" data-testid="unknown-sections">This report also has sections this page does not show: {}.</p>"#,
            names.join(", ")
        )
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

/// Where a batch panel sends the reader: one local node is not a cluster.
pub(crate) const BATCH_LINK: &str = "<p class=\"widget-hint\">What a cluster of several nodes a network hop away changes, and the \
     client's policy for a batch's node requests: see <a href=\"../comparison/batches.html\">Batches and the cluster</a>.</p>";

fn operations_panel(r: &Report) -> Panel {
    let mut h = String::from("<div class=\"dash-cards\">");
    let mut any = false;
    for op in OPERATIONS {
        let rows: Vec<(Client, Stats)> = Client::ALL.iter().filter_map(|&c| r.client(c).and_then(|o| o.get(op)).map(|s| (c, *s))).collect();
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
        h.push_str("</tbody></table>");
        if op == "batch_read" {
            // One local node sends every key to one place: what a cluster changes is on its own page.
            h.push_str(BATCH_LINK);
        }
        h.push_str("</section>");
    }
    h.push_str(
        "</div><p class=\"widget-hint\">p99 of an async run is per request (its <code>per_op</code> figures); – means the report has no number.</p>",
    );
    if !any {
        h = "<p class=\"dash-absent\">No client sections in this report.</p>".into();
    }
    Panel { id: "operations".into(), title: "Per-operation comparison".into(), html: h, charts: Vec::new() }
}

fn comparison_panels(file: &str, r: &Report) -> Vec<Panel> {
    let broken_clients: Vec<String> = r.clients.iter().filter_map(|(c, s)| s.error().map(|e| format!("{} ({})", e, c.key()))).collect();
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
