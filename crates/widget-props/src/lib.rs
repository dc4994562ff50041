//! The props contract between `{{#widget NAME key=value}}` in the book and the widget that mounts there.
//!
//! The preprocessor parses a directive into a [`Widget`] (failing the build
//! on an unknown name or a bad prop) and writes it as JSON into the
//! placeholder's `data-props`; the WASM module reads the same JSON back into
//! the same type. One type per widget, one enum over all of them.

pub mod link;
pub mod start;

use perfmodel::scenario::range;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Props of a widget driven by the shared scenario: optional starting
/// values, used when the page's link does not set them.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioProps {
    /// Initial I/O wait in ms (default: the shared scenario's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub io_wait_ms: Option<f64>,
    /// Initial concurrency (default: the shared scenario's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<u32>,
}

/// Props of the memory widget.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemoryProps {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<u32>,
    /// Initial pod memory limit, MiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_limit_mib: Option<f64>,
    /// Which memory to show first: "resident" (default) or "reserved".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view: Option<charts_view::View>,
}

/// The memory widget's view switch, mirrored here so the props crate does not depend on plotters.
pub mod charts_view {
    use serde::{Deserialize, Serialize};
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum View {
        Resident,
        Reserved,
    }
}

/// Props of the burst widget.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BurstProps {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub io_wait_ms: Option<f64>,
    /// Requests fired at once (default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub burst: Option<u32>,
}

/// Props of the request-flow widget.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowProps {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub io_wait_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<u32>,
    /// The pattern shown first: sync, executor (default) or tokio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<perfmodel::Pattern>,
}

/// Props of the request-steps table.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepsProps {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub io_wait_ms: Option<f64>,
}

/// Props of the conditions heatmap.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionsProps {
    /// Colour by "throughput" (default, analytic) or "p99" (simulated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<HeatMetric>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HeatMetric {
    Throughput,
    P99,
}

/// Props of the results dashboard.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DashboardProps {
    /// The reports folder, relative to the book's source folder (default "reports").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reports: Option<String>,
}

impl DashboardProps {
    pub fn folder(&self) -> &str {
        self.reports.as_deref().unwrap_or("reports")
    }
}

/// Largest burst the widget accepts.
pub(crate) const BURST_MAX: u32 = 10_000;

/// Every widget the site knows, tagged by its directive name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "widget", content = "props", rename_all = "kebab-case")]
pub enum Widget {
    /// Throughput against concurrency for the three patterns.
    ThroughputScaling(ScenarioProps),
    /// Per-thread GIL lanes from the simulator.
    GilTimeline(ScenarioProps),
    /// Resident and reserved memory against concurrency, with a pod limit.
    MemoryUsage(MemoryProps),
    /// A burst of requests fired at once: queued, in flight and done over time.
    ConcurrentHandling(BurstProps),
    /// The four comparison figures in keyboard-reachable tabs.
    ComparisonTabs(TabsProps),
    /// One simulated request followed thread by thread, animated.
    RequestFlow(FlowProps),
    /// Each pattern's steps side by side, from the model's path.
    RequestSteps(StepsProps),
    /// Mean (analytic) and p99 (simulated) latency against concurrency.
    LatencyScaling(ScenarioProps),
    /// The same, with other GIL work on the loop and a CPU-bound thread as controls.
    GilContention(ScenarioProps),
    /// Tokio against the executor over I/O wait × concurrency.
    ConditionsHeatmap(ConditionsProps),
    /// A card per pattern at one point, with a bounded verdict.
    IoConcurrency(ScenarioProps),
    /// The benchmark reports of a folder, run by run.
    ResultsDashboard(DashboardProps),
    /// The executor against its pool size, Tokio as the reference, the lab's measured points.
    PoolSize(ScenarioProps),
    /// The reader's own service: each pattern at its load, the smallest pool that meets its target, a verdict.
    YourService(ServiceProps),
    /// Requests arriving at a rate: p99 and goodput against the rate, capacities, the lab's open-load points.
    OpenLoad(OpenProps),
    /// Batch reads across a cluster: batches/s and p99 against the keys per batch, the lab's batch cells.
    BatchScaling(BatchProps),
}

