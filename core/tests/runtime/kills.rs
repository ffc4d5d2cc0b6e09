//! Kills (rule 2): untrappable, no `terminate`, reason `killed` for monitors and links (where
//! it is trappable); a server blocked in its own call is still taken down; nothing a killed
//! server's running callback asked for is carried out.

use std::sync::mpsc::channel;

use genserver::{CallError, ExitReason, Runtime};

use crate::agent::{
    AgentArgs, Call, Cast, Cmd, await_dead, await_entry, await_held, events, order, plain, spawn,
};
use crate::probe::{LONG, new_log};

#[test]
fn a_kill_is_untrappable_and_skips_terminate() {
    let rt = Runtime::new();
    let log = new_log();
    let killer = plain(&rt, "k", &log);
    let victim = spawn(&rt, AgentArgs::new("v", &log).trapping());
    let watcher = plain(&rt, "w", &log);
    let m = order(&watcher, vec![Cmd::Monitor(victim.id())]);
    order(&killer, vec![Cmd::Kill(victim.id())]);
    let down = format!("w: down m{} {:?} killed", m.0, victim.id());
    await_entry(&log, &down);
    assert_eq!(events(&log), [down]);
    assert!(!victim.is_alive());
    assert_eq!(
        victim.call_timeout(Call::Echo(1), LONG),
        Err(CallError::NoProcess)
    );
}

#[test]
fn processes_linked_to_a_killed_one_get_reason_killed_which_they_can_trap() {
    let rt = Runtime::new();
    let log = new_log();
    let victim = plain(&rt, "v", &log);
    let trapper = spawn(&rt, AgentArgs::new("t", &log).trapping());
    let linked = plain(&rt, "l", &log);
    order(&trapper, vec![Cmd::Link(victim.id())]);
    order(&linked, vec![Cmd::Link(victim.id())]);
    rt.kill(victim.id());
    await_entry(&log, &format!("t: exit {:?} killed", victim.id()));
    await_entry(&log, "l: terminate killed");
    await_dead(&rt, linked.id());
    assert_eq!(trapper.call_timeout(Call::Echo(1), LONG), Ok(1));
    assert!(!events(&log).contains(&"v: terminate killed".to_owned()));
}

#[test]
fn a_server_blocked_in_its_own_call_is_still_killed_and_its_outcome_never_handled() {
    let rt = Runtime::new();
    let log = new_log();
    let holder = plain(&rt, "h", &log);
    let caller = plain(&rt, "c", &log);
    let watcher = plain(&rt, "w", &log);
    let m = order(&watcher, vec![Cmd::Monitor(caller.id())]);
    caller.cast(Cast::Do(vec![
        Cmd::CallHold(holder.id()),
        Cmd::Tell(holder.id(), "after the call".into()),
    ]));
    await_held(&holder, 1);
    rt.kill(caller.id());
    await_entry(&log, &format!("w: down m{} {:?} killed", m.0, caller.id()));
    await_dead(&rt, caller.id());
    // Exactly one outcome: the kill took the call, so the late reply is refused.
    assert_eq!(holder.call_timeout(Call::Release(5), LONG), Ok(0));
    assert_eq!(holder.call_timeout(Call::Echo(0), LONG), Ok(0));
    assert_eq!(
        events(&log),
        [format!("w: down m{} {:?} killed", m.0, caller.id())]
    );
}

#[test]
fn a_server_blocked_in_its_own_call_is_taken_down_by_an_untrapped_exit_signal() {
    let rt = Runtime::new();
    let log = new_log();
    let holder = plain(&rt, "h", &log);
    let caller = plain(&rt, "c", &log);
    let partner = plain(&rt, "p", &log);
    order(&caller, vec![Cmd::Link(partner.id())]);
    caller.cast(Cast::Do(vec![Cmd::CallHold(holder.id())]));
    await_held(&holder, 1);
    partner.stop(ExitReason::error("partner died")).unwrap();
    await_entry(&log, "c: terminate error: partner died");
    await_dead(&rt, caller.id());
    assert_eq!(holder.call_timeout(Call::Release(5), LONG), Ok(0));
    assert_eq!(
        events(&log),
        [
            "p: terminate error: partner died",
            "c: terminate error: partner died"
        ]
    );
}

