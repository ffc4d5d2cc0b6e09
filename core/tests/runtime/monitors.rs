//! Monitors (rules 1, 3, 4): a `Down` with the reason, after `terminate` and the name's
//! release; "no such process" at once for a dead target; none after a demonitor.

use std::sync::mpsc::channel;

use genserver::{ExitReason, ProcessId, Runtime};
use genserver_checks::node::{Cast, Cmd, Gate, Journal, LONG, NodeArgs, Request};

use crate::nodes::{N, await_dead, await_line, events, order, plain};

#[test]
fn a_monitor_gets_down_with_the_exit_reason_after_terminate_and_the_names_release() {
    let rt = Runtime::new();
    let j = Journal::new();
    let watcher = plain(&rt, "w", &j);
    let target = rt.start_named::<N>("t", NodeArgs::new("t", &j)).unwrap();
    let m = order(&watcher, vec![Cmd::Monitor("t".into())]);
    target.cast(Cast::Do(vec![Cmd::Stop(ExitReason::error("boom"))]));
    let down = format!("w: down m{} from t: error: boom", m.0);
    await_line(&j, &down);
    assert_eq!(events(&j), ["t: terminate error: boom".to_owned(), down]);
    assert!(rt.whereis::<N>("t").is_none());
}

#[test]
fn every_monitor_gets_its_own_down() {
    let rt = Runtime::new();
    let j = Journal::new();
    let (w1, w2) = (plain(&rt, "w1", &j), plain(&rt, "w2", &j));
    let target = plain(&rt, "t", &j);
    let a = order(&w1, vec![Cmd::Monitor("t".into())]);
    let b = order(&w1, vec![Cmd::Monitor("t".into())]);
    let c = order(&w2, vec![Cmd::Monitor("t".into())]);
    target.stop(ExitReason::Shutdown).unwrap();
    for (label, m) in [("w1", a), ("w1", b), ("w2", c)] {
        await_line(&j, &format!("{label}: down m{} from t: shutdown", m.0));
    }
}

#[test]
fn monitoring_a_dead_or_unknown_process_gives_down_no_such_process_at_once() {
    let rt = Runtime::new();
    let j = Journal::new();
    let watcher = plain(&rt, "w", &j);
    let target = plain(&rt, "t", &j);
    target.stop(ExitReason::Normal).unwrap();
    let m1 = order(&watcher, vec![Cmd::Monitor("t".into())]);
    let m2 = order(&watcher, vec![Cmd::Monitor(ProcessId(987_654).into())]);
    // Queued to the watcher by the monitor itself: handled before this call.
    watcher.call_timeout(Request::Echo(0), LONG).unwrap();
    assert_eq!(
        events(&j),
        [
            "t: terminate normal".to_owned(),
            format!("w: down m{} from t: no such process", m1.0),
            format!("w: down m{} from <987654>: no such process", m2.0),
        ]
    );
}

#[test]
fn after_a_demonitor_no_down_is_handled() {
    let rt = Runtime::new();
    let j = Journal::new();
    let watcher = plain(&rt, "w", &j);
    let target = plain(&rt, "t", &j);
    let m1 = order(&watcher, vec![Cmd::Monitor("t".into())]);
    order(&watcher, vec![Cmd::DemonitorRef(m1)]);
    target.stop(ExitReason::error("gone")).unwrap();
    await_dead(&rt, target.id());
    // A second monitor's `Down` is queued after any `Down` of the first one.
    let m2 = order(&watcher, vec![Cmd::Monitor("t".into())]);
    let down2 = format!("w: down m{} from t: no such process", m2.0);
    await_line(&j, &down2);
    assert_eq!(events(&j), ["t: terminate error: gone".to_owned(), down2]);
}

#[test]
fn a_down_already_queued_is_dropped_by_a_demonitor() {
    let rt = Runtime::new();
    let j = Journal::new();
    let watcher = plain(&rt, "w", &j);
    let target = plain(&rt, "t", &j);
    let m = order(&watcher, vec![Cmd::Monitor("t".into())]);
    let (open, gate) = channel();
    let busy = watcher.call_async(Request::Gate(Gate::new(gate), vec![Cmd::DemonitorRef(m)]));
    await_line(&j, "w: at the gate");
    target.stop(ExitReason::error("gone")).unwrap();
    // The target has left the registry: its `Down` is in the watcher's mailbox.
    await_dead(&rt, target.id());
    open.send(()).unwrap();
    busy.wait_timeout(LONG).unwrap();
    watcher.call_timeout(Request::Echo(0), LONG).unwrap();
    assert_eq!(events(&j), ["t: terminate error: gone"]);
}

#[test]
fn a_plain_thread_monitor_gets_the_exit_reason_after_terminate() {
    let rt = Runtime::new();
    let j = Journal::new();
    let target = plain(&rt, "t", &j);
    let watch = rt.monitor(target.id());
    let second = rt.monitor(target.id());
    target.cast(Cast::Do(vec![Cmd::Stop(ExitReason::error("boom"))]));
    assert_eq!(watch.wait_timeout(LONG), Ok(ExitReason::error("boom")));
    assert_eq!(events(&j), ["t: terminate error: boom"]);
    assert_eq!(second.wait_timeout(LONG), Ok(ExitReason::error("boom")));
}

#[test]
fn a_plain_thread_monitor_of_a_dead_or_unknown_process_answers_at_once() {
    let rt = Runtime::new();
    let target = plain(&rt, "t", &Journal::new());
    target.stop(ExitReason::Normal).unwrap();
    let dead = rt.monitor(target.id()).poll().ok();
    assert_eq!(dead, Some(Ok(ExitReason::NoProcess)));
    let unknown = rt.monitor(ProcessId(999_999)).poll().ok();
    assert_eq!(unknown, Some(Ok(ExitReason::NoProcess)));
}

#[test]
fn a_plain_thread_monitor_sees_a_kill_and_a_given_up_watch_is_harmless() {
    let rt = Runtime::new();
    let target = plain(&rt, "t", &Journal::new());
    for _ in 0..100 {
        // Given up at once: pruned by the next watch, never completed.
        drop(rt.monitor(target.id()));
    }
    let pending = rt.monitor(target.id()).poll().expect_err("still alive");
    rt.kill(target.id());
    assert_eq!(pending.wait_timeout(LONG), Ok(ExitReason::Killed));
}
