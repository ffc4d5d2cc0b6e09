//! The handle of an asynchronous call (GenServers.jl's "link").

use std::time::{Duration, Instant};

use crate::runtime::ReplyLink;
use crate::sync::Arc;
use crate::{CallError, Timeout};

/// A call in flight: wait for its reply, wait with a timeout, or poll it.
///
/// Dropping it abandons the call: a reply arriving later is discarded.
pub struct PendingCall<R> {
    link: Arc<ReplyLink<R>>,
}

impl<R> PendingCall<R> {
    pub(crate) fn new(link: Arc<ReplyLink<R>>) -> Self {
        PendingCall { link }
    }

    /// A call that failed before it was sent (a server calling itself).
    pub(crate) fn failed(error: CallError) -> Self {
        let link = Arc::new(ReplyLink::new());
        link.complete(Err(error));
        PendingCall { link }
    }

    /// Waits for the outcome, for as long as it takes.
    pub fn wait(self) -> Result<R, CallError> {
        self.link.wait()
    }

    /// Waits for the outcome for at most `timeout`; then gives up with [`CallError::Timeout`]
    /// and discards any later reply.
    pub fn wait_timeout(self, timeout: Timeout) -> Result<R, CallError> {
        let Some(limit) = timeout.duration() else {
            return self.wait();
        };
        let deadline = Instant::now().checked_add(limit);
        loop {
            let left = match deadline {
                Some(deadline) => deadline.saturating_duration_since(Instant::now()),
                None => Duration::MAX,
            };
            if left.is_zero() {
                return self.link.abandon().unwrap_or(Err(CallError::Timeout));
            }
            if let Some(outcome) = self.link.wait_for(left) {
                return outcome;
            }
        }
    }

    /// Returns the outcome if it has arrived, or the still-pending call.
    pub fn poll(self) -> Result<Result<R, CallError>, Self> {
        match self.link.poll() {
            Some(outcome) => Ok(outcome),
            None => Err(self),
        }
    }
}

impl<R> Drop for PendingCall<R> {
    fn drop(&mut self) {
        self.link.abandon();
    }
}
