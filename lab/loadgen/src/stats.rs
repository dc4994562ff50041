//! A run's results: latencies summarised as percentiles, printed as one JSON object.

use std::fmt::Write;

/// What one run measured. Latencies in ms; `late_p99_us` is how late the
/// generator itself sent (open load only).
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub mode: &'static str,
    pub offered_per_s: Option<f64>,
    pub connections: usize,
    pub seconds: f64,
    /// Requests whose scheduled (or, closed, actual) start fell in the measured window.
    pub measured: usize,
    /// Of those, how many never completed (still waiting when the run ended).
    pub unfinished: usize,
    /// Requests answered with an error status or a broken connection, over the whole run.
    pub errors: usize,
    /// Requests answered with status 200 over the whole run, warm-up included.
    pub total_completed: usize,
    /// Completions inside the measured window per second.
    pub achieved_per_s: f64,
    /// Whether the whole schedule was sent (an open load stops sending when too much is outstanding).
    pub sent_all: bool,
    pub latency_ms: Vec<f64>,
    pub late_p99_us: Option<f64>,
    pub first_error: Option<String>,
}

/// The value below which a share `p` of the sorted `xs` lie (nearest rank).
pub(crate) fn quantile(xs: &[f64], p: f64) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let i = ((p * xs.len() as f64).ceil() as usize).clamp(1, xs.len()) - 1;
    Some(xs[i])
}

impl Report {
    /// One line of JSON: the counts, and the latency's mean and percentiles (null when nothing completed).
    pub fn to_json(&self) -> String {
        let mut lat = self.latency_ms.clone();
        lat.sort_by(f64::total_cmp);
        let num = |x: Option<f64>| x.filter(|v| v.is_finite()).map_or("null".to_string(), |v| format!("{v:.6}"));
        let mean = (!lat.is_empty()).then(|| lat.iter().sum::<f64>() / lat.len() as f64);
        let mut s = String::from("{");
        let _ = write!(
            s,
            "\"mode\":\"{}\",\"offered_per_s\":{},\"connections\":{},\"seconds\":{},\"measured\":{},\"completed\":{},\"unfinished\":{},\"total_completed\":{},\"errors\":{},\"achieved_per_s\":{},\"sent_all\":{},",
            self.mode,
            num(self.offered_per_s),
            self.connections,
            self.seconds,
            self.measured,
            lat.len(),
            self.unfinished,
            self.total_completed,
            self.errors,
            num(Some(self.achieved_per_s)),
            self.sent_all
        );
        let _ = write!(
            s,
            "\"mean_ms\":{},\"p50_ms\":{},\"p90_ms\":{},\"p99_ms\":{},\"p999_ms\":{},\"max_ms\":{},\"late_p99_us\":{},\"first_error\":{}",
            num(mean),
            num(quantile(&lat, 0.5)),
            num(quantile(&lat, 0.9)),
            num(quantile(&lat, 0.99)),
            num(quantile(&lat, 0.999)),
            num(lat.last().copied()),
            num(self.late_p99_us),
            self.first_error.as_deref().map_or("null".to_string(), json_str)
        );
        s.push('}');
        s
    }
}

/// A JSON string literal of `s`.
fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
