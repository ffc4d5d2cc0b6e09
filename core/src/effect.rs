//! Effects: what a handler asks the engine to do, recorded as data.

use std::fmt;
use std::time::{Duration, Instant};

use crate::spawn::ErasedStart;

pub use crate::process::Command;

use crate::{
    AnyMessage, CallError, ChildStart, ExitReason, GenServer, MonitorRef, ProcessId, ReplyTo,
    ServerRef, Spawn, StartError, StartOptions, Timeout, TimerId, message::downcast,
};

/// Turns the erased outcome of a call a server made into that server's own info message.
pub type OnOutcome<S> =
    Box<dyn FnOnce(Result<AnyMessage, CallError>) -> <S as GenServer>::Info + Send>;

/// Turns the outcome of starting a child into the starting server's own info message.
pub type OnStarted<S> =
    Box<dyn FnOnce(Result<ProcessId, StartError>) -> <S as GenServer>::Info + Send>;

/// One thing a handler asked for. Engines apply a callback's effects in order, after it returns.
pub enum Effect<S: GenServer> {
    /// Deliver a reply through a token (`send` performs it; `caller` and `tag` name the call).
    Reply {
        /// The waiting process.
        caller: ProcessId,
        /// The call being answered.
        tag: crate::CallTag,
        /// Performs the delivery; returns whether the caller still waited.
        send: Box<dyn FnOnce() -> bool + Send>,
    },
    /// Call server `to` and block until its reply or the timeout; the outcome then comes
    /// back to this server as the info message made by `on_outcome`, before anything else.
    Call {
        /// The server called.
        to: ProcessId,
        /// The receiver's call request, erased.
        request: AnyMessage,
        /// How long to wait.
        timeout: Timeout,
        /// Converts the outcome into this server's info message.
        on_outcome: OnOutcome<S>,
    },
    /// Deliver `msg` to this server's `handle_info` after `after`.
    SetTimer {
        /// The timer's id, for cancelling.
        id: TimerId,
        /// The delay.
        after: Duration,
        /// The info message to deliver.
        msg: S::Info,
    },
    /// Run `handle_continue` with this value before any queued message.
    Continue(S::Continue),
    /// Stop the server with this reason (after a pending reply is sent and `terminate` runs).
    Stop(ExitReason),
    /// Start a child server; the outcome comes back as the info message made by `on_started`,
    /// before anything else.
    Start {
        /// The recipe, which the engine runs with itself as the spawner.
        start: ErasedStart,
        /// Name and link for the child.
        options: StartOptions,
        /// Converts the outcome into this server's info message.
        on_started: OnStarted<S>,
    },
    /// Something for the world outside this server (a cast, a monitor, a link, an exit
    /// signal, …), which the engine carries out as it is.
    Command(Command),
}

impl<S: GenServer> fmt::Debug for Effect<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Effect::Reply { caller, tag, .. } => write!(f, "Reply({caller:?}#{})", tag.0),
            Effect::Call {
                to,
                request,
                timeout,
                ..
            } => write!(f, "Call({to:?}, {request:?}, {timeout:?})"),
            Effect::SetTimer { id, after, msg } => {
                write!(f, "SetTimer({id:?}, {after:?}, {msg:?})")
            }
            Effect::Continue(c) => write!(f, "Continue({c:?})"),
            Effect::Stop(reason) => write!(f, "Stop({reason})"),
            Effect::Start { options, .. } => write!(f, "Start({options:?})"),
            Effect::Command(command) => write!(f, "{command:?}"),
        }
    }
}

/// The context handed to every callback: the server's identity and its effect buffer.
pub struct Ctx<S: GenServer> {
    me: ProcessId,
    next_timer: u64,
    next_monitor: u64,
    clock: Clock,
    effects: Vec<Effect<S>>,
}

/// Where [`Ctx::now`] gets the time: a value the engine set (virtual time), or a real clock
/// read only when a handler asks (so callbacks that never ask cost no clock read).
#[derive(Clone, Copy, Debug)]
enum Clock {
    Set(Duration),
    Since(Instant),
}

impl<S: GenServer> Ctx<S> {
    /// A fresh context for server `me`. Engines keep one per server for its whole life.
    pub fn new(me: ProcessId) -> Self {
        Ctx {
            me,
            next_timer: 0,
            next_monitor: 0,
            clock: Clock::Set(Duration::ZERO),
            effects: Vec::new(),
        }
    }

    /// This server's own address.
    pub fn me(&self) -> ServerRef<S> {
        ServerRef::new(self.me)
    }

    /// The engine's time: virtual time in the simulator (that of the step), time since the
    /// runtime was created in the threaded runtime. Handlers read time only here, so runs
    /// replay.
    pub fn now(&self) -> Duration {
        match self.clock {
            Clock::Set(now) => now,
            Clock::Since(epoch) => epoch.elapsed(),
        }
    }

    /// Sets the time [`Ctx::now`] reports (for engines with virtual time, before each
    /// callback).
    pub fn set_now(&mut self, now: Duration) {
        self.clock = Clock::Set(now);
    }

    /// A copy of a context with no effects waiting (`None` while some do).
    pub(crate) fn fork(&self) -> Option<Ctx<S>> {
        self.effects.is_empty().then(|| Ctx {
            me: self.me,
            next_timer: self.next_timer,
            next_monitor: self.next_monitor,
            clock: self.clock,
            effects: Vec::new(),
        })
    }

    /// Makes [`Ctx::now`] report the real time elapsed since `epoch` (for engines on real
    /// time; the clock is read only when a handler asks).
    pub fn set_epoch(&mut self, epoch: Instant) {
        self.clock = Clock::Since(epoch);
    }

