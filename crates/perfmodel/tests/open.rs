//! Open load against queueing theory: Erlang C, M/M/1, M/M/c, M/D/1, Little's law, stability boundaries and timeouts.

use perfmodel::open::{self, erlang_c, quantile, station, tail, Limit, Wait};
use perfmodel::pattern::{Role, Step, Work};
use perfmodel::sim::{simulate, simulate_path, ServiceDist, SimConfig};
use perfmodel::{mva, predict, Params, Pattern, Scenario, Solver};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1e-300)
}

#[test]
fn erlang_c_matches_its_closed_form() {
    // C(c, a) = (a^c/c! · c/(c−a)) / (Σ_{k<c} a^k/k! + a^c/c! · c/(c−a)).
    let direct = |c: u32, a: f64| {
        let mut fact = 1.0;
        let mut sum = 0.0;
        for k in 0..c {
            if k > 0 {
                fact *= k as f64;
            }
            sum += a.powi(k as i32) / fact;
        }
        let top = a.powi(c as i32) / (fact * c as f64) * c as f64 / (c as f64 - a);
        top / (sum + top)
    };
    assert!(close(erlang_c(2, 1.0), 1.0 / 3.0, 1e-12));
    assert!(close(erlang_c(3, 2.0), 4.0 / 9.0, 1e-12));
    for (c, a) in [(1, 0.3), (4, 3.2), (8, 7.5), (20, 12.0), (32, 31.0)] {
        assert!(close(erlang_c(c, a), direct(c, a), 1e-9), "c={c} a={a}: {} vs {}", erlang_c(c, a), direct(c, a));
    }
    // Large pools stay finite where the factorial form would overflow.
    let big = erlang_c(1024, 1000.0);
    assert!(big.is_finite() && big > 0.0 && big < 1.0);
    assert_eq!(erlang_c(4, 4.0), 1.0);
}

#[test]
fn mm1_mean_wait_and_quantiles_are_exact() {
    // μ = 1 per µs, λ = 0.5: W = ρ/(μ−λ) = 1; response ~ Exp(μ−λ).
    let (mu, lam) = (1.0, 0.5);
    let w = station(1, 1.0 / mu, 1.0, lam).expect("stable");
    assert!(close(w.mean, 1.0, 1e-12));
    assert!(close(w.p, 0.5, 1e-12));
    // Waiting time: P(W > t) = ρ e^{−(μ−λ)t}, so its 99th percentile is ln(ρ/0.01)/(μ−λ).
    assert!(close(quantile(0.99, 0.0, w), (0.5f64 / 0.01).ln() / (mu - lam), 1e-6));
    // Response time = Exp(μ) service + wait: P(R > t) = e^{−(μ−λ)t}.
    for t in [0.1, 1.0, 5.0, 20.0] {
        assert!(close(tail(t, 1.0 / mu, w), (-(mu - lam) * t).exp(), 1e-9), "t={t}");
    }
    assert!(close(quantile(0.99, 1.0 / mu, w), 100f64.ln() / (mu - lam), 1e-6));
    assert!(close(quantile(0.5, 1.0 / mu, w), 2f64.ln() / (mu - lam), 1e-6));
}

#[test]
fn mmc_wait_is_erlang_c_over_the_spare_rate() {
    for (c, s, lam) in [(2u32, 1.0, 1.5), (4, 2.0, 1.6), (16, 10.0, 1.4)] {
        let w = station(c, s, 1.0, lam).expect("stable");
        let expect = erlang_c(c, lam * s) / (c as f64 / s - lam);
        assert!(close(w.mean, expect, 1e-12));
        // P(W > t) = C e^{−(cμ−λ)t}.
        let t = 3.0;
        assert!(close(tail(t, 0.0, w), erlang_c(c, lam * s) * (-(c as f64 / s - lam) * t).exp(), 1e-9));
    }
}

#[test]
fn md1_is_pollaczek_khinchine() {
    // Constant service: W = ρS / (2(1−ρ)), half the M/M/1 wait.
    for rho in [0.3, 0.6, 0.9] {
        let s = 10.0;
        let w = station(1, s, 0.0, rho / s).expect("stable");
        assert!(close(w.mean, rho * s / (2.0 * (1.0 - rho)), 1e-12));
    }
    assert!(station(1, 10.0, 0.0, 0.1).is_none(), "ρ = 1 is unstable");
}

