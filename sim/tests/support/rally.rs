//! Two servers that bounce a ball for ever (casts only: never blocked), for tests that need
//! processes running past any step limit.

use genserver::{CallResult, Ctx, ExitReason, GenServer, ProcessId, ReplyTo, ServerRef};
use genserver_sim::World;

/// Answers every cast with a cast back to its partner.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Bouncer(ServerRef<Bouncer>);

impl GenServer for Bouncer {
    type Args = (ServerRef<Bouncer>, bool);
    type Call = ();
    type Reply = ();
    type Cast = ();
    type Info = ();
    type Continue = ();
    fn init((other, serve): Self::Args, ctx: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        if serve {
            ctx.cast(other, ());
        }
        Ok(Bouncer(other))
    }
    fn handle_call(&mut self, _: (), _: ReplyTo<()>, _: &mut Ctx<Self>) -> CallResult<()> {
        CallResult::Reply(())
    }
    fn handle_cast(&mut self, _: (), ctx: &mut Ctx<Self>) {
        ctx.cast(self.0, ());
    }
}

/// Spawns two bouncers named `names`, the second serving first; returns the first.
pub fn rally(world: &mut World, names: [&str; 2]) -> ServerRef<Bouncer> {
    let second = ServerRef::new(ProcessId(world.next_ref::<Bouncer>().id().0 + 1));
    let first = world.spawn::<Bouncer>(names[0], (second, false));
    world.spawn::<Bouncer>(names[1], (first, true));
    first
}
