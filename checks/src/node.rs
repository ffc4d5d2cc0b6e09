//! One scriptable test server for both engines: [`Node<E>`], generic over the engine's
//! spawner `E` (`genserver::runtime::Spawner` or `genserver_sim::SimSpawner`).
//!
//! A node carries out [`Cmd`]s as effects (monitor, demonitor, link, unlink, trap exits,
//! exit signals, kills, stops, panics, child starts, calls, casts, held calls) and writes
//! down, in a [`Journal`] shared by every node of a test, each input it sees: `init`, every
//! call, cast and info, each `Down`, each exit signal it traps, the outcome of each start
//! and call it made, and `terminate` with its reason. The journal is engine-neutral text:
//! processes are named by their *labels* (given when a node is made), never by ids, threads
//! or times, so the journals of one script run on both engines can be compared line by
//! line (`checks/tests/parity/`).
//!
//! Commands name the processes they act on with a [`Target`]: a label, resolved through the
//! journal's directory when the command is carried out (a label that never started resolves
//! to [`GHOST`], an id no engine hands out), or a plain [`ProcessId`].
//!
//! ```
//! use genserver::runtime::Spawner;
//! use genserver::{ExitReason, Runtime};
//! use genserver_checks::node::{Cast, Cmd, Journal, Node, NodeArgs, Request};
//!
//! let rt = Runtime::new();
//! let journal = Journal::new();
//! let a = rt.start::<Node<Spawner>>(NodeArgs::new("a", &journal)).unwrap();
//! let b = rt.start::<Node<Spawner>>(NodeArgs::new("b", &journal)).unwrap();
//! a.call(Request::Do(vec![Cmd::Monitor("b".into())])).unwrap();
//! b.cast(Cast::Do(vec![Cmd::Stop(ExitReason::error("boom"))]));
//! a.call(Request::Sync).unwrap(); // not journaled
//! # genserver_checks::node::wait_until(|| journal.of("a").len() == 3, || journal.lines().join("\n"));
//! assert_eq!(journal.of("a"), ["init", "call from driver: Do([Monitor(b)])", "down m1 from b: error: boom"]);
//! assert_eq!(journal.of("b"), ["init", "cast Do([Stop(Error(\"boom\"))])", "terminate error: boom"]);
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use genserver::engine::ReplySink;
use genserver::{
    CallError, CallResult, CallTag, ChildStart, Ctx, Down, ExitReason, ExitSignal, GenServer,
    MonitorRef, ProcessId, ReplyTo, ServerRef, Spawn, StartError, StartOptions, Timeout,
};

/// The first of the ids no engine hands out in a test: a [`Target`] whose label never
/// started resolves to one of them (one per label, so two such labels are two processes),
/// and the journal calls each `ghost`.
pub const GHOST: ProcessId = ProcessId(1_000_000_000);

/// The label of whoever calls or casts from outside the nodes (a test thread, or a
/// simulator client named with [`Journal::name`]).
pub const DRIVER: &str = "driver";

/// The label of [`GHOST`].
pub const GHOST_LABEL: &str = "ghost";

/// A timeout long enough that hitting it means the rule under test is broken.
pub const LONG: Timeout = Timeout::After(Duration::from_secs(60));

/// What every node of a test writes down, in the order it happened, and the directory that
/// names processes by label.
#[derive(Clone, Default)]
pub struct Journal {
    book: Arc<Mutex<Book>>,
}

#[derive(Default)]
struct Book {
    lines: Vec<(String, String)>,
    labels: BTreeMap<ProcessId, String>,
    ids: BTreeMap<String, ProcessId>,
    /// The registered name each node asked for (children started with a name).
    names: BTreeMap<ProcessId, String>,
    /// Nodes about to make, or blocked in, a call of their own.
    busy: BTreeMap<String, Busy>,
}

impl fmt::Debug for Journal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Journal")
    }
}

impl Journal {
    /// An empty journal.
    pub fn new() -> Self {
        Self::default()
    }

    fn book(&self) -> MutexGuard<'_, Book> {
        self.book
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Appends `text` to the journal of process `label`.
    pub fn note(&self, label: &str, text: impl Into<String>) {
        self.book().lines.push((label.to_owned(), text.into()));
    }

