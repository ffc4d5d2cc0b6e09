//! Systems: named, buildable worlds (the bundled zoo, or your own).

use crate::world::World;

/// A simulated system: servers, clients, checks and faults, built fresh for every run.
///
/// ```
/// use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo, ServerRef};
/// use genserver_sim::{Check, Client, ClientCtx, CallOutcome, System, Verdict, World, expect_reply};
///
/// /// A server that counts casts and reports the count.
/// struct Tally(u32);
///
/// impl GenServer for Tally {
///     type Args = u32;
///     type Call = ();
///     type Reply = u32;
///     type Cast = ();
///     type Info = ();
///     type Continue = ();
///     fn init(start: u32, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
///         Ok(Tally(start))
///     }
///     fn handle_call(&mut self, _: (), _: ReplyTo<u32>, _: &mut Ctx<Self>) -> CallResult<u32> {
///         CallResult::Reply(self.0)
///     }
///     fn handle_cast(&mut self, _: (), _: &mut Ctx<Self>) {
///         self.0 += 1;
///     }
/// }
///
/// /// Casts once, then reads: its own cast always arrives first (same sender, FIFO).
/// struct CastThenRead(ServerRef<Tally>, bool);
///
/// impl Client for CastThenRead {
///     fn step(&mut self, outcome: Option<CallOutcome>, ctx: &mut ClientCtx) -> Result<(), Check> {
///         if self.1 {
///             let seen = expect_reply::<u32>(outcome)?;
///             return if seen >= 1 { Ok(()) } else { Err(Check::failed("my cast was lost")) };
///         }
///         self.1 = true;
///         ctx.cast(self.0, ());
///         ctx.call(self.0, ());
///         Ok(())
///     }
/// }
///
/// struct Tiny;
///
/// impl System for Tiny {
///     fn name(&self) -> &'static str { "tiny" }
///     fn description(&self) -> &'static str { "two clients cast and read a tally" }
///     fn has_bug(&self) -> bool { false }
///     fn build(&self, world: &mut World) {
///         let tally = world.spawn::<Tally>("tally", 0);
///         world.client("client-1", CastThenRead(tally, false));
///         world.client("client-2", CastThenRead(tally, false));
///         world.at_end("two casts", move |view| match view.state(tally) {
///             Some(Tally(2)) => Ok(()),
///             _ => Err("casts missing".into()),
///         });
///     }
/// }
///
/// let report = genserver_sim::run(&Tiny, 42, 1_000, true);
/// assert_eq!(report.verdict, Verdict::Pass);
/// assert_eq!(report.trace.unwrap().schedule()[0], "start client-1");
/// assert!(genserver_sim::hunt(&Tiny, 0, 500, 1_000).found.is_none());
/// ```
pub trait System: Sync {
    /// Its name, as `gsim` knows it.
    fn name(&self) -> &'static str;
    /// One line saying what it is.
    fn description(&self) -> &'static str;
    /// Whether it hides a bug that a hunt should find.
    fn has_bug(&self) -> bool;
    /// Builds the world: spawn servers, add clients, invariants and faults.
    fn build(&self, world: &mut World);
}

/// The bundled systems, in `gsim list` order.
pub fn systems() -> &'static [&'static dyn System] {
    use crate::zoo;
    &[
        &zoo::lost_update::LostUpdate,
        &zoo::call_cycle::CallCycle,
        &zoo::stale_read::StaleRead,
        &zoo::retry_double_apply::RetryDoubleApply,
        &zoo::restart_loses_work::RestartLosesWork,
        &zoo::aba_version::AbaVersion,
        &zoo::restart_registry_race::RestartRegistryRace,
        &zoo::stack::StackSystem,
        &zoo::counter::CounterSystem,
    ]
}

/// The bundled system called `name`.
pub fn find_system(name: &str) -> Option<&'static dyn System> {
    systems().iter().copied().find(|s| s.name() == name)
}
