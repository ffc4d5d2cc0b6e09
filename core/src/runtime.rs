//! The threaded runtime: one thread per server, a concurrent mailbox, reply links, timeouts.

mod envelope;
mod handle;
mod inbox;
mod link;
mod mailbox;
mod pending;
mod server_loop;
mod sinks;

pub use handle::Server;
pub use link::ReplyLink;
pub use mailbox::Mailbox;
pub use pending::PendingCall;

use std::collections::BTreeMap;

use crate::sync::{Arc, AtomicU64, Mutex, lock};
use crate::{GenServer, ProcessId, ServerRef, StartError};
use inbox::{Entry, Inbox};

/// The registry of live servers and their names.
#[derive(Default)]
struct Table {
    by_id: BTreeMap<ProcessId, Box<dyn Inbox>>,
    names: BTreeMap<String, ProcessId>,
}

struct Shared {
    next_id: AtomicU64,
    table: Mutex<Table>,
}

/// A set of servers that can find each other by id or registered name.
///
/// Cloning is cheap and shares the registry. Each server runs on its own thread.
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
    /// An empty runtime.
    pub fn new() -> Self {
        Runtime {
            shared: Arc::new(Shared {
                next_id: AtomicU64::new(1),
                table: Mutex::new(Table::default()),
            }),
        }
    }

    /// Starts a server: runs `init(args)` on its new thread and returns once it succeeded.
    pub fn start<S: GenServer>(&self, args: S::Args) -> Result<Server<S>, StartError> {
        server_loop::start(self.clone(), args, None)
    }

    /// Starts a server registered under `name`. The name is taken only after `init` succeeds;
    /// if another live server holds it, the start fails with [`StartError::NameTaken`].
    pub fn start_named<S: GenServer>(
        &self,
        name: impl Into<String>,
        args: S::Args,
    ) -> Result<Server<S>, StartError> {
        let name = name.into();
        if lock(&self.shared.table).names.contains_key(&name) {
            return Err(StartError::NameTaken(name));
        }
        server_loop::start(self.clone(), args, Some(name))
    }

    /// The live server registered as `name`, if it is of type `S`.
    pub fn whereis<S: GenServer>(&self, name: &str) -> Option<Server<S>> {
        let table = lock(&self.shared.table);
        let id = *table.names.get(name)?;
        table.by_id.get(&id)?.as_server::<S>()
    }

    /// A handle on the live server at `addr`, if it is still alive.
    pub fn resolve<S: GenServer>(&self, addr: ServerRef<S>) -> Option<Server<S>> {
        lock(&self.shared.table)
            .by_id
            .get(&addr.id())?
            .as_server::<S>()
    }

    fn next_id(&self) -> ProcessId {
        use std::sync::atomic::Ordering;
        ProcessId(self.shared.next_id.fetch_add(1, Ordering::Relaxed))
    }

    /// Registers a started server; fails if its name is taken.
    fn register<S: GenServer>(
        &self,
        entry: Entry<S>,
        name: Option<&str>,
    ) -> Result<(), StartError> {
        let mut table = lock(&self.shared.table);
        if let Some(name) = name {
            if table.names.contains_key(name) {
                return Err(StartError::NameTaken(name.to_owned()));
            }
            table.names.insert(name.to_owned(), entry.id());
        }
        table.by_id.insert(entry.id(), Box::new(entry));
        Ok(())
    }

    /// Forgets an exiting server and frees its name.
    fn unregister(&self, id: ProcessId, name: Option<&str>) {
        let mut table = lock(&self.shared.table);
        table.by_id.remove(&id);
        if let Some(name) = name {
            if table.names.get(name) == Some(&id) {
                table.names.remove(name);
            }
        }
    }

    /// The inbox of the live server `id`, if any.
    fn inbox(&self, id: ProcessId) -> Option<Box<dyn Inbox>> {
        lock(&self.shared.table)
            .by_id
            .get(&id)
            .map(|inbox| inbox.clone_box())
    }
}
