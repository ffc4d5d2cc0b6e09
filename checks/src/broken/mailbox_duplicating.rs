//! BUG (duplicates): when the receiver's batch is not empty, `recv_into` copies the queued
//! items into it instead of moving them, so they stay queued and are received again.
//!
//! Caught by `two_producers_one_consumer` with a consumer that keeps its batch
//! (tests/loom_mailbox.rs): its second receive appends, and an item is counted twice.

use std::collections::VecDeque;

use super::mailbox_base::{BaseMailbox, MailboxFlaw};

/// The flaw of [`DuplicatingMailbox`].
pub struct Duplicating;

/// [`genserver::engine::Mailbox`] whose append path does not drain the queue.
pub type DuplicatingMailbox<T> = BaseMailbox<T, Duplicating>;

impl<T: Clone + 'static> MailboxFlaw<T> for Duplicating {
    fn append(out: &mut VecDeque<T>, items: &mut VecDeque<T>) {
        if out.is_empty() {
            std::mem::swap(out, items);
        } else {
            // BUG: copies instead of `out.append(items)`: the queue keeps them.
            out.extend(items.iter().cloned());
        }
    }
}
