//! The "Your service" page's numbers: each preset's verdict (stated in the closing note and on the page) held to the model, the verdict's first sentence following the outcomes, the pool search, bounded work, bad input clamped with a reason.

use charts::runs::POOLS;
use charts::service::{presets, service_data, Limit, Load, Service, ServiceData};
use charts::stages::Staged;

fn complete(p: &Params, s: &Service) -> Result<ServiceData, perfmodel::ModelError> {
    charts::stages::complete::<ServiceData>(p, s)
}
use perfmodel::{Params, Pattern};

fn preset(key: &str) -> ServiceData {
    let s = presets().into_iter().find(|p| p.key == key).unwrap().service;
    complete(&Params::default(), &s).unwrap()
}

fn meets(d: &ServiceData, p: Pattern) -> bool {
    d.get(p).meets(&d.service).unwrap()
}

/// The verdicts the page's presets give, as the closing note reports them.
#[test]
fn preset_verdicts() {
    // Every example but cross-region (service.md: "most end in"): today's way of calling the official client and aerospike-py both meet the target.
    for key in ["benchmark", "lookup-api", "def-endpoints", "busy-api", "uvicorn-workers", "batch-api", "fan-out"] {
        let d = preset(key);
        assert!(meets(&d, d.service.official) && meets(&d, Pattern::Tokio), "{key}: {:?}", d.verdict());
        assert!(d.verdict()[0].starts_with("Switching gains nothing"), "{key}: {:?}", d.verdict());
    }
    // Cross-region at 500/s: Python's default pool (20 on a 16-CPU node) caps the executor below the rate; Tokio meets it; so does a pool of 64.
    let d = preset("cross-region");
    let ex = d.get(Pattern::Executor);
    assert_eq!((ex.pool, ex.in_flight, ex.capped_by), (20, None, Limit::Pool));
    assert!(meets(&d, Pattern::Tokio));
    assert_eq!(d.smallest_pool().unwrap().map(|o| o.pool), Some(64));
    assert!(d.verdict()[0].starts_with("aerospike-py's async client meets"), "{:?}", d.verdict());
    assert!(d.verdict()[1].contains("A pool of 64 threads would meet it"), "{:?}", d.verdict());
    // A lookup API at 1,000 requests/s behind FastAPI: both are bound by the GIL, where the web
    // server's own work (http_server_us) is most of each request's hold, so their capacities are
    // within 5% of each other (service.md says so).
    let d = preset("lookup-api");
    assert_eq!((d.get(Pattern::Executor).capped_by, d.get(Pattern::Tokio).capped_by), (Limit::Gil, Limit::Gil));
    let (ex, tk) = (d.get(Pattern::Executor).capacity, d.get(Pattern::Tokio).capacity);
    assert!((ex / tk - 1.0).abs() < 0.05, "executor {ex}, Tokio {tk}");
    assert!(Params::default().http_server_us > 0.5 * 1e6 / tk, "the server's work is most of the GIL's time per request");
    // The busy API (0.1 ms of Python per request) keeps both within 80% of their capacities on the
    // lab's costs, so the verdict flags neither; a rate near capacity is flagged.
    let d = preset("busy-api");
    assert!(d.verdict().iter().all(|v| !v.contains("of its capacity")), "{:?}", d.verdict());
    for pattern in [Pattern::Executor, Pattern::Tokio] {
        assert!(d.get(pattern).capacity > 5_000.0 / 0.8, "{pattern:?}: {}", d.get(pattern).capacity);
    }
    let busy = presets().into_iter().find(|p| p.key == "busy-api").unwrap().service;
    let cap = d.get(Pattern::Tokio).capacity;
    let near = complete(&Params::default(), &Service { load: Load::Rate(0.9 * cap), ..busy }).unwrap();
    assert!(near.verdict().iter().any(|v| v.contains("of its capacity")), "{:?}", near.verdict());
}

