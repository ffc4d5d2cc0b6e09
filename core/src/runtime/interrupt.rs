//! How a server is told to die from outside: a kill or an untrapped exit signal.
//!
//! A running callback cannot be stopped from outside, so a doom is a flag the server's task checks
//! before each callback, after each callback and between the effects it applies. A server
//! blocked in a call it made (waiting on that call's reply link) is woken by completing that
//! link: the reply link's one-outcome rule then decides between the real reply and the doom,
//! and the server, seeing the doom, exits without handling the outcome.

use std::sync::atomic::Ordering::{Acquire, Release};

use crate::runtime::ReplyLink;
use crate::sync::{Arc, AtomicBool, Mutex, lock};
use crate::{CallError, ExitReason};

/// Why a server must exit: the reason, and whether it was killed (no `terminate`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Doom {
    /// The exit reason ([`ExitReason::Killed`] for a kill).
    pub reason: ExitReason,
    /// An untrappable kill: `terminate` does not run.
    pub kill: bool,
}

impl Doom {
    /// The doom of an untrappable kill.
    pub fn kill() -> Self {
        Doom {
            reason: ExitReason::Killed,
            kill: true,
        }
    }
}

struct State<R> {
    doom: Option<Doom>,
    /// The reply link of the call the server is blocked in, if any.
    calling: Option<Arc<ReplyLink<R>>>,
}

/// A server's doom flag and the reply link it may be blocked on (`R`: the reply type).
///
/// A doom set while the server waits on a registered link completes that link; a doom set
/// before the server registers one makes the registration fail. Both happen under one lock,
/// so a doom is never missed by a server about to wait.
pub struct Interrupt<R> {
    state: Mutex<State<R>>,
    /// Set (under the lock) once doomed, so the server can check without locking.
    doomed: AtomicBool,
}

impl<R> Default for Interrupt<R> {
    fn default() -> Self {
        Self::new()
    }
}

impl<R> Interrupt<R> {
    /// Not doomed, not in a call.
    pub fn new() -> Self {
        Interrupt {
            state: Mutex::new(State {
                doom: None,
                calling: None,
            }),
            doomed: AtomicBool::new(false),
        }
    }

    /// Dooms the server and wakes it from the call it is blocked in. The first doom stays,
    /// except that a kill replaces an exit. Returns whether this doom was recorded.
    pub fn doom(&self, doom: Doom) -> bool {
        let mut state = lock(&self.state);
        if let Some(earlier) = &state.doom {
            if earlier.kill || !doom.kill {
                return false;
            }
        }
        let error = CallError::Exited(doom.reason.clone());
        state.doom = Some(doom);
        self.doomed.store(true, Release);
        let calling = state.calling.take();
        drop(state);
        if let Some(link) = calling {
            link.complete(Err(error));
        }
        true
    }

    /// The doom, if any.
    pub fn doomed(&self) -> Option<Doom> {
        if !self.is_doomed() {
            return None;
        }
        lock(&self.state).doom.clone()
    }

    /// Whether a doom was set (one atomic load: servers look before and after every
    /// callback).
    #[inline]
    pub fn is_doomed(&self) -> bool {
        self.doomed.load(Acquire)
    }

    /// Registers the link of a call the server is about to wait on. Returns `false`, and
    /// registers nothing, if the server is already doomed (it must not wait then).
    pub fn enter_call(&self, link: &Arc<ReplyLink<R>>) -> bool {
        let mut state = lock(&self.state);
        if state.doom.is_some() {
            return false;
        }
        state.calling = Some(Arc::clone(link));
        true
    }

    /// The call is over (its outcome taken): forgets its link.
    pub fn leave_call(&self) {
        lock(&self.state).calling = None;
    }
}
