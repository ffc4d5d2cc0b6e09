//! BUG (a late reply gets through): `abandon` takes whatever arrived but does not mark the
//! link abandoned, so a reply arriving after the caller's timeout is accepted, reported as
//! delivered, and handed to whoever polls the link next.
//!
//! Caught by `late_reply_is_dropped` (tests/loom_link.rs): the reply after the abandon is told
//! "delivered". This one shows in a fixed order too (the crate docs' example).

use super::link_base::{BaseLink, LinkFlaw};
use super::slot::Slot;
use crate::sync::MutexGuard;

/// The flaw of [`StickyAbandonLink`].
pub struct StickyAbandon;

/// [`genserver::engine::ReplyLink`] whose `abandon` does not stop a late reply.
pub type StickyAbandonLink<R> = BaseLink<R, StickyAbandon>;

impl LinkFlaw for StickyAbandon {
    fn mark_abandoned<R>(_: &BaseLink<R, Self>, slot: MutexGuard<'_, Slot<R>>) {
        // BUG: the slot is left `Waiting` (or `Taken`): should be set to `Abandoned`.
        drop(slot);
    }
}
