//! Links and exit signals (rules 1-4): abnormal exits propagate, normal ones do not,
//! trapping turns them into `handle_exit`, unlinking stops them, linking to a dead process
//! is an exit signal "no such process".

use std::sync::mpsc::channel;

use genserver::{CallError, ExitReason, Runtime};
use genserver_checks::node::{Cast, Cmd, Gate, Journal, LONG, NodeArgs, Request};

use crate::nodes::{await_dead, await_line, events, order, plain, spawn};

#[test]
fn an_abnormal_exit_takes_a_linked_process_down_running_its_terminate() {
    let rt = Runtime::new();
    let j = Journal::new();
    let (a, b) = (plain(&rt, "a", &j), plain(&rt, "b", &j));
    order(&a, vec![Cmd::Link("b".into())]);
    b.cast(Cast::Do(vec![Cmd::Stop(ExitReason::error("crash"))]));
    await_dead(&rt, a.id());
    assert_eq!(
        events(&j),
        ["b: terminate error: crash", "a: terminate error: crash"]
    );
    assert_eq!(
        a.call_timeout(Request::Echo(1), LONG)
            .map_err(CallError::from),
        Err(CallError::NoProcess)
    );
}

#[test]
fn a_link_works_both_ways() {
    let rt = Runtime::new();
    let j = Journal::new();
    let (a, b) = (plain(&rt, "a", &j), plain(&rt, "b", &j));
    order(&a, vec![Cmd::Link("b".into())]);
    a.cast(Cast::Do(vec![Cmd::Stop(ExitReason::error("a crashed"))]));
    await_dead(&rt, b.id());
    assert_eq!(
        events(&j),
        [
            "a: terminate error: a crashed",
            "b: terminate error: a crashed"
        ]
    );
}

#[test]
fn a_normal_exit_does_not_propagate() {
    let rt = Runtime::new();
    let j = Journal::new();
    let (a, b) = (plain(&rt, "a", &j), plain(&rt, "b", &j));
    order(&a, vec![Cmd::Link("b".into())]);
    b.stop(ExitReason::Normal).unwrap();
    await_dead(&rt, b.id());
    assert_eq!(a.call_timeout(Request::Echo(1), LONG), Ok(1));
    assert_eq!(events(&j), ["b: terminate normal"]);
}

#[test]
fn a_trapping_process_gets_exit_signals_as_handle_exit_normal_ones_too() {
    let rt = Runtime::new();
    let j = Journal::new();
    let a = spawn(&rt, NodeArgs::new("a", &j).trapping());
    let (b, c) = (plain(&rt, "b", &j), plain(&rt, "c", &j));
    order(&a, vec![Cmd::Link("b".into()), Cmd::Link("c".into())]);
    b.cast(Cast::Do(vec![Cmd::Stop(ExitReason::error("crash"))]));
    await_line(&j, "a: exit from b: error: crash");
    c.stop(ExitReason::Normal).unwrap();
    await_line(&j, "a: exit from c: normal");
    assert_eq!(a.call_timeout(Request::Echo(1), LONG), Ok(1));
}

#[test]
fn after_an_unlink_an_exit_does_not_propagate_either_way() {
    let rt = Runtime::new();
    let j = Journal::new();
    let (a, b, c) = (
        plain(&rt, "a", &j),
        plain(&rt, "b", &j),
        plain(&rt, "c", &j),
    );
    order(&a, vec![Cmd::Link("b".into()), Cmd::Link("c".into())]);
    order(&a, vec![Cmd::Unlink("b".into())]);
    // c unlinks from its side.
    order(&c, vec![Cmd::Unlink("a".into())]);
    b.stop(ExitReason::error("b crashed")).unwrap();
    await_dead(&rt, b.id());
    assert_eq!(a.call_timeout(Request::Echo(1), LONG), Ok(1));
    a.stop(ExitReason::error("a crashed")).unwrap();
    await_dead(&rt, a.id());
    assert_eq!(c.call_timeout(Request::Echo(2), LONG), Ok(2));
}

