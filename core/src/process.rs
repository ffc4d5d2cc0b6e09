//! The process machine: one gen_server process as a pure state machine, with no threads and
//! no clock of its own. Both engines drive it.
//!
//! [`Process`] takes one input at a time (a call with its reply token, a cast, an info
//! message, the outcome of its own call or child start, a `Down`, a trapped exit signal, a
//! timer, a continuation), runs the callback, and [`Process::pump`] then hands back what the
//! callback asked of the world ([`Command`]s and replies to settle, in the order recorded) and
//! where the process stands ([`Status`]): idle, blocked in a call of its own, starting a
//! child, or stopping. Everything a process keeps for itself is here: its state, timers'
//! messages, continuations, deferred replies, a reply given with a stop, and what to fail
//! when it exits ([rule 1](crate::rules#rule-1-an-exit-is-seen-after-it-is-complete)).
//! What the world does with the commands (links, monitors, names: the
//! [kernel](crate::engine::Kernel)) and when inputs arrive belong to the engine.

mod fork;
mod output;

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::hash::Hasher;
use std::time::Duration;

pub use output::{Action, Command, Output, Settle, Status};

use crate::guard::guarded;
use crate::reply::WeakReplyTo;
use crate::{
    AnyMessage, CallError, CallResult, Ctx, Down, Effect, ExitReason, ExitSignal, GenServer,
    OnOutcome, OnStarted, ProcessId, ReplyTo, StartError, TimerId,
};

/// How many emptied frames a process keeps for reuse (calls nest no deeper, mostly).
const SPARE: usize = 4;

/// One item of a callback's work: an effect, or the answer `handle_call` returned.
enum Item<S: GenServer> {
    Effect(Effect<S>),
    Answer(ReplyTo<S::Reply>, CallResult<S::Reply>),
}

/// A live gen_server process of type `S`.
pub struct Process<S: GenServer> {
    state: S,
    ctx: Ctx<S>,
    /// Work not yet handed out, innermost callback last (a call blocks in the middle).
    frames: Vec<VecDeque<Item<S>>>,
    /// Emptied frames, kept to be reused (a callback's work allocates nothing then).
    spare: Vec<VecDeque<Item<S>>>,
    on_outcome: Option<OnOutcome<S>>,
    on_started: Option<OnStarted<S>>,
    timers: BTreeMap<TimerId, S::Info>,
    continues: VecDeque<S::Continue>,
    /// Calls answered "later": failed with the exit reason if still open at exit.
    deferred: Vec<WeakReplyTo<S::Reply>>,
    prune_at: usize,
    stopping: Option<ExitReason>,
    /// A callback panicked or the process was doomed: nothing more is carried out, not
    /// even the outer frames.
    halted: bool,
    /// A reply given together with a stop: sent after `terminate`, as in OTP.
    final_reply: Option<(ReplyTo<S::Reply>, S::Reply)>,
    /// Calls whose handling crashed, or whose answers were never handed out: failed with
    /// the exit reason after `terminate`.
    unanswered: Vec<ReplyTo<S::Reply>>,
}

impl<S: GenServer> Process<S> {
    /// Runs `init`; its effects wait for the first [`Process::pump`] (an engine may first
    /// register the process, see [`Process::trap_asked`]). The error is why `init` refused,
    /// or its panic.
    pub fn init(args: S::Args, mut ctx: Ctx<S>) -> Result<Self, ExitReason> {
        let state = match guarded(|| S::init(args, &mut ctx)) {
            Ok(Ok(state)) => state,
            Ok(Err(reason)) => return Err(reason),
            Err(text) => return Err(ExitReason::Panic(format!("init: {text}"))),
        };
        let effects = ctx.take_effects();
        Ok(Process {
            state,
            ctx,
            frames: vec![effects.into_iter().map(Item::Effect).collect()],
            spare: Vec::new(),
            on_outcome: None,
            on_started: None,
            timers: BTreeMap::new(),
            continues: VecDeque::new(),
            deferred: Vec::new(),
            prune_at: 64,
            stopping: None,
            halted: false,
            final_reply: None,
            unanswered: Vec::new(),
        })
    }

    /// Whether `init` asked to trap exits (its last such effect): in force from the moment
    /// others can reach the process, as OTP's `process_flag` in `init`.
    pub fn trap_asked(&self) -> Option<bool> {
        let init = self.frames.first()?;
        init.iter().rev().find_map(|item| match item {
            Item::Effect(Effect::Command(Command::TrapExits(on))) => Some(*on),
            _ => None,
        })
    }

    /// The state.
    pub fn state(&self) -> &S {
        &self.state
    }

    /// The state, to change from outside the callbacks (the runtime's `Server::update`).
    pub fn state_mut(&mut self) -> &mut S {
        &mut self.state
    }

