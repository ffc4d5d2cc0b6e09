//! BUG (delivers twice): `complete` checks that the slot is free and fills it in two separate
//! critical sections. Two outcomes racing (a reply and the server's death) can both see the
//! slot free and both be told "delivered"; the second overwrites the first.

use std::time::Duration;

use genserver::CallError;

use crate::api::LinkApi;
use crate::broken::slot::{Slot, take};
use crate::sync::{Condvar, Mutex, lock, wait};

/// [`genserver::ReplyLink`] whose `complete` is a check-then-act race.
pub struct DoubleDeliveryLink<R> {
    slot: Mutex<Slot<R>>,
    ready: Condvar,
}

impl<R: Send + 'static> LinkApi<R> for DoubleDeliveryLink<R> {
    fn new() -> Self {
        DoubleDeliveryLink {
            slot: Mutex::new(Slot::Waiting),
            ready: Condvar::new(),
        }
    }

    fn complete(&self, outcome: Result<R, CallError>) -> bool {
        if !matches!(*lock(&self.slot), Slot::Waiting) {
            return false;
        }
        // BUG: the lock was released: another outcome may have been delivered since.
        *lock(&self.slot) = Slot::Done(outcome);
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
