//! Async clients in the simulator: calls in flight at once, failures, virtual sleep, dropped
//! calls, replay and exhaustive search.

use std::time::Duration;

use genserver::{CallError, CallResult, Ctx, ExitReason, GenServer, ReplyTo, ServerRef, Timeout};
use genserver_sim::{DfsOptions, FailureKind, RunReport, Verdict, World};
use genserver_sim::{check_determinism, explore, replay, run};
use genserver_traces::EventKind;

/// Answers a call at once, or after a delay (by a timer).
#[derive(Debug, Default)]
struct Echo {
    later: Vec<(ReplyTo<u32>, u32)>,
}

#[derive(Debug)]
enum Req {
    Now(u32),
    Later(u32, Duration),
}

impl GenServer for Echo {
    type Args = ();
    type Call = Req;
    type Reply = u32;
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Echo::default())
    }

    fn handle_call(
        &mut self,
        req: Req,
        from: ReplyTo<u32>,
        ctx: &mut Ctx<Self>,
    ) -> CallResult<u32> {
        match req {
            Req::Now(n) => CallResult::Reply(n),
            Req::Later(n, after) => {
                self.later.push((from, n));
                ctx.set_timer(after, ());
                CallResult::NoReply
            }
        }
    }

    fn handle_info(&mut self, _: (), ctx: &mut Ctx<Self>) {
        let (from, n) = self.later.remove(0);
        ctx.reply(&from, n);
    }
}

/// Remembers the last client that called; each call gets the one before.
#[derive(Debug, Default)]
struct Swap(Option<&'static str>);

impl GenServer for Swap {
    type Args = ();
    type Call = &'static str;
    type Reply = Option<&'static str>;
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Swap::default())
    }

    fn handle_call(
        &mut self,
        me: &'static str,
        _: ReplyTo<Self::Reply>,
        _: &mut Ctx<Self>,
    ) -> CallResult<Self::Reply> {
        CallResult::Reply(self.0.replace(me))
    }
}

/// One traced run of `system` with `seed`.
fn traced(system: &(impl Fn(&mut World) + Sync), seed: u64) -> RunReport {
    run(system, seed, 1000, true)
}

/// The failure of a run that must fail.
fn failure(report: &RunReport) -> &genserver_sim::Failure {
    report
        .failure()
        .unwrap_or_else(|| panic!("no failure: {:?}", report.verdict))
}

/// The steps at which the client received a `reply` event whose message contains `text`.
fn reply_steps(report: &RunReport, to: &str, text: &str) -> Vec<u64> {
    let events = &report.trace.as_ref().expect("traced").events;
    (events.iter())
        .filter(|e| e.kind == EventKind::Deliver && e.to.as_deref() == Some(to))
        .filter(|e| e.message.starts_with("reply") && e.message.contains(text))
        .map(|e| e.step)
        .collect()
}

/// A client with two calls in flight (to `x` and `y`), awaited in the order they were made.
fn two_in_flight(w: &mut World) {
    let x = w.spawn::<Echo>("x", ());
    let y = w.spawn::<Echo>("y", ());
    w.client("client", async move |cx| {
        let a = cx.call(x, Req::Now(1));
        let b = cx.call(y, Req::Now(2));
        let (a, b) = (a.await?, b.await?);
        if (a, b) == (1, 2) {
            Ok(())
        } else {
            Err(format!("got {a}, {b}").into())
        }
    });
}

#[test]
fn replies_to_calls_in_flight_come_in_any_order() {
    let mut second_first = 0;
    for seed in 0..50 {
        let report = traced(&two_in_flight, seed);
        assert_eq!(report.verdict, Verdict::Pass, "seed {seed}");
        let (a, b) = (
            reply_steps(&report, "client", "Ok(1)"),
            reply_steps(&report, "client", "Ok(2)"),
        );
        assert_eq!((a.len(), b.len()), (1, 1), "seed {seed}: one reply each");
        second_first += usize::from(b[0] < a[0]);
    }
    assert!(second_first > 0, "no seed delivered the second reply first");
}

