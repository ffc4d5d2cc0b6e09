//! A typed server inside the world: its state, its `Ctx`, and the effects still to apply.

use std::any::Any;
use std::collections::{BTreeMap, VecDeque};
use std::fmt::Debug;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::Duration;

use genserver::{
    AnyMessage, CallError, CallResult, CallTag, Ctx, Down, Effect, ExitReason, ExitSignal,
    GenServer, OnOutcome, OnStarted, ProcessId, ReplyTo, StartError, TimerId, WeakReplyTo,
    downcast, engine::misfit,
};

use crate::scheduler::labels::without_numbers;
use crate::world::envelope::CallOutcome;
use crate::world::erased_server::{
    Action, Output, SimServer, StateHasher, Status, guarded, hash_text,
};
use crate::world::reply_sinks::{SharedMailroom, SimSink, lock};

/// One item of a callback's work: an effect, or the answer `handle_call` returned.
enum Item<S: GenServer> {
    Effect(Effect<S>),
    Answer(ReplyTo<S::Reply>, CallResult<S::Reply>),
}

/// Everything a running server keeps.
struct Live<S: GenServer> {
    state: S,
    ctx: Ctx<S>,
    /// Effects not yet applied, innermost callback last (a call blocks in the middle).
    frames: Vec<VecDeque<Item<S>>>,
    on_outcome: Option<OnOutcome<S>>,
    on_started: Option<OnStarted<S>>,
    timers: BTreeMap<TimerId, S::Info>,
    continues: VecDeque<S::Continue>,
    deferred: Vec<WeakReplyTo<S::Reply>>,
    stopping: Option<ExitReason>,
    /// A callback panicked: nothing more is carried out, not even the outer frames.
    panicked: bool,
    final_reply: Option<(ReplyTo<S::Reply>, S::Reply)>,
}

/// Where a server's `init` arguments come from.
pub(crate) enum Args<S: GenServer> {
    /// Made afresh for every start (servers of the system, restarted by a fault).
    Make(Box<dyn Fn() -> S::Args>),
    /// Given once (a child a server started: a restart is a new child).
    Once(Option<S::Args>),
}

/// A server of type `S` and how to (re)start it.
pub(crate) struct Slot<S: GenServer> {
    id: ProcessId,
    args: Args<S>,
    /// The virtual time callbacks see in `Ctx::now`.
    clock: Duration,
    mailroom: SharedMailroom,
    live: Option<Live<S>>,
    /// Hashes the state, if the system opted in.
    hasher: Option<StateHasher>,
    /// A hash of everything handed to the server since it (re)started, if kept.
    history: Option<u64>,
}

impl<S: GenServer> Slot<S> {
    /// A server not yet started.
    pub fn new(id: ProcessId, args: Args<S>, mailroom: SharedMailroom) -> Self {
        Slot {
            id,
            args,
            clock: Duration::ZERO,
            mailroom,
            live: None,
            hasher: None,
            history: None,
        }
    }

    /// Folds one input into the server's history.
    fn remember(&mut self, input: impl Debug) {
        if let Some(history) = &mut self.history {
            let mut hasher = DefaultHasher::new();
            history.hash(&mut hasher);
            format!("{input:?}").hash(&mut hasher);
            *history = hasher.finish();
        }
    }

    fn live(&mut self) -> &mut Live<S> {
        self.live
            .as_mut()
            .expect("the world only drives live servers")
    }

    /// Runs one callback; its effects become the innermost frame. `None` if it panicked.
    fn invoke<T>(
        &mut self,
        callback: &str,
        body: impl FnOnce(&mut S, &mut Ctx<S>) -> T,
    ) -> Option<T> {
        let clock = self.clock;
        let live = self.live();
        live.ctx.set_now(clock);
        let (state, ctx) = (&mut live.state, &mut live.ctx);
        let result = guarded(|| body(state, ctx));
        let effects = live.ctx.take_effects();
        match result {
            Ok(value) => {
                live.frames
                    .push(effects.into_iter().map(Item::Effect).collect());
                Some(value)
            }
            Err(text) => {
                drop(effects);
                live.stopping = Some(ExitReason::Panic(format!("{callback}: {text}")));
                live.panicked = true;
                None
            }
        }
    }

