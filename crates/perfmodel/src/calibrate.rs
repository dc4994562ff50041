//! The clients' costs from the lab's per-request measurements: GIL-held time sampled by py-spy, CPU time from each thread's clock.

use serde::Serialize;

use crate::Params;

/// The lab run every lab-calibrated default comes from (in `book/reports/`;
/// each parameter's provenance names it), and the open-load run measured on
/// the same machine that evening (in `book/reports/open-loop/`): the
/// methodology sets the model beside these two. A run on another machine is
/// a check of the model across machines, not a calibration, until every lab
/// (grid, batches, service, asyncio's costs) is measured again on it.
pub const CALIBRATION_RUN: &str = "2026-12-01_20-09.json";
pub const CALIBRATION_OPEN_RUN: &str = "2026-12-01_20-48.json";

/// What the lab measured per request in one cell of its grid (µs per get),
/// and the cell's throughput (gets per second).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CellCosts {
    pub ops_per_sec: f64,
    /// Time some thread of the process held the GIL, per get (py-spy's share
    /// of samples with a GIL holder, over the throughput).
    pub gil_us: f64,
    /// CPU time of every thread of the process, per get.
    pub cpu_us: f64,
}

/// The cells calibration reads, all with no injected wait.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LabCosts {
    /// The official client called directly, one caller.
    pub official_sync_1: CellCosts,
    /// The official client through run_in_executor with Python's default
    /// pool, at the concurrency where it completed the most gets.
    pub executor_peak: CellCosts,
    /// aerospike-py's AsyncClient at the concurrency where it completed the most gets.
    pub asp_peak: CellCosts,
}

/// The per-client parameters those measurements give, and the stub's round trip.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ClientCosts {
    pub official_gil_us: f64,
    pub official_nogil_us: f64,
    pub executor_overhead_us: f64,
    pub asp_gil_us: f64,
    pub asp_nogil_us: f64,
    /// The stub's own round trip on loopback, µs.
    pub stub_rtt_us: f64,
}

/// Derive the client costs, each from what was measured of it:
///
/// * the official client's GIL-held time is the GIL time of a one-caller
///   blocking get (nothing else in that process takes the GIL);
/// * `run_in_executor`'s GIL-held machinery is the executor's GIL time per
///   get at its peak, less the client's own and the loop's resume;
/// * the official client's GIL-free CPU is the executor's CPU per get at its
///   peak less its GIL time (at the peak the process is busy, so wake-ups
///   cost no idle time);
/// * aerospike-py's GIL-held time is its GIL time per get at its peak, less
///   the loop's resume; its GIL-free CPU is its CPU per get less its GIL time;
/// * the stub's round trip is what remains of a one-caller blocking get.
pub fn client_costs(m: &LabCosts, p: &Params) -> ClientCosts {
    let official_gil_us = m.official_sync_1.gil_us;
    let executor_overhead_us = (m.executor_peak.gil_us - official_gil_us - p.loop_resume_us).max(0.1);
    let official_nogil_us = (m.executor_peak.cpu_us - m.executor_peak.gil_us).max(0.0);
    let asp_gil_us = (m.asp_peak.gil_us - p.loop_resume_us).max(0.1);
    let asp_nogil_us = (m.asp_peak.cpu_us - m.asp_peak.gil_us).max(0.0);
    let stub_rtt_us = stub_rtt_us(m.official_sync_1.ops_per_sec, official_gil_us, official_nogil_us);
    ClientCosts { official_gil_us, official_nogil_us, executor_overhead_us, asp_gil_us, asp_nogil_us, stub_rtt_us }
}

/// The stub's round trip: a one-caller official sync get (gets/s) minus the
/// official client's GIL-held and GIL-free CPU, µs (never below zero).
pub fn stub_rtt_us(official_sync_1: f64, official_gil_us: f64, official_nogil_us: f64) -> f64 {
    (1e6 / official_sync_1 - official_gil_us - official_nogil_us).max(0.0)
}

/// One lab cell's memory: callers, resident set at the end of the window and
/// before any load (MiB), and the threads it had beyond those before load.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CellMemory {
    pub concurrency: u32,
    pub rss_mib: f64,
    pub rss_idle_mib: f64,
    pub extra_threads: u32,
}

/// Memory costs the lab's cells give.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MemoryCosts {
    /// Resident KiB per request in flight: the growth from 1,024 to 4,096
    /// callers where the thread count did not change, median over waits.
    pub request_kib: f64,
    /// Resident KiB per thread started under load (aerospike-py's blocking
    /// pool): what is left of the growth after the requests' share, per new
    /// thread, median over the cells of 16 to 256 callers.
    pub thread_kib: Option<f64>,
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied()
}

