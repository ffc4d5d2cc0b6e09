//! The client's handle on a running server.

use std::cell::OnceCell;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use crate::runtime::envelope::Envelope;
use crate::runtime::inbox::{Refused, ServerCell};
use crate::runtime::open_calls::{self, OpenCalls};
use crate::runtime::pending::deadline;
use crate::runtime::sinks::call_link;
use crate::runtime::{PendingCall, ReplyLink, Runtime, current};
use crate::sync::Arc;
use crate::{
    CallError, CallTag, ExitReason, Full, GenServer, ProcessId, ServerError, ServerRef, Timeout,
};

/// How [`Server::stop_timeout`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stopped {
    /// It exited within the timeout (`terminate` ran).
    Terminated,
    /// It did not: it was killed.
    Killed,
}

/// What a handle's call does when the server's bounded mailbox is full (rule 8 of
/// [`crate::rules`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnFull {
    /// Wait for room, within the call's timeout (then [`CallError::Timeout`]).
    #[default]
    Wait,
    /// Fail at once with [`CallError::Full`].
    Fail,
}

/// Numbers the calls of callers that are not servers (tags are only for tracing).
static EXTERNAL_TAGS: AtomicU64 = AtomicU64::new(1);

/// A handle on a running server of type `S`: call, cast, send, inspect, stop.
///
/// Cheap to clone. Every call uses the handle's timeout (5 s unless changed with
/// [`Server::with_timeout`]).
pub struct Server<S: GenServer> {
    /// The runtime it runs in (to kill it when a stop takes too long).
    rt: Runtime,
    cell: Arc<ServerCell<S>>,
    timeout: Timeout,
    on_full: OnFull,
}

impl<S: GenServer> Clone for Server<S> {
    fn clone(&self) -> Self {
        Server {
            rt: self.rt.clone(),
            cell: Arc::clone(&self.cell),
            timeout: self.timeout,
            on_full: self.on_full,
        }
    }
}

impl<S: GenServer> fmt::Debug for Server<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Server({:?})", self.cell.id)
    }
}

impl<S: GenServer> Server<S> {
    pub(crate) fn from_cell(rt: Runtime, cell: Arc<ServerCell<S>>, timeout: Timeout) -> Self {
        Server {
            rt,
            cell,
            timeout,
            on_full: OnFull::Wait,
        }
    }

    /// The server's process id.
    pub fn id(&self) -> ProcessId {
        self.cell.id
    }

    /// The server's engine-agnostic address, for handing to other servers.
    pub fn addr(&self) -> ServerRef<S> {
        ServerRef::new(self.cell.id)
    }

    /// The same handle with another default call timeout.
    pub fn with_timeout(mut self, timeout: Timeout) -> Self {
        self.timeout = timeout;
        self
    }

    /// The same handle, with calls that wait for room in a full bounded mailbox
    /// ([`OnFull::Wait`], the default) or fail at once ([`OnFull::Fail`]). Inside a
    /// server's callback a call never waits for room (rule 8): it fails with `Full`.
    pub fn on_full(mut self, on_full: OnFull) -> Self {
        self.on_full = on_full;
        self
    }

    /// Whether the server is still running (it may exit right after this returns). A
    /// killed server is not, even while its task finishes the callback it was running.
    pub fn is_alive(&self) -> bool {
        !self.cell.mailbox.is_closed() && !self.cell.killed()
    }

    /// Calls the server and waits for the reply, up to the handle's timeout.
    pub fn call(&self, request: S::Call) -> Result<S::Reply, ServerError> {
        self.call_timeout(request, self.timeout)
    }

    /// Calls the server and waits for the reply, up to `timeout` (a wait for room in a full
    /// bounded mailbox included). The timeout counts from when the request was queued, or
    /// first found no room: never early, late at most by the time the send took.
    pub fn call_timeout(
        &self,
        request: S::Call,
        timeout: Timeout,
    ) -> Result<S::Reply, ServerError> {
        // Read from the clock once the call is on its way (or must wait for room first):
        // not on the path of the request to the server.
        let at = OnceCell::new();
        let deadline = || *at.get_or_init(|| deadline(timeout));
        self.send_call(request, &deadline).wait_until(deadline())
    }

