//! Rule 8 in the simulator: a bounded mailbox (calls, casts and infos sent and not yet
//! handled) refuses one more: a cast is dropped (traced), a call fails at once with `Full`.
//! Which message is refused depends on the order, so the search explores it.

use genserver::runtime::Threads;
use genserver::{
    CallError, CallResult, ChildStart, ClientResult, Ctx, ExitReason, GenServer, ProcessId,
    ReplyTo, ServerRef, Stage, StartError, StartOptions,
};
use genserver_sim::{DfsOptions, FailureKind, SimSpawner, World, explore};
use genserver_traces::EventKind;

use crate::has_event;

/// Adds up its casts; a call reads the sum.
struct Tally(u32);

impl GenServer for Tally {
    type Args = ();
    type Call = ();
    type Reply = u32;
    type Cast = u32;
    type Info = ();
    type Continue = ();

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Tally(0))
    }

    fn handle_call(&mut self, _: (), _: ReplyTo<u32>, _: &mut Ctx<Self>) -> CallResult<u32> {
        CallResult::Reply(self.0)
    }

    fn handle_cast(&mut self, n: u32, _: &mut Ctx<Self>) {
        self.0 += n;
    }
}

/// Two clients cast 1 each to a tally bounded to `limit`; at the end it must hold 2.
fn two_casts(limit: usize) -> impl Fn(&mut World) + Sync {
    move |w: &mut World| {
        let tally = w.spawn::<Tally>("tally", ());
        w.bound_mailbox(tally, limit);
        for name in ["c1", "c2"] {
            w.client(name, async move |cx| {
                cx.cast(tally, 1);
                Ok(())
            });
        }
        w.at_end("both counted", move |view| {
            view.state::<Tally>(tally).map(|t| t.0) == Some(2)
        });
    }
}

#[test]
fn a_cast_to_a_full_mailbox_is_dropped_in_some_order_and_the_search_finds_it() {
    let options = DfsOptions::default();
    let full = explore(&two_casts(1), &options, &mut |_| {}).expect("deterministic");
    let found = full
        .found
        .expect("an order where the second cast finds the mailbox full");
    assert!(has_event(&found, EventKind::Drop, "(mailbox full)"));
    // With room for both, no order loses one.
    let roomy = explore(&two_casts(2), &options, &mut |_| {}).expect("deterministic");
    assert!(roomy.verified(), "{}", roomy.verdict());
}

/// A client casts 1, another calls: with a limit of 1 the call fails in the order where the
/// cast is still on its way.
fn cast_then_call(w: &mut World) {
    let tally = w.spawn::<Tally>("tally", ());
    w.bound_mailbox(tally, 1);
    w.client("caster", async move |cx| {
        cx.cast(tally, 1);
        Ok(())
    });
    w.client("caller", async move |cx| -> ClientResult {
        cx.call(tally, ()).await?;
        Ok(())
    });
}

#[test]
fn a_call_to_a_full_mailbox_fails_at_once_with_full() {
    let found = explore(&cast_then_call, &DfsOptions::default(), &mut |_| {})
        .expect("deterministic")
        .found
        .expect("the order where the call finds the cast queued");
    let failure = found.failure().expect("a failure");
    assert_eq!(failure.kind, FailureKind::Expectation);
    assert!(
        failure.message.contains(&CallError::Full.to_string()),
        "{}",
        failure.message
    );
}

/// Starts a tally as its child with the mailbox bound of `StartOptions`, then casts it 1
/// twice in one callback: the second finds the first still queued.
struct Parent(Option<ProcessId>);

impl GenServer for Parent {
    type Args = ();
    type Call = ();
    type Reply = u32;
    type Cast = ();
    type Info = Result<ProcessId, StartError>;
    type Continue = ();

    fn init(_: (), ctx: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        let recipe = ChildStart::<SimSpawner>::new::<Tally>(|| ());
        ctx.start(&recipe, StartOptions::default().bounded(1), |started| {
            started
        });
        Ok(Parent(None))
    }

    fn handle_call(&mut self, _: (), _: ReplyTo<u32>, ctx: &mut Ctx<Self>) -> CallResult<u32> {
        let child = ServerRef::<Tally>::new(self.0.expect("started"));
        ctx.cast(child, 1);
        ctx.cast(child, 1);
        CallResult::Reply(0)
    }

    fn handle_info(&mut self, started: Result<ProcessId, StartError>, _: &mut Ctx<Self>) {
        self.0 = started.ok();
    }
}

#[test]
fn a_child_started_with_a_bounded_mailbox_drops_what_exceeds_it() {
    let system = |w: &mut World| {
        let parent = w.spawn::<Parent>("parent", ());
        w.client("client", async move |cx| {
            cx.call(parent, ()).await?;
            Ok(())
        });
    };
    let run = genserver_sim::run(&system, 0, 1_000, true);
    assert!(has_event(&run, EventKind::Drop, "(mailbox full)"));
}

/// A scenario over any stage: a tally that takes nothing (a bound of 0) refuses the call
/// and drops the cast; its address, for a look at its state after the run.
fn refusing(stage: &mut impl Stage) -> ServerRef<Tally> {
    let tally = stage.spawn_bounded::<Tally>("tally", (), 0);
    stage.client("client", async move |cx| {
        cx.cast(tally, 1);
        match cx.call(tally, ()).await {
            Err(CallError::Full) => Ok(()),
            other => Err(format!("wanted Full, got {other:?}").into()),
        }
    });
    tally
}

#[test]
fn a_bounded_server_refuses_alike_on_threads_and_in_the_simulator() {
    let mut threads = Threads::new();
    let tally = refusing(&mut threads);
    assert_eq!(threads.run(), Ok(()));
    let on_threads = threads.runtime().resolve(tally).expect("alive");
    assert_eq!(on_threads.query(|t| t.0).map_err(CallError::from), Ok(0));
    let system = |w: &mut World| {
        let tally = refusing(w);
        w.at_end("the cast was dropped", move |view| {
            view.state::<Tally>(tally).map(|t| t.0) == Some(0)
        });
    };
    let explored = explore(&system, &DfsOptions::default(), &mut |_| {}).expect("deterministic");
    assert!(explored.verified(), "{}", explored.verdict());
}

#[test]
#[should_panic(expected = "different mailbox bounds")]
fn servers_with_different_bounds_are_not_interchangeable() {
    let system = |world: &mut World| {
        let a = world.spawn::<Tally>("a", ());
        let b = world.spawn::<Tally>("b", ());
        world.bound_mailbox(a, 1);
        world.interchangeable(&[a.id(), b.id()]);
    };
    genserver_sim::run(&system, 0, 100, false);
}
