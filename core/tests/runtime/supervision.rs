//! The supervisor of `genserver::supervisor` on the threaded runtime: strategies, restart
//! types, intensity, start and stop order, shutdown timeouts, fresh instances under a name.

use std::time::Duration;

use genserver::runtime::Spawner;
use genserver::supervisor::{
    ChildInfo, ChildSpec, Restart, Shutdown, Strategy, Supervisor, SupervisorCall, SupervisorReply,
    SupervisorSpec,
};
use genserver::{CallError, ExitReason, ProcessId, Runtime, Server};
use genserver_checks::node::{Cast, Cmd, Gate, Journal, LONG, NodeArgs, Request};

use crate::nodes::{N, await_dead, await_line, lifecycle, order, plain, wait_until};

type Sup = Supervisor<Spawner>;

/// A child node labelled `label`, journaling to `j`.
fn worker(label: &'static str, j: &Journal) -> ChildSpec<Spawner> {
    let j = j.clone();
    ChildSpec::new::<N>(label, move || NodeArgs::new(label, &j))
}

/// A worker that traps exits and so ignores a supervisor's `shutdown` signal.
fn stubborn(label: &'static str, j: &Journal) -> ChildSpec<Spawner> {
    let j = j.clone();
    ChildSpec::new::<N>(label, move || NodeArgs::new(label, &j).trapping())
}

/// Starts a supervisor from `spec`, named `sup` in the journal.
fn supervise(rt: &Runtime, j: &Journal, spec: SupervisorSpec<Spawner>) -> Server<Sup> {
    let sup = rt.start::<Sup>(spec).expect("the supervisor starts");
    j.name(sup.id(), "sup");
    sup
}

/// A fresh runtime and journal, and on them a supervisor started from `spec` (named `sup` in
/// the journal) with the children that `children` makes for that journal.
fn start(
    spec: SupervisorSpec<Spawner>,
    children: impl FnOnce(&Journal) -> Vec<ChildSpec<Spawner>>,
) -> (Runtime, Journal, Server<Sup>) {
    let (rt, j) = (Runtime::new(), Journal::new());
    let mut spec = spec;
    spec.children = children(&j);
    let sup = supervise(&rt, &j, spec);
    (rt, j, sup)
}

/// A one-for-one supervisor with the default intensity.
fn one_for_one() -> SupervisorSpec<Spawner> {
    SupervisorSpec::new(Strategy::OneForOne)
}

/// Three workers, `a`, `b` and `c`.
fn abc(j: &Journal) -> Vec<ChildSpec<Spawner>> {
    ["a", "b", "c"].map(|label| worker(label, j)).into()
}

fn children(sup: &Server<Sup>) -> Vec<ChildInfo> {
    match sup.call_timeout(SupervisorCall::WhichChildren, LONG) {
        Ok(SupervisorReply::Children(children)) => children,
        other => panic!("which_children gave {other:?}"),
    }
}

fn child_id(sup: &Server<Sup>, id: &str) -> Option<ProcessId> {
    children(sup)
        .into_iter()
        .find(|child| child.id == id)
        .and_then(|child| child.process)
}

/// Waits (bounded) until child `id` runs as an instance other than `old`; returns it.
fn await_restart(sup: &Server<Sup>, id: &str, old: ProcessId) -> ProcessId {
    let mut new = None;
    wait_until(
        || {
            new = child_id(sup, id).filter(|&process| process != old);
            new.is_some()
        },
        || format!("child {id} was never restarted"),
    );
    new.unwrap()
}

fn crash(rt: &Runtime, id: ProcessId, why: &str) {
    rt.resolve(genserver::ServerRef::<N>::new(id))
        .expect("the child runs")
        .cast(Cast::Do(vec![Cmd::Stop(ExitReason::error(why))]));
}

/// Stops the supervisor and waits (bounded) until it is gone.
fn stop(rt: &Runtime, sup: &Server<Sup>) {
    assert_eq!(
        sup.call_timeout(SupervisorCall::Stop, LONG),
        Ok(SupervisorReply::Stopped)
    );
    await_dead(rt, sup.id());
}

/// The journal lines of the nodes `labels` terminating for a supervisor's `shutdown`, in
/// that order.
fn shut_down(labels: &[&str]) -> Vec<String> {
    (labels.iter())
        .map(|label| format!("{label}: terminate shutdown"))
        .collect()
}

