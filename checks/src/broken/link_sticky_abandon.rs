//! BUG (a late reply gets through): `abandon` takes whatever arrived but does not mark the
//! link abandoned, so a reply arriving after the caller's timeout is accepted, reported as
//! delivered, and handed to whoever polls the link next.

use std::time::Duration;

use genserver::CallError;

use crate::api::LinkApi;
use crate::broken::slot::{Slot, take};
use crate::sync::{Condvar, Mutex, lock, wait};

/// [`genserver::ReplyLink`] whose `abandon` does not stop a late reply.
pub struct StickyAbandonLink<R> {
    slot: Mutex<Slot<R>>,
    ready: Condvar,
}

impl<R: Send + 'static> LinkApi<R> for StickyAbandonLink<R> {
    fn new() -> Self {
        StickyAbandonLink {
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
        // BUG: the slot is left `Waiting` (or `Taken`): should be set to `Abandoned`.
        take(&mut lock(&self.slot))
    }
}