    /// Gives back the buffers kept for reuse between callbacks, when nothing is under way,
    /// and forgets the deferred calls answered since: an idle server then holds only its
    /// state and its open calls (an engine with many idle servers calls this before
    /// waiting; the next callback allocates them again).
    pub fn trim(&mut self) {
        self.deferred.retain(WeakReplyTo::is_live);
        if self.deferred.is_empty() {
            self.deferred = Vec::new();
        }
        if self.frames.is_empty() && self.ctx.effects().is_empty() {
            self.frames = Vec::new();
            self.spare = Vec::new();
            drop(self.ctx.take_effects());
        }
    }

    /// Sets the time the next callbacks see in [`Ctx::now`] (the simulator's virtual time).
    pub fn set_now(&mut self, now: Duration) {
        self.ctx.set_now(now);
    }

    /// Handles a call; `token` answers it.
    pub fn call(&mut self, request: S::Call, token: ReplyTo<S::Reply>) {
        if let Some((token, reply)) = self.call_at_once(request, token) {
            self.answer_later(token, CallResult::Reply(reply), false);
        }
    }

    /// Handles a call as [`Process::call`] does, except when its reply is all the work
    /// there is (the process was settled, and the handler replied and recorded nothing):
    /// then the reply comes back, to be delivered at once, as the next pump would have
    /// handed it out (an engine that is doomed meanwhile [`abandon`](Process::abandon)s it
    /// instead).
    #[must_use = "the reply is the caller's: deliver it (or abandon it)"]
    pub fn call_at_once(
        &mut self,
        request: S::Call,
        token: ReplyTo<S::Reply>,
    ) -> Option<(ReplyTo<S::Reply>, S::Reply)> {
        let settled = self.is_settled();
        let keep = token.clone();
        let frames = self.frames.len();
        match self.invoke("handle_call", |s, ctx| s.handle_call(request, token, ctx)) {
            Some(CallResult::Reply(reply)) if settled && self.is_settled() => {
                return Some((keep, reply));
            }
            Some(answer) => {
                let pushed = self.frames.len() > frames;
                self.answer_later(keep, answer, pushed);
            }
            // Failed with the exit reason once `terminate` has run, as in OTP.
            None => self.unanswered.push(keep),
        }
        None
    }

    /// Handles a cast.
    pub fn cast(&mut self, msg: S::Cast) {
        self.invoke("handle_cast", |s, ctx| s.handle_cast(msg, ctx));
    }

    /// Handles an info message.
    pub fn info(&mut self, msg: S::Info) {
        self.invoke("handle_info", |s, ctx| s.handle_info(msg, ctx));
    }

    /// Resumes with the outcome of its own call (after [`Status::Call`]).
    pub fn outcome(&mut self, outcome: Result<AnyMessage, CallError>) {
        if let Some(on_outcome) = self.on_outcome.take() {
            self.invoke("handle_info", move |s, ctx| {
                s.handle_info(on_outcome(outcome), ctx)
            });
        }
    }

    /// Resumes with the outcome of a child start (after [`Status::Start`]).
    pub fn started(&mut self, outcome: Result<ProcessId, StartError>) {
        if let Some(on_started) = self.on_started.take() {
            self.invoke("handle_info", move |s, ctx| {
                s.handle_info(on_started(outcome), ctx)
            });
        }
    }

    /// Handles a monitor's `Down`.
    pub fn down(&mut self, down: Down) {
        self.invoke("handle_down", |s, ctx| s.handle_down(down, ctx));
    }

    /// Handles an exit signal it traps.
    pub fn exit_signal(&mut self, signal: ExitSignal) {
        self.invoke("handle_exit", |s, ctx| s.handle_exit(signal, ctx));
    }

    /// Whether timer `timer` is set (not fired, not cancelled).
    pub fn is_set(&self, timer: TimerId) -> bool {
        self.timers.contains_key(&timer)
    }

    /// Fires timer `timer`; `false` if it was cancelled (or never set).
    pub fn fire(&mut self, timer: TimerId) -> bool {
        let Some(msg) = self.timers.remove(&timer) else {
            return false;
        };
        self.invoke("handle_info", |s, ctx| s.handle_info(msg, ctx));
        true
    }

    /// Runs the next `handle_continue`; `false` if none is queued.
    pub fn run_continue(&mut self) -> bool {
        let Some(value) = self.continues.pop_front() else {
            return false;
        };
        self.invoke("handle_continue", |s, ctx| s.handle_continue(value, ctx));
        true
    }

    /// Whether a pump would hand out nothing and say idle: no work left from the callbacks,
    /// not halted, not stopping (an engine may skip the pump then).
    pub fn is_settled(&self) -> bool {
        self.frames.is_empty() && !self.halted && self.stopping.is_none()
    }

