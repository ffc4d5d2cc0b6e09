//! BUG (loses a wake-up): the receiver looks at the queue, releases the lock, and only then
//! takes it again to announce that it waits. A push landing in that gap sees no waiting
//! receiver and does not notify; the receiver then sleeps on an item that is already queued.
//!
//! Caught by `two_producers_one_consumer` (tests/loom_mailbox.rs) and, in the mini runtime,
//! by `call_returns_reply` (tests/loom_runtime.rs): loom pushes the last item in the gap, and
//! the receiver waits with every producer finished: a deadlock.

use super::mailbox_base::{BaseMailbox, MailboxFlaw, Queue};
use crate::sync::MutexGuard;

/// The flaw of [`LostWakeupMailbox`].
pub struct LostWakeup;

/// [`genserver::engine::Mailbox`] whose receiver can miss the notification of a push.
pub type LostWakeupMailbox<T> = BaseMailbox<T, LostWakeup>;

impl<T: 'static> MailboxFlaw<T> for LostWakeup {
    fn lock_nonempty(mailbox: &BaseMailbox<T, Self>) -> MutexGuard<'_, Queue<T>> {
        let empty = mailbox.lock().items.is_empty();
        let mut queue = mailbox.lock();
        if empty {
            // BUG: the emptiness seen above is stale: an item pushed in between, with no
            // receiver announced, sent no notification, and this wait is never woken.
            queue.receiver_waiting = true;
            queue = mailbox.wait(queue);
            while queue.items.is_empty() {
                queue = mailbox.wait(queue);
            }
            queue.receiver_waiting = false;
        }
        queue
    }
}
