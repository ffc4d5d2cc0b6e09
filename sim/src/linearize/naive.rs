//! The baseline: a search of every order that respects real time, with no memo and no
//! partitions. Exponential; for tests and benchmarks to compare the checker against, on
//! histories of a dozen operations.

use super::history::History;
use super::model::Model;

/// Whether `history` is linearizable from `initial`, by trying every sequential order of
/// its operations that respects real time (an operation goes next only once every operation
/// that returned before its invocation has gone), each pending operation anywhere after
/// its invocation or nowhere.
pub fn is_linearizable<M: Model>(initial: &M, history: &History<M::Op, M::Ret>) -> bool {
    let mut done = vec![false; history.len()];
    let remaining = history
        .operations()
        .iter()
        .filter(|op| !op.is_pending())
        .count();
    extend(initial, history, &mut done, remaining)
}

fn extend<M: Model>(
    state: &M,
    history: &History<M::Op, M::Ret>,
    done: &mut [bool],
    remaining: usize,
) -> bool {
    if remaining == 0 {
        return true;
    }
    let operations = history.operations();
    for (index, operation) in operations.iter().enumerate() {
        let ready = !done[index]
            && operations
                .iter()
                .enumerate()
                .all(|(other, earlier)| done[other] || !earlier.precedes(operation));
        if !ready {
            continue;
        }
        let mut next = state.clone();
        let output = next.step(&operation.input);
        if operation
            .output()
            .is_some_and(|expected| *expected != output)
        {
            continue;
        }
        done[index] = true;
        let left = remaining - usize::from(!operation.is_pending());
        if extend(&next, history, done, left) {
            return true;
        }
        done[index] = false;
    }
    false
}
