//! What a server's mailbox carries.

use crate::runtime::ReplyLink;
use crate::runtime::record::Input;
use crate::sync::Arc;
use crate::{CallError, Down, ExitReason, ExitSignal, GenServer, ProcessId, ReplyTo, TimerId};

/// Runs against the state inside the server's task (GenServers.jl's `query`), or learns
/// the exit reason if the server exited first.
pub(crate) type Inspect<S> = Box<dyn FnOnce(Result<&mut S, &ExitReason>) + Send>;

/// Runs at the server's exit, with its reason (GenServers.jl's `term!`).
pub(crate) type OnExit = Box<dyn FnOnce(&ExitReason) + Send>;

/// One message in a server's mailbox.
pub(crate) enum Envelope<S: GenServer> {
    Call {
        request: S::Call,
        from: ReplyTo<S::Reply>,
    },
    /// A cast, and who sent it (for recordings: [`crate::runtime::record`]).
    Cast(S::Cast, ProcessId),
    /// An info message, and who sent it.
    Info(S::Info, ProcessId),
    Inspect(Inspect<S>),
    /// A function to run at its exit.
    OnExit(OnExit),
    Stop {
        reason: Box<ExitReason>,
        done: Arc<ReplyLink<()>>,
    },
    /// A monitored process went down (dropped if the monitor was removed meanwhile).
    Down(Box<Down>),
    /// A trapped exit signal (one sent because of a link is dropped if unlinked meanwhile).
    Exit {
        signal: Box<ExitSignal>,
        via_link: bool,
    },
    /// A message of another server's type, sent through a mis-typed address: the server
    /// stops with this reason, failing the call at once if it is one.
    Misfit(Box<Misfit<S::Reply>>),
    /// Only wakes the server to look at its doom.
    Wake,
    /// Publish what its recording tape holds, then complete.
    #[cfg_attr(loom, allow(dead_code))]
    Flush(Arc<ReplyLink<()>>),
    /// One of its timers came due: queued behind what had arrived by then, as OTP's timer
    /// message (it fires unless cancelled meanwhile).
    Timer(TimerId),
}

/// A message of another server's type: the reason it stops the server with, and the call
/// it fails at once if it is one.
pub(crate) struct Misfit<R> {
    pub(crate) reason: ExitReason,
    pub(crate) call: Option<ReplyTo<R>>,
}

/// Runs a function registered for a server's exit, catching its panic.
pub(crate) fn run_at_exit(at_exit: OnExit, reason: &ExitReason) {
    let _ = crate::guard::guarded(move || at_exit(reason));
}

impl<S: GenServer> Envelope<S> {
    /// Answers a message its mailbox refused (the server had exited, or its bounded
    /// mailbox was full): a call fails with `error` through its own reply link.
    pub(crate) fn fail(self, error: CallError) {
        if let Some(from) = self.into_call() {
            from.settle(Err(error));
        }
    }

    /// The token of a call, or of a misfit standing for one.
    fn into_call(self) -> Option<ReplyTo<S::Reply>> {
        match self {
            Envelope::Call { from, .. } => Some(from),
            Envelope::Misfit(misfit) => misfit.call,
            _ => None,
        }
    }

    /// Whether it counts against a bounded mailbox: a call, cast or info, or a misfit
    /// standing for one (rule 8).
    pub(crate) fn is_message(&self) -> bool {
        matches!(
            self,
            Envelope::Call { .. }
                | Envelope::Cast(..)
                | Envelope::Info(..)
                | Envelope::Misfit { .. }
        )
    }

    /// Answers a message the server will never handle because it exited.
    pub(crate) fn refuse(self, reason: &ExitReason) {
        match self {
            call @ (Envelope::Call { .. } | Envelope::Misfit(_)) => {
                call.fail(CallError::Exited(reason.clone()));
            }
            Envelope::Stop { done, .. } => {
                done.complete(Ok(()));
            }
            Envelope::Inspect(inspect) => inspect(Err(reason)),
            Envelope::OnExit(at_exit) => run_at_exit(at_exit, reason),
            Envelope::Flush(done) => {
                done.complete(Ok(()));
            }
            Envelope::Cast(..)
            | Envelope::Info(..)
            | Envelope::Down(_)
            | Envelope::Exit { .. }
            | Envelope::Timer(_)
            | Envelope::Wake => {}
        }
    }

    /// What a recording notes of it: its sender and kind; `None` for what the runtime sends
    /// itself (stops, inspections) and misfits.
    pub(crate) fn input(&self) -> Option<Input> {
        Some(match self {
            Envelope::Call { from, .. } => Input::Call {
                from: from.caller(),
            },
            Envelope::Cast(_, from) => Input::Cast { from: *from },
            Envelope::Info(_, from) => Input::Info { from: *from },
            Envelope::Down(down) => Input::Down { from: down.process },
            Envelope::Exit { signal, .. } => Input::Exit { from: signal.from },
            Envelope::Timer(timer) => Input::Timer(*timer),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Envelope;
    use crate::{CallResult, Ctx, ExitReason, GenServer, ReplyTo};

    /// A server whose casts are plain numbers.
    struct Counter;

    impl GenServer for Counter {
        type Args = ();
        type Call = ();
        type Reply = u64;
        type Cast = u64;
        type Info = ();
        type Continue = ();

        fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
            Ok(Counter)
        }

        fn handle_call(&mut self, _: (), _: ReplyTo<u64>, _: &mut Ctx<Self>) -> CallResult<u64> {
            CallResult::Reply(0)
        }
    }

    /// Every message crosses cores in its envelope: the runtime's own variants (stops,
    /// signals, misfits) are boxed, so a small cast travels in 24 bytes, not 56.
    #[test]
    fn a_small_cast_travels_in_a_small_envelope() {
        assert!(std::mem::size_of::<Envelope<Counter>>() <= 24);
    }
}