/// A plain def endpoint is weighed as the service's own way when it is
/// one; the verdict names another way of calling the official client that
/// meets what today's does not.
#[test]
fn the_verdict_weighs_todays_way_of_calling_the_official_client() {
    let p = Params::default();
    let d = preset("def-endpoints");
    assert_eq!(d.today().pattern, Pattern::Threadpool);
    assert_eq!(d.today().pool, perfmodel::scenario::FRAMEWORK_THREADS);
    assert!(d.verdict()[0].contains("both a plain def endpoint (the framework's 40 threads) and aerospike-py"), "{:?}", d.verdict());
    // Blocking in async def at the lookup API's 1,000/s: its one thread runs the requests one at a time and misses 10 ms; the executor meets it.
    let lookup = presets().into_iter().find(|p| p.key == "lookup-api").unwrap().service;
    let d = complete(&p, &Service { official: Pattern::Sync, ..lookup }).unwrap();
    assert!(!meets(&d, Pattern::Sync) && meets(&d, Pattern::Executor), "{:?}", d.verdict());
    assert!(d.verdict()[0].starts_with("aerospike-py's async client meets") && d.verdict()[0].contains("the blocking call in async def does not"));
    assert!(d.verdict().iter().any(|v| v.starts_with("Without changing clients, the executor (pool of 20) would meet it too")), "{:?}", d.verdict());
    // The pool sentence is about the executor's pool: not offered for a def endpoint.
    let far = presets().into_iter().find(|p| p.key == "cross-region").unwrap().service;
    let d = complete(&p, &Service { official: Pattern::Threadpool, ..far }).unwrap();
    assert_eq!(d.today().capped_by, Limit::Pool);
    assert!(d.verdict()[0].contains("a plain def endpoint (the framework's 40 threads) does not: the thread pool caps it"), "{:?}", d.verdict());
    assert!(!d.verdict().iter().any(|v| v.starts_with("A pool of")), "{:?}", d.verdict());
    // A job has no framework: a def endpoint is refused with a reason.
    let (c, notes) = Service { official: Pattern::Threadpool, web_server: false, ..lookup }.clamped();
    assert_eq!(c.official, Pattern::Executor);
    assert!(notes[0].contains("without a web framework"), "{notes:?}");
}

/// The first sentence follows the two outcomes, whatever the service; the smallest pool is the first on the ladder that meets everything.
#[test]
fn verdict_follows_the_outcomes() {
    let p = Params::default();
    let base = presets()[1].service;
    let services = [
        Service { load: Load::Rate(20_000.0), ..base },
        Service { rtt_ms: 20.0, load: Load::Rate(2_000.0), target_p99_ms: 30.0, ..base },
        Service { rtt_ms: 5.0, load: Load::InFlight(2_000), target_p99_ms: 1.0, ..base },
        Service { pod_limit_mib: 24.0, load: Load::InFlight(5_000), ..base },
        Service { background_threads: 1, load: Load::Rate(3_000.0), target_p99_ms: 2.0, ..base },
    ];
    for s in services {
        let d = complete(&p, &s).unwrap();
        let v = d.verdict();
        let first = match (meets(&d, Pattern::Executor), meets(&d, Pattern::Tokio)) {
            (true, true) => "Switching gains nothing",
            (false, true) => "aerospike-py's async client meets",
            (true, false) => "Stay with the executor",
            (false, false) => "Neither meets",
        };
        assert!(v[0].starts_with(first), "{s:?}: {v:?}");
        if let Some(Some(o)) = d.smallest_pool() {
            assert!(o.meets(&s).unwrap());
            assert!(d.pools.iter().take_while(|q| q.pool < o.pool).all(|q| !q.meets(&s).unwrap()));
        }
        // Memory over the pod limit is named as what binds.
        if s.pod_limit_mib == 24.0 {
            assert_eq!(d.get(Pattern::Tokio).binds(&s), Some(Limit::Memory), "{v:?}");
        }
    }
}