    /// Sends a call and returns with a handle to read the reply from later: at once, or,
    /// when the server's bounded mailbox is full, once there is room (within the handle's
    /// timeout; see [`OnFull`]).
    pub fn call_async(&self, request: S::Call) -> PendingCall<S::Reply> {
        self.send_call(request, &|| deadline(self.timeout))
    }

    /// Sends a call, waiting for room until `room_until()` if the handle says so.
    fn send_call(
        &self,
        request: S::Call,
        room_until: &dyn Fn() -> Option<Instant>,
    ) -> PendingCall<S::Reply> {
        let (id, name) = (self.cell.id, self.cell.name.clone());
        if let Err(error) = self.not_from_itself() {
            return PendingCall::failed(error.error, id, name);
        }
        let tag = CallTag(EXTERNAL_TAGS.fetch_add(1, Ordering::Relaxed));
        let (link, from) = call_link(ProcessId::EXTERNAL, tag);
        let Some(opened) = OpenCalls::open(&self.cell.calls, open_calls::entry(&link)) else {
            return PendingCall::failed(CallError::NoProcess, id, name);
        };
        let call = Envelope::Call { request, from };
        let wait = self.on_full == OnFull::Wait && may_wait(sender());
        let offered = match wait {
            true => self
                .cell
                .offer_until(call, room_until, || link.is_delivered()),
            false => self.cell.offer(call),
        };
        match offered {
            Ok(()) => {}
            // Full for the whole wait (or failed meanwhile: then this fails nothing).
            Err(Refused::Waited(call)) => call.fail(CallError::Timeout),
            Err(Refused::Full(call)) => call.fail(CallError::Full),
            Err(Refused::Closed(call)) => call.fail(CallError::NoProcess),
        }
        PendingCall::of_call(link, opened, id, name)
    }

    /// Waiting on oneself could only deadlock: refuse it inside the server's own callbacks.
    /// A killed server is gone at once, even while its task finishes a callback.
    fn not_from_itself(&self) -> Result<(), ServerError> {
        if current::current() == Some(self.cell.id) {
            Err(self.cell.error(CallError::CallingSelf))
        } else if self.cell.killed() {
            Err(self.cell.error(CallError::NoProcess))
        } else {
            Ok(())
        }
    }

    /// Casts to the server. Never fails: a cast to an exited server is dropped. When its
    /// bounded mailbox is full, waits for room (use [`Server::try_cast`] not to wait);
    /// inside a server's callback it never waits: the cast is dropped (rule 8).
    pub fn cast(&self, msg: S::Cast) {
        self.post(|from| Envelope::Cast(msg, from));
    }

    /// Casts to the server unless its bounded mailbox is full: then hands the message back
    /// (rule 8 of [`crate::rules`]). A cast to an exited server is dropped (`Ok`).
    ///
    /// ```
    /// # use genserver::{CallResult, Ctx, ExitReason, Full, GenServer, ReplyTo, Runtime};
    /// # use genserver::StartOptions;
    /// struct Slow;
    /// impl GenServer for Slow {
    ///     type Args = ();
    ///     type Call = ();
    ///     type Reply = ();
    ///     type Cast = u32;
    ///     type Info = ();
    ///     type Continue = ();
    ///     fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
    ///         Ok(Slow)
    ///     }
    ///     fn handle_call(&mut self, _: (), _: ReplyTo<()>, _: &mut Ctx<Self>) -> CallResult<()> {
    ///         CallResult::Reply(())
    ///     }
    ///     fn handle_cast(&mut self, _: u32, _: &mut Ctx<Self>) {
    ///         std::thread::sleep(std::time::Duration::from_millis(50));
    ///     }
    /// }
    ///
    /// let rt = Runtime::new();
    /// let slow = rt.start_with::<Slow>((), StartOptions::default().bounded(2)).unwrap();
    /// // The server takes the first cast and sleeps on it; two more fill its mailbox.
    /// let refused = (1..=100).find_map(|n| slow.try_cast(n).err());
    /// assert!(matches!(refused, Some(Full(_))));
    /// ```
    pub fn try_cast(&self, msg: S::Cast) -> Result<(), Full<S::Cast>> {
        match self.cell.offer(Envelope::Cast(msg, sender())) {
            Err(Refused::Full(Envelope::Cast(msg, _))) => Err(Full(msg)),
            _ => Ok(()),
        }
    }

