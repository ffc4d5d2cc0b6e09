//! BUG (breaks FIFO): when the receiver's batch is not empty, `recv_into` puts the newly
//! received items in front of the ones already batched, so a producer's later message can be
//! handled before its earlier one.

use std::collections::VecDeque;

use crate::api::MailboxApi;
use crate::sync::{Condvar, Mutex, lock, wait};

struct Queue<T> {
    items: VecDeque<T>,
    closed: bool,
    receiver_waiting: bool,
}

/// [`genserver::Mailbox`] whose append path swaps the order of two batches.
pub struct ReorderingMailbox<T> {
    queue: Mutex<Queue<T>>,
    available: Condvar,
}

impl<T: Send + 'static> MailboxApi<T> for ReorderingMailbox<T> {
    fn new() -> Self {
        ReorderingMailbox {
            queue: Mutex::new(Queue {
                items: VecDeque::new(),
                closed: false,
                receiver_waiting: false,
            }),
            available: Condvar::new(),
        }
    }

    fn push(&self, item: T) -> Result<(), T> {
        let mut queue = lock(&self.queue);
        if queue.closed {
            return Err(item);
        }
        queue.items.push_back(item);
        let wake = queue.receiver_waiting;
        drop(queue);
        if wake {
            self.available.notify_one();
        }
        Ok(())
    }

    fn recv_into(&self, out: &mut VecDeque<T>) -> bool {
        let mut queue = lock(&self.queue);
        if queue.items.is_empty() {
            queue.receiver_waiting = true;
            while queue.items.is_empty() {
                queue = wait(&self.available, queue);
            }
            queue.receiver_waiting = false;
        }
        // BUG: "swap, then append the old batch" puts the older items behind the newer ones.
        std::mem::swap(out, &mut queue.items);
        out.append(&mut queue.items);
        !out.is_empty()
    }

    fn close(&self) -> VecDeque<T> {
        let mut queue = lock(&self.queue);
        queue.closed = true;
        std::mem::take(&mut queue.items)
    }
}
