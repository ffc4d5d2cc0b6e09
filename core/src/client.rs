//! Clients as plain `async` code: what they call and cast, and what they must see.
//!
//! A client is an `async` closure over a [`Cx`]: `cx.call(server, request).await` gives the
//! typed reply, `cx.cast(..)` sends and goes on, `cx.sleep(d).await` waits. The same client
//! runs on the threaded runtime ([`crate::runtime::Threads`], real calls on a thread of its
//! own) and in the simulator (polled step by step, in virtual time). A client ends with
//! `Ok(())`, or with an [`Check`] error (a failed expectation) that the engine reports with
//! the client's name; `?` on a call's result turns a failed call into one.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::{AnyMessage, CallError, GenServer, ProcessId, ServerRef, Timeout, downcast};

/// A broken client expectation: how a client says it saw something it must not see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Check {
    /// The client got something it must not get.
    Failed(String),
    /// A call the client did not expect to time out timed out.
    TimedOut(String),
}

impl Check {
    /// A failed expectation with this text.
    pub fn failed(text: impl Into<String>) -> Self {
        Check::Failed(text.into())
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Check::Failed(text) | Check::TimedOut(text) => f.write_str(text),
        }
    }
}

impl std::error::Error for Check {}

/// A failed call is a failed expectation (a timeout keeps its own kind), so `?` works on
/// the result of `cx.call(..).await`.
impl From<CallError> for Check {
    fn from(error: CallError) -> Self {
        match error {
            CallError::Timeout => Check::TimedOut("the call timed out".into()),
            error => Check::Failed(format!("the call failed: {error}")),
        }
    }
}

impl From<String> for Check {
    fn from(text: String) -> Self {
        Check::Failed(text)
    }
}

impl From<&str> for Check {
    fn from(text: &str) -> Self {
        Check::Failed(text.to_owned())
    }
}

/// What a client's body returns.
pub type ClientResult = Result<(), Check>;

/// A client's body, boxed for the threaded runtime: it gets its context and returns its future.
#[cfg(not(loom))]
pub(crate) type ClientBody =
    Box<dyn FnOnce(Cx) -> Pin<Box<dyn Future<Output = ClientResult>>> + Send>;

/// Boxes an `async` client closure for the threaded runtime.
#[cfg(not(loom))]
pub(crate) fn client_body(
    body: impl AsyncFnOnce(Cx) -> ClientResult + Send + 'static,
) -> ClientBody {
    Box::new(move |cx| Box::pin(async move { body(cx).await }))
}

/// The engine side of a [`Cx`]: what a client's requests become. Engines implement it; a
/// client only sees [`Cx`].
#[doc(hidden)]
pub trait ClientEngine {
    /// The client's process id.
    fn me(&self) -> ProcessId;
    /// The engine's clock.
    fn now(&self) -> Duration;
    /// The live server registered under `name`.
    fn whereis(&self, name: &str) -> Option<ProcessId>;
    /// Sends a cast (dropped if the server is gone).
    fn cast(&self, to: ProcessId, msg: AnyMessage);
    /// Sends a call at once; its outcome is read with `poll_call(ticket)`.
    fn call(&self, ticket: u64, to: ProcessId, request: AnyMessage, timeout: Timeout);
    /// The outcome of call `ticket`, once it is there.
    fn poll_call(&self, ticket: u64) -> Poll<Result<AnyMessage, CallError>>;
    /// Starts a sleep; `poll_sleep(ticket)` is ready once it is over.
    fn sleep(&self, ticket: u64, duration: Duration);
    /// Whether sleep `ticket` is over.
    fn poll_sleep(&self, ticket: u64) -> Poll<()>;
    /// The client dropped call `ticket` unfinished: its outcome is no longer wanted.
    fn forget(&self, ticket: u64);
    /// A fresh ticket for the client's next call or sleep: 0, 1, 2, …
    fn ticket(&self) -> u64;
}

/// A client's context: call, cast, sleep, read the clock, look up names.
///
/// Cheap to clone; every clone is the same client.
#[derive(Clone)]
pub struct Cx {
    engine: Rc<dyn ClientEngine>,
}

impl Cx {
    /// A context over an engine (engines make these).
    #[doc(hidden)]
    pub fn new(engine: Rc<dyn ClientEngine>) -> Self {
        Cx { engine }
    }

