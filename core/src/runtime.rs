//! The runtime: servers as tasks on a small pool of worker threads (M:N), a concurrent
//! mailbox, reply links, timeouts.
//!
//! # Tasks and threads
//!
//! Handlers never block (they record effects), so a server needs a thread only while it runs
//! a callback: each server is a task of a tokio multi-threaded runtime (by default one pool
//! shared by the whole OS process, one worker per core; [`Runtime::on`] uses the caller's).
//! An idle server costs memory only. A server waiting for a call it made is suspended, not
//! blocking its worker. Code that blocks inside a callback (a handle's `call`, a `stop`, a
//! child start) tells the pool first, which hands the worker's other tasks to another thread
//! meanwhile ([`tokio::task::block_in_place`]); a callback that sleeps or spins holds its
//! worker, as a busy Erlang process without reductions would.
//!
//! # Links, monitors, exit signals, kills, child starts
//!
//! The registry keeps, for each live process, its name, links, monitors (who watches it) and
//! whether it traps exits, all under the runtime's one lock. A process dies when its record
//! leaves the registry; whoever removes it (the server's own task after `terminate`, or a
//! killer) sends its `Down`s and link exit signals in that same critical section, so linking
//! or monitoring a process is decided atomically against its exit: a dead one answers "no
//! such process" at once. `Down`s and trapped exit signals are queued in the receiver's
//! mailbox like messages (in order with the sender's other messages); a `Down` of a removed
//! monitor, or a link's signal after an unlink, is dropped when it comes up.
//!
//! An untrapped abnormal exit signal, or a kill, reaches a server at once through its doom
//! flag ([`Interrupt`]): the server checks it before and after every callback and between the
//! effects it applies, and a server waiting for a call it made is woken by the flag completing
//! that call's reply link. **A running callback cannot be stopped from outside**: a callback that is
//! running when the doom arrives finishes first, and a server blocked in `terminate` or in a
//! child start is not woken. What such a callback asked for is never carried out, and
//! its caller gets the exit reason instead of its reply. A kill does not wait for that: the
//! killed process leaves the registry at once (its name is free, its monitors and links are
//! told [`ExitReason::Killed`], calls to it fail with "no such process"), so a supervisor can
//! restart it while the old task finishes its callback; an exit signal's reason, by
//! contrast, takes effect when the task gets to it, after `terminate`.
//!
//! [`Runtime::start`] returns once `init`'s effects are carried out too (a supervisor's
//! children are then running); a server that stops or is doomed on the way runs `terminate`
//! and its start fails with [`StartError::Init`]. [`Spawner`] starts children for
//! [`crate::Effect::Start`]: the name and the link to the starter are in place before the
//! child handles any message.

mod apply;
mod bound;
mod chatter;
mod current;
mod envelope;
mod exit;
mod handle;
mod inbox;
mod interrupt;
mod launch;
mod link;
mod mailbox;
mod open_calls;
mod pending;
pub mod record;
mod server_loop;
mod shutdown;
mod sinks;
mod spawner;
mod table;
#[cfg(not(loom))]
mod threads;

#[doc(hidden)]
pub use bound::Bound;
pub use handle::{OnFull, Server, Stopped};
#[doc(hidden)]
pub use interrupt::{Doom, Interrupt};
#[doc(hidden)]
pub use link::ReplyLink;
#[doc(hidden)]
pub use mailbox::Mailbox;
pub use pending::PendingCall;
pub use shutdown::ShutdownReport;
pub use spawner::Spawner;
#[cfg(not(loom))]
pub use threads::{CallObserver, ClientFailure, Threads};

use std::time::{Duration, Instant};

use crate::sync::{Arc, Executor, Mutex, MutexGuard, lock};
use crate::{
    CallError, ExitReason, GenServer, ProcessId, ServerError, ServerRef, StartError, StartOptions,
};
use inbox::Inbox;
use launch::Launched;
use record::Recorder;
use table::Table;

/// The next process id of every runtime of this OS process: ids never collide across
/// runtimes, so an address from another runtime names nothing here (`NoProcess`), never one
/// of this runtime's servers. (A plain atomic under loom too: it orders nothing.)
static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

struct Shared {
    table: Mutex<Table>,
    /// What [`crate::Ctx::now`] counts from.
    epoch: Instant,
    /// Where the servers' tasks run.
    executor: Executor,
    /// The recording of what every process takes, once one is asked for.
    recorder: std::sync::OnceLock<std::sync::Arc<Recorder>>,
}

