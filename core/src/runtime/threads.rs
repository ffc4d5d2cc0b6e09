//! Scenarios on real threads: the same `async` clients the simulator explores, run for real.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::task::Poll;
use std::thread;
use std::time::{Duration, Instant};

use crate::StartOptions;
use crate::client::{ClientBody, ClientEngine, ClientResult, client_body};
use crate::runtime::pending::deadline;
use crate::runtime::record::{Input, Recording, Tape};
use crate::runtime::{PendingCall, ReplyLink, Runtime};
use crate::sync::{Arc, Mutex, block_on, lock};
use crate::{AnyMessage, CallError, CallTag, Check, Cx, GenServer, ProcessId, ServerRef, Stage};
use crate::{Timeout, panic_text};

/// A scenario on the threaded runtime: servers start at once, each client runs on a thread
/// of its own when [`Threads::run`] is called, and its calls are real calls.
///
/// ```
/// use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo, Stage};
/// use genserver::runtime::Threads;
///
/// struct Tally(u32);
/// impl GenServer for Tally {
///     type Args = u32;
///     type Call = ();
///     type Reply = u32;
///     type Cast = ();
///     type Info = ();
///     type Continue = ();
///     fn init(start: u32, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
///         Ok(Tally(start))
///     }
///     fn handle_call(&mut self, _: (), _: ReplyTo<u32>, _: &mut Ctx<Self>) -> CallResult<u32> {
///         CallResult::Reply(self.0)
///     }
///     fn handle_cast(&mut self, _: (), _: &mut Ctx<Self>) {
///         self.0 += 1;
///     }
/// }
///
/// // The scenario, written once for any stage (the simulator's `World` is one too).
/// fn scenario(stage: &mut impl Stage) {
///     let tally = stage.spawn::<Tally>("tally", 0);
///     stage.client("client", async move |cx| {
///         cx.cast(tally, ());
///         let seen = cx.call(tally, ()).await?;
///         if seen == 1 { Ok(()) } else { Err(format!("saw {seen}").into()) }
///     });
/// }
///
/// let mut threads = Threads::new();
/// scenario(&mut threads);
/// assert_eq!(threads.run(), Ok(()));
/// ```
pub struct Threads {
    rt: Runtime,
    clients: Vec<(String, ClientBody)>,
    observer: Option<Observer>,
}

/// Sees the calls of a [`Threads`] scenario's clients as they happen, one at a time and in
/// real-time order (a call is invoked before it is sent and returns after its outcome came):
/// what a history recorder needs from real runs (the simulator's linearizability check has
/// one).
pub trait CallObserver: Send {
    /// `client` is about to call `server` with `request`: a number for the call, under which
    /// it returns, or `None` not to follow it.
    fn invoke(&mut self, client: ProcessId, server: ProcessId, request: &dyn Any) -> Option<u64>;

    /// Call `call` came back with `outcome` (a timeout or another failure included).
    fn respond(&mut self, call: u64, outcome: Result<&dyn Any, &CallError>);
}

/// The observer of a scenario's calls, shared by its clients' threads.
type Observer = Arc<Mutex<dyn CallObserver>>;

/// A client of a [`Threads`] scenario that failed: its name and what went wrong (a panic
/// is a [`Check::Failed`] starting with "panicked").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientFailure {
    /// The client's name.
    pub client: String,
    /// What it reported.
    pub check: Check,
}

impl fmt::Display for ClientFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "client {}: {}", self.client, self.check)
    }
}

impl std::error::Error for ClientFailure {}

impl Default for Threads {
    fn default() -> Self {
        Self::new()
    }
}

impl Threads {
    /// An empty scenario on a new runtime.
    pub fn new() -> Self {
        Threads {
            rt: Runtime::new(),
            clients: Vec::new(),
            observer: None,
        }
    }

    /// Records, from now on, the order in which every server and client takes its inputs
    /// (which sender's message, which reply or timeout, which timer), for the simulator to
    /// follow: call it before starting servers; read it with [`Threads::recording`].
    ///
    /// ```
    /// # use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo, Stage};
    /// # use genserver::runtime::Threads;
    /// # use genserver::runtime::record::Input;
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
    /// let mut threads = Threads::new().record();
    /// let echo = threads.spawn::<Echo>("echo", ());
    /// threads.client("client", async move |cx| {
    ///     cx.cast(echo, ());
    ///     cx.call(echo, 7).await?;
    ///     Ok(())
    /// });
    /// threads.run().unwrap();
    /// let recording = threads.recording().unwrap();
    /// let server = &recording.processes[0];
    /// let client = &recording.processes[1];
    /// assert_eq!(server.name.as_deref(), Some("echo"));
    /// let taken: Vec<Input> = server.inputs.iter().map(|taken| taken.input).collect();
    /// assert_eq!(taken, [Input::Cast { from: client.id }, Input::Call { from: client.id }]);
    /// ```
    pub fn record(self) -> Self {
        self.rt.record();
        self
    }