/// Props of the batch figure: starting values, used when the page's link does not set them.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchProps {
    /// Initial wait per node request, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub io_wait_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<u32>,
    /// Initial keys per batch and nodes in the cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nodes: Option<u32>,
}

/// Props of the open-load figure.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenProps {
    /// Initial I/O wait in ms (default: the shared scenario's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub io_wait_ms: Option<f64>,
    /// Initial arrival rate, requests/s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    /// Initial timeout for the goodput panel, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<f64>,
}

/// Props of the "Your service" widget: none yet (it starts from the reader's scenario, or an example).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceProps {}

/// Props of the tab group.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TabsProps {
    /// Index of the tab open first (0–3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open: Option<u32>,
}

/// Directive names, for error messages.
pub const NAMES: &[&str] = &[
    "throughput-scaling",
    "gil-timeline",
    "memory-usage",
    "concurrent-handling",
    "comparison-tabs",
    "request-flow",
    "request-steps",
    "latency-scaling",
    "gil-contention",
    "conditions-heatmap",
    "io-concurrency",
    "results-dashboard",
    "your-service",
    "pool-size",
    "open-load",
    "batch-scaling",
];

impl Widget {
    pub fn name(&self) -> &'static str {
        match self {
            Widget::ThroughputScaling(_) => "throughput-scaling",
            Widget::GilTimeline(_) => "gil-timeline",
            Widget::MemoryUsage(_) => "memory-usage",
            Widget::ConcurrentHandling(_) => "concurrent-handling",
            Widget::ComparisonTabs(_) => "comparison-tabs",
            Widget::RequestFlow(_) => "request-flow",
            Widget::RequestSteps(_) => "request-steps",
            Widget::LatencyScaling(_) => "latency-scaling",
            Widget::GilContention(_) => "gil-contention",
            Widget::ConditionsHeatmap(_) => "conditions-heatmap",
            Widget::IoConcurrency(_) => "io-concurrency",
            Widget::ResultsDashboard(_) => "results-dashboard",
            Widget::YourService(_) => "your-service",
            Widget::PoolSize(_) => "pool-size",
            Widget::OpenLoad(_) => "open-load",
            Widget::BatchScaling(_) => "batch-scaling",
        }
    }

    /// The props alone, as the JSON written into `data-props`.
    pub fn props_json(&self) -> String {
        let v = serde_json::to_value(self).expect("widget props always serialise");
        v.get("props").map(|p| p.to_string()).unwrap_or_else(|| "{}".into())
    }

    /// Rebuild a widget from the placeholder's `data-widget` and `data-props`.
    pub fn from_placeholder(name: &str, props_json: &str) -> Result<Widget, String> {
        let props: Value = serde_json::from_str(props_json).map_err(|e| format!("data-props is not valid JSON: {e}"))?;
        Self::from_name_and_props(name, props)
    }

    fn from_name_and_props(name: &str, props: Value) -> Result<Widget, String> {
        // Deserialise the props alone first, so an error names the field.
        #[cfg(not(target_arch = "wasm32"))]
        fn typed<T: serde::de::DeserializeOwned>(name: &str, props: Value) -> Result<T, String> {
            serde_path_to_error::deserialize(props).map_err(|e| {
                let at = e.path().to_string();
                if at == "." {
                    format!("widget {name:?}: {}", e.inner())
                } else {
                    format!("widget {name:?}, prop {at}: {}", e.inner())
                }
            })
        }
        // In the browser the props were already checked, field by field, when
        // the page was built; serde_json's message with the props' names beside it
        // says what is wrong, and the path tracking would cost the module a
        // second copy of every props decoder (17 KB of WebAssembly).
        #[cfg(target_arch = "wasm32")]
        fn typed<T: serde::de::DeserializeOwned>(name: &str, props: Value) -> Result<T, String> {
            let fields: Vec<String> = props.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
            serde_json::from_value(props).map_err(|e| format!("widget {name:?}: {e} (props given: {})", fields.join(", ")))
        }
        let w = match name {
            "throughput-scaling" => Widget::ThroughputScaling(typed(name, props)?),
            "gil-timeline" => Widget::GilTimeline(typed(name, props)?),
            "memory-usage" => Widget::MemoryUsage(typed(name, props)?),
            "concurrent-handling" => Widget::ConcurrentHandling(typed(name, props)?),
            "comparison-tabs" => Widget::ComparisonTabs(typed(name, props)?),
            "request-flow" => Widget::RequestFlow(typed(name, props)?),
            "request-steps" => Widget::RequestSteps(typed(name, props)?),
            "latency-scaling" => Widget::LatencyScaling(typed(name, props)?),
            "gil-contention" => Widget::GilContention(typed(name, props)?),
            "conditions-heatmap" => Widget::ConditionsHeatmap(typed(name, props)?),
            "io-concurrency" => Widget::IoConcurrency(typed(name, props)?),
            "results-dashboard" => Widget::ResultsDashboard(typed(name, props)?),
            "your-service" => Widget::YourService(typed(name, props)?),
            "pool-size" => Widget::PoolSize(typed(name, props)?),
            "open-load" => Widget::OpenLoad(typed(name, props)?),
            "batch-scaling" => Widget::BatchScaling(typed(name, props)?),
            other => return Err(format!("unknown widget {other:?}; known widgets: {}", NAMES.join(", "))),
        };
        w.validate()?;
        Ok(w)
    }

    /// Range checks that serde's types cannot express.
    pub(crate) fn validate(&self) -> Result<(), String> {
        match self {
            Widget::ThroughputScaling(p)
            | Widget::GilTimeline(p)
            | Widget::LatencyScaling(p)
            | Widget::GilContention(p)
            | Widget::IoConcurrency(p)
            | Widget::PoolSize(p) => scenario_in_range(p.io_wait_ms, p.concurrency),
            Widget::ConditionsHeatmap(_) | Widget::YourService(_) => Ok(()),
            Widget::OpenLoad(p) => {
                scenario_in_range(p.io_wait_ms, None)?;
                if let Some(r) = p.rate {
                    in_range("rate", r, range::ARRIVAL_RATE)?;
                }
                if let Some(t) = p.timeout_ms {
                    in_range("timeout_ms", t, range::TIMEOUT_MS)?;
                }
                Ok(())
            }
            Widget::RequestSteps(p) => scenario_in_range(p.io_wait_ms, None),
            Widget::BatchScaling(p) => {
                scenario_in_range(p.io_wait_ms, p.concurrency)?;
                if let Some(k) = p.keys {
                    in_range("keys", k as f64, range::KEYS)?;
                }
                if let Some(m) = p.nodes {
                    in_range("nodes", m as f64, range::NODES)?;
                }
                Ok(())
            }
            Widget::ResultsDashboard(p) => {
                let f = p.folder();
                if f.is_empty() || f.starts_with('/') || f.contains('\\') || f.split('/').any(|part| part == "..") {
                    Err(format!("reports = {f:?} must be a folder inside the book's source folder"))
                } else {
                    Ok(())
                }
            }
            Widget::RequestFlow(p) => {
                scenario_in_range(p.io_wait_ms, p.concurrency)?;
                match p.pattern {
                    Some(p @ (perfmodel::Pattern::SyncThreads | perfmodel::Pattern::Threadpool)) => {
                        Err(format!("pattern = {} is not shown here; use sync, executor or tokio", p.name()))
                    }
                    _ => Ok(()),
                }
            }
            Widget::ComparisonTabs(p) => match p.open {
                Some(i) if i > 3 => Err(format!("open = {i} is outside 0–3")),
                _ => Ok(()),
            },
            Widget::ConcurrentHandling(p) => {
                if let Some(io) = p.io_wait_ms {
                    in_range("io_wait_ms", io, range::IO_WAIT_MS)?;
                }
                if let Some(k) = p.burst {
                    in_range("burst", k as f64, (1.0, BURST_MAX as f64))?;
                }
                Ok(())
            }
            Widget::MemoryUsage(p) => {
                if let Some(n) = p.concurrency {
                    in_range("concurrency", n as f64, range::CONCURRENCY)?;
                }
                if let Some(m) = p.pod_limit_mib {
                    in_range("pod_limit_mib", m, range::POD_LIMIT_MIB)?;
                }
                Ok(())
            }
        }
    }
}