#[test]
fn a_wait_visited_k_times_keeps_its_mean() {
    let w = Wait { p: 0.2, mean: 3.0 };
    let k = w.times(3.0);
    assert!(close(k.mean, 9.0, 1e-12));
    assert!(close(k.p, 1.0 - 0.8f64.powi(3), 1e-12));
}

fn open_cfg(seed: u64, requests: u64, dist: ServiceDist) -> SimConfig {
    SimConfig { seed, requests, warmup: 20_000, dist, ..SimConfig::default() }
}

/// A pool of c workers, each held for an exponential time: M/M/c.
fn mmc_sim(c: u32, s_ms: f64, rate: f64, seed: u64) -> perfmodel::sim::SimResult {
    let p = Params::default();
    let sc = Scenario { io_wait_ms: s_ms, pool: Some(c), arrival_rate: Some(rate), cores: 256.0, ..Scenario::default() };
    let path = vec![Step { role: Role::Worker, work: Work::Io(s_ms * 1e3), what: "service" }];
    simulate_path(Pattern::Executor, path, &p, &sc, &open_cfg(seed, 300_000, ServiceDist::Exponential))
}

#[test]
fn simulator_is_mm1_and_mmc_where_the_model_reduces_to_them() {
    for (c, s_ms, rho) in [(1u32, 1.0, 0.7), (4, 2.0, 0.75), (16, 5.0, 0.8)] {
        let rate = rho * c as f64 / (s_ms / 1e3);
        let r = mmc_sim(c, s_ms, rate, 11);
        let s_us = s_ms * 1e3;
        let lam = rate / 1e6;
        let w = station(c, s_us, 1.0, lam).expect("stable");
        let mean = (s_us + w.mean) / 1e3;
        let p99 = quantile(0.99, s_us, w) / 1e3;
        assert!(close(r.latency_ms.mean, mean, 0.02), "c={c}: sim mean {} vs M/M/c {mean}", r.latency_ms.mean);
        assert!(close(r.latency_ms.p99, p99, 0.02), "c={c}: sim p99 {} vs M/M/c {p99}", r.latency_ms.p99);
        assert!(close(r.throughput, rate, 0.02), "c={c}: throughput {} vs rate {rate}", r.throughput);
        // Little's law on the queue the simulator measures by area: Lq = λ·Wq.
        let wq_ms = r.latency_ms.mean - s_ms;
        assert!(close(r.queued, r.throughput * wq_ms / 1e3, 0.03), "c={c}: queued {} vs λWq {}", r.queued, r.throughput * wq_ms / 1e3);
    }
}

#[test]
fn simulator_gil_is_md1() {
    // One GIL hold on the loop per request, constant: an M/D/1 queue.
    let p = Params::default();
    let hold_us = 100.0;
    for rho in [0.5, 0.8] {
        let rate = rho / hold_us * 1e6;
        let sc = Scenario { arrival_rate: Some(rate), ..Scenario::default() };
        let path = vec![Step { role: Role::Loop, work: Work::Gil(hold_us), what: "hold" }];
        let r = simulate_path(Pattern::Tokio, path, &p, &sc, &open_cfg(5, 300_000, ServiceDist::Measured));
        let expect = (hold_us + rho * hold_us / (2.0 * (1.0 - rho))) / 1e3;
        assert!(close(r.latency_ms.mean, expect, 0.02), "ρ={rho}: sim {} vs M/D/1 {expect}", r.latency_ms.mean);
        assert!(close(r.gil_utilization, rho, 0.02), "ρ={rho}: GIL busy {}", r.gil_utilization);
    }
}

#[test]
fn executor_capacity_is_the_pool_over_its_holding_time() {
    let p = Params::default();
    for (pool, io) in [(6u32, 20.0), (20, 87.0), (64, 250.0)] {
        let s = Scenario { io_wait_ms: io, pool: Some(pool), ..Scenario::default() };
        let (cap, limit) = open::capacity(Pattern::Executor, &p, &s);
        assert_eq!(limit, Limit::Pool);
        // The pool cap of the closed solver is P over the worker's own work and the I/O wait,
        // without queueing or wake-ups; the open capacity is at most that and within a wake-up of it.
        let closed = mva::bounds(Pattern::Executor, &p, &s).pool_cap.expect("executor");
        assert!(cap <= closed * (1.0 + 1e-9), "pool {pool} io {io}: {cap} above {closed}");
        assert!(cap >= closed * io / (io + 0.1), "pool {pool} io {io}: {cap} far below {closed}");
    }
}

