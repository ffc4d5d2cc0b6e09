//! Errors seen by clients of a server.

use crate::ExitReason;

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
