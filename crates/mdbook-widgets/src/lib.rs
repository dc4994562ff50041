//! Find `{{#widget ...}}` directives in Markdown and replace each with a typed placeholder element.
//!
//! Directives are found with a Markdown parser, so one inside a code block
//! or inline code stays text. Replacements are spliced back to front so
//! earlier offsets stay valid.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use widget_props::{parse_directive, Widget};

pub mod glossary;
pub mod lab_costs;
pub mod lab_fit;
pub mod machines;
pub mod open_lab;

const OPEN: &str = "{{#widget";
const CLOSE: &str = "}}";
/// Replaced by the table of model parameters (name, default, unit, range, source).
const PARAMS: &str = "{{#model-params}}";
/// Replaced by the table of network presets (round trip and source).
const PRESETS: &str = "{{#model-presets}}";
/// Replaced by the model's throughput against the newest lab report's grid.
const LAB: &str = "{{#model-vs-lab}}";
/// Replaced by each example service's verdict, computed when the book is built.
const SERVICES: &str = "{{#service-examples}}";
/// Replaced by the lab's executor (default pool, 64 threads) against aerospike-py, cell by cell.
const POOL_LAB: &str = "{{#pool-lab}}";
/// Replaced by where each pattern wins and loses: the model at stated scenarios, then the lab.
const VERDICTS: &str = "{{#verdicts}}";

/// A directive that could not be turned into a widget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectiveError {
    /// 1-based line in the chapter source.
    pub line: usize,
    pub message: String,
}

/// Where the book lives: folders named by directives are read relative to `src_dir`.
#[derive(Debug, Clone, Default)]
pub struct BookEnv {
    pub src_dir: std::path::PathBuf,
    /// The way from the page being expanded to the book's root ("../" per
    /// folder level; empty for a page at the root), for links into src.
    pub to_root: String,
}

/// Replace every directive in `markdown`, reading folders relative to the
/// current directory; all errors are collected.
pub fn expand(markdown: &str) -> Result<String, Vec<DirectiveError>> {
    expand_in(markdown, &BookEnv::default())
}