    /// What the processes took so far, once every live server has published its part (all
    /// of them within one second); `None` unless [`Threads::record`] was called.
    pub fn recording(&self) -> Option<Recording> {
        self.rt.recording(Instant::now() + Duration::from_secs(1))
    }

    /// Shows every call the clients make to `observer` (it stays yours: read what it
    /// recorded after [`Threads::run`]).
    pub fn observe<O: CallObserver + 'static>(&mut self, observer: Arc<Mutex<O>>) {
        self.observer = Some(observer);
    }

    /// The runtime the servers run on (to inspect them after [`Threads::run`]).
    pub fn runtime(&self) -> &Runtime {
        &self.rt
    }

    /// Runs every client added so far, each on its own thread, and waits for all of them.
    /// Returns the first failure in the order the clients were added.
    pub fn run(&mut self) -> Result<(), ClientFailure> {
        let threads: Vec<_> = (self.clients.drain(..))
            .map(|(name, body)| {
                let rt = self.rt.clone();
                let me = rt.next_id();
                let observer = self.observer.clone();
                let client = (me, name.clone());
                let handle = thread::Builder::new()
                    .name(name.clone())
                    .spawn(move || play(rt, client, observer, body));
                (name, handle)
            })
            .collect();
        let mut first = None;
        for (client, handle) in threads {
            let result = match handle {
                Ok(handle) => handle.join().unwrap_or_else(|panic| Err(panicked(&*panic))),
                Err(error) => Err(Check::failed(format!(
                    "could not spawn its thread: {error}"
                ))),
            };
            if let (Err(check), None) = (result, &first) {
                first = Some(ClientFailure { client, check });
            }
        }
        first.map_or(Ok(()), Err)
    }
}

impl Threads {
    /// Starts a server under `name` with `options`; panics if it does not start.
    fn start<S: GenServer>(
        &self,
        name: &str,
        args: S::Args,
        options: StartOptions,
    ) -> ServerRef<S> {
        match self.rt.start_with::<S>(args, options.named(name)) {
            Ok(server) => server.addr(),
            Err(error) => panic!("the server {name:?} did not start: {error}"),
        }
    }
}

impl Stage for Threads {
    /// Starts the server on its thread, registered under `name`.
    ///
    /// # Panics
    ///
    /// If it does not start (its `init` failed, or the name is taken).
    fn spawn<S: GenServer>(&mut self, name: &str, args: S::Args) -> ServerRef<S>
    where
        S::Args: Clone,
    {
        self.start(name, args, StartOptions::default())
    }

    /// Starts the server bounded to `limit`, as [`Stage::spawn`] does.
    ///
    /// # Panics
    ///
    /// If it does not start.
    fn spawn_bounded<S: GenServer>(
        &mut self,
        name: &str,
        args: S::Args,
        limit: usize,
    ) -> ServerRef<S>
    where
        S::Args: Clone,
    {
        self.start(name, args, StartOptions::default().bounded(limit))
    }

    fn client(&mut self, name: &str, body: impl AsyncFnOnce(Cx) -> ClientResult + Send + 'static) {
        self.clients.push((name.to_owned(), client_body(body)));
    }
}

/// Runs one client's body to its end on this thread.
fn play(
    rt: Runtime,
    (me, name): (ProcessId, String),
    observer: Option<Observer>,
    body: ClientBody,
) -> ClientResult {
    let tape = (rt.recorder()).map(|recorder| recorder.tape(me, Some(name), true));
    let engine = Rc::new(ThreadClient {
        rt,
        me,
        observer,
        tape: RefCell::new(tape),
        calls: RefCell::default(),
        sleeps: RefCell::default(),
        tickets: Cell::new(0),
    });
    catch_unwind(AssertUnwindSafe(|| block_on(body(Cx::new(engine)))))
        .unwrap_or_else(|panic| Err(panicked(&*panic)))
}

fn panicked(panic: &(dyn std::any::Any + Send)) -> Check {
    Check::failed(format!("panicked: {}", panic_text(panic)))
}

