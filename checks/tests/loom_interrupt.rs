//! Loom models of `genserver::engine::Interrupt`, the doom flag through which a kill (or an
//! untrapped exit signal) reaches a server blocked in a call it made: a kill racing the
//! reply gives exactly one outcome and the server ends doomed; a kill of a server about to
//! wait on a call that is never answered wakes it (no hang). Each model also runs against
//! `RacyInterrupt`, which checks and registers in two critical sections, and loom must
//! reject it.
#![cfg(loom)]

use genserver::engine::ReplyLink;
use genserver::engine::{Doom, Interrupt};
use genserver::{CallError, ExitReason, ReplyTo};
use genserver_checks::api::{InterruptApi, token_for};
use genserver_checks::broken::RacyInterrupt;
use genserver_checks::model::{check, check_rejected};
use loom::sync::Arc;
use loom::thread;

const BOUND: usize = 3;

/// What the server thread does with a call it made (`call_out` of the runtime): register
/// the link, wait, forget it. If it was doomed before it could wait, it gives the call up
/// (`None` unless the reply was already there).
fn server_waits<I: InterruptApi<u32>>(
    interrupt: &I,
    link: &Arc<ReplyLink<u32>>,
) -> Option<Result<u32, CallError>> {
    if !interrupt.enter_call(link) {
        // The runtime does not even send the call then; here the token is already out.
        return link.abandon();
    }
    let outcome = link.wait();
    interrupt.leave_call();
    Some(outcome)
}

/// The callee replies while a killer dooms the waiting server: the server never hangs, it
/// takes exactly one outcome (the reply iff the callee was told it was delivered), and it
/// ends doomed, so it will not handle that outcome.
fn kill_races_reply<I: InterruptApi<u32>>() {
    let interrupt = Arc::new(I::new());
    let link = Arc::new(ReplyLink::new());
    let token: ReplyTo<u32> = token_for(&link);
    let callee = thread::spawn(move || token.reply(7));
    let killer = {
        let interrupt = Arc::clone(&interrupt);
        thread::spawn(move || interrupt.doom(Doom::kill()))
    };
    let outcome = server_waits(&*interrupt, &link);
    let delivered = callee.join().unwrap();
    assert!(killer.join().unwrap(), "the only doom was not recorded");
    match (&outcome, delivered) {
        (Some(Ok(7)), true) => {}
        (Some(Err(CallError::Exited(ExitReason::Killed))) | None, false) => {}
        other => panic!("not exactly one outcome: {other:?}"),
    }
    assert_eq!(
        interrupt.doomed(),
        Some(Doom::kill()),
        "the server is not doomed"
    );
}

/// The callee never answers (it holds the token); a killer dooms the server as it is about
/// to wait: the server must wake (a hang is a loom deadlock).
fn kill_wakes_a_server_waiting_for_ever<I: InterruptApi<u32>>() {
    let interrupt = Arc::new(I::new());
    let link = Arc::new(ReplyLink::new());
    let token: ReplyTo<u32> = token_for(&link);
    let killer = {
        let interrupt = Arc::clone(&interrupt);
        thread::spawn(move || {
            interrupt.doom(Doom::kill());
        })
    };
    let outcome = server_waits(&*interrupt, &link);
    assert!(
        matches!(
            outcome,
            None | Some(Err(CallError::Exited(ExitReason::Killed)))
        ),
        "a killed server's call gave {outcome:?}"
    );
    killer.join().unwrap();
    drop(token);
}

#[test]
fn interrupt_kill_races_reply() {
    check(
        "interrupt: kill races the reply (3 threads)",
        BOUND,
        kill_races_reply::<Interrupt<u32>>,
    );
}

#[test]
fn interrupt_kill_wakes_a_blocked_call() {
    check(
        "interrupt: kill wakes a call never answered",
        BOUND,
        kill_wakes_a_server_waiting_for_ever::<Interrupt<u32>>,
    );
}

#[test]
#[should_panic(expected = "deadlock")]
fn rejects_interrupt_checking_and_registering_apart() {
    check_rejected(
        "broken RacyInterrupt: kill wakes a call never answered",
        BOUND,
        kill_wakes_a_server_waiting_for_ever::<RacyInterrupt<u32>>,
    );
}
