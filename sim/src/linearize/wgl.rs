//! The search of one partition: Wing & Gong's algorithm as improved by Lowe ("Testing for
//! linearizability", 2017), the algorithm of Porcupine's checker.
//!
//! The search walks the list of entries ([`Entries`]) from its head. At a call entry it tries
//! to linearize that operation next: the model steps, and if the output fits and the pair
//! (operations linearized so far, model state) has not been reached before, the operation
//! is lifted out of the list, pushed on the stack with the state before it, and the walk
//! starts again at the head. Otherwise the walk moves on to the next entry. Reaching a
//! return entry means that its operation, which must come before everything later, could
//! not be placed: the search pops the last operation off the stack, puts its entries back,
//! and tries the entries after its call. The history is linearizable when every completed
//! operation is linearized; it is not when the stack is empty at a return entry.
//!
//! A pending operation has a call entry only: it may be linearized anywhere after its
//! invocation with any output, and need not be linearized at all.
//!
//! The memo cache (Lowe's contribution) makes the search visit each (set, state) pair once;
//! without it the search is exponential in the number of concurrent operations.

use std::collections::HashSet;

use super::bitset::{Bitset, FxBuild};
use super::entries::{END, Entries, HEAD};
use super::history::{OpId, Operation};
use super::model::Model;

/// Where a search failed: the deepest attempt, and the operation it could not place.
#[derive(Debug)]
pub(crate) struct Stuck {
    /// Operations linearized in the deepest attempt, in order.
    pub(crate) prefix: Vec<OpId>,
    /// The completed operation that could not be placed after them.
    pub(crate) blocked: OpId,
}

/// Decides whether `operations` (one partition; `ids` their ids in the history) are
/// linearizable from `initial`.
pub(crate) fn search<M: Model>(
    initial: &M,
    ids: &[OpId],
    operations: &[&Operation<M::Op, M::Ret>],
) -> Result<(), Stuck> {
    let mut entries = Entries::new(operations);
    let mut remaining = operations.iter().filter(|op| !op.is_pending()).count();
    let mut linearized = Bitset::new(operations.len());
    let mut cache: HashSet<(Bitset, M), FxBuild> = HashSet::default();
    // The call entries of the linearized operations, with the state before each.
    let mut stack: Vec<(usize, M)> = Vec::new();
    let mut state = initial.clone();
    let mut deepest: Option<Stuck> = None;
    let mut entry = entries.next(HEAD);
    while remaining > 0 {
        // A completed operation is still listed, so its return entry comes before the end.
        debug_assert_ne!(entry, END, "the walk passed a listed return entry");
        let index = entries.op(entry);
        if entries.is_call(entry) {
            let operation = operations[index];
            let mut next = state.clone();
            let output = next.step(&operation.input);
            if operation
                .output()
                .is_none_or(|expected| *expected == output)
            {
                linearized.set(index);
                if cache.insert((linearized.clone(), next.clone())) {
                    stack.push((entry, std::mem::replace(&mut state, next)));
                    entries.lift(entry);
                    if !operation.is_pending() {
                        remaining -= 1;
                    }
                    entry = entries.next(HEAD);
                    continue;
                }
                linearized.clear(index);
            }
            entry = entries.next(entry);
        } else {
            if deepest
                .as_ref()
                .is_none_or(|stuck| stack.len() > stuck.prefix.len())
            {
                deepest = Some(Stuck {
                    prefix: stack
                        .iter()
                        .map(|&(call, _)| ids[entries.op(call)])
                        .collect(),
                    blocked: ids[index],
                });
            }
            let Some((call, before)) = stack.pop() else {
                return Err(deepest.expect("recorded just now"));
            };
            state = before;
            let undone = entries.op(call);
            linearized.clear(undone);
            entries.unlift(call);
            if !operations[undone].is_pending() {
                remaining += 1;
            }
            entry = entries.next(call);
        }
    }
    Ok(())
}