    /// Every line, in order, as `label: text`.
    pub fn lines(&self) -> Vec<String> {
        (self.book().lines.iter())
            .map(|(label, text)| format!("{label}: {text}"))
            .collect()
    }

    /// How many lines the journal holds (all processes).
    pub fn len(&self) -> usize {
        self.book().lines.len()
    }

    /// Whether nothing was written yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The lines of process `label`, in order, without the label.
    pub fn of(&self, label: &str) -> Vec<String> {
        (self.book().lines.iter())
            .filter(|(l, _)| l == label)
            .map(|(_, text)| text.clone())
            .collect()
    }

    /// How many lines process `label` wrote.
    pub fn count_of(&self, label: &str) -> usize {
        self.book().lines.iter().filter(|(l, _)| l == label).count()
    }

    /// Every process's lines, by label.
    pub fn by_process(&self) -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (label, text) in &self.book().lines {
            out.entry(label.clone()).or_default().push(text.clone());
        }
        out
    }

    /// Forgets every line (the directory stays).
    pub fn clear(&self) {
        self.book().lines.clear();
    }

    /// Names process `id` `label` in journal lines (nodes name themselves in `init`).
    pub fn name(&self, id: ProcessId, label: &str) {
        let mut book = self.book();
        book.labels.insert(id, label.to_owned());
        book.ids.insert(label.to_owned(), id);
    }

    /// The id of the process labelled `label`, if one was named so.
    pub fn id(&self, label: &str) -> Option<ProcessId> {
        self.book().ids.get(label).copied()
    }

    /// The label of process `id`: its name in the directory, [`DRIVER`] for
    /// [`ProcessId::EXTERNAL`], [`GHOST_LABEL`] for [`GHOST`], else its id (`<7>`).
    pub fn label(&self, id: ProcessId) -> String {
        if let Some(label) = self.book().labels.get(&id) {
            return label.clone();
        }
        match id {
            ProcessId::EXTERNAL => DRIVER.to_owned(),
            id if id >= GHOST => GHOST_LABEL.to_owned(),
            other => format!("{other:?}"),
        }
    }

    /// Every named process, by id.
    pub fn directory(&self) -> Vec<(ProcessId, String)> {
        (self.book().labels.iter())
            .map(|(id, label)| (*id, label.clone()))
            .collect()
    }

    /// The id `target` names now (a ghost, [`GHOST`] or above, for a label not named yet:
    /// the same for the same label on every engine).
    pub fn resolve(&self, target: &Target) -> ProcessId {
        match target {
            Target::Id(id) => *id,
            Target::Label(label) => self.id(label).unwrap_or_else(|| ghost(label)),
        }
    }

    /// The first process (lowest id) that asked to be registered as `name`.
    pub fn first_named(&self, name: &str) -> Option<ProcessId> {
        let book = self.book();
        book.names
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(id, _)| *id)
    }

    fn asked_name(&self, id: ProcessId, name: &str) {
        self.book().names.insert(id, name.to_owned());
    }

    /// Where node `label` is with the calls it makes (`None`: it makes none).
    pub fn busy(&self, label: &str) -> Option<Busy> {
        self.book().busy.get(label).copied()
    }

    fn set_busy(&self, label: &str, busy: Option<Busy>) {
        let mut book = self.book();
        match busy {
            Some(busy) => book.busy.insert(label.to_owned(), busy),
            None => book.busy.remove(label),
        };
    }

    /// Node `label`'s call is held by `callee`.
    fn held_by(&self, label: &str, callee: ProcessId) {
        let mut book = self.book();
        if let Some(busy @ Busy::Calling(_)) = book.busy.get_mut(label) {
            *busy = Busy::Held(callee);
        }
    }

    /// Node `label`'s held call was answered.
    fn answered(&self, label: &str) {
        let mut book = self.book();
        if let Some(busy @ Busy::Held(_)) = book.busy.get_mut(label) {
            *busy = Busy::Answered;
        }
    }
}