/// A set of servers that can find each other by id or registered name.
///
/// Cloning is cheap and shares the registry. Servers run as tasks on a pool of worker
/// threads (see the module docs); calls from plain threads block, async callers await
/// ([`Runtime::start_async`], [`Server::call_async`]).
///
/// ```
/// use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo, Runtime};
///
/// struct Counter(u64);
///
/// impl GenServer for Counter {
///     type Args = u64;
///     type Call = ();
///     type Reply = u64;
///     type Cast = u64;
///     type Info = ();
///     type Continue = ();
///
///     fn init(start: u64, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
///         Ok(Counter(start))
///     }
///     fn handle_call(&mut self, _: (), _: ReplyTo<u64>, _: &mut Ctx<Self>) -> CallResult<u64> {
///         CallResult::Reply(self.0)
///     }
///     fn handle_cast(&mut self, by: u64, _: &mut Ctx<Self>) {
///         self.0 += by;
///     }
/// }
///
/// let rt = Runtime::new();
/// let counter = rt.start_named::<Counter>("counter", 40).unwrap();
/// counter.cast(2);
/// assert_eq!(counter.call(()), Ok(42));
/// assert_eq!(rt.whereis::<Counter>("counter").unwrap().id(), counter.id());
/// ```
#[derive(Clone)]
pub struct Runtime {
    shared: Arc<Shared>,
}

impl Default for Runtime {
    fn default() -> Self {
        Self::new()
    }
}

impl Runtime {
    /// An empty runtime whose servers run on the process-wide worker pool (one worker per
    /// core, started on first use).
    pub fn new() -> Self {
        Self::with_executor(Executor::shared())
    }

    /// An empty runtime whose servers run as tasks of the tokio runtime behind `handle`,
    /// e.g. an application's own (`tokio::runtime::Handle::current()`). It must be a
    /// multi-threaded runtime with time enabled (`enable_time`), or this says which it is not;
    /// and it must outlive the servers: a server's task dropped by a shut-down runtime
    /// vanishes without running `terminate`.
    ///
    /// ```
    /// use genserver::{ExecutorError, Runtime};
    ///
    /// let tokio = tokio::runtime::Builder::new_multi_thread().enable_time().build().unwrap();
    /// assert!(Runtime::on(tokio.handle().clone()).is_ok());
    /// let untimed = tokio::runtime::Builder::new_multi_thread().build().unwrap();
    /// assert_eq!(Runtime::on(untimed.handle().clone()).err(), Some(ExecutorError::NoTimer));
    /// ```
    #[cfg(not(loom))]
    pub fn on(handle: tokio::runtime::Handle) -> Result<Self, crate::ExecutorError> {
        Executor::on(handle).map(Self::with_executor)
    }

    fn with_executor(executor: Executor) -> Self {
        Runtime {
            shared: Arc::new(Shared {
                table: Mutex::new(Table::default()),
                epoch: Instant::now(),
                executor,
                recorder: std::sync::OnceLock::new(),
            }),
        }
    }

    /// Starts a server: runs `init(args)` in its new task, then carries out what `init`
    /// asked for (child starts included), and returns once all that went well.
    pub fn start<S: GenServer>(&self, args: S::Args) -> Result<Server<S>, StartError> {
        self.start_with(args, StartOptions::default())
    }

    /// Starts a server registered under `name`. The name is taken (found by
    /// [`Runtime::whereis`]) only after `init` succeeds; if another live server holds it, or
    /// another start is running `init` under it, the start fails with
    /// [`StartError::NameTaken`] at once, without running `init` (as OTP's).
    pub fn start_named<S: GenServer>(
        &self,
        name: impl Into<String>,
        args: S::Args,
    ) -> Result<Server<S>, StartError> {
        self.start_with(args, StartOptions::default().named(name))
    }

    /// Starts a server with a name and/or a link to a live process, both in place before
    /// the server handles any message. A server that stops or panics while its `init`'s
    /// effects are carried out gives [`StartError::Init`] (and no exit signal to `link_to`).
    pub fn start_with<S: GenServer>(
        &self,
        args: S::Args,
        options: StartOptions,
    ) -> Result<Server<S>, StartError> {
        Launched::new(self, args, options)?.wait()
    }

    /// [`Runtime::start_with`] for async code: awaits the verdict instead of blocking, so
    /// one task can have many starts under way (`StartOptions::default()` for a plain start).
    pub async fn start_async<S: GenServer>(
        &self,
        args: S::Args,
        options: StartOptions,
    ) -> Result<Server<S>, StartError> {
        Launched::new(self, args, options)?.verdict().await
    }

