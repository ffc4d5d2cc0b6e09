//! The server's mailbox: many producers, one consumer, closed when the server exits.

use std::collections::VecDeque;
use std::sync::atomic::Ordering::{AcqRel, Acquire, Release};
use std::time::Duration;

use crate::sync::{AtomicU64, Queue, relax, spin_within};

/// The most items one `recv_into` takes.
const MAX_BATCH: usize = 1024;

/// A FIFO queue with blocking batch receive and close.
///
/// Every `push` either enqueues (and the item is later received or returned by `close`) or
/// fails and hands the item back to its sender: nothing vanishes silently. Pushes take no
/// lock: the queue is lock-free, and closing waits out the pushes already under way.
pub struct Mailbox<T> {
    queue: Queue<T>,
    /// [`CLOSED`], plus the number of pushes under way. One atomic for both, so a push and
    /// a close are ordered by that one word's modification order (no SeqCst reasoning).
    /// On a cache line of its own: senders write it twice per push, and the receiver, which
    /// reads the queue's handles next to it, must not pay for that.
    state: CacheLine<AtomicU64>,
}

/// Aligns its content to a cache line (128 bytes: two lines, for adjacent-line prefetch).
#[repr(align(128))]
struct CacheLine<T>(T);

impl<T> std::ops::Deref for CacheLine<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// The bit of `state` set by `close`.
const CLOSED: u64 = 1 << 63;

impl<T> Default for Mailbox<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Mailbox<T> {
    /// An empty, open mailbox.
    pub fn new() -> Self {
        Mailbox {
            queue: Queue::new(),
            state: CacheLine(AtomicU64::new(0)),
        }
    }

    /// Enqueues `item`, or gives it back if the mailbox is closed.
    pub fn push(&self, item: T) -> Result<(), T> {
        // Announce and look in one step: either `close` comes later and waits for this push,
        // or it came first and this push sees it.
        if self.state.fetch_add(1, AcqRel) & CLOSED != 0 {
            self.state.fetch_sub(1, Release);
            return Err(item);
        }
        self.queue.push(item);
        self.state.fetch_sub(1, Release);
        Ok(())
    }

    /// Moves every queued item into `out`, waiting while the queue is empty: for ever, or for
    /// at most `timeout`. Returns whether anything was received. Only the owner calls this.
    pub fn recv_into(&self, out: &mut VecDeque<T>, timeout: Option<Duration>) -> bool {
        let received = out.len();
        spin_within(|| !self.queue.is_empty(), timeout);
        match self.queue.try_pop() {
            Some(item) => out.push_back(item),
            None => match self.queue.pop_wait(timeout) {
                Some(item) => out.push_back(item),
                None => return false,
            },
        }
        // Take what is there, up to a bound, so a flood of senders cannot grow one batch for ever.
        for _ in 1..MAX_BATCH {
            match self.queue.try_pop() {
                Some(item) => out.push_back(item),
                None => break,
            }
        }
        out.len() > received
    }

    /// Moves what is queued into `out` (up to the batch bound) without waiting. Only the
    /// owner calls this.
    pub fn drain_into(&self, out: &mut VecDeque<T>) {
        for _ in 0..MAX_BATCH {
            match self.queue.try_pop() {
                Some(item) => out.push_back(item),
                None => break,
            }
        }
    }

    /// Closes the mailbox and returns what was still queued; later pushes fail. Only the
    /// owner calls this (never while it is inside `recv_into`).
    pub fn close(&self) -> VecDeque<T> {
        self.state.fetch_or(CLOSED, AcqRel);
        while self.state.load(Acquire) != CLOSED {
            relax();
        }
        let mut leftovers = VecDeque::new();
        while let Some(item) = self.queue.try_pop() {
            leftovers.push_back(item);
        }
        leftovers
    }

    /// Whether `close` has been called.
    pub fn is_closed(&self) -> bool {
        self.state.load(Acquire) & CLOSED != 0
    }
}
