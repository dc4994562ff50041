//! The results as HTML: the verdict; one column per pattern and the executor at every pool size (the widget and the no-JavaScript page write the same markup).

use perfmodel::Pattern;

use super::outcome::{Outcome, ServiceData};
use super::{Objective, Service};
use crate::format::{count, number};
use crate::html::esc;

impl ServiceData {
    /// The verdict as HTML (`data-verdict`), one paragraph per sentence.
    pub fn verdict_html(&self) -> String {
        let mut h = String::from("<div class=\"service-verdict\" data-verdict data-testid=\"service-verdict\">");
        for v in self.verdict() {
            h.push_str(&format!("<p>{}</p>", esc(&v)));
        }
        h.push_str("</div>");
        h
    }

    /// The numbers as HTML: a table with one column per pattern, and the
    /// executor at every pool size. The widget and the no-JavaScript page
    /// write the same markup.
    pub fn tables_html(&self) -> String {
        let s = &self.service;
        let pending = "…";
        let ms = |v: f64| format!("{} ms", number(v));
        let mut h = String::new();
        // One column per pattern; on a phone each row stands as a list of labelled cells.
        h.push_str(&format!(
            "<div class=\"service-box\" tabindex=\"0\" role=\"region\" aria-label=\"Each pattern at your load\"><table class=\"service-table\" data-testid=\"service-table\"><caption>Each pattern at {} ({} ms I/O wait)</caption><thead><tr><th scope=\"col\">At your load</th>",
            esc(&self.load_words()),
            number(s.io_wait_ms())
        ));
        for o in &self.patterns {
            h.push_str(&format!(
                "<th scope=\"col\" title=\"{}\"><span class=\"widget-swatch {}\"></span>{}</th>",
                esc(o.pattern.label()),
                o.pattern.name(),
                crate::style::short_label(o.pattern)
            ));
        }
        h.push_str("</tr></thead><tbody>");
        type Cell = fn(&Outcome, &Service) -> String;
        let rows: [(&str, Cell); 12] = [
            ("Capacity (requests/s)", |o, _| number(o.capacity)),
            ("Capped by", |o, _| o.capped_by.words().to_string()),
            ("Requests/s per pod at your load", |o, _| number(o.throughput)),
            ("Requests/s per worker process", |o, s| if s.workers > 1 { number(o.throughput / f64::from(s.workers)) } else { "—".into() }),
            ("CPU cores used at your load", |o, _| number(o.cores_used)),
            ("Requests in flight at your load", |o, _| o.in_flight.map(count).unwrap_or_else(|| "over capacity".into())),
            ("p50", |o, _| o.sim.map(|a| format!("{} ms", number(a.p50_ms))).unwrap_or_default()),
            ("p99", |o, _| o.sim.map(|a| format!("{} ms", number(a.p99_ms))).unwrap_or_default()),
            ("Threads", |o, _| if o.in_flight.is_some() { count(o.threads) } else { String::new() }),
            ("Resident memory", |o, _| if o.in_flight.is_some() { format!("{} MiB", number(o.resident_mib)) } else { String::new() }),
            ("GIL acquisitions per request", |o, _| count(o.gil_acquisitions)),
            ("First limit reached", |o, s| match (o.meets(s), o.binds(s)) {
                (None, _) => String::new(),
                (_, Some(l)) => l.words().to_string(),
                (_, None) => "none: meets the target".into(),
            }),
        ];
        for (label, cell) in rows {
            // One worker process: the per-worker row says nothing the pod's does not.
            if s.workers <= 1 && label.ends_with("per worker process") {
                continue;
            }
            h.push_str(&format!("<tr><th scope=\"row\">{label}</th>"));
            for o in &self.patterns {
                let c = cell(o, s);
                let c = if c.is_empty() && o.in_flight.is_some() {
                    pending.to_string()
                } else if c.is_empty() {
                    "—".into()
                } else {
                    c
                };
                h.push_str(&format!("<td data-pattern=\"{}\">{}</td>", o.pattern.name(), esc(&c)));
            }
            h.push_str("</tr>");
        }
        if s.objective == Objective::Most {
            h.push_str("<tr><th scope=\"row\">Most requests/s within the target</th>");
            for o in &self.patterns {
                let c = match self.most_within(o.pattern) {
                    _ if o.pattern != Pattern::Tokio && o.pattern != s.official => "—".to_string(),
                    None => pending.to_string(),
                    Some(Some(r)) => format!("{} ({})", number(r.rate), super::outcome::share_words(r.share)),
                    Some(None) => format!("under {} of capacity", super::outcome::share_words(super::outcome::MOST[0])),
                };
                h.push_str(&format!("<td data-pattern=\"{}\">{}</td>", o.pattern.name(), esc(&c)));
            }
            h.push_str("</tr>");
        }
        h.push_str("</tbody></table></div>");
        if s.objective != Objective::Target {
            return crate::html::labelled(&h);
        }
        // The bigger-pool question.
        h.push_str(&format!(
            "<div class=\"service-box\" tabindex=\"0\" role=\"region\" aria-label=\"The executor at each pool size, at your load\"><table class=\"service-pools\" data-testid=\"service-pools\"><caption>The official client through the executor with a bigger pool, at {} (p99 target {})</caption>\
             <thead><tr><th scope=\"col\">Pool threads</th><th scope=\"col\">Capacity (requests/s)</th><th scope=\"col\">p99</th><th scope=\"col\">Threads used</th><th scope=\"col\">Resident memory</th><th scope=\"col\">Meets the target</th></tr></thead><tbody>",
            esc(&self.load_words()),
            ms(s.target_p99_ms)
        ));
        let smallest = self.smallest_pool().flatten().map(|o| o.pool);
        for o in &self.pools {
            let within = o.in_flight.is_some();
            let p99 = o.sim.map(|a| ms(a.p99_ms)).unwrap_or_else(|| if within { pending.into() } else { "over capacity".into() });
            let meets = match o.meets(s) {
                Some(true) => "yes",
                Some(false) => "no",
                None => pending,
            };
            let mark = if smallest == Some(o.pool) { " class=\"service-smallest\"" } else { "" };
            h.push_str(&format!(
                "<tr{mark}><th scope=\"row\">{}{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{meets}</td></tr>",
                count(o.pool),
                if smallest == Some(o.pool) { " (smallest that meets it)" } else { "" },
                number(o.capacity),
                esc(&p99),
                if within { count(o.threads) } else { "—".into() },
                if within { format!("{} MiB", number(o.resident_mib)) } else { "—".into() },
            ));
        }
        h.push_str("</tbody></table></div>");
        crate::html::labelled(&h)
    }
}
