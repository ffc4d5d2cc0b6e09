//! Deliberately broken variants, one bug each, for proving that the loom models can fail.
//!
//! Each is a small modified copy of the real code in `core/src/runtime/` (or of
//! `core/src/reply.rs`), with a comment at the top naming the bug and the model that catches it.
//! The mailboxes and the links share one base each, [`BaseMailbox`] and [`BaseLink`], whose steps
//! are hooks of [`MailboxFlaw`] and [`LinkFlaw`] with the correct step as default: a variant is a
//! type (`pub struct LostWakeup;`) overriding its one bug, and the broken mailbox or link is the
//! base with it (`BaseMailbox<T, LostWakeup>`); with [`NoFlaw`] the base is correct.
//! [`RacyBound`], [`RacyInterrupt`], [`UnsharedReplyTo`] and [`LateWakerMailbox`] (a task receiving, not a
//! thread waiting on the base's condition variable) are the only ones of their kind and stand
//! alone. They take
//! their primitives from this crate's shim, so they are loom types under `cfg(loom)` and `std` ones
//! otherwise. The loom tests run every model against the real type (expected to pass) and against
//! the matching variant here (expected to be rejected, `#[should_panic]`).

mod bound_racy;
mod interrupt_racy;
mod link_base;
mod link_double_delivery;
mod link_early_notify;
mod link_forgetful;
mod link_late_waker;
mod link_split_abandon;
mod link_sticky_abandon;
mod mailbox_base;
mod mailbox_duplicating;
mod mailbox_late_waker;
mod mailbox_lost_wakeup;
mod mailbox_racy_close;
mod mailbox_reordering;
pub mod mini_runtime;
mod slot;
mod token_unshared;

pub use bound_racy::RacyBound;
pub use interrupt_racy::RacyInterrupt;
pub use link_base::{BaseLink, LinkFlaw};
pub use link_double_delivery::{DoubleDelivery, DoubleDeliveryLink};
pub use link_early_notify::{EarlyNotify, EarlyNotifyLink};
pub use link_forgetful::{Forgetful, ForgetfulLink};
pub use link_late_waker::{LateWaker, LateWakerLink};
pub use link_split_abandon::{SplitAbandon, SplitAbandonLink};
pub use link_sticky_abandon::{StickyAbandon, StickyAbandonLink};
pub use mailbox_base::{BaseMailbox, MailboxFlaw, Queue};
pub use mailbox_duplicating::{Duplicating, DuplicatingMailbox};
pub use mailbox_late_waker::LateWakerMailbox;
pub use mailbox_lost_wakeup::{LostWakeup, LostWakeupMailbox};
pub use mailbox_racy_close::{RacyClose, RacyCloseMailbox};
pub use mailbox_reordering::{Reordering, ReorderingMailbox};
pub use slot::Slot;
pub use token_unshared::UnsharedReplyTo;

/// No flaw: every step of [`BaseMailbox`] and [`BaseLink`] as it should be.
pub struct NoFlaw;

#[cfg(all(test, not(loom)))]
mod tests;
