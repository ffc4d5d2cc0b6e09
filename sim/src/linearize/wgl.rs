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
//! The memo cache (Lowe's contribution) makes the search visit each (set, state) pair once;
//! without it the search is exponential in the number of concurrent operations.
//!
//! **Pending operations** have a call entry only: one may be linearized anywhere after its
//! invocation, with any output, or not at all, and it never holds another operation back.
//! So a node that has linearized fewer pending operations, with the same completed ones and
//! the same state, can do all that one with more can: the cache keeps, for each (completed
//! set, state), the sets of pending operations it was reached with, and prunes a node whose
//! pending set includes one of them (a pending operation that leaves the state as it was is
//! pruned at once). At each node the walk tries the completed operations first and the
//! pending ones after, so the nodes with fewer pending operations tend to come first. And
//! right after a pending operation, an operation that would fit as well, with the same
//! state, without it is not tried: that sibling dominates (so a chain of pending writes is
//! not tried in every order). Pending operations with equal inputs are interchangeable:
//! they are linearized in the order of their invocations only (`earlier_equals`). Without
//! these, each pending operation could double the nodes of a failing search.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

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

/// The operations linearized: the completed ones, and the pending ones, each numbered apart.
struct Linearized {
    completed: Bitset,
    pending: Bitset,
    /// Each operation's number among the completed or among the pending operations.
    slot: Vec<usize>,
    /// Whether each operation is pending.
    is_pending: Vec<bool>,
}

impl Linearized {
    fn new<Op, Ret>(operations: &[&Operation<Op, Ret>]) -> Self {
        let (mut completed, mut pending) = (0, 0);
        let mut slot = Vec::with_capacity(operations.len());
        let mut is_pending = Vec::with_capacity(operations.len());
        for operation in operations {
            let counter = if operation.is_pending() {
                &mut pending
            } else {
                &mut completed
            };
            slot.push(*counter);
            *counter += 1;
            is_pending.push(operation.is_pending());
        }
        Linearized {
            completed: Bitset::new(completed),
            pending: Bitset::new(pending),
            slot,
            is_pending,
        }
    }

    fn set(&mut self, op: usize) {
        if self.is_pending[op] {
            self.pending.set(self.slot[op]);
        } else {
            self.completed.set(self.slot[op]);
        }
    }

    fn clear(&mut self, op: usize) {
        if self.is_pending[op] {
            self.pending.clear(self.slot[op]);
        } else {
            self.completed.clear(self.slot[op]);
        }
    }

    /// Whether pending operation `op` is linearized.
    fn has_pending(&self, op: usize) -> bool {
        self.pending.contains(self.slot[op])
    }
}

/// For each pending operation, the pending operation with an equal input whose call entry
/// comes last before its own (`END` if none): of two such operations both callable, the
/// search linearizes the earlier one only. They are interchangeable: a pending operation
/// holds nothing back and any output fits it, and the earlier one may go wherever the later
/// one may, so an order that uses the later one while the earlier one is unused stays
/// valid with the two swapped. So the pending operations of one input are linearized in
/// the order of their call entries.
fn earlier_equals<Op: PartialEq, Ret>(
    entries: &Entries,
    operations: &[&Operation<Op, Ret>],
) -> Vec<usize> {
    let mut earlier = vec![END; operations.len()];
    // The pending operations seen so far, by call entry, latest first when searched.
    let mut seen: Vec<usize> = Vec::new();
    let mut entry = entries.next(HEAD);
    while entry != END {
        let index = entries.op(entry);
        if entries.is_call(entry) && operations[index].is_pending() {
            let input = &operations[index].input;
            if let Some(&same) = seen.iter().rev().find(|&&j| operations[j].input == *input) {
                earlier[index] = same;
            }
            seen.push(index);
        }
        entry = entries.next(entry);
    }
    earlier
}

/// The memo cache: for each (completed operations linearized, state), the sets of pending
/// operations linearized it was reached with.
struct Cache<M>(HashMap<(Bitset, M), Vec<Bitset>, FxBuild>);