/// Bounded work: at most one simulation per pattern and per pool size, each a bounded short run.
#[test]
fn work_is_bounded() {
    let p = Params::default();
    for pr in presets() {
        let d = service_data(&p, &pr.service).unwrap();
        assert!(d.jobs().len() <= charts::service::SHOWN.len() + POOLS.len());
        let done = complete(&p, &pr.service).unwrap();
        assert!(done.is_complete());
        let events: u64 = done.patterns.iter().chain(&done.pools).filter_map(|o| o.sim).map(|a| a.events).sum();
        // 15 runs of at most 50,000 requests and a 50,000 warm-up, ≤ 16 events each (perfmodel/tests/work.rs).
        assert!(events < 15 * 100_000 * 16, "{}: {events}", pr.key);
    }
}

#[test]
fn bad_input_is_clamped_with_a_reason() {
    let s = Service {
        rtt_ms: f64::NAN,
        server_ms: 9_000.0,
        load: Load::Rate(-3.0),
        cores: 0.0,
        workers: 0,
        node_cpus: 99_999,
        pool: Some(0),
        python_ms: 1e9,
        offload_ms: -5.0,
        offload_gil_share: 3.0,
        web_server: false,
        official: Pattern::Threadpool,
        background_threads: 400,
        pod_limit_mib: 1.0,
        target_p99_ms: 0.0,
        objective: charts::service::Objective::Target,
        python: perfmodel::scenario::Python::Gil,
        machine: perfmodel::machine::Machine::Lab,
        calls: perfmodel::batch::Calls {
            gets: 99,
            batch: Some(perfmodel::batch::Batch { keys: 9_000, nodes: 0, found: 2.0, fan_out: perfmodel::batch::FanOut::Series }),
            batches: 99,
            gather: false,
        },
    };
    let (c, notes) = s.clamped();
    assert!(notes.len() >= 17, "{notes:?}");
    assert_eq!((c.offload_ms, c.offload_gil_share), (0.0, 1.0));
    assert!(notes.iter().any(|n| n.contains("without a web framework")), "{notes:?}");
    assert_eq!((c.cores, c.workers, c.official), (0.25, 1, Pattern::Executor));
    let b = c.calls.batch.unwrap();
    assert_eq!((c.calls.gets, b.keys, b.nodes, b.found), (16, 5_000, 1, 1.0));
    assert!(complete(&Params::default(), &c).is_ok());
    assert_eq!(c.load, Load::Rate(1.0));
    assert!(c.io_wait_ms() <= 10_000.0);
}

