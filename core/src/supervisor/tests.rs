//! The supervisor's decisions: it runs in the process machine, as on both engines, in a
//! small world ([`harness`]) that logs what reaches its children.

mod harness;

use super::*;
use crate::engine::Process;
use harness::{FakeEngine, Harness, ME};

/// A child that does nothing; its init argument is its label (one starting with "broken"
/// refuses to start).
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

/// A supervisor of workers labelled `labels` (each its own child id), with the defaults.
fn spec(strategy: Strategy, labels: &[&'static str]) -> SupervisorSpec<FakeEngine> {
    labels
        .iter()
        .fold(SupervisorSpec::new(strategy), |spec, &label| {
            spec.child(ChildSpec::new::<Worker>(label, move || label))
        })
}

/// A child's abnormal exit.
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
    let stopped = h.call(SupervisorCall::Stop);
    assert_eq!(stopped.get(), None, "answered once all are down");
    assert_eq!(std::mem::take(&mut h.log), ["exit <2> shutdown"]);
    assert_eq!(h.fire_timer(), ["kill <2>"]);
    assert_eq!(h.down(2, ExitReason::Killed), ["exit <1> shutdown"]);
    assert_eq!(h.down(1, ExitReason::Shutdown), ["reply", "stop shutdown"]);
    assert_eq!(stopped.get(), Some(Ok(SupervisorReply::Stopped)));
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
    let refused = Process::<Supervisor<FakeEngine>>::init(spec, Ctx::new(ME)).err();
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