impl<M: Model> Cache<M> {
    /// Records a node; false if it, or a node that dominates it, was reached before.
    fn visit(&mut self, linearized: &Linearized, state: &M) -> bool {
        match self.0.entry((linearized.completed.clone(), state.clone())) {
            Entry::Vacant(vacant) => {
                vacant.insert(vec![linearized.pending.clone()]);
                true
            }
            Entry::Occupied(mut seen) => {
                if seen
                    .get()
                    .iter()
                    .any(|pending| pending.is_subset(&linearized.pending))
                {
                    return false;
                }
                seen.get_mut().push(linearized.pending.clone());
                true
            }
        }
    }
}

/// Whether the pending operation linearized last (if the last is pending) was needless
/// before `operation`, which leads to `next`: linearized without it, `operation` fits too and
/// leads to the same state. That node, with one pending operation fewer, is a sibling of
/// the last (`operation` was a candidate there too, since a pending operation holds nothing
/// back) and dominates this one. So a pending write is carried on only by what sees it.
fn needless_pending<M: Model>(
    stack: &[(usize, M)],
    entries: &Entries,
    linearized: &Linearized,
    operation: &Operation<M::Op, M::Ret>,
    next: &M,
) -> bool {
    let Some((last, before)) = stack.last() else {
        return false;
    };
    if !linearized.is_pending[entries.op(*last)] {
        return false;
    }
    let mut without = before.clone();
    let output = without.step(&operation.input);
    operation
        .output()
        .is_none_or(|expected| *expected == output)
        && without == *next
}

/// Decides whether `operations` (one partition; `ids` their ids in the history) are
/// linearizable from `initial`.
pub(crate) fn search<M: Model>(
    initial: &M,
    ids: &[OpId],
    operations: &[&Operation<M::Op, M::Ret>],
) -> Result<(), Stuck> {
    let mut entries = Entries::new(operations);
    let mut linearized = Linearized::new(operations);
    let any_pending = linearized.is_pending.contains(&true);
    let earlier = earlier_equals(&entries, operations);
    let mut remaining = operations.iter().filter(|op| !op.is_pending()).count();
    let mut cache = Cache(HashMap::default());
    cache.visit(&linearized, initial);
    // The call entries of the linearized operations, with the state before each.
    let mut stack: Vec<(usize, M)> = Vec::new();
    let mut state = initial.clone();
    let mut deepest: Option<Stuck> = None;
    let mut entry = entries.next(HEAD);
    // Whether this walk tries the pending operations (after the completed ones).
    let mut pending_phase = false;
    while remaining > 0 {
        // A completed operation is still listed, so its return entry comes before the end.
        debug_assert_ne!(entry, END, "the walk passed a listed return entry");
        let index = entries.op(entry);
        if entries.is_call(entry) {
            let interchangeable =
                pending_phase && earlier[index] != END && !linearized.has_pending(earlier[index]);
            if linearized.is_pending[index] == pending_phase && !interchangeable {
                let operation = operations[index];
                let mut next = state.clone();
                let output = next.step(&operation.input);
                if operation
                    .output()
                    .is_none_or(|expected| *expected == output)
                    && !needless_pending(&stack, &entries, &linearized, operation, &next)
                {
                    linearized.set(index);
                    if cache.visit(&linearized, &next) {
                        stack.push((entry, std::mem::replace(&mut state, next)));
                        entries.lift(entry);
                        if !operation.is_pending() {
                            remaining -= 1;
                        }
                        entry = entries.next(HEAD);
                        pending_phase = false;
                        continue;
                    }
                    linearized.clear(index);
                }
            }
            entry = entries.next(entry);
        } else if !pending_phase && any_pending {
            // The completed candidates are tried: now the pending ones.
            pending_phase = true;
            entry = entries.next(HEAD);
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
            pending_phase = linearized.is_pending[undone];
            if !pending_phase {
                remaining += 1;
            }
            entry = entries.next(call);
        }
    }
    Ok(())
}