/// Where a node is with a call it makes, as its [`Journal`] tells a test that waits for a
/// runtime to be quiet: a node blocked in a call answers nothing else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Busy {
    /// A callback asked for a call; the effects before it are still being carried out.
    Planned,
    /// The call to this process is being made (set on the node's own thread, in effect
    /// order, just before the call: by a reply to a token whose sink is the journal).
    Calling(ProcessId),
    /// This process holds the call (a node's [`Request::Hold`]): no outcome until it
    /// releases it or exits.
    Held(ProcessId),
    /// The held call was answered; the outcome is on its way.
    Answered,
}

/// The sink of the token a node replies to just before it makes a call: marks the node
/// [`Busy::Calling`].
struct CallMark {
    journal: Journal,
    label: String,
    callee: ProcessId,
}

impl ReplySink<u64> for CallMark {
    fn deliver(&self, outcome: Result<u64, CallError>) -> bool {
        if outcome.is_ok() {
            self.journal
                .set_busy(&self.label, Some(Busy::Calling(self.callee)));
        }
        outcome.is_ok()
    }
}

/// The ghost of `label`: an id of its own above [`GHOST`] (FNV-1a of the label).
fn ghost(label: &str) -> ProcessId {
    let hash = (label.bytes()).fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    ProcessId(GHOST.0 + hash % 1_000_000_000)
}

/// A process a command acts on: a label (resolved when the command is carried out) or an id.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// The process named so in the journal ([`GHOST`] if none).
    Label(String),
    /// This id.
    Id(ProcessId),
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Label(label) => f.write_str(label),
            Target::Id(id) => write!(f, "{id:?}"),
        }
    }
}

impl From<&str> for Target {
    fn from(label: &str) -> Self {
        Target::Label(label.to_owned())
    }
}

impl From<String> for Target {
    fn from(label: String) -> Self {
        Target::Label(label)
    }
}

impl From<ProcessId> for Target {
    fn from(id: ProcessId) -> Self {
        Target::Id(id)
    }
}

impl<S> From<ServerRef<S>> for Target {
    fn from(server: ServerRef<S>) -> Self {
        Target::Id(server.id())
    }
}

/// How a child node starts (carried by [`Cmd::Start`]; without a journal, which the starter
/// passes on).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Child {
    /// Its label.
    pub label: String,
    /// The name to register it under.
    pub name: Option<String>,
    /// Whether it is linked to its starter.
    pub link: bool,
    /// Whether it traps exits from its `init` on.
    pub trap: bool,
    /// `init` refuses to start with this reason.
    pub fail: Option<ExitReason>,
    /// Carried out by its `init` (e.g. `Stop`: a child that stops in its `init`).
    pub init: Vec<Cmd>,
}

impl Child {
    /// A plain, unnamed, unlinked child labelled `label`.
    pub fn new(label: impl Into<String>) -> Self {
        Child {
            label: label.into(),
            name: None,
            link: false,
            trap: false,
            fail: None,
            init: Vec::new(),
        }
    }

    /// Registered as `name`.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Linked to its starter.
    pub fn linked(mut self) -> Self {
        self.link = true;
        self
    }

    /// Trapping exits.
    pub fn trapping(mut self) -> Self {
        self.trap = true;
        self
    }

    /// Whose `init` fails with `reason`.
    pub fn failing(mut self, reason: ExitReason) -> Self {
        self.fail = Some(reason);
        self
    }

    /// Doing `cmds` in its `init`.
    pub fn init(mut self, cmds: Vec<Cmd>) -> Self {
        self.init = cmds;
        self
    }
}

