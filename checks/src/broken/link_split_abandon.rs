//! BUG (loses the reply): `abandon` takes the outcome and marks the link abandoned in two
//! separate critical sections. A reply landing in between is told "delivered" and is then
//! overwritten by the mark: the caller reports a timeout, the reply is gone.
//!
//! Caught by `reply_races_timeout` (tests/loom_link.rs): loom lands the reply between the take
//! and the mark, so the server is told "delivered" while the caller reports a timeout.

use super::link_base::{BaseLink, LinkFlaw};
use super::slot::Slot;
use crate::sync::MutexGuard;

/// The flaw of [`SplitAbandonLink`].
pub struct SplitAbandon;

/// [`genserver::engine::ReplyLink`] whose `abandon` is not atomic.
pub type SplitAbandonLink<R> = BaseLink<R, SplitAbandon>;

impl LinkFlaw for SplitAbandon {
    fn mark_abandoned<R>(link: &BaseLink<R, Self>, slot: MutexGuard<'_, Slot<R>>) {
        drop(slot);
        // BUG: the lock was released: a reply delivered since is overwritten here.
        *link.lock() = Slot::Abandoned;
    }
}
