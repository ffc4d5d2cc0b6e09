//! `call-cycle`: server A calls B inside a handler while B calls A. Each is blocked in its
//! own call, so neither answers the other: a deadlock until the 5 s timeout. Plain tests that
//! sync one peer at a time never see it.

use genserver::{
    CallError, CallResult, Ctx, ExitReason, GenServer, ProcessId, ReplyTo, ServerRef, Timeout,
};

use crate::World;

/// A peer that, asked to sync, pings the other peer before answering.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Peer {
    other: ServerRef<Peer>,
}

/// A peer's calls.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PeerCall {
    /// Check with the other peer, then answer.
    Sync,
    /// Answer at once.
    Ping,
}

/// The outcome of the ping, with the sync caller still to answer.
#[derive(Debug, Clone)]
pub struct Pinged(ReplyTo<bool>, Result<bool, CallError>);

impl GenServer for Peer {
    type Args = ServerRef<Peer>;
    type Call = PeerCall;
    type Reply = bool;
    type Cast = ();
    type Info = Pinged;
    type Continue = ();

    fn init(other: ServerRef<Peer>, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Peer { other })
    }

    fn handle_call(
        &mut self,
        call: PeerCall,
        from: ReplyTo<bool>,
        ctx: &mut Ctx<Self>,
    ) -> CallResult<bool> {
        match call {
            PeerCall::Ping => CallResult::Reply(true),
            PeerCall::Sync => {
                ctx.call(self.other, PeerCall::Ping, Timeout::DEFAULT, move |r| {
                    Pinged(from, r)
                });
                CallResult::NoReply
            }
        }
    }

    fn handle_info(&mut self, Pinged(from, outcome): Pinged, ctx: &mut Ctx<Self>) {
        ctx.reply(&from, outcome.unwrap_or(false));
    }
}

/// Builds `call-cycle`: two clients each ask one peer to sync, and expect success.
pub fn build(world: &mut World) {
    // Each peer needs the other's address: b will be spawned right after a.
    let a_ref = world.next_ref::<Peer>();
    let b_ref = ServerRef::new(ProcessId(a_ref.id().0 + 1));
    let a = world.spawn::<Peer>("a", b_ref);
    let b = world.spawn::<Peer>("b", a);
    world.clone_state(a);
    debug_assert_eq!((a, b), (a_ref, b_ref));
    for (name, peer) in [("client-1", a), ("client-2", b)] {
        world.client(name, async move |cx| {
            match cx.call(peer, PeerCall::Sync).await? {
                true => Ok(()),
                false => Err("sync answered false: the ping failed".into()),
            }
        });
    }
}
