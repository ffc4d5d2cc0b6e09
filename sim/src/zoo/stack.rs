//! `stack`: the GenServers.jl stack, `[1, 2, 3]` at start, with concurrent pushers (casts)
//! and a popper (calls). Correct: every popped value was pushed once, nothing is lost.

use std::cell::RefCell;
use std::rc::Rc;

use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo, ServerRef};

use crate::{CallOutcome, Check, Client, ClientCtx, System, World, expect_reply};

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

/// Casts its values, then finishes.
struct Pusher {
    stack: ServerRef<Stack>,
    values: Vec<i64>,
}

impl Client for Pusher {
    fn step(&mut self, _: Option<CallOutcome>, ctx: &mut ClientCtx) -> Result<(), Check> {
        for value in self.values.drain(..) {
            ctx.cast(self.stack, value);
        }
        Ok(())
    }
}

/// Pops a number of times, checking each value.
struct Popper {
    stack: ServerRef<Stack>,
    pops: u32,
    popped: Rc<RefCell<Vec<i64>>>,
}

impl Client for Popper {
    fn step(&mut self, outcome: Option<CallOutcome>, ctx: &mut ClientCtx) -> Result<(), Check> {
        if outcome.is_some() {
            if let Some(value) = expect_reply::<Option<i64>>(outcome)? {
                let mut popped = self.popped.borrow_mut();
                if popped.contains(&value) || !all_values().contains(&value) {
                    return Err(Check::failed(format!(
                        "popped {value}, never pushed or popped twice"
                    )));
                }
                popped.push(value);
            }
        }
        if self.pops > 0 {
            self.pops -= 1;
            ctx.call(self.stack, StackCall::Pop);
        }
        Ok(())
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

/// The `stack` system.
pub struct StackSystem;

impl System for StackSystem {
    fn name(&self) -> &'static str {
        "stack"
    }
    fn description(&self) -> &'static str {
        "the GenServers.jl stack with three concurrent pushers and a popper (correct)"
    }
    fn has_bug(&self) -> bool {
        false
    }
    fn build(&self, world: &mut World) {
        let stack = world.spawn::<Stack>("stack", INITIAL.to_vec());
        world.hash_state(stack);
        for p in 1..=PUSHERS {
            let values = (1..=PUSHES).map(|i| 10 * p + i).collect();
            world.client(&format!("pusher-{p}"), Pusher { stack, values });
        }
        let popped = Rc::new(RefCell::new(Vec::new()));
        let pops = 4;
        world.client(
            "popper",
            Popper {
                stack,
                pops,
                popped: Rc::clone(&popped),
            },
        );
        world.invariant("no value twice on the stack", move |view| {
            let Some(Stack(items)) = view.state(stack) else {
                return Ok(());
            };
            let mut sorted = items.clone();
            sorted.sort_unstable();
            sorted.dedup();
            if sorted.len() == items.len() {
                Ok(())
            } else {
                Err(format!("stack {items:?}"))
            }
        });
        world.at_end("nothing lost", move |view| {
            let mut seen = view.state(stack).map(|s| s.0.clone()).unwrap_or_default();
            seen.extend(popped.borrow().iter().copied());
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
}
