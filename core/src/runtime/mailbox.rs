//! The server's mailbox: many producers, one consumer, closed when the server exits.

use std::collections::VecDeque;
use std::time::Duration;

use std::sync::atomic::Ordering::{Relaxed, Release};

use crate::sync::{AtomicBool, Condvar, Mutex, lock, spin_until, wait, wait_timeout};

struct Queue<T> {
    items: VecDeque<T>,
    closed: bool,
    receiver_waiting: bool,
}

/// A FIFO queue with blocking batch receive and close.
///
/// Every `push` either enqueues (and the item is later received or returned by `close`) or
/// fails and hands the item back to its sender: nothing vanishes silently.
pub struct Mailbox<T> {
    queue: Mutex<Queue<T>>,
    available: Condvar,
    /// Set (under the lock) when items are queued, so the receiver can spin without locking.
    nonempty: AtomicBool,
}

impl<T> Default for Mailbox<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Mailbox<T> {
    /// An empty, open mailbox.
    pub fn new() -> Self {
        Mailbox {
            queue: Mutex::new(Queue {
                items: VecDeque::new(),
                closed: false,
                receiver_waiting: false,
            }),
            available: Condvar::new(),
            nonempty: AtomicBool::new(false),
        }
    }

    /// Enqueues `item`, or gives it back if the mailbox is closed.
    pub fn push(&self, item: T) -> Result<(), T> {
        let mut queue = lock(&self.queue);
        if queue.closed {
            return Err(item);
        }
        queue.items.push_back(item);
        self.nonempty.store(true, Release);
        let wake = queue.receiver_waiting;
        drop(queue);
        if wake {
            self.available.notify_one();
        }
        Ok(())
    }

    /// Moves every queued item into `out`, waiting while the queue is empty: for ever, or for
    /// at most `timeout`. Returns whether anything was received.
    pub fn recv_into(&self, out: &mut VecDeque<T>, timeout: Option<Duration>) -> bool {
        spin_until(&self.nonempty);
        let mut queue = lock(&self.queue);
        if queue.items.is_empty() {
            queue.receiver_waiting = true;
            match timeout {
                None => {
                    while queue.items.is_empty() {
                        queue = wait(&self.available, queue);
                    }
                }
                Some(timeout) => queue = wait_timeout(&self.available, queue, timeout),
            }
            queue.receiver_waiting = false;
        }
        if out.is_empty() {
            std::mem::swap(out, &mut queue.items);
        } else {
            out.append(&mut queue.items);
        }
        self.nonempty.store(false, Relaxed);
        !out.is_empty()
    }

    /// Closes the mailbox and returns what was still queued; later pushes fail.
    pub fn close(&self) -> VecDeque<T> {
        let mut queue = lock(&self.queue);
        queue.closed = true;
        self.nonempty.store(false, Relaxed);
        std::mem::take(&mut queue.items)
    }

    /// Whether `close` has been called.
    pub fn is_closed(&self) -> bool {
        lock(&self.queue).closed
    }
}
