//! The world around one supervisor under test. The process machine
//! ([`crate::engine::Process`]) runs the supervisor, as both engines do; the harness is only
//! what the engines add around it: it carries out commands (logging those that reach
//! children), keeps the timers it was asked to set, starts children, delivers replies, and
//! feeds the supervisor its children's exits.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::engine::{Action, Command, Output, Process, ReplySink, Settle, Status};
use crate::supervisor::{Supervisor, SupervisorCall, SupervisorReply, SupervisorSpec};
use crate::{
    CallError, CallTag, Ctx, ExitReason, ExitSignal, GenServer, ProcessId, ReplyTo, Spawn,
    StartError, StartOptions, TimerId,
};

/// The supervisor's own process id.
pub(super) const ME: ProcessId = ProcessId(100);

/// The test's process id, as the caller of the supervisor.
const TESTER: ProcessId = ProcessId(0);

/// A supervisor of fake children.
type Sup = Supervisor<FakeEngine>;

/// Hands out ids 1, 2, 3, ... and runs `init` so a child can fail to start.
#[derive(Default)]
pub(super) struct FakeEngine {
    next: u64,
    /// The next this many starts fail as if `init` had refused.
    pub(super) failing: usize,
}

impl Spawn for FakeEngine {
    fn spawn<T: GenServer>(
        &mut self,
        args: T::Args,
        _: StartOptions,
    ) -> Result<ProcessId, StartError> {
        if self.failing > 0 {
            self.failing -= 1;
            return Err(StartError::Init(ExitReason::error("refused")));
        }
        self.next += 1;
        let id = ProcessId(self.next);
        T::init(args, &mut Ctx::new(id)).map_err(StartError::Init)?;
        Ok(id)
    }
}

/// Where the outcome of one call to the supervisor lands (the first one wins, as in the
/// engines).
#[derive(Clone, Default)]
pub(super) struct Answer(Arc<Mutex<Option<Result<SupervisorReply, CallError>>>>);

impl Answer {
    /// The outcome, if one was delivered.
    pub(super) fn get(&self) -> Option<Result<SupervisorReply, CallError>> {
        self.0.lock().unwrap().clone()
    }
}

impl ReplySink<SupervisorReply> for Answer {
    fn deliver(&self, outcome: Result<SupervisorReply, CallError>) -> bool {
        let mut slot = self.0.lock().unwrap();
        let first = slot.is_none();
        slot.get_or_insert(outcome);
        first
    }
}

/// A supervisor's process, the engine that starts its children, and a log of what reached
/// the world: child starts, exit signals and kills, replies, the supervisor's own exit.
pub(super) struct Harness {
    /// `None` once the supervisor has exited.
    process: Option<Process<Sup>>,
    /// The spawner the supervisor's child starts run on.
    pub(super) engine: FakeEngine,
    /// Timers set and neither fired nor cancelled, by id, with their delays.
    timers: BTreeMap<TimerId, Duration>,
    /// Whether the supervisor traps exits (its children's exits reach it as messages).
    trapping: bool,
    /// What happened, in order.
    pub(super) log: Vec<String>,
    /// The tag of the test's last call.
    calls: u64,
}

impl Harness {
    /// Starts a supervisor, and its children through a fresh [`FakeEngine`].
    pub(super) fn start(spec: SupervisorSpec<FakeEngine>) -> Self {
        Self::start_with(spec, FakeEngine::default())
    }

    /// Starts a supervisor whose children start through `engine`.
    pub(super) fn start_with(spec: SupervisorSpec<FakeEngine>, engine: FakeEngine) -> Self {
        let process = Process::init(spec, Ctx::new(ME)).expect("the supervisor starts");
        // Trapping is in force before any of its children can exit, as with the engines.
        let trapping = process.trap_asked() == Some(true);
        let mut harness = Harness {
            process: Some(process),
            engine,
            timers: BTreeMap::new(),
            trapping,
            log: Vec::new(),
            calls: 0,
        };
        harness.pump();
        harness
    }

    /// The running supervisor's process.
    fn process(&mut self) -> &mut Process<Sup> {
        self.process.as_mut().expect("the supervisor runs")
    }

    /// Carries out what the supervisor's last input made it do, until it is idle or gone.
    fn pump(&mut self) {
        let mut output = self.process().pump();
        while let Some(next) = self.carry_out(output) {
            output = next;
        }
    }

