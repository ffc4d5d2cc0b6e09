//! Links and exit signals (rules 1-4): abnormal exits propagate, normal ones do not,
//! trapping turns them into `handle_exit`, unlinking stops them, linking to a dead process
//! is an exit signal "no such process".

use std::sync::mpsc::channel;

use genserver::{CallError, ExitReason, Runtime};

use crate::agent::{
    AgentArgs, Call, Cast, Cmd, await_dead, await_entry, events, order, plain, spawn,
};
use crate::probe::{LONG, entries, new_log};

#[test]
fn an_abnormal_exit_takes_a_linked_process_down_running_its_terminate() {
    let rt = Runtime::new();
    let log = new_log();
    let (a, b) = (plain(&rt, "a", &log), plain(&rt, "b", &log));
    order(&a, vec![Cmd::Link(b.id())]);
    b.cast(Cast::Do(vec![Cmd::Stop(ExitReason::error("crash"))]));
    await_dead(&rt, a.id());
    assert_eq!(
        events(&log),
        ["b: terminate error: crash", "a: terminate error: crash"]
    );
    assert_eq!(
        a.call_timeout(Call::Echo(1), LONG),
        Err(CallError::NoProcess)
    );
}

#[test]
fn a_link_works_both_ways() {
    let rt = Runtime::new();
    let log = new_log();
    let (a, b) = (plain(&rt, "a", &log), plain(&rt, "b", &log));
    order(&a, vec![Cmd::Link(b.id())]);
    a.cast(Cast::Do(vec![Cmd::Stop(ExitReason::error("a crashed"))]));
    await_dead(&rt, b.id());
    assert_eq!(
        events(&log),
        [
            "a: terminate error: a crashed",
            "b: terminate error: a crashed"
        ]
    );
}

#[test]
fn a_normal_exit_does_not_propagate() {
    let rt = Runtime::new();
    let log = new_log();
    let (a, b) = (plain(&rt, "a", &log), plain(&rt, "b", &log));
    order(&a, vec![Cmd::Link(b.id())]);
    b.stop(ExitReason::Normal).unwrap();
    await_dead(&rt, b.id());
    assert_eq!(a.call_timeout(Call::Echo(1), LONG), Ok(1));
    assert_eq!(events(&log), ["b: terminate normal"]);
}

#[test]
fn a_trapping_process_gets_exit_signals_as_handle_exit_normal_ones_too() {
    let rt = Runtime::new();
    let log = new_log();
    let a = spawn(&rt, AgentArgs::new("a", &log).trapping());
    let (b, c) = (plain(&rt, "b", &log), plain(&rt, "c", &log));
    order(&a, vec![Cmd::Link(b.id()), Cmd::Link(c.id())]);
    b.cast(Cast::Do(vec![Cmd::Stop(ExitReason::error("crash"))]));
    await_entry(&log, &format!("a: exit {:?} error: crash", b.id()));
    c.stop(ExitReason::Normal).unwrap();
    await_entry(&log, &format!("a: exit {:?} normal", c.id()));
    assert_eq!(a.call_timeout(Call::Echo(1), LONG), Ok(1));
}

#[test]
fn after_an_unlink_an_exit_does_not_propagate_either_way() {
    let rt = Runtime::new();
    let log = new_log();
    let (a, b, c) = (
        plain(&rt, "a", &log),
        plain(&rt, "b", &log),
        plain(&rt, "c", &log),
    );
    order(&a, vec![Cmd::Link(b.id()), Cmd::Link(c.id())]);
    order(&a, vec![Cmd::Unlink(b.id())]);
    // c unlinks from its side.
    order(&c, vec![Cmd::Unlink(a.id())]);
    b.stop(ExitReason::error("b crashed")).unwrap();
    await_dead(&rt, b.id());
    assert_eq!(a.call_timeout(Call::Echo(1), LONG), Ok(1));
    a.stop(ExitReason::error("a crashed")).unwrap();
    await_dead(&rt, a.id());
    assert_eq!(c.call_timeout(Call::Echo(2), LONG), Ok(2));
}

