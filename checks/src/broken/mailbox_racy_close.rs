//! BUG (drops under close): `push` checks `closed` and enqueues in two separate critical
//! sections. A `close` landing in between drains the queue first; the item then goes into a
//! closed mailbox nobody reads again, while its sender was told it was delivered: it vanishes.

use std::collections::VecDeque;

use crate::api::MailboxApi;
use crate::sync::{Condvar, Mutex, lock, wait};

struct Queue<T> {
    items: VecDeque<T>,
    closed: bool,
    receiver_waiting: bool,
}

/// [`genserver::Mailbox`] with a check-then-act race between `push` and `close`.
pub struct RacyCloseMailbox<T> {
    queue: Mutex<Queue<T>>,
    available: Condvar,
}

impl<T: Send + 'static> MailboxApi<T> for RacyCloseMailbox<T> {
    fn new() -> Self {
        RacyCloseMailbox {
            queue: Mutex::new(Queue {
                items: VecDeque::new(),
                closed: false,
                receiver_waiting: false,
            }),
            available: Condvar::new(),
        }
    }

    fn push(&self, item: T) -> Result<(), T> {
        if lock(&self.queue).closed {
            return Err(item);
        }
        // BUG: the lock was released: the mailbox may have been closed and drained since.
        let mut queue = lock(&self.queue);
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
        out.append(&mut queue.items);
        !out.is_empty()
    }

    fn close(&self) -> VecDeque<T> {
        let mut queue = lock(&self.queue);
        queue.closed = true;
        std::mem::take(&mut queue.items)
    }
}
