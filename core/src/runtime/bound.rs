//! A bounded mailbox's count (rule 8 of [`crate::rules`]): calls, casts and infos sent to a
//! server and not yet handled. Senders take a place before they queue a message, the
//! server gives one back for each message it takes; no lock, and never more than the limit.

use std::sync::atomic::Ordering::{AcqRel, Acquire};

use crate::sync::AtomicUsize;

/// The places of a bounded mailbox.
pub struct Bound {
    limit: usize,
    waiting: AtomicUsize,
}

impl Bound {
    /// A mailbox bound of `limit` messages waiting, none taken yet.
    pub fn new(limit: usize) -> Self {
        Bound {
            limit,
            waiting: AtomicUsize::new(0),
        }
    }

    /// Takes a place for a message about to be queued; `false` if all are taken.
    pub fn admit(&self) -> bool {
        let mut waiting = self.waiting.load(Acquire);
        loop {
            if waiting >= self.limit {
                return false;
            }
            match (self.waiting).compare_exchange_weak(waiting, waiting + 1, AcqRel, Acquire) {
                Ok(_) => return true,
                Err(now) => waiting = now,
            }
        }
    }

    /// Whether it has any place at all (a bound of 0 refuses everything: nobody waits for it).
    pub fn has_room(&self) -> bool {
        self.limit > 0
    }

    /// Gives back the place of a message the server took.
    pub fn release(&self) {
        self.waiting.fetch_sub(1, AcqRel);
    }
}
