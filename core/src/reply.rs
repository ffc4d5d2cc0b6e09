//! Reply tokens: the opaque `from` of a call, usable later and from anywhere.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed};
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

/// One call as its tokens share it: who waits, how many tokens are alive, and the sink its
/// outcome goes to. An engine that keeps an object per call can embed its sink in it
/// ([`ReplyTo::issue`]): the call's tokens and its sink are then one allocation, made by the
/// caller and most often freed by it too (a block freed by the server, on another core,
/// makes the caller's next allocation slow).
pub struct CallCell<K: ?Sized> {
    caller: ProcessId,
    tag: CallTag,
    /// Tokens alive; the last one dropped without a reply fails the call.
    tokens: AtomicUsize,
    sink: K,
}

impl<K> CallCell<K> {
    /// The cell of call `tag` of `caller`, delivering into `sink`; no token yet.
    pub fn new(caller: ProcessId, tag: CallTag, sink: K) -> Self {
        CallCell {
            caller,
            tag,
            tokens: AtomicUsize::new(0),
            sink,
        }
    }
}

impl<K: ?Sized> std::ops::Deref for CallCell<K> {
    type Target = K;

    /// The sink.
    fn deref(&self) -> &K {
        &self.sink
    }
}

/// A sink an engine shares ([`ReplyTo::new`]) inside a cell of its own.
struct Shared<R>(Arc<dyn ReplySink<R>>);

impl<R> ReplySink<R> for Shared<R> {
    fn deliver(&self, outcome: Result<R, CallError>) -> bool {
        self.0.deliver(outcome)
    }

    fn fork(&self) -> Option<Arc<dyn ReplySink<R>>> {
        self.0.fork()
    }
}

/// The opaque "from" of a call: reply through it now or later, from any thread or process.
///
/// Copies share one call; the first outcome delivered wins and later ones are discarded.
/// When every copy is dropped without a reply, the caller gets [`CallError::NoReply`] at once.
/// Equality and hashing look only at `(caller, tag)`, so a server state that stores tokens can
/// still be `Hash + Eq` for exhaustive search.
pub struct ReplyTo<R> {
    /// `None` only inside [`ReplyTo::settle`], once the copy has let go of its call.
    cell: Option<Arc<CallCell<dyn ReplySink<R>>>>,
}

impl<R> ReplyTo<R> {
    /// Makes a token for call `tag` of `caller`. Engines call this; users receive tokens.
    /// (The sink is shared so an engine can keep its own handle on it; an engine that keeps
    /// a cell per call saves an allocation with [`ReplyTo::issue`].)
    pub fn new(caller: ProcessId, tag: CallTag, sink: Arc<dyn ReplySink<R>>) -> Self
    where
        R: 'static,
    {
        Self::issue(&Arc::new(CallCell::new(caller, tag, Shared(sink))))
    }

