//! What the process machine hands its engine: commands for the world outside the process,
//! replies to settle, and where the process stands.

use std::fmt;
use std::time::Duration;

use crate::spawn::ErasedStart;
use crate::{
    AnyMessage, CallError, ExitReason, GenServer, MonitorRef, ProcessId, ReplyTo, StartOptions,
    Timeout, TimerId,
};

/// Something a server asks of the world outside it ([`crate::Effect::Command`]): the
/// engine carries it out as it is, in the order the callbacks recorded it.
pub enum Command {
    /// Cast `msg` to server `to`.
    Cast {
        /// The receiver.
        to: ProcessId,
        /// Its cast message, erased.
        msg: AnyMessage,
    },
    /// Send `msg` to server `to` as an info message.
    Info {
        /// The receiver.
        to: ProcessId,
        /// Its info message, erased.
        msg: AnyMessage,
    },
    /// Fire timer `id` after `after` (the process keeps its message: this is what the
    /// process machine hands the engine for an [`crate::Effect::SetTimer`]).
    SetTimer {
        /// The timer.
        id: TimerId,
        /// The delay.
        after: Duration,
    },
    /// Cancel a timer that has not fired yet (no effect otherwise).
    CancelTimer(TimerId),
    /// Watch `target`: when it exits, this server's `handle_down` gets a [`crate::Down`]
    /// (at once, with [`ExitReason::NoProcess`], if it is already gone).
    Monitor {
        /// The monitor's id, for `Demonitor` and to match the `Down`.
        monitor: MonitorRef,
        /// The process watched.
        target: ProcessId,
    },
    /// Remove a monitor; its `Down` is never delivered afterwards, even if already sent.
    Demonitor(MonitorRef),
    /// Link this server and `target` both ways (linking to a dead process sends this server
    /// an exit signal with [`ExitReason::NoProcess`]).
    Link(ProcessId),
    /// Remove a link both ways.
    Unlink(ProcessId),
    /// Whether exit signals become [`crate::ExitSignal`] messages for `handle_exit` (`true`)
    /// or stop this server when abnormal (`false`, the default).
    TrapExits(bool),
    /// Send an exit signal: a receiver that traps exits gets it in `handle_exit`; otherwise
    /// it exits with `reason` (running `terminate`) unless `reason` is `Normal`.
    Exit {
        /// The receiver.
        to: ProcessId,
        /// The reason carried.
        reason: ExitReason,
    },
    /// An untrappable kill: the receiver exits with [`ExitReason::Killed`] without running
    /// `terminate`.
    Kill(ProcessId),
}

impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Cast { to, msg } => write!(f, "Cast({to:?}, {msg:?})"),
            Command::Info { to, msg } => write!(f, "Info({to:?}, {msg:?})"),
            Command::SetTimer { id, after } => write!(f, "SetTimer({id:?}, {after:?})"),
            Command::CancelTimer(id) => write!(f, "CancelTimer({id:?})"),
            Command::Monitor { monitor, target } => write!(f, "Monitor({monitor:?}, {target:?})"),
            Command::Demonitor(monitor) => write!(f, "Demonitor({monitor:?})"),
            Command::Link(to) => write!(f, "Link({to:?})"),
            Command::Unlink(to) => write!(f, "Unlink({to:?})"),
            Command::TrapExits(on) => write!(f, "TrapExits({on})"),
            Command::Exit { to, reason } => write!(f, "Exit({to:?}, {reason})"),
            Command::Kill(to) => write!(f, "Kill({to:?})"),
        }
    }
}

/// A reply to deliver through a token, at its place among the commands: the engine that
/// holds the caller delivers it when it carries the action out.
pub enum Settle<S: GenServer> {
    /// A reply a callback recorded with [`crate::Ctx::reply`].
    Recorded(Box<dyn FnOnce() -> bool + Send>),
    /// What `handle_call` answered.
    Answer(ReplyTo<S::Reply>, S::Reply),
    /// A call failed (its server stopped before answering).
    Fail(ReplyTo<S::Reply>, CallError),
    /// What is left of an exited process, dropped here: a token its state held and never
    /// answered fails its call with "no reply" then.
    Bury(Box<dyn std::any::Any>),
}

impl<S: GenServer> Settle<S> {
    /// Delivers it now (a panic in the `Drop` of what is buried is caught).
    pub fn deliver(self) {
        match self {
            Settle::Recorded(send) => {
                send();
            }
            Settle::Answer(token, reply) => {
                token.settle(Ok(reply));
            }
            Settle::Fail(token, error) => {
                token.settle(Err(error));
            }
            // Its state's `Drop` is user code: a panic there is caught, as a callback's.
            Settle::Bury(remains) => drop(crate::guard::guarded(move || drop(remains))),
        }
    }
}

/// One step of a process's output.
pub enum Action<S: GenServer> {
    /// Something for the world.
    Command(Command),
    /// A reply to deliver.
    Settle(Settle<S>),
}

/// Where a process stands after an input.
pub enum Status {
    /// Ready for its next input.
    Idle,
    /// Blocked in a call of its own: it takes nothing but the outcome (or its doom) next.
    Call {
        /// The server called.
        to: ProcessId,
        /// The request, erased.
        request: AnyMessage,
        /// How long to wait.
        timeout: Timeout,
    },
    /// It starts a child: the outcome comes back (through `started`) before anything else.
    Start {
        /// The recipe.
        start: ErasedStart,
        /// Name and link for the child.
        options: StartOptions,
    },
    /// It stopped with this reason (`terminate` still to run, by [`super::Process::exit`]).
    Exit(ExitReason),
}

/// What one input made a process do, and where it left it.
pub struct Output<S: GenServer> {
    /// In the order its callbacks recorded them.
    pub actions: Vec<Action<S>>,
    /// Where it stands.
    pub status: Status,
}
