//! The handle of an asynchronous call (GenServers.jl's "link").

use std::time::Instant;

use crate::runtime::ReplyLink;
use crate::runtime::open_calls::Opened;
use crate::runtime::sinks::CallLink;
use crate::sync::Arc;
use crate::{CallError, ProcessId, ServerError, Timeout};

/// The link a pending call reads its outcome from.
enum Held<R> {
    Link(Arc<ReplyLink<R>>),
    /// A client's call, its link inside the call's cell.
    #[cfg(not(loom))]
    Call(CallLink<R>),
}

impl<R> std::ops::Deref for Held<R> {
    type Target = ReplyLink<R>;

    fn deref(&self) -> &ReplyLink<R> {
        match self {
            Held::Link(link) => link,
            #[cfg(not(loom))]
            Held::Call(call) => call,
        }
    }
}

/// A call in flight: wait for its reply, wait with a timeout, or poll it. Its errors name
/// the server it went to.
///
/// Dropping it abandons the call: a reply arriving later is discarded.
pub struct PendingCall<R> {
    link: Held<R>,
    /// The process the call went to, and the name it started under.
    id: ProcessId,
    name: Option<std::sync::Arc<str>>,
    /// Its outcome was taken: there is nothing left to abandon.
    settled: bool,
    /// Its place among the server's open calls, left when this goes.
    opened: Option<Opened>,
}

impl<R> PendingCall<R> {
    /// The outcome that `link` will hold, of a call to `id` (registered as `name`).
    pub(crate) fn new(
        link: Arc<ReplyLink<R>>,
        id: ProcessId,
        name: Option<std::sync::Arc<str>>,
    ) -> Self {
        Self::reading(Held::Link(link), id, name)
    }

    /// The outcome of a client's call to `id` (registered as `name`), which holds its
    /// place among the server's open calls until it goes.
    pub(crate) fn of_call(
        link: CallLink<R>,
        opened: Opened,
        id: ProcessId,
        name: Option<std::sync::Arc<str>>,
    ) -> Self {
        #[cfg(not(loom))]
        let link = Held::Call(link);
        #[cfg(loom)]
        let link = Held::Link(link);
        Self::reading(link, id, name).holding(Some(opened))
    }

    fn reading(link: Held<R>, id: ProcessId, name: Option<std::sync::Arc<str>>) -> Self {
        PendingCall {
            link,
            id,
            name,
            settled: false,
            opened: None,
        }
    }

    /// The same call, holding its place among the server's open calls until it goes.
    pub(crate) fn holding(mut self, opened: Option<Opened>) -> Self {
        self.opened = opened;
        self
    }

    /// A call to `id` that failed before it was sent (a server calling itself).
    pub(crate) fn failed(
        error: CallError,
        id: ProcessId,
        name: Option<std::sync::Arc<str>>,
    ) -> Self {
        let link = Arc::new(ReplyLink::new());
        link.complete(Err(error));
        PendingCall::new(link, id, name)
    }

    /// Waits for the outcome, for as long as it takes.
    pub fn wait(mut self) -> Result<R, ServerError> {
        let outcome = self.link.wait();
        self.settle(outcome)
    }

    /// Waits for the outcome for at most `timeout`; then gives up with [`CallError::Timeout`]
    /// and discards any later reply.
    pub fn wait_timeout(self, timeout: Timeout) -> Result<R, ServerError> {
        self.wait_until(deadline(timeout))
    }

    /// Waits for the outcome until `deadline` (for ever with none); then gives up with
    /// [`CallError::Timeout`].
    pub(crate) fn wait_until(mut self, deadline: Option<Instant>) -> Result<R, ServerError> {
        let Some(deadline) = deadline else {
            return self.wait();
        };
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                let outcome = self.link.time_out();
                return self.settle(outcome);
            }
            if let Some(outcome) = self.link.wait_for(left) {
                return self.settle(outcome);
            }
        }
    }

    /// Returns the outcome if it has arrived, or the still-pending call.
    pub fn poll(mut self) -> Result<Result<R, ServerError>, Self> {
        match self.link.poll() {
            Some(outcome) => Ok(self.settle(outcome)),
            None => Err(self),
        }
    }

    /// The outcome, taken (nothing is left to abandon), with its error naming the server.
    fn settle(&mut self, outcome: Result<R, CallError>) -> Result<R, ServerError> {
        self.settled = true;
        // Answered: off the server's open calls now, even if this handle is kept.
        self.opened = None;
        outcome.map_err(|error| ServerError::new(Some(self.id), self.name.clone(), error))
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
    type Output = Result<R, ServerError>;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let this = self.get_mut();
        this.link
            .poll_outcome(cx)
            .map(|outcome| this.settle(outcome))
    }
}

impl<R> Drop for PendingCall<R> {
    fn drop(&mut self) {
        if !self.settled {
            self.link.abandon();
        }
    }
}

/// When a wait of `timeout` from now ends (`None`: never).
pub(crate) fn deadline(timeout: Timeout) -> Option<Instant> {
    timeout
        .duration()
        .and_then(|limit| Instant::now().checked_add(limit))
}
