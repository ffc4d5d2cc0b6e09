//! Reply tokens: the opaque `from` of a call, usable later and from anywhere.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Weak};

use crate::{CallError, CallTag, ProcessId, fork};

/// Where an engine delivers the outcome of one call. Engines implement it; users never do.
pub trait ReplySink<R>: Send + Sync {
    /// Delivers the outcome. Returns `false` when the caller no longer waits (it timed out,
    /// gave up, or an outcome was already delivered): the value is then discarded.
    fn deliver(&self, outcome: Result<R, CallError>) -> bool;

    /// A sink of its own for the copy of a world that is being made ([`crate::engine::forking`]),
    /// in the state this one is in; `None` (the default) if this engine cannot copy its
    /// calls (the fork then fails).
    fn fork(&self) -> Option<Arc<dyn ReplySink<R>>> {
        None
    }
}

struct Guard<R> {
    caller: ProcessId,
    tag: CallTag,
    sink: Arc<dyn ReplySink<R>>,
}

impl<R> Drop for Guard<R> {
    /// The last copy of a token going away without a reply fails the call at once.
    fn drop(&mut self) {
        self.sink.deliver(Err(CallError::NoReply));
    }
}

/// The opaque "from" of a call: reply through it now or later, from any thread or process.
///
/// Copies share one call; the first outcome delivered wins and later ones are discarded.
/// When every copy is dropped without a reply, the caller gets [`CallError::NoReply`] at once.
/// Equality and hashing look only at `(caller, tag)`, so a server state that stores tokens can
/// still be `Hash + Eq` for exhaustive search.
pub struct ReplyTo<R> {
    guard: Arc<Guard<R>>,
}

impl<R> ReplyTo<R> {
    /// Makes a token for call `tag` of `caller`. Engines call this; users receive tokens.
    /// (The sink is shared so an engine can keep its own handle on it without another
    /// allocation per call.)
    pub fn new(caller: ProcessId, tag: CallTag, sink: Arc<dyn ReplySink<R>>) -> Self {
        ReplyTo {
            guard: Arc::new(Guard { caller, tag, sink }),
        }
    }

    /// The process waiting for this reply.
    pub fn caller(&self) -> ProcessId {
        self.guard.caller
    }

    /// The caller's tag for this call.
    pub fn tag(&self) -> CallTag {
        self.guard.tag
    }

    /// Sends the reply now. Returns `false` if the caller no longer waits (the value is
    /// discarded, never delivered to a later call). Inside a handler prefer
    /// [`crate::Ctx::reply`], which records the reply as an effect.
    pub fn reply(&self, value: R) -> bool {
        self.guard.sink.deliver(Ok(value))
    }

    /// Fails the call with `error`. Returns `false` if the caller no longer waits.
    pub fn fail(&self, error: CallError) -> bool {
        self.guard.sink.deliver(Err(error))
    }

    /// A handle that does not keep the call alive: engines use it to fail calls still
    /// unanswered when a server exits.
    pub fn downgrade(&self) -> WeakReplyTo<R> {
        WeakReplyTo(Arc::downgrade(&self.guard))
    }
}

impl<R: 'static> WeakReplyTo<R> {
    /// Inside [`crate::engine::forking`], the handle of the token's copy (a dead handle if no
    /// copy of the token is alive).
    pub fn fork(&self) -> WeakReplyTo<R> {
        match self.upgrade() {
            Some(token) => token.clone().downgrade(),
            None => WeakReplyTo(Weak::new()),
        }
    }
}

/// A non-owning [`ReplyTo`]: it does not count as a copy of the token.
pub struct WeakReplyTo<R>(Weak<Guard<R>>);

impl<R> WeakReplyTo<R> {
    /// The token, if some copy of it is still alive.
    pub fn upgrade(&self) -> Option<ReplyTo<R>> {
        self.0.upgrade().map(|guard| ReplyTo { guard })
    }
}

/// Another copy of the same call; inside [`crate::engine::forking`], the token of the
/// world's copy instead.
impl<R: 'static> Clone for ReplyTo<R> {
    fn clone(&self) -> Self {
        let shared = || ReplyTo {
            guard: Arc::clone(&self.guard),
        };
        if !fork::is_forking() {
            return shared();
        }
        let original = Arc::as_ptr(&self.guard) as *const () as usize;
        let copy = fork::copy_of(original, || {
            let sink = self.guard.sink.fork()?;
            Some(Arc::new(Guard {
                caller: self.guard.caller,
                tag: self.guard.tag,
                sink,
            }))
        });
        match copy {
            Some(guard) => ReplyTo { guard },
            None => shared(),
        }
    }
}

impl<R> PartialEq for ReplyTo<R> {
    fn eq(&self, other: &Self) -> bool {
        (self.caller(), self.tag()) == (other.caller(), other.tag())
    }
}
impl<R> Eq for ReplyTo<R> {}
impl<R> Hash for ReplyTo<R> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.caller(), self.tag()).hash(state)
    }
}
impl<R> fmt::Debug for ReplyTo<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ReplyTo({:?}#{})", self.caller(), self.tag().0)
    }
}
