//! `{{#service-examples}}`: each example service of the "Your service" page with the model's verdict on it.

/// Replaced by each example service's verdict, computed when the book is built.
pub(crate) const SERVICES: &str = "{{#service-examples}}";

/// Each example service of the "Your service" page with the model's verdict
/// on it, fully simulated: the page's table of examples.
pub(crate) fn service_examples() -> String {
    use charts::format::{count, number};
    use charts::service::{presets, ServiceData};
    use charts::stages::complete;
    // A table cell's text: its bars escaped, and "--" (a command's flag) kept two hyphens, not typeset as a dash.
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ").replace("--", "\\-\\-");
    let p = perfmodel::Params::default();
    let mut t = String::from("\n\n| Example | The service | Verdict | Smallest executor pool that meets the target |\n|---|---|---|---|\n");
    for pr in presets() {
        let (verdict, pool) = match complete::<ServiceData>(&p, &pr.service) {
            Ok(d) => {
                let pool = match d.smallest_pool() {
                    Some(Some(o)) => format!(
                        "{} {} (p99 {} ms)",
                        count(o.pool),
                        if o.pool == 1 { "thread" } else { "threads" },
                        o.sim.map(|a| number(a.p99_ms)).unwrap_or_default()
                    ),
                    _ => format!("none up to {}", count(charts::runs::LARGEST_POOL)),
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
