//! Reply cells: where the reply token of one call leaves its outcome for the world, which
//! holds the caller (as the threaded runtime's reply link holds a blocked caller).
//!
//! A token is user data: a server may answer it in a callback, keep it in its state, hand it
//! to another server or drop it (the call then fails with "no reply"), and the first outcome
//! wins. The world makes one cell per call it sends and keeps it while the caller waits; what
//! a token left there becomes a reply message in `World::collect_replies`, sent by the
//! process that acted, at its place among that process's actions.

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};

use genserver::engine::ReplySink;
use genserver::{AnyMessage, CallError, Message};

use crate::world::envelope::CallOutcome;

const EMPTY: u8 = 0;
const FILLED: u8 = 1;
const TAKEN: u8 = 2;

/// One call's outcome, once its token delivered it.
pub(crate) struct ReplyCell {
    /// `EMPTY`, `FILLED` (an outcome waits for the world) or `TAKEN`; read without a lock.
    state: AtomicU8,
    /// Whether the caller still waits (what the token's `reply` returns).
    waiting: AtomicBool,
    outcome: Mutex<Option<CallOutcome>>,
}

impl ReplyCell {
    /// A cell for a call whose caller waits (`waiting`) or already gave up.
    pub fn new(waiting: bool) -> Arc<Self> {
        Arc::new(ReplyCell {
            state: AtomicU8::new(EMPTY),
            waiting: AtomicBool::new(waiting),
            outcome: Mutex::new(None),
        })
    }

    /// The caller no longer waits: an outcome delivered from now on is refused.
    pub fn give_up(&self) {
        self.waiting.store(false, Ordering::Relaxed);
    }

    /// Whether the caller still waits.
    pub fn is_waiting(&self) -> bool {
        self.waiting.load(Ordering::Relaxed)
    }

    /// Whether an outcome may still come: one waits to be taken, or a token that has not
    /// answered still exists.
    pub fn might_deliver(self: &Arc<Self>) -> bool {
        self.is_filled() || !self.is_answered() && Arc::strong_count(self) > 1
    }

    /// Whether an outcome waits to be taken.
    pub fn is_filled(&self) -> bool {
        self.state.load(Ordering::Acquire) == FILLED
    }

    /// Whether the token answered already (the outcome taken or waiting to be).
    pub fn is_answered(&self) -> bool {
        self.state.load(Ordering::Acquire) != EMPTY
    }

    /// The outcome the token delivered, once.
    pub fn take(&self) -> Option<CallOutcome> {
        if !self.is_filled() {
            return None;
        }
        let outcome = lock(&self.outcome).take();
        self.state.store(TAKEN, Ordering::Release);
        outcome
    }
}

/// Locks, ignoring poisoning (no user code runs under the lock).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A cell is the sink behind its call's reply token: the first outcome fills it, later ones
/// are refused.
impl<R: Message> ReplySink<R> for ReplyCell {
    fn deliver(&self, outcome: Result<R, CallError>) -> bool {
        let mut slot = lock(&self.outcome);
        if self.state.load(Ordering::Acquire) != EMPTY {
            return false;
        }
        *slot = Some(outcome.map(|value| Box::new(value) as AnyMessage));
        self.state.store(FILLED, Ordering::Release);
        self.waiting.load(Ordering::Relaxed)
    }
}