    /// Applies effects until a call blocks or nothing is left.
    fn pump(&mut self) -> Output {
        let mut actions = Vec::new();
        loop {
            self.collect_posted(&mut actions);
            let live = self.live();
            // After a panic the frames stay as they are: `exit` fails their answers.
            let frame = match live.panicked {
                true => None,
                false => live.frames.last_mut(),
            };
            let Some(frame) = frame else {
                let status = match live.stopping.clone() {
                    Some(reason) => Status::Exit(reason),
                    None => Status::Idle,
                };
                return Output { actions, status };
            };
            let Some(item) = frame.pop_front() else {
                live.frames.pop();
                continue;
            };
            match item {
                Item::Answer(token, CallResult::Reply(reply)) if live.stopping.is_some() => {
                    live.final_reply = Some((token, reply));
                }
                Item::Answer(token, CallResult::Reply(reply)) => {
                    token.reply(reply);
                }
                Item::Answer(token, CallResult::NoReply) => {
                    live.deferred.retain(|weak| weak.upgrade().is_some());
                    live.deferred.push(token.downgrade());
                }
                Item::Effect(effect) => match effect {
                    Effect::Reply { send, .. } => {
                        send();
                    }
                    Effect::Cast { to, msg } => actions.push(Action::Cast { to, msg }),
                    Effect::Info { to, msg } => actions.push(Action::Info { to, msg }),
                    Effect::Call {
                        to,
                        request,
                        timeout,
                        on_outcome,
                    } => {
                        live.on_outcome = Some(on_outcome);
                        self.collect_posted(&mut actions);
                        let status = Status::Call {
                            to,
                            request,
                            timeout,
                        };
                        return Output { actions, status };
                    }
                    Effect::SetTimer { id, after, msg } => {
                        live.timers.insert(id, msg);
                        actions.push(Action::SetTimer { id, after });
                    }
                    Effect::CancelTimer(id) => {
                        live.timers.remove(&id);
                        actions.push(Action::CancelTimer(id));
                    }
                    Effect::Continue(value) => live.continues.push_back(value),
                    Effect::Stop(reason) => {
                        live.stopping.get_or_insert(reason);
                    }
                    Effect::Monitor { monitor, target } => {
                        actions.push(Action::Monitor { monitor, target })
                    }
                    Effect::Demonitor(monitor) => actions.push(Action::Demonitor(monitor)),
                    Effect::Link(to) => actions.push(Action::Link(to)),
                    Effect::Unlink(to) => actions.push(Action::Unlink(to)),
                    Effect::TrapExits(on) => actions.push(Action::TrapExits(on)),
                    Effect::Exit { to, reason } => actions.push(Action::Exit { to, reason }),
                    Effect::Kill(to) => actions.push(Action::Kill(to)),
                    Effect::Start {
                        start,
                        options,
                        on_started,
                    } => {
                        live.on_started = Some(on_started);
                        self.collect_posted(&mut actions);
                        let status = Status::Start { start, options };
                        return Output { actions, status };
                    }
                },
            }
        }
    }

    /// Moves outcomes that reply tokens delivered into the action list, keeping the order.
    fn collect_posted(&self, actions: &mut Vec<Action>) {
        let mut mailroom = lock(&self.mailroom);
        // Mostly nothing was posted: then there is no list to take and walk.
        if mailroom.has_posted() {
            actions.extend(mailroom.take_posted().into_iter().map(Action::Posted));
        }
    }

    fn handle_erased<T: 'static>(
        &mut self,
        msg: AnyMessage,
        callback: &str,
        handle: impl FnOnce(&mut S, T, &mut Ctx<S>),
    ) -> Output {
        match downcast::<T>(msg) {
            Ok(msg) => {
                self.invoke(callback, |s, ctx| handle(s, msg, ctx));
            }
            Err(msg) => self.live().stopping = Some(misfit(callback, &msg)),
        }
        self.pump()
    }
}