    /// Calls the server registered as `name` (resolved now, as OTP's call to a registered
    /// name); "no such process" if none of type `S` holds it.
    pub fn call_named<S: GenServer>(
        &self,
        name: &str,
        request: S::Call,
    ) -> Result<S::Reply, ServerError> {
        match self.whereis::<S>(name) {
            Some(server) => server.call(request),
            None => Err(ServerError::new(
                None,
                Some(name.into()),
                CallError::NoProcess,
            )),
        }
    }

    /// Casts to the server registered as `name`; dropped if none of type `S` holds it (as
    /// OTP's cast to a registered name).
    pub fn cast_named<S: GenServer>(&self, name: &str, msg: S::Cast) {
        if let Some(server) = self.whereis::<S>(name) {
            server.cast(msg);
        }
    }

    /// A spawner on this runtime, for [`crate::ChildStart`] recipes (supervisors use it).
    pub fn spawner(&self) -> Spawner {
        Spawner::new(self)
    }

    /// The live server registered as `name`, if it is of type `S`.
    pub fn whereis<S: GenServer>(&self, name: &str) -> Option<Server<S>> {
        let table = self.table();
        table.inbox(table.lookup(name)?)?.as_server::<S>(self)
    }

    /// A handle on the live server at `addr`, if it is still alive.
    pub fn resolve<S: GenServer>(&self, addr: ServerRef<S>) -> Option<Server<S>> {
        self.table().inbox(addr.id())?.as_server::<S>(self)
    }

    /// Whether process `id` is alive (it may exit right after this returns).
    pub fn is_alive(&self, id: ProcessId) -> bool {
        self.table().inbox(id).is_some()
    }

    /// Monitors process `id` from a plain thread (OTP's `erlang:monitor` for code that is not
    /// a server): the handle yields its exit reason once it exits, or
    /// [`ExitReason::NoProcess`] at once if it is not alive. Dropping the handle gives up.
    ///
    /// ```
    /// use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo, Runtime, Timeout};
    ///
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
    /// let watch = rt.monitor(idle.id());
    /// rt.kill(idle.id());
    /// assert_eq!(watch.wait_timeout(Timeout::millis(5_000)), Ok(ExitReason::Killed));
    /// assert_eq!(rt.monitor(idle.id()).wait(), Ok(ExitReason::NoProcess));
    /// ```
    pub fn monitor(&self, id: ProcessId) -> PendingCall<ExitReason> {
        let link = Arc::new(ReplyLink::new());
        self.table().observe(id, Arc::clone(&link));
        PendingCall::new(link, id, None)
    }

    /// Kills process `id` from outside any server, as [`crate::Ctx::kill`] does: it leaves
    /// the registry at once (monitors get `Down`, links get exit signals, reason
    /// [`ExitReason::Killed`]) and `terminate` does not run. A callback already running on
    /// its worker finishes first (a running callback cannot be stopped from outside), but nothing it
    /// asked for is carried out and its reply is never sent. Unknown or dead ids are ignored.
    pub fn kill(&self, id: ProcessId) {
        self.table().kill(id);
    }

    /// Sends process `id` an exit signal from outside any server, as [`crate::Ctx::exit`]
    /// does (the sender is [`ProcessId::EXTERNAL`]).
    pub fn exit(&self, id: ProcessId, reason: ExitReason) {
        self.table().exit_signal(id, ProcessId::EXTERNAL, reason);
    }

    /// The runtime's clock: time since [`Runtime::new`], as [`crate::Ctx::now`] reports it.
    pub fn now(&self) -> Duration {
        self.shared.epoch.elapsed()
    }

    /// When this runtime was created: the zero of [`Runtime::now`].
    pub(crate) fn epoch(&self) -> std::time::Instant {
        self.shared.epoch
    }

    /// Where the servers' tasks run.
    fn executor(&self) -> &Executor {
        &self.shared.executor
    }

    fn next_id(&self) -> ProcessId {
        use std::sync::atomic::Ordering;
        ProcessId(NEXT_ID.fetch_add(1, Ordering::Relaxed))
    }

    /// The registry, locked (never held while user code runs).
    fn table(&self) -> MutexGuard<'_, Table> {
        lock(&self.shared.table)
    }

    /// The inbox of the live server `id`, if any.
    fn inbox(&self, id: ProcessId) -> Option<Box<dyn Inbox>> {
        self.table().inbox(id).map(|inbox| inbox.clone_box())
    }
}
