//! The scenario bar's place under a widget page's title, holding the bar as the module will first draw it, so mounting it moves nothing.

use charts::format::{scenario_words_at, SCENARIO_BAR_PAGE_START};
use perfmodel::Scenario;
use widget_props::Widget;

use crate::escape_attr;

/// The page's starting scenario, as the module sets it when the reader has no
/// scenario yet: the defaults, then each widget's starting values in page
/// order ("Your service" starts from its starting example).
fn page_start(widgets: &[&Widget]) -> (Scenario, Option<f64>) {
    let mut s = Scenario::default();
    let mut rate = None;
    for w in widgets {
        match w {
            Widget::YourService(_) => {
                let start = charts::service::start();
                s = start.scenario();
                rate = start.rate();
            }
            w => w.start(&mut s),
        }
    }
    (s, rate)
}

/// The bar's host with the bar inside it, in the markup `wasm-widgets/src/bar.rs`
/// mounts: laid out but not shown (`widget-scenario-built`), so the place it
/// holds is the live bar's height and nothing inert is read out or tabbed to.
pub(crate) fn host(widgets: &[&Widget], to_root: &str) -> String {
    let (start, rate) = page_start(widgets);
    let words = scenario_words_at(&start, rate).join(" · ");
    let service = if widgets.iter().any(|w| matches!(w, Widget::YourService(_))) {
        String::new()
    } else {
        format!("<a href=\"{}service.html\">Describe your own service</a>", escape_attr(to_root))
    };
    format!(
        "\n\n<div class=\"widget-scenario-host\" data-scenario-bar translate=\"no\"><section class=\"widget-scenario-bar widget-scenario-built\" aria-label=\"Your scenario\">\
         <p class=\"widget-scenario-words\"><strong>Your scenario: </strong><span data-scenario-start>{}</span></p>\
         <button type=\"button\" class=\"widget-scenario-toggle\" disabled>Details</button>\
         <div class=\"widget-scenario-more\"><p class=\"widget-scenario-actions\"><span class=\"widget-scenario-whose\">({})</span>\
         <button type=\"button\" disabled>Copy link</button><button type=\"button\" disabled>Reset</button>{service}</p>\
         <p class=\"widget-scenario-copied\"></p></div></section></div>\n\n",
        escape_attr(&words),
        escape_attr(SCENARIO_BAR_PAGE_START),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_holds_the_pages_starting_words() {
        let contention = Widget::GilContention(Default::default());
        let html = host(&[&contention], "../");
        assert!(html.contains("1 background thread"), "{html}");
        assert!(html.contains("href=\"../service.html\""), "{html}");
        let service = Widget::YourService(Default::default());
        let html = host(&[&service], "");
        let start = charts::service::start();
        let words = scenario_words_at(&start.scenario(), start.rate()).join(" · ");
        assert!(html.contains(&escape_attr(&words)), "{html}");
        // The reader entered a rate: the bar says the rate, not the callers it implies.
        assert!(words.contains("1,000 requests/s per pod (about ") && !words.contains("callers"), "{words}");
        assert_ne!(words, charts::format::scenario_words(&start.scenario()).join(" · "));
        assert!(!html.contains("service.html"), "the service page does not link itself: {html}");
        assert!(!html.trim().contains('\n'), "one line, so Markdown keeps it one HTML block: {html}");
    }
}
