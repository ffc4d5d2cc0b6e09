//! Every call a client makes is an operation of the run's history, in its trace: invoked
//! and answered (a reply, a timeout, an error) at a step and a virtual time, or still
//! pending when the run ended.

use std::time::Duration;

use genserver::{CallResult, Ctx, ExitReason, GenServer, ProcessId, ReplyTo, ServerRef, Timeout};
use genserver_sim::zoo::counter::{Counter, CounterCall};
use genserver_sim::{DEFAULT_MAX_STEPS, Verdict, World, run};
use genserver_traces::Answer;

/// Keeps every call's token and never answers.
struct Hoarder(Vec<ReplyTo<()>>);

impl GenServer for Hoarder {
    type Args = ();
    type Call = ();
    type Reply = ();
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Hoarder(Vec::new()))
    }

    fn handle_call(&mut self, _: (), from: ReplyTo<()>, _: &mut Ctx<Self>) -> CallResult<()> {
        self.0.push(from);
        CallResult::NoReply
    }
}

fn four_calls(world: &mut World) {
    let counter = world.spawn::<Counter>("counter", 0);
    let hoarder = world.spawn::<Hoarder>("hoarder", ());
    // No process has this id: a call to it fails at once.
    let ghost = ServerRef::<Counter>::new(ProcessId(99));
    world.client("client-1", async move |cx| {
        assert_eq!(cx.call(counter, CounterCall::Increment).await, Ok(1));
        let second = Timeout::After(Duration::from_secs(1));
        assert!(cx.call_timeout(hoarder, (), second).await.is_err());
        assert!(cx.call(ghost, CounterCall::Get).await.is_err());
        // Never awaited: still waiting when the client ends.
        let _left = cx.call(hoarder, ());
        Ok(())
    });
    // Time moves to a timeout only while something else is still to come.
    world.client("sleeper", async move |cx| {
        cx.sleep(Duration::from_secs(2)).await;
        Ok(())
    });
}

#[test]
fn replies_timeouts_errors_and_pending_calls_are_operations() {
    let report = run(&four_calls, 0, DEFAULT_MAX_STEPS, true);
    assert_eq!(report.verdict, Verdict::Pass);
    let operations = &report.trace.as_ref().unwrap().end.operations;
    let calls: Vec<(&str, &str, &str)> = (operations.iter())
        .map(|op| (op.client.as_str(), op.server.as_str(), op.call.as_str()))
        .collect();
    assert_eq!(
        calls,
        [
            ("client-1", "counter", "Increment"),
            ("client-1", "hoarder", "()"),
            ("client-1", "<99>", "Get"),
            ("client-1", "hoarder", "()"),
        ]
    );
    let answers: Vec<Option<&Answer>> = (operations.iter())
        .map(|op| op.returned.as_ref().map(|r| &r.answer))
        .collect();
    assert_eq!(answers[0], Some(&Answer::Reply("1".into())));
    assert_eq!(answers[1], Some(&Answer::Error("call timed out".into())));
    assert!(matches!(answers[2], Some(Answer::Error(e)) if e.contains("no such process")));
    assert_eq!(answers[3], None);
    // The timeout came a second of virtual time after its call, a few steps later; the
    // failed call was answered in the step it was made.
    let timed_out = &operations[1];
    let returned = timed_out.returned.as_ref().unwrap().at;
    assert_eq!(returned.time_ns - timed_out.invoked.time_ns, 1_000_000_000);
    assert!(returned.step > timed_out.invoked.step);
    let failed = &operations[2];
    assert_eq!(
        failed.returned.as_ref().unwrap().at.step,
        failed.invoked.step
    );
    // Points are numbered in the order they happened.
    let mut points: Vec<u64> = (operations.iter())
        .flat_map(|op| [Some(op.invoked.seq), op.returned.as_ref().map(|r| r.at.seq)])
        .flatten()
        .collect();
    points.sort_unstable();
    assert_eq!(points, [0, 1, 2, 3, 4, 5, 6]);
}

#[test]
fn a_run_without_a_trace_records_no_operation_and_the_trace_is_deterministic() {
    let first = run(&four_calls, 3, DEFAULT_MAX_STEPS, true).trace.unwrap();
    let again = run(&four_calls, 3, DEFAULT_MAX_STEPS, true).trace.unwrap();
    assert_eq!(first.to_jsonl(), again.to_jsonl());
    assert!(
        run(&four_calls, 3, DEFAULT_MAX_STEPS, false)
            .trace
            .is_none()
    );
}
