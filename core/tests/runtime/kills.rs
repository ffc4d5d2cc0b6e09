//! Kills (rule 2): untrappable, no `terminate`, reason `killed` for monitors and links (where
//! it is trappable); a server blocked in its own call is still taken down; nothing a killed
//! server's running callback asked for is carried out.

use std::sync::mpsc::channel;

use genserver::{CallError, ExitReason, Runtime};
use genserver_checks::node::{Cast, Cmd, Gate, Journal, LONG, NodeArgs, Request};

use crate::nodes::{await_dead, await_held, await_line, events, order, plain, spawn};

#[test]
fn a_kill_is_untrappable_and_skips_terminate() {
    let rt = Runtime::new();
    let j = Journal::new();
    let killer = plain(&rt, "k", &j);
    let victim = spawn(&rt, NodeArgs::new("v", &j).trapping());
    let watcher = plain(&rt, "w", &j);
    let m = order(&watcher, vec![Cmd::Monitor("v".into())]);
    order(&killer, vec![Cmd::Kill("v".into())]);
    let down = format!("w: down m{} from v: killed", m.0);
    await_line(&j, &down);
    assert_eq!(events(&j), [down]);
    assert!(!victim.is_alive());
    assert_eq!(
        victim
            .call_timeout(Request::Echo(1), LONG)
            .map_err(CallError::from),
        Err(CallError::NoProcess)
    );
}

#[test]
fn processes_linked_to_a_killed_one_get_reason_killed_which_they_can_trap() {
    let rt = Runtime::new();
    let j = Journal::new();
    let victim = plain(&rt, "v", &j);
    let trapper = spawn(&rt, NodeArgs::new("t", &j).trapping());
    let linked = plain(&rt, "l", &j);
    order(&trapper, vec![Cmd::Link("v".into())]);
    order(&linked, vec![Cmd::Link("v".into())]);
    rt.kill(victim.id());
    await_line(&j, "t: exit from v: killed");
    await_line(&j, "l: terminate killed");
    await_dead(&rt, linked.id());
    assert_eq!(trapper.call_timeout(Request::Echo(1), LONG), Ok(1));
    assert!(!events(&j).contains(&"v: terminate killed".to_owned()));
}

#[test]
fn a_server_blocked_in_its_own_call_is_still_killed_and_its_outcome_never_handled() {
    let rt = Runtime::new();
    let j = Journal::new();
    let holder = plain(&rt, "h", &j);
    let caller = plain(&rt, "c", &j);
    let watcher = plain(&rt, "w", &j);
    let m = order(&watcher, vec![Cmd::Monitor("c".into())]);
    caller.cast(Cast::Do(vec![
        Cmd::CallHold("h".into()),
        Cmd::Note("h".into(), "after the call".into()),
    ]));
    await_held(&holder, 1);
    rt.kill(caller.id());
    let down = format!("w: down m{} from c: killed", m.0);
    await_line(&j, &down);
    await_dead(&rt, caller.id());
    // Exactly one outcome: the kill took the call, so the late reply is refused.
    assert_eq!(holder.call_timeout(Request::Release(5), LONG), Ok(0));
    assert_eq!(holder.call_timeout(Request::Echo(0), LONG), Ok(0));
    assert_eq!(events(&j), [down]);
}

#[test]
fn a_server_blocked_in_its_own_call_is_taken_down_by_an_untrapped_exit_signal() {
    let rt = Runtime::new();
    let j = Journal::new();
    let holder = plain(&rt, "h", &j);
    let caller = plain(&rt, "c", &j);
    let partner = plain(&rt, "p", &j);
    order(&caller, vec![Cmd::Link("p".into())]);
    caller.cast(Cast::Do(vec![Cmd::CallHold("h".into())]));
    await_held(&holder, 1);
    partner.stop(ExitReason::error("partner died")).unwrap();
    await_line(&j, "c: terminate error: partner died");
    await_dead(&rt, caller.id());
    assert_eq!(holder.call_timeout(Request::Release(5), LONG), Ok(0));
    assert_eq!(
        events(&j),
        [
            "p: terminate error: partner died",
            "c: terminate error: partner died"
        ]
    );
}

#[test]
fn a_trapping_server_blocked_in_a_call_handles_the_signal_after_the_outcome() {
    let rt = Runtime::new();
    let j = Journal::new();
    let holder = plain(&rt, "h", &j);
    let caller = spawn(&rt, NodeArgs::new("c", &j).trapping());
    let partner = plain(&rt, "p", &j);
    order(&caller, vec![Cmd::Link("p".into())]);
    caller.cast(Cast::Do(vec![Cmd::CallHold("h".into())]));
    await_held(&holder, 1);
    partner.stop(ExitReason::error("partner died")).unwrap();
    await_dead(&rt, partner.id());
    assert_eq!(holder.call_timeout(Request::Release(5), LONG), Ok(1));
    assert_eq!(caller.call_timeout(Request::Echo(0), LONG), Ok(0));
    assert_eq!(
        events(&j),
        [
            "p: terminate error: partner died",
            "c: outcome Ok(5)",
            "c: exit from p: error: partner died",
        ]
    );
}

