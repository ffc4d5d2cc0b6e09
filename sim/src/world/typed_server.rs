//! A typed server inside the world: the core's process machine, how to (re)start it, and
//! the reply tokens it hands out, whose outcomes the world sends as messages.

use std::any::{Any, TypeId};
use std::collections::VecDeque;
use std::fmt::Debug;
use std::hash::Hasher;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use genserver::engine::{Process, Settle, misfit};
use genserver::{
    AnyMessage, CallError, CallTag, Ctx, Down, ExitReason, ExitSignal, GenServer, ProcessId,
    ReplyTo, StartError, TimerId, downcast,
};

use crate::scheduler::labels::without_numbers;
use crate::world::envelope::CallOutcome;
use crate::world::erased_server::{Action, Output, SimServer, StateHasher, guarded, hash_fmt};
use crate::world::fingerprint::hash_with;
use crate::world::fork::{Cloners, Copyable};
use crate::world::reply_cells::ReplyCell;

/// Where a server's `init` arguments come from.
pub(crate) enum Args<S: GenServer> {
    /// Made afresh for every start (servers of the system, restarted by a fault).
    Make(Rc<dyn Fn() -> S::Args>),
    /// Given once (a child a server started: a restart is a new child).
    Once(Option<S::Args>),
}

/// A server of type `S` and how to (re)start it.
pub(crate) struct Slot<S: GenServer> {
    id: ProcessId,
    args: Args<S>,
    /// The virtual time callbacks see in `Ctx::now`.
    clock: Duration,
    live: Option<Process<S>>,
    /// Replies handed out by the machine, each delivered when the world reaches its place.
    pending: VecDeque<Settle<S>>,
    /// The machine's output, kept to be reused.
    scratch: Vec<genserver::engine::Action<S>>,
    /// An empty list of actions the world gave back, for the next output.
    spare: Vec<Action>,
    /// Hashes the state, if the system opted in.
    hasher: Option<StateHasher>,
    /// A hash of everything handed to the server since it (re)started, if kept.
    history: Option<u64>,
}

impl<S: GenServer> Slot<S> {
    /// A server not yet started.
    pub fn new(id: ProcessId, args: Args<S>) -> Self {
        Slot {
            id,
            args,
            clock: Duration::ZERO,
            live: None,
            pending: VecDeque::new(),
            scratch: Vec::new(),
            spare: Vec::new(),
            hasher: None,
            history: None,
        }
    }

    /// Folds one input into the server's history.
    fn remember(&mut self, input: impl Debug) {
        // A server whose state is hashed is fingerprinted without its history.
        if self.hasher.is_some() {
            return;
        }
        if let Some(history) = &mut self.history {
            *history = hash_with(|h| {
                h.write_u64(*history);
                hash_fmt(h, format_args!("{input:?}"));
            });
        }
    }

    /// The live process, its clock set to the virtual time.
    fn live(&mut self) -> &mut Process<S> {
        let clock = self.clock;
        let live = (self.live.as_mut()).expect("the world only drives live servers");
        live.set_now(clock);
        live
    }

    /// Hands `msg` to the live process if it is of type `T`; else the process stops (a
    /// message of another server's type, [`misfit`]).
    fn typed<T: 'static>(
        &mut self,
        msg: AnyMessage,
        callback: &str,
        handle: impl FnOnce(&mut Process<S>, T),
    ) -> Output {
        match downcast::<T>(msg) {
            Ok(msg) => handle(self.live(), msg),
            Err(msg) => self.live().halt(misfit(callback, &msg)),
        }
        self.pump()
    }

    /// Hands out what the callbacks asked for, until a call or start blocks the server or
    /// nothing is left; replies wait in `pending` for the world to reach their place.
    fn pump(&mut self) -> Output {
        let mut actions = std::mem::take(&mut self.spare);
        let mut scratch = std::mem::take(&mut self.scratch);
        let status = self.live().pump_into(&mut scratch);
        for action in scratch.drain(..) {
            match action {
                genserver::engine::Action::Command(command) => {
                    actions.push(Action::Command(command))
                }
                genserver::engine::Action::Settle(settle) => {
                    self.pending.push_back(settle);
                    actions.push(Action::Settle);
                }
            }
        }
        self.scratch = scratch;
        Output { actions, status }
    }
}

impl<S: GenServer> SimServer for Slot<S> {
    fn recycle(&mut self, actions: Vec<Action>) {
        debug_assert!(actions.is_empty());
        self.spare = actions;
    }

    fn start(&mut self) -> Result<Output, ExitReason> {
        if self.history.is_some() {
            self.history = Some(0);
        }
        let mut ctx = Ctx::new(self.id);
        ctx.set_now(self.clock);
        let args = match &mut self.args {
            Args::Make(make) => match guarded(&**make) {
                Ok(args) => args,
                Err(text) => return Err(ExitReason::Panic(format!("init arguments: {text}"))),
            },
            Args::Once(args) => args.take().ok_or_else(|| {
                ExitReason::error("a child started by a server cannot be restarted in place")
            })?,
        };
        self.live = Some(Process::init(args, ctx)?);
        Ok(self.pump())
    }

