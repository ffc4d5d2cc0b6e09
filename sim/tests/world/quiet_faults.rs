//! Faults at the edges: never forced where the run is quiet, no hiding of a deadlock, a
//! probability of NaN.

use std::time::Duration;

use genserver::Timeout;
use genserver_sim::{FailureKind, Restart};
use genserver_traces::EventKind;

use crate::probe::{Probe, Req};
use crate::servers::{Ask, Keeper, Mode, lines};
use crate::{Custom, passing_runs, traced};

#[test]
fn a_fault_is_never_forced_at_a_quiet_point_and_time_still_advances() {
    let system = Custom {
        name: "quiet-crash",
        build: |w| {
            let p = w.spawn_with::<Probe>("probe", || (None, None));
            let mut ask = Ask::new(p, Req::Echo("x"), "x");
            ask.sleep = Some(Duration::from_secs(1));
            w.client("client", ask.client());
            w.crashable(p, Restart::Never);
            w.faults().budget = 1;
            w.faults().probability = 0.0;
        },
    };
    for (seed, report) in passing_runs(50, &system) {
        assert!(lines(&report, EventKind::Crash).is_empty(), "seed {seed}");
    }
}

#[test]
fn a_deadlock_is_reported_even_when_a_fault_could_still_happen() {
    let system = Custom {
        name: "deadlock-with-faults",
        build: |w| {
            let keeper = w.spawn::<Keeper>("keeper", Mode::Keep);
            let mut ask = Ask::new(keeper, (), "never");
            ask.timeout = Timeout::Infinity;
            w.client("client", ask.client());
            w.crashable(keeper, Restart::AtOnce);
            w.faults().budget = 1;
            w.faults().probability = 0.0;
        },
    };
    for seed in 0..20 {
        let failure = traced(&system, seed).failure().cloned();
        let failure = failure.expect("a deadlock");
        assert_eq!(
            failure.kind,
            FailureKind::Deadlock,
            "seed {seed}: {failure}"
        );
    }
}

#[test]
fn a_fault_probability_of_nan_counts_as_zero() {
    let system = Custom {
        name: "nan",
        build: |w| {
            let p = w.spawn_with::<Probe>("probe", || (None, None));
            w.client("client", Ask::new(p, Req::Echo("x"), "x").client());
            *w.faults() = genserver_sim::Faults {
                drop: true,
                budget: 1,
                probability: f64::NAN,
                ..genserver_sim::Faults::none()
            };
        },
    };
    for (seed, report) in passing_runs(20, &system) {
        assert!(lines(&report, EventKind::Drop).is_empty(), "seed {seed}");
    }
}