/// One thing a node does, as effects of the callback that carries it out.
#[derive(Clone, PartialEq, Eq)]
pub enum Cmd {
    /// Monitor a process.
    Monitor(Target),
    /// Remove this node's most recent monitor still set (nothing if none).
    Demonitor,
    /// Remove this monitor.
    DemonitorRef(MonitorRef),
    /// Link to a process.
    Link(Target),
    /// Unlink from a process.
    Unlink(Target),
    /// Trap exits (or stop trapping).
    Trap(bool),
    /// Send an exit signal with this reason.
    Exit(Target, ExitReason),
    /// Kill a process.
    Kill(Target),
    /// Stop this node with this reason.
    Stop(ExitReason),
    /// Panic in the callback carrying this out (the commands before it are not carried out).
    Panic,
    /// Start a child node.
    Start(Child),
    /// Start a child with a recipe built for an engine that is not this one ([`NoEngine`]).
    StartForeign,
    /// Call a node with [`Request::Echo`] (timeout [`LONG`]); blocks until the outcome,
    /// which is journaled.
    Call(Target, u64),
    /// Call a node with [`Request::Hold`] (no timeout); blocks until the outcome.
    CallHold(Target),
    /// Reply this value (as effects) to every call this node holds; journals how many.
    Release(u64),
    /// Cast [`Cast::Note`] with this text to a node.
    Note(Target, String),
    /// Journal this text (a marker).
    Mark(String),
    /// Journal `Ctx::now` (engine-dependent: not for comparisons).
    Now,
}

impl fmt::Debug for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cmd::Monitor(t) => write!(f, "Monitor({t:?})"),
            Cmd::Demonitor => f.write_str("Demonitor"),
            Cmd::DemonitorRef(m) => write!(f, "Demonitor(m{})", m.0),
            Cmd::Link(t) => write!(f, "Link({t:?})"),
            Cmd::Unlink(t) => write!(f, "Unlink({t:?})"),
            Cmd::Trap(on) => write!(f, "Trap({on})"),
            Cmd::Exit(t, reason) => write!(f, "Exit({t:?}, {reason:?})"),
            Cmd::Kill(t) => write!(f, "Kill({t:?})"),
            Cmd::Stop(reason) => write!(f, "Stop({reason:?})"),
            Cmd::Panic => f.write_str("Panic"),
            Cmd::Start(child) => {
                write!(f, "Start({}", child.label)?;
                if let Some(name) = &child.name {
                    write!(f, " as {name}")?;
                }
                if child.link {
                    f.write_str(", linked")?;
                }
                if child.trap {
                    f.write_str(", trapping")?;
                }
                if let Some(reason) = &child.fail {
                    write!(f, ", failing {reason:?}")?;
                }
                if !child.init.is_empty() {
                    write!(f, ", init {:?}", child.init)?;
                }
                f.write_str(")")
            }
            Cmd::StartForeign => f.write_str("StartForeign"),
            Cmd::Call(t, value) => write!(f, "Call({t:?}, {value})"),
            Cmd::CallHold(t) => write!(f, "CallHold({t:?})"),
            Cmd::Release(value) => write!(f, "Release({value})"),
            Cmd::Note(t, text) => write!(f, "Note({t:?}, {text:?})"),
            Cmd::Mark(text) => write!(f, "Mark({text:?})"),
            Cmd::Now => f.write_str("Now"),
        }
    }
}

/// A gate a call blocks a node on (runtime tests only: the simulator must not block).
#[derive(Clone)]
pub struct Gate(pub Arc<Mutex<Receiver<()>>>);

impl Gate {
    /// A gate opened by sending on the sender of `receiver` (or by dropping it).
    pub fn new(receiver: Receiver<()>) -> Self {
        Gate(Arc::new(Mutex::new(receiver)))
    }

    fn wait(&self) {
        let _ = self.0.lock().unwrap_or_else(|p| p.into_inner()).recv();
    }
}

impl fmt::Debug for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Gate")
    }
}

/// What a node is called with.
#[derive(Debug)]
pub enum Request {
    /// Reply with the value (held instead when the node holds every call).
    Echo(u64),
    /// Keep the token: no reply until [`Cmd::Release`] or [`Request::Release`].
    Hold,
    /// Carry out the commands; reply with the number of the last monitor set (0 if none).
    Do(Vec<Cmd>),
    /// Journal "at the gate", block until the gate opens, then carry out the commands.
    Gate(Gate, Vec<Cmd>),
    /// How many calls are held.
    HeldCount,
    /// Reply the value to every held call; reply with how many were accepted.
    Release(u64),
    /// `Ctx::now` in microseconds.
    Now,
    /// Reply 0 and journal nothing (a test's barrier).
    Sync,
}

/// What a node is cast.
#[derive(Debug)]
pub enum Cast {
    /// Carry out the commands.
    Do(Vec<Cmd>),
    /// Nothing but the journal line.
    Note(String),
}

