//! The reply link: one call's outcome, racing the caller's timeout.

use std::time::Duration;

use crate::CallError;
use crate::sync::{Condvar, Mutex, lock, wait, wait_timeout};

enum Slot<R> {
    Waiting,
    Done(Result<R, CallError>),
    Taken,
    Abandoned,
}

/// A one-shot slot for a call's outcome.
///
/// Exactly one outcome is ever taken: either the first one delivered, or none because the
/// caller abandoned the link first (its timeout fired), in which case later deliveries are
/// discarded. The clock stays with the caller: a timeout is the explicit [`abandon`].
///
/// [`abandon`]: ReplyLink::abandon
pub struct ReplyLink<R> {
    slot: Mutex<Slot<R>>,
    ready: Condvar,
}

impl<R> Default for ReplyLink<R> {
    fn default() -> Self {
        Self::new()
    }
}

impl<R> ReplyLink<R> {
    /// A link awaiting its outcome.
    pub fn new() -> Self {
        ReplyLink {
            slot: Mutex::new(Slot::Waiting),
            ready: Condvar::new(),
        }
    }

    /// Delivers the outcome. Returns `false`, discarding it, if an outcome was already
    /// delivered or the caller abandoned the link.
    pub fn complete(&self, outcome: Result<R, CallError>) -> bool {
        let mut slot = lock(&self.slot);
        if !matches!(*slot, Slot::Waiting) {
            return false;
        }
        *slot = Slot::Done(outcome);
        drop(slot);
        self.ready.notify_one();
        true
    }

    /// Takes the outcome if it has arrived.
    pub fn poll(&self) -> Option<Result<R, CallError>> {
        Self::take(&mut lock(&self.slot))
    }

    /// Waits for the outcome for as long as it takes.
    pub fn wait(&self) -> Result<R, CallError> {
        let mut slot = lock(&self.slot);
        loop {
            if let Some(outcome) = Self::take(&mut slot) {
                return outcome;
            }
            slot = wait(&self.ready, slot);
        }
    }

    /// Waits for at most `timeout` (one wait: callers re-check their own clock). Returns the
    /// outcome if it arrived; the link stays live otherwise.
    pub fn wait_for(&self, timeout: Duration) -> Option<Result<R, CallError>> {
        let mut slot = lock(&self.slot);
        if let Some(outcome) = Self::take(&mut slot) {
            return Some(outcome);
        }
        slot = wait_timeout(&self.ready, slot, timeout);
        Self::take(&mut slot)
    }

    /// The caller gives up (its timeout fired). If the outcome arrived in the meantime it is
    /// returned; otherwise every later delivery is discarded.
    pub fn abandon(&self) -> Option<Result<R, CallError>> {
        let mut slot = lock(&self.slot);
        let outcome = Self::take(&mut slot);
        *slot = Slot::Abandoned;
        outcome
    }

    fn take(slot: &mut Slot<R>) -> Option<Result<R, CallError>> {
        match std::mem::replace(slot, Slot::Taken) {
            Slot::Done(outcome) => Some(outcome),
            Slot::Taken => None,
            other => {
                *slot = other;
                None
            }
        }
    }
}
