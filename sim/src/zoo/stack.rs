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

/// The pushers' names (written out: formatting them at every build cost more than the rest
/// of the names).
const PUSHER_NAMES: [&str; PUSHERS as usize] = ["pusher-1", "pusher-2", "pusher-3"];

// `all_once` gives each value a bit of a `u64`.
const _: () = assert!(INITIAL.len() as i64 + PUSHERS * PUSHES <= 64);

/// Whether `values` are [`all_values`] in some order: each once, none else (without
/// building, sorting and comparing lists after every run). [`all_values`] are distinct.
fn all_once(values: impl Iterator<Item = i64>) -> bool {
    let place = |value: i64| match INITIAL.iter().position(|&v| v == value) {
        Some(at) => Some(at as i64),
        None => ever_pushed(value)
            .then(|| INITIAL.len() as i64 + (value / 10 - 1) * PUSHES + value % 10 - 1),
    };
    let mut seen = 0u64;
    for value in values {
        let Some(bit) = place(value).map(|at| 1u64 << at) else {
            return false;
        };
        if seen & bit != 0 {
            return false;
        }
        seen |= bit;
    }
    seen.count_ones() as usize == INITIAL.len() + (PUSHERS * PUSHES) as usize
}

/// Whether an item occurs twice in `items` (a bit per value when they are small, else a
/// look back from each item).
fn repeats(items: &[i64]) -> bool {
    let mut seen = 0u64;
    for &item in items {
        if !(0..64).contains(&item) {
            return (items.iter().enumerate()).any(|(i, item)| items[..i].contains(item));
        }
        if seen & 1 << item != 0 {
            return true;
        }
        seen |= 1 << item;
    }
    false
}

/// Builds `stack`: three pushers cast their values, a popper pops four times and checks
/// each value.
pub fn build(world: &mut World) {
    let stack = world.spawn::<Stack>("stack", INITIAL.to_vec());
    world.hash_state(stack);
    world.clone_state(stack);
    for (p, name) in (1..=PUSHERS).zip(PUSHER_NAMES) {
        world.client(name, async move |cx| {
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
        if repeats(items) {
            Err(format!("stack {items:?}"))
        } else {
            Ok(())
        }
    });
    world.at_end("nothing lost", move |view| {
        let items = view.state(stack).map_or(&[][..], |s| &s.0[..]);
        let popped = popped.lock().expect("one thread");
        if all_once(items.iter().chain(popped.iter()).copied()) {
            return Ok(());
        }
        let mut seen = items.to_vec();
        seen.extend(popped.iter().copied());
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
    use super::{PUSHER_NAMES, PUSHERS, all_once, all_values, ever_pushed, repeats};

    #[test]
    fn pusher_names_are_numbered_from_1() {
        let named: Vec<String> = (1..=PUSHERS).map(|p| format!("pusher-{p}")).collect();
        assert_eq!(named, PUSHER_NAMES);
    }

    #[test]
    fn all_once_is_a_sorted_comparison_with_all_values() {
        let mut all = all_values();
        all.sort_unstable();
        let mut x: u64 = 3;
        for round in 0..3000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let mut values = all_values();
            let turn = (x >> 40) as usize % values.len();
            values.rotate_left(turn);
            match round % 4 {
                0 => {}
                1 => values[(x >> 20) as usize % 9] = (x >> 50) as i64 % 40 - 5,
                2 => drop(values.pop()),
                _ => values.push((x >> 50) as i64 % 40 - 5),
            }
            let mut sorted = values.clone();
            sorted.sort_unstable();
            assert_eq!(
                all_once(values.iter().copied()),
                sorted == all,
                "{values:?}"
            );
        }
    }

    #[test]
    fn repeats_looks_back_from_each_item() {
        let mut x: u64 = 5;
        for _ in 0..3000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let len = (x >> 60) as usize;
            let items: Vec<i64> = (0..len)
                .map(|i| ((x >> (4 * i)) & 0x7f) as i64 - 20)
                .collect();
            let twice = (items.iter().enumerate()).any(|(i, item)| items[..i].contains(item));
            assert_eq!(repeats(&items), twice, "{items:?}");
        }
    }

    #[test]
    fn ever_pushed_is_membership_of_all_values() {
        let all = all_values();
        for value in -50..100 {
            assert_eq!(ever_pushed(value), all.contains(&value), "{value}");
        }
    }
}
