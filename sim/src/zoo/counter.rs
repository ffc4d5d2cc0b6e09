//! `counter`: the fixed lost-update. Clients ask the server to increment, so the read and
//! the write happen in one handler and no interleaving loses an update.

use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo, ServerRef, Stage};

use crate::World;

/// A counter server (shared with `lost-update`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Counter(pub i64);

/// The counter's calls.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CounterCall {
    /// Read the value.
    Get,
    /// Replace the value.
    Set(i64),
    /// Add one and return the new value.
    Increment,
}

impl GenServer for Counter {
    type Args = i64;
    type Call = CounterCall;
    type Reply = i64;
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(start: i64, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Counter(start))
    }

    fn handle_call(
        &mut self,
        call: CounterCall,
        _: ReplyTo<i64>,
        _: &mut Ctx<Self>,
    ) -> CallResult<i64> {
        match call {
            CounterCall::Get => {}
            CounterCall::Set(value) => self.0 = value,
            CounterCall::Increment => self.0 += 1,
        }
        CallResult::Reply(self.0)
    }
}

/// How many clients increment.
const CLIENTS: i64 = 3;

/// The clients and the server, for any stage (real threads too): three clients increment
/// the counter once each.
pub fn scenario(stage: &mut impl Stage) -> ServerRef<Counter> {
    let counter = stage.spawn::<Counter>("counter", 0);
    for i in 1..=CLIENTS {
        stage.client(&format!("client-{i}"), async move |cx| {
            cx.call(counter, CounterCall::Increment).await?;
            Ok(())
        });
    }
    counter
}

/// Builds `counter`: three clients each increment once, atomically.
pub fn build(world: &mut World) {
    let counter = scenario(world);
    world.hash_state(counter);
    world.clone_state(counter);
    world.invariant(
        "never above the number of clients",
        move |view| match view.state(counter) {
            Some(c) if c.0 > CLIENTS => Err(format!("value {} > {CLIENTS}", c.0)),
            _ => Ok(()),
        },
    );
    world.at_end("every increment counted", move |view| {
        match view.state(counter) {
            Some(c) if c.0 == CLIENTS => Ok(()),
            Some(c) => Err(format!("final value {}, expected {CLIENTS}", c.0)),
            None => Err("the counter is dead".to_owned()),
        }
    });
}