#[test]
fn a_callback_running_at_the_kill_finishes_but_nothing_it_asked_for_happens() {
    let rt = Runtime::new();
    let j = Journal::new();
    let victim = plain(&rt, "v", &j);
    let other = plain(&rt, "o", &j);
    let (open, gate) = channel();
    let busy = victim.call_async(Request::Gate(
        Gate::new(gate),
        vec![Cmd::Note("o".into(), "after the kill".into())],
    ));
    await_line(&j, "v: at the gate");
    let queued = victim.call_async(Request::Echo(1));
    rt.kill(victim.id());
    // Dead at once for everyone, though its thread is still inside the callback.
    assert!(!rt.is_alive(victim.id()));
    assert!(!victim.is_alive());
    assert_eq!(
        victim
            .call_timeout(Request::Echo(2), LONG)
            .map_err(CallError::from),
        Err(CallError::NoProcess)
    );
    open.send(()).unwrap();
    assert_eq!(
        busy.wait_timeout(LONG).map_err(CallError::from),
        Err(CallError::Exited(ExitReason::Killed))
    );
    assert_eq!(
        queued.wait_timeout(LONG).map_err(CallError::from),
        Err(CallError::Exited(ExitReason::Killed))
    );
    assert_eq!(other.call_timeout(Request::Echo(0), LONG), Ok(0));
    assert!(events(&j).is_empty(), "{:?}", events(&j));
}

#[test]
fn a_call_handler_running_at_the_kill_never_sends_its_reply() {
    let rt = Runtime::new();
    let j = Journal::new();
    let victim = plain(&rt, "v", &j);
    let (open, gate) = channel();
    // No effects at all: the reply is the handler's return value.
    let busy = victim.call_async(Request::Gate(Gate::new(gate), vec![]));
    await_line(&j, "v: at the gate");
    rt.kill(victim.id());
    open.send(()).unwrap();
    assert_eq!(
        busy.wait_timeout(LONG).map_err(CallError::from),
        Err(CallError::Exited(ExitReason::Killed))
    );
}

#[test]
fn a_server_that_kills_itself_skips_the_rest_of_its_effects() {
    let rt = Runtime::new();
    let j = Journal::new();
    let victim = plain(&rt, "v", &j);
    let other = plain(&rt, "o", &j);
    let outcome = victim.call_timeout(
        Request::Do(vec![
            Cmd::Kill("v".into()),
            Cmd::Note("o".into(), "after the kill".into()),
        ]),
        LONG,
    );
    assert_eq!(
        outcome.map_err(CallError::from),
        Err(CallError::Exited(ExitReason::Killed))
    );
    assert_eq!(other.call_timeout(Request::Echo(0), LONG), Ok(0));
    assert!(events(&j).is_empty(), "{:?}", events(&j));
}

#[test]
fn a_killed_servers_deferred_call_fails_with_killed() {
    let rt = Runtime::new();
    let j = Journal::new();
    let victim = plain(&rt, "v", &j);
    let held = victim.call_async(Request::Hold);
    await_held(&victim, 1);
    rt.kill(victim.id());
    assert_eq!(
        held.wait_timeout(LONG).map_err(CallError::from),
        Err(CallError::Exited(ExitReason::Killed))
    );
    // Unknown or dead ids are ignored.
    rt.kill(victim.id());
    rt.kill(genserver::ProcessId(424_242));
}

#[test]
fn a_kill_from_inside_an_update_stops_the_server_before_its_next_message() {
    let rt = Runtime::new();
    let j = Journal::new();
    let victim = plain(&rt, "v", &j);
    // Held in a call at a gate, so that the update and the cast behind it are taken
    // together, in one batch.
    let (open, gate) = channel();
    let gated = victim.call_async(Request::Gate(Gate::new(gate), vec![]));
    await_line(&j, "v: at the gate");
    let updater = {
        let (victim, rt) = (victim.clone(), rt.clone());
        let (queued, updating) = channel();
        let updater = std::thread::spawn(move || {
            queued.send(()).expect("the test waits");
            let id = victim.id();
            victim.update(move |_| rt.kill(id))
        });
        updating.recv().expect("the updater runs");
        // From here to its envelope being queued, the updater runs a few instructions.
        std::thread::sleep(std::time::Duration::from_millis(50));
        updater
    };
    victim.cast(Cast::Note("after the kill".into()));
    open.send(()).expect("the gate is held");
    await_dead(&rt, victim.id());
    assert_eq!(updater.join().expect("no panic"), Ok(()));
    assert_eq!(gated.wait(), Ok(0));
    assert!(
        !j.lines().iter().any(|line| line.contains("after the kill")),
        "a killed server handled a cast: {:?}",
        j.lines()
    );
}