impl<S: GenServer> SimServer for Slot<S> {
    fn start(&mut self) -> Result<Output, ExitReason> {
        if self.history.is_some() {
            self.history = Some(0);
        }
        let mut ctx = Ctx::new(self.id);
        ctx.set_now(self.clock);
        let args = match &mut self.args {
            Args::Make(make) => match guarded(make) {
                Ok(args) => args,
                Err(text) => return Err(ExitReason::Panic(format!("init arguments: {text}"))),
            },
            Args::Once(args) => args.take().ok_or_else(|| {
                ExitReason::error("a child started by a server cannot be restarted in place")
            })?,
        };
        let state = match guarded(|| S::init(args, &mut ctx)) {
            Ok(Ok(state)) => state,
            Ok(Err(reason)) => return Err(reason),
            Err(text) => return Err(ExitReason::Panic(format!("init: {text}"))),
        };
        let effects = ctx.take_effects();
        self.live = Some(Live {
            state,
            ctx,
            frames: vec![effects.into_iter().map(Item::Effect).collect()],
            on_outcome: None,
            on_started: None,
            timers: BTreeMap::new(),
            continues: VecDeque::new(),
            deferred: Vec::new(),
            stopping: None,
            panicked: false,
            final_reply: None,
        });
        Ok(self.pump())
    }

    fn call(&mut self, caller: ProcessId, tag: CallTag, request: AnyMessage) -> Output {
        self.remember(("call", caller, &request));
        let request = match downcast::<S::Call>(request) {
            Ok(request) => request,
            Err(other) => {
                let reason = misfit("handle_call", &other);
                self.live().stopping = Some(reason.clone());
                // The caller learns at once instead of waiting for its timeout.
                let sink = SimSink::new(caller, tag, self.mailroom.clone());
                ReplyTo::<S::Reply>::new(caller, tag, Box::new(sink))
                    .fail(CallError::Exited(reason));
                return self.pump();
            }
        };
        let sink = SimSink::new(caller, tag, self.mailroom.clone());
        let token = ReplyTo::new(caller, tag, Box::new(sink));
        let keep = token.clone();
        match self.invoke("handle_call", |s, ctx| s.handle_call(request, token, ctx)) {
            Some(answer) => {
                let frame = self
                    .live()
                    .frames
                    .last_mut()
                    .expect("invoke pushed a frame");
                frame.push_back(Item::Answer(keep, answer));
            }
            None => {
                let reason = self
                    .live()
                    .stopping
                    .clone()
                    .expect("a panic sets the reason");
                keep.fail(CallError::Exited(reason));
            }
        }
        self.pump()
    }

    fn cast(&mut self, msg: AnyMessage) -> Output {
        self.remember(("cast", &msg));
        self.handle_erased::<S::Cast>(msg, "handle_cast", |s, m, ctx| s.handle_cast(m, ctx))
    }

    fn info(&mut self, msg: AnyMessage) -> Output {
        self.remember(("info", &msg));
        self.handle_erased::<S::Info>(msg, "handle_info", |s, m, ctx| s.handle_info(m, ctx))
    }

    fn outcome(&mut self, outcome: CallOutcome) -> Output {
        self.remember(("outcome", &outcome));
        let on_outcome = self.live().on_outcome.take().expect("a call was pending");
        self.invoke("handle_info", move |s, ctx| {
            s.handle_info(on_outcome(outcome), ctx)
        });
        self.pump()
    }

    fn started(&mut self, outcome: Result<ProcessId, StartError>) -> Output {
        self.remember(("started", &outcome));
        let on_started = self
            .live()
            .on_started
            .take()
            .expect("a start was under way");
        self.invoke("handle_info", move |s, ctx| {
            s.handle_info(on_started(outcome), ctx)
        });
        self.pump()
    }

    fn down(&mut self, down: Down) -> Output {
        self.remember(("down", &down));
        self.invoke("handle_down", |s, ctx| s.handle_down(down, ctx));
        self.pump()
    }

