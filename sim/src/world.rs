//! The world: servers, clients, queues, deadlines and checks of one simulated run.
//!
//! Its parts, one job each: `events` (what may happen next, and its label), `step` (carrying
//! out the chosen event), `effects` (what a server's callback produced: sends, timers,
//! exits), `calls` and `reply_cells` (calls in flight, and where each call's reply token
//! leaves its outcome for the world to send), `links` and `children` (the rules of
//! `genserver::rules`), `typed_server` and `erased_server` (a server of one type, and the
//! trait the world drives it by), `clients` (async clients and their requests), `envelope`,
//! `network` and `naming` (messages, their queues and their names), `faults`, `liveness`,
//! `fingerprint` (with `symmetry`: states equal up to interchangeable processes), `fork`
//! (copies of a world, for stateful search) and `spawner`.

pub(crate) mod calls;
pub(crate) mod children;
pub(crate) mod client_log;
pub(crate) mod clients;
pub(crate) mod effects;
pub(crate) mod envelope;
pub(crate) mod erased_server;
pub(crate) mod events;
pub(crate) mod faults;
pub(crate) mod fingerprint;
pub(crate) mod fork;
pub(crate) mod inputs;
pub(crate) mod links;
pub(crate) mod liveness;
pub(crate) mod naming;
pub(crate) mod network;
pub(crate) mod operations;
pub(crate) mod reply_cells;
pub(crate) mod sorted_map;
pub(crate) mod spares;
pub(crate) mod spawner;
pub(crate) mod step;
pub(crate) mod symmetry;
pub(crate) mod typed_server;

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::mem::take;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use genserver::{
    CallTag, ClientResult, Cx, GenServer, ProcessId, ServerRef, Stage, TimerId, engine::Kernel,
};
use genserver_traces::{Event, EventKind, Process, ProcessKind};

use crate::failure::Failure;
use crate::search::footprint::{Footprint, REGISTRY, Touch};
use crate::world::clients::ClientProc;
use crate::world::erased_server::{SimServer, render};
use crate::world::faults::{Faults, Restart};
use crate::world::fork::Cloners;
use crate::world::naming::Naming;
use crate::world::network::Network;
use crate::world::reply_cells::ReplyCell;
use crate::world::sorted_map::SortedMap;
use crate::world::spares::Spares;
use crate::world::typed_server::{Args, Slot};

/// A check over server states; the error text says what is wrong.
/// (Shared: a copy of the world for stateful search keeps the same checks.)
pub(crate) type StateCheck = Rc<dyn Fn(&View<'_>) -> Result<(), String>>;

/// What a check over server states returns: `bool` (`false`: it does not hold), or
/// `Result<(), String>` (the error says what is wrong).
pub trait Holds {
    /// `Ok(())` if the check holds, or what is wrong.
    fn holds(self) -> Result<(), String>;
}

impl Holds for bool {
    fn holds(self) -> Result<(), String> {
        match self {
            true => Ok(()),
            false => Err("does not hold".to_owned()),
        }
    }
}

impl Holds for Result<(), String> {
    fn holds(self) -> Result<(), String> {
        self
    }
}

/// What a deadline does when it is due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Deadline {
    /// A server's timer fires.
    Timer { server: ProcessId, timer: TimerId },
    /// A call gives up.
    Timeout { caller: ProcessId, tag: CallTag },
    /// A sleep of a client ends.
    Wake { client: ProcessId, ticket: u64 },
}

impl Deadline {
    /// The process it belongs to.
    pub(crate) fn owner(&self) -> ProcessId {
        match *self {
            Deadline::Timer { server, .. } => server,
            Deadline::Timeout { caller, .. } => caller,
            Deadline::Wake { client, .. } => client,
        }
    }
}

/// A call a process waits for (a server waits for one at a time, a client for any number).
#[derive(Clone)]
pub(crate) struct Pending {
    pub callee: ProcessId,
    pub deadline: Option<(u64, u64)>,
}

