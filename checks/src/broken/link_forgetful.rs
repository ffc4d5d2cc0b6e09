//! BUG (leaks): a reply arriving after the caller gave up is "discarded" with `mem::forget`
//! (say, to keep user destructors off the server thread), so whatever it owns is never freed.

use std::time::Duration;

use genserver::CallError;

use crate::api::LinkApi;
use crate::broken::slot::{Slot, take};
use crate::sync::{Condvar, Mutex, lock, wait};

/// [`genserver::ReplyLink`] that forgets late outcomes instead of dropping them.
pub struct ForgetfulLink<R> {
    slot: Mutex<Slot<R>>,
    ready: Condvar,
}

impl<R: Send + 'static> LinkApi<R> for ForgetfulLink<R> {
    fn new() -> Self {
        ForgetfulLink {
            slot: Mutex::new(Slot::Waiting),
            ready: Condvar::new(),
        }
    }

    fn complete(&self, outcome: Result<R, CallError>) -> bool {
        let mut slot = lock(&self.slot);
        if !matches!(*slot, Slot::Waiting) {
            // BUG: should be a plain drop.
            std::mem::forget(outcome);
            return false;
        }
        *slot = Slot::Done(outcome);
        drop(slot);
        self.ready.notify_one();
        true
    }

    fn poll(&self) -> Option<Result<R, CallError>> {
        take(&mut lock(&self.slot))
    }

    fn wait(&self) -> Result<R, CallError> {
        let mut slot = lock(&self.slot);
        loop {
            if let Some(outcome) = take(&mut slot) {
                return outcome;
            }
            slot = wait(&self.ready, slot);
        }
    }

    fn wait_for(&self, _: Duration) -> Option<Result<R, CallError>> {
        let mut slot = lock(&self.slot);
        if let Some(outcome) = take(&mut slot) {
            return Some(outcome);
        }
        slot = wait(&self.ready, slot);
        take(&mut slot)
    }

    fn abandon(&self) -> Option<Result<R, CallError>> {
        let mut slot = lock(&self.slot);
        let outcome = take(&mut slot);
        *slot = Slot::Abandoned;
        outcome
    }
}
