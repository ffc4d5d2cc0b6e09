//! The supervisor's decisions, driven by hand with a fake engine that records every effect.

use std::any::Any;
use std::collections::BTreeMap;
use std::time::Duration;

use super::*;
use crate::{Command, Effect, Spawn, TimerId};

/// A child that does nothing; its init argument is its label.
struct Worker;

impl GenServer for Worker {
    type Args = &'static str;
    type Call = ();
    type Reply = ();
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(label: &'static str, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        if label.starts_with("broken") {
            return Err(ExitReason::error("no config"));
        }
        Ok(Worker)
    }

    fn handle_call(&mut self, _: (), _: ReplyTo<()>, _: &mut Ctx<Self>) -> CallResult<()> {
        CallResult::Reply(())
    }
}

/// Hands out ids 1, 2, 3, ... and runs `init` so a child can fail to start.
#[derive(Default)]
struct FakeEngine {
    next: u64,
    /// The next this many starts fail as if `init` had refused.
    failing: usize,
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

/// A reply sink that keeps nothing (the harness logs replies as effects).
struct Nowhere;

impl<R> crate::engine::ReplySink<R> for Nowhere {
    fn deliver(&self, _: Result<R, crate::CallError>) -> bool {
        true
    }
}

fn token() -> ReplyTo<SupervisorReply> {
    ReplyTo::new(ProcessId(0), crate::CallTag(1), Box::new(Nowhere))
}

/// A supervisor, its context, the engine, and a log of what it asked for.
struct Harness {
    sup: Option<Supervisor<FakeEngine>>,
    ctx: Ctx<Supervisor<FakeEngine>>,
    engine: FakeEngine,
    timers: BTreeMap<TimerId, SupervisorInfo>,
    log: Vec<String>,
}

const ME: ProcessId = ProcessId(100);

impl Harness {
    fn start(spec: SupervisorSpec<FakeEngine>) -> Self {
        Self::start_with(spec, FakeEngine::default())
    }

    fn start_with(spec: SupervisorSpec<FakeEngine>, engine: FakeEngine) -> Self {
        let mut ctx = Ctx::new(ME);
        let sup = Supervisor::init(spec, &mut ctx).expect("the supervisor starts");
        let mut harness = Harness {
            sup: Some(sup),
            ctx,
            engine,
            timers: BTreeMap::new(),
            log: Vec::new(),
        };
        harness.apply();
        harness
    }

    /// Applies the recorded effects like an engine, outcomes of starts first.
    fn apply(&mut self) {
        for effect in self.ctx.take_effects() {
            match effect {
                Effect::Start {
                    start,
                    options,
                    on_started,
                } => {
                    let outcome = start(&mut self.engine as &mut dyn Any, options.clone());
                    match &outcome {
                        Ok(id) => self.log.push(format!("start {id}")),
                        Err(error) => self.log.push(format!("start failed: {error}")),
                    }
                    assert_eq!(options.link_to, Some(ME), "children are linked");
                    let info = on_started(outcome);
                    let (sup, ctx) = (self.sup.as_mut().unwrap(), &mut self.ctx);
                    sup.handle_info(info, ctx);
                    self.apply();
                }
                Effect::SetTimer { id, msg, .. } => {
                    self.timers.insert(id, msg);
                }
                Effect::Command(Command::CancelTimer(id)) => {
                    self.timers.remove(&id);
                }
                Effect::Command(Command::Exit { to, reason }) => {
                    self.log.push(format!("exit {to} {reason}"))
                }
                Effect::Command(Command::Kill(to)) => self.log.push(format!("kill {to}")),
                Effect::Stop(reason) => {
                    self.log.push(format!("stop {reason}"));
                    self.sup = None;
                }
                Effect::Reply { send, .. } => {
                    send();
                    self.log.push("reply".into());
                }
                Effect::Command(Command::TrapExits(true)) => {}
                other => panic!("unexpected effect {other:?}"),
            }
        }
    }

    /// Child `id` exited with `reason`: the supervisor hears of it through its link.
    fn down(&mut self, id: u64, reason: ExitReason) -> Vec<String> {
        let signal = ExitSignal {
            from: ProcessId(id),
            reason,
        };
        let (sup, ctx) = (self.sup.as_mut().unwrap(), &mut self.ctx);
        sup.handle_exit(signal, ctx);
        self.apply();
        std::mem::take(&mut self.log)
    }

    /// The next shutdown timer fires.
    fn fire_timer(&mut self) -> Vec<String> {
        let (_, msg) = self.timers.pop_first().expect("a timer is set");
        let (sup, ctx) = (self.sup.as_mut().unwrap(), &mut self.ctx);
        sup.handle_info(msg, ctx);
        self.apply();
        std::mem::take(&mut self.log)
    }

    fn at(&mut self, secs: u64) -> &mut Self {
        self.ctx.set_now(Duration::from_secs(secs));
        self
    }

