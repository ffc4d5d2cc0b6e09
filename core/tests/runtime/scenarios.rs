//! Async clients on real threads (`Threads`): scenarios written once over `impl Stage`.

use std::fmt::Debug;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use genserver::runtime::{ClientFailure, Threads};
use genserver::{CallError, CallResult, Check, ClientResult, Ctx, ExitReason, GenServer};
use genserver::{ReplyTo, ServerRef, Stage, Timeout};

/// Echoes a number (`Echo`), keeps the reply token and never answers (`Hold`), or answers
/// every held call with a number and replies how many there were (`Release`).
#[derive(Debug, Default)]
struct Echo(Vec<ReplyTo<u32>>);

#[derive(Debug)]
enum Req {
    Echo(u32),
    Hold,
    Release(u32),
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

    fn handle_call(&mut self, req: Req, to: ReplyTo<u32>, ctx: &mut Ctx<Self>) -> CallResult<u32> {
        match req {
            Req::Echo(n) => CallResult::Reply(n),
            Req::Hold => {
                self.0.push(to);
                CallResult::NoReply
            }
            Req::Release(n) => {
                let count = self.0.len() as u32;
                for held in self.0.drain(..) {
                    ctx.reply(&held, n);
                }
                CallResult::Reply(count)
            }
        }
    }
}

/// Runs a scenario built by `build` on fresh threads and returns its outcome.
fn on_threads(build: impl FnOnce(&mut Threads)) -> Result<(), ClientFailure> {
    let mut threads = Threads::new();
    build(&mut threads);
    threads.run()
}

/// A client's verdict: passes if `got` is `want`, else a failed expectation saying both.
fn expect<T: PartialEq + Debug>(got: T, want: T) -> ClientResult {
    match got == want {
        true => Ok(()),
        false => Err(format!("got {got:?}, wanted {want:?}").into()),
    }
}

/// Two clients that each call a server and check the reply.
fn passing(stage: &mut impl Stage) {
    let echo = stage.spawn::<Echo>("echo", ());
    for (name, n) in [("one", 1), ("two", 2)] {
        stage.client(name, async move |cx| {
            expect(cx.call(echo, Req::Echo(n)).await?, n)
        });
    }
}

#[test]
fn clients_that_see_what_they_expect_pass() {
    assert_eq!(on_threads(passing), Ok(()));
}

#[test]
fn a_failed_expectation_names_its_client_and_text() {
    let failure = on_threads(|t| {
        passing(t);
        t.client("picky", async |_| Err("saw 3, wanted 4".into()));
    })
    .expect_err("picky fails");
    assert_eq!(failure.client, "picky");
    assert_eq!(failure.check, Check::Failed("saw 3, wanted 4".into()));
    assert_eq!(failure.to_string(), "client picky: saw 3, wanted 4");
}

#[test]
fn the_first_failure_in_client_order_wins_over_the_first_in_time() {
    let gate = Arc::new(AtomicBool::new(false));
    let opened = gate.clone();
    let failure = on_threads(|t| {
        // "late" is added first but fails only after "early" has failed.
        t.client("late", async move |cx| {
            while !gate.load(Ordering::SeqCst) {
                cx.sleep(Duration::from_millis(1)).await;
            }
            Err("late failed".into())
        });
        t.client("early", async move |_| {
            opened.store(true, Ordering::SeqCst);
            Err("early failed".into())
        });
    })
    .expect_err("both fail");
    assert_eq!(failure.client, "late");
    assert_eq!(failure.check, Check::Failed("late failed".into()));
}

#[test]
fn a_panicking_client_is_reported_and_the_others_finish() {
    let finished = Arc::new(AtomicBool::new(false));
    let mut threads = Threads::new();
    let echo = threads.spawn::<Echo>("echo", ());
    threads.client("panics", async |_| panic!("client blew up"));
    let done = finished.clone();
    threads.client("after", async move |cx| {
        cx.sleep(Duration::from_millis(20)).await;
        cx.call(echo, Req::Echo(9)).await?;
        done.store(true, Ordering::SeqCst);
        Ok(())
    });
    let failure = threads.run().expect_err("the panic is a failure");
    assert_eq!(failure.client, "panics");
    assert_eq!(
        failure.check,
        Check::Failed("panicked: client blew up".into())
    );
    assert!(
        finished.load(Ordering::SeqCst),
        "the other client ran to its end"
    );
    assert!(
        threads.runtime().is_alive(echo.id()),
        "the server is untouched"
    );
}

/// One client with two calls in flight at once, awaited in the opposite order.
fn two_in_flight(stage: &mut impl Stage) {
    let x = stage.spawn::<Echo>("x", ());
    let y = stage.spawn::<Echo>("y", ());
    stage.client("both", async move |cx| {
        let a = cx.call(x, Req::Echo(1));
        let b = cx.call(y, Req::Echo(2));
        let b = b.await?;
        expect((a.await?, b), (1, 2))
    });
}

#[test]
fn two_calls_in_flight_to_two_servers_both_complete() {
    assert_eq!(on_threads(two_in_flight), Ok(()));
}

#[test]
fn a_call_is_sent_before_it_is_awaited() {
    // The held call is answered only because the second call, made after it but awaited
    // before it, reached the server behind it.
    let result = on_threads(|t| {
        let x = t.spawn::<Echo>("x", ());
        t.client("releaser", async move |cx| {
            let held = cx.call(x, Req::Hold);
            let released = cx.call(x, Req::Release(7)).await?;
            expect((released, held.await?), (1, 7))
        });
    });
    assert_eq!(result, Ok(()));
}