/// A server or a client.
pub(crate) enum ProcKind {
    Server(Box<dyn SimServer>),
    Client(ClientProc),
}

/// One process and its name.
pub(crate) struct Proc {
    pub name: Arc<str>,
    pub kind: ProcKind,
}

/// What a process name may not contain: schedule labels are split on them (an event's
/// identity ends at `: `, a message's sender and receiver are apart by ` → `).
pub(crate) const RESERVED: [&str; 2] = [": ", " → "];

/// Everything of one run. Systems build it with [`World::spawn`], [`World::client`],
/// [`World::invariant`] and friends; the run loop then steps it.
pub struct World {
    pub(crate) procs: Vec<Proc>,
    pub(crate) net: Network,
    pub(crate) deadlines: SortedMap<(u64, u64), Deadline>,
    pub(crate) deadline_seq: u64,
    pub(crate) pending: SortedMap<(ProcessId, CallTag), Pending>,
    /// How many calls each process waits for, by process number (a process past the end
    /// waits for none): `pending` counted per caller, kept beside it because "is this server
    /// blocked?" is asked for every queue at every step.
    pub(crate) waiting: Vec<usize>,
    /// The reply cell of each call awaited, or given up while its token may still answer
    /// (that outcome is then discarded, traced), in the order the calls were made.
    pub(crate) cells: Vec<(ProcessId, CallTag, Arc<ReplyCell>)>,
    /// An empty list with room, lent to the desk of each client polled for its requests
    /// (one list for every client: no allocation per poll or per client).
    pub(crate) requests: Vec<clients::Request>,
    /// The outcomes taken out of the cells, about to be sent (kept to be reused).
    pub(crate) ready: Vec<(ProcessId, CallTag, envelope::CallOutcome)>,
    /// The list the run loop lists the enabled events in (kept to be reused).
    pub(crate) enabled: Vec<events::Event>,
    pub(crate) now: u64,
    pub(crate) step: u64,
    /// The run's step limit; every call that fails at once counts as one more step of it.
    pub(crate) max_steps: u64,
    /// Calls that failed at once, counted against the step limit.
    pub(crate) extra_steps: u64,
    /// Calls that failed at once went past the step limit: the run stops there.
    pub(crate) over_budget: bool,
    /// How messages are named and numbered in labels, and calls in their caller: a number
    /// says which message of that sender it is, not how many were sent before it.
    pub(crate) naming: Naming,
    pub(crate) log: Option<Log>,
    pub(crate) invariants: Vec<(String, StateCheck)>,
    pub(crate) final_checks: Vec<(String, StateCheck)>,
    /// What every run must reach by its end, even one cut by the step limit.
    pub(crate) eventually: Vec<(String, StateCheck)>,
    /// A server began waiting for a call in the step being executed (a cycle may close).
    pub(crate) server_started_waiting: bool,
    pub(crate) faults: Faults,
    pub(crate) faults_used: u32,
    /// How often each restarted server was restarted: the life its messages are sent from.
    pub(crate) lives: BTreeMap<ProcessId, u32>,
    /// The servers with a bounded mailbox, and their bounds (rule 8 of `genserver::rules`).
    pub(crate) limits: BTreeMap<ProcessId, usize>,
    pub(crate) latency: u64,
    /// The most a message may take beyond its due time (virtual ns): time may then jump to
    /// a deadline over deliveries still within it (see [`World::set_max_latency`]).
    pub(crate) max_latency: u64,
    pub(crate) failure: Option<Failure>,
    /// The footprint of every executed step, when an exploration asks for them.
    pub(crate) touches: Option<Vec<Footprint>>,
    /// How many steps were executed before the first footprint in `touches` (a copy of the
    /// world records footprints from where it was made).
    pub(crate) touched_from: usize,
    /// The footprint of the step being executed.
    pub(crate) touch: Option<Touch>,
    /// The servers invariants have read (their events are visible to each other).
    pub(crate) visible: RefCell<BTreeSet<ProcessId>>,
    /// Whether invariants are running in a world that records footprints (reads through a
    /// [`View`] are then recorded).
    pub(crate) watching: Cell<bool>,
    /// Live servers with their names, links, monitors and trap flags: the rules of
    /// `genserver::rules`, kept by the core's kernel as in the threaded runtime.
    pub(crate) kernel: Kernel,
    /// Children whose `init` effects are being applied (innermost last): the child, and the
    /// reason if it exited meanwhile (its start then fails, as in the threaded runtime).
    pub(crate) starting: Vec<(ProcessId, Option<genserver::ExitReason>)>,
    /// How to copy the servers and messages of the types the system opted in
    /// ([`World::clone_state`]).
    pub(crate) cloners: Rc<Cloners>,
    /// Groups of interchangeable processes, and whether fingerprints use them.
    pub(crate) symmetry: symmetry::Groups,
    /// Every call of a client, and the models that check them.
    pub(crate) operations: operations::Operations,
    /// The run's seed and the inputs it is given and uses.
    pub(crate) inputs: inputs::RunInputs,
    /// Built only for its clients' bodies and its checks (a copy's revival takes nothing
    /// else): its servers are never started, names never registered, groups never declared.
    pub(crate) lean: bool,
    /// The build of a lean world asked for a server's state or a name, which it does not
    /// have: it may have built other clients or checks than a whole build.
    pub(crate) lean_read: Cell<bool>,
}

