//! The genserver trait: purely sequential callbacks.

use std::fmt::Debug;

use crate::{Ctx, Down, ExitReason, ExitSignal, ReplyTo};

/// What `handle_call` decided about the reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallResult<R> {
    /// Reply now with this value.
    Reply(R),
    /// Reply later through the [`ReplyTo`] token (from any callback, thread or process).
    NoReply,
}

/// A server written as sequential callbacks; engines run it concurrently.
///
/// The implementing type is the server's state. Callbacks change only that state and record
/// effects (reply, cast, call, send, timers, continue, stop) in the [`Ctx`]; they do no I/O
/// and read no clock, so the threaded runtime and the simulator run the same code.
/// Exhaustive search in the simulator can tell states apart by hashing them: a system opts a
/// server in with `World::hash_state`, which asks for `Hash` state; the runtime never does.
pub trait GenServer: Sized + Send + 'static {
    /// What `init` receives.
    type Args: Send + 'static;
    /// Call requests.
    type Call: Debug + Send + 'static;
    /// Call replies.
    type Reply: Debug + Send + 'static;
    /// Cast messages.
    type Cast: Debug + Send + 'static;
    /// Info messages: sends from other servers, timer firings, outcomes of this server's calls.
    type Info: Debug + Send + 'static;
    /// Values passed to `handle_continue` (use `()` if unused).
    type Continue: Debug + Send + 'static;

    /// Builds the initial state, or refuses to start with a reason.
    fn init(args: Self::Args, ctx: &mut Ctx<Self>) -> Result<Self, ExitReason>;

    /// Handles a call: reply now, or keep `from` and reply later.
    fn handle_call(
        &mut self,
        request: Self::Call,
        from: ReplyTo<Self::Reply>,
        ctx: &mut Ctx<Self>,
    ) -> CallResult<Self::Reply>;

    /// Handles a cast. The default ignores it.
    fn handle_cast(&mut self, msg: Self::Cast, ctx: &mut Ctx<Self>) {
        let _ = (msg, ctx);
    }

    /// Handles an info message. The default ignores it.
    fn handle_info(&mut self, msg: Self::Info, ctx: &mut Ctx<Self>) {
        let _ = (msg, ctx);
    }

    /// Handles a continuation asked for with [`Ctx::continue_with`]. The default ignores it.
    fn handle_continue(&mut self, value: Self::Continue, ctx: &mut Ctx<Self>) {
        let _ = (value, ctx);
    }

    /// Handles the `Down` of a process this server monitors. The default ignores it.
    fn handle_down(&mut self, down: Down, ctx: &mut Ctx<Self>) {
        let _ = (down, ctx);
    }

    /// Handles an exit signal while this server traps exits. The default ignores it.
    fn handle_exit(&mut self, signal: ExitSignal, ctx: &mut Ctx<Self>) {
        let _ = (signal, ctx);
    }

    /// Runs once when the server stops, whatever the reason (a panic, or an exit signal from a
    /// link or a supervisor, included), except an untrappable kill.
    fn terminate(&mut self, reason: &ExitReason) {
        let _ = reason;
    }
}