    fn children(&mut self) -> Vec<Option<u64>> {
        let from = token();
        let (sup, ctx) = (self.sup.as_mut().unwrap(), &mut self.ctx);
        match sup.handle_call(SupervisorCall::WhichChildren, from, ctx) {
            CallResult::Reply(SupervisorReply::Children(children)) => children
                .into_iter()
                .map(|child| child.process.map(|id| id.0))
                .collect(),
            other => panic!("unexpected answer {other:?}"),
        }
    }
}

fn spec(strategy: Strategy, labels: &[&'static str]) -> SupervisorSpec<FakeEngine> {
    labels
        .iter()
        .fold(SupervisorSpec::new(strategy), |spec, &label| {
            spec.child(ChildSpec::new::<Worker>(label, move || label))
        })
}

fn crash() -> ExitReason {
    ExitReason::error("crash")
}

#[test]
fn children_start_in_order_linked_to_the_supervisor() {
    let mut h = Harness::start(spec(Strategy::OneForOne, &["a", "b", "c"]));
    assert_eq!(h.log, ["start <1>", "start <2>", "start <3>"]);
    assert_eq!(h.children(), [Some(1), Some(2), Some(3)]);
}

#[test]
fn one_for_one_restarts_only_the_child_that_exited() {
    let mut h = Harness::start(spec(Strategy::OneForOne, &["a", "b", "c"]));
    h.log.clear();
    assert_eq!(h.down(2, crash()), ["start <4>"]);
    assert_eq!(h.children(), [Some(1), Some(4), Some(3)]);
}

#[test]
fn one_for_all_stops_the_others_in_reverse_order_then_restarts_all_in_order() {
    let mut h = Harness::start(spec(Strategy::OneForAll, &["a", "b", "c"]));
    h.log.clear();
    assert_eq!(h.down(2, crash()), ["exit <3> shutdown"]);
    assert_eq!(h.down(3, ExitReason::Shutdown), ["exit <1> shutdown"]);
    assert_eq!(
        h.down(1, ExitReason::Shutdown),
        ["start <4>", "start <5>", "start <6>"]
    );
    assert_eq!(h.children(), [Some(4), Some(5), Some(6)]);
}

#[test]
fn rest_for_one_restarts_the_child_and_those_started_after_it() {
    let mut h = Harness::start(spec(Strategy::RestForOne, &["a", "b", "c", "d"]));
    h.log.clear();
    assert_eq!(h.down(2, crash()), ["exit <4> shutdown"]);
    assert_eq!(h.down(4, ExitReason::Shutdown), ["exit <3> shutdown"]);
    assert_eq!(
        h.down(3, ExitReason::Shutdown),
        ["start <5>", "start <6>", "start <7>"]
    );
    assert_eq!(h.children(), [Some(1), Some(5), Some(6), Some(7)]);
}

#[test]
fn restart_types_decide_who_comes_back() {
    let spec = SupervisorSpec::new(Strategy::OneForOne)
        .child(ChildSpec::new::<Worker>("perm", || "perm"))
        .child(ChildSpec::new::<Worker>("trans", || "trans").restart(Restart::Transient))
        .child(ChildSpec::new::<Worker>("temp", || "temp").restart(Restart::Temporary));
    let mut h = Harness::start(spec);
    h.log.clear();
    // Permanent: back even after a normal exit.
    assert_eq!(h.down(1, ExitReason::Normal), ["start <4>"]);
    // Transient: not after a normal exit or a shutdown, but after a crash.
    assert!(h.down(2, ExitReason::Normal).is_empty());
    assert_eq!(h.children(), [Some(4), None, Some(3)]);
    // Temporary: never, and forgotten.
    assert!(h.down(3, crash()).is_empty());
    assert_eq!(h.children(), [Some(4), None]);
}

#[test]
fn a_transient_child_is_restarted_after_a_crash() {
    let spec = SupervisorSpec::new(Strategy::OneForOne)
        .child(ChildSpec::new::<Worker>("trans", || "trans").restart(Restart::Transient));
    let mut h = Harness::start(spec);
    h.log.clear();
    assert_eq!(h.down(1, crash()), ["start <2>"]);
}

#[test]
fn a_fourth_restart_within_five_seconds_stops_children_in_reverse_and_the_supervisor() {
    let mut h = Harness::start(spec(Strategy::OneForOne, &["a", "b"]));
    h.log.clear();
    assert_eq!(h.at(0).down(1, crash()), ["start <3>"]);
    assert_eq!(h.at(1).down(3, crash()), ["start <4>"]);
    assert_eq!(h.at(2).down(4, crash()), ["start <5>"]);
    assert_eq!(h.at(3).down(5, crash()), ["exit <2> shutdown"]);
    assert_eq!(
        h.down(2, ExitReason::Shutdown),
        ["stop error: reached max restart intensity"]
    );
}

#[test]
fn restarts_spread_out_in_time_go_on_for_ever() {
    let mut h = Harness::start(spec(Strategy::OneForOne, &["a"]));
    h.log.clear();
    let mut id = 1;
    for at in 0..20 {
        let log = h.at(at * 2).down(id, crash());
        id += 1;
        assert_eq!(log, [format!("start <{id}>")]);
    }
}

#[test]
fn a_child_that_ignores_shutdown_is_killed_when_its_timeout_fires() {
    let spec = SupervisorSpec::new(Strategy::OneForOne)
        .child(ChildSpec::new::<Worker>("a", || "a"))
        .child(ChildSpec::new::<Worker>("b", || "b"));
    let mut h = Harness::start(spec);
    h.log.clear();
    let stopped = token();
    let (sup, ctx) = (h.sup.as_mut().unwrap(), &mut h.ctx);
    let answer = sup.handle_call(SupervisorCall::Stop, stopped, ctx);
    assert_eq!(answer, CallResult::NoReply);
    h.apply();
    assert_eq!(std::mem::take(&mut h.log), ["exit <2> shutdown"]);
    assert_eq!(h.fire_timer(), ["kill <2>"]);
    assert_eq!(h.down(2, ExitReason::Killed), ["exit <1> shutdown"]);
    assert_eq!(h.down(1, ExitReason::Shutdown), ["reply", "stop shutdown"]);
}

#[test]
fn brutal_kill_children_are_killed_without_a_shutdown_signal() {
    let spec = SupervisorSpec::new(Strategy::OneForAll)
        .child(ChildSpec::new::<Worker>("a", || "a").shutdown(Shutdown::BrutalKill))
        .child(ChildSpec::new::<Worker>("b", || "b"));
    let mut h = Harness::start(spec);
    h.log.clear();
    assert_eq!(h.down(2, crash()), ["kill <1>"]);
    assert_eq!(h.down(1, ExitReason::Killed), ["start <3>", "start <4>"]);
}

#[test]
fn a_child_that_cannot_start_at_first_stops_the_supervisor_and_its_started_siblings() {
    let h = Harness::start(spec(Strategy::OneForOne, &["a", "b", "broken", "d"]));
    assert_eq!(
        h.log,
        [
            "start <1>",
            "start <2>",
            "start failed: init failed: error: no config",
            "exit <2> shutdown",
            "exit <1> shutdown",
            "stop error: child \"broken\" failed to start: init failed: error: no config",
        ]
    );
}

#[test]
fn a_failed_restart_counts_as_a_restart_and_is_tried_again() {
    let mut h = Harness::start(spec(Strategy::OneForOne, &["a"]));
    h.log.clear();
    h.engine.failing = 2;
    assert_eq!(
        h.down(1, crash()),
        [
            "start failed: init failed: error: refused",
            "start failed: init failed: error: refused",
            "start <2>"
        ]
    );
    h.engine.failing = 10;
    let log = h.at(10).down(2, crash());
    assert_eq!(
        log.last().map(String::as_str),
        Some("stop error: child \"a\" failed to start: init failed: error: refused")
    );
}

#[test]
fn an_exit_signal_from_a_non_child_shuts_everything_down() {
    let mut h = Harness::start(spec(Strategy::OneForOne, &["a", "b"]));
    h.log.clear();
    assert!(
        h.down(50, ExitReason::Normal).is_empty(),
        "normal is ignored"
    );
    assert_eq!(h.down(50, ExitReason::Shutdown), ["exit <2> shutdown"]);
    assert_eq!(h.down(2, ExitReason::Shutdown), ["exit <1> shutdown"]);
    assert_eq!(h.down(1, ExitReason::Shutdown), ["stop shutdown"]);
}

#[test]
fn a_crash_during_a_restart_is_handled_after_it() {
    let mut h = Harness::start(spec(Strategy::RestForOne, &["a", "b", "c"]));
    h.log.clear();
    assert_eq!(h.down(2, crash()), ["exit <3> shutdown"]);
    // "a" is not in b's group: its crash waits until the group is back.
    assert!(h.down(1, crash()).is_empty());
    // Then "a"'s own group, everyone, stops one at a time in reverse and restarts in order.
    assert_eq!(
        h.down(3, ExitReason::Shutdown),
        ["start <4>", "start <5>", "exit <5> shutdown"]
    );
    assert_eq!(h.down(5, ExitReason::Shutdown), ["exit <4> shutdown"]);
    assert_eq!(
        h.down(4, ExitReason::Shutdown),
        ["start <6>", "start <7>", "start <8>"]
    );
    assert_eq!(h.children(), [Some(6), Some(7), Some(8)]);
}

#[test]
fn duplicate_child_ids_are_refused() {
    let spec = spec(Strategy::OneForOne, &["a", "a"]);
    let refused = Supervisor::init(spec, &mut Ctx::new(ME)).err();
    assert_eq!(refused, Some(ExitReason::error("duplicate child id \"a\"")));
}

#[test]
fn a_temporary_sibling_stopped_by_one_for_all_is_not_restarted() {
    let spec = SupervisorSpec::new(Strategy::OneForAll)
        .child(ChildSpec::new::<Worker>("a", || "a"))
        .child(ChildSpec::new::<Worker>("temp", || "temp").restart(Restart::Temporary));
    let mut h = Harness::start(spec);
    h.log.clear();
    assert_eq!(h.down(1, crash()), ["exit <2> shutdown"]);
    assert_eq!(h.down(2, ExitReason::Shutdown), ["start <3>"]);
    assert_eq!(h.children(), [Some(3)]);
}