/// The trace being recorded: its events, and where the label of the step under way holds
/// the payload of the message it moves (the step's delivery event reuses that text instead
/// of rendering the message's `Debug` again).
#[derive(Clone)]
pub(crate) struct Log {
    pub events: Vec<Event>,
    /// The event whose label rendered a payload, the index of its `choose` event in
    /// `events`, and where the payload starts in that event's message (it runs to the end).
    pub payload: Option<(events::Event, usize, usize)>,
}

/// The events a log has room for at first: few enough for a small allocation (under 1 KiB:
/// a larger first request made the allocator sort out every block the last run freed).
const EVENTS: usize = 12;

impl Log {
    /// An empty log with room for a few events.
    fn new() -> Self {
        Log {
            events: Vec::with_capacity(EVENTS),
            payload: None,
        }
    }
}

/// A read-only view of server states, handed to invariants.
pub struct View<'a> {
    world: &'a World,
}

impl View<'_> {
    /// The state of a live server, or `None` if it is dead (or not of type `S`).
    pub fn state<S: GenServer>(&self, server: ServerRef<S>) -> Option<&S> {
        if self.world.watching.get() {
            self.world.visible.borrow_mut().insert(server.id());
        }
        self.world.state(server)
    }

    /// The virtual time since the start of the run.
    pub fn now(&self) -> Duration {
        Duration::from_nanos(self.world.now)
    }

    /// Whether every client has finished (its body returned).
    pub fn clients_finished(&self) -> bool {
        (self.world.procs.iter()).all(|p| match &p.kind {
            ProcKind::Client(client) => client.state == crate::world::clients::ClientState::Done,
            ProcKind::Server(_) => true,
        })
    }

    /// The live server registered under `name`, if any.
    pub fn whereis(&self, name: &str) -> Option<ProcessId> {
        self.world.whereis(name)
    }
}

impl World {
    /// An empty world to build a system in for a copy's revival, which takes only its
    /// clients' bodies and its checks (see the `lean` field).
    pub(crate) fn lean() -> Self {
        let mut world = World::new(false);
        world.lean = true;
        world
    }

