//! Reply sinks of the threaded runtime: a reply token delivers into a reply link.

use crate::message::AnyMessage;
#[cfg(not(loom))]
use crate::reply::CallCell;
use crate::reply::ReplySink;
use crate::runtime::ReplyLink;
use crate::sync::Arc;
use crate::{CallError, CallTag, ProcessId, ReplyTo};

/// A client's call: its reply link inside the call's cell, so that the link and the call's
/// tokens are one allocation, made and (most often) freed by the caller; under loom (whose
/// `Arc` cannot be made a trait object) a plain link, its tokens in a cell of their own.
#[cfg(not(loom))]
pub(crate) type CallLink<R> = std::sync::Arc<CallCell<ReplyLink<R>>>;
#[cfg(loom)]
pub(crate) type CallLink<R> = Arc<ReplyLink<R>>;

/// A new call `tag` of `caller`: its link, and its first token.
pub(crate) fn call_link<R: Send + 'static>(
    caller: ProcessId,
    tag: CallTag,
) -> (CallLink<R>, ReplyTo<R>) {
    #[cfg(not(loom))]
    {
        let link = Arc::new(CallCell::new(caller, tag, ReplyLink::new()));
        let token = ReplyTo::issue(&link);
        (link, token)
    }
    #[cfg(loom)]
    {
        let link = Arc::new(ReplyLink::new());
        let sink = std::sync::Arc::new(LinkSink(Arc::clone(&link)));
        (link, ReplyTo::new(caller, tag, sink))
    }
}

/// A typed link delivers a typed outcome (a client's call).
#[cfg(not(loom))]
impl<R: Send> ReplySink<R> for ReplyLink<R> {
    fn deliver(&self, outcome: Result<R, CallError>) -> bool {
        self.complete(outcome)
    }
}

/// Delivers a typed outcome into a typed link, under loom.
#[cfg(loom)]
struct LinkSink<R>(Arc<ReplyLink<R>>);

#[cfg(loom)]
impl<R: Send> ReplySink<R> for LinkSink<R> {
    fn deliver(&self, outcome: Result<R, CallError>) -> bool {
        self.0.complete(outcome)
    }
}

/// Delivers a typed outcome into an erased link (a call made by another server's effect).
pub(crate) struct ErasedSink(pub(crate) Arc<ReplyLink<AnyMessage>>);

impl<R: crate::Message> ReplySink<R> for ErasedSink {
    fn deliver(&self, outcome: Result<R, CallError>) -> bool {
        self.0
            .complete(outcome.map(|reply| Box::new(reply) as AnyMessage))
    }
}
