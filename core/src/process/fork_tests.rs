//! Forked processes hold tokens of their own: what the copy does with them reaches the
//! copy's sinks, never the original's calls.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::engine::{ReplySink, forking};
use crate::process::Process;
use crate::{CallError, CallResult, CallTag, Ctx, ExitReason, GenServer, ProcessId, ReplyTo};

/// Outcomes delivered, each with the name of the world whose sink got it.
type Log = Arc<Mutex<Vec<String>>>;

/// A sink named after its world; its fork is named after the copy.
struct Named {
    world: String,
    log: Log,
    done: AtomicBool,
}

impl ReplySink<i64> for Named {
    fn deliver(&self, outcome: Result<i64, CallError>) -> bool {
        if self.done.swap(true, Ordering::SeqCst) {
            return false;
        }
        let text = match outcome {
            Ok(value) => format!("{} {value}", self.world),
            Err(CallError::NoReply) => format!("{} dropped", self.world),
            Err(error) => format!("{} {error}", self.world),
        };
        self.log.lock().unwrap().push(text);
        true
    }

    fn fork(&self) -> Option<Arc<dyn ReplySink<i64>>> {
        let world = format!("{}'", self.world);
        Some(Arc::new(Named {
            world,
            log: self.log.clone(),
            done: AtomicBool::new(self.done.load(Ordering::SeqCst)),
        }))
    }
}

/// A sink that cannot fork.
struct Fixed;

impl ReplySink<i64> for Fixed {
    fn deliver(&self, _: Result<i64, CallError>) -> bool {
        true
    }
}

/// Keeps every token it is handed (twice, to check copies stay one call); `Answer` answers
/// them all with the number of calls held.
#[derive(Clone)]
struct Holder {
    held: Vec<ReplyTo<i64>>,
    again: Vec<ReplyTo<i64>>,
}

impl GenServer for Holder {
    type Args = ();
    type Call = bool;
    type Reply = i64;
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Holder {
            held: Vec::new(),
            again: Vec::new(),
        })
    }

    fn handle_call(
        &mut self,
        answer: bool,
        from: ReplyTo<i64>,
        ctx: &mut Ctx<Self>,
    ) -> CallResult<i64> {
        if !answer {
            self.again.push(from.clone());
            self.held.push(from);
            return CallResult::NoReply;
        }
        let count = self.held.len() as i64;
        for token in self.held.drain(..) {
            ctx.reply(&token, count);
        }
        self.again.clear();
        CallResult::Reply(count)
    }
}

fn token(world: &str, tag: u64, log: &Log) -> ReplyTo<i64> {
    let sink = Arc::new(Named {
        world: world.to_owned(),
        log: log.clone(),
        done: AtomicBool::new(false),
    });
    ReplyTo::new(ProcessId(9), CallTag(tag), sink)
}

fn pumped(process: &mut Process<Holder>) {
    for action in process.pump().actions {
        if let crate::engine::Action::Settle(settle) = action {
            settle.deliver();
        }
    }
}

#[test]
fn a_forked_process_answers_and_drops_the_calls_of_its_own_world() {
    let log = Log::default();
    let mut original = Process::<Holder>::init((), Ctx::new(ProcessId(1))).unwrap();
    pumped(&mut original);
    original.call(false, token("w", 1, &log));
    pumped(&mut original);
    original.call(false, token("w", 2, &log));
    pumped(&mut original);

    let mut copy = forking(|| original.fork()).unwrap().unwrap();
    copy.call(true, token("w'", 3, &log));
    pumped(&mut copy);
    assert_eq!(*log.lock().unwrap(), ["w' 2", "w' 2", "w' 2"]);
    drop(copy);
    log.lock().unwrap().clear();

    // The original still holds its two calls: the copy never answered or dropped them.
    let copy = forking(|| original.fork()).unwrap().unwrap();
    drop(copy);
    assert_eq!(*log.lock().unwrap(), ["w' dropped", "w' dropped"]);
    log.lock().unwrap().clear();
    drop(original);
    assert_eq!(*log.lock().unwrap(), ["w dropped", "w dropped"]);
}

#[test]
fn a_token_whose_sink_cannot_fork_fails_the_fork_without_touching_the_original() {
    let held = vec![ReplyTo::new(ProcessId(9), CallTag(1), Arc::new(Fixed))];
    assert!(forking(|| held.clone()).is_none());
    let log = Log::default();
    let named = vec![token("w", 1, &log)];
    let copies = forking(|| named.clone()).expect("a named sink forks");
    drop(copies);
    assert_eq!(*log.lock().unwrap(), ["w' dropped"]);
}

#[test]
fn outside_a_fork_a_clone_is_the_same_call() {
    let log = Log::default();
    let token = token("w", 1, &log);
    let copy = token.clone();
    drop(token);
    assert!(log.lock().unwrap().is_empty());
    drop(copy);
    assert_eq!(*log.lock().unwrap(), ["w dropped"]);
}

#[test]
fn a_copy_let_go_of_and_made_again_in_one_fork_stays_one_live_call() {
    let log = Log::default();
    let token = token("w", 1, &log);
    let weak = token.downgrade();
    // A deferred call's handle is copied first (its copy is let go of at once), then the
    // token the state holds: both are the one call of the copy, never dropped in between.
    let (weak_copy, copy) = forking(|| (weak.fork(), token.clone())).expect("forks");
    assert!(log.lock().unwrap().is_empty(), "{:?}", log.lock().unwrap());
    assert!(weak_copy.upgrade().is_some());
    drop(copy);
    assert_eq!(*log.lock().unwrap(), ["w' dropped"]);
    assert!(weak_copy.upgrade().is_none());
}