#[test]
fn a_failed_expectation_is_reported_with_the_client_and_its_step() {
    let system = |w: &mut World| {
        let x = w.spawn::<Echo>("x", ());
        w.client("picky", async move |cx| {
            let got = cx.call(x, Req::Now(3)).await?;
            Err(format!("saw {got}, wanted 4").into())
        });
    };
    for seed in 0..10 {
        let report = traced(&system, seed);
        let failure = failure(&report);
        assert_eq!(failure.kind, FailureKind::Expectation);
        assert_eq!(failure.process.as_deref(), Some("picky"));
        assert_eq!(failure.message, "saw 3, wanted 4");
        // Started at step 1, then the call's delivery and the reply's: found at step 3.
        assert_eq!((failure.step, report.steps), (3, 3));
    }
}

#[test]
fn a_client_panic_is_a_panic_failure() {
    genserver_sim::silence_handler_panics();
    let system = |w: &mut World| {
        let x = w.spawn::<Echo>("x", ());
        w.client("panicky", async move |cx| {
            let got = cx.call(x, Req::Now(3)).await?;
            panic!("client blew up after {got}");
        });
    };
    let report = traced(&system, 0);
    let failure = failure(&report);
    assert_eq!(failure.kind, FailureKind::Panic);
    assert_eq!(failure.process.as_deref(), Some("panicky"));
    assert!(failure.message.contains("client blew up after 3"), "{failure}");
    assert!(failure.step > 0);
}

/// A client whose call to `x` times out after 1 s, the reply coming at 2 s; with `strict`
/// it passes the timeout on with `?`, else it expects it.
fn late_reply(strict: bool) -> impl Fn(&mut World) + Sync {
    move |w: &mut World| {
        let x = w.spawn::<Echo>("x", ());
        w.client("impatient", async move |cx| {
            let call = cx.call_timeout(x, Req::Later(1, Duration::from_secs(2)), Timeout::After(Duration::from_secs(1)));
            if strict {
                call.await?;
                return Err("the call returned".into());
            }
            match call.await {
                Err(CallError::Timeout) if cx.now() == Duration::from_secs(1) => Ok(()),
                other => Err(format!("got {other:?} at {:?}", cx.now()).into()),
            }
        });
    }
}

#[test]
fn a_timeout_passed_on_with_question_mark_is_a_timeout_failure() {
    let report = traced(&late_reply(true), 0);
    let failure = failure(&report);
    assert_eq!(failure.kind, FailureKind::Timeout);
    assert_eq!(failure.process.as_deref(), Some("impatient"));
    assert_eq!(failure.message, "the call timed out");
    // An expected timeout passes, and the late reply is thrown away.
    let report = traced(&late_reply(false), 0);
    assert_eq!(report.verdict, Verdict::Pass);
    let events = &report.trace.as_ref().expect("traced").events;
    assert!(events.iter().any(|e| e.kind == EventKind::Discard && e.message.contains("Ok(1)")));
}

#[test]
fn sleep_advances_virtual_time_exactly() {
    let system = |w: &mut World| {
        let x = w.spawn::<Echo>("x", ());
        w.client("sleeper", async move |cx| {
            let before = cx.now();
            cx.sleep(Duration::from_secs(1)).await;
            let slept = cx.now() - before;
            let got = cx.call(x, Req::Now(1)).await?;
            cx.sleep(Duration::from_millis(250)).await;
            match (slept, got, cx.now() - before) {
                (s, 1, t) if s == Duration::from_secs(1) && t == Duration::from_millis(1250) => Ok(()),
                other => Err(format!("got {other:?}").into()),
            }
        });
    };
    for seed in 0..10 {
        let report = traced(&system, seed);
        assert_eq!(report.verdict, Verdict::Pass, "seed {seed}");
        let end = &report.trace.as_ref().expect("traced").end;
        assert_eq!(end.time_ns, 1_250_000_000);
    }
}