fn scenario_in_range(io: Option<f64>, n: Option<u32>) -> Result<(), String> {
    if let Some(io) = io {
        in_range("io_wait_ms", io, range::IO_WAIT_MS)?;
    }
    if let Some(n) = n {
        in_range("concurrency", n as f64, range::CONCURRENCY)?;
    }
    Ok(())
}

fn in_range(name: &str, v: f64, (lo, hi): (f64, f64)) -> Result<(), String> {
    if v.is_finite() && v >= lo && v <= hi {
        Ok(())
    } else {
        Err(format!("{name} = {v} is outside {lo}–{hi}"))
    }
}

/// Parse the inside of a directive, `NAME key=value key=value`.
/// Values that read as JSON numbers or booleans are typed; anything else is
/// a string. `key="a b"` keeps spaces.
pub fn parse_directive(args: &str) -> Result<Widget, String> {
    let mut words = split_words(args)?.into_iter();
    let name = words.next().ok_or("a widget directive needs a widget name")?;
    let mut props = Map::new();
    for w in words {
        let (k, v) = w.split_once('=').ok_or_else(|| format!("{w:?} is not key=value"))?;
        if k.is_empty() {
            return Err(format!("{w:?} has an empty key"));
        }
        let value = match serde_json::from_str::<Value>(v) {
            Ok(Value::Number(n)) => Value::Number(n),
            Ok(Value::Bool(b)) => Value::Bool(b),
            _ => Value::String(v.to_string()),
        };
        if props.insert(k.to_string(), value).is_some() {
            return Err(format!("{k} is given twice"));
        }
    }
    Widget::from_name_and_props(&name, Value::Object(props))
}

