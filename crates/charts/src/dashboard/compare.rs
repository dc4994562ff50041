//! Two runs side by side: every number both carry, and the comparison's own panel.

use super::spec::Panel;
use super::RunView;
use crate::format::number;
use crate::html::{esc, table_html};
use crate::table::{raw, Table};

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
                        out.push(Change {
                            chart: ca.title.clone(),
                            category: format!("{} {cat}", ca.x_desc),
                            series: sa.label.clone(),
                            unit: ca.value_desc.clone(),
                            a: *x,
                            b: *y,
                        });
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
        rows: all
            .iter()
            .map(|c| {
                vec![c.chart.clone(), c.category.clone(), c.series.clone(), c.unit.clone(), raw(c.a), raw(c.b), format!("{}×", number(c.ratio()))]
            })
            .collect(),
    };
    html.push_str(&format!(
        "<details class=\"widget-data\"><summary>Every number in both runs ({})</summary>{}</details>",
        all.len(),
        table_html(&t, "A against B")
    ));
    Panel { id: "compare".into(), title: "A against B".into(), html, charts: Vec::new() }
}
