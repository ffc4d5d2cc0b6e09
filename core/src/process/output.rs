//! What the process machine hands its engine: commands for the world outside the process,
//! replies to settle, and where the process stands.

use std::time::Duration;

use crate::spawn::ErasedStart;
use crate::{
    AnyMessage, CallError, ExitReason, GenServer, MonitorRef, ProcessId, ReplyTo, StartOptions,
    Timeout, TimerId,
};

/// One thing a process asked of the world outside it, in the order its callbacks recorded
/// them: the [`crate::Effect`]s an engine carries out (the rest the machine keeps itself).
#[derive(Debug)]
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
    /// Fire timer `id` after `after` (the machine keeps its message).
    SetTimer {
        /// The timer.
        id: TimerId,
        /// The delay.
        after: Duration,
    },
    /// Forget timer `id`.
    CancelTimer(TimerId),
    /// Watch `target`.
    Monitor {
        /// The monitor.
        monitor: MonitorRef,
        /// The process watched.
        target: ProcessId,
    },
    /// Stop watching.
    Demonitor(MonitorRef),
    /// Link both ways.
    Link(ProcessId),
    /// Unlink both ways.
    Unlink(ProcessId),
    /// Trap exit signals or not.
    TrapExits(bool),
    /// Send an exit signal.
    Exit {
        /// The receiver.
        to: ProcessId,
        /// The reason carried.
        reason: ExitReason,
    },
    /// Send a kill.
    Kill(ProcessId),
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
    /// Delivers it now.
    pub fn deliver(self) {
        match self {
            Settle::Recorded(send) => {
                send();
            }
            Settle::Answer(token, reply) => {
                token.reply(reply);
            }
            Settle::Fail(token, error) => {
                token.fail(error);
            }
            Settle::Bury(remains) => drop(remains),
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
