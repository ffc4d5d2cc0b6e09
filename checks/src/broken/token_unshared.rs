//! BUG (a deferred reply is lost): `clone` gives every copy of the token its own drop guard
//! instead of sharing one, so the first copy to go away (the server's, once its handler
//! returned "no reply yet") fails the call with `NoReply` while another copy, handed to a
//! third thread to reply later, is still alive.
//!
//! Caught by `deferred_reply_arrives` (tests/loom_link.rs): the server's copy goes first, the
//! call fails with `NoReply`, and the third thread's reply is refused.

use std::sync::Arc;

use genserver::CallError;
use genserver::engine::ReplySink;

use crate::api::TokenApi;

/// [`genserver::ReplyTo`] whose copies each fail the call when dropped.
pub struct UnsharedReplyTo<R> {
    sink: Arc<dyn ReplySink<R>>,
}

impl<R> Clone for UnsharedReplyTo<R> {
    fn clone(&self) -> Self {
        // BUG: a drop guard per copy; core counts the copies of one call in its `CallCell`.
        UnsharedReplyTo {
            sink: Arc::clone(&self.sink),
        }
    }
}

impl<R> Drop for UnsharedReplyTo<R> {
    fn drop(&mut self) {
        self.sink.deliver(Err(CallError::NoReply));
    }
}

impl<R: Send + 'static> TokenApi<R> for UnsharedReplyTo<R> {
    fn new(sink: Box<dyn ReplySink<R>>) -> Self {
        UnsharedReplyTo { sink: sink.into() }
    }
    fn reply(&self, value: R) -> bool {
        self.sink.deliver(Ok(value))
    }
    fn fail(&self, error: CallError) -> bool {
        self.sink.deliver(Err(error))
    }
}
