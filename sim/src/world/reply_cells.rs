//! Reply cells: where the reply token of one call leaves its outcome for the world, which
//! holds the caller (as the threaded runtime's reply link holds a blocked caller).
//!
//! A token is user data: a server may answer it in a callback, keep it in its state, hand it
//! to another server or drop it (the call then fails with "no reply"), and the first outcome
//! wins. The world makes one cell per call it sends and keeps it while the caller waits; what
//! a token left there becomes a reply message in `World::collect_replies`, sent by the
//! process that acted, at its place among that process's actions.

use std::cell::RefCell;
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

/// Each cell copied so far by the world copy being made: the original's address, its copy.
type Copies = Vec<(usize, Arc<ReplyCell>)>;

thread_local! {
    static COPIES: RefCell<Option<Copies>> = const { RefCell::new(None) };
}

/// Ends the copying of cells of this thread, even if the copy panics.
struct Scope;

impl Drop for Scope {
    fn drop(&mut self) {
        COPIES.with(|copies| copies.borrow_mut().take());
    }
}

/// Runs `copy` (a copy of a world) where every cell copied is copied once: the world's list
/// of cells and the tokens in its servers then share their copies.
pub(crate) fn copying_cells<T>(copy: impl FnOnce() -> T) -> T {
    COPIES.with(|copies| *copies.borrow_mut() = Some(Vec::new()));
    let scope = Scope;
    let copied = copy();
    drop(scope);
    copied
}

impl ReplyCell {
    /// Inside [`copying_cells`], the copy of this cell (made at the first ask): `None`
    /// outside, or while an outcome waits in it (the world takes every outcome before its
    /// step ends, so a copy between steps never meets one).
    pub fn copy(&self) -> Option<Arc<ReplyCell>> {
        let address = self as *const ReplyCell as usize;
        COPIES.with(|copies| {
            let mut copies = copies.borrow_mut();
            let copies = copies.as_mut()?;
            if let Some((_, copy)) = copies.iter().find(|(a, _)| *a == address) {
                return Some(Arc::clone(copy));
            }
            if self.is_filled() {
                return None;
            }
            let copy = Arc::new(ReplyCell {
                state: AtomicU8::new(self.state.load(Ordering::Acquire)),
                waiting: AtomicBool::new(self.is_waiting()),
                outcome: Mutex::new(None),
            });
            copies.push((address, Arc::clone(&copy)));
            Some(copy)
        })
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

    fn fork(&self) -> Option<Arc<dyn ReplySink<R>>> {
        Some(self.copy()?)
    }
}
