//! The reply link: one call's outcome, racing the caller's timeout.

use std::sync::atomic::Ordering::{Acquire, Release};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use crate::sync::{
    AtomicBool, Condvar, Mutex, MutexGuard, blocking, lock, spin_until, spin_until_for, wait,
    wait_timeout,
};
use crate::{CallError, ExitReason};

enum Slot<R> {
    Waiting,
    Done(Result<R, CallError>),
    Taken,
    Abandoned,
}

struct State<R> {
    slot: Slot<R>,
    /// The caller is parked on the condition variable: a delivery must wake it.
    parked: bool,
    /// An `async` caller's task waits for the outcome: a delivery must wake it.
    waker: Option<Waker>,
}

/// A one-shot slot for a call's outcome.
///
/// Exactly one outcome is ever taken: either the first one delivered, or none because the
/// caller abandoned the link first (its timeout fired), in which case later deliveries are
/// discarded. The clock stays with the caller: a timeout is the explicit [`abandon`].
///
/// [`abandon`]: ReplyLink::abandon
pub struct ReplyLink<R> {
    state: Mutex<State<R>>,
    ready: Condvar,
    /// Set (under the lock) once an outcome is delivered, so waiters can spin without locking.
    delivered: AtomicBool,
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
            state: Mutex::new(State {
                slot: Slot::Waiting,
                parked: false,
                waker: None,
            }),
            ready: Condvar::new(),
            delivered: AtomicBool::new(false),
        }
    }

    /// Delivers the outcome. Returns `false`, discarding it, if an outcome was already
    /// delivered or the caller abandoned the link.
    pub fn complete(&self, outcome: Result<R, CallError>) -> bool {
        // Settled already (a copy of the token dropped after the reply): no lock taken, so
        // the waiter taking its outcome meanwhile finds the lock free.
        if self.delivered.load(Acquire) {
            return false;
        }
        let mut state = lock(&self.state);
        if !matches!(state.slot, Slot::Waiting) {
            return false;
        }
        state.slot = Slot::Done(outcome);
        self.delivered.store(true, Release);
        let wake = state.parked;
        let task = state.waker.take();
        drop(state);
        if wake {
            self.ready.notify_one();
        }
        if let Some(task) = task {
            task.wake();
        }
        true
    }

    /// Takes the outcome if it has arrived; otherwise `cx`'s task is woken when it does. The
    /// waker is stored under the lock a delivery takes, so none is lost between the look and
    /// the registration.
    pub fn poll_outcome(&self, cx: &mut Context<'_>) -> Poll<Result<R, CallError>> {
        let mut state = lock(&self.state);
        if let Some(outcome) = Self::take(&mut state) {
            return Poll::Ready(outcome);
        }
        match &mut state.waker {
            Some(waker) => waker.clone_from(cx.waker()),
            none => *none = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    /// Takes the outcome if it has arrived.
    pub fn poll(&self) -> Option<Result<R, CallError>> {
        Self::take(&mut lock(&self.state))
    }

    /// Waits for the outcome for as long as it takes.
    pub fn wait(&self) -> Result<R, CallError> {
        spin_until(&self.delivered);
        let mut state = lock(&self.state);
        loop {
            if let Some(outcome) = Self::take(&mut state) {
                return outcome;
            }
            state = self.park(state, None);
        }
    }

    /// Waits for at most `timeout` (one wait: callers re-check their own clock). Returns the
    /// outcome if it arrived; the link stays live otherwise.
    pub fn wait_for(&self, timeout: Duration) -> Option<Result<R, CallError>> {
        spin_until_for(&self.delivered, timeout);
        let mut state = lock(&self.state);
        if let Some(outcome) = Self::take(&mut state) {
            return Some(outcome);
        }
        state = self.park(state, Some(timeout));
        Self::take(&mut state)
    }

    /// Fails the call with its server's exit `reason`, unless an outcome came first.
    pub(crate) fn abort(&self, reason: &ExitReason) {
        self.complete(Err(CallError::Exited(reason.clone())));
    }

    /// Whether an outcome was delivered (read without the lock).
    pub(crate) fn is_delivered(&self) -> bool {
        self.delivered.load(Acquire)
    }

    /// Whether the link takes no more outcomes (one was delivered, or the caller gave up).
    pub fn is_closed(&self) -> bool {
        !matches!(lock(&self.state).slot, Slot::Waiting)
    }

    /// The caller's timeout fired: the outcome if it came meanwhile, otherwise
    /// [`CallError::Timeout`] (later deliveries are discarded).
    pub(crate) fn time_out(&self) -> Result<R, CallError> {
        self.abandon().unwrap_or(Err(CallError::Timeout))
    }

    /// The caller gives up (its timeout fired). If the outcome arrived in the meantime it is
    /// returned; otherwise every later delivery is discarded.
    pub fn abandon(&self) -> Option<Result<R, CallError>> {
        let mut state = lock(&self.state);
        let outcome = Self::take(&mut state);
        state.slot = Slot::Abandoned;
        outcome
    }

    fn park<'a>(
        &self,
        mut state: MutexGuard<'a, State<R>>,
        timeout: Option<Duration>,
    ) -> MutexGuard<'a, State<R>> {
        state.parked = true;
        let mut state = blocking(move || match timeout {
            None => wait(&self.ready, state),
            Some(timeout) => wait_timeout(&self.ready, state, timeout),
        });
        state.parked = false;
        state
    }

    fn take(state: &mut State<R>) -> Option<Result<R, CallError>> {
        match std::mem::replace(&mut state.slot, Slot::Taken) {
            Slot::Done(outcome) => Some(outcome),
            Slot::Taken => None,
            other => {
                state.slot = other;
                None
            }
        }
    }
}
