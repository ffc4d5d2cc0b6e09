//! BUG (duplicates): when the receiver's batch is not empty, `recv_into` copies the queued
//! items into it instead of moving them, so they stay queued and are received again.

use std::collections::VecDeque;

use crate::api::MailboxApi;
use crate::sync::{Condvar, Mutex, lock, wait};

struct Queue<T> {
    items: VecDeque<T>,
    closed: bool,
    receiver_waiting: bool,
}

/// [`genserver::Mailbox`] whose append path does not drain the queue.
pub struct DuplicatingMailbox<T> {
    queue: Mutex<Queue<T>>,
    available: Condvar,
}

impl<T: Clone + Send + 'static> MailboxApi<T> for DuplicatingMailbox<T> {
    fn new() -> Self {
        DuplicatingMailbox {
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
        if out.is_empty() {
            std::mem::swap(out, &mut queue.items);
        } else {
            // BUG: copies instead of `out.append(&mut queue.items)`: the queue keeps them.
            out.extend(queue.items.iter().cloned());
        }
        !out.is_empty()
    }

    fn close(&self) -> VecDeque<T> {
        let mut queue = lock(&self.queue);
        queue.closed = true;
        std::mem::take(&mut queue.items)
    }
}
