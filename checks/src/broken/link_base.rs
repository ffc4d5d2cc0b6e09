//! The reply link the broken link variants share: core's [`genserver::engine::ReplyLink`] in its plain
//! form (one lock, one condition variable, no spinning), with each step a variant gets wrong
//! behind a hook of [`LinkFlaw`] whose default is the correct step.

use std::marker::PhantomData;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use genserver::CallError;

use crate::api::LinkApi;
use crate::broken::NoFlaw;
use crate::broken::slot::{Slot, take};
use crate::sync::{Condvar, Mutex, MutexGuard, lock, wait};

/// The steps of [`BaseLink`] that a broken variant may get wrong. Every default is the correct
/// step, so a variant overrides exactly its one bug.
pub trait LinkFlaw: Sized + 'static {
    /// `complete`: stores `outcome` if the link still waits, then wakes the caller.
    fn complete<R>(link: &BaseLink<R, Self>, outcome: Result<R, CallError>) -> bool {
        let stored = link.store(outcome);
        if stored {
            link.notify();
        }
        stored
    }

    /// Locks the slot if it still waits for an outcome; `None` (and unlocked) otherwise.
    fn lock_waiting<R>(link: &BaseLink<R, Self>) -> Option<MutexGuard<'_, Slot<R>>> {
        let slot = link.lock();
        matches!(*slot, Slot::Waiting).then_some(slot)
    }

    /// Disposes of an outcome the link refused.
    fn discard<R>(outcome: Result<R, CallError>) {
        drop(outcome);
    }

    /// `abandon`, once the outcome is taken from the locked `slot`: marks the link abandoned.
    fn mark_abandoned<R>(_link: &BaseLink<R, Self>, mut slot: MutexGuard<'_, Slot<R>>) {
        *slot = Slot::Abandoned;
    }

    /// `poll_outcome`, the slot locked and found empty: registers the task's waker while the
    /// slot is still locked (a delivery takes that lock first).
    fn register<R>(link: &BaseLink<R, Self>, slot: MutexGuard<'_, Slot<R>>, waker: &Waker) {
        *lock(&link.waker) = Some(waker.clone());
        drop(slot);
    }
}

impl LinkFlaw for NoFlaw {}

/// A reply link whose steps are those of `F`: correct with [`NoFlaw`], one bug per variant.
pub struct BaseLink<R, F> {
    slot: Mutex<Slot<R>>,
    ready: Condvar,
    /// An `async` caller's task (locked after `slot` when both are).
    waker: Mutex<Option<Waker>>,
    flaw: PhantomData<fn() -> F>,
}

impl<R, F: LinkFlaw> BaseLink<R, F> {
    /// Locks the slot.
    pub(super) fn lock(&self) -> MutexGuard<'_, Slot<R>> {
        lock(&self.slot)
    }

    /// Wakes the caller, if it waits (parked, or an `async` task).
    pub(super) fn notify(&self) {
        self.ready.notify_one();
        if let Some(task) = lock(&self.waker).take() {
            task.wake();
        }
    }

    /// Stores an `async` caller's waker.
    pub(super) fn set_waker(&self, waker: &Waker) {
        *lock(&self.waker) = Some(waker.clone());
    }

    /// Stores `outcome` if the link still waits ([`LinkFlaw::lock_waiting`]), else discards
    /// it ([`LinkFlaw::discard`]); wakes nobody. Returns whether it was stored.
    pub(super) fn store(&self, outcome: Result<R, CallError>) -> bool {
        let Some(mut slot) = F::lock_waiting(self) else {
            F::discard(outcome);
            return false;
        };
        *slot = Slot::Done(outcome);
        true
    }
}

impl<R: Send + 'static, F: LinkFlaw> LinkApi<R> for BaseLink<R, F> {
    fn new() -> Self {
        BaseLink {
            slot: Mutex::new(Slot::Waiting),
            ready: Condvar::new(),
            waker: Mutex::new(None),
            flaw: PhantomData,
        }
    }

    fn complete(&self, outcome: Result<R, CallError>) -> bool {
        F::complete(self, outcome)
    }

    fn poll(&self) -> Option<Result<R, CallError>> {
        take(&mut self.lock())
    }

    fn wait(&self) -> Result<R, CallError> {
        let mut slot = self.lock();
        loop {
            if let Some(outcome) = take(&mut slot) {
                return outcome;
            }
            slot = wait(&self.ready, slot);
        }
    }

    fn wait_for(&self, _: Duration) -> Option<Result<R, CallError>> {
        let mut slot = self.lock();
        if let Some(outcome) = take(&mut slot) {
            return Some(outcome);
        }
        slot = wait(&self.ready, slot);
        take(&mut slot)
    }

    fn abandon(&self) -> Option<Result<R, CallError>> {
        let mut slot = self.lock();
        let outcome = take(&mut slot);
        F::mark_abandoned(self, slot);
        outcome
    }

    fn poll_outcome(&self, cx: &mut Context<'_>) -> Poll<Result<R, CallError>> {
        let mut slot = self.lock();
        if let Some(outcome) = take(&mut slot) {
            return Poll::Ready(outcome);
        }
        F::register(self, slot, cx.waker());
        Poll::Pending
    }
}
