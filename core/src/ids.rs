//! Identifiers shared by both engines.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;

/// The identity of one process (a server or a client), unique within one engine run.
///
/// Ids are handed out in start order and never reused, so they are stable across replays.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProcessId(pub u64);

impl ProcessId {
    /// The id used for callers that are not processes of the engine (a plain thread).
    pub const EXTERNAL: ProcessId = ProcessId(0);
}

impl fmt::Debug for ProcessId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{}>", self.0)
    }
}

impl fmt::Display for ProcessId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// A typed address of a server of type `S`: engine-agnostic and cheap to copy.
///
/// Handlers use it to cast to, call or send to another server; the engine resolves it.
pub struct ServerRef<S> {
    id: ProcessId,
    _server: PhantomData<fn() -> S>,
}

impl<S> ServerRef<S> {
    /// Wraps a process id. The caller promises that `id` names a server of type `S`.
    pub const fn new(id: ProcessId) -> Self {
        ServerRef {
            id,
            _server: PhantomData,
        }
    }

    /// The process id behind this address.
    pub const fn id(&self) -> ProcessId {
        self.id
    }
}

impl<S> From<ServerRef<S>> for ProcessId {
    fn from(server: ServerRef<S>) -> ProcessId {
        server.id
    }
}

impl<S> Clone for ServerRef<S> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<S> Copy for ServerRef<S> {}
impl<S> PartialEq for ServerRef<S> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}
impl<S> Eq for ServerRef<S> {}
impl<S> Hash for ServerRef<S> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id.hash(state)
    }
}
impl<S> fmt::Debug for ServerRef<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.id, f)
    }
}

/// Names one call within its caller: `(caller, tag)` is unique within a run.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct CallTag(pub u64);

/// Names one timer of one server, as returned by [`crate::Ctx::set_timer`].
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct TimerId(pub u64);

/// Names one monitor set by one server, as returned by [`crate::Ctx::monitor`].
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct MonitorRef(pub u64);