/// `rows` holds, per injected wait, that wait's cells of one pattern.
pub fn memory_costs(rows: &[Vec<CellMemory>]) -> Option<MemoryCosts> {
    let at = |row: &[CellMemory], n: u32| row.iter().find(|c| c.concurrency == n).copied();
    let request_kib = median(
        rows.iter()
            .filter_map(|row| {
                let (a, b) = (at(row, 1_024)?, at(row, 4_096)?);
                (a.extra_threads == b.extra_threads).then(|| (b.rss_mib - a.rss_mib) * 1024.0 / 3_072.0)
            })
            .collect(),
    )?;
    let thread_kib = median(
        rows.iter()
            .flatten()
            .filter(|c| (16..=256).contains(&c.concurrency) && c.extra_threads > 0)
            .map(|c| ((c.rss_mib - c.rss_idle_mib) * 1024.0 - c.concurrency as f64 * request_kib) / c.extra_threads as f64)
            .collect(),
    );
    Some(MemoryCosts { request_kib, thread_kib })
}

/// One pattern's one-caller latency on another machine, beside the lab's path.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SpeedRow {
    pub pattern: crate::Pattern,
    /// What was measured there, µs.
    pub measured_us: f64,
    /// The lab's path of one get with no wait and nothing queued, µs.
    pub lab_path_us: f64,
    /// The fit: round trip + speed × the lab's path, µs.
    pub fitted_us: f64,
}

/// A machine's speed against the lab, and the round trip of its server.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpeedFit {
    /// CPU time there for the lab's one µs.
    pub speed: f64,
    /// What the one-caller latencies have beyond CPU: the round trip to its server, µs.
    pub rtt_us: f64,
    /// The speed's standard error (residual variance over n − 2 degrees of
    /// freedom, over the spread of the paths); `None` with only two points.
    pub speed_se: Option<f64>,
    pub rows: Vec<SpeedRow>,
}

impl SpeedFit {
    /// The largest relative miss of the fit over its rows.
    pub fn worst_error(&self) -> f64 {
        self.rows.iter().map(|r| (r.fitted_us / r.measured_us - 1.0).abs()).fold(0.0, f64::max)
    }
}

/// Fit one speed factor and one round trip to one-caller latencies measured
/// on another machine (µs, one per pattern): least squares of
/// latency = round trip + speed × the lab's path. One caller, so nothing
/// queues, nothing waits for the GIL or a core, and the latency is the path
/// itself; the round trip is the same for every pattern because they talk to
/// the same server. `None` unless there are two patterns with different paths
/// and the fit is physical (a positive speed, a round trip of zero or more).
pub fn speed_fit(measured: &[(crate::Pattern, f64)], p: &Params) -> Option<SpeedFit> {
    let one = crate::Scenario { io_wait_ms: 0.0, concurrency: 1, ..crate::Scenario::default() };
    let path = |pattern| crate::pattern::totals(&crate::pattern::steps(pattern, p, &one)).total_us();
    let pts: Vec<(crate::Pattern, f64, f64)> = measured.iter().filter(|(_, m)| m.is_finite() && *m > 0.0).map(|&(pt, m)| (pt, path(pt), m)).collect();
    let n = pts.len() as f64;
    let (mx, my) = (pts.iter().map(|x| x.1).sum::<f64>() / n, pts.iter().map(|x| x.2).sum::<f64>() / n);
    let sxx: f64 = pts.iter().map(|x| (x.1 - mx).powi(2)).sum();
    let sxy: f64 = pts.iter().map(|x| (x.1 - mx) * (x.2 - my)).sum();
    if pts.len() < 2 || sxx <= 0.0 {
        return None;
    }
    let speed = sxy / sxx;
    let rtt_us = my - speed * mx;
    if !(speed > 0.0 && rtt_us >= 0.0) {
        return None;
    }
    let rows: Vec<SpeedRow> = pts
        .iter()
        .map(|&(pattern, lab_path_us, measured_us)| SpeedRow { pattern, measured_us, lab_path_us, fitted_us: rtt_us + speed * lab_path_us })
        .collect();
    let sse: f64 = rows.iter().map(|r| (r.measured_us - r.fitted_us).powi(2)).sum();
    let speed_se = (pts.len() > 2).then(|| (sse / (n - 2.0) / sxx).sqrt());
    Some(SpeedFit { speed, rtt_us, speed_se, rows })
}

/// One lab cell of a batch grid, per batch: its keys, the share found, the
/// node requests each batch made (what the stub counted) and what the
/// process spent (µs per batch).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BatchCell {
    pub keys: f64,
    pub found: f64,
    pub node_requests: f64,
    pub gil_us: f64,
    pub cpu_us: f64,
}

/// A client's batch costs: GIL-held per batch, per key and per record found;
/// GIL-free per batch, per key, per node request and per record found (µs),
/// with the share of the cells' variation each fit explains (R²).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BatchCosts {
    pub gil: [f64; 3],
    pub cpu: [f64; 4],
    pub gil_r2: f64,
    pub cpu_r2: f64,
    pub cells: usize,
}