/// The widgets a page carries, by name, sorted and each once: what
/// `cargo xtask build` builds that page's WebAssembly module with (its
/// placeholders, found the same way `expand_in` finds them).
pub fn widgets_on_page(markdown: &str) -> Result<Vec<&'static str>, Vec<DirectiveError>> {
    let prose = prose_ranges(markdown);
    let mut names = Vec::new();
    let mut errors = Vec::new();
    for d in directives(markdown, OPEN, &prose) {
        match d.and_then(|(_, _, line, inner)| parse_directive(inner).map_err(|message| DirectiveError { line, message })) {
            Ok(w) => names.push(w.name()),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    names.sort_unstable();
    names.dedup();
    Ok(names)
}

/// Replace every directive in `markdown` of the book at `env`.
pub fn expand_in(markdown: &str, env: &BookEnv) -> Result<String, Vec<DirectiveError>> {
    let prose = prose_ranges(markdown);
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for d in directives(markdown, OPEN, &prose) {
        match d
            .and_then(|(start, end, line, inner)| parse_directive(inner).map(|w| (start, end, w)).map_err(|message| DirectiveError { line, message }))
        {
            Ok(w) => found.push(w),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // A page with a widget that reads the scenario gets the scenario bar's
    // place under its title, its height reserved, so the bar does not push the
    // page down when the module mounts it.
    let bar = found.iter().any(|(_, _, w)| !matches!(w, Widget::ResultsDashboard(_)));
    let mut edits: Vec<(usize, usize, String)> = found.into_iter().map(|(s, e, w)| (s, e, placeholder_in(&w, env))).collect();
    if bar {
        let at = first_heading_end(markdown).unwrap_or(0);
        edits.push((at, at, SCENARIO_BAR.to_string()));
    }
    // Whole-page tokens in prose (in code they stay text), each replaced by its text.
    let tokens = |token: &str| -> Vec<(usize, usize)> {
        let mut at = Vec::new();
        let mut from = 0;
        while let Some(i) = markdown[from..].find(token) {
            let start = from + i;
            from = start + token.len();
            if prose.iter().any(|r| r.contains(&start)) {
                at.push((start, from));
            }
        }
        at
    };
    let lab = || model_vs_lab(env);
    let pool_lab_table = || pool_lab(env);
    let verdicts = || verdicts(env);
    let open_lab_table = || open_lab::table(env, true);
    let open_lab_summary = || open_lab::table(env, false);
    let lab_costs_table = || lab_costs::table(env);
    let machines_table = || machines::table(env);
    let texts: [(&str, &dyn Fn() -> String); 10] = [
        (machines::TOKEN, &machines_table),
        (lab_costs::TOKEN, &lab_costs_table),
        (PARAMS, &params_table),
        (PRESETS, &presets_table),
        (LAB, &lab),
        (SERVICES, &service_examples),
        (POOL_LAB, &pool_lab_table),
        (VERDICTS, &verdicts),
        (open_lab::TOKEN, &open_lab_table),
        (open_lab::SUMMARY_TOKEN, &open_lab_summary),
    ];
    for (token, text) in texts {
        edits.extend(tokens(token).into_iter().map(|(a, b)| (a, b, text())));
    }
    match math_edits(markdown) {
        Ok(m) => edits.extend(m),
        Err(e) => return Err(e),
    }
    match param_edits(markdown, &prose, env) {
        Ok(m) => edits.extend(m),
        Err(e) => return Err(e),
    }
    // The glossary: its own page lists it; every other page links the first use of each term.
    if let Some(g) = read_glossary(env).map_err(|message| vec![DirectiveError { line: 1, message }])? {
        let listed = tokens(glossary::TOKEN);
        if !listed.is_empty() {
            edits.extend(listed.into_iter().map(|(a, b)| (a, b, g.render())));
        } else {
            let taken: Vec<(usize, usize)> = edits.iter().map(|(s, e, _)| (*s, *e)).collect();
            edits.extend(g.links(markdown, &env.to_root, &taken));
        }
    }
    edits.sort_by_key(|e| e.0);
    let mut out = markdown.to_string();
    for (start, end, text) in edits.into_iter().rev() {
        out.replace_range(start..end, &text);
    }
    Ok(out)
}

/// Where the scenario bar goes: the widgets module mounts it here.
pub const SCENARIO_BAR: &str = "\n\n<div class=\"widget-scenario-host\" data-scenario-bar></div>\n\n";

/// The end of the chapter's first heading (its title), if it has one.
fn first_heading_end(markdown: &str) -> Option<usize> {
    let mut in_heading = false;
    for (ev, range) in Parser::new_ext(markdown, Options::all()).into_offset_iter() {
        match ev {
            Event::Start(Tag::Heading { .. }) => in_heading = true,
            Event::End(TagEnd::Heading(_)) if in_heading => return Some(range.end),
            _ => {}
        }
    }
    None
}

/// The book's glossary, if it has one (`glossary.toml` in the source folder).
fn read_glossary(env: &BookEnv) -> Result<Option<glossary::Glossary>, String> {
    let path = env.src_dir.join("glossary.toml");
    match std::fs::read_to_string(&path) {
        Ok(text) => glossary::Glossary::parse(&text).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Each example service of the "Your service" page with the model's verdict
/// on it, fully simulated: the page's table of examples.
pub fn service_examples() -> String {
    use charts::format::{count, number};
    use charts::service::{complete, presets};
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let p = perfmodel::Params::default();
    let mut t = String::from("\n\n| Example | The service | Verdict | Smallest executor pool that meets the target |\n|---|---|---|---|\n");
    for pr in presets() {
        let (verdict, pool) = match complete(&p, &pr.service) {
            Ok(d) => {
                let pool = match d.smallest_pool() {
                    Some(Some(o)) => format!(
                        "{} {} (p99 {} ms)",
                        count(o.pool),
                        if o.pool == 1 { "thread" } else { "threads" },
                        o.sim.map(|a| number(a.p99_ms)).unwrap_or_default()
                    ),
                    _ => "none up to 1,024".into(),
                };
                (d.verdict().first().cloned().unwrap_or_default(), pool)
            }
            Err(e) => (format!("the model refused it: {e}"), String::new()),
        };
        t.push_str(&format!("| {} | {} | {} | {} |\n", pr.label, cell(pr.about), cell(&verdict), pool));
    }
    t.push('\n');
    t
}

/// The model's parameter list as a Markdown table, straight from
/// [`perfmodel::Params::describe`].
pub fn params_table() -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut t = String::from(
        "\n\n| Parameter | Default | Unit | Valid range | What it is | Where the default comes from |\n\
         |---|---:|---|---|---|---|\n",
    );
    for p in perfmodel::Params::describe() {
        t.push_str(&format!(
            "| <a id=\"param-{}\"></a>`{}` | {} | {} | {} – {} | {} | {} |\n",
            p.name,
            p.name,
            p.default,
            p.unit,
            p.min,
            p.max,
            cell(p.description),
            cell(p.provenance)
        ));
    }
    t.push('\n');
    t
}

/// Each `open … }}` in prose (in code it stays text): its span, its 1-based
/// line and the text between; an unclosed one is an error and ends the search.
fn directives<'a>(markdown: &'a str, open: &'a str, prose: &[std::ops::Range<usize>]) -> Vec<Result<(usize, usize, usize, &'a str), DirectiveError>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = markdown[from..].find(open) {
        let start = from + i;
        from = start + open.len();
        if !prose.iter().any(|r| r.contains(&start)) {
            continue;
        }
        let line = markdown[..start].matches('\n').count() + 1;
        let Some(j) = markdown[from..].find(CLOSE) else {
            out.push(Err(DirectiveError { line, message: format!("{}…}} is not closed with }}}}", open.trim_end()) }));
            break;
        };
        out.push(Ok((start, from + j + CLOSE.len(), line, &markdown[from..from + j])));
        from += j + CLOSE.len();
    }
    out
}

/// Replaced inline by one parameter's default with its unit, linked to its row of the parameter table.
pub const PARAM: &str = "{{#param ";

/// `{{#param NAME}}` in prose: the default of the model's parameter NAME and
/// its unit ("512 threads", "8 MiB"), linked to the methodology page's row,
/// so prose never types a parameter's value. An unknown name fails the build.
fn param_edits(markdown: &str, prose: &[std::ops::Range<usize>], env: &BookEnv) -> Result<Vec<(usize, usize, String)>, Vec<DirectiveError>> {
    let table = perfmodel::Params::describe();
    let (mut edits, mut errors) = (Vec::new(), Vec::new());
    for d in directives(markdown, PARAM, prose) {
        let (start, end, line, name) = match d {
            Ok((start, end, line, inner)) => (start, end, line, inner.trim()),
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        match table.iter().find(|p| p.name == name) {
            Some(p) => {
                let unit = if p.unit == "fraction" { String::new() } else { format!(" {}", p.unit) };
                let d = p.default;
                let value = if d.fract() == 0.0 && d.abs() < 1e9 { charts::format::count(d as u32) } else { charts::format::number(d) };
                edits.push((start, end, format!("[{value}{unit}]({}methodology.md#param-{name})", env.to_root)));
            }
            None => errors.push(DirectiveError { line, message: format!("{{{{#param {name}}}}}: the model has no parameter {name:?}") }),
        }
    }
    if errors.is_empty() {
        Ok(edits)
    } else {
        Err(errors)
    }
}

/// `$…$` and `$$…$$` in prose, typeset to MathML when the book is built
/// (no script: it works offline, from disk, in print). A formula the
/// typesetter cannot read fails the build with its line.
fn math_edits(markdown: &str) -> Result<Vec<(usize, usize, String)>, Vec<DirectiveError>> {
    let mut edits = Vec::new();
    let mut errors = Vec::new();
    for (ev, range) in Parser::new_ext(markdown, Options::all()).into_offset_iter() {
        let (tex, block) = match &ev {
            Event::InlineMath(t) => (t.as_ref(), false),
            Event::DisplayMath(t) => (t.as_ref(), true),
            _ => continue,
        };
        let line = markdown[..range.start].matches('\n').count() + 1;
        match mathml(tex, block) {
            Ok(m) => edits.push((range.start, range.end, m)),
            Err(message) => errors.push(DirectiveError { line, message }),
        }
    }
    if errors.is_empty() {
        Ok(edits)
    } else {
        Err(errors)
    }
}

/// One formula as MathML Core. Text between the tags is escaped so that
/// Markdown, which reads it again as inline HTML, finds nothing to format.
pub fn mathml(tex: &str, block: bool) -> Result<String, String> {
    use pulldown_latex::{config::DisplayMode, mathml::push_mathml, Parser as Tex, RenderConfig, Storage};
    let storage = Storage::new();
    if let Some(Err(e)) = Tex::new(tex, &storage).find(|ev| ev.is_err()) {
        return Err(format!("formula ${tex}$ cannot be typeset: {e}"));
    }
    let config = RenderConfig { display_mode: if block { DisplayMode::Block } else { DisplayMode::Inline }, ..RenderConfig::default() };
    let mut out = String::new();
    push_mathml(&mut out, Tex::new(tex, &storage), config).map_err(|e| format!("formula ${tex}$: {e}"))?;
    // The typesetter writes some commands' attributes without a space between
    // them (`\bigl`: `stretchy="true"minsize=…`), which a browser reads as text.
    let run_together = {
        let (mut quoted, mut bad) = (false, false);
        let b = out.as_bytes();
        for (i, &c) in b.iter().enumerate() {
            if c == b'"' {
                // A closing quote must be followed by a space, `>` or `/`.
                if quoted && b.get(i + 1).is_some_and(|n| n.is_ascii_alphanumeric()) {
                    bad = true;
                }
                quoted = !quoted;
            }
        }
        bad
    };
    if run_together {
        return Err(format!(
            "formula ${tex}$ typesets to malformed MathML (attributes run together); write it another way (\\left( … \\right) for \\bigl( … \\bigr))"
        ));
    }
    let mut safe = String::with_capacity(out.len());
    let mut in_tag = false;
    for c in out.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ => {}
        }
        match c {
            '*' | '_' | '`' | '[' | ']' | '\\' | '$' | '~' | '|' if !in_tag => safe.push_str(&format!("&#{};", c as u32)),
            '\n' => safe.push(' '),
            c => safe.push(c),
        }
    }
    Ok(safe)
}

/// Byte ranges of ordinary text: not code blocks, inline code or raw HTML.
fn prose_ranges(markdown: &str) -> Vec<std::ops::Range<usize>> {
    let mut in_code = 0usize;
    let mut out = Vec::new();
    for (ev, range) in Parser::new_ext(markdown, Options::all()).into_offset_iter() {
        match ev {
            Event::Start(Tag::CodeBlock(_)) => in_code += 1,
            Event::End(TagEnd::CodeBlock) => in_code = in_code.saturating_sub(1),
            Event::Text(_) if in_code == 0 => out.push(range),
            _ => {}
        }
    }
    out
}

/// The model against the measurement lab: for every measured cell of the
/// newest report in the book's `reports/` folder that the model has a
/// pattern for, the measured and the predicted (analytic) throughput, and
/// the error. The scenario is the cell's: its injected wait plus the stub's
/// round trip (derived from the report), its callers, the machine's cores.
/// The newest lab report with a grid: the run, its grid, the lab machine's
/// cores, and the stub's own round trip (what a one-caller sync get takes with
/// no injected wait, minus the official client's costs in the model), ms.
pub struct Lab {
    pub run: reports::Run,
    pub grid: reports::model::IoWaitGrid,
    /// CPUs the client process had: the pinned ones in a clean lab run, else the machine's.
    pub cores: u32,
    /// CPUs of the machine (`os.cpu_count()`), which size Python's default pool.
    pub node_cpus: u32,
    pub rtt_ms: f64,
}

pub fn newest_lab(env: &BookEnv) -> Option<Lab> {
    use perfmodel::{Params, Scenario};
    let bundle = reports::read_dir(&env.src_dir.join("reports")).unwrap_or(reports::Bundle { index: None, files: Vec::new() });
    let (runs, _) = reports::load_bundle(&bundle);
    let (run, rep, grid) = runs.iter().find_map(|r| {
        let rep = r.report.as_ref().ok()?;
        rep.io_wait_grid.get().map(|g| (r, rep, g))
    })?;
    let e = rep.environment.get();
    let node_cpus = e.and_then(|e| e.cpu_count()).unwrap_or(Scenario::default().cores);
    let cores = e.and_then(|e| e.client_cpus()).unwrap_or(node_cpus);
    let p = Params::default();
    let sync0 = grid.data.iter().find(|c| c.pattern == "official_sync" && c.io_wait_ms == 0.0 && c.concurrency == 1).and_then(|c| c.ops_per_sec);
    let rtt_ms = sync0
        .map(|x| perfmodel::calibrate::stub_rtt_us(x, p.official_gil_us, p.official_nogil_us) / 1e3)
        .unwrap_or(perfmodel::scenario::LOCALHOST_RTT_MS);
    let mut lab = Lab { run: run.clone(), grid: grid.clone(), cores, node_cpus, rtt_ms };
    // A clean report's own measurements give the round trip exactly as calibration does.
    if let Some(m) = lab_costs::lab_costs(&lab) {
        lab.rtt_ms = perfmodel::calibrate::client_costs(&m, &p).stub_rtt_us / 1e3;
    }
    Some(lab)
}

impl Lab {
    /// The executor's and aerospike-py's measured cells, as the pool figure carries them.
    pub fn points(&self) -> charts::pools::LabPoints {
        let default_pool = perfmodel::scenario::default_pool(self.node_cpus);
        let cells = self
            .grid
            .data
            .iter()
            .filter_map(|c| {
                let pool = match c.pattern.as_str() {
                    "official_executor" => Some(default_pool),
                    "official_executor_64" => Some(64),
                    "aerospike_py_async" => None,
                    _ => return None,
                };
                Some(charts::pools::LabCell {
                    injected_ms: c.io_wait_ms,
                    io_wait_ms: c.io_wait_ms + self.rtt_ms,
                    concurrency: c.concurrency.clamp(1, 100_000) as u32,
                    pool,
                    ops_per_sec: c.ops_per_sec.filter(|x| *x > 0.0)?,
                    p99_ms: c.p99_ms,
                })
            })
            .collect();
        charts::pools::LabPoints { report: self.run.date.clone(), cores: self.cores, node_cpus: self.node_cpus, cells }
    }
}

/// Where each pattern wins and loses: the model's verdict table
/// ([`charts::verdicts`]) and the lab's measurements at five cells of its grid.
pub fn verdicts(env: &BookEnv) -> String {
    use charts::format::{count, number};
    let model = match charts::verdicts::rows(&perfmodel::Params::default()) {
        Ok(rows) => charts::verdicts::markdown(&rows),
        Err(e) => format!("\n\n*The model refused a stated scenario: {e}*\n\n"),
    };
    let Some(lab) = newest_lab(env) else {
        return model;
    };
    let find = |pattern: &str, io: f64, n: u64| {
        lab.grid.data.iter().find(|c| c.pattern == pattern && c.io_wait_ms == io && c.concurrency == n).and_then(|c| c.ops_per_sec)
    };
    let mut rows = String::new();
    for (io, n) in [(0.0, 1), (0.0, 64), (1.0, 64), (5.0, 256), (20.0, 1_024)] {
        let (sync, small, big, tk) =
            (find("official_sync", io, n), find("official_executor", io, n), find("official_executor_64", io, n), find("aerospike_py_async", io, n));
        let Some(tk) = tk else { continue };
        let cell = |x: Option<f64>| x.map(|v| format!("{}/s", number(v))).unwrap_or_else(|| "not measured".into());
        let best = [("the blocking call", sync), ("the default pool", small), ("64 threads", big)]
            .into_iter()
            .filter_map(|(who, x)| x.map(|v| (who, v)))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        let ahead = match best {
            Some((who, v)) if v >= 1.05 * tk => format!("the official client ({who}), {}× aerospike-py", number(v / tk)),
            Some((who, v)) if v > tk / 1.05 => {
                format!("even: the official client ({who}) within 5%")
            }
            Some((who, v)) => format!("aerospike-py, {}× the official client's best ({who})", number(tk / v)),
            None => String::new(),
        };
        rows.push_str(&format!(
            "| {io} ms, {} | {} | {} | {} | {}/s | {ahead} |\n",
            if n == 1 { "one caller".to_string() } else { format!("{} callers", count(n as u32)) },
            cell(sync),
            cell(small),
            cell(big),
            number(tk)
        ));
    }
    format!(
        "{model}Measured by this project's lab (report {}, the client on {} of the machine's {} CPUs and the stub server on another; \
         requests per second, injected wait plus the stub's own round trip):\n\n\
         | Injected wait, callers | Official, blocking | Official, default pool ({}) | Official, 64 threads | aerospike-py async | Ahead |\n\
         |---|---:|---:|---:|---:|---|\n{rows}\n",
        lab.run.date,
        lab.cores,
        lab.node_cpus,
        perfmodel::scenario::default_pool(lab.node_cpus)
    )
}

/// The lab's measurements of the bigger-pool question: in every cell where the
/// executor ran with 64 threads and aerospike-py's async client ran too, their
/// requests/s side by side, with the default pool's, and the count of cells
/// where 64 threads matched (within 5%) or beat aerospike-py.
pub fn pool_lab(env: &BookEnv) -> String {
    use charts::format::{count, number};
    let Some(lab) = newest_lab(env) else {
        return "\n\n*No lab report yet: `cargo xtask lab` measures the grid; this table is then computed from it.*\n\n".into();
    };
    let find = |pattern: &str, io: f64, n: u64| lab.grid.data.iter().find(|c| c.pattern == pattern && c.io_wait_ms == io && c.concurrency == n);
    let default_pool = perfmodel::scenario::default_pool(lab.node_cpus);
    let (mut rows, mut cells, mut matched, mut default_matched) = (String::new(), 0u32, 0u32, 0u32);
    let mut rss: Vec<f64> = Vec::new();
    for c in lab.grid.data.iter().filter(|c| c.pattern == "official_executor_64") {
        let (Some(big), Some(tk)) = (c.ops_per_sec, find("aerospike_py_async", c.io_wait_ms, c.concurrency).and_then(|t| t.ops_per_sec)) else {
            continue;
        };
        let small = find("official_executor", c.io_wait_ms, c.concurrency);
        let within = |x: f64| x >= (1.0 - charts::pools::CATCH_UP) * tk;
        cells += 1;
        matched += within(big) as u32;
        default_matched += small.and_then(|s| s.ops_per_sec).is_some_and(within) as u32;
        if let (Some(a), Some(b)) = (c.rss_mib, small.and_then(|s| s.rss_mib)) {
            rss.push(a - b);
        }
        rows.push_str(&format!(
            "| {} | {} | {} | {} | {} | {}× |\n",
            c.io_wait_ms,
            count(c.concurrency as u32),
            small.and_then(|s| s.ops_per_sec).map(number).unwrap_or_else(|| "not measured".into()),
            number(big),
            number(tk),
            number(big / tk)
        ));
    }
    rss.sort_by(f64::total_cmp);
    let rss = rss
        .get(rss.len() / 2)
        .map(|v| {
            format!(
                " The 64-thread process's resident set was a median {} MiB above the default pool's in the same cells (each run \
                 is a fresh process; the model's figures are in the table under the figure).",
                number(*v)
            )
        })
        .unwrap_or_default();
    format!(
        "\n\nIn the lab report of {date}, over {cells} cells measured both ways, the executor with 64 threads completed \
         at least 95% of aerospike-py's async requests per second (or more) in **{matched}**; with Python's default pool \
         ({default_pool} threads, from the lab machine's {cores} CPUs) it did in {default_matched}.{rss}\n\n\
         <details><summary>Every cell</summary>\n\n\
         | Injected wait (ms) | Callers | Executor, {default_pool} threads (req/s) | Executor, 64 threads (req/s) | aerospike-py async (req/s) | 64 threads ÷ aerospike-py |\n\
         |---:|---:|---:|---:|---:|---:|\n{rows}\n</details>\n\n",
        date = lab.run.date,
        cores = lab.node_cpus,
    )
}

pub fn model_vs_lab(env: &BookEnv) -> String {
    use charts::format::number;
    let Some(lab) = newest_lab(env) else {
        return "\n\n*No lab report yet: `cargo xtask lab` measures the grid and files it in `book/reports/`; \
                this table is then computed from it.*\n\n"
            .into();
    };
    let cells = lab_fit::fit(&lab, &perfmodel::Params::default(), true);
    let pct = |v: Option<f64>| v.filter(|v| v.is_finite()).map(|v| format!("{:+.0}%", v * 100.0)).unwrap_or_else(|| "–".into());
    let abs_pct = |v: f64| {
        if v.is_finite() {
            format!("{:.0}%", v * 100.0)
        } else {
            "–".into()
        }
    };
    let ms = |v: Option<f64>| v.map(number).unwrap_or_else(|| "–".into());
    let mut rows = String::new();
    for c in &cells {
        rows.push_str(&format!(
            "| {} | {} | {} | {} | {} | {:+.0}% | {} | {} | {} | {} | {} | {} |\n",
            c.label,
            c.io_wait_ms,
            c.concurrency,
            c.measured_ops.round(),
            c.model_ops.round(),
            c.throughput_err() * 100.0,
            pct(c.mean_err()),
            ms(c.measured_p99_ms),
            ms(c.model_p99_ms),
            c.measured_rss_mib.map(number).unwrap_or_else(|| "–".into()),
            number(c.model_rss_mib),
            c.measured_threads.map(|t| format!("{t} / {}", c.model_threads)).unwrap_or_else(|| "–".into()),
        ));
    }
    let mut summary = String::new();
    let mut misses = String::new();
    let fits = lab_fit::summary(&cells);
    for f in &fits {
        summary.push_str(&format!(
            "| {} | {} | {} | {} ({}) | {} | {} of {} | {} | {} |\n",
            f.label,
            f.cells,
            abs_pct(f.median_err),
            abs_pct(f.worst_err),
            f.worst_cell,
            abs_pct(f.median_mean_err),
            f.p99_within,
            f.p99_cells,
            abs_pct(f.median_rss_err),
            abs_pct(f.median_threads_err),
        ));
        let m = f.misses();
        if !m.is_empty() {
            misses.push_str(&format!("- **{}** misses: {}.\n", f.label, m.join("; ")));
        }
    }
    if misses.is_empty() {
        misses = "Every pattern meets every target.\n".into();
    }
    let all = {
        let mut v: Vec<f64> = cells.iter().map(|c| c.throughput_err().abs()).collect();
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    };
    format!(
        "\n\nAgainst the lab report of {} (`{}`), over {} cells the model's median throughput error is {:.0}%. \
         Each cell is modelled as the lab ran it: the client process on {} CPU{} of a {}-CPU machine (Python's default pool \
         follows the machine's count), an I/O wait of the wait the stub applied plus the stub's own round trip, {} µs \
         (the one-caller blocking get with no injected wait, minus the official client's costs in the model). \
         The p99 comes from one short simulation per cell.\n\n\
         | Pattern | Cells | Median \\|throughput error\\| | Largest (cell) | Median \\|mean latency error\\| | p99 within ×{} | Median \\|resident memory error\\| | Median \\|thread count error\\| |\n\
         |---|---:|---:|---|---:|---:|---:|---:|\n{summary}\n\
         Targets: throughput median ≤ {:.0}% and worst ≤ {:.0}% for every pattern, p99 within ×{} in at least {:.0}% of cells, \
         resident memory within {:.0}%.\n\n{misses}\n\
         <details><summary>Every cell</summary>\n\n\
         | Pattern | Injected wait (ms) | Callers | Measured (req/s) | Model (req/s) | Throughput error | Mean latency error | p99 measured (ms) | p99 model (ms) | RSS measured (MiB) | RSS model (MiB) | Threads measured / model |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n{rows}\n</details>\n\n",
        lab.run.date,
        lab.run.file,
        cells.len(),
        all * 100.0,
        lab.cores,
        if lab.cores == 1 { "" } else { "s" },
        lab.node_cpus,
        number(lab.rtt_ms * 1e3),
        lab_fit::P99_FACTOR,
        lab_fit::THROUGHPUT_MEDIAN * 100.0,
        lab_fit::THROUGHPUT_WORST * 100.0,
        lab_fit::P99_FACTOR,
        lab_fit::P99_SHARE * 100.0,
        lab_fit::RSS_MEDIAN * 100.0,
    )
}

/// The network presets as a Markdown table, from [`perfmodel::scenario::PRESETS`].
pub fn presets_table() -> String {
    let mut t = String::from("\n\n| Preset | Round trip (ms) | Source |\n|---|---:|---|\n");
    for p in perfmodel::scenario::PRESETS {
        t.push_str(&format!("| {} | {} | {} |\n", p.label, p.rtt_ms, p.source.replace('|', "\\|")));
    }
    t.push('\n');
    t
}

/// The placeholder a widget mounts into. It is a block of its own (blank
/// lines around it), carries its props as escaped JSON, shows a loading
/// line until the WASM module replaces it, and, for readers without
/// JavaScript, a static SVG of the widget's starting scenario rendered at
/// build time by the same model and chart code.
pub fn placeholder(w: &Widget) -> String {
    placeholder_in(w, &BookEnv::default())
}

/// The placeholder, with any data the widget reads from the book's folders
/// embedded as JSON (so the page works from disk, where nothing can be fetched).
pub fn placeholder_in(w: &Widget, env: &BookEnv) -> String {
    let data = match w {
        Widget::ResultsDashboard(p) => {
            // The reports are parsed here, at build time, by the same parser
            // `cargo xtask check-reports` uses; the page carries the panels.
            let payload = charts::dashboard::payload(&read_reports(env, p), &folder_url(env, p));
            let json = serde_json::to_string(&payload).expect("a payload of strings and numbers always serialises");
            // `</` would end the script element early; `<\/` is the same JSON string.
            format!("<script type=\"application/json\" class=\"widget-bundle\">{}</script>", json.replace("</", "<\\/"))
        }
        // The lab's measured cells, for the pool figure to overlay where the scenario is one.
        Widget::PoolSize(_) => {
            let points = newest_lab(env).map(|l| l.points()).unwrap_or_default();
            let json = serde_json::to_string(&points).expect("lab points always serialise");
            format!("<script type=\"application/json\" class=\"widget-bundle\">{}</script>", json.replace("</", "<\\/"))
        }
        // The lab's open-load cells, for the figure to overlay at their I/O waits.
        Widget::OpenLoad(_) => {
            let lab = open_lab::newest(env).map(|(l, _)| l).unwrap_or_default();
            let json = serde_json::to_string(&lab).expect("lab cells always serialise");
            format!("<script type=\"application/json\" class=\"widget-bundle\">{}</script>", json.replace("</", "<\\/"))
        }
        _ => String::new(),
    };
    let figure = match (w, static_svg(w)) {
        (Widget::ResultsDashboard(p), _) => dashboard_noscript(env, p),
        (_, r) => match r {
            Ok(svg) => format!("<figure class=\"widget-static\">{svg}<figcaption>{}</figcaption></figure>", noscript_text(w)),
            Err(e) => format!("<p class=\"widget-noscript\">{} (The static figure failed: {})</p>", noscript_text(w), escape_attr(&e)),
        },
    };
    format!(
        "\n\n<div class=\"widget\" data-widget=\"{name}\" data-props=\"{props}\" data-state=\"loading\">\
<p class=\"widget-loading\">Loading the interactive figure…</p>\
<noscript>{figure}</noscript>{data}</div>\n\n",
        name = w.name(),
        props = escape_attr(&w.props_json()),
    )
}

/// The widget's build-time figure at its starting scenario: an SVG chart
/// (or, for the text-only cards, an HTML table).
pub fn static_svg(w: &Widget) -> Result<String, String> {
    use charts::Theme;
    use perfmodel::{Params, Scenario};
    use plotters::prelude::*;
    let p = Params::default();
    let mut s = Scenario::default();
    let mut svg = String::new();
    let size = if matches!(w, Widget::PoolSize(_) | Widget::OpenLoad(_)) { (720, 640) } else { (720, 400) };
    match w {
        Widget::ThroughputScaling(props)
        | Widget::GilTimeline(props)
        | Widget::LatencyScaling(props)
        | Widget::GilContention(props)
        | Widget::PoolSize(props)
        | Widget::IoConcurrency(props) => {
            s.io_wait_ms = props.io_wait_ms.unwrap_or(s.io_wait_ms);
            s.concurrency = props.concurrency.unwrap_or(s.concurrency);
            if let Widget::GilContention(_) = w {
                s.background_threads = charts::latency::CONTENTION_START_BACKGROUND;
            }
        }
        Widget::MemoryUsage(props) => {
            s.concurrency = props.concurrency.unwrap_or(s.concurrency);
            s.pod_limit_mib = props.pod_limit_mib.unwrap_or(s.pod_limit_mib);
        }
        Widget::ConcurrentHandling(props) => {
            s.io_wait_ms = props.io_wait_ms.unwrap_or(s.io_wait_ms);
        }
        Widget::RequestFlow(props) => {
            s.io_wait_ms = props.io_wait_ms.unwrap_or(s.io_wait_ms);
            s.concurrency = props.concurrency.unwrap_or(s.concurrency);
        }
        Widget::RequestSteps(props) => {
            s.io_wait_ms = props.io_wait_ms.unwrap_or(s.io_wait_ms);
        }
        Widget::ComparisonTabs(_) | Widget::ConditionsHeatmap(_) => {}
        Widget::OpenLoad(props) => {
            s.io_wait_ms = props.io_wait_ms.unwrap_or(charts::open_load::START_IO_MS);
        }
        Widget::ResultsDashboard(_) => return Ok(String::new()),
        // The results are HTML: the starting example, fully simulated.
        Widget::YourService(_) => {
            return Ok(charts::service::complete(&p, &charts::service::start()).map_err(|e| e.to_string())?.html());
        }
    }
    // The steps are tables: the same HTML the widget writes.
    if let Widget::RequestSteps(_) = w {
        return Ok(charts::steps::steps_data(&p, &s).map_err(|e| e.to_string())?.html());
    }
    // The cards are text: without JavaScript they are a table of the analytic numbers.
    if let Widget::IoConcurrency(_) = w {
        return cards_table(&p, &s);
    }
    // The figure's accessible name: the same summary the live widget reads out.
    let title = {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        match w {
            Widget::ThroughputScaling(_) => {
                let d = charts::throughput::throughput_data(&p, &s).map_err(|e| e.to_string())?;
                charts::throughput::draw_throughput(&root, &d, &Theme::LIGHT, 1.0)?;
                d.summary()
            }
            Widget::PoolSize(_) => {
                let d = charts::pools::complete(&p, &s, None).map_err(|e| e.to_string())?;
                charts::pools::draw_pools(&root, &d, &Theme::LIGHT, 1.0)?;
                d.summary()
            }
            Widget::OpenLoad(props) => {
                use charts::open_load::{complete, draw_open, START_RATE, START_TIMEOUT_MS};
                let d = complete(&p, &s, props.rate.unwrap_or(START_RATE), props.timeout_ms.unwrap_or(START_TIMEOUT_MS), None)
                    .map_err(|e| e.to_string())?;
                draw_open(&root, &d, &Theme::LIGHT, 1.0)?;
                d.summary()
            }
            Widget::GilTimeline(_) => {
                let d = charts::gil::gil_timeline_data(&p, &s).map_err(|e| e.to_string())?;
                charts::gil::draw_gil_timeline(&root, &d, &Theme::LIGHT, 1.0)?;
                d.summary()
            }
            // Without JavaScript the tab group shows its first figure.
            Widget::ComparisonTabs(_) => {
                let d = charts::gil::gil_timeline_data(&p, &s).map_err(|e| e.to_string())?;
                charts::gil::draw_gil_timeline(&root, &d, &Theme::LIGHT, 1.0)?;
                d.summary()
            }
            Widget::LatencyScaling(_) | Widget::GilContention(_) => {
                let d = charts::latency::latency_data_full(&p, &s).map_err(|e| e.to_string())?;
                charts::latency::draw_latency(&root, &d, &Theme::LIGHT, 1.0)?;
                d.summary()
            }
            // Without JavaScript the heatmap shows the analytic throughput ratio.
            Widget::ConditionsHeatmap(_) => {
                let data = charts::conditions::throughput_cells(&p, &s).map_err(|e| e.to_string())?;
                let title = data.summary();
                let focus = Some(charts::conditions::nearest(charts::conditions::BENCHMARK.0, charts::conditions::BENCHMARK.1));
                charts::conditions::draw_conditions(&root, &charts::conditions::ConditionsFrame { data, focus }, &Theme::LIGHT, 1.0)?;
                title
            }
            Widget::IoConcurrency(_) | Widget::RequestSteps(_) | Widget::ResultsDashboard(_) | Widget::YourService(_) => {
                unreachable!("returned above")
            }
            // Without JavaScript: the whole journey, playhead at the end.
            Widget::RequestFlow(props) => {
                let pattern = props.pattern.unwrap_or(perfmodel::Pattern::Executor);
                let data = charts::flow::flow_data(&p, &s, pattern).map_err(|e| e.to_string())?;
                let title = data.summary();
                let at_ms = data.latency_ms;
                charts::flow::draw_flow(&root, &charts::flow::FlowFrame { data, at_ms }, &Theme::LIGHT, 1.0)?;
                title
            }
            Widget::ConcurrentHandling(props) => {
                let k = props.burst.unwrap_or(DEFAULT_BURST);
                let d = charts::burst::burst_data(&p, &s, k).map_err(|e| e.to_string())?;
                charts::burst::draw_burst(&root, &d, &Theme::LIGHT, 1.0)?;
                d.summary()
            }
            Widget::MemoryUsage(props) => {
                let view = match props.view {
                    Some(widget_props::charts_view::View::Reserved) => charts::memory::MemoryView::Reserved,
                    _ => charts::memory::MemoryView::Resident,
                };
                let d = charts::memory::memory_data(&p, &s, view).map_err(|e| e.to_string())?;
                charts::memory::draw_memory(&root, &d, &Theme::LIGHT, 1.0)?;
                d.summary()
            }
        }
    };
    // One line per element and no blank line: a blank line would end the
    // surrounding HTML block in CommonMark.
    let svg: Vec<&str> = svg.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    // Scale with the page; the drawing keeps its aspect ratio.
    let svg = svg.join("\n").replacen("<svg ", "<svg role=\"img\" style=\"width:100%;height:auto\" ", 1);
    // A <title> as the first child names the image (SVG 2, and what axe's svg-img-alt checks).
    let open_end = svg.find('>').ok_or("the chart produced no SVG element")? + 1;
    Ok(format!("{}\n<title>{}</title>{}", &svg[..open_end], escape_attr(&title), &svg[open_end..]))
}

/// Burst size when a directive does not set one.
pub const DEFAULT_BURST: u32 = 100;

fn noscript_text(w: &Widget) -> &'static str {
    match w {
        Widget::RequestSteps(_) => {
            "Each pattern's steps at the starting I/O wait, computed when the site was built; \
             following another I/O wait needs JavaScript."
        }
        Widget::ComparisonTabs(_) => {
            "Which thread holds the GIL at the starting scenario, drawn when the site was built; \
             the other tabs and the interactive figures need JavaScript."
        }
        Widget::ConcurrentHandling(_) => {
            "A burst of requests fired at once, worked through by each pattern, drawn when the site was built. \
             The interactive version needs JavaScript."
        }
        Widget::ThroughputScaling(_) => {
            "Throughput against concurrency at the starting scenario, drawn when the site was built. \
             The interactive version needs JavaScript."
        }
        Widget::MemoryUsage(_) => {
            "Memory against concurrency at the starting scenario, drawn when the site was built. \
             The interactive version needs JavaScript."
        }
        Widget::GilTimeline(_) => {
            "Which thread holds the GIL at the starting scenario, drawn when the site was built. \
             The interactive version needs JavaScript."
        }
        Widget::LatencyScaling(_) | Widget::GilContention(_) => {
            "Mean and p99 latency against concurrency at the starting scenario, drawn when the site was built. \
             The interactive version needs JavaScript."
        }
        Widget::ConditionsHeatmap(_) => {
            "Tokio's throughput over the executor's across I/O wait and concurrency, drawn when the site was built. \
             Picking cells and the p99 map need JavaScript."
        }
        Widget::IoConcurrency(_) => {
            "The analytic numbers at the starting scenario, computed when the site was built. \
             The sliders and the simulated percentiles need JavaScript."
        }
        Widget::ResultsDashboard(_) => "The results dashboard.",
        Widget::PoolSize(_) => {
            "Throughput and p99 against the executor's pool size at the starting scenario, drawn when the site was built. \
             The interactive version, with the lab's measured points, needs JavaScript."
        }
        Widget::YourService(_) => {
            "The example service (a lookup API in the same zone), computed when the site was built; \
             describing your own service needs JavaScript."
        }
        Widget::OpenLoad(_) => {
            "p99 and requests answered in time against the arrival rate at the starting scenario, drawn when the site was built. \
             The interactive version, with the lab's open-load measurements, needs JavaScript."
        }
        Widget::RequestFlow(_) => {
            "One simulated request followed through the threads it visits at the starting scenario, \
             drawn when the site was built. Playing it step by step needs JavaScript."
        }
    }
}

