//! Latency and the opt-in faults: drop, delay, crash (with and without restart).

use std::time::Duration;

use genserver_sim::{FailureKind, Faults, Restart, Verdict};
use genserver_traces::EventKind;

use crate::probe::{D, Probe, Req, caller, caster};
use crate::{Custom, events, has_event, traced};

#[test]
fn latency_delays_every_message() {
    let system = Custom {
        name: "latency",
        build: |w| {
            w.set_latency(Duration::from_millis(10));
            let p = w.spawn_with::<Probe>("probe", || (None, None));
            caller(w, p, vec![(Req::Echo("x"), D, "x")]);
        },
    };
    let report = traced(&system, 0);
    assert_eq!(report.verdict, Verdict::Pass);
    let at = |text: &str| {
        let event = events(&report)
            .iter()
            .find(|e| e.kind == EventKind::Deliver && e.message.contains(text))
            .unwrap();
        event.time_ns
    };
    assert_eq!(at("call #1"), 10_000_000);
    assert_eq!(at("reply #1"), 20_000_000);
}

#[test]
fn a_dropped_message_is_traced_and_never_delivered() {
    let system = Custom {
        name: "drop",
        build: |w| {
            let p = w.spawn_with::<Probe>("probe", || (None, None));
            w.client("caster", caster(p));
            *w.faults() = Faults {
                drop: true,
                budget: 1,
                probability: 1.0,
                ..Faults::none()
            };
        },
    };
    let report = traced(&system, 0);
    assert!(has_event(&report, EventKind::Drop, "(fault)"));
    let choices = report.trace.as_ref().unwrap().schedule().join("\n");
    assert!(
        choices.contains("drop cast #1 caster → probe: \"hello\""),
        "{choices}"
    );
    assert!(!has_event(&report, EventKind::Deliver, "hello"));
}

#[test]
fn delays_are_recorded_in_the_schedule() {
    let system = Custom {
        name: "delay",
        build: |w| {
            let p = w.spawn_with::<Probe>("probe", || (None, None));
            caller(w, p, vec![(Req::Echo("x"), D, "x")]);
            let faults = w.faults();
            faults.delay = Some(Duration::from_millis(300));
            faults.budget = 1;
            faults.probability = 1.0;
        },
    };
    let report = traced(&system, 0);
    assert_eq!(report.verdict, Verdict::Pass);
    let schedule = report.trace.as_ref().unwrap().schedule().join("\n");
    assert!(
        schedule.contains("delay call Echo #1 client → probe by 300ms: Echo(\"x\")"),
        "{schedule}"
    );
}

#[test]
fn a_crash_without_restart_fails_calls_at_once() {
    let system = Custom {
        name: "crash",
        build: |w| {
            let p = w.spawn_with::<Probe>("probe", || (None, None));
            caller(w, p, vec![(Req::Echo("x"), D, "x")]);
            w.crashable(p, Restart::Never);
            w.faults().budget = 1;
            w.faults().probability = 0.5;
        },
    };
    let (mut refused, mut exited, mut passed) = (false, false, false);
    for seed in 0..60 {
        let report = traced(&system, seed);
        match report.failure() {
            None => passed = true,
            Some(failure) => {
                assert_eq!(failure.kind, FailureKind::Expectation);
                assert!(has_event(&report, EventKind::Crash, "killed by fault"));
                refused |= failure.message.contains("error: no such process");
                exited |= failure
                    .message
                    .contains("error: server exited: error: killed by fault");
            }
        }
    }
    assert!(refused && exited && passed, "{refused} {exited} {passed}");
}

#[test]
fn a_crash_with_restart_runs_init_again() {
    let system = Custom {
        name: "restart",
        build: |w| {
            let p = w.spawn_with::<Probe>("probe", || (None, None));
            caller(
                w,
                p,
                vec![(Req::Echo("x"), D, "x"), (Req::Echo("y"), D, "y")],
            );
            w.crashable(p, Restart::AtOnce);
            w.faults().budget = 1;
            w.faults().probability = 1.0;
        },
    };
    let report = traced(&system, 0);
    assert!(has_event(&report, EventKind::Crash, "killed by fault"));
    assert!(has_event(&report, EventKind::Restart, "init"));
}