/// A node's own info messages: outcomes of what it started and called.
#[derive(Debug)]
pub enum Info {
    /// The outcome of starting the child of this label.
    Started(String, Result<ProcessId, StartError>),
    /// The outcome of a call.
    Outcome(Result<u64, CallError>),
}

/// How to start a node.
#[derive(Clone, Debug)]
pub struct NodeArgs {
    /// Its label: it names itself so in the journal (its lines are that process's).
    pub label: String,
    /// Where it writes.
    pub journal: Journal,
    /// The name it is registered under, if any (for [`Journal::first_named`]).
    pub name: Option<String>,
    /// Trap exits from `init` on.
    pub trap: bool,
    /// `init` refuses to start with this reason.
    pub fail: Option<ExitReason>,
    /// Carried out by `init` (as effects, before the start returns).
    pub init: Vec<Cmd>,
    /// Every [`Request::Echo`] is held; with these commands carried out when one arrives.
    pub hold_calls: Option<Vec<Cmd>>,
    /// `terminate` journals "terminating", then blocks until this gate opens.
    pub terminate_gate: Option<Gate>,
}

impl NodeArgs {
    /// A plain node labelled `label`.
    pub fn new(label: impl Into<String>, journal: &Journal) -> Self {
        NodeArgs {
            label: label.into(),
            journal: journal.clone(),
            name: None,
            trap: false,
            fail: None,
            init: Vec::new(),
            hold_calls: None,
            terminate_gate: None,
        }
    }

    /// Trapping exits.
    pub fn trapping(mut self) -> Self {
        self.trap = true;
        self
    }

    /// Doing `cmds` in `init`.
    pub fn init(mut self, cmds: Vec<Cmd>) -> Self {
        self.init = cmds;
        self
    }

    /// Whose `init` fails with `reason`.
    pub fn failing(mut self, reason: ExitReason) -> Self {
        self.fail = Some(reason);
        self
    }

    /// Holding every `Echo` call, doing `cmds` when one arrives.
    pub fn holding(mut self, cmds: Vec<Cmd>) -> Self {
        self.hold_calls = Some(cmds);
        self
    }

    fn child(child: Child, journal: &Journal) -> Self {
        NodeArgs {
            name: child.name,
            trap: child.trap,
            fail: child.fail,
            init: child.init,
            ..NodeArgs::new(child.label, journal)
        }
    }
}

/// An engine that is neither the runtime nor the simulator: recipes built for it are refused
/// by both ([`Cmd::StartForeign`]).
pub struct NoEngine;

impl Spawn for NoEngine {
    fn spawn<T: GenServer>(
        &mut self,
        _: T::Args,
        _: StartOptions,
    ) -> Result<ProcessId, StartError> {
        unreachable!("no engine hands itself out as NoEngine")
    }
}

/// The scriptable server, for the engine whose spawner is `E`.
pub struct Node<E> {
    label: String,
    journal: Journal,
    monitors: Vec<MonitorRef>,
    held: Vec<ReplyTo<u64>>,
    /// Calls asked for and not answered yet.
    calls: usize,
    hold_calls: Option<Vec<Cmd>>,
    terminate_gate: Option<Gate>,
    _engine: PhantomData<fn() -> E>,
}

impl<E: Spawn> Node<E> {
    fn note(&self, text: impl Into<String>) {
        self.journal.note(&self.label, text);
    }