/// The reports folder's URL from the page.
fn folder_url(env: &BookEnv, p: &widget_props::DashboardProps) -> String {
    format!("{}{}/", env.to_root, p.folder().trim_end_matches('/'))
}

fn read_reports(env: &BookEnv, p: &widget_props::DashboardProps) -> reports::Bundle {
    reports::read_dir(&env.src_dir.join(p.folder())).unwrap_or(reports::Bundle { index: None, files: Vec::new() })
}

/// Without JavaScript the dashboard shows the newest run's panels (tables, no canvases).
fn dashboard_noscript(env: &BookEnv, p: &widget_props::DashboardProps) -> String {
    let payload = charts::dashboard::payload(&read_reports(env, p), &folder_url(env, p));
    match payload.runs.first() {
        None => "<p>No reports yet.</p>".into(),
        Some(r) => {
            let body: String = match &r.error {
                Some(e) => format!("<p class=\"widget-error\">{}</p>", escape_attr(e)),
                None => r.panels.iter().map(|p| charts::dashboard::panel_html(p, None)).collect(),
            };
            format!("<p>The newest run, {}; picking other runs and the charts need JavaScript.</p>{body}", escape_attr(&r.date))
        }
    }
}

/// The cards' analytic numbers as a plain table.
fn cards_table(p: &perfmodel::Params, s: &perfmodel::Scenario) -> Result<String, String> {
    use charts::format::number;
    let d = charts::cards::cards_data(p, s).map_err(|e| e.to_string())?;
    let rows: String = d
        .cards
        .iter()
        .map(|c| {
            format!(
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td></tr>",
                escape_attr(c.pattern.label()),
                number(c.throughput),
                number(c.mean_ms)
            )
        })
        .collect();
    Ok(format!(
        "<table><caption>{}</caption><thead><tr><th scope=\"col\">Pattern</th><th scope=\"col\">Requests/s</th>\
         <th scope=\"col\">Mean latency (ms)</th></tr></thead><tbody>{rows}</tbody></table><p>{}</p>",
        escape_attr(&format!("{} ms I/O wait, {} callers", number(d.io_wait_ms), d.concurrency)),
        escape_attr(&d.verdict())
    ))
}

/// Escape text for HTML content or a double-quoted attribute (one escaper for the whole site).
pub use charts::dashboard::esc as escape_attr;