    fn exit_signal(&mut self, signal: ExitSignal) -> Output {
        self.remember(("exit", &signal));
        self.invoke("handle_exit", |s, ctx| s.handle_exit(signal, ctx));
        self.pump()
    }

    fn set_clock(&mut self, now: Duration) {
        self.clock = now;
    }

    fn fire(&mut self, timer: TimerId) -> Output {
        self.remember(("timer", timer.0));
        if let Some(msg) = self.live().timers.remove(&timer) {
            self.invoke("handle_info", |s, ctx| s.handle_info(msg, ctx));
        }
        self.pump()
    }

    fn run_continue(&mut self) -> Output {
        self.remember("continue");
        if let Some(value) = self.live().continues.pop_front() {
            self.invoke("handle_continue", |s, ctx| s.handle_continue(value, ctx));
        }
        self.pump()
    }

    fn has_continue(&self) -> bool {
        self.live
            .as_ref()
            .is_some_and(|live| !live.continues.is_empty())
    }

    fn next_continue(&self) -> Option<String> {
        let live = self.live.as_ref()?;
        live.continues.front().map(|value| format!("{value:?}"))
    }

    fn timer_message(&self, timer: TimerId) -> Option<String> {
        let live = self.live.as_ref()?;
        live.timers.get(&timer).map(|msg| format!("{msg:?}"))
    }

    fn exit(&mut self, reason: &ExitReason, terminate: bool) -> Vec<Action> {
        let mut actions = Vec::new();
        let Some(mut live) = self.live.take() else {
            return actions;
        };
        if terminate {
            let state = &mut live.state;
            let _ = guarded(|| state.terminate(reason));
        }
        if let Some((token, reply)) = live.final_reply.take() {
            if live.panicked {
                token.fail(CallError::Exited(reason.clone()));
            } else {
                token.reply(reply);
            }
        }
        let answers = live.frames.iter().flatten().filter_map(|item| match item {
            Item::Answer(token, _) => Some(token.downgrade()),
            Item::Effect(_) => None,
        });
        let open: Vec<_> = live
            .deferred
            .drain(..)
            .chain(answers.collect::<Vec<_>>())
            .collect();
        for weak in open {
            if let Some(token) = weak.upgrade() {
                token.fail(CallError::Exited(reason.clone()));
            }
        }
        let _ = guarded(move || drop(live));
        self.collect_posted(&mut actions);
        actions
    }

    fn state(&self) -> Option<&dyn Any> {
        self.live.as_ref().map(|live| &live.state as &dyn Any)
    }

    fn keep_history(&mut self) {
        self.history.get_or_insert(0);
    }

    fn set_state_hasher(&mut self, hasher: StateHasher) {
        self.hasher = Some(hasher);
    }

    fn fingerprint(&self, hasher: &mut dyn Hasher, tagless: bool) {
        let tags = |t: String| if tagless { without_numbers(&t) } else { t };
        let Some(live) = &self.live else {
            return hasher.write_u8(0);
        };
        hasher.write_u8(1);
        match &self.hasher {
            Some(hash) => hash(&live.state, hasher),
            None => hasher.write_u64(self.history.unwrap_or_default()),
        }
        for value in &live.continues {
            hash_text(hasher, &format!("continue {value:?}"));
        }
        for (id, msg) in &live.timers {
            hash_text(hasher, &format!("timer {} {msg:?}", id.0));
        }
        for item in live.frames.iter().flatten() {
            let text = match item {
                Item::Effect(effect) => format!("{effect:?}"),
                Item::Answer(token, answer) => format!("answer #{} {answer:?}", token.tag().0),
            };
            hash_text(hasher, &tags(text));
        }
        let open = live.deferred.iter().filter(|w| w.upgrade().is_some());
        hasher.write_usize(open.count());
        hasher.write_u8(u8::from(live.on_outcome.is_some()));
        hasher.write_u8(u8::from(live.on_started.is_some()));
        hash_text(hasher, &format!("{:?}", live.stopping));
        hasher.write_u8(u8::from(live.final_reply.is_some()));
    }
}