    /// An empty world; `record` turns the trace on. Its lists are this thread's spares,
    /// if it keeps any: those of the first world it dropped since its last world was made
    /// (emptied: only their room is reused).
    pub(crate) fn new(record: bool) -> Self {
        let spares = Spares::take();
        let [invariants, final_checks, eventually] = spares.checks;
        let mut procs = spares.procs;
        // Room for a small system's processes (growing the list copies them all).
        procs.reserve(8);
        World {
            procs,
            net: Network::from_spares(spares.pairs, spares.queues),
            deadlines: SortedMap::in_list(spares.deadlines),
            deadline_seq: 0,
            pending: SortedMap::in_list(spares.pending),
            waiting: spares.waiting,
            cells: spares.cells,
            requests: spares.requests,
            ready: spares.ready,
            enabled: spares.enabled,
            now: 0,
            step: 0,
            max_steps: u64::MAX,
            extra_steps: 0,
            over_budget: false,
            naming: Naming::from_spares(spares.counts, spares.calls, spares.scratch),
            log: record.then(Log::new),
            invariants,
            final_checks,
            eventually,
            server_started_waiting: false,
            faults: Faults::none(),
            faults_used: 0,
            lives: BTreeMap::new(),
            limits: BTreeMap::new(),
            latency: 0,
            max_latency: 0,
            failure: None,
            touches: None,
            touched_from: 0,
            touch: None,
            visible: RefCell::new(BTreeSet::new()),
            watching: Cell::new(false),
            kernel: Kernel::new(),
            starting: spares.starting,
            cloners: Rc::default(),
            symmetry: symmetry::Groups::default(),
            operations: operations::Operations::default(),
            inputs: inputs::RunInputs::default(),
            lean: false,
            lean_read: Cell::new(false),
        }
    }

    /// Starts a server named `name` (its `init` runs now); restarts reuse a clone of `args`.
    pub fn spawn<S: GenServer>(&mut self, name: &str, args: S::Args) -> ServerRef<S>
    where
        S::Args: Clone,
    {
        self.spawn_with::<S>(name, move || args.clone())
    }

    /// Starts a server whose `init` arguments `args` makes (again at every restart).
    ///
    /// # Panics
    ///
    /// If another process already has this name (schedules name processes by name).
    pub fn spawn_with<S: GenServer>(
        &mut self,
        name: &str,
        args: impl Fn() -> S::Args + 'static,
    ) -> ServerRef<S> {
        self.check_unique(name);
        let id = self.next_id();
        let slot = Slot::<S>::new(id, Args::Make(Rc::new(args)));
        self.procs.push(Proc {
            name: name.into(),
            kind: ProcKind::Server(Box::new(slot)),
        });
        if !self.lean {
            self.start_server(id, EventKind::Start);
        }
        ServerRef::new(id)
    }

    /// Bounds the mailbox of `server` to `limit` calls, casts and info messages sent to it
    /// and not yet handled, as [`genserver::StartOptions::bounded`] does for a child (rule 8
    /// of [`genserver::rules`]): one more call fails at once with
    /// [`genserver::CallError::Full`], one more cast or info message is dropped (traced).
    ///
    /// # Panics
    ///
    /// If the server was declared interchangeable with others already (bound them first).
    pub fn bound_mailbox<S>(&mut self, server: ServerRef<S>, limit: usize) {
        if self.symmetry.group_of(server.id()).is_some() {
            panic!(
                "bound_mailbox: {} is interchangeable with others already: bound each before declaring the group",
                self.name(server.id())
            );
        }
        self.limits.insert(server.id(), limit);
    }

    /// The address the next [`World::spawn`] will give (to wire servers that call each other).
    pub fn next_ref<S>(&self) -> ServerRef<S> {
        ServerRef::new(self.next_id())
    }

    /// Adds a client running `body`; its start becomes enabled at once. The body is plain
    /// `async` code over its [`Cx`]: `cx.call(server, request).await?` for a typed reply,
    /// `cx.cast(..)`, `cx.sleep(d).await`; it ends with `Ok(())` or a failed [`genserver::Check`].
    ///
    /// # Panics
    ///
    /// If another process already has this name (schedules name processes by name).
    pub fn client(
        &mut self,
        name: &str,
        body: impl AsyncFnOnce(Cx) -> ClientResult + Send + 'static,
    ) -> ProcessId {
        self.check_unique(name);
        let id = self.next_id();
        self.procs.push(Proc {
            name: name.into(),
            kind: ProcKind::Client(ClientProc::new(id, body)),
        });
        if self.checks_histories() {
            self.visible.borrow_mut().insert(id);
        }
        id
    }

