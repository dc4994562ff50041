//! `{{#second-machine}}`: the newest lab run with a grid, when it is not the calibrating one, beside the model scaled to its machine's speed (fitted from its one-caller latencies only).

use charts::format::number;
use perfmodel::calibrate::speed_fit;
use perfmodel::{Params, Pattern};

use crate::lab::{quiet_sentence, Lab};
use crate::{lab_fit, BookEnv};

pub(crate) const TOKEN: &str = "{{#second-machine}}";

/// The callers at which the two machines' leads are set side by side.
const LEAD_CALLERS: u64 = 256;

/// The one-caller, no-wait cells a speed is fitted from, by the model's pattern.
const ONE_CALLER: [(Pattern, &str); 3] =
    [(Pattern::Sync, "official_sync"), (Pattern::Executor, "official_executor"), (Pattern::Tokio, "aerospike_py_async")];

/// What the second machine shows: its speed, the model's fit there, and
/// aerospike-py's lead over the executor on both machines.
#[derive(Debug)]
pub struct SecondMachine {
    pub run: String,
    pub speed: f64,
    pub speed_se: Option<f64>,
    pub rtt_us: f64,
    /// The model at the fitted speed against every cell.
    pub fits: Vec<lab_fit::PatternFit>,
    /// Median |throughput error| over every cell, at the fitted speed and at
    /// the lab's own costs (speed 1): what the speed accounts for.
    pub scaled_median: f64,
    pub unscaled_median: f64,
    /// Per injected wait at [`LEAD_CALLERS`]: aerospike-py ÷ the executor,
    /// measured on the calibrating machine, its model, measured here, the model at the speed.
    pub leads: Vec<(f64, f64, f64, f64, f64)>,
    pub quiet: String,
}

/// The second machine's check, or `None` without a second run or a physical speed fit.
pub fn check(env: &BookEnv) -> Option<SecondMachine> {
    let cal = env.lab()?;
    let mut other = Lab::newer(env.reports())?;
    let one = |name: &str| {
        other.grid.data.iter().find(|c| c.pattern == name && c.io_wait_ms == 0.0 && c.concurrency == 1).and_then(|c| c.avg_ms).map(|m| m * 1e3)
    };
    let measured: Vec<(Pattern, f64)> = ONE_CALLER.iter().filter_map(|&(p, name)| Some((p, one(name)?))).collect();
    let p = Params::default();
    let fit = speed_fit(&measured, &p)?;
    other.rtt_ms = fit.rtt_us / 1e3;
    let scaled = p.cpu_scaled(fit.speed);
    let cells = lab_fit::fit(&other, &scaled, true);
    let median = |cells: &[lab_fit::CellFit]| {
        let mut v: Vec<f64> = cells.iter().map(|c| c.throughput_err().abs()).collect();
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    };
    let unscaled_median = median(&lab_fit::fit(&other, &p, false));
    let cal_cells = lab_fit::fit(cal, &p, false);
    let lead = |cells: &[lab_fit::CellFit], io: f64| {
        let at = |label: &str| cells.iter().find(|c| c.label == label && c.io_wait_ms == io && c.concurrency == LEAD_CALLERS);
        let (t, e) = (at("Tokio")?, at("Executor (default pool)")?);
        Some((t.measured_ops / e.measured_ops, t.model_ops / e.model_ops))
    };
    let mut waits: Vec<f64> = cells.iter().map(|c| c.io_wait_ms).collect();
    waits.sort_by(f64::total_cmp);
    waits.dedup();
    let leads = waits
        .into_iter()
        .filter_map(|io| {
            let (cm, cmod) = lead(&cal_cells, io)?;
            let (om, omod) = lead(&cells, io)?;
            Some((io, cm, cmod, om, omod))
        })
        .collect();
    let quiet =
        quiet_sentence(other.grid.data.iter().map(|c| (c.foreign_cpu_share, c.noisy_runs.len(), c.load_avg.or(c.load_avg_max))), other.node_cpus);
    Some(SecondMachine {
        run: other.run.file.clone(),
        speed: fit.speed,
        speed_se: fit.speed_se,
        rtt_us: fit.rtt_us,
        fits: lab_fit::summary(&cells),
        scaled_median: median(&cells),
        unscaled_median,
        leads,
        quiet,
    })
}

/// The section's text: the check in words and two tables.
pub(crate) fn table(env: &BookEnv) -> String {
    let Some(cal) = env.lab() else {
        return "\n\n*No lab report yet: `cargo xtask lab` measures the grid and files it in `book/reports/`.*\n\n".into();
    };
    let Some(m) = check(env) else {
        return "\n\n*The book's newest lab run is the one the model is calibrated from (or its one-caller latencies give no \
                physical speed): there is no second machine to check the model on yet.*\n\n"
            .into();
    };
    let pct = |v: f64| format!("{:.0}%", v * 100.0);
    let mut rows = String::new();
    for f in &m.fits {
        rows.push_str(&lab_fit::summary_row(f.label, f.cells, f.median_err, f.worst_err, &f.worst_cell, f.p99_within, f.p99_cells));
    }
    let mut leads = String::new();
    for &(io, cm, cmod, om, omod) in &m.leads {
        leads.push_str(&format!("| {} | {}× | {}× | {}× | {}× |\n", number(io), number(cm), number(cmod), number(om), number(omod)));
    }
    let smaller = m.leads.iter().filter(|l| l.3 < l.1).count();
    let model_smaller = m.leads.iter().filter(|l| l.4 < l.2).count();
    let pace = if m.speed > 1.0 { "slower" } else { "faster" };
    let se = m.speed_se.map(|e| format!(" ± {e:.2}")).unwrap_or_default();
    format!(
        "\n\nThe newest run, `{run}`, measured the same grid on another machine. {quiet} Its one-caller latencies with no \
         injected wait (the official client called directly, through `run_in_executor`, and aerospike-py's async client) give \
         that machine a speed of **{speed:.2}**{se} (each of the lab's CPU costs takes {speed:.2} times as long there) and a round \
         trip of {rtt} µs, by the same least-squares fit as the machine profiles below. Nothing else is fitted: with every CPU \
         cost scaled by that one factor, the model's median throughput error over the run's cells is {scaled}, against {raw} \
         at the calibrating machine's own costs.\n\n\
         | Pattern | Cells | Median \\|throughput error\\| | Largest (cell) | p99 within ×{factor} |\n\
         |---|---:|---:|---|---:|\n{rows}\n\
         On the {pace} machine aerospike-py's lead over the executor (Python's default pool) at {callers} callers was smaller \
         at {smaller} of {n} injected waits, and the model scaled by the one speed gives a smaller lead at {model_smaller}: \
         aerospike-py spends more CPU per get than the official client does through the executor, so where the CPU binds, \
         a slower CPU takes more from it.\n\n\
         | Injected wait (ms) | Lead measured, `{cal}` | Model | Lead measured, `{run}` | Model at speed {speed:.2} |\n\
         |---:|---:|---:|---:|---:|\n{leads}\n",
        run = m.run,
        quiet = m.quiet,
        speed = m.speed,
        rtt = number(m.rtt_us),
        scaled = pct(m.scaled_median),
        raw = pct(m.unscaled_median),
        factor = lab_fit::P99_FACTOR,
        callers = LEAD_CALLERS,
        n = m.leads.len(),
        cal = cal.run.file,
    )
}
