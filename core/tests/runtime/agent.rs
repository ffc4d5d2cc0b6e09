//! A test server that carries out link, monitor, exit, kill and start commands, and writes
//! down what reaches it: `Down`s, exit signals, start outcomes, `terminate`.

use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use genserver::runtime::Spawner;
use genserver::{
    CallError, CallResult, ChildStart, Ctx, Down, ExitReason, ExitSignal, GenServer, MonitorRef,
    ProcessId, ReplyTo, Runtime, Server, ServerRef, Spawn, StartError, StartOptions, Timeout,
};

use crate::probe::{LONG, Log, entries};

/// How to start an agent.
#[derive(Clone, Debug)]
pub struct AgentArgs {
    /// Prefixes every log entry of this agent.
    pub tag: String,
    pub log: Log,
    pub trap: bool,
    pub fail_init: Option<ExitReason>,
    /// Carried out by `init` (as effects, before the start returns).
    pub init: Vec<Cmd>,
    /// `terminate` logs "terminating", then blocks until this receives (or its sender is gone).
    pub terminate_gate: Option<Arc<Mutex<Receiver<()>>>>,
}

impl AgentArgs {
    pub fn new(tag: &str, log: &Log) -> Self {
        AgentArgs {
            tag: tag.to_owned(),
            log: log.clone(),
            trap: false,
            fail_init: None,
            init: Vec::new(),
            terminate_gate: None,
        }
    }

    pub fn trapping(mut self) -> Self {
        self.trap = true;
        self
    }
}

/// One thing an agent does, as effects.
#[derive(Clone, Debug)]
pub enum Cmd {
    Monitor(ProcessId),
    Demonitor(MonitorRef),
    Link(ProcessId),
    Unlink(ProcessId),
    Trap(bool),
    Exit(ProcessId, ExitReason),
    Kill(ProcessId),
    Stop(ExitReason),
    /// Start an agent child with these options (`link`: linked to this agent).
    Start {
        child: Box<AgentArgs>,
        name: Option<String>,
        link: bool,
    },
    /// Start an agent child with a recipe built for another engine ([`OtherEngine`]).
    StartForeign,
    /// Call agent `to` with `Call::Hold`: blocks this agent until the reply (which logs
    /// "outcome ...").
    CallHold(ProcessId),
    /// Call agent `to` with `Echo(value)`; the outcome is logged.
    CallEcho(ProcessId, u64),
    /// Cast `Note(text)` to agent `to`.
    Tell(ProcessId, String),
}

#[derive(Debug)]
pub enum Call {
    Echo(u64),
    /// Carry out the commands; reply with the last monitor's number (0 if none).
    Do(Vec<Cmd>),
    /// Log "at the gate", block on the receiver, then carry out the commands.
    Gate(Receiver<()>, Vec<Cmd>),
    /// Keep the token: no reply until `Release`.
    Hold,
    /// How many tokens are held.
    HeldCount,
    /// Reply `value` to every held token; reply with how many replies were accepted.
    Release(u64),
    /// `Ctx::now` in microseconds.
    Now,
}

#[derive(Debug)]
pub enum Cast {
    Do(Vec<Cmd>),
    Note(String),
}

#[derive(Debug)]
pub enum Info {
    Started(Result<ProcessId, StartError>),
    Outcome(Result<u64, CallError>),
}

pub struct Agent {
    tag: String,
    log: Log,
    held: Vec<ReplyTo<u64>>,
    terminate_gate: Option<Arc<Mutex<Receiver<()>>>>,
}

impl Agent {
    fn note(&self, entry: impl AsRef<str>) {
        note(&self.log, &self.tag, entry.as_ref());
    }

    /// Records the commands' effects; returns the last monitor set.
    fn run(cmds: Vec<Cmd>, ctx: &mut Ctx<Self>) -> u64 {
        let mut last = 0;
        for cmd in cmds {
            match cmd {
                Cmd::Monitor(target) => last = ctx.monitor(target).0,
                Cmd::Demonitor(monitor) => ctx.demonitor(monitor),
                Cmd::Link(to) => ctx.link(to),
                Cmd::Unlink(to) => ctx.unlink(to),
                Cmd::Trap(on) => ctx.trap_exits(on),
                Cmd::Exit(to, reason) => ctx.exit(to, reason),
                Cmd::Kill(to) => ctx.kill(to),
                Cmd::Stop(reason) => ctx.stop(reason),
                Cmd::Start { child, name, link } => {
                    let recipe = ChildStart::<Spawner>::new::<Agent>(move || (*child).clone());
                    let options = StartOptions {
                        name,
                        link_to: link.then(|| ctx.me().id()),
                    };
                    ctx.start(&recipe, options, Info::Started);
                }
                Cmd::StartForeign => {
                    let recipe = ChildStart::<OtherEngine>::new::<Agent>(|| {
                        AgentArgs::new("foreign", &Log::default())
                    });
                    ctx.start(&recipe, StartOptions::default(), Info::Started);
                }
                Cmd::CallHold(to) => {
                    ctx.call(agent(to), Call::Hold, Timeout::Infinity, Info::Outcome)
                }
                Cmd::CallEcho(to, value) => {
                    ctx.call(agent(to), Call::Echo(value), LONG, Info::Outcome)
                }
                Cmd::Tell(to, text) => ctx.cast(agent(to), Cast::Note(text)),
            }
        }
        last
    }
}

/// An engine that is not the runtime: its recipes must be refused by the runtime.
pub struct OtherEngine;