/// The form's edits: numbers by key, clamped or refused with a reason; the load's two forms convert by Little's law; presets and round trips.
#[test]
fn form_edits() {
    use charts::service::{start, Edit};
    let s = start();
    let (t, notes) = s.edit(&Edit::Number("rtt".into(), "87".into()));
    assert_eq!((t.rtt_ms, notes.len()), (87.0, 0));
    let (t, notes) = s.edit(&Edit::Number("cores".into(), "999".into()));
    assert_eq!((t.cores, notes.len()), (256.0, 1), "{notes:?}");
    let (t, notes) = s.edit(&Edit::Number("target".into(), "soon".into()));
    assert_eq!((t, notes.len()), (s, 1));
    // 1,000/s at 0.35 ms of I/O and 0.05 ms of Python: 0.4 in flight, at least 1; and back.
    let (t, _) = s.edit(&Edit::ByRate(false));
    assert_eq!(t.load, Load::InFlight(1));
    let (u, _) = t.edit(&Edit::Number("load".into(), "400".into()));
    assert_eq!(u.load, Load::InFlight(400));
    let (v, _) = u.edit(&Edit::ByRate(true));
    assert_eq!(v.load, Load::Rate(1_000_000.0), "400 in flight at 0.4 ms is a million per second: clamped to the top of the range");
    let (t, _) = s.edit(&Edit::DefaultPool(false));
    assert_eq!(t.pool, Some(20));
    assert_eq!(t.edit(&Edit::DefaultPool(true)).0.pool, None);
    assert_eq!(s.edit(&Edit::Preset("cross-region".into())).0.rtt_ms, 87.0);
    assert_eq!(s.edit(&Edit::Preset("nope".into())).1.len(), 1);
    // The form carries every field with its value, and marks the example it is.
    let html = s.form_html("u");
    for f in charts::service::FIELDS {
        assert!(html.contains(&format!("data-key=\"{}\"", f.key)), "{}", f.key);
    }
    assert!(html.contains("data-testid=\"svc-front\"") && html.contains("<option value=\"fastapi\" selected>"), "{html}");
    // What sits in front of the handler: a web server unless the reader says none.
    assert!(s.web_server);
    let (t, notes) = s.edit(&Edit::Server("none".into()));
    assert_eq!((t.web_server, notes.len()), (false, 0));
    assert!(t.edit(&Edit::Server("fastapi".into())).0.web_server);
    assert_eq!(s.edit(&Edit::Server("nginx".into())).1.len(), 1);
    assert!(html.contains("data-preset=\"lookup-api\" data-testid=\"svc-preset-lookup-api\" title=\"a FastAPI service doing one read per request, 1,000 requests/s, in a 2-core pod on a 16-CPU node\" aria-pressed=\"true\""));
}

/// A web server in front costs each pattern the lab's measured work per
/// request on the loop: every capacity is lower with it, and a job or
/// benchmark has none in front.
#[test]
fn a_web_server_in_front_costs_capacity() {
    let p = Params::default();
    let served = charts::service::start();
    let bare = Service { web_server: false, ..served };
    let (a, b) = (complete(&p, &served).unwrap(), complete(&p, &bare).unwrap());
    for pattern in [Pattern::Sync, Pattern::Executor, Pattern::Tokio] {
        assert!(
            a.get(pattern).capacity < b.get(pattern).capacity,
            "{pattern:?}: {} with the server, {} without",
            a.get(pattern).capacity,
            b.get(pattern).capacity
        );
    }
    for key in ["benchmark", "fan-out"] {
        assert!(!presets().into_iter().find(|x| x.key == key).unwrap().service.web_server, "{key}");
    }
}

/// K worker processes are K services at their share of the load and of the
/// quota: capacity, threads and memory K times one's, the same tail. Exact
/// for one calling thread and the executor; Tokio's default worker count
/// reads the pod's quota, not a worker's share, so it is not the same there.
#[test]
fn workers_are_processes_at_their_share() {
    let p = Params::default();
    let base = presets().into_iter().find(|p| p.key == "lookup-api").unwrap().service;
    let one = Service { cores: 1.0, load: Load::Rate(1_000.0), ..base };
    let four = Service { cores: 4.0, workers: 4, load: Load::Rate(4_000.0), ..base };
    let (a, b) = (complete(&p, &one).unwrap(), complete(&p, &four).unwrap());
    for pattern in [Pattern::Sync, Pattern::Executor] {
        let (x, y) = (a.get(pattern), b.get(pattern));
        assert!((y.capacity - 4.0 * x.capacity).abs() <= 1e-9 * y.capacity, "{pattern:?}: {} {}", x.capacity, y.capacity);
        assert!((y.resident_mib - 4.0 * x.resident_mib).abs() <= 1e-9 * y.resident_mib, "{pattern:?}");
        assert_eq!((y.threads, y.capped_by, y.sim.map(|s| s.p99_ms)), (4 * x.threads, x.capped_by, x.sim.map(|s| s.p99_ms)));
    }
    assert!(b.summary().contains("over 4 worker processes"), "{}", b.summary());
}

