//! `lost-update`: two clients each `get` the counter, then `set(v + 1)`. Run one after the
//! other they give 2; when both `get` before either `set`, one update is lost and the final
//! value is 1.

use genserver::{ClientResult, Cx, ServerRef, Stage};

use super::counter::{Counter, CounterCall};
use crate::World;

/// Reads, then writes the value read plus one: the bug. (The stateright comparison in
/// `benches/` runs N of these.)
pub async fn read_modify_write(cx: Cx, counter: ServerRef<Counter>) -> ClientResult {
    let value = cx.call(counter, CounterCall::Get).await?;
    cx.call(counter, CounterCall::Set(value + 1)).await?;
    Ok(())
}

/// The clients and the server, for any stage (real threads too): two clients each read,
/// then write the value read plus one.
pub fn scenario(stage: &mut impl Stage) -> ServerRef<Counter> {
    let counter = stage.spawn::<Counter>("counter", 0);
    for i in 1..=2 {
        stage.client(&format!("client-{i}"), move |cx| {
            read_modify_write(cx, counter)
        });
    }
    counter
}

/// Builds `lost-update`.
pub fn build(world: &mut World) {
    let counter = scenario(world);
    world.hash_state(counter);
    world.clone_state(counter);
    world.at_end("both increments counted", move |view| {
        match view.state(counter) {
            Some(c) if c.0 == 2 => Ok(()),
            Some(c) => Err(format!("final value {}, expected 2", c.0)),
            None => Err("the counter is dead".to_owned()),
        }
    });
}
