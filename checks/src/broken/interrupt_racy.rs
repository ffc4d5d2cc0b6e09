//! BUG (a kill is missed by a server about to wait): `enter_call` looks at the doom flag,
//! lets go of the lock, and registers the call's link in a second critical section. A doom
//! set in between finds no link to complete, and the server then waits for a reply that may
//! never come: a kill that does not take a server blocked in its own call down.
//!
//! Caught by `kill_wakes_a_server_waiting_for_ever` (tests/loom_interrupt.rs): loom dooms the
//! server between its two critical sections, and it waits on a call never answered: a deadlock.

use genserver::CallError;
use genserver::engine::Doom;
use genserver::engine::ReplyLink;

use crate::api::InterruptApi;
use crate::sync::{Arc, Mutex, lock};

struct State<R> {
    doom: Option<Doom>,
    calling: Option<Arc<ReplyLink<R>>>,
}

/// [`genserver::engine::Interrupt`] whose check and registration are not atomic.
pub struct RacyInterrupt<R> {
    state: Mutex<State<R>>,
}

impl<R: Send + 'static> InterruptApi<R> for RacyInterrupt<R> {
    fn new() -> Self {
        RacyInterrupt {
            state: Mutex::new(State {
                doom: None,
                calling: None,
            }),
        }
    }

    fn doom(&self, doom: Doom) -> bool {
        let mut state = lock(&self.state);
        if state.doom.is_some() {
            return false;
        }
        let error = CallError::Exited(doom.reason.clone());
        state.doom = Some(doom);
        let calling = state.calling.take();
        drop(state);
        if let Some(link) = calling {
            link.complete(Err(error));
        }
        true
    }

    fn doomed(&self) -> Option<Doom> {
        lock(&self.state).doom.clone()
    }

    fn enter_call(&self, link: &Arc<ReplyLink<R>>) -> bool {
        if lock(&self.state).doom.is_some() {
            return false;
        }
        // BUG: a second critical section; core checks and registers under one lock.
        lock(&self.state).calling = Some(Arc::clone(link));
        true
    }

    fn leave_call(&self) {
        lock(&self.state).calling = None;
    }
}
