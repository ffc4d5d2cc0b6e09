//! BUG (over-admits): `admit` reads the count and writes it back one higher in two steps, so
//! two senders that both read a free place both take it: the mailbox holds more than its
//! limit, and the count, given back once per message, drops below what is queued.
//!
//! Caught by `two_senders_never_queue_past_the_limit` (tests/loom_bound.rs): loom runs both
//! senders' reads before either write.

use crate::api::BoundApi;
use crate::sync::AtomicUsize;
use std::sync::atomic::Ordering::{AcqRel, Acquire, Release};

/// [`genserver::engine::Bound`] whose admission is a read, then a write.
pub struct RacyBound {
    limit: usize,
    waiting: AtomicUsize,
}

impl BoundApi for RacyBound {
    fn new(limit: usize) -> Self {
        RacyBound {
            limit,
            waiting: AtomicUsize::new(0),
        }
    }

    fn admit(&self) -> bool {
        let waiting = self.waiting.load(Acquire);
        if waiting >= self.limit {
            return false;
        }
        // BUG: another sender may have taken the place since the read.
        self.waiting.store(waiting + 1, Release);
        true
    }

    fn release(&self) {
        self.waiting.fetch_sub(1, AcqRel);
    }
}
