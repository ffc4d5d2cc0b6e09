//! `lost-update`: two clients each `get` the counter, then `set(v + 1)`. Run one after the
//! other they give 2; when both `get` before either `set`, one update is lost and the final
//! value is 1.

use genserver::ServerRef;

use super::counter::{Counter, CounterCall};
use crate::{CallOutcome, Check, Client, ClientCtx, System, World, expect_reply};

/// Reads, then writes the value read plus one: the bug. (The stateright comparison in
/// `benches/` runs N of these.)
pub struct ReadModifyWrite {
    counter: ServerRef<Counter>,
    phase: u8,
}

impl ReadModifyWrite {
    /// A client of `counter` that has not started yet.
    pub fn new(counter: ServerRef<Counter>) -> Self {
        ReadModifyWrite { counter, phase: 0 }
    }
}

impl Client for ReadModifyWrite {
    fn step(&mut self, outcome: Option<CallOutcome>, ctx: &mut ClientCtx) -> Result<(), Check> {
        self.phase += 1;
        match self.phase {
            1 => ctx.call(self.counter, CounterCall::Get),
            2 => {
                let value = expect_reply::<i64>(outcome)?;
                ctx.call(self.counter, CounterCall::Set(value + 1));
            }
            _ => {
                expect_reply::<i64>(outcome)?;
            }
        }
        Ok(())
    }
}

/// The `lost-update` system.
pub struct LostUpdate;

impl System for LostUpdate {
    fn name(&self) -> &'static str {
        "lost-update"
    }
    fn description(&self) -> &'static str {
        "two clients each get then set(v+1) on a counter: an update can be lost (bug)"
    }
    fn has_bug(&self) -> bool {
        true
    }
    fn build(&self, world: &mut World) {
        let counter = world.spawn::<Counter>("counter", 0);
        world.hash_state(counter);
        for i in 1..=2 {
            world.client(&format!("client-{i}"), ReadModifyWrite::new(counter));
        }
        world.at_end("both increments counted", move |view| {
            match view.state(counter) {
                Some(c) if c.0 == 2 => Ok(()),
                Some(c) => Err(format!("final value {}, expected 2", c.0)),
                None => Err("the counter is dead".to_owned()),
            }
        });
    }
}
