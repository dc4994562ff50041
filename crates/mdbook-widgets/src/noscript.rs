//! Each widget's figure at its starting scenario, rendered when the book is built: an SVG chart (or a table) with the live widget's own summary as its name.

use charts::stages::complete;
use widget_props::Widget;

use crate::{escape_attr, BookEnv};

/// The widget's build-time figure at its starting scenario ([`Widget::start`]):
/// an SVG chart named by its summary, after the sentence the live widget
/// opens with where it has one (`answer()`), or for the text-only widgets
/// (the cards, the steps) the HTML they write; "Your service" writes its
/// results around its capacity chart.
pub fn static_figure(w: &Widget) -> Result<String, String> {
    use charts::Theme;
    use perfmodel::{Params, Scenario};
    use plotters::prelude::*;
    let p = Params::default();
    let mut s = Scenario::default();
    let mut svg = String::new();
    let size = if matches!(w, Widget::PoolSize(_) | Widget::OpenLoad(_) | Widget::BatchScaling(_)) { (720, 640) } else { (720, 400) };
    w.start(&mut s);
    match w {
        Widget::ResultsDashboard(_) => return Ok(String::new()),
        // The results are HTML: the starting example, fully simulated.
        // The results are HTML around the capacity chart: the starting example, fully simulated.
        Widget::YourService(_) => {
            let d = complete::<charts::service::ServiceData>(&p, &charts::service::start()).map_err(|e| e.to_string())?;
            let c = d.capacity();
            {
                let root = SVGBackend::with_string(&mut svg, (720, 220)).into_drawing_area();
                charts::service::draw_capacity(&root, &c, &Theme::LIGHT, 1.0)?;
            }
            let summary = c.summary();
            return Ok(format!(
                "{}\n{}\n<p class=\"widget-summary\">{}</p>\n{}",
                d.verdict_html(),
                named_svg(&svg, &summary)?,
                escape_attr(&summary),
                d.tables_html()
            ));
        }
        // The steps are tables: the same HTML the widget writes.
        Widget::RequestSteps(_) => {
            let d = charts::steps::steps_data(&p, &s).map_err(|e| e.to_string())?;
            return Ok(format!("<p class=\"widget-answer\">{}</p>\n{}", escape_attr(&d.answer()), d.html()));
        }
        // The cards are text: without JavaScript they are a table of the analytic numbers.
        Widget::IoConcurrency(_) => return cards_table(&p, &s),
        _ => {}
    }
    // The figure's accessible name (the same summary the live widget reads
    // out) and, where the live widget opens with one, its answer.
    let (title, answer) = {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        match w {
            Widget::ThroughputScaling(_) => {
                let d = charts::throughput::throughput_data(&p, &s).map_err(|e| e.to_string())?;
                charts::throughput::draw_throughput(&root, &d, &Theme::LIGHT, 1.0)?;
                (d.summary(), Some(d.answer()))
            }
            Widget::BatchScaling(_) => {
                let d = complete::<charts::batch::BatchData>(&p, &s).map_err(|e| e.to_string())?;
                charts::batch::draw_batch(&root, &d, &Theme::LIGHT, 1.0)?;
                (d.summary(), Some(d.answer()))
            }
            Widget::PoolSize(_) => {
                let d = complete::<charts::pools::PoolsData>(&p, &s).map_err(|e| e.to_string())?;
                charts::pools::draw_pools(&root, &d, &Theme::LIGHT, 1.0)?;
                (d.summary(), Some(d.answer()))
            }
            Widget::OpenLoad(props) => {
                let input = charts::open_load::OpenInput { scenario: s, rate: props.rate(), timeout_ms: props.timeout_ms() };
                let d = complete::<charts::open_load::OpenData>(&p, &input).map_err(|e| e.to_string())?;
                charts::open_load::draw_open(&root, &d, &Theme::LIGHT, 1.0)?;
                (d.summary(), Some(d.answer()))
            }
            Widget::GilTimeline(_) => {
                let d = charts::gil::gil_timeline_data(&p, &s).map_err(|e| e.to_string())?;
                charts::gil::draw_gil_timeline(&root, &d, &Theme::LIGHT, 1.0)?;
                (d.summary(), Some(d.answer()))
            }
            // Without JavaScript the tab group shows its first figure.
            Widget::ComparisonTabs(_) => {
                let d = charts::gil::gil_timeline_data(&p, &s).map_err(|e| e.to_string())?;
                charts::gil::draw_gil_timeline(&root, &d, &Theme::LIGHT, 1.0)?;
                (d.summary(), Some(d.answer()))
            }
            Widget::LatencyScaling(_) | Widget::GilContention(_) => {
                let d = complete::<charts::latency::LatencyData>(&p, &s).map_err(|e| e.to_string())?;
                charts::latency::draw_latency(&root, &d, &Theme::LIGHT, 1.0)?;
                (d.summary(), Some(d.answer()))
            }
            // Without JavaScript the heatmap shows the analytic throughput ratio.
            Widget::ConditionsHeatmap(_) => {
                let data = charts::conditions::throughput_cells(&p, &s).map_err(|e| e.to_string())?;
                let title = (data.summary(), Some(data.answer()));
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
                let title = (data.summary(), None);
                let at_ms = data.latency_ms;
                charts::flow::draw_flow(&root, &charts::flow::FlowFrame { data, at_ms }, &Theme::LIGHT, 1.0)?;
                title
            }
            Widget::ConcurrentHandling(props) => {
                let k = props.burst();
                let d = charts::burst::burst_data(&p, &s, k).map_err(|e| e.to_string())?;
                charts::burst::draw_burst(&root, &d, &Theme::LIGHT, 1.0)?;
                (d.summary(), Some(d.answer()))
            }
            Widget::MemoryUsage(props) => {
                let view = match props.view {
                    Some(widget_props::charts_view::View::Reserved) => charts::memory::MemoryView::Reserved,
                    _ => charts::memory::MemoryView::Resident,
                };
                let d = charts::memory::memory_data(&p, &s, view).map_err(|e| e.to_string())?;
                charts::memory::draw_memory(&root, &d, &Theme::LIGHT, 1.0)?;
                (d.summary(), Some(d.answer()))
            }
        }
    };
    let answer = answer.map(|a| format!("<p class=\"widget-answer\">{}</p>\n", escape_attr(&a))).unwrap_or_default();
    // The summary under the chart, where the live figure writes it: the same
    // text in the same place, so the live figure brings no larger text block
    // than the first paint had (the page's largest paint stays the first).
    Ok(format!("{answer}{}\n<p class=\"widget-summary\">{}</p>", named_svg(&svg, &title)?, escape_attr(&title)))
}

