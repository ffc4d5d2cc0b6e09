//! The registry's bookkeeping, with inboxes that only write down what reaches them.

use std::any::Any;
use std::sync::{Arc, Mutex};

use super::*;
use crate::kernel::Arrival;
use crate::message::AnyMessage;
use crate::runtime::ReplyLink;
use crate::{CallTag, Down, ExitSignal};

#[derive(Clone, Default)]
struct Notes(Arc<Mutex<Vec<String>>>);

impl Notes {
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

struct FakeInbox(Notes);

impl Inbox for FakeInbox {
    fn cast_any(&self, _: ProcessId, _: AnyMessage) {}
    fn info_any(&self, _: ProcessId, _: AnyMessage) {}
    fn call_any(
        &self,
        _: ProcessId,
        _: CallTag,
        _: AnyMessage,
        _: Arc<ReplyLink<AnyMessage>>,
    ) -> Option<crate::runtime::open_calls::Opened> {
        None
    }
    fn down(&self, down: Down) {
        let Down {
            monitor,
            process,
            reason,
        } = down;
        self.0
            .0
            .lock()
            .unwrap()
            .push(format!("down m{} {process:?} {reason}", monitor.0));
    }
    fn exit_signal(&self, signal: ExitSignal, via_link: bool) {
        let ExitSignal { from, reason } = signal;
        self.0
            .0
            .lock()
            .unwrap()
            .push(format!("exit {from:?} {reason} link={via_link}"));
    }
    fn doom(&self, doom: Doom) {
        self.0
            .0
            .lock()
            .unwrap()
            .push(format!("doom {} kill={}", doom.reason, doom.kill));
    }
    fn stop(&self, reason: ExitReason, _: Arc<ReplyLink<()>>) -> bool {
        self.0.0.lock().unwrap().push(format!("stop {reason}"));
        true
    }
    fn flush(&self, _: Arc<ReplyLink<()>>) -> bool {
        true
    }
    fn is_supervisor(&self) -> bool {
        false
    }
    fn clone_box(&self) -> Box<dyn Inbox> {
        Box::new(FakeInbox(self.0.clone()))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn table_of(count: u64) -> (Table, Vec<Notes>) {
    let mut table = Table::default();
    let notes: Vec<Notes> = (0..=count).map(|_| Notes::default()).collect();
    for id in 1..=count {
        let inbox = Box::new(FakeInbox(notes[id as usize].clone()));
        table
            .register(ProcessId(id), inbox, &StartOptions::default(), None)
            .unwrap();
    }
    (table, notes)
}

const P1: ProcessId = ProcessId(1);
const P2: ProcessId = ProcessId(2);
const P3: ProcessId = ProcessId(3);

#[test]
fn a_watchers_exit_removes_its_monitors_from_their_targets() {
    let (mut table, notes) = table_of(2);
    table.monitor(P1, MonitorRef(1), P2);
    table.retire(P1, &ExitReason::Normal);
    table.retire(P2, &ExitReason::Normal);
    assert!(notes[1].take().is_empty());
}

#[test]
fn a_targets_exit_or_a_demonitor_clears_the_watchers_record() {
    let (mut table, notes) = table_of(3);
    table.monitor(P1, MonitorRef(1), P2);
    table.monitor(P1, MonitorRef(2), P3);
    table.demonitor(P1, MonitorRef(2));
    table.retire(P2, &ExitReason::Shutdown);
    table.retire(P3, &ExitReason::Shutdown);
    assert_eq!(notes[1].take(), ["down m1 <2> shutdown"]);
}

#[test]
fn a_kill_dooms_at_once_and_tells_monitors_and_links_killed() {
    let (mut table, notes) = table_of(3);
    table.monitor(P1, MonitorRef(7), P2);
    table.set_trap(P3, true);
    table.link(P3, P2);
    table.kill(P2);
    assert!(table.inbox(P2).is_none());
    assert_eq!(notes[2].take(), ["doom killed kill=true"]);
    assert_eq!(notes[1].take(), ["down m7 <2> killed"]);
    assert_eq!(notes[3].take(), ["exit <2> killed link=true"]);
    // The second exit of the same process (its thread, later) notifies nobody.
    assert!(!table.retire(P2, &ExitReason::Killed));
}

#[test]
fn an_unlink_voids_the_links_exit_signal_and_normal_ones_only_reach_trappers() {
    let (mut table, notes) = table_of(3);
    table.link(P1, P2);
    table.link(P3, P2);
    table.unlink(P2, P1);
    table.retire(P2, &ExitReason::Normal);
    assert!(notes[1].take().is_empty());
    assert!(notes[3].take().is_empty());
    // P3's link was consumed by the ignored signal: a copy of it handled later is void.
    let signal = ExitSignal {
        from: P2,
        reason: ExitReason::Normal,
    };
    assert_eq!(table.receive(P3, &signal, true), Arrival::Void);
}

#[test]
fn an_untrapped_abnormal_signal_dooms_and_linking_the_dead_answers_now() {
    let (mut table, notes) = table_of(2);
    table.exit_signal(P1, P2, ExitReason::Shutdown);
    assert_eq!(notes[1].take(), ["doom shutdown kill=false"]);
    table.retire(P2, &ExitReason::Normal);
    table.set_trap(P1, true);
    table.link(P1, P2);
    assert_eq!(notes[1].take(), ["exit <2> no such process link=true"]);
}

#[test]
fn thread_watches_given_up_are_pruned_and_the_rest_get_the_reason() {
    let (mut table, _) = table_of(1);
    for _ in 0..10 {
        let given_up = Arc::new(ReplyLink::new());
        table.observe(P1, Arc::clone(&given_up));
        given_up.abandon();
    }
    let kept = Arc::new(ReplyLink::new());
    table.observe(P1, Arc::clone(&kept));
    assert_eq!(table.observers[&P1].len(), 1);
    table.retire(P1, &ExitReason::Shutdown);
    assert_eq!(kept.poll(), Some(Ok(ExitReason::Shutdown)));
}
