//! BUG (drops under close, lock-free form): `push` looks at the closed bit before it announces
//! itself as a push under way, in two separate atomic steps. A `close` in between sees no
//! push under way and drains the queue; the item then goes into a closed mailbox nobody reads
//! again while its sender was told it was delivered. The real [`genserver::engine::Mailbox`] announces
//! and looks in one `fetch_add`.
//!
//! Caught by `close_while_producers_send` (tests/loom_mailbox.rs): loom runs the whole `close`
//! between a producer's look and its announcement, and the item is neither delivered nor
//! handed back.

use std::collections::VecDeque;
use std::sync::atomic::Ordering::{AcqRel, Acquire, Release};

use crate::api::MailboxApi;
use crate::sync::{AtomicU64, Condvar, Mutex, lock, thread, wait};

const CLOSED: u64 = 1 << 63;

/// [`genserver::engine::Mailbox`]'s close protocol with the announcement after the check.
pub struct LateAnnounceMailbox<T> {
    items: Mutex<VecDeque<T>>,
    available: Condvar,
    state: AtomicU64,
}

impl<T: Send + 'static> MailboxApi<T> for LateAnnounceMailbox<T> {
    fn new() -> Self {
        LateAnnounceMailbox {
            items: Mutex::new(VecDeque::new()),
            available: Condvar::new(),
            state: AtomicU64::new(0),
        }
    }

    fn push(&self, item: T) -> Result<(), T> {
        if self.state.load(Acquire) & CLOSED != 0 {
            return Err(item);
        }
        // BUG: announced only now; `close` may have drained already.
        self.state.fetch_add(1, AcqRel);
        lock(&self.items).push_back(item);
        self.available.notify_one();
        self.state.fetch_sub(1, Release);
        Ok(())
    }

    fn recv_into(&self, out: &mut VecDeque<T>) -> bool {
        let mut items = lock(&self.items);
        while items.is_empty() {
            items = wait(&self.available, items);
        }
        out.append(&mut items);
        true
    }

    fn close(&self) -> VecDeque<T> {
        self.state.fetch_or(CLOSED, AcqRel);
        while self.state.load(Acquire) != CLOSED {
            thread::yield_now();
        }
        std::mem::take(&mut *lock(&self.items))
    }
}