/// A chart's SVG as the page embeds it: scaled with the page, in the
/// reader's theme and named by `title`.
fn named_svg(svg: &str, title: &str) -> Result<String, String> {
    // One line per element and no blank line: a blank line would end the
    // surrounding HTML block in CommonMark.
    let svg: Vec<String> = svg.lines().map(str::trim).filter(|l| !l.is_empty()).map(themed).collect();
    // Scale with the page; the drawing keeps its aspect ratio.
    let svg = svg.join("\n").replacen("<svg ", "<svg role=\"img\" style=\"width:100%;height:auto\" ", 1);
    // A <title> as the first child names the image (SVG 2, and what axe's svg-img-alt checks).
    let open_end = svg.find('>').ok_or("the chart produced no SVG element")? + 1;
    Ok(format!("{}\n<title>{}</title>{}", &svg[..open_end], escape_attr(title), &svg[open_end..]))
}

/// The chart colours of [`charts::Theme::LIGHT`], which the build draws
/// in, each with the name of the CSS custom property that holds it in every
/// theme (assets/widgets.css).
fn theme_colours() -> [(plotters::style::RGBColor, &'static str); 6] {
    let l = charts::Theme::LIGHT;
    [(l.background, "bg"), (l.foreground, "fg"), (l.grid, "grid"), (l.sync, "sync"), (l.executor, "executor"), (l.tokio, "tokio")]
}

/// One SVG element with each theme colour it paints in classed by its role
/// (`th-f-sync`: filled in the sync pattern's colour; `th-s-grid`: stroked in
/// the grid's), so widgets.css paints it in the reader's theme, as the live
/// chart reads its colours from the same properties. plotters writes each
/// element on a line of its own, colours as `#RRGGBB` and no class.
fn themed(line: &str) -> String {
    let hex = |c: plotters::style::RGBColor| format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2);
    let mut classes = Vec::new();
    for (c, name) in theme_colours() {
        for (attr, short) in [("fill", "f"), ("stroke", "s")] {
            if line.contains(&format!("{attr}=\"{}\"", hex(c))) {
                classes.push(format!("th-{short}-{name}"));
            }
        }
    }
    if classes.is_empty() || !line.starts_with('<') || line.contains(" class=") {
        return line.to_string();
    }
    let at = line.find(|ch: char| ch.is_whitespace() || ch == '>' || ch == '/').unwrap_or(line.len());
    format!("{} class=\"{}\"{}", &line[..at], classes.join(" "), &line[at..])
}

