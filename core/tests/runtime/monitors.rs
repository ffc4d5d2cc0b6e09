//! Monitors (rules 1, 3, 4): a `Down` with the reason, after `terminate` and the name's
//! release; "no such process" at once for a dead target; none after a demonitor.

use std::sync::mpsc::channel;

use genserver::{ExitReason, ProcessId, Runtime};

use crate::agent::{AgentArgs, Call, Cast, Cmd, await_dead, await_entry, events, order, plain};
use crate::probe::{LONG, new_log};

#[test]
fn a_monitor_gets_down_with_the_exit_reason_after_terminate_and_the_names_release() {
    let rt = Runtime::new();
    let log = new_log();
    let watcher = plain(&rt, "w", &log);
    let target = rt
        .start_named::<crate::agent::Agent>("t", AgentArgs::new("t", &log))
        .unwrap();
    let m = order(&watcher, vec![Cmd::Monitor(target.id())]);
    target.cast(Cast::Do(vec![Cmd::Stop(ExitReason::error("boom"))]));
    let down = format!("w: down m{} {:?} error: boom", m.0, target.id());
    await_entry(&log, &down);
    assert_eq!(events(&log), ["t: terminate error: boom".to_owned(), down]);
    assert!(rt.whereis::<crate::agent::Agent>("t").is_none());
}

#[test]
fn every_monitor_gets_its_own_down() {
    let rt = Runtime::new();
    let log = new_log();
    let (w1, w2) = (plain(&rt, "w1", &log), plain(&rt, "w2", &log));
    let target = plain(&rt, "t", &log);
    let a = order(&w1, vec![Cmd::Monitor(target.id())]);
    let b = order(&w1, vec![Cmd::Monitor(target.id())]);
    let c = order(&w2, vec![Cmd::Monitor(target.id())]);
    target.stop(ExitReason::Shutdown).unwrap();
    for (tag, m) in [("w1", a), ("w1", b), ("w2", c)] {
        await_entry(
            &log,
            &format!("{tag}: down m{} {:?} shutdown", m.0, target.id()),
        );
    }
}

#[test]
fn monitoring_a_dead_or_unknown_process_gives_down_no_such_process_at_once() {
    let rt = Runtime::new();
    let log = new_log();
    let watcher = plain(&rt, "w", &log);
    let target = plain(&rt, "t", &log);
    target.stop(ExitReason::Normal).unwrap();
    let m1 = order(&watcher, vec![Cmd::Monitor(target.id())]);
    let m2 = order(&watcher, vec![Cmd::Monitor(ProcessId(987_654))]);
    // Queued to the watcher by the monitor itself: handled before this call.
    watcher.call_timeout(Call::Echo(0), LONG).unwrap();
    assert_eq!(
        events(&log),
        [
            "t: terminate normal".to_owned(),
            format!("w: down m{} {:?} no such process", m1.0, target.id()),
            format!("w: down m{} <987654> no such process", m2.0),
        ]
    );
}

#[test]
fn after_a_demonitor_no_down_is_handled() {
    let rt = Runtime::new();
    let log = new_log();
    let watcher = plain(&rt, "w", &log);
    let target = plain(&rt, "t", &log);
    let m1 = order(&watcher, vec![Cmd::Monitor(target.id())]);
    order(&watcher, vec![Cmd::Demonitor(m1)]);
    target.stop(ExitReason::error("gone")).unwrap();
    await_dead(&rt, target.id());
    // A second monitor's `Down` is queued after any `Down` of the first one.
    let m2 = order(&watcher, vec![Cmd::Monitor(target.id())]);
    let down2 = format!("w: down m{} {:?} no such process", m2.0, target.id());
    await_entry(&log, &down2);
    assert_eq!(events(&log), ["t: terminate error: gone".to_owned(), down2]);
}

#[test]
fn a_down_already_queued_is_dropped_by_a_demonitor() {
    let rt = Runtime::new();
    let log = new_log();
    let watcher = plain(&rt, "w", &log);
    let target = plain(&rt, "t", &log);
    let m = order(&watcher, vec![Cmd::Monitor(target.id())]);
    let (open, gate) = channel();
    let busy = watcher.call_async(Call::Gate(gate, vec![Cmd::Demonitor(m)]));
    await_entry(&log, "w: at the gate");
    target.stop(ExitReason::error("gone")).unwrap();
    // The target has left the registry: its `Down` is in the watcher's mailbox.
    await_dead(&rt, target.id());
    open.send(()).unwrap();
    busy.wait_timeout(LONG).unwrap();
    watcher.call_timeout(Call::Echo(0), LONG).unwrap();
    assert_eq!(events(&log), ["t: terminate error: gone"]);
}

#[test]
fn a_plain_thread_monitor_gets_the_exit_reason_after_terminate() {
    let rt = Runtime::new();
    let log = new_log();
    let target = plain(&rt, "t", &log);
    let watch = rt.monitor(target.id());
    let second = rt.monitor(target.id());
    target.cast(Cast::Do(vec![Cmd::Stop(ExitReason::error("boom"))]));
    assert_eq!(watch.wait_timeout(LONG), Ok(ExitReason::error("boom")));
    assert_eq!(events(&log), ["t: terminate error: boom"]);
    assert_eq!(second.wait_timeout(LONG), Ok(ExitReason::error("boom")));
}

#[test]
fn a_plain_thread_monitor_of_a_dead_or_unknown_process_answers_at_once() {
    let rt = Runtime::new();
    let target = plain(&rt, "t", &new_log());
    target.stop(ExitReason::Normal).unwrap();
    let dead = rt.monitor(target.id()).poll().ok();
    assert_eq!(dead, Some(Ok(ExitReason::NoProcess)));
    let unknown = rt.monitor(ProcessId(999_999)).poll().ok();
    assert_eq!(unknown, Some(Ok(ExitReason::NoProcess)));
}

#[test]
fn a_plain_thread_monitor_sees_a_kill_and_a_given_up_watch_is_harmless() {
    let rt = Runtime::new();
    let target = plain(&rt, "t", &new_log());
    for _ in 0..100 {
        // Given up at once: pruned by the next watch, never completed.
        drop(rt.monitor(target.id()));
    }
    let pending = rt.monitor(target.id()).poll().expect_err("still alive");
    rt.kill(target.id());
    assert_eq!(pending.wait_timeout(LONG), Ok(ExitReason::Killed));
}