    fn ticket(&self) -> u64 {
        self.engine.ticket()
    }

    /// Calls a server with the default timeout (5 s). The call is sent at once; `.await` the
    /// handle for the typed reply. Several calls may be in flight at once.
    pub fn call<S: GenServer>(&self, to: ServerRef<S>, request: S::Call) -> Call<S::Reply> {
        self.call_timeout(to, request, Timeout::DEFAULT)
    }

    /// Calls a server with this timeout (virtual time in the simulator).
    pub fn call_timeout<S: GenServer>(
        &self,
        to: ServerRef<S>,
        request: S::Call,
        timeout: Timeout,
    ) -> Call<S::Reply> {
        let ticket = self.ticket();
        self.engine
            .call(ticket, to.id(), Box::new(request), timeout);
        Call {
            cx: self.clone(),
            ticket,
            done: false,
            _reply: PhantomData,
        }
    }

    /// Casts to a server; never fails (a cast to a dead server is dropped).
    pub fn cast<S: GenServer>(&self, to: ServerRef<S>, msg: S::Cast) {
        self.engine.cast(to.id(), Box::new(msg));
    }

    /// Waits this long (virtual time in the simulator).
    pub fn sleep(&self, duration: Duration) -> Sleep {
        let ticket = self.ticket();
        self.engine.sleep(ticket, duration);
        Sleep {
            cx: self.clone(),
            ticket,
        }
    }

    /// The engine's clock: time since the start of the run.
    pub fn now(&self) -> Duration {
        self.engine.now()
    }

    /// The live server registered under `name` now, if any. The id names that instance:
    /// after it exits, calls to it fail with `NoProcess` even when another took the name.
    pub fn whereis(&self, name: &str) -> Option<ProcessId> {
        self.engine.whereis(name)
    }

    /// [`Cx::whereis`], as a typed address; the caller promises the type.
    pub fn whereis_ref<S: GenServer>(&self, name: &str) -> Option<ServerRef<S>> {
        self.whereis(name).map(ServerRef::new)
    }

    /// This client's process id.
    pub fn me(&self) -> ProcessId {
        self.engine.me()
    }
}

/// A call in flight; `.await` it for the typed reply. Dropping it unfinished gives the call
/// up (a later reply is discarded).
#[must_use = "a call's reply is read by awaiting it"]
pub struct Call<R> {
    cx: Cx,
    ticket: u64,
    done: bool,
    _reply: PhantomData<fn() -> R>,
}

impl<R: 'static> Future for Call<R> {
    type Output = Result<R, CallError>;

    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        let outcome = std::task::ready!(self.cx.engine.poll_call(self.ticket));
        self.done = true;
        Poll::Ready(outcome.map(|reply| {
            downcast::<R>(reply).unwrap_or_else(|other| {
                panic!(
                    "a reply of the wrong type ({other:?}, not {}): a mis-typed ServerRef",
                    std::any::type_name::<R>()
                )
            })
        }))
    }
}

impl<R> Drop for Call<R> {
    fn drop(&mut self) {
        if !self.done {
            self.cx.engine.forget(self.ticket);
        }
    }
}

/// A sleep in progress; `.await` it.
#[must_use = "a sleep waits only when awaited"]
pub struct Sleep {
    cx: Cx,
    ticket: u64,
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        self.cx.engine.poll_sleep(self.ticket)
    }
}

/// Where a scenario's servers and clients are set up: the simulator's world, or real
/// threads ([`crate::runtime::Threads`]). Write a scenario once, generic over `Stage`, and
/// run it on both.
pub trait Stage {
    /// Starts a server registered under `name` (its `init` runs now).
    fn spawn<S: GenServer>(&mut self, name: &str, args: S::Args) -> ServerRef<S>
    where
        S::Args: Clone;

    /// [`Stage::spawn`], with a mailbox bounded to `limit` calls, casts and infos waiting
    /// (rule 8 of [`crate::rules`]).
    fn spawn_bounded<S: GenServer>(
        &mut self,
        name: &str,
        args: S::Args,
        limit: usize,
    ) -> ServerRef<S>
    where
        S::Args: Clone;

    /// Adds a client named `name` running `body`.
    fn client(&mut self, name: &str, body: impl AsyncFnOnce(Cx) -> ClientResult + Send + 'static);
}