    /// A token of `cell`'s call. Issue the first one before any is dropped: once the last
    /// token of a call is gone the call has failed, and a token issued later is a token of
    /// a failed call.
    pub fn issue<K: ReplySink<R> + 'static>(cell: &Arc<CallCell<K>>) -> Self {
        cell.tokens.fetch_add(1, Relaxed);
        let cell: Arc<CallCell<dyn ReplySink<R>>> = cell.clone();
        ReplyTo { cell: Some(cell) }
    }

    /// The process waiting for this reply.
    pub fn caller(&self) -> ProcessId {
        self.cell().caller
    }

    /// The caller's tag for this call.
    pub fn tag(&self) -> CallTag {
        self.cell().tag
    }

    /// Sends the reply now. Returns `false` if the caller no longer waits (the value is
    /// discarded, never delivered to a later call). Inside a handler prefer
    /// [`crate::Ctx::reply`], which records the reply as an effect.
    pub fn reply(&self, value: R) -> bool {
        self.cell().sink.deliver(Ok(value))
    }

    /// Fails the call with `error`. Returns `false` if the caller no longer waits.
    pub fn fail(&self, error: CallError) -> bool {
        self.cell().sink.deliver(Err(error))
    }

    /// A handle that does not keep the call alive: engines use it to fail calls still
    /// unanswered when a server exits.
    pub fn downgrade(&self) -> WeakReplyTo<R> {
        WeakReplyTo(Arc::downgrade(self.cell()))
    }

    /// Delivers `outcome` through this copy and lets go of it, as [`ReplyTo::reply`] and a
    /// drop would, except that the last copy lets go of its call before the outcome is
    /// published: the caller, which reads the same memory as soon as it is, then finds the
    /// server done with it (but for the pointer's own count).
    pub(crate) fn settle(mut self, outcome: Result<R, CallError>) -> bool {
        let Some(cell) = self.cell.take() else {
            return false;
        };
        // Only the last copy: another one dropped meanwhile would fail the call first.
        let last = cell.tokens.compare_exchange(1, 0, AcqRel, Relaxed).is_ok();
        let delivered = cell.sink.deliver(outcome);
        if !last {
            let_go(&cell);
        }
        delivered
    }

    /// The call this copy holds.
    fn cell(&self) -> &Arc<CallCell<dyn ReplySink<R>>> {
        self.cell
            .as_ref()
            .expect("a copy lets go of its call only as `settle` consumes it")
    }

    /// One more copy of the same call.
    fn share(&self) -> Self {
        self.cell().tokens.fetch_add(1, Relaxed);
        ReplyTo {
            cell: Some(Arc::clone(self.cell())),
        }
    }

    /// Inside [`crate::engine::forking`], the copy of this token for the world's copy;
    /// `None` outside a fork or if the sink cannot fork.
    fn fork_copy(&self) -> Option<Self>
    where
        R: 'static,
    {
        let original = Arc::as_ptr(self.cell()) as *const () as usize;
        let copy = fork::copy_of(original, || {
            let sink = self.cell().sink.fork()?;
            let cell = Arc::new(CallCell::new(self.caller(), self.tag(), Shared(sink)));
            Some(ForkCopy(ReplyTo::issue(&cell)))
        })?;
        Some(copy.0)
    }
}

/// The copy of a token that a fork keeps for the other clones of the same original: a copy
/// alive until the fork ends, as the original was (so a copy dropped and made again within
/// one fork is still one live call). Cloning it shares it, without looking for a fork.
struct ForkCopy<R>(ReplyTo<R>);

impl<R> Clone for ForkCopy<R> {
    fn clone(&self) -> Self {
        ForkCopy(self.0.share())
    }
}

impl<R> Drop for ReplyTo<R> {
    /// The last copy of a token going away without a reply fails the call at once.
    fn drop(&mut self) {
        if let Some(cell) = &self.cell {
            let_go(cell);
        }
    }
}

/// One copy of `cell`'s token lets go of the call; the last one fails it.
fn let_go<R>(cell: &CallCell<dyn ReplySink<R>>) {
    if cell.tokens.fetch_sub(1, AcqRel) == 1 {
        cell.sink.deliver(Err(CallError::NoReply));
    }
}

impl<R: 'static> WeakReplyTo<R> {
    /// Inside [`crate::engine::forking`], the handle of the token's copy (a dead handle if no
    /// copy of the token is alive).
    pub fn fork(&self) -> WeakReplyTo<R> {
        match self.upgrade() {
            Some(token) => token.clone().downgrade(),
            None => WeakReplyTo(Weak::<CallCell<Shared<R>>>::new()),
        }
    }
}

/// A non-owning [`ReplyTo`]: it does not count as a copy of the token.
pub struct WeakReplyTo<R>(Weak<CallCell<dyn ReplySink<R>>>);

impl<R> WeakReplyTo<R> {
    /// Whether some copy of the token is still alive (a look, not a copy: it may die right
    /// after, as the last copy is dropped elsewhere).
    pub fn is_live(&self) -> bool {
        self.0
            .upgrade()
            .is_some_and(|cell| cell.tokens.load(Acquire) > 0)
    }

    /// The token, if some copy of it is still alive.
    pub fn upgrade(&self) -> Option<ReplyTo<R>> {
        let cell = self.0.upgrade()?;
        let mut tokens = cell.tokens.load(Relaxed);
        loop {
            if tokens == 0 {
                return None;
            }
            match cell
                .tokens
                .compare_exchange_weak(tokens, tokens + 1, Acquire, Relaxed)
            {
                Ok(_) => return Some(ReplyTo { cell: Some(cell) }),
                Err(now) => tokens = now,
            }
        }
    }
}

