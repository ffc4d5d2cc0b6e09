//! What one executed event touched: the footprint partial-order reduction compares.
//!
//! An event acts on one process (its *actor*: the receiver of a delivery, the owner of a
//! timer, the client that steps). Besides that process's own state it may read the status
//! (alive, waiting for a call) of the processes it sends to, and write its actor's status
//! when the actor exits, restarts or stops waiting. Two events are independent when they act
//! on different processes and neither writes a status the other reads: then both orders lead
//! to the same state (up to the numbering of calls), so exploring one order is enough.

use std::collections::BTreeSet;
use std::sync::Arc;

use genserver::ProcessId;
use smallvec::SmallVec;

/// A pseudo-process standing for the name registry: registering or freeing a name writes
/// it, resolving a name reads it.
pub(crate) const REGISTRY: ProcessId = ProcessId(u64::MAX);

/// A pseudo-process standing for the allocation of process ids: every child start writes
/// it, so two starts are never reordered (their children would swap ids).
pub(crate) const SPAWNS: ProcessId = ProcessId(u64::MAX - 1);

/// A footprint once its event was executed, shared: the lists of explored and sleeping
/// events carry it from decision point to decision point, and a copy only counts a
/// reference.
pub(crate) type Footprint = Arc<Touch>;

/// The footprint of one executed event.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Touch {
    /// The process whose state the event changes.
    pub actor: ProcessId,
    /// Whether the event is an injected fault (faults depend on everything: they share a
    /// budget and a crash changes what every sender sees).
    pub fault: bool,
    /// Processes whose status the event read (message receivers, callers it answered).
    pub reads: Ids,
    /// Processes whose status the event changed (its actor exited, restarted or settled a call).
    pub writes: Ids,
}

impl Touch {
    /// An empty footprint of an event acting on `actor`.
    pub fn new(actor: ProcessId, fault: bool) -> Self {
        Touch {
            actor,
            fault,
            reads: Ids::default(),
            writes: Ids::default(),
        }
    }

    /// Whether the order of `self` and `other` may matter. `visible` holds the servers that
    /// invariants read: events on two of them are ordered, since an invariant may see the
    /// state in between.
    pub fn depends(&self, other: &Touch, visible: &BTreeSet<ProcessId>) -> bool {
        if self.fault || other.fault || self.actor == other.actor {
            return true;
        }
        let sees = |a: &Touch, b: &Touch| {
            a.writes
                .iter()
                .any(|p| *p == b.actor || b.reads.contains(p) || b.writes.contains(p))
        };
        sees(self, other)
            || sees(other, self)
            || visible.contains(&self.actor) && visible.contains(&other.actor)
    }
}

/// A small set of process ids, sorted: an event reads or writes a few, so they sit inline
/// (a footprint is copied into every sleep set that keeps its event, and hashed with it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Ids(SmallVec<[ProcessId; 4]>);

impl Ids {
    /// Adds `id` (once).
    pub fn insert(&mut self, id: ProcessId) {
        if let Err(at) = self.0.binary_search(&id) {
            self.0.insert(at, id);
        }
    }

    /// Whether `id` is in the set.
    pub fn contains(&self, id: &ProcessId) -> bool {
        self.0.binary_search(id).is_ok()
    }

    /// The ids, in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = &ProcessId> {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(actor: u64) -> Touch {
        Touch::new(ProcessId(actor), false)
    }

    #[test]
    fn different_actors_commute_unless_a_status_is_shared() {
        let none = BTreeSet::new();
        let (mut a, b) = (touch(1), touch(2));
        assert!(!a.depends(&b, &none));
        assert!(a.depends(&touch(1), &none));
        a.reads.insert(ProcessId(3));
        assert!(!a.depends(&b, &none));
        let mut exits = touch(3);
        exits.writes.insert(ProcessId(3));
        assert!(a.depends(&exits, &none));
        let visible = [ProcessId(1), ProcessId(2)].into_iter().collect();
        assert!(touch(1).depends(&b, &visible));
        assert!(Touch::new(ProcessId(5), true).depends(&b, &none));
    }

    #[test]
    fn a_set_of_ids_is_the_same_whatever_order_they_came_in() {
        let (mut a, mut b) = (Ids::default(), Ids::default());
        for id in [7, 2, 7, 9, 2, 1] {
            a.insert(ProcessId(id));
        }
        for id in [9, 1, 2, 7] {
            b.insert(ProcessId(id));
        }
        assert_eq!(a, b);
        assert_eq!(a.iter().map(|id| id.0).collect::<Vec<_>>(), [1, 2, 7, 9]);
        assert!(a.contains(&ProcessId(7)) && !a.contains(&ProcessId(3)));
    }
}
