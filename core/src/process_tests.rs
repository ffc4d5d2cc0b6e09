//! The process machine on its own, driven by hand: what it hands out, in which order, and
//! what it fails at its exit.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use super::*;
use crate::reply::ReplySink;
use crate::{CallTag, ExitReason, ProcessId, TimerId};

/// Where a test's reply tokens write their outcomes.
#[derive(Clone, Default)]
struct Outcomes(Arc<Mutex<Vec<String>>>);

impl Outcomes {
    fn token(&self, tag: u64) -> ReplyTo<i64> {
        let sink = Arc::new(Note(self.clone(), tag, AtomicBool::new(false)));
        ReplyTo::new(ProcessId(9), CallTag(tag), sink)
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// A sink whose first outcome wins, as the engines' do.
struct Note(Outcomes, u64, AtomicBool);

impl ReplySink<i64> for Note {
    fn deliver(&self, outcome: Result<i64, CallError>) -> bool {
        if self.2.swap(true, Ordering::SeqCst) {
            return false;
        }
        let text = match outcome {
            Ok(value) => format!("#{} {value}", self.1),
            Err(error) => format!("#{} {error}", self.1),
        };
        self.0.0.lock().unwrap().push(text);
        true
    }
}

/// A server told what to do by its calls and casts.
struct Scripted {
    held: Vec<ReplyTo<i64>>,
    terminated: Arc<Mutex<Vec<String>>>,
}

#[derive(Debug)]
enum Do {
    /// Cast to process 2, then reply.
    CastThenAnswer(i64),
    /// Stop with `shutdown` and reply with this.
    StopAnswering(i64),
    /// Keep the token.
    Hold,
    /// Drop the token unanswered.
    Drop,
    /// Panic after recording a cast.
    Panic,
}

impl GenServer for Scripted {
    type Args = (bool, Arc<Mutex<Vec<String>>>);
    type Call = Do;
    type Reply = i64;
    type Cast = ();
    type Info = &'static str;
    type Continue = ();

    fn init((trap, terminated): Self::Args, ctx: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        if trap {
            ctx.trap_exits(true);
        }
        Ok(Scripted {
            held: Vec::new(),
            terminated,
        })
    }

    fn handle_call(
        &mut self,
        what: Do,
        from: ReplyTo<i64>,
        ctx: &mut Ctx<Self>,
    ) -> CallResult<i64> {
        match what {
            Do::CastThenAnswer(n) => {
                ctx.cast(crate::ServerRef::<Scripted>::new(ProcessId(2)), ());
                CallResult::Reply(n)
            }
            Do::StopAnswering(n) => {
                ctx.stop(ExitReason::Shutdown);
                CallResult::Reply(n)
            }
            Do::Hold => {
                self.held.push(from);
                CallResult::NoReply
            }
            Do::Drop => CallResult::NoReply,
            Do::Panic => {
                ctx.cast(crate::ServerRef::<Scripted>::new(ProcessId(2)), ());
                panic!("boom")
            }
        }
    }

    fn handle_info(&mut self, msg: &'static str, ctx: &mut Ctx<Self>) {
        if msg == "timer" {
            ctx.set_timer(std::time::Duration::from_millis(5), "fired");
        }
    }

    fn terminate(&mut self, reason: &ExitReason) {
        self.terminated
            .lock()
            .unwrap()
            .push(format!("terminate {reason}"));
    }
}

fn start(trap: bool) -> (Process<Scripted>, Arc<Mutex<Vec<String>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let process = Process::init((trap, log.clone()), Ctx::new(ProcessId(1))).unwrap();
    (process, log)
}

fn deliver(actions: Vec<Action<Scripted>>) -> Vec<String> {
    let mut commands = Vec::new();
    for action in actions {
        match action {
            Action::Settle(settle) => settle.deliver(),
            Action::Command(command) => commands.push(format!("{command:?}")),
        }
    }
    commands
}

#[test]
fn trapping_asked_in_init_is_known_before_its_effects_are_handed_out() {
    let (mut process, _) = start(true);
    assert_eq!(process.trap_asked(), Some(true));
    let output = process.pump();
    assert!(matches!(output.status, Status::Idle));
    assert_eq!(deliver(output.actions), ["TrapExits(true)"]);
    assert_eq!(start(false).0.trap_asked(), None);
}

#[test]
fn a_reply_comes_after_the_commands_its_callback_recorded_before_it() {
    let (mut process, _) = start(false);
    process.pump();
    let outcomes = Outcomes::default();
    process.call(Do::CastThenAnswer(7), outcomes.token(1));
    let output = process.pump();
    assert!(matches!(
        output.actions.as_slice(),
        [
            Action::Command(Command::Cast { .. }),
            Action::Settle(Settle::Answer(..))
        ]
    ));
    deliver(output.actions);
    assert_eq!(outcomes.take(), ["#1 7"]);
}

#[test]
fn a_reply_given_with_a_stop_is_sent_after_terminate() {
    let (mut process, log) = start(false);
    process.pump();
    let outcomes = Outcomes::default();
    process.call(Do::StopAnswering(3), outcomes.token(1));
    let output = process.pump();
    assert!(matches!(output.status, Status::Exit(ExitReason::Shutdown)));
    assert!(output.actions.is_empty());
    assert!(outcomes.take().is_empty(), "not before terminate");
    let settles = process.exit(&ExitReason::Shutdown, true);
    assert_eq!(*log.lock().unwrap(), ["terminate shutdown"]);
    for settle in settles {
        settle.deliver();
    }
    assert_eq!(outcomes.take(), ["#1 3"]);
}

#[test]
fn a_panicking_call_carries_nothing_out_and_fails_after_terminate() {
    let (mut process, log) = start(false);
    process.pump();
    let outcomes = Outcomes::default();
    process.call(Do::Panic, outcomes.token(1));
    let output = process.pump();
    let reason = ExitReason::Panic("handle_call: boom".to_owned());
    assert!(matches!(&output.status, Status::Exit(r) if *r == reason));
    assert!(
        output.actions.is_empty(),
        "the cast recorded before the panic"
    );
    assert!(outcomes.take().is_empty());
    for settle in process.exit(&reason, true) {
        settle.deliver();
    }
    assert_eq!(*log.lock().unwrap(), [format!("terminate {reason}")]);
    assert_eq!(outcomes.take(), [format!("#1 server exited: {reason}")]);
}

#[test]
fn deferred_calls_fail_at_exit_and_a_dropped_token_fails_at_once() {
    let (mut process, _) = start(false);
    process.pump();
    let outcomes = Outcomes::default();
    process.call(Do::Hold, outcomes.token(1));
    process.pump();
    process.call(Do::Drop, outcomes.token(2));
    process.pump();
    assert_eq!(
        outcomes.take(),
        ["#2 the server dropped the request without replying"]
    );
    let killed = ExitReason::Killed;
    for settle in process.exit(&killed, false) {
        settle.deliver();
    }
    assert_eq!(outcomes.take(), ["#1 server exited: killed"]);
}

#[test]
fn an_idle_process_forgets_the_deferred_calls_answered_since() {
    let (mut process, _) = start(false);
    process.pump();
    let outcomes = Outcomes::default();
    for tag in [1, 2] {
        process.call(Do::Hold, outcomes.token(tag));
        process.pump();
    }
    assert_eq!(process.deferred.len(), 2);
    let answered = process.state_mut().held.remove(0);
    assert!(answered.reply(5));
    drop(answered);
    process.trim();
    assert_eq!(process.deferred.len(), 1, "the open one is kept");
    for settle in process.exit(&ExitReason::Killed, false) {
        settle.deliver();
    }
    assert_eq!(outcomes.take(), ["#1 5", "#2 server exited: killed"]);
}

#[test]
fn a_halt_half_way_fails_the_answers_an_engine_did_not_deliver() {
    let (mut process, _) = start(false);
    process.pump();
    let outcomes = Outcomes::default();
    process.call(Do::CastThenAnswer(5), outcomes.token(1));
    let output = process.pump();
    // The engine carried out the cast, then saw a kill: the answer is taken back.
    let mut actions = output.actions.into_iter();
    assert!(matches!(
        actions.next(),
        Some(Action::Command(Command::Cast { .. }))
    ));
    process.halt(ExitReason::Killed);
    process.abandon(actions);
    assert!(matches!(
        process.pump().status,
        Status::Exit(ExitReason::Killed)
    ));
    for settle in process.exit(&ExitReason::Killed, false) {
        settle.deliver();
    }
    assert_eq!(outcomes.take(), ["#1 server exited: killed"]);
}

#[test]
fn a_timer_keeps_its_message_and_fires_once_unless_cancelled() {
    let (mut process, _) = start(false);
    process.pump();
    process.info("timer");
    let commands = deliver(process.pump().actions);
    assert_eq!(commands, ["SetTimer(TimerId(1), 5ms)"]);
    assert_eq!(
        process.timer_message(TimerId(1)).as_deref(),
        Some("\"fired\"")
    );
    assert!(process.fire(TimerId(1)));
    assert!(!process.fire(TimerId(1)), "a timer fires once");
    assert_eq!(process.timer_message(TimerId(1)), None);
}
