//! Memory against concurrency: resident (what a container limit counts) or reserved, with the pod limit.

use perfmodel::memory::{concurrency_exceeding_limit, memory};
use perfmodel::{ModelError, Params, Pattern, Scenario};
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use crate::answer::Ahead;
use crate::format::{count, number};
use crate::look::{legend_band, Dash, Look, Mark, Swatch};
use crate::style::{concurrency_axes, decades, Pen};
use crate::throughput::concurrencies;
use crate::Theme;
use perfmodel::scenario::range::{CONCURRENCY_MAX as N_MAX, CONCURRENCY_MIN as N_MIN};

/// Which memory the chart shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MemoryView {
    /// Resident set: what a container's memory limit counts.
    #[default]
    Resident,
    /// Reserved address space, thread stacks included.
    Reserved,
}

/// The patterns the memory chart compares: sync with one thread per caller
/// is where thread memory really grows, so it is shown too.
pub const PATTERNS: [Pattern; 4] = [Pattern::Sync, Pattern::SyncThreads, Pattern::Executor, Pattern::Tokio];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemorySeries {
    pub pattern: Pattern,
    /// (concurrency, MiB) of the chosen view.
    pub points: Vec<(u32, f64)>,
    pub resident_at_n: f64,
    pub reserved_at_n: f64,
    pub threads_at_n: u32,
    /// Lowest concurrency at which resident memory exceeds the pod limit.
    pub exceeds_at: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemoryData {
    pub view: MemoryView,
    pub concurrency: u32,
    pub pod_limit_mib: f64,
    pub series: Vec<MemorySeries>,
}

pub fn memory_data(p: &Params, s: &Scenario, view: MemoryView) -> Result<MemoryData, ModelError> {
    p.validate()?;
    s.validate()?;
    let ns = concurrencies(s.concurrency);
    let series = PATTERNS
        .iter()
        .map(|&pattern| {
            let at = |n: u32| memory(pattern, p, &Scenario { concurrency: n, ..*s });
            let m = at(s.concurrency);
            MemorySeries {
                pattern,
                points: ns
                    .iter()
                    .map(|&n| {
                        let m = at(n);
                        (n, if view == MemoryView::Resident { m.resident } else { m.reserved })
                    })
                    .collect(),
                resident_at_n: m.resident,
                reserved_at_n: m.reserved,
                threads_at_n: perfmodel::memory::threads(pattern, p, s).total(),
                exceeds_at: concurrency_exceeding_limit(pattern, p, s, N_MAX),
            }
        })
        .collect();
    Ok(MemoryData { view, concurrency: s.concurrency, pod_limit_mib: s.pod_limit_mib, series })
}

impl MemoryData {
    /// The figure's answer at the chosen callers: which async pattern's
    /// process is the smaller (resident memory), by how much, and where either meets the pod's limit.
    pub fn answer(&self) -> String {
        let of = |pat: Pattern| self.series.iter().find(|s| s.pattern == pat);
        let (Some(ex), Some(tk)) = (of(Pattern::Executor), of(Pattern::Tokio)) else { return String::new() };
        let a = Ahead::of(tk.resident_at_n, ex.resident_at_n, false);
        let (lead, other) = a.names();
        let (x, y) = a.first(tk.resident_at_n, ex.resident_at_n);
        let head = match a {
            Ahead::Even => {
                format!("neither is ahead: {lead} and {other} are {} of each other ({} and {} MiB resident)", a.by(), number(x), number(y))
            }
            _ => format!(
                "{lead} is ahead: its process holds {} MiB resident, {}'s {} as much ({} MiB)",
                number(x),
                a.short_names().1,
                a.by(),
                number(y)
            ),
        };
        let lim = format!("the {} MiB limit", number(self.pod_limit_mib));
        let limit = match (ex.exceeds_at, tk.exceeds_at) {
            (None, None) => format!("; neither reaches {lim} up to {} callers", count(N_MAX)),
            (Some(e), Some(t)) => format!("; the executor reaches {lim} from {} callers, Tokio from {}", count(e), count(t)),
            (None, Some(t)) => format!("; Tokio reaches {lim} from {} callers, the executor not up to {}", count(t), count(N_MAX)),
            (Some(e), None) => format!("; the executor reaches {lim} from {} callers, Tokio not up to {}", count(e), count(N_MAX)),
        };
        format!("At {} callers, {head}{limit}.", count(self.concurrency))
    }

    pub fn summary(&self) -> String {
        let at: Vec<String> = self
            .series
            .iter()
            .map(|s| format!("{} {} MiB resident ({} reserved)", s.pattern.label(), number(s.resident_at_n), number(s.reserved_at_n)))
            .collect();
        let over: Vec<String> = self
            .series
            .iter()
            .map(|s| match s.exceeds_at {
                Some(n) => format!("{} from {} callers", s.pattern.label(), count(n)),
                None => format!("{} never (up to {})", s.pattern.label(), count(N_MAX)),
            })
            .collect();
        format!(
            "At {} concurrent callers: {}. Against a {} MiB pod limit on resident memory: {}.",
            count(self.concurrency),
            at.join("; "),
            number(self.pod_limit_mib),
            over.join("; ")
        )
    }
}

/// Where a pattern first exceeds the limit: an "×" in its colour.
fn exceed_look(color: RGBColor) -> Look {
    Look { color, dash: Dash::Solid, mark: Mark::Cross, hollow: false, width: 2.5 }
}

/// The pod's limit: a long-dashed line in the text colour.
fn limit_look(theme: &Theme) -> Look {
    Look { color: theme.foreground, dash: Dash::Long, mark: Mark::None, hollow: false, width: 1.5 }
}

impl MemoryData {
    /// The legend: each pattern's line, then the pod's limit.
    pub fn legend(&self, theme: &Theme) -> Vec<(String, Swatch)> {
        let mut items: Vec<(String, Swatch)> =
            self.series.iter().map(|s| (s.pattern.label().to_string(), Swatch::Line(Look::pattern(theme, s.pattern)))).collect();
        items.push(("pod memory limit".into(), Swatch::Line(limit_look(theme))));
        if self.view == MemoryView::Resident && self.series.iter().any(|s| s.exceeds_at.is_some()) {
            items.push(("where a pattern first exceeds it".into(), Swatch::Marker(exceed_look(theme.foreground))));
        }
        items
    }
}

pub fn draw_memory<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, d: &MemoryData, theme: &Theme, scale: f64) -> Result<(), String> {
    let pen = Pen::fill(area, theme, scale)?;
    let px = |v: f64| pen.px(v);
    let hi = d.series.iter().flat_map(|s| s.points.iter().map(|p| p.1)).fold(d.pod_limit_mib, f64::max);
    let lo = d.series.iter().flat_map(|s| s.points.iter().map(|p| p.1)).fold(f64::INFINITY, f64::min);
    let (y_lo, y_hi) = decades(lo.max(0.1), hi * 1.5);
    let y_desc = match d.view {
        MemoryView::Resident => "resident memory, MiB (log)",
        MemoryView::Reserved => "reserved address space, MiB (log)",
    };
    let look = |p: Pattern| Look::pattern(theme, p);
    let limit = limit_look(theme);
    let items = d.legend(theme);
    let plot = legend_band(area, pen, &items)?;
    let mut chart = concurrency_axes(&plot, pen, (y_lo, y_hi), y_desc)?;
    for (k, s) in d.series.iter().enumerate() {
        let l = look(s.pattern);
        let pts: Vec<(f64, f64)> = s.points.iter().map(|&(n, m)| (n as f64, m)).collect();
        l.line(&mut chart, pen, &pts)?;
        l.sparse_marks(&mut chart, pen, &pts, 6, (k as f64 + 0.5) / d.series.len() as f64)?;
        if let (Some(n), MemoryView::Resident) = (s.exceeds_at, d.view) {
            exceed_look(l.color).marks(&mut chart, pen, &[(n as f64, d.pod_limit_mib)])?;
        }
    }
    limit.line(&mut chart, pen, &[(N_MIN as f64, d.pod_limit_mib), (N_MAX as f64, d.pod_limit_mib)])?;
    let n = d.concurrency as f64;
    chart
        .draw_series(LineSeries::new([(n, y_lo), (n, y_hi)], ShapeStyle::from(&theme.foreground.mix(0.5)).stroke_width(px(1.0))))
        .map_err(|e| e.to_string())?;
    area.present().map_err(|e| e.to_string())
}

impl MemoryData {
    /// Every point: concurrency, then MiB of the chosen view per pattern.
    pub fn table(&self) -> crate::table::Table {
        let unit = match self.view {
            MemoryView::Resident => "resident MiB",
            MemoryView::Reserved => "reserved MiB",
        };
        crate::table::curves(unit, self.series.iter().map(|s| (s.pattern, s.points.as_slice())))
    }
}
