//! Clients: small state machines that call and cast servers and check what they get back.

use std::any::Any;
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use genserver::{AnyMessage, CallError, GenServer, ProcessId, ServerRef, Timeout, downcast};

use crate::envelope::CallOutcome;

/// A client process. The world calls [`Client::step`] first with `None`, then once with the
/// outcome of every call the client makes (and with `None` after a sleep). Each step may
/// cast any number of times and then make one call or one sleep; a step that does neither
/// finishes the client. Doing both, or two calls, is reported as a failed expectation.
pub trait Client: 'static {
    /// Takes one step; an error is a failed expectation (or an unexpected timeout).
    fn step(&mut self, outcome: Option<CallOutcome>, ctx: &mut ClientCtx) -> Result<(), Check>;
}

/// A broken client expectation.
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

/// Turns a call's outcome into its typed reply: a timeout becomes [`Check::TimedOut`], any
/// other error or a reply of the wrong type becomes [`Check::Failed`].
pub fn expect_reply<T: Any>(outcome: Option<CallOutcome>) -> Result<T, Check> {
    match outcome {
        Some(Ok(reply)) => downcast::<T>(reply)
            .map_err(|other| Check::failed(format!("reply of the wrong type: {other:?}"))),
        Some(Err(CallError::Timeout)) => Err(Check::TimedOut("the call timed out".into())),
        Some(Err(error)) => Err(Check::failed(format!("the call failed: {error}"))),
        None => Err(Check::failed("expected the outcome of a call")),
    }
}

/// What a client step asked for.
pub(crate) enum Request {
    Cast {
        to: ProcessId,
        msg: AnyMessage,
    },
    Call {
        to: ProcessId,
        request: AnyMessage,
        timeout: Timeout,
    },
    Sleep(Duration),
}

/// What a client step can do: cast, call (once), sleep, read the virtual clock, resolve a
/// registered name.
pub struct ClientCtx {
    me: ProcessId,
    now: Duration,
    registry: BTreeMap<String, ProcessId>,
    /// The names the step resolved, and what they resolved to (its order against name
    /// changes then matters, and its state depends on the answers).
    pub(crate) resolved: Vec<(String, Option<ProcessId>)>,
    pub(crate) requests: Vec<Request>,
}

impl ClientCtx {
    pub(crate) fn new(me: ProcessId, now: Duration, registry: BTreeMap<String, ProcessId>) -> Self {
        ClientCtx {
            me,
            now,
            registry,
            resolved: Vec::new(),
            requests: Vec::new(),
        }
    }

    /// The live server registered under `name` now, if any: a name registered by a child
    /// start (a supervisor's child, say). The id names that instance only: after it exits, a
    /// call to it fails with `NoProcess` even when a new instance took the name.
    pub fn whereis(&mut self, name: &str) -> Option<ProcessId> {
        let id = self.registry.get(name).copied();
        self.resolved.push((name.to_owned(), id));
        id
    }

    /// [`ClientCtx::whereis`], as a typed address; the caller promises the type.
    pub fn whereis_ref<S: GenServer>(&mut self, name: &str) -> Option<ServerRef<S>> {
        self.whereis(name).map(ServerRef::new)
    }

    /// This client's process id.
    pub fn me(&self) -> ProcessId {
        self.me
    }

    /// The virtual time since the start of the run.
    pub fn now(&self) -> Duration {
        self.now
    }

    /// Casts to a server (never fails; a cast to a dead server is dropped and traced).
    pub fn cast<S: GenServer>(&mut self, to: ServerRef<S>, msg: S::Cast) {
        let msg = Box::new(msg);
        self.requests.push(Request::Cast { to: to.id(), msg });
    }

    /// Calls a server with the default timeout (5 s virtual); the outcome comes to the next step.
    pub fn call<S: GenServer>(&mut self, to: ServerRef<S>, request: S::Call) {
        self.call_timeout(to, request, Timeout::DEFAULT);
    }

    /// Calls a server with this timeout; the outcome comes to the next step.
    pub fn call_timeout<S: GenServer>(&mut self, to: ServerRef<S>, request: S::Call, t: Timeout) {
        let request = Box::new(request);
        self.requests.push(Request::Call {
            to: to.id(),
            request,
            timeout: t,
        });
    }

    /// Sleeps: the next step comes (with `None`) after this much virtual time.
    pub fn sleep(&mut self, duration: Duration) {
        self.requests.push(Request::Sleep(duration));
    }
}

/// Where a client stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ClientState {
    /// Not started yet: its first step is enabled.
    Ready,
    /// Waiting for the outcome of a call.
    Waiting,
    /// Sleeping until a wake-up deadline.
    Sleeping,
    /// Finished.
    Done,
}

/// A client inside the world.
pub(crate) struct ClientProc {
    pub client: Box<dyn Client>,
    pub state: ClientState,
    /// A hash of every input the client's steps were given (its state follows from them).
    pub history: u64,
}