    /// Carries out `cmds`; returns the number of the last monitor set (0 if none).
    fn run(&mut self, cmds: Vec<Cmd>, ctx: &mut Ctx<Self>) -> u64 {
        let mut last = 0;
        for cmd in cmds {
            let id = |target: &Target| self.journal.resolve(target);
            match cmd {
                Cmd::Monitor(target) => {
                    let monitor = ctx.monitor(id(&target));
                    self.monitors.push(monitor);
                    last = monitor.0;
                }
                Cmd::Demonitor => {
                    if let Some(monitor) = self.monitors.pop() {
                        ctx.demonitor(monitor);
                    }
                }
                Cmd::DemonitorRef(monitor) => {
                    self.monitors.retain(|m| *m != monitor);
                    ctx.demonitor(monitor);
                }
                Cmd::Link(target) => ctx.link(id(&target)),
                Cmd::Unlink(target) => ctx.unlink(id(&target)),
                Cmd::Trap(on) => ctx.trap_exits(on),
                Cmd::Exit(target, reason) => ctx.exit(id(&target), reason),
                Cmd::Kill(target) => ctx.kill(id(&target)),
                Cmd::Stop(reason) => ctx.stop(reason),
                Cmd::Panic => panic!("{} panics on command", self.label),
                Cmd::Start(child) => {
                    let options = StartOptions {
                        name: child.name.clone(),
                        link_to: child.link.then(|| ctx.me().id()),
                    };
                    let label = child.label.clone();
                    let args = NodeArgs::child(child, &self.journal);
                    let recipe = ChildStart::<E>::new::<Node<E>>(move || args.clone());
                    ctx.start(&recipe, options, move |outcome| {
                        Info::Started(label, outcome)
                    });
                }
                Cmd::StartForeign => {
                    let journal = self.journal.clone();
                    let recipe = ChildStart::<NoEngine>::new::<Node<NoEngine>>(move || {
                        NodeArgs::new("foreign", &journal)
                    });
                    let options = StartOptions::default();
                    ctx.start(&recipe, options, |outcome| {
                        Info::Started("foreign".to_owned(), outcome)
                    });
                }
                Cmd::Call(target, value) => {
                    let to = self.plan_call(id(&target), ctx);
                    ctx.call(to, Request::Echo(value), LONG, Info::Outcome);
                }
                Cmd::CallHold(target) => {
                    let to = self.plan_call(id(&target), ctx);
                    ctx.call(to, Request::Hold, Timeout::Infinity, Info::Outcome);
                }
                Cmd::Release(value) => {
                    // Replies as effects, in order with the commands before it.
                    self.note(format!("releases {}", self.held.len()));
                    for token in std::mem::take(&mut self.held) {
                        self.journal.answered(&self.journal.label(token.caller()));
                        ctx.reply(&token, value);
                    }
                }
                Cmd::Note(target, text) => {
                    ctx.cast(ServerRef::<Node<E>>::new(id(&target)), Cast::Note(text))
                }
                Cmd::Mark(text) => self.note(text),
                Cmd::Now => self.note(format!("now {:?}", ctx.now())),
            }
        }
        last
    }

    /// Marks this node busy with a call to `callee`, which the caller records next: it is
    /// [`Busy::Planned`] now, [`Busy::Calling`] once the effects before the call are done.
    fn plan_call(&mut self, callee: ProcessId, ctx: &mut Ctx<Self>) -> ServerRef<Node<E>> {
        self.calls += 1;
        self.journal.set_busy(&self.label, Some(Busy::Planned));
        let mark = CallMark {
            journal: self.journal.clone(),
            label: self.label.clone(),
            callee,
        };
        ctx.reply(&ReplyTo::new(ctx.me().id(), CallTag(0), Box::new(mark)), 0);
        ServerRef::new(callee)
    }

    /// Replies `value` to every held call; returns how many callers still waited.
    fn release(&mut self, value: u64) -> usize {
        let held = std::mem::take(&mut self.held);
        let journal = &self.journal;
        (held.into_iter())
            .filter(|token| {
                // Marked before the reply: once it is sent, the caller may go on to its
                // next call, which this must not mark.
                journal.answered(&journal.label(token.caller()));
                token.reply(value)
            })
            .count()
    }
}

impl<E: Spawn> GenServer for Node<E> {
    type Args = NodeArgs;
    type Call = Request;
    type Reply = u64;
    type Cast = Cast;
    type Info = Info;
    type Continue = ();

