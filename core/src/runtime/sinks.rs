//! Reply sinks of the threaded runtime: a reply token delivers into a reply link.

use crate::CallError;
use crate::message::AnyMessage;
use crate::reply::ReplySink;
use crate::runtime::ReplyLink;
use crate::sync::Arc;

/// The sink of a client's call: its typed link itself (no allocation), or, under loom
/// (whose `Arc` cannot be made a trait object), a box around it.
pub(crate) fn link_sink<R: Send + 'static>(
    link: &Arc<ReplyLink<R>>,
) -> std::sync::Arc<dyn ReplySink<R>> {
    #[cfg(not(loom))]
    let sink = Arc::clone(link);
    #[cfg(loom)]
    let sink = std::sync::Arc::new(LinkSink(Arc::clone(link)));
    sink
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
