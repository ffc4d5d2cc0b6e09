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
use genserver::{CallError, CallResult, Ctx, ExitReason, GenServer, ReplyTo, ServerRef};

use crate::{CallOutcome, Check, Client, ClientCtx, SimSpawner, System, World, expect_reply};

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

/// Where the client is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Waiting (sleeping) for the name to be registered again, to apply this operation.
    Lookup(u32),
    /// The call applying this operation is under way.
    Applying(u32),
    /// All operations are done; waiting for the ledger to settle.
    Settling,
    /// Asked the ledger what it holds.
    Checking,
}

/// Applies the operations through the front, caching the id it looked up (the bug is in
/// how it reads `NoProcess`).
struct Operator {
    ledger: ServerRef<Ledger>,
    cached: Option<ServerRef<Front>>,
    phase: Phase,
    done: Vec<u32>,
}

impl Operator {
    /// Applies operation `op` (or, past the last one, waits and checks), through the
    /// cached front or a fresh lookup.
    fn apply(&mut self, op: u32, ctx: &mut ClientCtx) {
        if op > OPS {
            self.phase = Phase::Settling;
            return ctx.sleep(Duration::from_secs(1));
        }
        if self.cached.is_none() {
            self.cached = ctx.whereis_ref::<Front>(FRONT);
        }
        match self.cached {
            Some(front) => {
                self.phase = Phase::Applying(op);
                ctx.call(front, Apply(op));
            }
            None => {
                // The front is down: wait for its supervisor to start it again.
                self.phase = Phase::Lookup(op);
                ctx.sleep(Duration::from_millis(10));
            }
        }
    }
}

impl Client for Operator {
    fn step(&mut self, outcome: Option<CallOutcome>, ctx: &mut ClientCtx) -> Result<(), Check> {
        match self.phase {
            Phase::Lookup(op) => self.apply(op, ctx),
            Phase::Applying(op) => match outcome {
                Some(Ok(_)) => {
                    self.done.push(op);
                    self.apply(op + 1, ctx);
                }
                Some(Err(CallError::NoProcess)) => {
                    let stale = self.cached.take();
                    match ctx.whereis_ref::<Front>(FRONT) {
                        // THE BUG: a new instance holds the name, so the client assumes the
                        // restart took over its operation. The dead instance never saw it.
                        Some(new) if Some(new) != stale => {
                            self.done.push(op);
                            self.cached = Some(new);
                            self.apply(op + 1, ctx);
                        }
                        _ => self.apply(op, ctx),
                    }
                }
                // The front exited with the call queued: it was never applied; try again.
                Some(Err(_)) => {
                    self.cached = None;
                    self.apply(op, ctx);
                }
                None => return Err(Check::failed("expected the outcome of a call")),
            },
            Phase::Settling => {
                self.phase = Phase::Checking;
                ctx.call(self.ledger, List);
            }
            Phase::Checking => {
                let applied = expect_reply::<Vec<u32>>(outcome)?;
                if let Some(op) = self.done.iter().find(|op| !applied.contains(op)) {
                    return Err(Check::failed(format!(
                        "operation {op} was counted as done but the ledger never saw it \
                         (ledger: {applied:?})"
                    )));
                }
            }
        }
        Ok(())
    }
}

/// The `restart-registry-race` system.
pub struct RestartRegistryRace;

impl System for RestartRegistryRace {
    fn name(&self) -> &'static str {
        "restart-registry-race"
    }
    fn description(&self) -> &'static str {
        "a client calls a cached id after a supervised restart and takes NoProcess for done: an operation is lost (bug; crash faults, supervisor)"
    }
    fn has_bug(&self) -> bool {
        true
    }
    fn build(&self, world: &mut World) {
        let ledger = world.spawn::<Ledger>("ledger", ());
        world.hash_state(ledger);
        let front = ChildSpec::new::<Front>("front", move || ledger).named(FRONT);
        let spec = SupervisorSpec::<SimSpawner>::new(Strategy::OneForOne).child(front);
        world.spawn::<Supervisor<SimSpawner>>("sup", spec);
        world.client(
            "operator",
            Operator {
                ledger,
                cached: None,
                phase: Phase::Lookup(1),
                done: Vec::new(),
            },
        );
        world.crashable_name(FRONT);
        let faults = world.faults();
        faults.budget = 1;
        faults.probability = 0.2;
    }
}