/// A rate above every capacity: the verdict names a larger service, and
/// that service carries the rate below 80% of its capacity on the model.
#[test]
fn a_rate_over_capacity_names_a_service_that_carries_it() {
    let p = Params::default();
    let base = presets().into_iter().find(|p| p.key == "lookup-api").unwrap().service;
    for (rate, workers, cores) in [(20_000.0, 1, 2.0), (60_000.0, 1, 2.0), (30_000.0, 4, 2.0), (5e5, 1, 1.0)] {
        let s = Service { load: Load::Rate(rate), workers, cores, ..base };
        let d = complete(&p, &s).unwrap();
        assert!(d.get(Pattern::Executor).capacity.max(d.get(Pattern::Tokio).capacity) < rate);
        let v = d.verdict().join(" ");
        match d.grown.expect("asked: the rate is above every capacity") {
            Some(g) => {
                let bigger = Service { workers: g.workers, cores: g.cores, ..s };
                let e = complete(&p, &bigger).unwrap();
                let cap = e.get(g.pattern).capacity;
                assert!((cap - g.capacity).abs() <= 1e-9 * cap && cap * 0.8 >= rate, "{rate}: {g:?} {cap}");
                assert!(v.contains(&charts::format::number(g.capacity)), "{v}");
                assert!(g.workers > workers || g.cores > cores, "{g:?}");
            }
            None => assert!(v.contains("the load needs several pods"), "{v}"),
        }
    }
}

/// The capacity chart draws what the table says: one bar per pattern at its
/// capacity, the reader's rate as a line (or each pattern's rate at the
/// requests in flight as a mark), and its words name who the load fits under.
#[test]
fn capacity_chart_reads_the_outcomes() {
    use charts::service::{draw_capacity, start};
    use plotters::prelude::*;
    let p = Params::default();
    let d = service_data(&p, &start()).unwrap();
    let c = d.capacity();
    // Behind a web server, a plain def endpoint's bar between the executor's and aerospike-py's; without one, none.
    assert_eq!(c.bars.iter().map(|b| b.pattern).collect::<Vec<_>>(), charts::service::SHOWN);
    let job = service_data(&p, &Service { web_server: false, ..start() }).unwrap().capacity();
    assert_eq!(job.bars.iter().map(|b| b.pattern).collect::<Vec<_>>(), Pattern::COMPARED);
    for (b, o) in c.bars.iter().zip(&d.patterns) {
        assert_eq!(b.capacity, o.capacity);
    }
    let words = c.summary();
    for b in &c.bars {
        assert!(words.contains(&charts::format::number(b.capacity)), "{words}");
    }
    // A rate between the sync pattern's capacity and the others' lies under two bars and over one.
    let sync = d.get(Pattern::Sync).capacity;
    let best = d.get(Pattern::Executor).capacity.min(d.get(Pattern::Tokio).capacity);
    assert!(best > 1.2 * sync, "the example's async capacities ({best}) are above sync's ({sync})");
    let between = Service { load: Load::Rate(0.5 * (sync + best)), ..start() };
    let words = service_data(&p, &between).unwrap().capacity().summary();
    assert!(words.contains("under the capacity of the executor") && words.contains("over that of Sync"), "{words}");
    let over = Service { load: Load::Rate(2.0 * d.get(Pattern::Tokio).capacity.max(d.get(Pattern::Executor).capacity)), ..start() };
    assert!(service_data(&p, &over).unwrap().capacity().summary().contains("over every capacity"));
    // Requests in flight: each bar carries its rate at that load, no line.
    let closed = service_data(&p, &Service { load: Load::InFlight(50), ..start() }).unwrap();
    let cc = closed.capacity();
    assert!(cc.bars.iter().all(|b| b.at_load.is_some_and(|v| v > 0.0 && v <= b.capacity * 1.0001)), "{cc:?}");
    assert!(cc.summary().contains("With your 50 requests in flight"), "{}", cc.summary());
    // Drawn: three bars (fill rectangles) and, for a rate, the load's line; the SVG holds every bar's name.
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 220)).into_drawing_area();
        draw_capacity(&root, &service_data(&p, &between).unwrap().capacity(), &charts::Theme::LIGHT, 1.0).unwrap();
    }
    for name in ["Sync", "Executor, ", "Threadpool, 40 threads", "Tokio", "your load"] {
        assert!(svg.contains(name), "{name} missing from the chart");
    }
    assert!(svg.contains("<polyline") || svg.contains("<line"), "the load's line is drawn");
}

