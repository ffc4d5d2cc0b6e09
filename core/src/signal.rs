//! What links and monitors deliver: OTP's `{'DOWN', ...}` and `{'EXIT', ...}` messages, typed.

use crate::{ExitReason, MonitorRef, ProcessId};

/// A monitored process went down (or did not exist when the monitor was set).
///
/// Delivered to [`crate::GenServer::handle_down`] once per monitor; never after
/// [`crate::Ctx::demonitor`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Down {
    /// The monitor, as [`crate::Ctx::monitor`] returned it.
    pub monitor: MonitorRef,
    /// The process that went down.
    pub process: ProcessId,
    /// Its exit reason; [`ExitReason::NoProcess`] if it was already gone.
    pub reason: ExitReason,
}

/// An exit signal turned into a message because the receiver traps exits.
///
/// Delivered to [`crate::GenServer::handle_exit`]: a linked process exited (with any reason,
/// `normal` included), or a process sent an exit signal with [`crate::Ctx::exit`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ExitSignal {
    /// Who sent it (for a link: the process that exited).
    pub from: ProcessId,
    /// The reason carried.
    pub reason: ExitReason,
}
