//! BUG (breaks FIFO): when the receiver's batch is not empty, `recv_into` puts the newly
//! received items in front of the ones already batched, so a producer's later message can be
//! handled before its earlier one.
//!
//! Caught by `two_producers_one_consumer` with a consumer that keeps its batch
//! (tests/loom_mailbox.rs): loom has a producer push between two receives, and its messages
//! come out of order.

use std::collections::VecDeque;

use super::mailbox_base::{BaseMailbox, MailboxFlaw};

/// The flaw of [`ReorderingMailbox`].
pub struct Reordering;

/// [`genserver::engine::Mailbox`] whose append path swaps the order of two batches.
pub type ReorderingMailbox<T> = BaseMailbox<T, Reordering>;

impl<T: 'static> MailboxFlaw<T> for Reordering {
    fn append(out: &mut VecDeque<T>, items: &mut VecDeque<T>) {
        // BUG: "swap, then append the old batch" puts the older items behind the newer ones.
        std::mem::swap(out, items);
        out.append(items);
    }
}
