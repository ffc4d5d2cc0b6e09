//! A scriptable server (`Node`) and a scripted client (`Script`): each test wires a few of
//! them and reads what happened from a shared journal and from the trace.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use genserver::supervisor::{Supervisor, SupervisorCall};
use genserver::{
    CallError, CallResult, ChildStart, Ctx, Down, ExitReason, ExitSignal, GenServer, MonitorRef,
    ProcessId, ReplyTo, ServerRef, StartError, StartOptions, Timeout,
};
use genserver::{ClientResult, Cx};
use genserver_sim::SimSpawner;

/// What every process of a test writes down, in the order it happened.
pub type Journal = Arc<Mutex<Vec<String>>>;

/// A fresh journal.
pub fn journal() -> Journal {
    Arc::new(Mutex::new(Vec::new()))
}

/// Appends a line.
pub fn note(journal: &Journal, line: String) {
    journal.lock().unwrap().push(line);
}

/// The journal's lines.
pub fn lines(journal: &Journal) -> Vec<String> {
    journal.lock().unwrap().clone()
}

/// Something a node does (in `init`, or when cast to it).
#[derive(Clone, Debug)]
pub enum Act {
    Monitor(ProcessId),
    /// Removes the most recent monitor.
    Demonitor,
    Link(ProcessId),
    Unlink(ProcessId),
    Trap(bool),
    Exit(ProcessId, ExitReason),
    Kill(ProcessId),
    Stop(ExitReason),
    /// Starts a node child: its label, registered name, whether linked, whether its init fails.
    Start {
        label: &'static str,
        name: Option<&'static str>,
        link: bool,
        fail: bool,
    },
    /// Starts a linked node child whose `init` succeeds but records a stop with this reason.
    StartStopping(&'static str, ExitReason),
    /// Calls a node and blocks until the outcome.
    Call(ProcessId),
    /// Writes `ctx.now()` down.
    Now,
    /// Does nothing: a marker in the journal.
    Mark(&'static str),
    /// Does these, in order.
    Many(Vec<Act>),
}

/// How a node is made.
#[derive(Clone, Debug)]
pub struct Spec {
    pub label: &'static str,
    pub journal: Journal,
    pub init: Vec<Act>,
    /// `init` refuses to start.
    pub fail: bool,
    /// A call to it is held for ever; with an act, the node does it while holding the call.
    pub hold: Option<Option<Act>>,
}

impl Spec {
    /// A node with nothing to do at init.
    pub fn new(label: &'static str, journal: &Journal) -> Self {
        Spec {
            label,
            journal: journal.clone(),
            init: Vec::new(),
            fail: false,
            hold: None,
        }
    }

    /// With these acts at init.
    pub fn init(mut self, acts: Vec<Act>) -> Self {
        self.init = acts;
        self
    }

    /// Holding calls for ever, doing `act` when one arrives.
    pub fn hold(mut self, act: Option<Act>) -> Self {
        self.hold = Some(act);
        self
    }
}

/// The scriptable server.
pub struct Node {
    spec: Spec,
    monitors: Vec<MonitorRef>,
    held: Vec<ReplyTo<String>>,
}

/// A node's own info messages.
#[derive(Debug)]
pub enum NodeInfo {
    Started(Result<ProcessId, StartError>),
    Outcome(Result<String, CallError>),
}

impl Node {
    fn note(&self, text: String) {
        note(&self.spec.journal, format!("{}: {text}", self.spec.label));
    }

    fn act(&mut self, act: Act, ctx: &mut Ctx<Self>) {
        match act {
            Act::Monitor(to) => self.monitors.push(ctx.monitor(to)),
            Act::Demonitor => {
                if let Some(m) = self.monitors.pop() {
                    self.note(format!("demonitor #{}", m.0));
                    ctx.demonitor(m);
                }
            }
            Act::Link(to) => ctx.link(to),
            Act::Unlink(to) => ctx.unlink(to),
            Act::Trap(on) => ctx.trap_exits(on),
            Act::Exit(to, reason) => ctx.exit(to, reason),
            Act::Kill(to) => ctx.kill(to),
            Act::Stop(reason) => ctx.stop(reason),
            Act::Start {
                label,
                name,
                link,
                fail,
            } => {
                let mut child = Spec::new(label, &self.spec.journal);
                child.fail = fail;
                let recipe = ChildStart::<SimSpawner>::new::<Node>(move || child.clone());
                let options = StartOptions {
                    name: name.map(str::to_owned),
                    link_to: link.then(|| ctx.me().id()),
                };
                ctx.start(&recipe, options, NodeInfo::Started);
            }
            Act::StartStopping(label, reason) => {
                let child = Spec::new(label, &self.spec.journal).init(vec![Act::Stop(reason)]);
                let recipe = ChildStart::<SimSpawner>::new::<Node>(move || child.clone());
                let options = StartOptions {
                    name: None,
                    link_to: Some(ctx.me().id()),
                };
                ctx.start(&recipe, options, NodeInfo::Started);
            }
            Act::Call(to) => ctx.call(
                ServerRef::<Node>::new(to),
                "ping".to_owned(),
                Timeout::Infinity,
                NodeInfo::Outcome,
            ),
            Act::Now => self.note(format!("now {:?}", ctx.now())),
            Act::Mark(text) => self.note(text.to_owned()),
            Act::Many(acts) => {
                for act in acts {
                    self.act(act, ctx);
                }
            }
        }
    }
}

impl GenServer for Node {
    type Args = Spec;
    type Call = String;
    type Reply = String;
    type Cast = Act;
    type Info = NodeInfo;
    type Continue = ();

    fn init(spec: Spec, ctx: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        if spec.fail {
            return Err(ExitReason::error("refused"));
        }
        let mut node = Node {
            spec,
            monitors: Vec::new(),
            held: Vec::new(),
        };
        node.note(format!("init {:?}", ctx.me().id()));
        for act in node.spec.init.clone() {
            node.act(act, ctx);
        }
        Ok(node)
    }

    fn handle_call(
        &mut self,
        request: String,
        from: ReplyTo<String>,
        ctx: &mut Ctx<Self>,
    ) -> CallResult<String> {
        match self.spec.hold.clone() {
            Some(act) => {
                self.held.push(from);
                if let Some(act) = act {
                    self.act(act, ctx);
                }
                CallResult::NoReply
            }
            None => CallResult::Reply(format!("{request} from {}", self.spec.label)),
        }
    }

    fn handle_cast(&mut self, act: Act, ctx: &mut Ctx<Self>) {
        self.act(act, ctx);
    }

    fn handle_info(&mut self, info: NodeInfo, _: &mut Ctx<Self>) {
        match info {
            NodeInfo::Started(Ok(id)) => self.note(format!("started Ok({id:?})")),
            NodeInfo::Started(Err(error)) => self.note(format!("started Err({error})")),
            NodeInfo::Outcome(outcome) => self.note(format!("outcome {outcome:?}")),
        }
    }

    fn handle_down(&mut self, down: Down, _: &mut Ctx<Self>) {
        self.note(format!(
            "down #{} of {:?}: {}",
            down.monitor.0, down.process, down.reason
        ));
    }

    fn handle_exit(&mut self, signal: ExitSignal, _: &mut Ctx<Self>) {
        self.note(format!("exit from {:?}: {}", signal.from, signal.reason));
    }

    fn terminate(&mut self, reason: &ExitReason) {
        self.note(format!("terminate {reason}"));
    }
}

/// Who a client step addresses.
#[derive(Clone, Debug)]
pub enum To {
    Id(ProcessId),
    /// The name, resolved at this step.
    Name(&'static str),
    /// The id resolved by the `n`-th `Resolve` step.
    Saved(usize),
}

/// One step of a scripted client.
#[derive(Clone, Debug)]
pub enum Do {
    Cast(To, Act),
    Call(To),
    /// Asks a supervisor to stop.
    StopSupervisor(ProcessId),
    Sleep(Duration),
    Resolve(&'static str),
}

/// A client that follows a script, writing down what its calls and lookups gave.
pub fn script(
    journal: &Journal,
    steps: Vec<Do>,
) -> impl AsyncFnOnce(Cx) -> ClientResult + Send + 'static {
    let journal = journal.clone();
    async move |cx: Cx| {
        let mut saved: Vec<Option<ProcessId>> = Vec::new();
        let id = |to: &To, saved: &[Option<ProcessId>]| match to {
            To::Id(id) => Some(*id),
            To::Name(name) => cx.whereis(name),
            To::Saved(n) => saved[*n],
        };
        let note_outcome = |outcome: Result<String, CallError>| {
            let text = match outcome {
                Ok(text) => format!("Ok({text})"),
                Err(error) => format!("Err({error})"),
            };
            note(&journal, format!("client: {text}"));
        };
        for step in steps {
            match step {
                Do::Cast(to, act) => {
                    if let Some(id) = id(&to, &saved) {
                        cx.cast(ServerRef::<Node>::new(id), act);
                    }
                }
                Do::Call(to) => {
                    let node = ServerRef::<Node>::new(id(&to, &saved).unwrap_or(ProcessId(999)));
                    note_outcome(cx.call(node, "hello".into()).await);
                }
                Do::StopSupervisor(id) => {
                    let sup = ServerRef::<Supervisor<SimSpawner>>::new(id);
                    let outcome = cx.call_timeout(sup, SupervisorCall::Stop, Timeout::Infinity);
                    note_outcome(outcome.await.map(|reply| format!("{reply:?}")));
                }
                Do::Sleep(d) => cx.sleep(d).await,
                Do::Resolve(name) => {
                    let id = cx.whereis(name);
                    note(&journal, format!("client: {name} is {id:?}"));
                    saved.push(id);
                }
            }
        }
        Ok(())
    }
}