/// A client whose call to a server that never replies times out after 20 ms; with
/// `question_mark` it passes the error on with `?`, else it expects it.
fn times_out(stage: &mut impl Stage, question_mark: bool) {
    let x = stage.spawn::<Echo>("silent", ());
    stage.client("impatient", async move |cx| {
        let call = cx.call_timeout(x, Req::Hold, Timeout::millis(20));
        if question_mark {
            call.await?;
            return Err("the call returned".into());
        }
        expect(call.await, Err(CallError::Timeout))
    });
}

#[test]
fn a_call_to_a_silent_server_times_out() {
    assert_eq!(on_threads(|t| times_out(t, false)), Ok(()));
    let failure = on_threads(|t| times_out(t, true)).expect_err("timed out");
    assert_eq!(failure.client, "impatient");
    assert_eq!(failure.check, Check::TimedOut("the call timed out".into()));
}

/// A client that finds `expected` under "named" (and nothing under "nobody") and calls it.
fn finds_by_name(stage: &mut impl Stage, expected: ServerRef<Echo>) {
    stage.client("finder", async move |cx| {
        let found = cx.whereis_ref::<Echo>("named").ok_or("not registered")?;
        expect(found, expected)?;
        expect(cx.whereis("named"), Some(expected.id()))?;
        expect(cx.whereis("nobody"), None)?;
        expect(cx.call(found, Req::Echo(5)).await?, 5)
    });
}

#[test]
fn whereis_finds_a_server_by_its_name() {
    let mut threads = Threads::new();
    let named = threads.spawn::<Echo>("named", ());
    finds_by_name(&mut threads, named);
    assert_eq!(threads.run(), Ok(()));
}

#[test]
fn a_call_to_a_dead_server_fails_with_no_process() {
    let mut threads = Threads::new();
    let doomed = threads.spawn::<Echo>("doomed", ());
    threads.runtime().kill(doomed.id());
    threads.client("caller", async move |cx| {
        expect(cx.whereis("doomed"), None)?;
        let outcome = cx.call(doomed, Req::Echo(1)).await;
        expect(outcome, Err(CallError::NoProcess))
    });
    threads.client("with-question-mark", async move |cx| {
        cx.call(doomed, Req::Echo(1)).await?;
        Ok(())
    });
    let failure = threads.run().expect_err("the second client fails");
    assert_eq!(failure.client, "with-question-mark");
    let text = "the call failed: no such process";
    assert_eq!(failure.check, Check::Failed(text.into()));
}

#[test]
fn sleep_waits_at_least_its_duration() {
    let result = on_threads(|t| {
        t.client("sleeper", async |cx| {
            for ms in [0, 1, 25] {
                let before = cx.now();
                cx.sleep(Duration::from_millis(ms)).await;
                let slept = cx.now() - before;
                if slept < Duration::from_millis(ms) {
                    return Err(format!("slept {slept:?}, asked for {ms} ms").into());
                }
            }
            Ok(())
        });
    });
    assert_eq!(result, Ok(()));
}

/// What a `CallObserver` saw, in its order.
#[derive(Debug, PartialEq)]
enum Seen {
    Invoke(u64, genserver::ProcessId, genserver::ProcessId, String),
    Respond(u64, Result<u32, CallError>),
}

/// Numbers the calls and records each invoke and response.
#[derive(Default)]
struct Recorder(Vec<Seen>, u64);

impl genserver::runtime::CallObserver for Recorder {
    fn invoke(
        &mut self,
        client: genserver::ProcessId,
        server: genserver::ProcessId,
        request: &dyn std::any::Any,
    ) -> Option<u64> {
        let request = format!("{:?}", request.downcast_ref::<Req>()?);
        self.1 += 1;
        self.0.push(Seen::Invoke(self.1, client, server, request));
        Some(self.1)
    }

    fn respond(&mut self, call: u64, outcome: Result<&dyn std::any::Any, &CallError>) {
        let outcome = outcome.map(|reply| *reply.downcast_ref::<u32>().expect("a u32"));
        self.0
            .push(Seen::Respond(call, outcome.map_err(Clone::clone)));
    }
}

#[test]
fn an_observer_sees_every_call_invoked_before_it_is_sent_and_answered_after_it_returns() {
    let recorder = Arc::new(std::sync::Mutex::new(Recorder::default()));
    let mut threads = Threads::new();
    let echo = threads.spawn::<Echo>("echo", ());
    for n in [1, 2] {
        threads.client(&format!("client-{n}"), async move |cx| {
            expect(cx.call(echo, Req::Echo(n)).await, Ok(n))?;
            let held = cx.call_timeout(echo, Req::Hold, Timeout::millis(20));
            expect(held.await, Err(CallError::Timeout))
        });
    }
    threads.observe(Arc::clone(&recorder));
    assert_eq!(threads.run(), Ok(()));
    let seen = std::mem::take(&mut recorder.lock().unwrap().0);
    assert_eq!(seen.len(), 8, "{seen:#?}");
    // Every call is invoked once, to the echo, and answered once after that.
    for call in 1..=4 {
        let invoked = seen
            .iter()
            .position(|s| matches!(s, Seen::Invoke(c, _, to, _) if *c == call && *to == echo.id()));
        let answered = seen
            .iter()
            .position(|s| matches!(s, Seen::Respond(c, _) if *c == call));
        assert!(
            invoked < answered && invoked.is_some(),
            "call {call}: {seen:#?}"
        );
    }
    let outcomes: Vec<_> = (seen.iter())
        .filter_map(|s| match s {
            Seen::Respond(_, outcome) => Some(outcome.clone()),
            _ => None,
        })
        .collect();
    for want in [
        Ok(1),
        Ok(2),
        Err(CallError::Timeout),
        Err(CallError::Timeout),
    ] {
        assert!(outcomes.contains(&want), "{outcomes:?}");
    }
}
