//! Exhaustive search with a model attached: steps of two clients are never taken for
//! independent, since the history tells their orders apart (an operation that returned
//! before another was invoked must come first). Here the bug needs a write's reply to reach
//! the writer before the reader starts, two steps of two clients that touch nothing in
//! common: DPOR must order them, and state hashing must not take the states the two orders
//! reach for one (they differ only in the history).

use std::time::Duration;

use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo, ServerRef};
use genserver_sim::linearize::Linearizable;
use genserver_sim::{DfsOptions, FailureKind, Reduction, System, World, explore};

#[path = "../support/register.rs"]
mod register;

use register::{Register, RegisterOp};

/// A register that copies each write to its replica, without waiting.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Primary(ServerRef<Replica>, u32);

/// The replica readers read: it lags behind the primary.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Replica(u32);

impl GenServer for Primary {
    type Args = ServerRef<Replica>;
    type Call = u32;
    type Reply = ();
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(replica: ServerRef<Replica>, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Primary(replica, 0))
    }

    fn handle_call(&mut self, value: u32, _: ReplyTo<()>, ctx: &mut Ctx<Self>) -> CallResult<()> {
        self.1 = value;
        ctx.cast(self.0, value);
        CallResult::Reply(())
    }
}

impl GenServer for Replica {
    type Args = ();
    type Call = ();
    type Reply = u32;
    type Cast = u32;
    type Info = ();
    type Continue = ();

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Replica(0))
    }

    fn handle_call(&mut self, _: (), _: ReplyTo<u32>, _: &mut Ctx<Self>) -> CallResult<u32> {
        CallResult::Reply(self.0)
    }

    fn handle_cast(&mut self, value: u32, _: &mut Ctx<Self>) {
        self.0 = value;
    }
}

/// The replicated register, its reader added first or last: whichever order of the two
/// clients' steps a search tries first, the other must not be skipped. With `latency`,
/// messages take up to a millisecond: every search then hashes states without sleep sets,
/// and only the history tells apart the states the two orders reach.
fn replicated(world: &mut World, reader_first: bool, latency: bool) {
    let replica = world.spawn::<Replica>("replica", ());
    let primary = world.spawn::<Primary>("primary", replica);
    if latency {
        world.set_max_latency(Duration::from_millis(1));
    }
    let reader = move |world: &mut World| {
        world.client("reader", async move |cx| {
            cx.call(replica, ()).await?;
            Ok(())
        });
    };
    if reader_first {
        reader(world);
    }
    world.client("writer", async move |cx| {
        cx.call(primary, 1).await?;
        Ok(())
    });
    if !reader_first {
        reader(world);
    }
    let model = Linearizable::new(Register(0))
        .server(primary, |&value| Some(RegisterOp::Write(value)), |()| None)
        .server(replica, |()| Some(RegisterOp::Read), |&value| Some(value));
    world.linearizable("register", model);
}

#[test]
fn every_reduction_finds_a_stale_read_that_needs_two_clients_in_order() {
    let systems: [&dyn System; 4] = [
        &|world: &mut World| replicated(world, true, false),
        &|world: &mut World| replicated(world, false, false),
        &|world: &mut World| replicated(world, true, true),
        &|world: &mut World| replicated(world, false, true),
    ];
    let reductions = [Reduction::Dpor, Reduction::StateHashing, Reduction::Nothing];
    for (reduction, (order, system)) in reductions
        .into_iter()
        .flat_map(|r| systems.iter().enumerate().map(move |s| (r, s)))
    {
        let options = DfsOptions {
            reduction,
            ..DfsOptions::default()
        };
        let report = explore(*system, &options, &mut |_| {}).unwrap();
        let found = report
            .found
            .unwrap_or_else(|| panic!("{reduction:?}, system {order}: not found"));
        let failure = found.failure().unwrap();
        assert_eq!(failure.kind, FailureKind::Linearizability, "{failure}");
        assert!(
            failure
                .message
                .starts_with("register: not linearizable: reader's Read → Some(0)"),
            "{failure}"
        );
    }
}
