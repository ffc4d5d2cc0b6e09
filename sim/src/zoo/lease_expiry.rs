//! `lease-expiry`: a lock grants 100 ms leases; its holder enters a room, leaves it, and
//! releases the lock. Messages take up to 100 ms ([`World::set_max_latency`]), so the lease
//! can expire while the holder's messages are in flight: the lock goes to the next client,
//! which enters the room while the first is still inside. (A lease needs a fencing token
//! that the room checks.) Found by time that races deliveries alone, no fault configured.

use std::collections::VecDeque;
use std::time::Duration;

use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo};

use crate::World;

/// How long a lease lasts.
const LEASE: Duration = Duration::from_millis(100);

/// The lock: one lease at a time, numbered; acquirers wait in line.
#[derive(Debug, Clone, Default)]
pub struct Lock {
    held: Option<u64>,
    leases: u64,
    waiting: VecDeque<ReplyTo<u64>>,
}

/// The lock's cast: give lease `n` back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release(pub u64);

/// The lock's timer: lease `n` runs out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expire(pub u64);

impl Lock {
    /// Frees lease `n` if it is the one held, and grants the next in line.
    fn end(&mut self, n: u64, ctx: &mut Ctx<Self>) {
        if self.held == Some(n) {
            self.held = None;
            if let Some(next) = self.waiting.pop_front() {
                let lease = self.grant(ctx);
                ctx.reply(&next, lease);
            }
        }
    }

    fn grant(&mut self, ctx: &mut Ctx<Self>) -> u64 {
        self.leases += 1;
        self.held = Some(self.leases);
        ctx.set_timer(LEASE, Expire(self.leases));
        self.leases
    }
}

impl GenServer for Lock {
    type Args = ();
    type Call = ();
    type Reply = u64;
    type Cast = Release;
    type Info = Expire;
    type Continue = ();

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Lock::default())
    }
    fn handle_call(&mut self, _: (), from: ReplyTo<u64>, ctx: &mut Ctx<Self>) -> CallResult<u64> {
        if self.held.is_none() {
            return CallResult::Reply(self.grant(ctx));
        }
        self.waiting.push_back(from);
        CallResult::NoReply
    }
    fn handle_cast(&mut self, Release(n): Release, ctx: &mut Ctx<Self>) {
        self.end(n, ctx);
    }
    fn handle_info(&mut self, Expire(n): Expire, ctx: &mut Ctx<Self>) {
        self.end(n, ctx);
    }
}

/// A room: how many are inside.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Room(pub u32);

/// The room's calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Door {
    /// Go in.
    Enter,
    /// Come out.
    Leave,
}

impl GenServer for Room {
    type Args = ();
    type Call = Door;
    type Reply = u32;
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Room::default())
    }
    fn handle_call(&mut self, door: Door, _: ReplyTo<u32>, _: &mut Ctx<Self>) -> CallResult<u32> {
        match door {
            Door::Enter => self.0 += 1,
            Door::Leave => self.0 = self.0.saturating_sub(1),
        }
        CallResult::Reply(self.0)
    }
}

/// Builds `lease-expiry`: two clients each take the lock, enter the room, leave, release.
pub fn build(world: &mut World) {
    let lock = world.spawn::<Lock>("lock", ());
    let room = world.spawn::<Room>("room", ());
    world.hash_state(room);
    world.clone_state(room);
    world.clone_state(lock);
    for name in ["alice", "bob"] {
        world.client(name, async move |cx| {
            let lease = cx.call(lock, ()).await?;
            cx.call(room, Door::Enter).await?;
            cx.call(room, Door::Leave).await?;
            cx.cast(lock, Release(lease));
            Ok(())
        });
    }
    world.invariant("one in the room at a time", move |view| {
        view.state(room).is_none_or(|r| r.0 <= 1)
    });
    world.set_max_latency(LEASE);
}