#[test]
fn children_start_in_order_before_start_returns_and_stop_in_reverse() {
    let (rt, j, sup) = start(one_for_one(), abc);
    assert_eq!(lifecycle(&j), ["a: init", "b: init", "c: init"]);
    let ids: Vec<_> = children(&sup).iter().map(|c| c.id.clone()).collect();
    assert_eq!(ids, ["a", "b", "c"]);
    stop(&rt, &sup);
    assert_eq!(lifecycle(&j)[3..], shut_down(&["c", "b", "a"]));
}

#[test]
fn one_for_one_restarts_only_the_child_that_exited() {
    let (rt, j, sup) = start(one_for_one(), abc);
    let before: Vec<_> = children(&sup).iter().map(|c| c.process).collect();
    let b = before[1].unwrap();
    crash(&rt, b, "b crashed");
    let new_b = await_restart(&sup, "b", b);
    let after: Vec<_> = children(&sup).iter().map(|c| c.process).collect();
    assert_eq!(after, [before[0], Some(new_b), before[2]]);
    assert_eq!(
        lifecycle(&j)[3..],
        ["b: terminate error: b crashed", "b: init"]
    );
}

#[test]
fn one_for_all_stops_the_others_in_reverse_and_restarts_all_in_order() {
    let (rt, j, sup) = start(SupervisorSpec::new(Strategy::OneForAll), abc);
    let c = child_id(&sup, "c").unwrap();
    let b = child_id(&sup, "b").unwrap();
    crash(&rt, b, "b crashed");
    await_restart(&sup, "b", b);
    await_restart(&sup, "c", c);
    assert_eq!(
        lifecycle(&j)[3..],
        [
            "b: terminate error: b crashed",
            "c: terminate shutdown",
            "a: terminate shutdown",
            "a: init",
            "b: init",
            "c: init",
        ]
    );
}

#[test]
fn rest_for_one_restarts_the_child_and_those_started_after_it() {
    let (rt, j, sup) = start(SupervisorSpec::new(Strategy::RestForOne), abc);
    let a = child_id(&sup, "a").unwrap();
    let b = child_id(&sup, "b").unwrap();
    let c = child_id(&sup, "c").unwrap();
    crash(&rt, b, "b crashed");
    await_restart(&sup, "b", b);
    await_restart(&sup, "c", c);
    assert_eq!(child_id(&sup, "a"), Some(a));
    assert_eq!(
        lifecycle(&j)[3..],
        [
            "b: terminate error: b crashed",
            "c: terminate shutdown",
            "b: init",
            "c: init",
        ]
    );
}

#[test]
fn permanent_transient_and_temporary_children() {
    let (rt, _, sup) = start(one_for_one(), |j| {
        vec![
            worker("p", j),
            worker("t", j).restart(Restart::Transient),
            worker("tmp", j).restart(Restart::Temporary),
        ]
    });
    let [p, t, tmp] = ["p", "t", "tmp"].map(|id| child_id(&sup, id).unwrap());
    for id in [p, t, tmp] {
        rt.resolve(genserver::ServerRef::<N>::new(id))
            .unwrap()
            .stop(ExitReason::Normal)
            .unwrap();
    }
    // A permanent child is restarted even after a normal exit.
    await_restart(&sup, "p", p);
    // The supervisor has handled all three exits once the temporary child is forgotten.
    wait_until(
        || children(&sup).iter().all(|child| child.id != "tmp"),
        || "the temporary child was never forgotten".into(),
    );
    assert_eq!(child_id(&sup, "t"), None);
    // A transient child is not restarted after a normal exit, but is after an abnormal one.
    let j2 = Journal::new();
    let spec = one_for_one().child(worker("t2", &j2).restart(Restart::Transient));
    let sup2 = supervise(&rt, &j2, spec);
    let t2 = child_id(&sup2, "t2").unwrap();
    crash(&rt, t2, "t2 crashed");
    await_restart(&sup2, "t2", t2);
}

