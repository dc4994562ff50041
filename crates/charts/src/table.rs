//! A chart's numbers as a plain table: shown under "Show data", exported as CSV.

use serde::Serialize;

/// Column headers and rows of already formatted cells (raw numbers, not
/// rounded for display, so the CSV keeps full precision).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// RFC 4180 CSV: fields with a comma, quote or newline are quoted.
    pub fn to_csv(&self) -> String {
        let line = |cells: &[String]| {
            cells
                .iter()
                .map(|c| if c.contains([',', '"', '\n']) { format!("\"{}\"", c.replace('"', "\"\"")) } else { c.clone() })
                .collect::<Vec<_>>()
                .join(",")
        };
        let mut out = line(&self.headers);
        out.push_str("\r\n");
        for r in &self.rows {
            out.push_str(&line(r));
            out.push_str("\r\n");
        }
        out
    }
}

/// Curves sharing a concurrency axis: one row per concurrency, one column per pattern.
pub fn curves<'a>(unit: &str, series: impl Iterator<Item = (perfmodel::Pattern, &'a [(u32, f64)])>) -> Table {
    let series: Vec<_> = series.collect();
    let mut headers = vec!["concurrency".to_string()];
    headers.extend(series.iter().map(|(p, _)| format!("{} {unit}", p.name())));
    let rows = series
        .first()
        .map(|(_, first)| {
            first
                .iter()
                .enumerate()
                .map(|(i, &(n, _))| {
                    let mut r = vec![n.to_string()];
                    r.extend(series.iter().map(|(_, pts)| pts.get(i).map(|p| raw(p.1)).unwrap_or_default()));
                    r
                })
                .collect()
        })
        .unwrap_or_default();
    Table { headers, rows }
}

/// Full-precision number for tables and CSV.
pub(crate) fn raw(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn csv_quotes_what_needs_quoting() {
        let t = Table {
            headers: vec!["pattern".into(), "note".into()],
            rows: vec![vec!["Executor (official + run_in_executor)".into(), "a, \"b\"".into()]],
        };
        assert_eq!(t.to_csv(), "pattern,note\r\nExecutor (official + run_in_executor),\"a, \"\"b\"\"\"\r\n");
    }
}
