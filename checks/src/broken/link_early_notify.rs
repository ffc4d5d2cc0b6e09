//! BUG (loses the wake-up): `complete` notifies the caller before it stores the outcome. A
//! caller that checks the slot between the two goes to sleep after the only notification was
//! sent, and never wakes: server death (or any outcome) leaves the caller hanging.

use std::time::Duration;

use genserver::CallError;

use crate::api::LinkApi;
use crate::broken::slot::{Slot, take};
use crate::sync::{Condvar, Mutex, lock, wait};

/// [`genserver::ReplyLink`] that notifies before storing the outcome.
pub struct EarlyNotifyLink<R> {
    slot: Mutex<Slot<R>>,
    ready: Condvar,
}

impl<R: Send + 'static> LinkApi<R> for EarlyNotifyLink<R> {
    fn new() -> Self {
        EarlyNotifyLink {
            slot: Mutex::new(Slot::Waiting),
            ready: Condvar::new(),
        }
    }

    fn complete(&self, outcome: Result<R, CallError>) -> bool {
        // BUG: the notification goes out before the outcome is there to be seen.
        self.ready.notify_one();
        let mut slot = lock(&self.slot);
        if !matches!(*slot, Slot::Waiting) {
            return false;
        }
        *slot = Slot::Done(outcome);
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
