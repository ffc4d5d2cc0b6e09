//! What a system gets wrong is refused or fails clearly: two processes of one name, a request
//! of the wrong type, calls to the dead counted as steps.

use genserver::{ServerRef, Timeout};
use genserver_sim::Verdict;
use genserver_traces::EventKind;

use crate::probe::Probe;
use crate::servers::{Ask, Keeper, Mode, lines};
use crate::{Custom, traced};

/// Calls made by the retrier, counted across runs of one test.
static RETRIES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

#[test]
fn calls_that_fail_at_once_count_as_steps_and_are_traced() {
    use std::sync::atomic::Ordering::SeqCst;
    let system = Custom {
        name: "retry-the-dead",
        build: |w| {
            let dead = w.spawn::<Keeper>("dead", Mode::Dead);
            // Calls its server again and again (at most 200 000 times) whatever the outcome.
            w.client("retrier", async move |cx| {
                while RETRIES.fetch_add(1, SeqCst) < 200_000 {
                    let _ = cx.call(dead, ()).await;
                }
                Ok(())
            });
        },
    };
    for max_steps in [1, 100] {
        RETRIES.store(0, SeqCst);
        let report = genserver_sim::run(&system, 0, max_steps, true);
        assert_eq!(report.verdict, Verdict::StepLimit, "max {max_steps}");
        let calls = RETRIES.load(SeqCst);
        assert!(calls <= max_steps + 1, "max {max_steps}: {calls} calls");
        let failed = lines(&report, EventKind::Reply);
        assert_eq!(
            failed.first().map(String::as_str),
            Some("retrier → retrier: call to dead failed at once: no such process"),
            "{failed:?}"
        );
    }
}

#[test]
#[should_panic(expected = "two processes are named \"c\"")]
fn two_clients_with_one_name_are_refused() {
    traced(
        &Custom {
            name: "twins",
            build: |w| {
                let keeper = w.spawn::<Keeper>("keeper", Mode::Keep);
                w.client("c", Ask::new(keeper, (), "x").client());
                w.client("c", Ask::new(keeper, (), "x").client());
            },
        },
        0,
    );
}

#[test]
#[should_panic(expected = "two processes are named \"k\"")]
fn a_server_named_like_another_process_is_refused() {
    traced(
        &Custom {
            name: "twins",
            build: |w| {
                let keeper = w.spawn::<Keeper>("k", Mode::Keep);
                w.client("k", Ask::new(keeper, (), "x").client());
                w.spawn::<Keeper>("k", Mode::Keep);
            },
        },
        0,
    );
}

#[test]
fn a_call_request_of_the_wrong_type_fails_the_caller_at_once() {
    let system = Custom {
        name: "wrong-type",
        build: |w| {
            let probe = w.spawn::<Probe>("probe", (None, None));
            // A hand-made address that wrongly claims the probe is a keeper.
            let wrong = ServerRef::<Keeper>::new(probe.id());
            let mut ask = Ask::new(
                wrong,
                (),
                "error: server exited: panic: handle_call: request of the wrong type: ()",
            );
            ask.timeout = Timeout::Infinity;
            w.client("client", ask.client());
        },
    };
    for seed in 0..5 {
        let report = traced(&system, seed);
        let failure = report
            .failure()
            .expect("the receiver's panic is a failure")
            .to_string();
        assert!(
            failure.contains("request of the wrong type"),
            "seed {seed}: {failure}"
        );
        // The caller is answered at once, in the same step, not left waiting for ever.
        assert_eq!(
            lines(&report, EventKind::Reply),
            [
                "probe → client: reply #1 Err(server exited: panic: handle_call: request of the wrong type: ())"
            ],
            "seed {seed}"
        );
    }
}