#[test]
fn too_many_restarts_stop_the_supervisor_and_its_children() {
    let spec = one_for_one().intensity(1, Duration::from_secs(60));
    let (rt, j, sup) = start(spec, |j| vec![worker("a", j), worker("b", j)]);
    let watcher = plain(&rt, "w", &j);
    let m = order(&watcher, vec![Cmd::Monitor("sup".into())]);
    let b = child_id(&sup, "b").unwrap();
    crash(&rt, b, "first");
    let b = await_restart(&sup, "b", b);
    crash(&rt, b, "second");
    let down = format!(
        "w: down m{} from sup: error: reached max restart intensity",
        m.0
    );
    await_line(&j, &down);
    assert_eq!(
        lifecycle(&j)[2..],
        [
            "w: init".to_owned(),
            "b: terminate error: first".to_owned(),
            "b: init".to_owned(),
            "b: terminate error: second".to_owned(),
            "a: terminate shutdown".to_owned(),
            down,
        ]
    );
}

#[test]
fn a_child_that_ignores_shutdown_is_killed_after_its_timeout() {
    let (rt, j, sup) = start(one_for_one(), |j| {
        let timeout = Shutdown::Timeout(Duration::from_millis(30));
        vec![worker("a", j), stubborn("s", j).shutdown(timeout)]
    });
    let s = child_id(&sup, "s").unwrap();
    let watcher = plain(&rt, "w", &j);
    let m = order(&watcher, vec![Cmd::Monitor(s.into())]);
    stop(&rt, &sup);
    await_line(&j, &format!("w: down m{} from s: killed", m.0));
    let mut seen = lifecycle(&j);
    // A child thread that got no CPU for the whole timeout is killed before it even sees
    // the shutdown signal (it traps it when it does): both are the rule.
    seen.retain(|entry| entry != "s: exit from sup: shutdown");
    // The watcher's `Down` and the next child's stop race each other.
    seen[3..].sort();
    assert_eq!(
        seen,
        [
            "a: init".to_owned(),
            "s: init".to_owned(),
            "w: init".to_owned(),
            "a: terminate shutdown".to_owned(),
            format!("w: down m{} from s: killed", m.0),
        ]
    );
}

#[test]
fn a_restarted_child_is_a_fresh_instance_under_its_name() {
    let (rt, _, sup) = start(one_for_one(), |j| vec![worker("w", j).named("worker")]);
    let old = rt.whereis::<N>("worker").unwrap();
    rt.kill(old.id());
    let new_id = await_restart(&sup, "w", old.id());
    let new = rt.whereis::<N>("worker").unwrap();
    assert_eq!(new.id(), new_id);
    assert_ne!(new.id(), old.id());
    assert_eq!(
        old.call_timeout(Request::Echo(1), LONG)
            .map_err(CallError::from),
        Err(CallError::NoProcess)
    );
    assert_eq!(new.call_timeout(Request::Echo(2), LONG), Ok(2));
}

#[test]
fn a_shutdown_timeout_does_not_wait_for_a_slow_terminate() {
    let (release, gate) = std::sync::mpsc::channel();
    let gate = Gate::new(gate);
    let (rt, j, sup) = start(one_for_one(), |j| {
        let journal = j.clone();
        let slow = ChildSpec::new::<N>("slow", move || {
            let mut args = NodeArgs::new("slow", &journal);
            args.terminate_gate = Some(gate.clone());
            args
        });
        vec![
            worker("a", j),
            slow.shutdown(Shutdown::Timeout(Duration::from_millis(100))),
        ]
    });
    let s = child_id(&sup, "slow").unwrap();
    // The stop completes while `slow` is still inside its `terminate` (the gate is shut):
    // it was killed after its timeout.
    stop(&rt, &sup);
    assert!(!rt.is_alive(s));
    let ends = lifecycle(&j)[2..].to_vec();
    if ends.len() == 1 {
        // A thread that got no CPU for the whole timeout was killed before `terminate`.
        assert_eq!(ends, ["a: terminate shutdown"]);
        return;
    }
    assert_eq!(ends, ["slow: terminating", "a: terminate shutdown"]);
    release.send(()).unwrap();
    await_line(&j, "slow: terminate shutdown");
}

#[test]
fn a_supervisor_whose_child_cannot_start_does_not_start_and_stops_the_others() {
    let rt = Runtime::new();
    let j = Journal::new();
    let broken = {
        let j = j.clone();
        ChildSpec::new::<N>("b", move || {
            NodeArgs::new("b", &j).failing(ExitReason::error("no config"))
        })
    };
    let spec = one_for_one()
        .child(worker("a", &j))
        .child(broken)
        .child(worker("c", &j));
    let error = rt.start::<Sup>(spec).unwrap_err();
    assert_eq!(
        error,
        genserver::StartError::Init(ExitReason::error(
            "child \"b\" failed to start: init failed: error: no config"
        ))
    );
    await_line(&j, "a: terminate shutdown");
    assert_eq!(
        lifecycle(&j),
        [
            "a: init",
            "b: init fails: error: no config",
            "a: terminate shutdown"
        ]
    );
}