pub(crate) fn noscript_text(w: &Widget) -> &'static str {
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
        // Its build-time panels say what needs JavaScript themselves.
        Widget::ResultsDashboard(_) => "",
        Widget::PoolSize(_) => {
            "Throughput and p99 against the executor's pool size at the starting scenario, drawn when the site was built. \
             The interactive version, with the lab's measured points, needs JavaScript."
        }
        Widget::YourService(_) => {
            "The example service (a lookup API in the same zone), computed when the site was built; \
             describing your own service needs JavaScript."
        }
        Widget::BatchScaling(_) => {
            "Batches per second and p99 against the keys per batch at the starting cluster, drawn when the site was built. \
             The interactive version, with the lab's measured batches, needs JavaScript."
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
pub(crate) fn folder_url(env: &BookEnv, p: &widget_props::DashboardProps) -> String {
    format!("{}{}/", env.to_root, p.folder().trim_end_matches('/'))
}

/// At first paint, and without JavaScript, the dashboard shows the newest run's panels (tables, no canvases).
pub(crate) fn dashboard_noscript(env: &BookEnv, p: &widget_props::DashboardProps) -> String {
    let payload = charts::dashboard::payload(&env.read_reports(p.folder()), &folder_url(env, p));
    match payload.runs.first() {
        None => "<p>No reports yet.</p>".into(),
        Some(r) => {
            let body: String = match &r.error {
                Some(e) => format!("<p class=\"widget-error\">{}</p>", escape_attr(e)),
                None => charts::dashboard::run_html(&r.panels),
            };
            format!("<p>The newest run, {}<noscript>; picking other runs and the charts need JavaScript</noscript>.</p>{body}", escape_attr(&r.date))
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
    // The verdict first, as the live cards open with it.
    Ok(format!(
        "<p class=\"widget-verdict\"><strong>{}{}×. </strong>{}</p>\
         <table><caption>{}</caption><thead><tr><th scope=\"col\">Pattern</th><th scope=\"col\">Requests/s</th>\
         <th scope=\"col\">Mean latency (ms)</th></tr></thead><tbody>{rows}</tbody></table>",
        charts::cards::VERDICT_LEAD,
        number(d.ratio()),
        escape_attr(&d.verdict()),
        escape_attr(&format!("{} ms I/O wait, {} callers", number(d.io_wait_ms), d.concurrency)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_painted_element_is_classed_once_by_every_theme_role_it_paints() {
        let line = r##"<polygon points="0,0 1,1" fill="#0B5CAD" stroke="#D0D7DE" stroke-width="1"/>"##;
        assert_eq!(themed(line), r##"<polygon class="th-s-grid th-f-tokio" points="0,0 1,1" fill="#0B5CAD" stroke="#D0D7DE" stroke-width="1"/>"##);
        assert_eq!(themed(r##"<polyline fill="none" stroke="#123456"/>"##), r##"<polyline fill="none" stroke="#123456"/>"##, "not a theme colour");
    }

    #[test]
    fn every_class_the_build_writes_has_its_rule_in_the_stylesheet() {
        let css = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/widgets.css")).unwrap();
        for (_, name) in theme_colours() {
            assert!(css.contains(&format!("--widget-{name}:")), "widgets.css defines --widget-{name}");
            for (short, prop) in [("f", "fill"), ("s", "stroke")] {
                let rule = format!(".widget-static .th-{short}-{name} {{ {prop}: var(--widget-{name}); }}");
                assert!(css.contains(&rule), "widgets.css lacks {rule}");
            }
        }
    }
}
