//! The machine profiles: each shipped speed is the fit the methodology page shows, recomputed from the shipped published report.

use std::path::Path;

use perfmodel::machine::{Machine, PROFILES};
use perfmodel::{Params, Pattern, Scenario};

fn env() -> mdbook_widgets::BookEnv {
    mdbook_widgets::BookEnv::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book"), String::new())
}

#[test]
fn the_darwin_profile_is_the_published_runs_fit() {
    let pb = mdbook_widgets::machines::published(&env()).expect("book/reports ships aerospike-py's published runs");
    assert!(pb.platform.contains("Darwin"), "{}", pb.platform);
    let fit = mdbook_widgets::machines::fit(&pb).expect("a physical fit");
    eprintln!("{fit:?}");
    let shipped = Machine::Darwin.profile().speed;
    assert!((shipped - fit.speed).abs() <= 0.0015, "the Darwin profile ships speed {shipped}; the published run gives {}", fit.speed);
    // One speed and one round trip explain all three one-caller latencies.
    assert!(fit.worst_error() <= 0.05, "worst miss {:.1}%: {fit:?}", fit.worst_error() * 100.0);
    assert!(fit.rtt_us > 0.0 && fit.speed < 1.0, "{fit:?}");
    // The profile's own number, as the provenance states it, is the fit's rounded.
    let prov = Machine::Darwin.profile().provenance;
    for (pattern, us) in &pb.one_caller {
        assert!(prov.contains(&format!("{us:.1} µs")), "{pattern:?}: the provenance should state {us:.1} µs: {prov}");
    }
}

#[test]
fn a_profile_scales_cpu_costs_and_nothing_else() {
    let p = Params::default();
    for pr in PROFILES {
        let q = pr.machine.costs(&p);
        for (a, b) in Params::describe().iter().zip(Params::describe()) {
            let (x, y) = (serde_json::to_value(p).unwrap()[a.name].as_f64().unwrap(), serde_json::to_value(q).unwrap()[b.name].as_f64().unwrap());
            let want = if a.unit == "µs" { x * pr.speed } else { x };
            assert!((y - want).abs() < 1e-9, "{}: {} on {}, want {want}", a.name, y, pr.key);
        }
    }
    // The lab is the default and leaves the model as measured.
    assert_eq!(Scenario::default().machine, Machine::Lab);
    assert_eq!(Machine::Lab.costs(&p), p);
    // A faster machine makes one caller's get faster in every pattern, and never changes memory.
    for pattern in Pattern::COMPARED {
        let at = |m| {
            perfmodel::predict(
                pattern,
                &p,
                &Scenario { machine: m, concurrency: 1, io_wait_ms: 0.0, ..Scenario::default() },
                perfmodel::Solver::Analytic,
                1,
            )
            .unwrap()
        };
        let (lab, darwin) = (at(Machine::Lab), at(Machine::Darwin));
        assert!(darwin.latency_ms.mean < lab.latency_ms.mean, "{pattern:?}: {} against {}", darwin.latency_ms.mean, lab.latency_ms.mean);
        assert_eq!(darwin.memory_mib, lab.memory_mib, "{pattern:?}");
    }
}