/// A client that makes a call and drops it unawaited, then (with `more`) makes another.
fn drops_a_call(more: bool) -> impl Fn(&mut World) + Sync {
    move |w: &mut World| {
        let x = w.spawn::<Echo>("x", ());
        w.client("forgetful", async move |cx| {
            drop(cx.call(x, Req::Now(7)));
            if more {
                let got = cx.call(x, Req::Now(8)).await?;
                if got != 8 {
                    return Err(format!("got {got}").into());
                }
            }
            Ok(())
        });
    }
}

#[test]
fn a_dropped_call_is_still_answered_and_the_run_passes() {
    for seed in 0..20 {
        let report = traced(&drops_a_call(true), seed);
        assert_eq!(report.verdict, Verdict::Pass, "seed {seed}");
        assert_eq!(reply_steps(&report, "forgetful", "Ok(7)").len(), 1, "seed {seed}");
    }
}

#[test]
fn a_client_may_finish_with_a_dropped_call_unanswered() {
    genserver_sim::silence_handler_panics();
    let report = traced(&drops_a_call(false), 0);
    assert_eq!(report.verdict, Verdict::Pass);
}

/// Two clients, each with a call to `x` and one to `y` in flight at once; with `buggy` each
/// also expects both servers to have seen the two clients in the same order.
fn swaps(buggy: bool) -> impl Fn(&mut World) + Sync {
    move |w: &mut World| {
        let x = w.spawn::<Swap>("x", ());
        let y = w.spawn::<Swap>("y", ());
        for (me, other) in [("a", "b"), ("b", "a")] {
            w.client(me, async move |cx| {
                let (at_x, at_y) = (cx.call(x, me), cx.call(y, me));
                let (at_x, at_y) = (at_x.await?, at_y.await?);
                let fine = |seen| seen == None || seen == Some(other);
                if !fine(at_x) || !fine(at_y) || (buggy && at_x != at_y) {
                    return Err(format!("{me} saw {at_x:?} at x, {at_y:?} at y").into());
                }
                Ok(())
            });
        }
        let both = |view: &genserver_sim::View<'_>, s: ServerRef<Swap>| {
            matches!(view.state(s), Some(Swap(Some(_))))
        };
        w.at_end("both called", move |v| match both(v, x) && both(v, y) {
            true => Ok(()),
            false => Err("a call is missing".into()),
        });
    }
}

#[test]
fn dfs_verifies_calls_in_flight_and_finds_the_order_bug() {
    let options = DfsOptions::default();
    let clean = explore(&swaps(false), &options, &mut |_| {}).expect("deterministic");
    assert!(clean.verified(), "{}", clean.verdict());
    assert!(clean.schedules > 1, "only {} schedule", clean.schedules);
    let buggy = explore(&swaps(true), &options, &mut |_| {}).expect("deterministic");
    let found = buggy.found.expect("the bug is found");
    let failure = failure(&found);
    assert_eq!(failure.kind, FailureKind::Expectation);
    assert!(failure.message.contains(" at x, "), "{failure}");
    // The failing schedule replays to the same failure.
    let replayed = replay(&swaps(true), found.trace.as_ref().expect("traced")).expect("replays");
    assert_eq!(replayed.failure(), Some(failure));
}

#[test]
fn runs_with_async_clients_replay_byte_for_byte() {
    let system = |w: &mut World| {
        swaps(false)(w);
        late_reply(false)(w);
    };
    for seed in 0..20 {
        let report = traced(&system, seed);
        assert_eq!(report.verdict, Verdict::Pass, "seed {seed}");
        let trace = report.trace.expect("traced");
        let replayed = replay(&system, &trace).expect("the replay follows the trace");
        assert_eq!(replayed.trace.expect("traced").to_jsonl(), trace.to_jsonl());
        check_determinism(&system, seed, 1000).expect("deterministic");
    }
}