#[test]
fn tokio_capacity_is_the_gil_ceiling_or_the_cores() {
    let p = Params::default();
    // On two cores the CPU work of a request (GIL-held and not) runs out of cores first.
    let s = Scenario { io_wait_ms: 1.0, ..Scenario::default() };
    let (cap, limit) = open::capacity(Pattern::Tokio, &p, &s);
    let t = perfmodel::pattern::totals(&perfmodel::pattern::steps(Pattern::Tokio, &p, &Scenario { arrival_rate: Some(1.0), ..s }));
    assert_eq!(limit, Limit::Cores);
    assert!(close(cap, s.cores * 1e6 / (t.gil_us() + t.cpu_us), 1e-6), "{cap}");
    // On eight, the GIL.
    for io in [0.0637, 1.0, 20.0] {
        let s = Scenario { io_wait_ms: io, cores: 8.0, ..Scenario::default() };
        let (cap, limit) = open::capacity(Pattern::Tokio, &p, &s);
        // The closed loop's ceiling plus the loop's cost of starting each arriving request.
        let g = 1e6 / mva::bounds(Pattern::Tokio, &p, &s).gil_ceiling;
        let ceiling = 1e6 / (g + p.open_driver_us);
        assert_eq!(limit, Limit::Gil, "io {io}");
        assert!(close(cap, ceiling, 1e-6), "io {io}: {cap} vs GIL ceiling {ceiling}");
    }
}

#[test]
fn sync_capacity_is_one_over_the_whole_path() {
    let p = Params::default();
    let s = Scenario { io_wait_ms: 2.0, ..Scenario::default() };
    let (cap, limit) = open::capacity(Pattern::Sync, &p, &s);
    assert_eq!(limit, Limit::Thread);
    assert!(close(cap, mva::bounds(Pattern::Sync, &p, &s).gil_ceiling, 1e-6));
}

#[test]
fn past_capacity_the_result_is_unstable_with_its_growth() {
    let p = Params::default();
    for pattern in [Pattern::Sync, Pattern::Executor, Pattern::Tokio] {
        let s = Scenario { io_wait_ms: 5.0, ..Scenario::default() };
        let (cap, _) = open::capacity(pattern, &p, &s);
        let below = predict(pattern, &p, &Scenario { arrival_rate: Some(0.8 * cap), ..s }, Solver::Analytic, 1).unwrap();
        let above = predict(pattern, &p, &Scenario { arrival_rate: Some(1.25 * cap), ..s }, Solver::Analytic, 1).unwrap();
        let (b, a) = (below.open.unwrap(), above.open.unwrap());
        assert!(b.stable && !a.stable, "{pattern:?}");
        assert!(close(a.backlog_growth_per_s, 0.25 * cap, 1e-6), "{pattern:?}: growth {}", a.backlog_growth_per_s);
        assert!(close(above.throughput_ops_s, cap, 1e-9));
        // The simulator sees the same boundary: no growth below it, about λ − capacity above it.
        let sb = predict(pattern, &p, &Scenario { arrival_rate: Some(0.8 * cap), ..s }, Solver::Sim, 3).unwrap();
        let sa = predict(pattern, &p, &Scenario { arrival_rate: Some(1.25 * cap), ..s }, Solver::Sim, 3).unwrap();
        assert!(sb.open.unwrap().stable, "{pattern:?}: the simulator's backlog grew below capacity");
        let g = sa.open.unwrap().backlog_growth_per_s;
        // Growth is at least λ − capacity; more for Tokio, whose loop keeps
        // starting every call that arrives and finishes fewer (its GIL time
        // goes to the starts first).
        let most = if pattern == Pattern::Tokio { 1.25 * cap } else { 0.35 * cap };
        assert!(!sa.open.unwrap().stable && g > 0.15 * cap && g < most, "{pattern:?}: sim growth {g} at 1.25× capacity {cap}");
    }
}

