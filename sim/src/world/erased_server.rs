//! The erased interface through which the world drives servers of any type.

use std::any::Any;
use std::fmt::{self, Write};
use std::hash::Hasher;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use genserver::engine::{Command, Status};
use genserver::{
    AnyMessage, CallTag, Down, ExitReason, ExitSignal, ProcessId, StartError, TimerId,
};

use crate::world::envelope::CallOutcome;
use crate::world::fork::Cloners;
use crate::world::reply_cells::ReplyCell;

/// Something a server's callback asked the world to do, in the order asked: a command of
/// the core's process machine, or a reply to deliver (the server holds it:
/// `SimServer::settle` delivers it into its call's reply cell).
pub(crate) enum Action {
    Command(Command),
    Settle,
}

/// Hashes a server's state, handed over as `&dyn Any` (see `World::hash_state`).
pub(crate) type StateHasher = Rc<dyn Fn(&dyn Any, &mut dyn Hasher)>;

/// Feeds a rendered value to a hasher, closed so that concatenations stay apart.
pub(crate) fn hash_text(hasher: &mut dyn Hasher, text: &str) {
    hasher.write(text.as_bytes());
    hasher.write_u8(0xff);
}

/// Feeds rendered text to a hasher exactly as [`hash_text`] does (a fingerprint's hasher
/// takes bytes as one stream, however they are split), without building the string.
pub(crate) fn hash_fmt(hasher: &mut dyn Hasher, args: fmt::Arguments<'_>) {
    struct Feed<'a>(&'a mut dyn Hasher);
    impl fmt::Write for Feed<'_> {
        fn write_str(&mut self, text: &str) -> fmt::Result {
            self.0.write(text.as_bytes());
            Ok(())
        }
    }
    Feed(hasher)
        .write_fmt(args)
        .expect("a Display implementation returned an error unexpectedly");
    hasher.write_u8(0xff);
}

/// The actions of one activation and where it left the server.
pub(crate) struct Output {
    pub actions: Vec<Action>,
    pub status: Status,
}

/// A server of some `GenServer` type, as the world sees it.
pub(crate) trait SimServer {
    /// Takes back an emptied list of actions, to hand out the next ones in.
    fn recycle(&mut self, actions: Vec<Action>);
    /// Runs `init` (again, after a crash); the error is why it refused or panicked.
    fn start(&mut self) -> Result<Output, ExitReason>;
    /// Handles a call from `caller`; its reply token answers into `cell`.
    fn call(
        &mut self,
        caller: ProcessId,
        tag: CallTag,
        request: AnyMessage,
        cell: Arc<ReplyCell>,
    ) -> Output;
    /// Handles a cast.
    fn cast(&mut self, msg: AnyMessage) -> Output;
    /// Handles an info message.
    fn info(&mut self, msg: AnyMessage) -> Output;
    /// Resumes after the outcome of its own call.
    fn outcome(&mut self, outcome: CallOutcome) -> Output;
    /// Resumes after the outcome of a child start.
    fn started(&mut self, outcome: Result<ProcessId, StartError>) -> Output;
    /// Handles a monitor's `Down`.
    fn down(&mut self, down: Down) -> Output;
    /// Handles an exit signal while trapping exits.
    fn exit_signal(&mut self, signal: ExitSignal) -> Output;
    /// Sets the virtual time the next callbacks see in `Ctx::now`.
    fn set_clock(&mut self, now: Duration);
    /// Fires one of its timers (ignored if cancelled).
    fn fire(&mut self, timer: TimerId) -> Output;
    /// Runs its next `handle_continue`.
    fn run_continue(&mut self) -> Output;
    /// Whether a continuation is queued.
    fn has_continue(&self) -> bool;
    /// The next continuation's value, rendered, if one is queued.
    fn next_continue(&self) -> Option<String>;
    /// The rendered message of a timer, if it is still set.
    fn timer_message(&self, timer: TimerId) -> Option<String>;
    /// Delivers the reply of the next `Action::Settle` (into its call's reply cell).
    fn settle(&mut self);
    /// Stops: runs `terminate` if asked; returns a `Settle` for each reply still to deliver
    /// (a final reply, calls failed with the reason, the state to drop). Replies handed out
    /// earlier and not yet delivered fail with the reason.
    fn exit(&mut self, reason: &ExitReason, terminate: bool) -> Vec<Action>;
    /// The state, for invariants, while the server lives.
    fn state(&self) -> Option<&dyn Any>;
    /// Starts keeping the history `fingerprint` hashes (only exhaustive search needs it).
    fn keep_history(&mut self);
    /// Lets `fingerprint` hash the state itself instead of the server's history.
    fn set_state_hasher(&mut self, hasher: StateHasher);
    /// Feeds everything that decides the server's future to `hasher`: its state (or, if
    /// the state cannot be hashed, everything it was handed since it started), queued
    /// continuations, timers, effects still to apply, calls it holds.
    /// With `tagless`, call numbers are left out of what is hashed.
    fn fingerprint(&self, hasher: &mut dyn Hasher, tagless: bool);
    /// A copy, if `cloners` knows how to copy servers of its type and it is between
    /// callbacks' work (see `genserver::engine::Process::fork`). Call it inside
    /// `genserver::engine::forking`.
    fn fork(&self, cloners: &Cloners) -> Option<Box<dyn SimServer>>;
    /// The server's type (`S`), for [`Cloners`].
    fn server_type(&self) -> std::any::TypeId;
}

/// Renders a message with user `Debug` code: a panic in it becomes the rendered text.
pub(crate) use genserver::engine::render;

/// Room for a typical trace line ("deliver reply Pop #3 stack → popper: Ok(Some(12))"):
/// `format!` and `to_string` start smaller and regrow two or three times per line.
pub(crate) const LINE: usize = 64;

/// `format!` into a string with room for a typical trace line.
pub(crate) fn line(args: fmt::Arguments<'_>) -> String {
    let mut text = String::with_capacity(LINE);
    text.write_fmt(args).expect(
        "a formatting trait implementation returned an error when the underlying stream did not",
    );
    text
}

/// `to_string` into a string with room for a typical trace line.
pub(crate) fn line_of(value: &impl fmt::Display) -> String {
    let mut text = String::with_capacity(LINE);
    write!(text, "{value}").expect("a Display implementation returned an error unexpectedly");
    text
}

/// Runs user code, catching a panic and returning its text (the core's guard, which the
/// panic hook below recognises).
pub(crate) use genserver::engine::guarded;

/// Installs a panic hook that stays silent for panics in simulated handlers and clients
/// (they are reported as failures) and keeps the previous hook for every other panic.
pub fn silence_handler_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !genserver::engine::in_user_code() {
            previous(info);
        }
    }));
}
