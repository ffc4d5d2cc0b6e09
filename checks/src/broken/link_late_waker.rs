//! BUG (loses the wake-up): an `async` caller that finds no outcome unlocks the slot before it
//! registers its task's waker. A delivery in between stores the outcome and finds no waker to
//! wake; the task then registers and sleeps for good.
//!
//! Caught by `async_caller_is_woken` (tests/loom_link.rs): loom runs the delivery between the
//! look and the registration, and the awaiting task is never polled again: a deadlock.

use std::task::Waker;

use crate::broken::slot::Slot;
use crate::sync::MutexGuard;

use super::link_base::{BaseLink, LinkFlaw};

/// The flaw of [`LateWakerLink`].
pub struct LateWaker;

/// [`genserver::engine::ReplyLink`] whose `async` caller registers its waker too late.
pub type LateWakerLink<R> = BaseLink<R, LateWaker>;

impl LinkFlaw for LateWaker {
    fn register<R>(link: &BaseLink<R, Self>, slot: MutexGuard<'_, Slot<R>>, waker: &Waker) {
        // BUG: the slot is unlocked before the waker is there for a delivery to find.
        drop(slot);
        link.set_waker(waker);
    }
}
