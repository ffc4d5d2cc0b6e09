//! BUG (loses the reply): `abandon` takes the outcome and marks the link abandoned in two
//! separate critical sections. A reply landing in between is told "delivered" and is then
//! overwritten by the mark: the caller reports a timeout, the reply is gone.

use std::time::Duration;

use genserver::CallError;

use crate::api::LinkApi;
use crate::broken::slot::{Slot, take};
use crate::sync::{Condvar, Mutex, lock, wait};

/// [`genserver::ReplyLink`] whose `abandon` is not atomic.
pub struct SplitAbandonLink<R> {
    slot: Mutex<Slot<R>>,
    ready: Condvar,
}

impl<R: Send + 'static> LinkApi<R> for SplitAbandonLink<R> {
    fn new() -> Self {
        SplitAbandonLink {
            slot: Mutex::new(Slot::Waiting),
            ready: Condvar::new(),
        }
    }

    fn complete(&self, outcome: Result<R, CallError>) -> bool {
        let mut slot = lock(&self.slot);
        if !matches!(*slot, Slot::Waiting) {
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
        let outcome = take(&mut lock(&self.slot));
        // BUG: the lock was released: a reply delivered since is overwritten here.
        *lock(&self.slot) = Slot::Abandoned;
        outcome
    }
}
