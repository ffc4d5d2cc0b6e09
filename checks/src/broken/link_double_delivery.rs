//! BUG (delivers twice): `complete` checks that the slot is free and fills it in two separate
//! critical sections. Two outcomes racing (a reply and the server's death) can both see the
//! slot free and both be told "delivered"; the second overwrites the first.
//!
//! Caught by `two_outcomes_race` (tests/loom_link.rs), a deferred reply racing the server's
//! exit: loom lets both check before either stores, and both senders are told "delivered".

use super::link_base::{BaseLink, LinkFlaw};
use super::slot::Slot;
use crate::sync::MutexGuard;

/// The flaw of [`DoubleDeliveryLink`].
pub struct DoubleDelivery;

/// [`genserver::engine::ReplyLink`] whose `complete` is a check-then-act race.
pub type DoubleDeliveryLink<R> = BaseLink<R, DoubleDelivery>;

impl LinkFlaw for DoubleDelivery {
    fn lock_waiting<R>(link: &BaseLink<R, Self>) -> Option<MutexGuard<'_, Slot<R>>> {
        if !matches!(*link.lock(), Slot::Waiting) {
            return None;
        }
        // BUG: the lock was released: another outcome may have been delivered since.
        Some(link.lock())
    }
}