    /// Whether a continuation is queued (it runs before the next message).
    pub fn has_continue(&self) -> bool {
        !self.continues.is_empty()
    }

    /// The next continuation's value, rendered.
    pub fn next_continue(&self) -> Option<String> {
        (self.continues.front()).map(|value| format!("{value:?}"))
    }

    /// The rendered message of a timer still set.
    pub fn timer_message(&self, timer: TimerId) -> Option<String> {
        self.timers.get(&timer).map(|msg| format!("{msg:?}"))
    }

    /// Asked from outside to stop with `reason` (a stop request; the process's own stop
    /// reason, if it has one, wins).
    pub fn stop(&mut self, reason: ExitReason) {
        self.stopping.get_or_insert(reason);
    }

    /// Stops with `reason` at once, carrying out nothing more: a kill, an untrapped exit
    /// signal, a message of the wrong type.
    pub fn halt(&mut self, reason: ExitReason) {
        self.stopping = Some(reason);
        self.halted = true;
    }

    /// Takes back actions an engine will not carry out (it was doomed half-way): answers
    /// among them fail with the exit reason at exit, as if never given.
    pub fn abandon(&mut self, actions: impl IntoIterator<Item = Action<S>>) {
        for action in actions {
            if let Action::Settle(Settle::Answer(token, _)) = action {
                self.unanswered.push(token);
            }
        }
    }

    /// Hands out the work of the callbacks that ran, until a call or a start blocks it or
    /// nothing is left; says where the process stands then.
    pub fn pump(&mut self) -> Output<S> {
        let mut actions = Vec::new();
        let status = self.pump_into(&mut actions);
        Output { actions, status }
    }

    /// [`Process::pump`], appending to `actions` (a buffer the engine keeps, or one on its
    /// stack).
    pub fn pump_into(&mut self, actions: &mut impl Extend<Action<S>>) -> Status {
        loop {
            let frame = match self.halted {
                true => None,
                false => self.frames.last_mut(),
            };
            let Some(frame) = frame else {
                return match self.stopping.clone() {
                    Some(reason) => Status::Exit(reason),
                    None => Status::Idle,
                };
            };
            let Some(item) = frame.pop_front() else {
                if let Some(empty) = self.frames.pop().filter(|_| self.spare.len() < SPARE) {
                    self.spare.push(empty);
                }
                continue;
            };
            let effect = match item {
                Item::Answer(token, CallResult::Reply(reply)) if self.stopping.is_some() => {
                    self.final_reply = Some((token, reply));
                    continue;
                }
                Item::Answer(token, CallResult::Reply(reply)) => {
                    actions.extend([Action::Settle(Settle::Answer(token, reply))]);
                    continue;
                }
                Item::Answer(token, CallResult::NoReply) => {
                    // Let go of: a `handle_call` that dropped its token fails the call now.
                    self.defer(&token);
                    continue;
                }
                Item::Effect(effect) => effect,
            };
            let command = match effect {
                Effect::Reply { send, .. } => {
                    actions.extend([Action::Settle(Settle::Recorded(send))]);
                    continue;
                }
                Effect::Call {
                    to,
                    request,
                    timeout,
                    on_outcome,
                } => {
                    self.on_outcome = Some(on_outcome);
                    return Status::Call {
                        to,
                        request,
                        timeout,
                    };
                }
                Effect::Start {
                    start,
                    options,
                    on_started,
                } => {
                    self.on_started = Some(on_started);
                    return Status::Start { start, options };
                }
                Effect::Continue(value) => {
                    self.continues.push_back(value);
                    continue;
                }
                Effect::Stop(reason) => {
                    self.stopping.get_or_insert(reason);
                    continue;
                }
                Effect::SetTimer { id, after, msg } => {
                    self.timers.insert(id, msg);
                    Command::SetTimer { id, after }
                }
                Effect::Command(command) => {
                    if let Command::CancelTimer(id) = &command {
                        self.timers.remove(id);
                    }
                    command
                }
            };
            actions.extend([Action::Command(command)]);
        }
    }

    /// The process exits with `reason` ([rule 1](crate::rules#rule-1-an-exit-is-seen-after-it-is-complete)):
    /// runs `terminate` (not after a kill), then returns what the engine settles once the
    /// process is gone: the calls it failed to answer, a reply given with the stop (failed
    /// instead if it was halted), its deferred calls and answers never handed out, failed
    /// with `reason`; last, the process itself to drop (a token it held and never answered
    /// fails its call with "no reply" then).
    pub fn exit(mut self, reason: &ExitReason, terminate: bool) -> Vec<Settle<S>> {
        if terminate {
            let state = &mut self.state;
            let _ = guarded(|| state.terminate(reason));
        }
        let failed = || CallError::Exited(reason.clone());
        let mut settles: Vec<Settle<S>> = (self.unanswered.drain(..))
            .map(|token| Settle::Fail(token, failed()))
            .collect();
        if let Some((token, reply)) = self.final_reply.take() {
            settles.push(match self.halted {
                true => Settle::Fail(token, failed()),
                false => Settle::Answer(token, reply),
            });
        }
        let deferred = self.deferred.drain(..).filter_map(|weak| weak.upgrade());
        let frames = std::mem::take(&mut self.frames);
        let answers = frames.into_iter().flatten().filter_map(|item| match item {
            Item::Answer(token, _) => Some(token),
            Item::Effect(_) => None,
        });
        let open: Vec<_> = deferred.chain(answers).collect();
        settles.extend(open.into_iter().map(|token| Settle::Fail(token, failed())));
        settles.push(Settle::Bury(Box::new(self)));
        settles
    }