#[test]
fn analytic_and_simulator_agree_below_capacity() {
    let p = Params::default();
    for pattern in [Pattern::Sync, Pattern::Executor, Pattern::Tokio] {
        for io in [0.25, 1.0, 20.0] {
            let s = Scenario { io_wait_ms: io, ..Scenario::default() };
            let (cap, _) = open::capacity(pattern, &p, &s);
            for load in [0.3, 0.7] {
                let sc = Scenario { arrival_rate: Some(load * cap), ..s };
                let a = predict(pattern, &p, &sc, Solver::Analytic, 1).unwrap();
                let m = predict(pattern, &p, &sc, Solver::Sim, 1).unwrap();
                let err = (a.latency_ms.mean - m.latency_ms.mean).abs() / m.latency_ms.mean;
                assert!(err < 0.10, "{pattern:?} io {io} at {load}×capacity: analytic mean {} vs sim {}", a.latency_ms.mean, m.latency_ms.mean);
                let r99 = a.latency_ms.p99.unwrap() / m.latency_ms.p99.unwrap();
                assert!(
                    (1.0 / 1.5..1.5).contains(&r99),
                    "{pattern:?} io {io} at {load}×: p99 {} vs {}",
                    a.latency_ms.p99.unwrap(),
                    m.latency_ms.p99.unwrap()
                );
            }
        }
    }
}

#[test]
fn timeouts_free_the_caller_but_not_a_running_worker() {
    let p = Params::default();
    // Cross region, Python's default pool of 6: capacity about 6/87 ms = 69/s.
    let s = Scenario { io_wait_ms: 87.0, timeout_ms: Some(250.0), ..Scenario::default() };
    let (cap, _) = open::capacity(Pattern::Executor, &p, &s);
    let cfg = SimConfig { seed: 2, requests: 4_000, warmup: 1_000, ..SimConfig::default() };
    let over = simulate(Pattern::Executor, &p, &Scenario { arrival_rate: Some(2.0 * cap), ..s }, &cfg).unwrap();
    let o = over.open.unwrap();
    // Overloaded, the queue's head is always near its deadline: a worker
    // skips the cancelled items, takes the first whose caller still waits,
    // and holds it for the whole I/O wait, by the end of which that caller
    // too has given up. The pool runs flat out and answers almost nobody.
    assert!(o.goodput.unwrap() < 0.1 * cap, "goodput {} of capacity {cap}", o.goodput.unwrap());
    assert!(o.timed_out.unwrap() > 0.9 && o.abandoned.unwrap() > 0.9, "{o:?}");
    let pr = predict(Pattern::Executor, &p, &Scenario { arrival_rate: Some(2.0 * cap), ..s }, Solver::Sim, 2).unwrap();
    assert!(!pr.open.unwrap().stable, "a pool that answers nobody does not keep up");
    // Below capacity the same timeout costs nothing.
    let under = simulate(Pattern::Executor, &p, &Scenario { arrival_rate: Some(0.5 * cap), ..s }, &cfg).unwrap().open.unwrap();
    assert!(under.timed_out.unwrap() < 0.01 && close(under.goodput.unwrap(), 0.5 * cap, 0.05), "{under:?}");
    // No caller waits longer than its timeout.
    assert!(over.latency_ms.max <= 250.0 * 1.001, "max {}", over.latency_ms.max);
    // Tokio at the same rate is far below its capacity: everything on time.
    let t = simulate(Pattern::Tokio, &p, &Scenario { arrival_rate: Some(2.0 * cap), ..s }, &cfg).unwrap();
    let to = t.open.unwrap();
    assert!(to.timed_out.unwrap() < 0.01 && close(to.goodput.unwrap(), 2.0 * cap, 0.05), "{to:?}");
    // A blocking caller cannot give up: late answers arrive late, all counted.
    let sy = simulate(Pattern::Sync, &p, &Scenario { arrival_rate: Some(20.0), ..s }, &cfg).unwrap();
    assert_eq!(sy.open.unwrap().abandoned, Some(0.0));
    assert!(sy.latency_ms.max > 250.0);
}