    /// Adds an invariant, checked after every step.
    ///
    /// A check returns `true` when it holds (or `Ok(())`), `false` (or `Err(what is wrong)`)
    /// when it does not.
    pub fn invariant<R: Holds>(&mut self, name: &str, check: impl Fn(&View<'_>) -> R + 'static) {
        let check = move |view: &View<'_>| check(view).holds();
        self.invariants.push((name.to_owned(), Rc::new(check)));
    }

    /// Adds a check run once the run is over (nothing left to do and no failure); it returns
    /// what [`World::invariant`]'s do.
    pub fn at_end<R: Holds>(&mut self, name: &str, check: impl Fn(&View<'_>) -> R + 'static) {
        let check = move |view: &View<'_>| check(view).holds();
        self.final_checks.push((name.to_owned(), Rc::new(check)));
    }

    /// Adds a property every run must reach by its end (every client finished, every
    /// accepted job stored): checked when nothing is left to do, like [`World::at_end`], and
    /// also when the run reaches its step limit, where a property not reached is a
    /// [`crate::FailureKind::Livelock`]. A system with such properties gets a quiet phase:
    /// faults are injected only in the first half of the step limit, so that the second
    /// half shows whether it recovers.
    pub fn eventually<R: Holds>(&mut self, name: &str, check: impl Fn(&View<'_>) -> R + 'static) {
        let check = move |view: &View<'_>| check(view).holds();
        self.eventually.push((name.to_owned(), Rc::new(check)));
    }

    /// Whether faults may no longer be injected: the quiet phase of a run that must
    /// eventually reach something (the second half of its step limit).
    pub(crate) fn quiet(&self) -> bool {
        !self.eventually.is_empty() && self.step >= self.max_steps / 2
    }

    /// The live server registered under `name` (by a child start, or [`World::register`]).
    pub fn whereis(&self, name: &str) -> Option<ProcessId> {
        self.note_lean_read();
        self.kernel.whereis(name)
    }

    /// Notes that a lean world's build read what it does not have (see `lean_read`).
    fn note_lean_read(&self) {
        if self.lean {
            self.lean_read.set(true);
        }
    }

    /// Registers a live server under `name`, as a child start with a name does.
    ///
    /// # Panics
    ///
    /// If the name is taken or the server is not alive.
    pub fn register<S>(&mut self, name: &str, server: ServerRef<S>) {
        if self.lean {
            return;
        }
        assert!(self.alive(server.id()), "{name:?}: the server is not alive");
        assert!(
            self.whereis(name).is_none(),
            "the name {name:?} is already registered"
        );
        self.set_name(name, server.id());
    }

    /// Registers `name` for `id` (traced).
    pub(crate) fn set_name(&mut self, name: &str, id: ProcessId) {
        self.touch_write(REGISTRY);
        if self.kernel.register(name, id).is_err() {
            return;
        }
        self.emit(EventKind::Name, Some(id), None, |_| {
            format!("registered as {name}")
        });
    }

    /// The names `id` holds, in name order.
    pub(crate) fn names_of(&self, id: ProcessId) -> Vec<String> {
        self.kernel.names_of(id)
    }

    /// Lets faults crash whichever live server holds `name` when the fault is chosen
    /// (a child restarted by its supervisor under that name, for instance). The fault does
    /// not restart it: its supervisor does.
    pub fn crashable_name(&mut self, name: &str) {
        self.faults.crash_named.insert(name.to_owned());
    }

    /// Lets faults crash `server` (restarting it or not).
    pub fn crashable<S>(&mut self, server: ServerRef<S>, restart: Restart) {
        self.faults.crash.insert(server.id(), restart);
    }

    /// The fault settings, to change them.
    pub fn faults(&mut self) -> &mut Faults {
        &mut self.faults
    }

    /// Sets the latency of every message (default: none).
    pub fn set_latency(&mut self, latency: Duration) {
        self.latency = duration_ns(latency);
    }

    /// Lets messages take up to `bound` to arrive (default: none, every message arrives
    /// before time moves). Time then races deliveries: whenever a timer, call timeout or
    /// wake-up is pending and every message that could be delivered now is still within its
    /// window, jumping to that deadline is one more choice of the schedule ("advance time to
    /// 1.05s"), so a lease can expire while its release is in flight, or a call time out
    /// while its reply is on its way. No fault is involved: it is how long messages take.
    pub fn set_max_latency(&mut self, bound: Duration) {
        self.max_latency = duration_ns(bound);
    }

    /// The state of a live server of type `S`.
    pub fn state<S: GenServer>(&self, server: ServerRef<S>) -> Option<&S> {
        self.note_lean_read();
        match &self.proc(server.id())?.kind {
            ProcKind::Server(slot) => slot.state()?.downcast_ref::<S>(),
            ProcKind::Client(_) => None,
        }
    }

    pub(crate) fn view(&self) -> View<'_> {
        View { world: self }
    }

    /// Refuses a second process of the same name: a schedule could not tell them apart.
    pub(crate) fn check_unique(&self, name: &str) {
        // Every reserved text holds a ':' or a '→' (the search for a character is quick).
        let suspect = name.contains([':', '→']);
        if let Some(bad) = (RESERVED.iter()).find(|r| suspect && name.contains(*r)) {
            panic!(
                "the process name {name:?} contains {bad:?}, which schedule labels are split on"
            );
        }
        if self.procs.iter().any(|p| *p.name == *name) {
            panic!("two processes are named {name:?}: every process needs its own name");
        }
    }

    pub(crate) fn next_id(&self) -> ProcessId {
        ProcessId(self.procs.len() as u64 + 1)
    }

    pub(crate) fn proc(&self, id: ProcessId) -> Option<&Proc> {
        let index = usize::try_from(id.0).ok()?.checked_sub(1)?;
        self.procs.get(index)
    }

    pub(crate) fn proc_mut(&mut self, id: ProcessId) -> Option<&mut Proc> {
        let index = usize::try_from(id.0).ok()?.checked_sub(1)?;
        self.procs.get_mut(index)
    }

    /// A process's name for traces (`<n>` for an unknown id).
    pub(crate) fn name(&self, id: ProcessId) -> String {
        self.name_ref(id).into_owned()
    }

    /// A process's name for a trace event: shared with the process (`<n>` for an unknown id).
    fn shared_name(&self, id: ProcessId) -> Arc<str> {
        match self.proc(id) {
            Some(p) => Arc::clone(&p.name),
            None => format!("{id:?}").into(),
        }
    }

    /// A process's name, borrowed when the process exists (labels are rendered every step).
    pub(crate) fn name_ref(&self, id: ProcessId) -> Cow<'_, str> {
        match self.proc(id) {
            Some(p) => Cow::Borrowed(&p.name),
            None => Cow::Owned(format!("{id:?}")),
        }
    }

    /// The current life of process `id`: 0, plus one for every restart.
    pub(crate) fn life(&self, id: ProcessId) -> u32 {
        self.lives.get(&id).copied().unwrap_or(0)
    }

    /// Whether `id` is a live server.
    pub(crate) fn alive(&self, id: ProcessId) -> bool {
        matches!(self.proc(id), Some(Proc { kind: ProcKind::Server(slot), .. }) if slot.state().is_some())
    }

    /// The processes, for the trace header.
    pub(crate) fn processes(&self) -> Vec<Process> {
        let kind = |p: &Proc| match p.kind {
            ProcKind::Server(_) => ProcessKind::Server,
            ProcKind::Client(_) => ProcessKind::Client,
        };
        (self.procs.iter().enumerate())
            .map(|(i, p)| Process {
                id: i as u64 + 1,
                name: p.name.to_string(),
                kind: kind(p),
            })
            .collect()
    }

    /// Records a trace event; `message` is only rendered when the trace is on.
    pub(crate) fn emit(
        &mut self,
        kind: EventKind,
        from: Option<ProcessId>,
        to: Option<ProcessId>,
        message: impl FnOnce(&World) -> String,
    ) {
        if self.log.is_none() {
            return;
        }
        let event = Event {
            step: self.step,
            time_ns: self.now,
            kind,
            from: from.map(|id| self.shared_name(id)),
            to: to.map(|id| self.shared_name(id)),
            message: render(|| message(self)),
        };
        if let Some(log) = &mut self.log {
            log.events.push(event);
        }
    }

    /// Counts a call that failed at once as a step: a process retrying at once for ever
    /// would otherwise never end its step. Returns `false` once past the step limit.
    pub(crate) fn spend_step(&mut self) -> bool {
        self.extra_steps += 1;
        self.over_budget |= self.step.saturating_add(self.extra_steps) >= self.max_steps;
        !self.over_budget
    }

    /// Adds a deadline at `at` (virtual ns); returns its key.
    pub(crate) fn add_deadline(&mut self, at: u64, deadline: Deadline) -> (u64, u64) {
        self.deadline_seq += 1;
        let key = (at, self.deadline_seq);
        self.deadlines.insert(key, deadline);
        key
    }

    /// Records the first failure of the run (later ones are consequences).
    pub(crate) fn fail(&mut self, failure: Failure) {
        if self.failure.is_none() {
            let text = failure.to_string();
            let process = failure.process.clone();
            self.failure = Some(failure);
            if self.log.is_some() {
                let id = process.and_then(|n| self.procs.iter().position(|p| *p.name == *n));
                let from = id.map(|i| ProcessId(i as u64 + 1));
                self.emit(EventKind::Failure, from, None, |_| text);
            }
        }
    }
}

impl World {
    /// Records that the step being executed read the status of `id`.
    pub(crate) fn touch_read(&mut self, id: ProcessId) {
        if let Some(touch) = &mut self.touch {
            touch.reads.insert(id);
        }
    }

