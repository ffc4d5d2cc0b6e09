//! `stack`: the GenServers.jl stack, `[1, 2, 3]` at start, with concurrent pushers (casts)
//! and a popper (calls). Correct: every popped value was pushed once, nothing is lost.

use std::sync::{Arc, Mutex};

use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo};

use crate::World;

/// The stack server: its state is the stack.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Stack(pub Vec<i64>);

/// The stack's calls.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StackCall {
    /// Remove and return the top element.
    Pop,
}

impl GenServer for Stack {
    type Args = Vec<i64>;
    type Call = StackCall;
    type Reply = Option<i64>;
    type Cast = i64;
    type Info = ();
    type Continue = ();

    fn init(items: Vec<i64>, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Stack(items))
    }
    fn handle_call(
        &mut self,
        _: StackCall,
        _: ReplyTo<Option<i64>>,
        _: &mut Ctx<Self>,
    ) -> CallResult<Option<i64>> {
        CallResult::Reply(self.0.pop())
    }
    fn handle_cast(&mut self, item: i64, _: &mut Ctx<Self>) {
        self.0.push(item);
    }
}

const INITIAL: [i64; 3] = [1, 2, 3];
const PUSHERS: i64 = 3;
const PUSHES: i64 = 2;

/// Every value that is ever on the stack.
fn all_values() -> Vec<i64> {
    let pushed = (1..=PUSHERS).flat_map(|p| (1..=PUSHES).map(move |i| 10 * p + i));
    INITIAL.into_iter().chain(pushed).collect()
}

/// Whether `value` is one of [`all_values`] (without building the list at every pop).
fn ever_pushed(value: i64) -> bool {
    let (pusher, nth) = (value / 10, value % 10);
    INITIAL.contains(&value) || (1..=PUSHERS).contains(&pusher) && (1..=PUSHES).contains(&nth)
}

/// Builds `stack`: three pushers cast their values, a popper pops four times and checks
/// each value.
pub fn build(world: &mut World) {
    let stack = world.spawn::<Stack>("stack", INITIAL.to_vec());
    world.hash_state(stack);
    world.clone_state(stack);
    for p in 1..=PUSHERS {
        world.client(&format!("pusher-{p}"), async move |cx| {
            for value in (1..=PUSHES).map(|i| 10 * p + i) {
                cx.cast(stack, value);
            }
            Ok(())
        });
    }
    let popped = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&popped);
    world.client("popper", async move |cx| {
        for _ in 0..4 {
            if let Some(value) = cx.call(stack, StackCall::Pop).await? {
                let mut popped = seen.lock().expect("one thread");
                if popped.contains(&value) || !ever_pushed(value) {
                    return Err(format!("popped {value}, never pushed or popped twice").into());
                }
                popped.push(value);
            }
        }
        Ok(())
    });
    world.invariant("no value twice on the stack", move |view| {
        let Some(Stack(items)) = view.state(stack) else {
            return Ok(());
        };
        // A handful of items: looking back from each is cheaper than sorting a copy.
        let twice = (items.iter().enumerate()).any(|(i, item)| items[..i].contains(item));
        if twice {
            Err(format!("stack {items:?}"))
        } else {
            Ok(())
        }
    });
    world.at_end("nothing lost", move |view| {
        let mut seen = view.state(stack).map(|s| s.0.clone()).unwrap_or_default();
        seen.extend(popped.lock().expect("one thread").iter().copied());
        seen.sort_unstable();
        let mut all = all_values();
        all.sort_unstable();
        if seen == all {
            Ok(())
        } else {
            Err(format!("stack + popped = {seen:?}, expected {all:?}"))
        }
    });
}

#[cfg(test)]
mod tests {
    use super::{all_values, ever_pushed};

    #[test]
    fn ever_pushed_is_membership_of_all_values() {
        let all = all_values();
        for value in -50..100 {
            assert_eq!(ever_pushed(value), all.contains(&value), "{value}");
        }
    }
}
