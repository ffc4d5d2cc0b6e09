//! The doubly-linked list of call and return entries the search walks (Lowe's list).
//!
//! Every operation has a call entry at its invocation and, if it returned, a return entry
//! at its response, in position order (a call before a return at the same position: the
//! two operations overlap). Linearizing an operation *lifts* its entries out of the list;
//! backtracking puts them back, in the reverse order, where they were.

use super::history::Operation;

/// No entry: the end of the list.
pub(crate) const END: usize = usize::MAX;
/// The index of the head sentinel.
pub(crate) const HEAD: usize = 0;

/// The list, in arrays; entry 0 is the head sentinel.
pub(crate) struct Entries {
    next: Vec<usize>,
    prev: Vec<usize>,
    /// The operation (index in the partition) of each entry.
    op: Vec<usize>,
    /// For a call entry, its return entry (`END` for a pending operation); for a return
    /// entry and the sentinel, `END` too.
    ret: Vec<usize>,
    /// Whether each entry is a call.
    call: Vec<bool>,
}

impl Entries {
    /// The entries of `operations`, in position order.
    pub(crate) fn new<Op, Ret>(operations: &[&Operation<Op, Ret>]) -> Self {
        // (position, 0 for a call and 1 for a return, operation): calls first at a tie, and
        // the operation's index breaks the rest of the ties.
        let mut events: Vec<(u64, u8, usize)> = Vec::with_capacity(operations.len() * 2);
        for (index, operation) in operations.iter().enumerate() {
            events.push((operation.invoke, 0, index));
            if let Some(response) = &operation.response {
                events.push((response.at, 1, index));
            }
        }
        events.sort_unstable();
        let len = events.len() + 1;
        let mut entries = Entries {
            next: (1..=len).collect(),
            prev: (0..len).map(|index| index.wrapping_sub(1)).collect(),
            op: vec![END; len],
            ret: vec![END; len],
            call: vec![false; len],
        };
        entries.next[len - 1] = END;
        entries.prev[HEAD] = END;
        let mut call_of = vec![END; operations.len()];
        for (offset, &(_, kind, index)) in events.iter().enumerate() {
            let entry = offset + 1;
            entries.op[entry] = index;
            if kind == 0 {
                entries.call[entry] = true;
                call_of[index] = entry;
            } else {
                entries.ret[call_of[index]] = entry;
            }
        }
        entries
    }

    /// The entry after `entry` (`END` after the last).
    #[inline]
    pub(crate) fn next(&self, entry: usize) -> usize {
        self.next[entry]
    }

    /// The operation of `entry`.
    #[inline]
    pub(crate) fn op(&self, entry: usize) -> usize {
        self.op[entry]
    }

    /// Whether `entry` is a call.
    #[inline]
    pub(crate) fn is_call(&self, entry: usize) -> bool {
        self.call[entry]
    }

    /// Takes call entry `call` and its return entry out of the list.
    pub(crate) fn lift(&mut self, call: usize) {
        self.unlink(call);
        let ret = self.ret[call];
        if ret != END {
            self.unlink(ret);
        }
    }

    /// Puts back the entries of the call lifted last.
    pub(crate) fn unlift(&mut self, call: usize) {
        let ret = self.ret[call];
        if ret != END {
            self.relink(ret);
        }
        self.relink(call);
    }

    fn unlink(&mut self, entry: usize) {
        let (prev, next) = (self.prev[entry], self.next[entry]);
        self.next[prev] = next;
        if next != END {
            self.prev[next] = prev;
        }
    }

    fn relink(&mut self, entry: usize) {
        let (prev, next) = (self.prev[entry], self.next[entry]);
        self.next[prev] = entry;
        if next != END {
            self.prev[next] = entry;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linearize::history::Response;

    fn op(invoke: u64, response: Option<u64>) -> Operation<(), ()> {
        Operation {
            client: 0,
            input: (),
            invoke,
            response: response.map(|at| Response { at, output: () }),
        }
    }

    /// The list from the head: (operation, whether a call).
    fn walk(entries: &Entries) -> Vec<(usize, bool)> {
        let mut out = Vec::new();
        let mut entry = entries.next(HEAD);
        while entry != END {
            out.push((entries.op(entry), entries.is_call(entry)));
            entry = entries.next(entry);
        }
        out
    }

    #[test]
    fn entries_are_in_position_order_calls_first_at_a_tie() {
        let (a, b, c) = (op(0, Some(5)), op(5, Some(6)), op(2, None));
        let entries = Entries::new(&[&a, &b, &c]);
        assert_eq!(
            walk(&entries),
            [(0, true), (2, true), (1, true), (0, false), (1, false)]
        );
    }

    #[test]
    fn lift_and_unlift_restore_the_list() {
        let (a, b, c) = (op(0, Some(3)), op(1, Some(4)), op(2, None));
        let mut entries = Entries::new(&[&a, &b, &c]);
        let before = walk(&entries);
        let call_b = entries.next(entries.next(HEAD));
        let call_c = entries.next(call_b);
        entries.lift(call_b);
        assert_eq!(walk(&entries), [(0, true), (2, true), (0, false)]);
        entries.lift(call_c);
        assert_eq!(walk(&entries), [(0, true), (0, false)]);
        entries.unlift(call_c);
        entries.unlift(call_b);
        assert_eq!(walk(&entries), before);
    }
}