    /// Records that the step being executed changed the status of `id`.
    pub(crate) fn touch_write(&mut self, id: ProcessId) {
        if let Some(touch) = &mut self.touch {
            touch.writes.insert(id);
        }
    }
}

impl Drop for World {
    /// Keeps the world's lists, emptied, for the next world this thread makes (unless the
    /// thread keeps another world's already).
    fn drop(&mut self) {
        if !Spares::wanted() {
            return;
        }
        let (pairs, queues) = take(&mut self.net).into_spares();
        let mut spares = Spares {
            procs: take(&mut self.procs),
            pending: take(&mut self.pending).into_list(),
            deadlines: take(&mut self.deadlines).into_list(),
            pairs,
            queues,
            waiting: take(&mut self.waiting),
            cells: take(&mut self.cells),
            requests: take(&mut self.requests),
            ready: take(&mut self.ready),
            checks: [
                take(&mut self.invariants),
                take(&mut self.final_checks),
                take(&mut self.eventually),
            ],
            starting: take(&mut self.starting),
            enabled: take(&mut self.enabled),
            ..Spares::default()
        };
        take(&mut self.naming).into_spares(&mut spares);
        spares.keep();
    }
}

/// A duration in virtual nanoseconds, saturating.
pub(crate) fn duration_ns(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl Stage for World {
    fn spawn<S: GenServer>(&mut self, name: &str, args: S::Args) -> ServerRef<S>
    where
        S::Args: Clone,
    {
        World::spawn(self, name, args)
    }

    fn spawn_bounded<S: GenServer>(
        &mut self,
        name: &str,
        args: S::Args,
        limit: usize,
    ) -> ServerRef<S>
    where
        S::Args: Clone,
    {
        let server = World::spawn(self, name, args);
        self.bound_mailbox(server, limit);
        server
    }

    fn client(&mut self, name: &str, body: impl AsyncFnOnce(Cx) -> ClientResult + Send + 'static) {
        World::client(self, name, body);
    }
}