    fn init(args: NodeArgs, ctx: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        let me = ctx.me().id();
        args.journal.name(me, &args.label);
        if let Some(name) = &args.name {
            args.journal.asked_name(me, name);
        }
        if let Some(reason) = args.fail {
            args.journal
                .note(&args.label, format!("init fails: {reason}"));
            return Err(reason);
        }
        args.journal.note(&args.label, "init");
        if args.trap {
            ctx.trap_exits(true);
        }
        let mut node = Node {
            label: args.label,
            journal: args.journal,
            monitors: Vec::new(),
            held: Vec::new(),
            calls: 0,
            hold_calls: args.hold_calls,
            terminate_gate: args.terminate_gate,
            _engine: PhantomData,
        };
        node.run(args.init, ctx);
        Ok(node)
    }

    fn handle_call(
        &mut self,
        request: Request,
        from: ReplyTo<u64>,
        ctx: &mut Ctx<Self>,
    ) -> CallResult<u64> {
        if let Request::Sync = request {
            return CallResult::Reply(0);
        }
        let caller = self.journal.label(from.caller());
        self.note(format!("call from {caller}: {request:?}"));
        match request {
            Request::Echo(value) => match self.hold_calls.clone() {
                Some(cmds) => {
                    self.journal.held_by(&caller, ctx.me().id());
                    self.held.push(from);
                    self.run(cmds, ctx);
                    CallResult::NoReply
                }
                None => CallResult::Reply(value),
            },
            Request::Hold => {
                self.journal.held_by(&caller, ctx.me().id());
                self.held.push(from);
                CallResult::NoReply
            }
            Request::Do(cmds) => CallResult::Reply(self.run(cmds, ctx)),
            Request::Gate(gate, cmds) => {
                self.note(AT_THE_GATE);
                gate.wait();
                CallResult::Reply(self.run(cmds, ctx))
            }
            Request::HeldCount => CallResult::Reply(self.held.len() as u64),
            Request::Release(value) => CallResult::Reply(self.release(value) as u64),
            Request::Now => CallResult::Reply(ctx.now().as_micros() as u64),
            Request::Sync => unreachable!("answered above"),
        }
    }

    fn handle_cast(&mut self, msg: Cast, ctx: &mut Ctx<Self>) {
        self.note(format!("cast {msg:?}"));
        if let Cast::Do(cmds) = msg {
            self.run(cmds, ctx);
        }
    }

    fn handle_info(&mut self, msg: Info, _: &mut Ctx<Self>) {
        match msg {
            Info::Started(_, Ok(child)) => {
                let child = self.journal.label(child);
                self.note(format!("started {child}"));
            }
            Info::Started(label, Err(error)) => {
                self.note(format!("start of {label} failed: {error}"));
            }
            Info::Outcome(outcome) => {
                self.calls = self.calls.saturating_sub(1);
                let busy = (self.calls > 0).then_some(Busy::Planned);
                self.journal.set_busy(&self.label, busy);
                self.note(format!("outcome {}", outcome_text(&outcome)));
            }
        }
    }

    fn handle_down(&mut self, down: Down, _: &mut Ctx<Self>) {
        let from = self.journal.label(down.process);
        self.note(format!(
            "down m{} from {from}: {}",
            down.monitor.0, down.reason
        ));
    }

    fn handle_exit(&mut self, signal: ExitSignal, _: &mut Ctx<Self>) {
        let from = self.journal.label(signal.from);
        self.note(format!("exit from {from}: {}", signal.reason));
    }

    fn terminate(&mut self, reason: &ExitReason) {
        if let Some(gate) = &self.terminate_gate {
            self.note("terminating");
            gate.wait();
        }
        self.note(format!("terminate {reason}"));
    }
}

/// An outcome as journals write it, the way the simulator's labels render replies:
/// `Ok(7)`, `Err(no such process)`.
pub fn outcome_text(outcome: &Result<u64, CallError>) -> String {
    match outcome {
        Ok(value) => format!("Ok({value:?})"),
        Err(error) => format!("Err({error})"),
    }
}

/// What a node journals when it blocks on a [`Request::Gate`].
pub const AT_THE_GATE: &str = "at the gate";

/// Polls `done` every 100 µs for up to [`LONG`]; panics with `what()` if it never holds.
pub fn wait_until(mut done: impl FnMut() -> bool, what: impl FnOnce() -> String) {
    let limit = LONG.duration().unwrap_or(Duration::from_secs(60));
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "{}", what());
        std::thread::sleep(Duration::from_micros(100));
    }
}