/// Another copy of the same call; inside [`crate::engine::forking`], the token of the
/// world's copy instead.
impl<R: 'static> Clone for ReplyTo<R> {
    fn clone(&self) -> Self {
        if fork::is_forking() {
            if let Some(copy) = self.fork_copy() {
                return copy;
            }
        }
        self.share()
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::Mutex;

    use super::{CallCell, ReplySink, ReplyTo};
    use crate::{CallError, CallTag, ProcessId};

    /// Every outcome delivered to it, in order.
    #[derive(Default)]
    struct Outcomes(Mutex<Vec<Result<u32, CallError>>>);

    impl ReplySink<u32> for Outcomes {
        fn deliver(&self, outcome: Result<u32, CallError>) -> bool {
            self.0.lock().unwrap().push(outcome);
            true
        }
    }

    impl Outcomes {
        fn seen(&self) -> Vec<Result<u32, CallError>> {
            self.0.lock().unwrap().clone()
        }
    }

    fn cell() -> Arc<CallCell<Outcomes>> {
        Arc::new(CallCell::new(ProcessId(7), CallTag(3), Outcomes::default()))
    }

    #[test]
    fn the_last_copy_dropped_fails_the_call_once() {
        let cell = cell();
        let token = ReplyTo::issue(&cell);
        let copy = token.clone();
        assert_eq!((copy.caller(), copy.tag()), (ProcessId(7), CallTag(3)));
        drop(token);
        assert!(cell.seen().is_empty(), "a copy is still alive");
        drop(copy);
        assert_eq!(cell.seen(), [Err(CallError::NoReply)]);
    }

    #[test]
    fn a_reply_goes_to_the_sink_in_the_cell() {
        let cell = cell();
        let token = ReplyTo::issue(&cell);
        assert!(token.reply(5));
        drop(token);
        // The sink decides what a late outcome means: this one notes everything.
        assert_eq!(cell.seen(), [Ok(5), Err(CallError::NoReply)]);
    }

    #[test]
    fn a_weak_token_dies_with_the_last_copy_though_the_engine_keeps_the_cell() {
        let cell = cell();
        let token = ReplyTo::issue(&cell);
        let weak = token.downgrade();
        let again = weak.upgrade().expect("a copy is alive");
        drop(token);
        assert!(weak.upgrade().is_some(), "the upgraded copy is alive");
        assert!(weak.is_live());
        drop(again);
        assert!(!weak.is_live());
        assert!(
            weak.upgrade().is_none(),
            "no copy left, the cell still held"
        );
        assert_eq!(cell.seen(), [Err(CallError::NoReply)]);
    }

    #[test]
    fn settling_the_last_copy_delivers_the_outcome_and_nothing_after() {
        let cell = cell();
        let token = ReplyTo::issue(&cell);
        let copy = token.clone();
        let weak = token.downgrade();
        drop(token);
        assert!(copy.settle(Ok(4)));
        assert_eq!(cell.seen(), [Ok(4)], "no NoReply behind the outcome");
        assert!(weak.upgrade().is_none());
    }

    #[test]
    fn settling_one_copy_leaves_the_others_the_call() {
        let cell = cell();
        let token = ReplyTo::issue(&cell);
        let other = token.clone();
        assert!(token.settle(Err(CallError::Timeout)));
        assert_eq!(cell.seen(), [Err(CallError::Timeout)]);
        drop(other);
        assert_eq!(
            cell.seen(),
            [Err(CallError::Timeout), Err(CallError::NoReply)]
        );
    }

    #[test]
    fn a_shared_sink_gets_its_own_cell() {
        let sink = Arc::new(Outcomes::default());
        let token = ReplyTo::new(ProcessId(1), CallTag(1), sink.clone());
        assert!(token.fail(CallError::Timeout));
        drop(token);
        assert_eq!(
            sink.seen(),
            [Err(CallError::Timeout), Err(CallError::NoReply)]
        );
    }
}
