//! Call, reply, timer and failure rules, each shown on a tiny system.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use genserver::Timeout;
use genserver_sim::{FailureKind, Verdict};
use genserver_traces::EventKind;

use crate::probe::{D, Probe, Req, TERMINATED, caller, calling, caster, passes};
use crate::{Custom, has_event, traced};

#[test]
fn a_server_calling_itself_gets_calling_self_at_once() {
    passes(&Custom {
        name: "self",
        build: |w| {
            let p = w.spawn_with::<Probe>("probe", || (None, None));
            caller(
                w,
                p,
                vec![(Req::CallSelf, D, "error: a server cannot call itself")],
            );
        },
    });
}

#[test]
fn calling_a_dead_server_fails_at_once_with_no_process() {
    let system = Custom {
        name: "dead-2",
        build: |w| {
            let dead = w.spawn_with::<Probe>("dead", || (None, None));
            let p = w.spawn_with::<Probe>("probe", move || (Some(dead), None));
            w.client("first", calling(dead, vec![(Req::StopWithReply, D, "bye")]));
            w.client("second", calling(p, vec![(Req::CallOther, D, "other")]));
        },
    };
    let mut no_process = false;
    for seed in 0..100 {
        let report = traced(&system, seed);
        if has_event(&report, EventKind::Reply, "failed at once: no such process") {
            no_process = true;
            let failure = report
                .failure()
                .expect("the second client expected a reply");
            assert!(
                failure.message.contains("error: no such process"),
                "{failure}"
            );
        }
    }
    assert!(no_process, "some order calls the server after it stopped");
}

#[test]
fn a_dropped_token_fails_the_call_and_a_stop_sends_its_reply() {
    passes(&Custom {
        name: "tokens",
        build: |w| {
            let p = w.spawn_with::<Probe>("probe", || (None, None));
            let calls = vec![
                (
                    Req::Drop,
                    D,
                    "error: the server dropped the request without replying",
                ),
                (Req::StopWithReply, D, "bye"),
                (Req::Echo("x"), D, "error: no such process"),
            ];
            caller(w, p, calls);
        },
    });
}

#[test]
fn a_late_reply_is_discarded_and_never_reaches_a_later_call() {
    let system = Custom {
        name: "late",
        build: |w| {
            let p = w.spawn_with::<Probe>("probe", || (None, None));
            let calls = vec![
                (
                    Req::ReplyAfter(Duration::from_secs(2)),
                    Timeout::millis(1500),
                    "error: call timed out",
                ),
                (Req::Echo("fresh"), D, "fresh"),
            ];
            caller(w, p, calls);
        },
    };
    passes(&system);
    let report = traced(&system, 0);
    assert!(has_event(&report, EventKind::Timeout, "call #1 timed out"));
    assert!(has_event(
        &report,
        EventKind::Discard,
        "reply #1 Ok(\"late\") (the caller no longer waits)"
    ));
}

#[test]
fn a_panicking_handler_stops_the_server_runs_terminate_and_fails_the_run() {
    let system = Custom {
        name: "panic",
        build: |w| {
            let p =
                w.spawn_with::<Probe>("probe", || (None, Some(Arc::new(AtomicBool::new(false)))));
            caller(w, p, vec![(Req::Panic, D, "never")]);
        },
    };
    let report = traced(&system, 0);
    let failure = report.failure().expect("a panic is a failure");
    assert_eq!(failure.kind, FailureKind::Panic);
    assert_eq!(failure.process.as_deref(), Some("probe"));
    assert!(failure.message.contains("handle_call: boom"), "{failure}");
    assert!(has_event(
        &report,
        EventKind::Reply,
        "Err(server exited: panic: handle_call: boom)"
    ));
    assert!(has_event(
        &report,
        EventKind::Stop,
        "panic: handle_call: boom"
    ));
    assert!(TERMINATED.load(Ordering::SeqCst), "terminate ran");
}

const CAST_DEAD: Custom = Custom {
    name: "cast-dead",
    build: |w| {
        let p = w.spawn_with::<Probe>("probe", || (None, None));
        let calls = vec![(Req::StopWithReply, D, "bye")];
        w.client("stopper", calling(p, calls));
        w.client("caster", caster(p));
    },
};

#[test]
fn casts_to_dead_servers_are_dropped_and_traced() {
    let (mut at_send, mut queued) = (false, false);
    for seed in 0..100 {
        let report = traced(&CAST_DEAD, seed);
        assert_eq!(report.verdict, Verdict::Pass);
        at_send |= has_event(&report, EventKind::Drop, "cast \"hello\" (no such process)");
        queued |= has_event(&report, EventKind::Drop, "(the receiver exited)");
    }
    assert!(
        at_send && queued,
        "casts sent after the stop and casts queued at the stop"
    );
}

#[test]
fn continue_runs_before_queued_messages_and_timers_follow_virtual_time() {
    let system = Custom {
        name: "continue",
        build: |w| {
            let p = w.spawn_with::<Probe>("probe", || (None, None));
            w.client("caster", caster(p));
            w.at_end("order", move |view| {
                let log = &view.state(p).unwrap().log;
                let casts: Vec<_> = log.iter().filter(|l| !l.starts_with('t')).collect();
                let want = [
                    "cast hello",
                    "continue hello",
                    "cast again",
                    "continue again",
                ];
                if casts != want {
                    return Err(format!("{log:?}"));
                }
                if !log.contains(&"tick".to_owned()) || log.contains(&"tock".to_owned()) {
                    return Err(format!("timers: {log:?}"));
                }
                if view.now() != Duration::from_secs(1) {
                    return Err(format!("time {:?}", view.now()));
                }
                Ok(())
            });
        },
    };
    passes(&system);
}

#[test]
fn a_call_cycle_with_infinite_timeouts_is_a_deadlock() {
    let report = traced(
        &Custom {
            name: "hold",
            build: |w| {
                let p = w.spawn_with::<Probe>("probe", || (None, None));
                caller(w, p, vec![(Req::Hold, Timeout::Infinity, "never")]);
            },
        },
        0,
    );
    let failure = report.failure().expect("deadlock");
    assert_eq!(failure.kind, FailureKind::Deadlock);
    assert!(
        failure.message.contains("client client waits for probe"),
        "{failure}"
    );
}
