//! One scriptable test server for both engines: [`Node<E>`], generic over the engine's
//! spawner `E` (`genserver::runtime::Spawner` or `genserver_sim::SimSpawner`).
//!
//! A node carries out [`Cmd`]s as effects (monitor, demonitor, link, unlink, trap exits,
//! exit signals, kills, stops, panics, child starts, calls, casts, held calls, timers set
//! and cancelled by label) and writes down, in a [`Journal`] shared by every node of a test,
//! each input it sees: `init`, every call, cast and info, each `Down`, each exit signal it
//! traps, the outcome of each start and call it made, each timer that fires (`timer t0`),
//! and `terminate` with its reason. The journal is engine-neutral text:
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

use std::marker::PhantomData;
use std::time::{Duration, Instant};

use genserver::{
    CallError, CallResult, CallTag, ChildStart, Ctx, Down, ExitReason, ExitSignal, GenServer,
    MonitorRef, ProcessId, ReplyTo, ServerRef, Spawn, StartError, StartOptions, Timeout,
};

mod args;
mod commands;
mod journal;
mod timers;

pub use args::*;
pub use commands::*;
use journal::CallMark;
pub use journal::*;
pub use timers::SOON;
use timers::Timers;

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
    timers: Timers,
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
                        ..StartOptions::default()
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
                Cmd::SetTimer(label, after) => {
                    let timer = ctx.set_timer(after, Info::Timer(label.clone()));
                    self.timers.set(label, timer, ctx.now(), after);
                    self.publish_timers();
                }
                Cmd::CancelTimer(label) => {
                    if let Some(timer) = self.timers.cancel(&label) {
                        ctx.cancel_timer(timer);
                        self.publish_timers();
                    }
                }
            }
        }
        last
    }

    /// Tells the journal which of this node's timers are pending.
    fn publish_timers(&self) {
        (self.journal).set_timers(&self.label, self.timers.pending());
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
        ctx.reply(
            &ReplyTo::new(ctx.me().id(), CallTag(0), std::sync::Arc::new(mark)),
            0,
        );
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
            timers: Timers::default(),
            _engine: PhantomData,
        };
        // A new instance (a restarted child) makes no call and has set no timer yet: what
        // the journal kept of an earlier instance under this label is gone with it.
        node.journal.set_busy(&node.label, None);
        node.publish_timers();
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
            return CallResult::Reply(self.timers.soon(ctx.now()));
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
            Info::Timer(label) => {
                // A timer that fires after its cancellation says so.
                let late = match self.timers.fired(&label) {
                    true => "",
                    false => " (cancelled)",
                };
                self.publish_timers();
                self.note(format!("timer {label}{late}"));
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
