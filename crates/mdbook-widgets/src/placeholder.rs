//! The placeholder a widget mounts into: its props, a loading line, the data it reads from the book, and its figure for readers without JavaScript.

use serde::Serialize;
use widget_props::Widget;

use crate::noscript::{dashboard_noscript, folder_url, noscript_text, static_figure};
use crate::{escape_attr, BookEnv};

/// The placeholder a widget mounts into: a block of its own (blank lines
/// around it) carrying its props as escaped JSON, the widget's figure at its
/// starting scenario rendered at build time by the same model and chart code
/// (shown at first paint, with or without JavaScript, until the live figure
/// has drawn its first frame and takes its place), and any data the widget
/// reads from the book's folders embedded as JSON (so the page works from
/// disk, where nothing can be fetched).
/// The module rewrites the widget's text in place as the reader moves a
/// control, so a browser's page translation must leave it alone
/// (`translate="no"`): a translated text node is a new node, and the widget
/// would go on updating the old one. The static figure, drawn once, may be translated.
pub fn placeholder_in(w: &Widget, env: &BookEnv) -> String {
    let data = match w {
        // The reports are parsed here, at build time, by the same parser
        // `cargo xtask check-reports` uses; the page carries the panels.
        Widget::ResultsDashboard(p) => bundle(&charts::dashboard::payload(&env.read_reports(p.folder()), &folder_url(env, p))),
        // The lab's measured cells, for the pool figure to overlay where the scenario is one.
        Widget::PoolSize(_) => bundle(&env.lab().map(|l| l.points()).unwrap_or_default()),
        // The lab's batch cells, for the figure to overlay where the scenario is one.
        Widget::BatchScaling(_) => bundle(&env.batch_lab().map(|l| l.points(env.lab().map(|g| g.rtt_ms))).unwrap_or_default()),
        // The lab's open-load cells, for the figure to overlay at their I/O waits.
        Widget::OpenLoad(_) => bundle(&env.open_lab().map(|(l, _)| l.clone()).unwrap_or_default()),
        _ => String::new(),
    };
    // Under the figure: with JavaScript, that it is the page's starting
    // point and the live one is on its way (the loader marks the page when
    // the reader's own scenario will replace it); without, what needs JavaScript.
    let loading = format!("<span class=\"widget-first-start\">{FIRST}</span><span class=\"widget-first-yours\">{YOURS}</span>");
    let caption = format!("{loading}<noscript>{}</noscript>", noscript_text(w));
    let figure = match w {
        Widget::ResultsDashboard(p) => {
            format!("<div class=\"widget-static\"><p class=\"widget-first-note\">{loading}</p>{}</div>", dashboard_noscript(env, p))
        }
        _ => match static_figure(w) {
            Ok(svg) => format!("<figure class=\"widget-static\">{svg}<figcaption class=\"widget-first-note\">{caption}</figcaption></figure>"),
            Err(e) => {
                format!("<p class=\"widget-noscript\">{caption} (The static figure failed: {})</p>", escape_attr(&e))
            }
        },
    };
    format!(
        "\n\n<div class=\"widget\" data-widget=\"{name}\" data-props=\"{props}\" data-state=\"loading\" translate=\"no\">\
<div class=\"widget-first\" translate=\"yes\">{figure}</div>{data}</div>\n\n",
        name = w.name(),
        props = escape_attr(&w.props_json()),
    )
}

/// Under a build-time figure while the live one loads.
const FIRST: &str = "Drawn when the site was built, at this page's starting point; the interactive figure is loading.";
/// The same, where the reader's own scenario (a link's or a saved one) will replace it.
const YOURS: &str = "This figure is at the page's starting point; the one at your settings is loading.";

/// Data embedded beside a widget: JSON in a `<script class="widget-bundle">`.
fn bundle(data: &impl Serialize) -> String {
    let json = serde_json::to_string(data).expect("a bundle of strings and numbers always serialises");
    // `</` would end the script element early; `<\/` is the same JSON string.
    format!("<script type=\"application/json\" class=\"widget-bundle\">{}</script>", json.replace("</", "<\\/"))
}