    /// Records a command for the world outside this server.
    fn command(&mut self, command: Command) {
        self.effects.push(Effect::Command(command));
    }

    /// Replies to a call through its token (now, or later from another callback).
    pub fn reply<R: Send + 'static>(&mut self, to: &ReplyTo<R>, value: R) {
        let token = to.clone();
        self.effects.push(Effect::Reply {
            caller: token.caller(),
            tag: token.tag(),
            send: Box::new(move || token.settle(Ok(value))),
        });
    }

    /// Casts to another server; never fails for the sender.
    pub fn cast<T: GenServer>(&mut self, to: ServerRef<T>, msg: T::Cast) {
        self.effects.push(Effect::Command(Command::Cast {
            to: to.id(),
            msg: Box::new(msg),
        }));
    }

    /// Sends an info message to another server (or to itself).
    pub fn send<T: GenServer>(&mut self, to: ServerRef<T>, msg: T::Info) {
        self.effects.push(Effect::Command(Command::Info {
            to: to.id(),
            msg: Box::new(msg),
        }));
    }

    /// Calls another server. This server handles nothing else until the reply or the timeout;
    /// then `on_outcome` turns the outcome into an info message handled before anything else.
    pub fn call<T: GenServer>(
        &mut self,
        to: ServerRef<T>,
        request: T::Call,
        timeout: Timeout,
        on_outcome: impl FnOnce(Result<T::Reply, CallError>) -> S::Info + Send + 'static,
    ) {
        self.effects.push(Effect::Call {
            to: to.id(),
            request: Box::new(request),
            timeout,
            on_outcome: Box::new(move |outcome| {
                on_outcome(outcome.map(|reply| match downcast::<T::Reply>(reply) {
                    Ok(reply) => reply,
                    Err(other) => panic!("reply of the wrong type: {other:?}"),
                }))
            }),
        });
    }

    /// Delivers `msg` to this server's `handle_info` after `after`; returns the timer's id.
    pub fn set_timer(&mut self, after: Duration, msg: S::Info) -> TimerId {
        self.next_timer += 1;
        let id = TimerId(self.next_timer);
        self.effects.push(Effect::SetTimer { id, after, msg });
        id
    }

    /// Cancels a timer; a timer that already fired or was cancelled is ignored.
    pub fn cancel_timer(&mut self, id: TimerId) {
        self.command(Command::CancelTimer(id));
    }

    /// Runs `handle_continue(value)` before any queued message.
    pub fn continue_with(&mut self, value: S::Continue) {
        self.effects.push(Effect::Continue(value));
    }

    /// Stops this server with `reason` once the current callback's other effects are applied.
    pub fn stop(&mut self, reason: ExitReason) {
        self.effects.push(Effect::Stop(reason));
    }

    /// Monitors `target`; its exit reaches `handle_down` as a [`crate::Down`] with this id.
    pub fn monitor(&mut self, target: impl Into<ProcessId>) -> MonitorRef {
        self.next_monitor += 1;
        let monitor = MonitorRef(self.next_monitor);
        self.effects.push(Effect::Command(Command::Monitor {
            monitor,
            target: target.into(),
        }));
        monitor
    }

    /// Removes a monitor; no `Down` for it is handled afterwards.
    pub fn demonitor(&mut self, monitor: MonitorRef) {
        self.command(Command::Demonitor(monitor));
    }

    /// Links this server and `target`: an abnormal exit of either reaches the other.
    pub fn link(&mut self, target: impl Into<ProcessId>) {
        self.command(Command::Link(target.into()));
    }

    /// Removes the link with `target`.
    pub fn unlink(&mut self, target: impl Into<ProcessId>) {
        self.command(Command::Unlink(target.into()));
    }

    /// Turns exit signals into `handle_exit` messages (`true`) or back into exits (`false`).
    pub fn trap_exits(&mut self, on: bool) {
        self.command(Command::TrapExits(on));
    }

    /// Sends an exit signal with `reason` to `to` (see [`Command::Exit`]).
    pub fn exit(&mut self, to: impl Into<ProcessId>, reason: ExitReason) {
        self.effects.push(Effect::Command(Command::Exit {
            to: to.into(),
            reason,
        }));
    }

    /// Kills `to`: it exits with [`ExitReason::Killed`] at once; trapping does not help.
    pub fn kill(&mut self, to: impl Into<ProcessId>) {
        self.command(Command::Kill(to.into()));
    }

    /// Starts a child with `recipe` on engine `E`; `on_started` turns the outcome (the child's
    /// id, or why it did not start) into an info message handled before anything else.
    pub fn start<E: Spawn>(
        &mut self,
        recipe: &ChildStart<E>,
        options: StartOptions,
        on_started: impl FnOnce(Result<ProcessId, StartError>) -> S::Info + Send + 'static,
    ) {
        self.effects.push(Effect::Start {
            start: recipe.erase(),
            options,
            on_started: Box::new(on_started),
        });
    }

    /// The effects recorded so far, in order (for engines and for unit tests of handlers).
    pub fn effects(&self) -> &[Effect<S>] {
        &self.effects
    }

    /// Takes the recorded effects, leaving the buffer empty.
    pub fn take_effects(&mut self) -> Vec<Effect<S>> {
        std::mem::take(&mut self.effects)
    }

    /// Hands out the recorded effects, keeping the buffer for the next callback.
    pub(crate) fn drain_effects(&mut self) -> std::vec::Drain<'_, Effect<S>> {
        self.effects.drain(..)
    }
}