/// Least squares of GIL-held time per batch on (1, keys, records found) and
/// of GIL-free CPU per batch on (1, keys, node requests, records found) over
/// `cells`. A cost cannot be negative: a term whose coefficient comes out
/// below zero is dropped (its cost is zero) and the rest refitted. `None`
/// with fewer cells than terms or a singular fit.
pub fn batch_costs(cells: &[BatchCell]) -> Option<BatchCosts> {
    let gil_x: Vec<Vec<f64>> = cells.iter().map(|c| vec![1.0, c.keys, c.keys * c.found]).collect();
    let gil_y: Vec<f64> = cells.iter().map(|c| c.gil_us).collect();
    let cpu_x: Vec<Vec<f64>> = cells.iter().map(|c| vec![1.0, c.keys, c.node_requests, c.keys * c.found]).collect();
    let cpu_y: Vec<f64> = cells.iter().map(|c| (c.cpu_us - c.gil_us).max(0.0)).collect();
    let (gil, gil_r2) = nonnegative_fit(&gil_x, &gil_y)?;
    let (cpu, cpu_r2) = nonnegative_fit(&cpu_x, &cpu_y)?;
    Some(BatchCosts { gil: [gil[0], gil[1], gil[2]], cpu: [cpu[0], cpu[1], cpu[2], cpu[3]], gil_r2, cpu_r2, cells: cells.len() })
}

/// Least squares with every coefficient at zero or above (terms dropped one
/// by one, the most negative first), and the fit's R².
fn nonnegative_fit(x: &[Vec<f64>], y: &[f64]) -> Option<(Vec<f64>, f64)> {
    let k = x.first()?.len();
    let mut active: Vec<usize> = (0..k).collect();
    loop {
        if x.len() < active.len() {
            return None;
        }
        let sub: Vec<Vec<f64>> = x.iter().map(|row| active.iter().map(|&j| row[j]).collect()).collect();
        let b = least_squares(&sub, y)?;
        match b.iter().enumerate().filter(|(_, v)| **v < 0.0).min_by(|a, b| a.1.total_cmp(b.1)) {
            Some((i, _)) => {
                active.remove(i);
            }
            None => {
                let mut full = vec![0.0; k];
                for (i, &j) in active.iter().enumerate() {
                    full[j] = b[i];
                }
                let mean = y.iter().sum::<f64>() / y.len() as f64;
                let fit = |row: &[f64]| row.iter().zip(&full).map(|(a, b)| a * b).sum::<f64>();
                let sse: f64 = x.iter().zip(y).map(|(row, v)| (v - fit(row)).powi(2)).sum();
                let sst: f64 = y.iter().map(|v| (v - mean).powi(2)).sum();
                return Some((full, if sst > 0.0 { 1.0 - sse / sst } else { 1.0 }));
            }
        }
    }
}

/// Ordinary least squares by the normal equations, solved with Gaussian
/// elimination (at most four unknowns here); `None` if they are singular.
fn least_squares(x: &[Vec<f64>], y: &[f64]) -> Option<Vec<f64>> {
    let k = x.first().map_or(0, Vec::len);
    let mut a = vec![vec![0.0; k + 1]; k];
    for (row, &v) in x.iter().zip(y) {
        for i in 0..k {
            for j in 0..k {
                a[i][j] += row[i] * row[j];
            }
            a[i][k] += row[i] * v;
        }
    }
    for c in 0..k {
        let pivot = (c..k).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))?;
        if a[pivot][c].abs() < 1e-12 {
            return None;
        }
        a.swap(c, pivot);
        let top = a[c].clone();
        for (r, row) in a.iter_mut().enumerate() {
            if r != c {
                let f = row[c] / top[c];
                for (x, t) in row.iter_mut().zip(&top).skip(c) {
                    *x -= f * t;
                }
            }
        }
    }
    Some((0..k).map(|i| a[i][k] / a[i][i]).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_costs_recover_known_costs_and_never_go_negative() {
        // Costs made up for the test: GIL 20 + 3/key + 5/record; CPU 40 + 1/key + 30/node + 2/record.
        let mut cells = Vec::new();
        for keys in [1.0, 10.0, 50.0, 200.0, 1000.0] {
            for (nodes, found) in [(1.0, 1.0), (4.0, 1.0), (8.0, 0.0), (8.0, 1.0)] {
                let d = crate::batch::expected_nodes(keys as u32, nodes as u32);
                let gil = 20.0 + 3.0 * keys + 5.0 * keys * found;
                let cpu = gil + 40.0 + keys + 30.0 * d + 2.0 * keys * found;
                cells.push(BatchCell { keys, found, node_requests: d, gil_us: gil, cpu_us: cpu });
            }
        }
        let c = batch_costs(&cells).unwrap();
        for (got, want) in c.gil.iter().zip([20.0, 3.0, 5.0]).chain(c.cpu.iter().zip([40.0, 1.0, 30.0, 2.0])) {
            assert!((got - want).abs() < 1e-6, "{c:?}");
        }
        assert!(c.gil_r2 > 0.999999 && c.cpu_r2 > 0.999999);
        // A cost that would come out negative is zero, and the others refit.
        let flat: Vec<BatchCell> = cells.iter().map(|c| BatchCell { gil_us: 100.0 - 0.01 * c.keys, ..*c }).collect();
        assert!(batch_costs(&flat).unwrap().gil.iter().all(|v| *v >= 0.0));
        assert!(batch_costs(&cells[..2]).is_none(), "fewer cells than terms");
    }
}
