//! Reply sinks of the threaded runtime: a reply token delivers into a reply link.

use crate::CallError;
use crate::message::AnyMessage;
use crate::reply::ReplySink;
use crate::runtime::ReplyLink;
use crate::sync::Arc;

/// Delivers a typed outcome into a typed link (a client's call).
pub(crate) struct LinkSink<R>(pub(crate) Arc<ReplyLink<R>>);

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
