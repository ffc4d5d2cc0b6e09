//! Errors seen by clients of a server.

use std::fmt;
use std::sync::Arc;

use crate::{ExitReason, ProcessId};

/// Why a call produced no reply.
#[derive(Clone, Debug, PartialEq, Eq, Hash, thiserror::Error)]
pub enum CallError {
    /// The server does not exist or has already exited ("no such process").
    #[error("no such process")]
    NoProcess,
    /// No reply came within the call's timeout; a later reply is discarded.
    #[error("call timed out")]
    Timeout,
    /// The server exited while the call was queued or pending.
    #[error("server exited: {0}")]
    Exited(ExitReason),
    /// A server called itself, which could only deadlock.
    #[error("a server cannot call itself")]
    CallingSelf,
    /// Every copy of the reply token was dropped without a reply.
    #[error("the server dropped the request without replying")]
    NoReply,
    /// The server's bounded mailbox was full: the call was not queued
    /// ([`crate::rules`], rule 8).
    #[error("the server's mailbox is full")]
    Full,
}

/// A message refused by a full bounded mailbox, handed back to its sender
/// ([`crate::runtime::Server::try_cast`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the server's mailbox is full")]
pub struct Full<M>(pub M);

/// A [`CallError`] with the server it concerns: what a runtime handle's call, query, update or
/// stop returns, so a log line or a panic says which server failed.
///
/// ```
/// # use genserver::{CallError, ProcessId, ServerError};
/// # let id = ProcessId::EXTERNAL;
/// let error = ServerError::new(Some(id), Some("counter".into()), CallError::Timeout);
/// assert_eq!(error.to_string(), format!("server {id} \"counter\": call timed out"));
/// assert_eq!(error, CallError::Timeout);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ServerError {
    /// The server's id: `None` for a name that no server held.
    pub id: Option<ProcessId>,
    /// The name the server was registered under when it started, if any.
    pub name: Option<Arc<str>>,
    /// What went wrong.
    pub error: CallError,
}

impl ServerError {
    /// The error `error` about the server `id` registered as `name`.
    pub fn new(id: Option<ProcessId>, name: Option<Arc<str>>, error: CallError) -> Self {
        ServerError { id, name, error }
    }
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("server")?;
        if let Some(id) = self.id {
            write!(f, " {id}")?;
        }
        if let Some(name) = &self.name {
            write!(f, " {name:?}")?;
        }
        write!(f, ": {}", self.error)
    }
}

impl std::error::Error for ServerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// An error equals the bare [`CallError`] it carries, whichever server it names.
impl PartialEq<CallError> for ServerError {
    fn eq(&self, other: &CallError) -> bool {
        self.error == *other
    }
}

/// Drops the server, for code that speaks in [`CallError`]s.
impl From<ServerError> for CallError {
    fn from(error: ServerError) -> Self {
        error.error
    }
}

/// Why a server did not start.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StartError {
    /// `init` asked to stop, or panicked.
    #[error("init failed: {0}")]
    Init(ExitReason),
    /// Another live server already holds the requested name.
    #[error("the name {0:?} is already registered")]
    NameTaken(String),
    /// The server's task could not run (its executor was shut down).
    #[error("could not run the server's task: {0}")]
    Spawn(String),
    /// A [`crate::ChildStart`] built for one engine was run by another.
    #[error("this start recipe was built for another engine: {0}")]
    WrongEngine(String),
}

/// Why [`crate::Runtime::on`] refused a tokio runtime.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExecutorError {
    /// A current-thread runtime runs tasks only while its owner drives it, so a call from
    /// any other thread could wait for ever, and a callback blocking on a handle has no other
    /// worker to hand over to.
    #[error("servers need a multi-threaded tokio runtime (Builder::new_multi_thread)")]
    NotMultiThreaded,
    /// Servers wait with deadlines (timers, call timeouts).
    #[error("servers need a tokio runtime with time enabled (Builder::enable_time)")]
    NoTimer,
}
