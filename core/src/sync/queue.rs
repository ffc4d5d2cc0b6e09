//! The unbounded many-producer queue under the mailbox: crossbeam's channel normally (lock-free,
//! so senders and the receiver do not take turns on one lock word per message), and under
//! `cfg(loom)` a mutex-and-condvar queue with the same contract that loom can explore. The
//! mailbox's own protocol (closing, refusing, waking) is what the loom models check.

use std::time::Duration;

/// An unbounded FIFO queue: many pushers, one popper.
pub(crate) struct Queue<T> {
    #[cfg(not(loom))]
    tx: crossbeam_channel::Sender<T>,
    #[cfg(not(loom))]
    rx: crossbeam_channel::Receiver<T>,
    #[cfg(loom)]
    inner: loom_queue::LoomQueue<T>,
}

#[cfg(not(loom))]
impl<T> Queue<T> {
    pub fn new() -> Self {
        let (tx, rx) = crossbeam_channel::unbounded();
        Queue { tx, rx }
    }

    pub fn push(&self, item: T) {
        // Both ends live in the queue, so the channel never disconnects.
        let _ = self.tx.send(item);
    }

    pub fn try_pop(&self) -> Option<T> {
        self.rx.try_recv().ok()
    }

    pub fn is_empty(&self) -> bool {
        self.rx.is_empty()
    }

    /// Waits for an item: for ever, or for at most `timeout`.
    pub fn pop_wait(&self, timeout: Option<Duration>) -> Option<T> {
        match timeout {
            None => self.rx.recv().ok(),
            Some(timeout) => self.rx.recv_timeout(timeout).ok(),
        }
    }
}

#[cfg(loom)]
impl<T> Queue<T> {
    pub fn new() -> Self {
        Queue {
            inner: loom_queue::LoomQueue::new(),
        }
    }

    pub fn push(&self, item: T) {
        self.inner.push(item)
    }

    pub fn try_pop(&self) -> Option<T> {
        self.inner.try_pop()
    }

    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// Waits for an item (loom has no clock: a timed wait waits like an untimed one).
    pub fn pop_wait(&self, _timeout: Option<Duration>) -> Option<T> {
        Some(self.inner.pop_wait())
    }
}

#[cfg(loom)]
mod loom_queue {
    use std::collections::VecDeque;

    use crate::sync::{Condvar, Mutex, lock, wait};

    struct State<T> {
        items: VecDeque<T>,
        parked: bool,
    }

    /// Crossbeam's channel contract (FIFO, no loss, wakes a blocked popper), for loom.
    pub(crate) struct LoomQueue<T> {
        state: Mutex<State<T>>,
        ready: Condvar,
    }

    impl<T> LoomQueue<T> {
        pub fn new() -> Self {
            LoomQueue {
                state: Mutex::new(State {
                    items: VecDeque::new(),
                    parked: false,
                }),
                ready: Condvar::new(),
            }
        }

        pub fn push(&self, item: T) {
            let mut state = lock(&self.state);
            state.items.push_back(item);
            let wake = state.parked;
            drop(state);
            if wake {
                self.ready.notify_one();
            }
        }

        pub fn try_pop(&self) -> Option<T> {
            lock(&self.state).items.pop_front()
        }

        pub fn is_empty(&self) -> bool {
            lock(&self.state).items.is_empty()
        }

        pub fn pop_wait(&self) -> T {
            let mut state = lock(&self.state);
            loop {
                if let Some(item) = state.items.pop_front() {
                    return item;
                }
                state.parked = true;
                state = wait(&self.ready, state);
                state.parked = false;
            }
        }
    }
}
