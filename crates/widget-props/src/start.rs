//! Each widget's starting values, in one place: what its props set in the page's scenario, and its own controls' first positions.
//!
//! The WASM module applies them when the page starts from its own values
//! (not a link's or the reader's saved scenario); the preprocessor renders
//! the build-time figure at them. Both call [`Widget::start`], so the figure
//! a reader sees before the module runs is the one the module draws first.

use perfmodel::Scenario;

use crate::Widget;

/// Requests the burst figure fires at once unless its directive says.
pub(crate) const BURST: u32 = 100;
/// CPU-bound Python threads the GIL-contention figure starts with (one, so its page opens on the contention it is about).
pub const CONTENTION_BACKGROUND: u32 = 1;
/// The batch figure's first wait per node request, ms: the same-zone round
/// trip (a cluster a network hop away, not the benchmark's localhost).
pub const BATCH_IO_MS: f64 = perfmodel::scenario::PRESETS[1].rtt_ms;
/// The batch figure's first callers: the centre of the lab's batch grid.
pub const BATCH_CALLERS: u32 = 16;
/// The open-load figure's first I/O wait, ms: the lab's open-load grid starts there.
pub(crate) const OPEN_IO_MS: f64 = 1.0;
/// The open-load figure's first arrival rate, requests/s.
pub const OPEN_RATE: f64 = 2_000.0;
/// The open-load figure's first timeout, ms.
pub const OPEN_TIMEOUT_MS: f64 = 100.0;

impl Widget {
    /// Set in `s` the starting values this widget's props give the page's scenario.
    pub fn start(&self, s: &mut Scenario) {
        let (io, n) = match self {
            Widget::ThroughputScaling(p)
            | Widget::GilTimeline(p)
            | Widget::LatencyScaling(p)
            | Widget::GilContention(p)
            | Widget::IoConcurrency(p)
            | Widget::PoolSize(p) => (p.io_wait_ms, p.concurrency),
            Widget::MemoryUsage(p) => (None, p.concurrency),
            Widget::ConcurrentHandling(p) => (p.io_wait_ms, None),
            Widget::RequestFlow(p) => (p.io_wait_ms, p.concurrency),
            Widget::RequestSteps(p) => (p.io_wait_ms, None),
            Widget::OpenLoad(p) => (Some(p.io_wait_ms.unwrap_or(OPEN_IO_MS)), None),
            Widget::BatchScaling(p) => (Some(p.io_wait_ms.unwrap_or(BATCH_IO_MS)), Some(p.concurrency.unwrap_or(BATCH_CALLERS))),
            Widget::ComparisonTabs(_) | Widget::ConditionsHeatmap(_) | Widget::ResultsDashboard(_) | Widget::YourService(_) => (None, None),
        };
        if let Some(io) = io {
            s.io_wait_ms = io;
        }
        if let Some(n) = n {
            s.concurrency = n;
        }
        match self {
            Widget::GilContention(_) => s.background_threads = CONTENTION_BACKGROUND,
            // The batch page's request is one batch read, of its starting size unless the directive says.
            Widget::BatchScaling(p) => {
                let start = s.calls.batch.unwrap_or(perfmodel::batch::Batch::START);
                let b = perfmodel::batch::Batch { keys: p.keys.unwrap_or(start.keys), nodes: p.nodes.unwrap_or(start.nodes), ..start };
                s.calls = perfmodel::batch::Calls { gets: 0, batch: Some(b), batches: 1, gather: false };
            }
            Widget::MemoryUsage(p) => {
                if let Some(m) = p.pod_limit_mib {
                    s.pod_limit_mib = m;
                }
            }
            _ => {}
        }
    }
}

impl crate::BurstProps {
    /// Requests fired at once.
    pub fn burst(&self) -> u32 {
        self.burst.unwrap_or(BURST)
    }
}

impl crate::OpenProps {
    /// The figure's first arrival rate, requests/s.
    pub fn rate(&self) -> f64 {
        self.rate.unwrap_or(OPEN_RATE)
    }

    /// The figure's first timeout, ms.
    pub fn timeout_ms(&self) -> f64 {
        self.timeout_ms.unwrap_or(OPEN_TIMEOUT_MS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MemoryProps, OpenProps, ScenarioProps};

    #[test]
    fn props_set_only_what_they_name() {
        let mut s = Scenario::default();
        Widget::ThroughputScaling(ScenarioProps { io_wait_ms: Some(5.0), concurrency: None }).start(&mut s);
        assert_eq!((s.io_wait_ms, s.concurrency), (5.0, Scenario::default().concurrency));
        Widget::MemoryUsage(MemoryProps { concurrency: Some(8), pod_limit_mib: Some(256.0), view: None }).start(&mut s);
        assert_eq!((s.io_wait_ms, s.concurrency, s.pod_limit_mib), (5.0, 8, 256.0));
        Widget::GilContention(ScenarioProps::default()).start(&mut s);
        assert_eq!(s.background_threads, CONTENTION_BACKGROUND);
        Widget::OpenLoad(OpenProps::default()).start(&mut s);
        assert_eq!(s.io_wait_ms, OPEN_IO_MS, "the open-load figure starts at its own wait");
        assert_eq!((OpenProps::default().rate(), OpenProps::default().timeout_ms()), (OPEN_RATE, OPEN_TIMEOUT_MS));
    }
}
