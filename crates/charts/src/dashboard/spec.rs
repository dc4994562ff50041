//! What a dashboard panel is made of: its series, charts (bars or lines, with their data table) and the panel itself, as the page carries them.

use serde::{Deserialize, Serialize};

use crate::table::{raw, Table};

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

impl Panel {
    /// A panel that only says its section is not in the report.
    pub(crate) fn is_absent(&self) -> bool {
        self.charts.is_empty() && self.html.starts_with("<p class=\"dash-absent\">")
    }
}
