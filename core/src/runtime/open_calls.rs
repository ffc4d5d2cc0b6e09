//! The calls a server was sent and whose callers still wait, kept beside its mailbox: a
//! kill (or an untrapped exit signal) fails them at once, with the server's reason, even
//! while its task is stuck in a callback (threads cannot be stopped from outside), as an
//! Erlang caller learns of the death of the server it waits for at once.

use std::ops::Deref;

use slab::Slab;

use crate::ExitReason;
use crate::runtime::ReplyLink;
use crate::sync::{Arc, Mutex, lock};

/// A call's link, whatever its reply type.
pub(crate) trait Open: Send + Sync {
    /// Fails the call with `reason`, unless it was answered.
    fn abort(&self, reason: &ExitReason);
}

impl<R: Send> Open for ReplyLink<R> {
    fn abort(&self, reason: &ExitReason) {
        ReplyLink::abort(self, reason);
    }
}

/// One open call: the shared link itself (no allocation), or, under loom (whose `Arc`
/// cannot be made a trait object), a box around it.
#[cfg(not(loom))]
type Entry = std::sync::Arc<dyn Open>;
#[cfg(loom)]
type Entry = Box<dyn Open>;

/// What holds a link: a client's call cell, or (under loom) the shared pointer itself.
impl<R: Send, L: Deref<Target = ReplyLink<R>> + Send + Sync> Open for L {
    fn abort(&self, reason: &ExitReason) {
        ReplyLink::abort(self, reason);
    }
}

/// The entry of `link`.
#[cfg(not(loom))]
pub(crate) fn entry<L: Open + 'static>(link: &Arc<L>) -> Entry {
    Arc::clone(link) as Entry
}

/// The entry of `link`.
#[cfg(loom)]
pub(crate) fn entry<R: Send + 'static>(link: &Arc<ReplyLink<R>>) -> Entry {
    Box::new(Arc::clone(link))
}

/// The open calls of one server. Each caller takes its own entry out once it has its
/// outcome (or gives up): the server itself touches the list only when it is doomed, exits
/// or goes idle, so a steady stream of calls costs it nothing here.
#[derive(Default)]
pub(crate) struct OpenCalls(Mutex<State>);

#[derive(Default)]
struct State {
    /// Set once the server is doomed or gone: calls fail at once from then on.
    closed: bool,
    /// One open call (key 0), kept without an allocation: a server called by one caller at
    /// a time never needs more.
    first: Option<Entry>,
    /// The others (key `k + 1` for the slab's `k`), while calls overlap.
    more: Option<Box<Slab<Entry>>>,
}

/// A call's place among its server's open calls, held by whoever waits for its outcome:
/// dropping it takes the call out.
pub(crate) struct Opened {
    calls: Arc<OpenCalls>,
    key: usize,
}

impl Drop for Opened {
    fn drop(&mut self) {
        let mut state = lock(&self.calls.0);
        // Once closed, the list was emptied and no key is ever given again.
        if state.closed {
            return;
        }
        let call = match self.key.checked_sub(1) {
            None => state.first.take(),
            Some(key) => state.more.as_mut().and_then(|more| more.try_remove(key)),
        };
        drop(state);
        // The link, if this was the last hold on it, is freed without the lock.
        drop(call);
    }
}

impl OpenCalls {
    /// Records a call about to be queued, until its [`Opened`] is dropped; `None` if the
    /// server is doomed or gone (the call fails at once instead).
    pub(crate) fn open(calls: &Arc<OpenCalls>, call: Entry) -> Option<Opened> {
        let mut state = lock(&calls.0);
        if state.closed {
            return None;
        }
        let key = match state.first {
            None => {
                state.first = Some(call);
                0
            }
            Some(_) => state.more.get_or_insert_default().insert(call) + 1,
        };
        Some(Opened {
            calls: Arc::clone(calls),
            key,
        })
    }

    /// Gives back the buffer of overlapping calls if none is open (the server is about to
    /// wait: an idle server holds no buffer).
    pub(crate) fn trim(&self) {
        let mut state = lock(&self.0);
        if state.more.as_ref().is_some_and(|more| more.is_empty()) {
            state.more = None;
        }
    }

    /// Fails every open call with `reason` and refuses new ones (a kill or an untrapped exit
    /// signal doomed the server).
    pub(crate) fn fail_all(&self, reason: &ExitReason) {
        for call in self.close() {
            call.abort(reason);
        }
    }

    /// Refuses new calls and hands back the open ones (the server exited and answered or
    /// failed each itself, or a doom fails them).
    pub(crate) fn close(&self) -> impl Iterator<Item = Entry> {
        let (first, more) = {
            let mut state = lock(&self.0);
            state.closed = true;
            (state.first.take(), state.more.take())
        };
        let more = more
            .into_iter()
            .flat_map(|more| more.into_iter().map(|(_, call)| call));
        first.into_iter().chain(more)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::{OpenCalls, entry};
    use crate::runtime::ReplyLink;
    use crate::sync::{Arc, lock};
    use crate::{CallError, ExitReason};

    fn open_now(calls: &Arc<OpenCalls>) -> usize {
        let state = lock(&calls.0);
        usize::from(state.first.is_some()) + state.more.as_ref().map_or(0, |more| more.len())
    }

    #[test]
    fn a_caller_takes_its_call_out_and_nothing_stays() {
        let calls = Arc::new(OpenCalls::default());
        let links: Vec<Arc<ReplyLink<u32>>> = (0..3).map(|_| Arc::new(ReplyLink::new())).collect();
        let opened: Vec<_> = links
            .iter()
            .map(|link| OpenCalls::open(&calls, entry(link)).expect("open"))
            .collect();
        assert_eq!(open_now(&calls), 3);
        drop(opened);
        assert_eq!(open_now(&calls), 0);
        assert!(
            links.iter().all(|link| Arc::strong_count(link) == 1),
            "no link kept"
        );
    }

    #[test]
    fn a_doom_fails_what_is_open_and_refuses_the_rest() {
        let calls = Arc::new(OpenCalls::default());
        let (waiting, answered) = (
            Arc::new(ReplyLink::<u32>::new()),
            Arc::new(ReplyLink::new()),
        );
        let first = OpenCalls::open(&calls, entry(&waiting)).expect("open");
        let second = OpenCalls::open(&calls, entry(&answered)).expect("open");
        assert!(answered.complete(Ok(1)));
        drop(second);
        calls.fail_all(&ExitReason::Killed);
        assert_eq!(
            waiting.poll(),
            Some(Err(CallError::Exited(ExitReason::Killed)))
        );
        assert_eq!(answered.poll(), Some(Ok(1)));
        drop(first); // After the doom: nothing to take out.
        assert!(OpenCalls::open(&calls, entry(&Arc::new(ReplyLink::<u32>::new()))).is_none());
    }
}
