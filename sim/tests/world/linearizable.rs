//! A model attached to a world: a call that timed out may have taken effect or not; calls
//! the model leaves out are not checked; a model that panics is a failure that says so.

use std::time::Duration;

use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo, Timeout};
use genserver_sim::linearize::{Linearizable, Model};
use genserver_sim::{DEFAULT_MAX_STEPS, Failure, FailureKind, Verdict, World, run};
use genserver_traces::Trace;

/// A register that applies every write but never answers a write of 13: that call times out.
struct Cell(u32, Vec<ReplyTo<u32>>);

#[derive(Clone, Debug, PartialEq)]
enum Call {
    Write(u32),
    Read,
    /// Sets the value behind the model's back (the model leaves it out).
    Poke(u32),
}

impl GenServer for Cell {
    type Args = ();
    type Call = Call;
    type Reply = u32;
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Cell(0, Vec::new()))
    }

    fn handle_call(
        &mut self,
        call: Call,
        from: ReplyTo<u32>,
        _: &mut Ctx<Self>,
    ) -> CallResult<u32> {
        match call {
            Call::Write(13) => {
                self.0 = 13;
                self.1.push(from);
                return CallResult::NoReply;
            }
            Call::Write(value) | Call::Poke(value) => self.0 = value,
            Call::Read => {}
        }
        CallResult::Reply(self.0)
    }
}

/// The register's model; a read of a register holding 99 panics.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Register(u32);

impl Model for Register {
    type Op = Call;
    type Ret = u32;
    type Key = ();

    fn step(&mut self, op: &Call) -> u32 {
        match *op {
            Call::Write(value) | Call::Poke(value) => self.0 = value,
            Call::Read => assert_ne!(self.0, 99, "a read of 99"),
        }
        self.0
    }
}

/// One client making `calls` in order (each with a timeout of a second), a sleeper that
/// lets time reach the timeouts, and the model over the cell, leaving pokes out.
fn system(calls: &'static [Call]) -> impl Fn(&mut World) + Sync {
    move |world: &mut World| {
        let cell = world.spawn::<Cell>("cell", ());
        world.client("client", async move |cx| {
            for call in calls {
                let _ =
                    (cx.call_timeout(cell, call.clone(), Timeout::After(Duration::from_secs(1))))
                        .await;
            }
            Ok(())
        });
        world.client("sleeper", async move |cx| {
            cx.sleep(Duration::from_secs(10)).await;
            Ok(())
        });
        let op = |call: &Call| (!matches!(call, Call::Poke(_))).then(|| call.clone());
        world.linearizable(
            "register",
            Linearizable::new(Register(0)).server(cell, op, |&v| v),
        );
    }
}

/// The failure of the run of `calls` (seed 0), and its trace.
fn failing(calls: &'static [Call]) -> (Failure, Trace) {
    let report = run(&system(calls), 0, DEFAULT_MAX_STEPS, true);
    match report.verdict {
        Verdict::Failed(failure) => (failure, report.trace.unwrap()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_write_that_timed_out_may_have_taken_effect() {
    let report = run(
        &system(&[Call::Write(13), Call::Read]),
        0,
        DEFAULT_MAX_STEPS,
        true,
    );
    assert_eq!(report.verdict, Verdict::Pass);
    let operations = report.trace.unwrap().end.operations;
    assert_eq!(operations.len(), 2);
}

#[test]
fn a_read_the_model_cannot_explain_fails_the_run_at_its_reply() {
    // The poke is left out: for the model the register still holds 1.
    let (failure, trace) = failing(&[Call::Write(1), Call::Poke(2), Call::Read]);
    assert_eq!(failure.kind, FailureKind::Linearizability);
    assert_eq!(
        failure.message,
        "register: not linearizable: client's Read → 2 cannot follow any linearizable order \
         of the operations before it (the longest has 1 operation)"
    );
    assert_eq!(
        failure.step, trace.end.steps,
        "the run stops at the read's reply"
    );
    let violation = trace.end.violation.unwrap();
    // The poke is an operation of the trace, not of the model's history.
    assert_eq!(
        (violation.operations, violation.prefix, violation.blocked),
        (vec![0, 2], vec![0], 2)
    );
}

#[test]
fn a_model_that_panics_is_a_failure_naming_the_model() {
    let (failure, _) = failing(&[Call::Write(99), Call::Read]);
    assert_eq!(failure.kind, FailureKind::Panic);
    assert!(
        failure
            .message
            .starts_with("register: the model panicked: ")
            && failure.message.contains("a read of 99"),
        "{failure}"
    );
}