    /// Carries out one output's actions, then answers its status: the next output, if the
    /// supervisor waits for an outcome.
    fn carry_out(&mut self, output: Output<Sup>) -> Option<Output<Sup>> {
        for action in output.actions {
            match action {
                Action::Command(command) => self.command(command),
                Action::Settle(settle) => self.settle(settle),
            }
        }
        match output.status {
            Status::Idle => return None,
            Status::Exit(reason) => {
                self.log.push(format!("stop {reason}"));
                let process = self.process.take().expect("the supervisor runs");
                for settle in process.exit(&reason, true) {
                    self.settle(settle);
                }
                return None;
            }
            Status::Start { start, options } => {
                assert_eq!(options.link_to, Some(ME), "children are linked");
                let outcome = start(&mut self.engine, options);
                match &outcome {
                    Ok(id) => self.log.push(format!("start {id}")),
                    Err(error) => self.log.push(format!("start failed: {error}")),
                }
                self.process().started(outcome);
            }
            // No other process answers: the world holds only the supervisor and its children.
            Status::Call { to, .. } => {
                self.log.push(format!("call {to}"));
                self.process().outcome(Err(CallError::NoProcess));
            }
        }
        Some(self.process().pump())
    }

    /// Carries out a command: timers are kept, signals to children logged.
    fn command(&mut self, command: Command) {
        match command {
            Command::SetTimer { id, after } => {
                self.timers.insert(id, after);
            }
            Command::CancelTimer(id) => {
                self.timers.remove(&id);
            }
            Command::TrapExits(on) => self.trapping = on,
            Command::Exit { to, reason } => self.log.push(format!("exit {to} {reason}")),
            Command::Kill(to) => self.log.push(format!("kill {to}")),
            other => self.log.push(format!("{other:?}")),
        }
    }

    /// Delivers a reply (logged) or buries what is left of the supervisor.
    fn settle(&mut self, settle: Settle<Sup>) {
        let note = match &settle {
            Settle::Recorded(_) | Settle::Answer(..) => Some("reply".to_owned()),
            Settle::Fail(_, error) => Some(format!("failed call: {error}")),
            Settle::Bury(_) => None,
        };
        settle.deliver();
        self.log.extend(note);
    }

    /// Takes what happened since the last time.
    fn take_log(&mut self) -> Vec<String> {
        std::mem::take(&mut self.log)
    }

    /// Child `id` exited with `reason`: the supervisor hears of it through its link.
    pub(super) fn down(&mut self, id: u64, reason: ExitReason) -> Vec<String> {
        assert!(self.trapping, "the supervisor traps exits");
        let from = ProcessId(id);
        self.process().exit_signal(ExitSignal { from, reason });
        self.pump();
        self.take_log()
    }

    /// The first timer still set fires.
    pub(super) fn fire_timer(&mut self) -> Vec<String> {
        let (id, _) = self.timers.pop_first().expect("a timer is set");
        assert!(self.process().fire(id), "the supervisor knows its timer");
        self.pump();
        self.take_log()
    }

    /// Sets the time the supervisor sees from now on to `secs` seconds.
    pub(super) fn at(&mut self, secs: u64) -> &mut Self {
        self.process().set_now(Duration::from_secs(secs));
        self
    }

    /// The test calls the supervisor; its answer lands in the returned slot.
    pub(super) fn call(&mut self, request: SupervisorCall) -> Answer {
        self.calls += 1;
        let answer = Answer::default();
        let sink = std::sync::Arc::new(answer.clone());
        let token = ReplyTo::new(TESTER, CallTag(self.calls), sink);
        self.process().call(request, token);
        self.pump();
        answer
    }

    /// The children's processes, in start order, as `WhichChildren` answers (a query that
    /// leaves no trace in the log).
    pub(super) fn children(&mut self) -> Vec<Option<u64>> {
        let before = self.take_log();
        let answer = self.call(SupervisorCall::WhichChildren);
        let log = std::mem::replace(&mut self.log, before);
        assert_eq!(log, ["reply"], "a query is answered at once, and only that");
        match answer.get() {
            Some(Ok(SupervisorReply::Children(children))) => children
                .into_iter()
                .map(|child| child.process.map(|id| id.0))
                .collect(),
            other => panic!("unexpected answer {other:?}"),
        }
    }
}