fn split_words(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if quoted {
        return Err("unclosed quote".into());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_typed_props() {
        let w = parse_directive("throughput-scaling io_wait_ms=2.5 concurrency=100").unwrap();
        assert_eq!(w, Widget::ThroughputScaling(ScenarioProps { io_wait_ms: Some(2.5), concurrency: Some(100) }));
        assert_eq!(w.props_json(), r#"{"concurrency":100,"io_wait_ms":2.5}"#);
        assert_eq!(Widget::from_placeholder("throughput-scaling", &w.props_json()).unwrap(), w);
    }

    #[test]
    fn rejects_unknown_names_props_and_ranges() {
        assert!(parse_directive("nope").unwrap_err().contains("unknown widget \"nope\""));
        assert!(parse_directive("throughput-scaling colour=red").unwrap_err().contains("unknown field `colour`"));
        assert!(parse_directive("throughput-scaling concurrency=-3").unwrap_err().contains("concurrency"));
        assert!(parse_directive("throughput-scaling io_wait_ms=1e9").unwrap_err().contains("outside"));
        assert!(parse_directive("throughput-scaling io_wait_ms=1 io_wait_ms=2").unwrap_err().contains("twice"));
        assert!(parse_directive("").is_err());
        assert!(parse_directive("request-flow pattern=tokio").is_ok());
        assert!(parse_directive("results-dashboard reports=../secrets").unwrap_err().contains("inside the book"));
        assert!(parse_directive("request-flow pattern=sync-threads").unwrap_err().contains("sync, executor or tokio"));
        assert!(parse_directive("request-flow pattern=fast").unwrap_err().contains("prop pattern"));
        assert!(Widget::from_placeholder("throughput-scaling", "{not json").is_err());
        let e = Widget::from_placeholder("throughput-scaling", r#"{"concurrency":"lots"}"#).unwrap_err();
        assert!(e.contains("prop concurrency"), "{e}");
    }
}
