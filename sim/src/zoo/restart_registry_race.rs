//! `restart-registry-race`: a client caches the process id it looked up under a registered
//! name. A crash, and the supervisor's restart of the server under the same name (as a new
//! process), make its next call go to the dead instance: the call fails with `NoProcess`,
//! and the client, seeing the name held by a new instance, wrongly takes that as "the new
//! instance has my operation" and moves on. The operation is lost.
//!
//! The bug needs a crash, a restart and an unlucky order: the crash must come after the
//! server answered an operation and before the client's next call, and the supervisor must
//! restart the server before that call (with the name still free, the client waits and
//! retries, which is right).

use std::time::Duration;

use genserver::supervisor::{ChildSpec, Strategy, Supervisor, SupervisorSpec};
use genserver::{
    CallError, CallResult, ClientResult, Ctx, Cx, ExitReason, GenServer, ReplyTo, ServerRef,
};

use crate::{SimSpawner, World};

/// The registered name of the front server.
pub const FRONT: &str = "front";

/// How many operations the client applies.
const OPS: u32 = 3;

/// The durable record of applied operations (it survives the front's crashes).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Ledger(pub Vec<u32>);

/// The ledger's call: list the operations applied.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct List;

impl GenServer for Ledger {
    type Args = ();
    type Call = List;
    type Reply = Vec<u32>;
    type Cast = u32;
    type Info = ();
    type Continue = ();

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Ledger::default())
    }
    fn handle_call(
        &mut self,
        _: List,
        _: ReplyTo<Vec<u32>>,
        _: &mut Ctx<Self>,
    ) -> CallResult<Vec<u32>> {
        CallResult::Reply(self.0.clone())
    }
    fn handle_cast(&mut self, op: u32, _: &mut Ctx<Self>) {
        self.0.push(op);
    }
}

/// The front server, registered as [`FRONT`] by its supervisor: it records each operation
/// in the ledger and acknowledges it, in one callback.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Front {
    ledger: ServerRef<Ledger>,
}

/// The front's call: apply operation `n`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Apply(pub u32);

impl GenServer for Front {
    type Args = ServerRef<Ledger>;
    type Call = Apply;
    type Reply = bool;
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(ledger: ServerRef<Ledger>, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Front { ledger })
    }
    fn handle_call(
        &mut self,
        Apply(op): Apply,
        _: ReplyTo<bool>,
        ctx: &mut Ctx<Self>,
    ) -> CallResult<bool> {
        ctx.cast(self.ledger, op);
        CallResult::Reply(true)
    }
}

/// Applies the operations through the front, caching the id it looked up (the bug is in
/// how it reads `NoProcess`), then checks that the ledger saw every one it counted as done.
async fn operator(cx: Cx, ledger: ServerRef<Ledger>) -> ClientResult {
    let mut cached: Option<ServerRef<Front>> = None;
    let mut done = Vec::new();
    let mut op = 1;
    while op <= OPS {
        if cached.is_none() {
            cached = cx.whereis_ref::<Front>(FRONT);
        }
        let Some(front) = cached else {
            // The front is down: wait for its supervisor to start it again.
            cx.sleep(Duration::from_millis(10)).await;
            continue;
        };
        match cx.call(front, Apply(op)).await {
            Ok(_) => {
                done.push(op);
                op += 1;
            }
            Err(CallError::NoProcess) => {
                let stale = cached.take();
                // THE BUG: a new instance holds the name, so the client assumes the
                // restart took over its operation. The dead instance never saw it.
                if let Some(new) = cx.whereis_ref::<Front>(FRONT).filter(|&n| Some(n) != stale) {
                    done.push(op);
                    cached = Some(new);
                    op += 1;
                }
            }
            // The front exited with the call queued: it was never applied; try again.
            Err(_) => cached = None,
        }
    }
    cx.sleep(Duration::from_secs(1)).await;
    let applied = cx.call(ledger, List).await?;
    match done.iter().find(|op| !applied.contains(op)) {
        Some(op) => Err(format!(
            "operation {op} was counted as done but the ledger never saw it (ledger: {applied:?})"
        )
        .into()),
        None => Ok(()),
    }
}

/// Builds `restart-registry-race`.
pub fn build(world: &mut World) {
    let ledger = world.spawn::<Ledger>("ledger", ());
    world.hash_state(ledger);
    world.clone_state(ledger);
    let front = ChildSpec::new::<Front>("front", move || ledger).named(FRONT);
    let spec = SupervisorSpec::<SimSpawner>::new(Strategy::OneForOne).child(front);
    let sup = world.spawn::<Supervisor<SimSpawner>>("sup", spec);
    world.clone_state(sup);
    world.clone_servers::<Front>();
    world.client("operator", move |cx| operator(cx, ledger));
    world.crashable_name(FRONT);
    let faults = world.faults();
    faults.budget = 1;
    faults.probability = 0.2;
}
