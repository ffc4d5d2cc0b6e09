//! The peer: a ractor actor doing the same work as `Sink`, on a one-worker tokio runtime.

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort, call};
use tokio::runtime::Runtime as Tokio;

pub(crate) enum Msg {
    Add(u64),
    Get(RpcReplyPort<u64>),
}

pub(crate) struct SinkActor;

impl Actor for SinkActor {
    type Msg = Msg;
    type State = u64;
    type Arguments = ();

    async fn pre_start(&self, _: ActorRef<Msg>, _: ()) -> Result<u64, ActorProcessingErr> {
        Ok(0)
    }

    async fn handle(
        &self,
        _: ActorRef<Msg>,
        msg: Msg,
        total: &mut u64,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            Msg::Add(value) => *total = total.wrapping_add(value),
            Msg::Get(reply) => {
                let _ = reply.send(*total);
            }
        }
        Ok(())
    }
}

/// A running ractor sink and the runtime that drives it.
pub(crate) struct RactorSink {
    tokio: Tokio,
    actor: ActorRef<Msg>,
}

impl RactorSink {
    pub(crate) fn new() -> Self {
        let tokio = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("tokio runtime");
        let (actor, _) = tokio
            .block_on(Actor::spawn(None, SinkActor, ()))
            .expect("actor starts");
        RactorSink { tokio, actor }
    }

    pub(crate) fn cast(&self, value: u64) {
        self.actor.cast(Msg::Add(value)).expect("actor alive");
    }

    pub(crate) fn get(&self) -> u64 {
        self.tokio
            .block_on(async { call!(self.actor, Msg::Get) })
            .expect("actor replies")
    }
}

impl Drop for RactorSink {
    fn drop(&mut self) {
        self.actor.stop(None);
    }
}