/// The objective the reader picks decides the verdict: throughput alone
/// compares what each sustains, "the most within the target" each pattern's
/// highest rung whose simulated p99 is within it; only the target at the
/// load asks the bigger pools.
#[test]
fn the_objective_decides_the_verdict() {
    use charts::service::{Objective, MOST, SHOWN};
    let p = Params::default();
    let lookup = presets().into_iter().find(|p| p.key == "lookup-api").unwrap().service;
    // Throughput alone, at a rate: both capacities named, no pool run, no pool table.
    let t = complete(&p, &Service { objective: Objective::Throughput, ..lookup }).unwrap();
    let v = t.verdict();
    assert!(v[0].starts_with("For throughput alone, aerospike-py's async client sustains up to"), "{v:?}");
    for o in [t.today(), t.get(Pattern::Tokio)] {
        assert!(v[0].contains(&charts::format::number(o.capacity)), "{v:?}");
    }
    assert!(v[1].starts_with("Both carry your 1,000 requests/s"), "{v:?}");
    assert!(t.pools.iter().all(|o| o.sim.is_none()) && !t.tables_html().contains("service-pools"));
    // The most within the target: each of today's way and aerospike-py on six rungs, the answer the highest within it.
    let m = complete(&p, &Service { objective: Objective::Most, ..lookup }).unwrap();
    assert_eq!(m.most.len(), 2 * MOST.len());
    assert!(m.jobs().len() <= SHOWN.len() + 2 * MOST.len());
    for pattern in [Pattern::Executor, Pattern::Tokio] {
        let best = m.most_within(pattern).expect("simulated").expect("the lookup API meets 10 ms at half its capacity");
        assert!(best.sim.unwrap().p99_ms <= lookup.target_p99_ms);
        for r in m.most.iter().filter(|r| r.pattern == pattern && r.share > best.share) {
            assert!(r.sim.unwrap().p99_ms > lookup.target_p99_ms, "{r:?} above {best:?}");
        }
        assert!(m.verdict()[0].contains(&charts::format::number(best.rate)), "{:?}", m.verdict());
    }
    assert!(m.verdict()[0].starts_with("Within p99 ≤ 10.0 ms, aerospike-py's async client carries up to"), "{:?}", m.verdict());
    assert!(m.tables_html().contains("Most requests/s within the target"));
    // The target at the load: the pools are run as before.
    let d = complete(&p, &lookup).unwrap();
    assert!(d.most.is_empty() && d.pools.iter().any(|o| o.sim.is_some()));
}

/// Cores used at the load: the rate times each request's CPU (GIL-held or
/// not), within the quota for every pattern that carries the load.
#[test]
fn cores_used_at_the_load() {
    let p = Params::default();
    let lookup = presets().into_iter().find(|p| p.key == "lookup-api").unwrap().service;
    let d = service_data(&p, &lookup).unwrap();
    for o in d.patterns.iter().filter(|o| o.in_flight.is_some()) {
        let s = perfmodel::Scenario { arrival_rate: Some(1_000.0), ..lookup.scenario() };
        let t = perfmodel::pattern::totals(&perfmodel::pattern::steps(o.pattern, &p, &s));
        let want = 1_000.0 * (t.gil_us() + t.cpu_us) / 1e6;
        assert!((o.cores_used - want).abs() <= 1e-9 * want, "{:?}: {} vs {want}", o.pattern, o.cores_used);
        assert!(o.cores_used <= lookup.cores, "{:?}", o.pattern);
        // The web server's measured work is in it: at least 1,000 × its cost.
        assert!(o.cores_used >= 1_000.0 * p.http_server_us / 1e6);
    }
}