    /// Sends an info message to the server; dropped if it has exited. When its bounded
    /// mailbox is full, waits for room, as [`Server::cast`] does.
    pub fn send(&self, msg: S::Info) {
        self.post(|from| Envelope::Info(msg, from));
    }

    /// Queues a cast or info, waiting for room in a full bounded mailbox unless a server's
    /// callback sends it (dropped then, as a server's own sends are: rule 8).
    /// `envelope` is made for its sender ([`sender`]).
    #[inline]
    fn post(&self, envelope: impl FnOnce(ProcessId) -> Envelope<S>) {
        let from = sender();
        let envelope = envelope(from);
        let _ = match may_wait(from) {
            true => self.cell.offer_until(envelope, || None, || false),
            false => self.cell.offer(envelope),
        };
    }

    /// Runs `inspect` on the server's state between two messages and returns its result
    /// (GenServers.jl's `query`: `server.query(Clone::clone)` copies the state out).
    ///
    /// If `inspect` panics, the panic is caught in the server (which carries on) and resumed
    /// here, in the caller.
    pub fn query<T: Send + 'static>(
        &self,
        inspect: impl FnOnce(&S) -> T + Send + 'static,
    ) -> Result<T, ServerError> {
        self.update(move |state| inspect(state))
    }

    /// Runs `change` on the server's state between two messages and returns its result
    /// (GenServers.jl's `update!`: `server.update(|state| *state = new)` replaces it). The
    /// server's own callbacks never see a change half made: it runs on the server's thread,
    /// as a call would. A panic in `change` is resumed here, as for [`Server::query`] (the
    /// server carries on with the state as `change` left it).
    ///
    /// ```
    /// # use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo, Runtime};
    /// struct Count(u64);
    /// impl GenServer for Count {
    ///     type Args = ();
    ///     type Call = ();
    ///     type Reply = u64;
    ///     type Cast = ();
    ///     type Info = ();
    ///     type Continue = ();
    ///     fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
    ///         Ok(Count(0))
    ///     }
    ///     fn handle_call(&mut self, _: (), _: ReplyTo<u64>, _: &mut Ctx<Self>) -> CallResult<u64> {
    ///         CallResult::Reply(self.0)
    ///     }
    /// }
    ///
    /// let rt = Runtime::new();
    /// let count = rt.start::<Count>(()).unwrap();
    /// count.update(|state| *state = Count(41)).unwrap();
    /// assert_eq!(count.update(|state| { state.0 += 1; state.0 }), Ok(42));
    /// assert_eq!(count.call(()), Ok(42));
    /// ```
    pub fn update<T: Send + 'static>(
        &self,
        change: impl FnOnce(&mut S) -> T + Send + 'static,
    ) -> Result<T, ServerError> {
        self.not_from_itself()?;
        let link = Arc::new(ReplyLink::new());
        let answer = Arc::clone(&link);
        let envelope = Envelope::Inspect(Box::new(move |state: Result<&mut S, &ExitReason>| {
            answer.complete(match state {
                Ok(state) => Ok(catch_unwind(AssertUnwindSafe(|| change(state)))),
                Err(reason) => Err(CallError::Exited(reason.clone())),
            });
        }));
        if self.cell.mailbox.push(envelope).is_err() {
            return Err(self.cell.error(CallError::NoProcess));
        }
        let pending = PendingCall::new(link, self.cell.id, self.cell.name.clone());
        match pending.wait_timeout(self.timeout)? {
            Ok(value) => Ok(value),
            Err(panic) => resume_unwind(panic),
        }
    }

    /// Registers `at_exit` to run once the server exits, with its exit reason, after its
    /// `terminate` (GenServers.jl's `term!`): on any exit, a kill included (then once the
    /// callback it was running returns). Functions run in the order registered; a panic in
    /// one is caught. Fails with "no such process" if the server had exited; registered
    /// while it was exiting, the function runs at once with the reason.
    pub fn on_terminate(
        &self,
        at_exit: impl FnOnce(&ExitReason) + Send + 'static,
    ) -> Result<(), ServerError> {
        match self.cell.mailbox.push(Envelope::OnExit(Box::new(at_exit))) {
            Ok(_) => Ok(()),
            Err(_) => Err(self.cell.error(CallError::NoProcess)),
        }
    }

    /// Stops the server with `reason` after the messages queued before this one, runs its
    /// `terminate`, and waits until it has exited. Fails with "no such process" if it had
    /// already exited. A server stops itself with [`crate::Ctx::stop`] instead.
    pub fn stop(&self, reason: ExitReason) -> Result<(), ServerError> {
        self.not_from_itself()?;
        self.ask_stop(reason)?.wait()
    }

    /// Stops the server as [`Server::stop`] does, but waits at most `timeout` for it to
    /// exit; then kills it (as [`crate::Runtime::kill`]: `terminate` does not run) and
    /// returns [`Stopped::Killed`]. OTP's supervisors shut children down this way.
    ///
    /// ```
    /// # use genserver::{Runtime, Stopped, ExitReason, Timeout};
    /// # use genserver::{CallResult, Ctx, GenServer, ReplyTo};
    /// struct Idle;
    /// impl GenServer for Idle {
    ///     type Args = ();
    ///     type Call = ();
    ///     type Reply = ();
    ///     type Cast = ();
    ///     type Info = ();
    ///     type Continue = ();
    ///     fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
    ///         Ok(Idle)
    ///     }
    ///     fn handle_call(&mut self, _: (), _: ReplyTo<()>, _: &mut Ctx<Self>) -> CallResult<()> {
    ///         CallResult::Reply(())
    ///     }
    /// }
    ///
    /// let rt = Runtime::new();
    /// let idle = rt.start::<Idle>(()).unwrap();
    /// let stopped = idle.stop_timeout(ExitReason::Shutdown, Timeout::millis(5_000));
    /// assert_eq!(stopped, Ok(Stopped::Terminated));
    /// ```
    pub fn stop_timeout(
        &self,
        reason: ExitReason,
        timeout: Timeout,
    ) -> Result<Stopped, ServerError> {
        self.not_from_itself()?;
        match self.ask_stop(reason)?.wait_timeout(timeout) {
            Ok(()) => Ok(Stopped::Terminated),
            Err(error) if error == CallError::Timeout => {
                self.rt.kill(self.cell.id);
                Ok(Stopped::Killed)
            }
            Err(error) => Err(error),
        }
    }

    /// Queues a stop; the pending call completes once the server has exited.
    fn ask_stop(&self, reason: ExitReason) -> Result<PendingCall<()>, ServerError> {
        let done = Arc::new(ReplyLink::new());
        match self.cell.stop(reason, Arc::clone(&done)) {
            true => Ok(PendingCall::new(done, self.cell.id, self.cell.name.clone())),
            false => Err(self.cell.error(CallError::NoProcess)),
        }
    }
}

/// Whether sender `from` may wait for room in a full bounded mailbox: not inside a server's
/// callback (handlers never block on a mailbox, which could wait for itself: rule 8).
fn may_wait(from: ProcessId) -> bool {
    from == ProcessId::EXTERNAL
}

/// Who sends through a handle: the server whose callback runs here, or nobody
/// ([`ProcessId::EXTERNAL`]) from a plain thread.
#[inline]
fn sender() -> ProcessId {
    current::current().unwrap_or(ProcessId::EXTERNAL)
}