/// A call in flight.
struct InFlight {
    pending: PendingCall<AnyMessage>,
    /// When it times out.
    deadline: Option<Instant>,
    /// Its number for the observer.
    observed: Option<u64>,
    /// The server called, for a recording; the call's place among the client's operations,
    /// and its number among the calls it sent (from 1; `None`: it was never sent).
    to: ProcessId,
    operation: Option<usize>,
    number: Option<u64>,
}

/// A client's requests as real calls and casts. Waiting for a call's outcome blocks the
/// client's thread inside `poll` (each client has its own), so several calls may be in
/// flight, but awaiting one waits for that one.
struct ThreadClient {
    rt: Runtime,
    me: ProcessId,
    observer: Option<Observer>,
    /// Where the client notes its calls' outcomes, when the run is recorded.
    tape: RefCell<Option<Tape>>,
    calls: RefCell<BTreeMap<u64, InFlight>>,
    sleeps: RefCell<BTreeMap<u64, Instant>>,
    tickets: Cell<u64>,
}

impl ClientEngine for ThreadClient {
    fn me(&self) -> ProcessId {
        self.me
    }

    fn now(&self) -> Duration {
        self.rt.now()
    }

    fn whereis(&self, name: &str) -> Option<ProcessId> {
        self.rt.table().lookup(name)
    }

    fn cast(&self, to: ProcessId, msg: AnyMessage) {
        if let Some(inbox) = self.rt.inbox(to) {
            inbox.cast_any(self.me, msg);
        }
    }

    fn call(&self, ticket: u64, to: ProcessId, request: AnyMessage, timeout: Timeout) {
        let observed = (self.observer.as_ref())
            .and_then(|observer| lock(observer).invoke(self.me, to, &*request));
        let operation =
            (self.tape.borrow_mut().as_mut()).map(|tape| tape.invoke(to, format!("{request:?}")));
        let link = Arc::new(ReplyLink::new());
        let opened = match self.rt.inbox(to) {
            Some(inbox) => inbox.call_any(self.me, CallTag(ticket + 1), request, link.clone()),
            None => {
                link.complete(Err(CallError::NoProcess));
                None
            }
        };
        let queued = opened.is_some();
        // A recording numbers the calls that were sent (as the simulator does).
        let number = match (&mut *self.tape.borrow_mut(), queued) {
            (Some(tape), true) => Some(tape.next_call()),
            _ => None,
        };
        let call = InFlight {
            pending: PendingCall::new(link, to, None).holding(opened),
            deadline: deadline(timeout),
            observed,
            to,
            operation,
            number,
        };
        self.calls.borrow_mut().insert(ticket, call);
    }

    fn poll_call(&self, ticket: u64) -> Poll<Result<AnyMessage, CallError>> {
        let Some(call) = self.calls.borrow_mut().remove(&ticket) else {
            return Poll::Ready(Err(CallError::NoReply));
        };
        let outcome = (call.pending.wait_until(call.deadline)).map_err(CallError::from);
        if let Some(tape) = &mut *self.tape.borrow_mut() {
            tape.stamp();
            let answer = match &outcome {
                Ok(reply) => Ok(format!("{reply:?}")),
                Err(error) => Err(error.to_string()),
            };
            if let Some(operation) = call.operation {
                tape.returned(operation, answer);
            }
            if let Some(number) = call.number {
                let to = call.to;
                tape.take(match outcome {
                    Err(CallError::Timeout) => Input::Timeout { to, call: number },
                    _ => Input::Reply {
                        from: to,
                        call: number,
                    },
                });
            }
        }
        if let (Some(observer), Some(call)) = (&self.observer, call.observed) {
            let seen = outcome.as_ref().map(|reply| &**reply as &dyn Any);
            lock(observer).respond(call, seen);
        }
        Poll::Ready(outcome)
    }

    fn sleep(&self, ticket: u64, duration: Duration) {
        let at = Instant::now().checked_add(duration);
        let at = at.unwrap_or_else(|| Instant::now() + Duration::from_secs(u32::MAX.into()));
        self.sleeps.borrow_mut().insert(ticket, at);
    }

    fn poll_sleep(&self, ticket: u64) -> Poll<()> {
        if let Some(at) = self.sleeps.borrow_mut().remove(&ticket) {
            thread::sleep(at.saturating_duration_since(Instant::now()));
        }
        Poll::Ready(())
    }

    fn forget(&self, ticket: u64) {
        self.calls.borrow_mut().remove(&ticket);
    }

    fn ticket(&self) -> u64 {
        let ticket = self.tickets.get();
        self.tickets.set(ticket + 1);
        ticket
    }
}
