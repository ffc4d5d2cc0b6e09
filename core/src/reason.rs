//! Why a server stopped.

use std::fmt;

/// The exit reason of a server, as in OTP.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ExitReason {
    /// A normal stop, asked for by the server or by a client.
    Normal,
    /// An orderly shutdown from outside (a supervisor or [`crate::Server::stop`]).
    Shutdown,
    /// A callback panicked; the text names the callback and the panic message.
    Panic(String),
    /// Any other reason, chosen by the server.
    Error(String),
    /// Stopped by an untrappable kill ([`crate::Ctx::kill`]); `terminate` did not run.
    Killed,
    /// The process did not exist: the reason a monitor or link on a dead process reports.
    NoProcess,
}

impl ExitReason {
    /// A custom error reason.
    pub fn error(text: impl Into<String>) -> Self {
        ExitReason::Error(text.into())
    }

    /// Whether this is an abnormal exit (neither `Normal` nor `Shutdown`).
    pub fn is_abnormal(&self) -> bool {
        !matches!(self, ExitReason::Normal | ExitReason::Shutdown)
    }
}

impl fmt::Display for ExitReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExitReason::Normal => f.write_str("normal"),
            ExitReason::Shutdown => f.write_str("shutdown"),
            ExitReason::Panic(text) => write!(f, "panic: {text}"),
            ExitReason::Error(text) => write!(f, "error: {text}"),
            ExitReason::Killed => f.write_str("killed"),
            ExitReason::NoProcess => f.write_str("no such process"),
        }
    }
}