    fn call(
        &mut self,
        caller: ProcessId,
        tag: CallTag,
        request: AnyMessage,
        cell: Arc<ReplyCell>,
    ) -> Output {
        self.remember(("call", caller, &request));
        let token = ReplyTo::new(caller, tag, cell);
        match downcast::<S::Call>(request) {
            Ok(request) => self.live().call(request, token),
            Err(other) => {
                let reason = misfit("handle_call", &other);
                // The caller learns at once instead of waiting for its timeout.
                token.fail(CallError::Exited(reason.clone()));
                self.live().halt(reason);
            }
        }
        self.pump()
    }

    fn cast(&mut self, msg: AnyMessage) -> Output {
        self.remember(("cast", &msg));
        self.typed::<S::Cast>(msg, "handle_cast", Process::cast)
    }

    fn info(&mut self, msg: AnyMessage) -> Output {
        self.remember(("info", &msg));
        self.typed::<S::Info>(msg, "handle_info", Process::info)
    }

    fn outcome(&mut self, outcome: CallOutcome) -> Output {
        self.remember(("outcome", &outcome));
        self.live().outcome(outcome);
        self.pump()
    }

    fn started(&mut self, outcome: Result<ProcessId, StartError>) -> Output {
        self.remember(("started", &outcome));
        self.live().started(outcome);
        self.pump()
    }

    fn down(&mut self, down: Down) -> Output {
        self.remember(("down", &down));
        self.live().down(down);
        self.pump()
    }

    fn exit_signal(&mut self, signal: ExitSignal) -> Output {
        self.remember(("exit", &signal));
        self.live().exit_signal(signal);
        self.pump()
    }

    fn set_clock(&mut self, now: Duration) {
        self.clock = now;
    }

    fn fire(&mut self, timer: TimerId) -> Output {
        self.remember(("timer", timer.0));
        self.live().fire(timer);
        self.pump()
    }

    fn run_continue(&mut self) -> Output {
        self.remember("continue");
        self.live().run_continue();
        self.pump()
    }

    fn has_continue(&self) -> bool {
        (self.live.as_ref()).is_some_and(|live| live.has_continue())
    }

    fn next_continue(&self) -> Option<String> {
        self.live.as_ref()?.next_continue()
    }

    fn timer_message(&self, timer: TimerId) -> Option<String> {
        self.live.as_ref()?.timer_message(timer)
    }

    fn settle(&mut self) {
        if let Some(settle) = self.pending.pop_front() {
            settle.deliver();
        }
    }

    fn exit(&mut self, reason: &ExitReason, terminate: bool) -> Vec<Action> {
        let Some(mut live) = self.live.take() else {
            return Vec::new();
        };
        let pending = self
            .pending
            .drain(..)
            .map(genserver::engine::Action::Settle);
        live.abandon(pending);
        let settles = live.exit(reason, terminate);
        let actions = settles.iter().map(|_| Action::Settle).collect();
        self.pending.extend(settles);
        actions
    }

    fn state(&self) -> Option<&dyn Any> {
        self.live.as_ref().map(|live| live.state() as &dyn Any)
    }

    fn keep_history(&mut self) {
        self.history.get_or_insert(0);
    }

    fn set_state_hasher(&mut self, hasher: StateHasher) {
        self.hasher = Some(hasher);
    }

    fn fingerprint(&self, hasher: &mut dyn Hasher, tagless: bool) {
        let Some(live) = &self.live else {
            return hasher.write_u8(0);
        };
        hasher.write_u8(1);
        match &self.hasher {
            Some(hash) => hash(live.state(), hasher),
            None => hasher.write_u64(self.history.unwrap_or_default()),
        }
        let work = |text: String| {
            if tagless {
                without_numbers(&text)
            } else {
                text
            }
        };
        live.fingerprint(hasher, &work);
    }

    fn server_type(&self) -> TypeId {
        TypeId::of::<S>()
    }

    fn fork(&self, cloners: &Cloners) -> Option<Box<dyn SimServer>> {
        let copier = cloners.server::<SlotCopier<S>>(TypeId::of::<S>())?;
        Some(Box::new(copier(self)?))
    }
}

/// How a server of type `S` is copied (`World::clone_state` registers one per type).
pub(crate) type SlotCopier<S> = fn(&Slot<S>) -> Option<Slot<S>>;

/// A copy of `slot` (for a [`SlotCopier`]): `None` while replies wait to be delivered, a
/// child's arguments wait to be used, or the process is in the middle of its work.
pub(crate) fn copy_slot<S: Copyable>(slot: &Slot<S>) -> Option<Slot<S>> {
    let args = match &slot.args {
        Args::Make(make) => Args::Make(Rc::clone(make)),
        Args::Once(None) => Args::Once(None),
        Args::Once(Some(_)) => return None,
    };
    let live = match &slot.live {
        Some(live) => Some(live.fork()?),
        None => None,
    };
    slot.pending.is_empty().then(|| Slot {
        id: slot.id,
        args,
        clock: slot.clock,
        live,
        pending: VecDeque::new(),
        scratch: Vec::new(),
        spare: Vec::new(),
        hasher: slot.hasher.clone(),
        history: slot.history,
    })
}