#[test]
fn a_trapping_server_blocked_in_a_call_handles_the_signal_after_the_outcome() {
    let rt = Runtime::new();
    let log = new_log();
    let holder = plain(&rt, "h", &log);
    let caller = spawn(&rt, AgentArgs::new("c", &log).trapping());
    let partner = plain(&rt, "p", &log);
    order(&caller, vec![Cmd::Link(partner.id())]);
    caller.cast(Cast::Do(vec![Cmd::CallHold(holder.id())]));
    await_held(&holder, 1);
    partner.stop(ExitReason::error("partner died")).unwrap();
    await_dead(&rt, partner.id());
    assert_eq!(holder.call_timeout(Call::Release(5), LONG), Ok(1));
    assert_eq!(caller.call_timeout(Call::Echo(0), LONG), Ok(0));
    assert_eq!(
        events(&log),
        [
            "p: terminate error: partner died".to_owned(),
            "c: outcome Ok(5)".to_owned(),
            format!("c: exit {:?} error: partner died", partner.id()),
        ]
    );
}

#[test]
fn a_callback_running_at_the_kill_finishes_but_nothing_it_asked_for_happens() {
    let rt = Runtime::new();
    let log = new_log();
    let victim = plain(&rt, "v", &log);
    let other = plain(&rt, "o", &log);
    let (open, gate) = channel();
    let busy = victim.call_async(Call::Gate(
        gate,
        vec![Cmd::Tell(other.id(), "after the kill".into())],
    ));
    await_entry(&log, "v: at the gate");
    let queued = victim.call_async(Call::Echo(1));
    rt.kill(victim.id());
    // Dead at once for everyone, though its thread is still inside the callback.
    assert!(!rt.is_alive(victim.id()));
    assert!(!victim.is_alive());
    assert_eq!(
        victim.call_timeout(Call::Echo(2), LONG),
        Err(CallError::NoProcess)
    );
    open.send(()).unwrap();
    assert_eq!(
        busy.wait_timeout(LONG),
        Err(CallError::Exited(ExitReason::Killed))
    );
    assert_eq!(
        queued.wait_timeout(LONG),
        Err(CallError::Exited(ExitReason::Killed))
    );
    assert_eq!(other.call_timeout(Call::Echo(0), LONG), Ok(0));
    assert!(events(&log).is_empty(), "{:?}", events(&log));
}

#[test]
fn a_call_handler_running_at_the_kill_never_sends_its_reply() {
    let rt = Runtime::new();
    let log = new_log();
    let victim = plain(&rt, "v", &log);
    let (open, gate) = channel();
    // No effects at all: the reply is the handler's return value.
    let busy = victim.call_async(Call::Gate(gate, vec![]));
    await_entry(&log, "v: at the gate");
    rt.kill(victim.id());
    open.send(()).unwrap();
    assert_eq!(
        busy.wait_timeout(LONG),
        Err(CallError::Exited(ExitReason::Killed))
    );
}

#[test]
fn a_server_that_kills_itself_skips_the_rest_of_its_effects() {
    let rt = Runtime::new();
    let log = new_log();
    let victim = plain(&rt, "v", &log);
    let other = plain(&rt, "o", &log);
    let outcome = victim.call_timeout(
        Call::Do(vec![
            Cmd::Kill(victim.id()),
            Cmd::Tell(other.id(), "after the kill".into()),
        ]),
        LONG,
    );
    assert_eq!(outcome, Err(CallError::Exited(ExitReason::Killed)));
    assert_eq!(other.call_timeout(Call::Echo(0), LONG), Ok(0));
    assert!(events(&log).is_empty(), "{:?}", events(&log));
}

#[test]
fn a_killed_servers_deferred_call_fails_with_killed() {
    let rt = Runtime::new();
    let log = new_log();
    let victim = plain(&rt, "v", &log);
    let held = victim.call_async(Call::Hold);
    await_held(&victim, 1);
    rt.kill(victim.id());
    assert_eq!(
        held.wait_timeout(LONG),
        Err(CallError::Exited(ExitReason::Killed))
    );
    // Unknown or dead ids are ignored.
    rt.kill(victim.id());
    rt.kill(genserver::ProcessId(424_242));
}