/// Work awaited on the executor's pool: a 21 ms inference (aerospike-py's
/// production note's) on the loop caps both async patterns near 1,000 ÷ 21
/// requests/s per process; moved to the pool with its GIL share near 0 it
/// no longer does, and the form takes both values by key.
#[test]
fn offloaded_work_in_the_form_and_the_outcome() {
    use charts::service::Edit;
    let p = Params::default();
    let lookup = presets().into_iter().find(|p| p.key == "lookup-api").unwrap().service;
    let on_loop = Service { python_ms: 21.0, load: Load::Rate(30.0), ..lookup };
    let (moved, notes) = on_loop.edit(&Edit::Number("offload".into(), "21".into()));
    assert!(notes.is_empty(), "{notes:?}");
    let (moved, _) = Service { python_ms: 0.0, ..moved }.edit(&Edit::Number("offload-gil".into(), "0.05".into()));
    assert_eq!((moved.offload_ms, moved.offload_gil_share), (21.0, 0.05));
    let (a, b) = (service_data(&p, &on_loop).unwrap(), service_data(&p, &moved).unwrap());
    for pattern in [Pattern::Executor, Pattern::Tokio] {
        assert!(a.get(pattern).capacity < 1e3 / 21.0, "{pattern:?}: {}", a.get(pattern).capacity);
        assert!(b.get(pattern).capacity > 1.5 * a.get(pattern).capacity, "{pattern:?}: {} -> {}", a.get(pattern).capacity, b.get(pattern).capacity);
    }
    let (c, notes) = Service { offload_gil_share: 2.0, ..moved }.clamped();
    assert_eq!(c.offload_gil_share, 1.0);
    assert_eq!(notes.len(), 1, "{notes:?}");
}

/// Gets awaited together: the form and the link carry the choice, the
/// request waits for the slowest get instead of all of them, and where
/// today's way blocks (a def endpoint) the verdict says it makes them in turn.
#[test]
fn gathered_gets_in_the_form_and_the_verdict() {
    use charts::service::Edit;
    let p = Params::default();
    let lookup = presets().into_iter().find(|p| p.key == "lookup-api").unwrap().service;
    let series = Service { calls: perfmodel::batch::Calls { gets: 4, ..lookup.calls }, load: Load::Rate(200.0), ..lookup };
    let (gathered, notes) = series.edit(&Edit::Gather("gather".into()));
    assert!(notes.is_empty() && gathered.calls.gather, "{notes:?}");
    assert!(series.edit(&Edit::Gather("both".into())).1[0].contains("no way to await"));
    let (a, b) = (complete(&p, &series).unwrap(), complete(&p, &gathered).unwrap());
    let io = series.io_wait_ms();
    for pattern in [Pattern::Executor, Pattern::Tokio] {
        let (sa, sb) = (a.get(pattern).sim.unwrap(), b.get(pattern).sim.unwrap());
        assert!(sa.p50_ms - sb.p50_ms > 2.0 * io, "{pattern:?}: p50 {} ms in series, {} ms gathered", sa.p50_ms, sb.p50_ms);
    }
    assert!(!b.verdict().iter().any(|v| v.contains("cannot await")), "{:?}", b.verdict());
    let def = Service { official: Pattern::Threadpool, ..gathered };
    let d = complete(&p, &def).unwrap();
    assert!(
        d.verdict().iter().any(|v| v.starts_with(
            "Today's way, a plain def endpoint (the framework's 40 threads), cannot await its calls together: it makes the 4 one after another"
        )),
        "{:?}",
        d.verdict()
    );
    assert_eq!(d.today().sim.unwrap().p50_ms.round(), a.get(Pattern::Threadpool).sim.unwrap().p50_ms.round());
}
