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
                return self.link.time_out();
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

/// An `async` caller awaits the outcome (no timeout: combine it with the executor's own,
/// e.g. `tokio::time::timeout`; dropping the future abandons the call, as a timeout does).
///
/// ```
/// # use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo, Runtime};
/// # struct Echo;
/// # impl GenServer for Echo {
/// #     type Args = ();
/// #     type Call = u32;
/// #     type Reply = u32;
/// #     type Cast = ();
/// #     type Info = ();
/// #     type Continue = ();
/// #     fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
/// #         Ok(Echo)
/// #     }
/// #     fn handle_call(&mut self, n: u32, _: ReplyTo<u32>, _: &mut Ctx<Self>) -> CallResult<u32> {
/// #         CallResult::Reply(n)
/// #     }
/// # }
/// let rt = Runtime::new();
/// let echo = rt.start::<Echo>(()).unwrap();
/// let reply = async { echo.call_async(7).await };
/// # let reply = genserver::engine::block_on(reply);
/// assert_eq!(reply, Ok(7));
/// ```
impl<R> std::future::Future for PendingCall<R> {
    type Output = Result<R, CallError>;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        self.link.poll_outcome(cx)
    }
}

impl<R> Drop for PendingCall<R> {
    fn drop(&mut self) {
        self.link.abandon();
    }
}
