//! BUG (loses a wake-up): the receiver looks at the queue, releases the lock, and only then
//! takes it again to announce that it waits. A push landing in that gap sees no waiting
//! receiver and does not notify; the receiver then sleeps on an item that is already queued.

use std::collections::VecDeque;

use crate::api::MailboxApi;
use crate::sync::{Condvar, Mutex, lock, wait};

struct Queue<T> {
    items: VecDeque<T>,
    closed: bool,
    receiver_waiting: bool,
}

/// [`genserver::Mailbox`] whose receiver can miss the notification of a push.
pub struct LostWakeupMailbox<T> {
    queue: Mutex<Queue<T>>,
    available: Condvar,
}

impl<T: Send + 'static> MailboxApi<T> for LostWakeupMailbox<T> {
    fn new() -> Self {
        LostWakeupMailbox {
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
        let empty = lock(&self.queue).items.is_empty();
        let mut queue = lock(&self.queue);
        if empty {
            // BUG: the emptiness seen above is stale: an item pushed in between, with no
            // receiver announced, sent no notification, and this wait is never woken.
            queue.receiver_waiting = true;
            queue = wait(&self.available, queue);
            while queue.items.is_empty() {
                queue = wait(&self.available, queue);
            }
            queue.receiver_waiting = false;
        }
        out.append(&mut queue.items);
        !out.is_empty()
    }

    fn close(&self) -> VecDeque<T> {
        let mut queue = lock(&self.queue);
        queue.closed = true;
        std::mem::take(&mut queue.items)
    }
}
