//! BUG (drops under close): `push` checks `closed` and enqueues in two separate critical
//! sections. A `close` landing in between drains the queue first; the item then goes into a
//! closed mailbox nobody reads again, while its sender was told it was delivered: it vanishes.
//!
//! Caught by `close_while_producers_send` (tests/loom_mailbox.rs): loom closes between a
//! producer's check and its enqueue, and the item is neither delivered nor handed back.

use super::mailbox_base::{BaseMailbox, MailboxFlaw, Queue};
use crate::sync::MutexGuard;

/// The flaw of [`RacyCloseMailbox`].
pub struct RacyClose;

/// [`genserver::engine::Mailbox`] with a check-then-act race between `push` and `close`.
pub type RacyCloseMailbox<T> = BaseMailbox<T, RacyClose>;

impl<T: 'static> MailboxFlaw<T> for RacyClose {
    fn lock_open(mailbox: &BaseMailbox<T, Self>) -> Option<MutexGuard<'_, Queue<T>>> {
        if mailbox.lock().closed {
            return None;
        }
        // BUG: the lock was released: the mailbox may have been closed and drained since.
        Some(mailbox.lock())
    }
}