#[test]
fn an_exit_signal_in_flight_is_dropped_by_an_unlink() {
    let rt = Runtime::new();
    let j = Journal::new();
    let a = spawn(&rt, NodeArgs::new("a", &j).trapping());
    let b = plain(&rt, "b", &j);
    order(&a, vec![Cmd::Link("b".into())]);
    let (open, gate) = channel();
    let busy = a.call_async(Request::Gate(
        Gate::new(gate),
        vec![Cmd::Unlink("b".into())],
    ));
    await_line(&j, "a: at the gate");
    b.stop(ExitReason::error("b crashed")).unwrap();
    // b has left the registry: its exit signal is in a's mailbox, behind the gate.
    await_dead(&rt, b.id());
    open.send(()).unwrap();
    busy.wait_timeout(LONG).unwrap();
    a.call_timeout(Request::Echo(0), LONG).unwrap();
    assert_eq!(events(&j), ["b: terminate error: b crashed"]);
}

#[test]
fn linking_to_a_dead_process_is_an_exit_signal_no_such_process() {
    let rt = Runtime::new();
    let j = Journal::new();
    let dead = plain(&rt, "dead", &j);
    dead.stop(ExitReason::Normal).unwrap();
    let trapper = spawn(&rt, NodeArgs::new("trapper", &j).trapping());
    order(&trapper, vec![Cmd::Link("dead".into())]);
    await_line(&j, "trapper: exit from dead: no such process");
    let plain_one = plain(&rt, "plain", &j);
    plain_one.cast(Cast::Do(vec![Cmd::Link("dead".into())]));
    await_line(&j, "plain: terminate no such process");
    await_dead(&rt, plain_one.id());
}

#[test]
fn an_unlink_voids_the_no_such_process_signal_of_linking_a_dead_process() {
    // As for any link (and as in the simulator): the signal is the link's, and the unlink
    // that follows at once makes it void.
    let rt = Runtime::new();
    let j = Journal::new();
    let dead = plain(&rt, "dead", &j);
    dead.stop(ExitReason::Normal).unwrap();
    let trapper = spawn(&rt, NodeArgs::new("trapper", &j).trapping());
    order(
        &trapper,
        vec![Cmd::Link("dead".into()), Cmd::Unlink("dead".into())],
    );
    trapper.call_timeout(Request::Echo(0), LONG).unwrap();
    assert!(
        !j.of("trapper").iter().any(|e| e.starts_with("exit")),
        "{:?}",
        j.lines()
    );
}

#[test]
fn an_explicit_exit_signal_follows_rule_two() {
    let rt = Runtime::new();
    let j = Journal::new();
    let sender = plain(&rt, "s", &j);
    let (normal, _trapper, _victim) = (
        plain(&rt, "n", &j),
        spawn(&rt, NodeArgs::new("t", &j).trapping()),
        plain(&rt, "v", &j),
    );
    order(
        &sender,
        vec![
            Cmd::Exit("n".into(), ExitReason::Normal),
            Cmd::Exit("t".into(), ExitReason::Normal),
            Cmd::Exit("v".into(), ExitReason::error("go")),
        ],
    );
    await_line(&j, "t: exit from s: normal");
    await_line(&j, "v: terminate error: go");
    assert_eq!(normal.call_timeout(Request::Echo(1), LONG), Ok(1));
    // Signals from outside the runtime's servers work alike.
    rt.exit(normal.id(), ExitReason::Shutdown);
    await_line(&j, "n: terminate shutdown");
}

#[test]
fn trapping_can_be_turned_off_again() {
    let rt = Runtime::new();
    let j = Journal::new();
    let a = spawn(&rt, NodeArgs::new("a", &j).trapping());
    let b = plain(&rt, "b", &j);
    order(&a, vec![Cmd::Trap(false), Cmd::Link("b".into())]);
    b.stop(ExitReason::error("crash")).unwrap();
    await_dead(&rt, a.id());
    assert_eq!(
        events(&j),
        ["b: terminate error: crash", "a: terminate error: crash"]
    );
}