#[test]
fn an_exit_signal_in_flight_is_dropped_by_an_unlink() {
    let rt = Runtime::new();
    let log = new_log();
    let a = spawn(&rt, AgentArgs::new("a", &log).trapping());
    let b = plain(&rt, "b", &log);
    order(&a, vec![Cmd::Link(b.id())]);
    let (open, gate) = channel();
    let busy = a.call_async(Call::Gate(gate, vec![Cmd::Unlink(b.id())]));
    await_entry(&log, "a: at the gate");
    b.stop(ExitReason::error("b crashed")).unwrap();
    // b has left the registry: its exit signal is in a's mailbox, behind the gate.
    await_dead(&rt, b.id());
    open.send(()).unwrap();
    busy.wait_timeout(LONG).unwrap();
    a.call_timeout(Call::Echo(0), LONG).unwrap();
    assert_eq!(events(&log), ["b: terminate error: b crashed"]);
}

#[test]
fn linking_to_a_dead_process_is_an_exit_signal_no_such_process() {
    let rt = Runtime::new();
    let log = new_log();
    let dead = plain(&rt, "dead", &log);
    dead.stop(ExitReason::Normal).unwrap();
    let trapper = spawn(&rt, AgentArgs::new("trapper", &log).trapping());
    order(&trapper, vec![Cmd::Link(dead.id())]);
    await_entry(
        &log,
        &format!("trapper: exit {:?} no such process", dead.id()),
    );
    let plain_one = plain(&rt, "plain", &log);
    plain_one.cast(Cast::Do(vec![Cmd::Link(dead.id())]));
    await_entry(&log, "plain: terminate no such process");
    await_dead(&rt, plain_one.id());
}

#[test]
fn an_unlink_voids_the_no_such_process_signal_of_linking_a_dead_process() {
    // As for any link (and as in the simulator): the signal is the link's, and the unlink
    // that follows at once makes it void.
    let rt = Runtime::new();
    let log = new_log();
    let dead = plain(&rt, "dead", &log);
    dead.stop(ExitReason::Normal).unwrap();
    let trapper = spawn(&rt, AgentArgs::new("trapper", &log).trapping());
    order(&trapper, vec![Cmd::Link(dead.id()), Cmd::Unlink(dead.id())]);
    trapper.call_timeout(Call::Echo(0), LONG).unwrap();
    assert!(
        !entries(&log).iter().any(|e| e.starts_with("trapper: exit")),
        "{:?}",
        entries(&log)
    );
}

#[test]
fn an_explicit_exit_signal_follows_rule_two() {
    let rt = Runtime::new();
    let log = new_log();
    let sender = plain(&rt, "s", &log);
    let (normal, trapper, victim) = (
        plain(&rt, "n", &log),
        spawn(&rt, AgentArgs::new("t", &log).trapping()),
        plain(&rt, "v", &log),
    );
    order(
        &sender,
        vec![
            Cmd::Exit(normal.id(), ExitReason::Normal),
            Cmd::Exit(trapper.id(), ExitReason::Normal),
            Cmd::Exit(victim.id(), ExitReason::error("go")),
        ],
    );
    await_entry(&log, &format!("t: exit {:?} normal", sender.id()));
    await_entry(&log, "v: terminate error: go");
    assert_eq!(normal.call_timeout(Call::Echo(1), LONG), Ok(1));
    // Signals from outside the runtime's servers work alike.
    rt.exit(normal.id(), ExitReason::Shutdown);
    await_entry(&log, "n: terminate shutdown");
}

#[test]
fn trapping_can_be_turned_off_again() {
    let rt = Runtime::new();
    let log = new_log();
    let a = spawn(&rt, AgentArgs::new("a", &log).trapping());
    let b = plain(&rt, "b", &log);
    order(&a, vec![Cmd::Trap(false), Cmd::Link(b.id())]);
    b.stop(ExitReason::error("crash")).unwrap();
    await_dead(&rt, a.id());
    assert_eq!(
        events(&log),
        ["b: terminate error: crash", "a: terminate error: crash"]
    );
}