#[test]
fn a_killed_supervisor_takes_its_children_down_through_their_links() {
    let (rt, j, sup) = start(one_for_one(), |j| vec![worker("a", j), worker("b", j)]);
    let (a, b) = (child_id(&sup, "a").unwrap(), child_id(&sup, "b").unwrap());
    rt.kill(sup.id());
    await_dead(&rt, a);
    await_dead(&rt, b);
    let mut ends = lifecycle(&j)[2..].to_vec();
    ends.sort();
    assert_eq!(ends, ["a: terminate killed", "b: terminate killed"]);
}

#[test]
fn nested_supervisors_stop_depth_first_in_reverse_order() {
    let (rt, j, top) = start(one_for_one(), |j| {
        let inner = {
            let j = j.clone();
            ChildSpec::new::<Sup>("inner", move || {
                one_for_one()
                    .child(worker("i1", &j))
                    .child(worker("i2", &j))
            })
        };
        vec![
            worker("a", j),
            inner.shutdown(Shutdown::Infinity),
            worker("z", j),
        ]
    });
    assert_eq!(
        lifecycle(&j),
        ["a: init", "i1: init", "i2: init", "z: init"]
    );
    stop(&rt, &top);
    assert_eq!(lifecycle(&j)[4..], shut_down(&["z", "i2", "i1", "a"]));
}

#[test]
fn restarts_older_than_the_intensity_window_no_longer_count() {
    // Wide enough that a loaded machine handles a restart and a crash well within it.
    let window = Duration::from_secs(1);
    let (rt, _, sup) = start(one_for_one().intensity(1, window), |j| vec![worker("a", j)]);
    let a = child_id(&sup, "a").unwrap();
    crash(&rt, a, "first");
    let a = await_restart(&sup, "a", a);
    // Let the first restart leave the window (measured with `Ctx::now`, the runtime's clock).
    std::thread::sleep(window * 2);
    crash(&rt, a, "second");
    let a = await_restart(&sup, "a", a);
    assert!(sup.is_alive());
    // Two restarts within the window are one too many.
    crash(&rt, a, "third");
    await_dead(&rt, sup.id());
}

/// Each label's instances started minus those that terminated.
fn live_instances(j: &Journal, label: &str) -> i64 {
    let lines = j.of(label);
    let count = |what: &str| lines.iter().filter(|l| l.starts_with(what)).count() as i64;
    count("init") - count("terminate ")
}

#[test]
fn two_children_crashing_at_once_under_one_for_all_leave_one_instance_of_each() {
    for _ in 0..20 {
        let spec = SupervisorSpec::new(Strategy::OneForAll).intensity(10, Duration::from_secs(60));
        let (rt, j, sup) = start(spec, abc);
        let (a, c) = (child_id(&sup, "a").unwrap(), child_id(&sup, "c").unwrap());
        crash(&rt, a, "a crashed");
        // c may already be stopped by the restart of a: then there is one crash only.
        if let Some(c) = rt.resolve(genserver::ServerRef::<N>::new(c)) {
            c.cast(Cast::Do(vec![Cmd::Stop(ExitReason::error("c crashed"))]));
        }
        wait_until(
            || {
                let children = children(&sup);
                children
                    .iter()
                    .all(|child| child.process.is_some_and(|p| rt.is_alive(p)))
                    && ["a", "b", "c"]
                        .iter()
                        .all(|tag| live_instances(&j, tag) == 1)
                    && !children
                        .iter()
                        .any(|child| child.process == Some(a) || child.process == Some(c))
            },
            || {
                format!(
                    "inconsistent after two crashes: {:?} {:?}",
                    children(&sup),
                    lifecycle(&j)
                )
            },
        );
        stop(&rt, &sup);
        for tag in ["a", "b", "c"] {
            assert_eq!(live_instances(&j, tag), 0, "{:?}", lifecycle(&j));
        }
    }
}