    /// Feeds what decides this process's future, beyond its state, to `hasher`: queued
    /// continuations, timers, work not handed out (rendered by `work`, which may leave call
    /// numbers out), open calls, a pending call or start, its stop.
    pub fn fingerprint(&self, hasher: &mut dyn Hasher, work: &dyn Fn(String) -> String) {
        for value in &self.continues {
            hash_text(hasher, &format!("continue {value:?}"));
        }
        for (id, msg) in &self.timers {
            hash_text(hasher, &format!("timer {} {msg:?}", id.0));
        }
        for item in self.frames.iter().flatten() {
            let text = match item {
                Item::Effect(effect) => format!("{effect:?}"),
                Item::Answer(token, answer) => format!("answer #{} {answer:?}", token.tag().0),
            };
            hash_text(hasher, &work(text));
        }
        let open = self.deferred.iter().filter(|w| w.is_live());
        hasher.write_usize(open.count());
        hasher.write_u8(u8::from(self.on_outcome.is_some()));
        hasher.write_u8(u8::from(self.on_started.is_some()));
        hash_debug(hasher, &self.stopping);
        hasher.write_u8(u8::from(self.final_reply.is_some()));
    }

    /// Runs one callback; its effects become the innermost frame. `None` if it panicked:
    /// the process then stops with the panic and carries out nothing more.
    fn invoke<T>(
        &mut self,
        callback: &str,
        body: impl FnOnce(&mut S, &mut Ctx<S>) -> T,
    ) -> Option<T> {
        let (state, ctx) = (&mut self.state, &mut self.ctx);
        let result = guarded(|| body(state, ctx));
        match result {
            Ok(value) => {
                if !self.ctx.effects().is_empty() {
                    let mut frame = self.spare.pop().unwrap_or_default();
                    frame.extend(self.ctx.drain_effects().map(Item::Effect));
                    self.frames.push(frame);
                }
                Some(value)
            }
            Err(text) => {
                drop(self.ctx.drain_effects());
                self.halt(ExitReason::Panic(format!("{callback}: {text}")));
                None
            }
        }
    }

    /// Queues a call's answer for the next pump: behind the effects its callback recorded
    /// (`pushed`: they are the last frame), or as a frame of its own.
    fn answer_later(
        &mut self,
        token: ReplyTo<S::Reply>,
        answer: CallResult<S::Reply>,
        pushed: bool,
    ) {
        let answer = Item::Answer(token, answer);
        match self.frames.last_mut() {
            Some(frame) if pushed => frame.push_back(answer),
            _ => {
                let mut frame = self.spare.pop().unwrap_or_default();
                frame.push_back(answer);
                self.frames.push(frame);
            }
        }
    }

    fn defer(&mut self, token: &ReplyTo<S::Reply>) {
        self.deferred.push(token.downgrade());
        if self.deferred.len() >= self.prune_at {
            self.deferred.retain(WeakReplyTo::is_live);
            self.prune_at = (self.deferred.len() * 2).max(64);
        }
    }
}

/// Feeds rendered text to a hasher, closed so that concatenations stay apart.
fn hash_text(hasher: &mut dyn Hasher, text: &str) {
    hasher.write(text.as_bytes());
    hasher.write_u8(0xff);
}

/// Feeds `value`'s `Debug` text to a hasher as [`hash_text`] does, without building it.
fn hash_debug(hasher: &mut dyn Hasher, value: &dyn fmt::Debug) {
    struct Feed<'a>(&'a mut dyn Hasher);
    impl fmt::Write for Feed<'_> {
        fn write_str(&mut self, text: &str) -> fmt::Result {
            self.0.write(text.as_bytes());
            Ok(())
        }
    }
    // A `Debug` that fails writes what it wrote: the hash stays the same from run to run.
    let _ = fmt::Write::write_fmt(&mut Feed(hasher), format_args!("{value:?}"));
    hasher.write_u8(0xff);
}

#[cfg(all(test, not(loom)))]
#[path = "process_tests.rs"]
mod tests;