#[test]
fn open_load_work_is_bounded_by_its_arrivals() {
    // Far past capacity the run still ends, within its event budget, having
    // issued at most warm-up + 2 × measured requests.
    let p = Params::default();
    let s = Scenario { io_wait_ms: 10.0, arrival_rate: Some(1_000_000.0), ..Scenario::default() };
    let cfg = SimConfig { requests: 2_000, warmup: 200, ..SimConfig::default() };
    for pattern in [Pattern::Sync, Pattern::Executor, Pattern::Tokio] {
        let r = simulate(pattern, &p, &s, &cfg).unwrap();
        assert_eq!(r.completed, 2_000, "{pattern:?}");
        assert!(r.events <= (200 + 4_000) * 12 * 10, "{pattern:?}: {} events", r.events);
        assert!(!predict(pattern, &p, &s, Solver::Analytic, 1).unwrap().open.unwrap().stable);
    }
}

/// Bursty arrivals (and limits/open-closed.md: "at the same mean rate, every
/// pattern's tail grows"): a two-phase hyperexponential gap into one exponential
/// server is GI/M/1, whose mean wait is σ/(μ(1−σ)) with σ the root in (0, 1)
/// of σ = A*(μ(1−σ)), A* the gap's Laplace transform. The simulator must
/// agree; the analytic side (Allen–Cunneen's (ca² + cs²)/2) must lengthen
/// the wait with the burstiness and stay within 25% of the exact mean.
#[test]
fn bursty_arrivals_are_gi_m_1() {
    let p = Params::default();
    let s_ms = 1.0;
    for (rho, c2) in [(0.5f64, 4.0f64), (0.7, 4.0), (0.7, 9.0)] {
        let rate = rho / (s_ms / 1e3);
        let pp = 0.5 * (1.0 + ((c2 - 1.0) / (c2 + 1.0)).sqrt());
        let m = 1.0 / rate;
        let (l1, l2) = (2.0 * pp / m, 2.0 * (1.0 - pp) / m);
        let mu = 1.0 / (s_ms / 1e3);
        let lst = |x: f64| pp * l1 / (l1 + x) + (1.0 - pp) * l2 / (l2 + x);
        let mut sigma = 0.0;
        for _ in 0..100_000 {
            sigma = lst(mu * (1.0 - sigma));
        }
        let exact_ms = (sigma / (mu * (1.0 - sigma)) + 1.0 / mu) * 1e3;
        let sc = Scenario { io_wait_ms: s_ms, pool: Some(1), arrival_rate: Some(rate), burstiness: Some(c2), cores: 256.0, ..Scenario::default() };
        let path = vec![Step { role: Role::Worker, work: Work::Io(s_ms * 1e3), what: "service" }];
        let r = simulate_path(Pattern::Executor, path, &p, &sc, &open_cfg(13, 400_000, ServiceDist::Exponential));
        assert!(close(r.latency_ms.mean, exact_ms, 0.03), "ρ={rho} c²={c2}: sim {} vs GI/M/1 {exact_ms}", r.latency_ms.mean);
        let w = perfmodel::open::station_g(1, s_ms * 1e3, c2, 1.0, rate / 1e6).unwrap();
        let ac_ms = (w.mean + s_ms * 1e3) / 1e3;
        assert!(close(ac_ms, exact_ms, 0.25), "ρ={rho} c²={c2}: Allen–Cunneen {ac_ms} vs GI/M/1 {exact_ms}");
        assert!(w.mean > station(1, s_ms * 1e3, 1.0, rate / 1e6).unwrap().mean);
    }
    // The patterns: the same rate, burstier arrivals, a longer tail; the capacity at most a few
    // percent lower (an executor worker's holding time includes its GIL waits, which bursts lengthen).
    for pattern in [Pattern::Sync, Pattern::Executor, Pattern::Tokio] {
        let s = Scenario { io_wait_ms: 1.0, ..Scenario::default() };
        let (cap, _) = open::capacity(pattern, &p, &s);
        let smooth = predict(pattern, &p, &Scenario { arrival_rate: Some(0.7 * cap), ..s }, Solver::Sim, 1).unwrap();
        let bursty = predict(pattern, &p, &Scenario { arrival_rate: Some(0.7 * cap), burstiness: Some(4.0), ..s }, Solver::Sim, 1).unwrap();
        assert!(bursty.latency_ms.p99.unwrap() > smooth.latency_ms.p99.unwrap(), "{pattern:?}");
        let b = open::capacity(pattern, &p, &Scenario { burstiness: Some(4.0), ..s }).0;
        assert!(b <= cap * (1.0 + 1e-9) && b > 0.95 * cap, "{pattern:?}: {b} bursty, {cap} not");
    }
}
