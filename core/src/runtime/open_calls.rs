//! The calls a server was sent and has not answered, kept beside its mailbox: a kill (or an
//! untrapped exit signal) fails them at once, with the server's reason, even while its task
//! is stuck in a callback (threads cannot be stopped from outside), as an Erlang caller
//! learns of the death of the server it waits for at once.

use crate::ExitReason;
use crate::runtime::ReplyLink;
use crate::sync::{Arc, Mutex, lock};

/// A call's link, whatever its reply type.
pub(crate) trait Open: Send + Sync {
    /// Fails the call with `reason`, unless it was answered.
    fn abort(&self, reason: &ExitReason);
    /// Whether it was answered (without taking the link's lock).
    fn is_answered(&self) -> bool;
}

impl<R: Send> Open for ReplyLink<R> {
    fn abort(&self, reason: &ExitReason) {
        ReplyLink::abort(self, reason);
    }
    fn is_answered(&self) -> bool {
        self.is_delivered()
    }
}

/// One open call: the shared link itself (no allocation), or, under loom (whose `Arc`
/// cannot be made a trait object), a box around it.
#[cfg(not(loom))]
type Entry = std::sync::Arc<dyn Open>;
#[cfg(loom)]
type Entry = Box<dyn Open>;

#[cfg(loom)]
impl<R: Send> Open for Arc<ReplyLink<R>> {
    fn abort(&self, reason: &ExitReason) {
        ReplyLink::abort(self, reason);
    }
    fn is_answered(&self) -> bool {
        self.is_delivered()
    }
}

/// The entry of `link`.
pub(crate) fn entry<R: Send + 'static>(link: &Arc<ReplyLink<R>>) -> Entry {
    #[cfg(not(loom))]
    let entry: Arc<ReplyLink<R>> = Arc::clone(link);
    #[cfg(loom)]
    let entry = Box::new(Arc::clone(link));
    entry
}

/// Whether `entry` can be forgotten: answered, or (outside loom) held by nobody else, its
/// caller gone and its server done with it.
fn done(entry: &Entry) -> bool {
    #[cfg(not(loom))]
    let alone = std::sync::Arc::strong_count(entry) == 1;
    #[cfg(loom)]
    let alone = false;
    entry.is_answered() || alone
}

/// The open calls of one server.
#[derive(Default)]
pub(crate) struct OpenCalls(Mutex<State>);

#[derive(Default)]
struct State {
    /// Set once the server is doomed or gone: calls fail at once from then on.
    closed: bool,
    open: Vec<Entry>,
    /// Answered calls are swept out when the list reaches this length.
    sweep_at: usize,
}

/// The shortest list that is swept for answered calls.
const SWEEP: usize = 32;

impl OpenCalls {
    /// Records a call about to be queued; `false` if the server is doomed or gone (the call
    /// fails at once instead).
    pub(crate) fn open(&self, call: Entry) -> bool {
        let mut state = lock(&self.0);
        if state.closed {
            return false;
        }
        if state.open.len() >= state.sweep_at.max(SWEEP) {
            state.open.retain(|call| !done(call));
            state.sweep_at = 2 * state.open.len();
        }
        state.open.push(call);
        true
    }

    /// Forgets the calls answered or given up, and gives back the list's buffer if none is
    /// left (the server is about to wait: an idle server holds no buffer).
    pub(crate) fn trim(&self) {
        let mut state = lock(&self.0);
        state.open.retain(|call| !done(call));
        if state.open.is_empty() {
            state.open = Vec::new();
        }
    }

    /// Fails every open call with `reason` and refuses new ones (a kill or an untrapped exit
    /// signal doomed the server).
    pub(crate) fn fail_all(&self, reason: &ExitReason) {
        let open = {
            let mut state = lock(&self.0);
            state.closed = true;
            std::mem::take(&mut state.open)
        };
        for call in open {
            call.abort(reason);
        }
    }

    /// Forgets the open calls (the server exited and answered or failed each itself).
    pub(crate) fn close(&self) {
        let mut state = lock(&self.0);
        state.closed = true;
        state.open.clear();
    }
}