impl Spawn for OtherEngine {
    fn spawn<T: GenServer>(
        &mut self,
        _: T::Args,
        _: StartOptions,
    ) -> Result<ProcessId, StartError> {
        unreachable!("the runtime never hands out another engine")
    }
}

fn agent(id: ProcessId) -> ServerRef<Agent> {
    ServerRef::new(id)
}

fn note(log: &Log, tag: &str, entry: &str) {
    log.lock().unwrap().push(format!("{tag}: {entry}"));
}

impl GenServer for Agent {
    type Args = AgentArgs;
    type Call = Call;
    type Reply = u64;
    type Cast = Cast;
    type Info = Info;
    type Continue = ();

    fn init(args: AgentArgs, ctx: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        if let Some(reason) = args.fail_init {
            return Err(reason);
        }
        note(&args.log, &args.tag, &format!("init at {:?}", ctx.now()));
        if args.trap {
            ctx.trap_exits(true);
        }
        Agent::run(args.init, ctx);
        Ok(Agent {
            tag: args.tag,
            log: args.log,
            held: Vec::new(),
            terminate_gate: args.terminate_gate,
        })
    }

    fn handle_call(
        &mut self,
        request: Call,
        from: ReplyTo<u64>,
        ctx: &mut Ctx<Self>,
    ) -> CallResult<u64> {
        match request {
            Call::Echo(value) => CallResult::Reply(value),
            Call::Do(cmds) => CallResult::Reply(Agent::run(cmds, ctx)),
            Call::Gate(gate, cmds) => {
                self.note(AT_THE_GATE);
                gate.recv().unwrap();
                CallResult::Reply(Agent::run(cmds, ctx))
            }
            Call::Hold => {
                self.held.push(from);
                CallResult::NoReply
            }
            Call::HeldCount => CallResult::Reply(self.held.len() as u64),
            Call::Release(value) => {
                let accepted = self.held.drain(..).filter(|token| token.reply(value));
                CallResult::Reply(accepted.count() as u64)
            }
            Call::Now => CallResult::Reply(ctx.now().as_micros() as u64),
        }
    }

    fn handle_cast(&mut self, msg: Cast, ctx: &mut Ctx<Self>) {
        match msg {
            Cast::Do(cmds) => {
                Agent::run(cmds, ctx);
            }
            Cast::Note(text) => self.note(text),
        }
    }

    fn handle_info(&mut self, msg: Info, _: &mut Ctx<Self>) {
        match msg {
            Info::Started(Ok(child)) => self.note(format!("started {child:?}")),
            Info::Started(Err(error)) => self.note(format!("start failed: {error}")),
            Info::Outcome(outcome) => self.note(format!("outcome {outcome:?}")),
        }
    }

    fn handle_down(&mut self, down: Down, _: &mut Ctx<Self>) {
        self.note(format!(
            "down m{} {:?} {}",
            down.monitor.0, down.process, down.reason
        ));
    }

    fn handle_exit(&mut self, signal: ExitSignal, _: &mut Ctx<Self>) {
        self.note(format!("exit {:?} {}", signal.from, signal.reason));
    }

    fn terminate(&mut self, reason: &ExitReason) {
        if let Some(gate) = &self.terminate_gate {
            self.note("terminating");
            let _ = gate.lock().unwrap().recv();
        }
        self.note(format!("terminate {reason}"));
    }
}

/// Starts an agent.
pub fn spawn(rt: &Runtime, args: AgentArgs) -> Server<Agent> {
    rt.start::<Agent>(args).expect("agent starts")
}

/// Starts a plain agent tagged `tag`.
pub fn plain(rt: &Runtime, tag: &str, log: &Log) -> Server<Agent> {
    spawn(rt, AgentArgs::new(tag, log))
}

/// Has `agent` carry out `cmds` (they are done when this returns); returns the last monitor.
pub fn order(agent: &Server<Agent>, cmds: Vec<Cmd>) -> MonitorRef {
    MonitorRef(
        agent
            .call_timeout(Call::Do(cmds), LONG)
            .expect("the agent obeys"),
    )
}

/// What an agent logs when it blocks on a `Call::Gate`.
pub const AT_THE_GATE: &str = "at the gate";

/// The entries of `log` other than the agents' `init` and "at the gate" lines.
pub fn events(log: &Log) -> Vec<String> {
    entries(log)
        .into_iter()
        .filter(|entry| !entry.contains(": init at ") && !entry.ends_with(AT_THE_GATE))
        .collect()
}

/// Waits (bounded) until `log` holds `entry`.
pub fn await_entry(log: &Log, entry: &str) {
    wait_until(
        || entries(log).iter().any(|e| e == entry),
        || format!("never logged {entry:?}; log: {:?}", entries(log)),
    );
}

/// Waits (bounded) until process `id` has left the registry (its exit is complete: its
/// monitors and links have been notified).
pub fn await_dead(rt: &Runtime, id: ProcessId) {
    wait_until(|| !rt.is_alive(id), || format!("{id:?} never died"));
}

/// Waits (bounded) until `agent` holds `count` call tokens.
pub fn await_held(agent: &Server<Agent>, count: u64) {
    wait_until(
        || agent.call(Call::HeldCount) == Ok(count),
        || format!("{agent:?} never held {count} calls"),
    );
}

/// Polls `done` every millisecond for up to [`LONG`]; panics with `what()` if it never holds.
pub fn wait_until(mut done: impl FnMut() -> bool, what: impl FnOnce() -> String) {
    let limit = LONG.duration().unwrap_or(Duration::from_secs(60));
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "{}", what());
        std::thread::sleep(Duration::from_millis(1));
    }
}
