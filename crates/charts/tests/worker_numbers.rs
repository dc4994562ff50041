//! Every staged figure's jobs and answers cross to and from a Web Worker as numbers and come back the same; its input crosses as JSON; wrong shapes are refused.

use charts::burst::{BurstData, BurstInput};
use charts::cards::CardsData;
use charts::conditions::{cell_order, CellAnswer, ConditionsData, ConditionsInput, Metric};
use charts::flow::{FlowData, FlowInput};
use charts::gil::GilTimelineData;
use charts::latency::LatencyData;
use charts::open_load::{OpenData, OpenInput, OpenJob, OpenResult};
use charts::pools::{PoolJob, PoolsData};
use charts::service::{presets, Job, Load, Service, ServiceData};
use charts::stages::{complete, from_numbers, to_numbers, Staged};
use charts::throughput::PercentilesAt;
use perfmodel::{Params, Scenario};

/// Run `jobs` (or, without a list, every job) of `S` at `input`: each job and
/// its answer cross as numbers unchanged, and the input as JSON. The jobs checked.
fn round_trip<S: Staged>(input: &S::Input, pick: impl Fn(&[S::Job]) -> Vec<S::Job>) -> Vec<S::Answer>
where
    S::Job: PartialEq + std::fmt::Debug,
    S::Answer: PartialEq + std::fmt::Debug,
    S::Input: std::fmt::Debug,
{
    let p = Params::default();
    let back: S::Input = serde_json::from_str(&serde_json::to_string(input).unwrap()).unwrap();
    assert_eq!(&back, input, "{} input", S::NAME);
    let d = S::start(&p, input).unwrap();
    let jobs = pick(&d.jobs());
    assert!(!jobs.is_empty(), "{}: some job checked", S::NAME);
    jobs.into_iter()
        .map(|j| {
            assert_eq!(from_numbers::<S::Job>(&to_numbers(&j)), Some(j), "{} job", S::NAME);
            let a = d.run(&p, j).unwrap();
            assert_eq!(from_numbers::<S::Answer>(&to_numbers(&a)).as_ref(), Some(&a), "{} answer", S::NAME);
            a
        })
        .collect()
}

fn ends<T: Copy>(v: &[T]) -> Vec<T> {
    vec![v[0], v[v.len() - 1]]
}

#[test]
fn every_figures_jobs_and_answers_cross_unchanged() {
    let s = Scenario { concurrency: 20, ..Scenario::default() };
    // The p99 map: the first cells (simulated) and the last (extended past the simulated rows).
    let map = ConditionsInput { scenario: Scenario::default(), metric: Metric::P99 };
    let answers = round_trip::<ConditionsData>(&map, |j| j.iter().take(2).chain(j.iter().rev().take(2)).copied().collect());
    assert!(answers.iter().any(|a| matches!(a, CellAnswer::Simulated(_))) && answers.iter().any(|a| matches!(a, CellAnswer::Extended { .. })));
    assert_eq!(cell_order().len(), ConditionsData::start(&Params::default(), &map).unwrap().jobs().len());
    round_trip::<LatencyData>(&s, ends);
    round_trip::<CardsData>(&s, <[_]>::to_vec);
    round_trip::<PercentilesAt>(&s, <[_]>::to_vec);
    round_trip::<PoolsData>(&s, |j| vec![j[2], PoolJob::Tokio]);
    // Every open-load job, at a rate past the executor's capacity (a skipped closed loop among them) and with a timeout.
    let open = OpenInput { scenario: s, rate: 2_000.0, timeout_ms: 50.0 };
    let answers = round_trip::<OpenData>(&open, <[_]>::to_vec);
    assert!(answers.iter().any(|a| matches!(a.1, OpenResult::Point(q) if q.goodput.is_some())));
    // "Your service": every job at a closed load and at an arrival rate.
    for load in [Load::InFlight(40), Load::Rate(900.0)] {
        let svc = Service { load, ..presets()[0].service };
        round_trip::<ServiceData>(&svc, <[_]>::to_vec);
    }
    // The figures with nothing to show before their simulations: folded from
    // the answers that crossed, each is the figure computed whole.
    let p = Params::default();
    let mut gil = GilTimelineData::start(&p, &s).unwrap();
    for a in round_trip::<GilTimelineData>(&s, <[_]>::to_vec) {
        gil.fold(a);
    }
    assert!(gil.is_complete() && gil.patterns.iter().all(|t| !t.lanes.is_empty()));
    assert_eq!(gil, complete::<GilTimelineData>(&p, &s).unwrap());
    let input = BurstInput { scenario: s, k: 300 };
    let mut burst = BurstData::start(&p, &input).unwrap();
    assert!(!burst.is_complete(), "nothing before the simulation");
    for a in round_trip::<BurstData>(&input, <[_]>::to_vec) {
        burst.fold(a);
    }
    assert_eq!(burst, complete::<BurstData>(&p, &input).unwrap());
    for pattern in perfmodel::Pattern::COMPARED {
        let input = FlowInput { scenario: s, pattern };
        let mut flow = FlowData::start(&p, &input).unwrap();
        for a in round_trip::<FlowData>(&input, <[_]>::to_vec) {
            flow.fold(a);
        }
        assert!(flow.complete && !flow.legs.is_empty() && flow.legs.iter().all(|l| !l.what.is_empty()), "{pattern:?}");
        assert_eq!(flow, complete::<FlowData>(&p, &input).unwrap());
    }
}

#[test]
fn jobs_that_do_not_exist_are_refused() {
    assert_eq!(from_numbers::<OpenJob>(&to_numbers(&(0u32, perfmodel::Pattern::Sync, 99usize))), None, "no such point");
    assert_eq!(from_numbers::<Job>(&[1.0, 11.0]), None, "no such pool");
    assert_eq!(from_numbers::<(perfmodel::Pattern, u32)>(&[9.0, 1.0]), None, "no such pattern");
    assert_eq!(from_numbers::<CellAnswer>(&[1.0]), None, "a wrong shape");
    assert_eq!(from_numbers::<CellAnswer>(&[1.0, 1.0, 2.5]), None, "callers are whole");
}
