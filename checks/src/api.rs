//! What the models drive: the operations of a mailbox, a reply link and a reply token, as
//! traits implemented by the real core types and by each broken variant, so that one model
//! runs unchanged against both.

use std::collections::VecDeque;
use std::task::{Context, Poll};
use std::time::Duration;

use genserver::engine::{Bound, Doom, Interrupt};
use genserver::engine::{Mailbox, ReplyLink, ReplySink};
use genserver::{CallError, CallTag, ProcessId, ReplyTo};

use crate::sync::Arc;

/// A many-producer, one-consumer mailbox ([`genserver::engine::Mailbox`]).
pub trait MailboxApi<T>: Send + Sync + Sized + 'static {
    /// An empty, open mailbox.
    fn new() -> Self;
    /// Enqueues `item`, or gives it back if the mailbox is closed.
    fn push(&self, item: T) -> Result<(), T>;
    /// Moves everything queued into `out`, waiting (for ever) while the queue is empty.
    fn recv_into(&self, out: &mut VecDeque<T>) -> bool;
    /// Closes the mailbox and returns what was still queued.
    fn close(&self) -> VecDeque<T>;
}

impl<T: Send + 'static> MailboxApi<T> for Mailbox<T> {
    fn new() -> Self {
        Mailbox::new()
    }
    fn push(&self, item: T) -> Result<(), T> {
        Mailbox::push(self, item)
    }
    fn recv_into(&self, out: &mut VecDeque<T>) -> bool {
        Mailbox::recv_blocking(self, out);
        !out.is_empty()
    }
    fn close(&self) -> VecDeque<T> {
        Mailbox::close(self)
    }
}

/// A one-shot reply slot racing the caller's timeout ([`genserver::engine::ReplyLink`]).
pub trait LinkApi<R>: Send + Sync + Sized + 'static {
    /// A link awaiting its outcome.
    fn new() -> Self;
    /// Delivers an outcome; `false` if it was discarded.
    fn complete(&self, outcome: Result<R, CallError>) -> bool;
    /// Takes the outcome if it has arrived.
    fn poll(&self) -> Option<Result<R, CallError>>;
    /// Waits for the outcome for as long as it takes.
    fn wait(&self) -> Result<R, CallError>;
    /// One timed wait (under loom: a plain wait, loom has no clock).
    fn wait_for(&self, timeout: Duration) -> Option<Result<R, CallError>>;
    /// The caller's timeout fired: take what is there, discard what comes later.
    fn abandon(&self) -> Option<Result<R, CallError>>;
    /// An `async` caller looks: the outcome, or its task is woken when it comes.
    fn poll_outcome(&self, cx: &mut Context<'_>) -> Poll<Result<R, CallError>>;
}

impl<R: Send + 'static> LinkApi<R> for ReplyLink<R> {
    fn new() -> Self {
        ReplyLink::new()
    }
    fn complete(&self, outcome: Result<R, CallError>) -> bool {
        ReplyLink::complete(self, outcome)
    }
    fn poll(&self) -> Option<Result<R, CallError>> {
        ReplyLink::poll(self)
    }
    fn wait(&self) -> Result<R, CallError> {
        ReplyLink::wait(self)
    }
    fn wait_for(&self, timeout: Duration) -> Option<Result<R, CallError>> {
        ReplyLink::wait_for(self, timeout)
    }
    fn abandon(&self) -> Option<Result<R, CallError>> {
        ReplyLink::abandon(self)
    }
    fn poll_outcome(&self, cx: &mut Context<'_>) -> Poll<Result<R, CallError>> {
        ReplyLink::poll_outcome(self, cx)
    }
}

/// A bounded mailbox's places ([`genserver::engine::Bound`]): senders take one, the server
/// gives them back.
pub trait BoundApi: Send + Sync + Sized + 'static {
    /// `limit` places, all free.
    fn new(limit: usize) -> Self;
    /// Takes a place; `false` if none is free.
    fn admit(&self) -> bool;
    /// Gives a place back.
    fn release(&self);
}

impl BoundApi for Bound {
    fn new(limit: usize) -> Self {
        Bound::new(limit)
    }
    fn admit(&self) -> bool {
        Bound::admit(self)
    }
    fn release(&self) {
        Bound::release(self)
    }
}

/// A server's doom flag and the reply link of the call it is blocked in
/// ([`genserver::engine::Interrupt`]): how a kill reaches a server waiting on its own call.
pub trait InterruptApi<R>: Send + Sync + Sized + 'static {
    /// Not doomed, not in a call.
    fn new() -> Self;
    /// Dooms the server and completes the link it waits on, if any; `false` if already doomed.
    fn doom(&self, doom: Doom) -> bool;
    /// The doom, if any.
    fn doomed(&self) -> Option<Doom>;
    /// Registers the link the server is about to wait on; `false` if already doomed.
    fn enter_call(&self, link: &Arc<ReplyLink<R>>) -> bool;
    /// Forgets the link once the call is over.
    fn leave_call(&self);
}

impl<R: Send + 'static> InterruptApi<R> for Interrupt<R> {
    fn new() -> Self {
        Interrupt::new()
    }
    fn doom(&self, doom: Doom) -> bool {
        Interrupt::doom(self, doom)
    }
    fn doomed(&self) -> Option<Doom> {
        Interrupt::doomed(self)
    }
    fn enter_call(&self, link: &Arc<ReplyLink<R>>) -> bool {
        Interrupt::enter_call(self, link)
    }
    fn leave_call(&self) {
        Interrupt::leave_call(self)
    }
}

/// The runtime's reply sink, over any link: a token's outcome goes into the link.
///
/// Core's own `LinkSink` (core/src/runtime/sinks.rs) is crate-private; this is its one line,
/// `self.0.complete(outcome)`, generic over the link so broken links can be plugged in.
pub struct LinkSink<L>(pub Arc<L>);

impl<R: Send, L: LinkApi<R>> ReplySink<R> for LinkSink<L> {
    fn deliver(&self, outcome: Result<R, CallError>) -> bool {
        self.0.complete(outcome)
    }
}

/// The opaque `from` of a call ([`genserver::ReplyTo`]): copies share one call, and the last
/// copy going away without a reply fails the call with [`CallError::NoReply`].
pub trait TokenApi<R>: Clone + Send + Sized + 'static {
    /// A token delivering into `sink`.
    fn new(sink: Box<dyn ReplySink<R>>) -> Self;
    /// Replies; `false` if the caller no longer waits.
    fn reply(&self, value: R) -> bool;
    /// Fails the call with `error`; `false` if the caller no longer waits.
    fn fail(&self, error: CallError) -> bool;
}

impl<R: Send + 'static> TokenApi<R> for ReplyTo<R> {
    fn new(sink: Box<dyn ReplySink<R>>) -> Self {
        ReplyTo::new(ProcessId::EXTERNAL, CallTag(1), std::sync::Arc::from(sink))
    }
    fn reply(&self, value: R) -> bool {
        ReplyTo::reply(self, value)
    }
    fn fail(&self, error: CallError) -> bool {
        ReplyTo::fail(self, error)
    }
}

/// A token of type `T` that delivers into `link`, as the runtime makes one for each call.
pub fn token_for<R, T, L>(link: &Arc<L>) -> T
where
    R: Send + 'static,
    T: TokenApi<R>,
    L: LinkApi<R>,
{
    T::new(Box::new(LinkSink(Arc::clone(link))))
}
