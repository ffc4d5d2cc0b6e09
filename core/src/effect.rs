//! Effects: what a handler asks the engine to do, recorded as data.

use std::fmt;
use std::time::Duration;

use crate::{
    AnyMessage, CallError, ExitReason, GenServer, ProcessId, ReplyTo, ServerRef, Timeout, TimerId,
    message::downcast,
};

/// Turns the erased outcome of a call a server made into that server's own info message.
pub type OnOutcome<S> =
    Box<dyn FnOnce(Result<AnyMessage, CallError>) -> <S as GenServer>::Info + Send>;

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
    /// Cast `msg` to server `to`.
    Cast {
        /// The receiver.
        to: ProcessId,
        /// The receiver's cast message, erased.
        msg: AnyMessage,
    },
    /// Send `msg` to server `to` as an info message.
    Info {
        /// The receiver.
        to: ProcessId,
        /// The receiver's info message, erased.
        msg: AnyMessage,
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
    /// Cancel a timer that has not fired yet (no effect otherwise).
    CancelTimer(TimerId),
    /// Run `handle_continue` with this value before any queued message.
    Continue(S::Continue),
    /// Stop the server with this reason (after a pending reply is sent and `terminate` runs).
    Stop(ExitReason),
}

impl<S: GenServer> fmt::Debug for Effect<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Effect::Reply { caller, tag, .. } => write!(f, "Reply({caller:?}#{})", tag.0),
            Effect::Cast { to, msg } => write!(f, "Cast({to:?}, {msg:?})"),
            Effect::Info { to, msg } => write!(f, "Info({to:?}, {msg:?})"),
            Effect::Call {
                to,
                request,
                timeout,
                ..
            } => write!(f, "Call({to:?}, {request:?}, {timeout:?})"),
            Effect::SetTimer { id, after, msg } => {
                write!(f, "SetTimer({id:?}, {after:?}, {msg:?})")
            }
            Effect::CancelTimer(id) => write!(f, "CancelTimer({id:?})"),
            Effect::Continue(c) => write!(f, "Continue({c:?})"),
            Effect::Stop(reason) => write!(f, "Stop({reason})"),
        }
    }
}

/// The context handed to every callback: the server's identity and its effect buffer.
pub struct Ctx<S: GenServer> {
    me: ProcessId,
    next_timer: u64,
    effects: Vec<Effect<S>>,
}

impl<S: GenServer> Ctx<S> {
    /// A fresh context for server `me`. Engines keep one per server for its whole life.
    pub fn new(me: ProcessId) -> Self {
        Ctx {
            me,
            next_timer: 0,
            effects: Vec::new(),
        }
    }

    /// This server's own address.
    pub fn me(&self) -> ServerRef<S> {
        ServerRef::new(self.me)
    }

    /// Replies to a call through its token (now, or later from another callback).
    pub fn reply<R: Send + 'static>(&mut self, to: &ReplyTo<R>, value: R) {
        let token = to.clone();
        self.effects.push(Effect::Reply {
            caller: token.caller(),
            tag: token.tag(),
            send: Box::new(move || token.reply(value)),
        });
    }

    /// Casts to another server; never fails for the sender.
    pub fn cast<T: GenServer>(&mut self, to: ServerRef<T>, msg: T::Cast) {
        self.effects.push(Effect::Cast {
            to: to.id(),
            msg: Box::new(msg),
        });
    }

    /// Sends an info message to another server (or to itself).
    pub fn send<T: GenServer>(&mut self, to: ServerRef<T>, msg: T::Info) {
        self.effects.push(Effect::Info {
            to: to.id(),
            msg: Box::new(msg),
        });
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
        self.effects.push(Effect::CancelTimer(id));
    }

    /// Runs `handle_continue(value)` before any queued message.
    pub fn continue_with(&mut self, value: S::Continue) {
        self.effects.push(Effect::Continue(value));
    }

    /// Stops this server with `reason` once the current callback's other effects are applied.
    pub fn stop(&mut self, reason: ExitReason) {
        self.effects.push(Effect::Stop(reason));
    }

    /// The effects recorded so far, in order (for engines and for unit tests of handlers).
    pub fn effects(&self) -> &[Effect<S>] {
        &self.effects
    }

    /// Takes the recorded effects, leaving the buffer empty.
    pub fn take_effects(&mut self) -> Vec<Effect<S>> {
        std::mem::take(&mut self.effects)
    }
}
