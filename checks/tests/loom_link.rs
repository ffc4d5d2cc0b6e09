//! Loom models of `genserver::engine::ReplyLink` and the `genserver::ReplyTo` token over it: a reply
//! racing the caller's timeout (the explicit `abandon`, since loom has no clock) gives exactly
//! one outcome; a reply after the timeout is dropped and leaks nothing; two outcomes racing
//! (a reply and the server's death) are accepted once; the server dying wakes the caller with
//! an error; a reply deferred to a third thread arrives. Each model also runs against a broken
//! copy it must reject, and against the broken links' shared base without a flaw, which passes.
#![cfg(loom)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use genserver::engine::ReplyLink;
use genserver::{CallError, ExitReason, ReplyTo};
use genserver_checks::api::{LinkApi, TokenApi, token_for};
use genserver_checks::broken::mini_runtime::DELIBERATE_PANIC;
use genserver_checks::broken::{
    BaseLink, DoubleDeliveryLink, EarlyNotifyLink, ForgetfulLink, LateWakerLink, NoFlaw,
    SplitAbandonLink, StickyAbandonLink, UnsharedReplyTo,
};
use genserver_checks::model::{check, check_rejected};
use loom::sync::Arc;
use loom::thread;

const BOUND: usize = 3;

/// A reply that owns a loom `Arc`: loom fails the model if it is never dropped.
type Reply = Arc<u32>;

fn reply() -> Reply {
    Arc::new(7)
}

fn died() -> CallError {
    CallError::Exited(ExitReason::error("died"))
}

/// The server replies through the call's token while the caller's timeout fires: the caller
/// takes what is there, else abandons the link. Exactly one outcome: the server is told
/// "delivered" iff the caller got the reply. The token's drop right after the reply (its
/// `NoReply`) is refused, and afterwards the link yields nothing and accepts nothing.
fn reply_races_timeout<L: LinkApi<Reply>>() {
    let link = Arc::new(L::new());
    let token: ReplyTo<Reply> = token_for(&link);
    let server = thread::spawn(move || token.reply(reply()));
    let outcome = link
        .poll()
        .or_else(|| link.abandon())
        .unwrap_or(Err(CallError::Timeout));
    let delivered = server.join().unwrap();
    match (&outcome, delivered) {
        (Ok(value), true) => assert_eq!(**value, 7),
        (Err(CallError::Timeout), false) => {}
        (Err(CallError::Timeout), true) => panic!(
            "not exactly one outcome: reply lost (the server was told it was delivered, \
             the caller timed out)"
        ),
        (outcome, delivered) => panic!(
            "not exactly one outcome: caller got {outcome:?}, server told delivered={delivered}"
        ),
    }
    assert!(link.poll().is_none(), "a second outcome after the race");
    assert!(
        !link.complete(Err(died())),
        "an outcome accepted after the race"
    );
}

/// The caller has timed out (abandoned) before the reply; the late reply, through the call's
/// token, races the caller's next look at the link. It never reaches the caller, is reported
/// discarded, and is dropped (loom's leak check sees its `Arc`).
fn late_reply_is_dropped<L: LinkApi<Reply>>() {
    let link = Arc::new(L::new());
    let token: ReplyTo<Reply> = token_for(&link);
    assert!(link.abandon().is_none());
    let server = thread::spawn(move || token.reply(reply()));
    let seen = link.poll();
    assert!(
        seen.is_none(),
        "a reply after the timeout reached the caller: {seen:?}"
    );
    let delivered = server.join().unwrap();
    assert!(
        !delivered,
        "a reply after the timeout was accepted as delivered"
    );
    assert!(
        link.poll().is_none(),
        "a reply after the timeout reached the caller later"
    );
}

/// A deferred reply (one copy of the token, on another thread) and the server's exit failing
/// its open calls (another copy) race while the caller waits: exactly one is accepted, and it
/// is the one the caller gets; the last copy's drop (`NoReply`) is refused.
fn two_outcomes_race<L: LinkApi<Reply>>() {
    let link = Arc::new(L::new());
    let token: ReplyTo<Reply> = token_for(&link);
    let copy = token.clone();
    let replier = thread::spawn(move || copy.reply(reply()));
    let exit = thread::spawn(move || token.fail(died()));
    let outcome = link.wait();
    let (replied, failed) = (replier.join().unwrap(), exit.join().unwrap());
    assert!(
        replied != failed,
        "delivered twice (or never): reply accepted={replied}, exit's failure accepted={failed}"
    );
    assert_eq!(
        outcome.is_ok(),
        replied,
        "the caller got the outcome that was refused"
    );
    assert!(link.poll().is_none(), "a second outcome");
}

/// The server thread dies (panics) holding the only reply token: the caller, waiting without a
/// timeout, wakes with an error.
fn server_death_wakes_caller<L: LinkApi<Reply>>() {
    let link = Arc::new(L::new());
    let token: ReplyTo<Reply> = token_for(&link);
    let server = thread::spawn(move || {
        let died = catch_unwind(AssertUnwindSafe(move || {
            let _from = token;
            panic!("{DELIBERATE_PANIC}");
        }));
        assert!(died.is_err());
    });
    let outcome = link.wait();
    assert!(
        matches!(outcome, Err(CallError::NoReply)),
        "the caller of a dead server got {outcome:?}"
    );
    server.join().unwrap();
}

/// An `async` caller awaits the reply while the server sends it: however the look and the
/// delivery interleave, the caller's task is woken and gets the reply (a lost wake-up leaves
/// it asleep for good: loom reports the deadlock).
fn async_caller_is_woken<L: LinkApi<Reply>>() {
    let link = Arc::new(L::new());
    let token: ReplyTo<Reply> = token_for(&link);
    let server = thread::spawn(move || token.reply(reply()));
    let outcome = loom::future::block_on(std::future::poll_fn(|cx| link.poll_outcome(cx)));
    assert!(server.join().unwrap(), "the reply was refused");
    match outcome {
        Ok(value) => assert_eq!(*value, 7),
        Err(error) => panic!("the async caller got {error:?}"),
    }
}

/// The server answers "later": it hands a copy of the token to a third thread, which replies,
/// and drops its own. The caller (waiting with `wait_for`, the timed wait that loom cannot
/// time out) gets that reply, never "no reply".
fn deferred_reply_arrives<T: TokenApi<Reply>, L: LinkApi<Reply>>() {
    let link = Arc::new(L::new());
    let token: T = token_for(&link);
    let server = thread::spawn(move || {
        let later = token.clone();
        let replier = thread::spawn(move || {
            assert!(later.reply(reply()), "the deferred reply was refused");
        });
        drop(token);
        replier
    });
    let outcome = loop {
        if let Some(outcome) = link.wait_for(Duration::from_secs(5)) {
            break outcome;
        }
        thread::yield_now();
    };
    match outcome {
        Ok(value) => assert_eq!(*value, 7),
        Err(error) => panic!("the deferred reply was lost: the caller got {error:?}"),
    }
    server.join().unwrap().join().unwrap();
}

#[test]
fn link_reply_races_timeout() {
    check(
        "link: reply races timeout",
        BOUND,
        reply_races_timeout::<ReplyLink<Reply>>,
    );
}

#[test]
fn link_late_reply_is_dropped() {
    check(
        "link: late reply dropped",
        BOUND,
        late_reply_is_dropped::<ReplyLink<Reply>>,
    );
}

#[test]
fn link_two_outcomes_race() {
    check(
        "link: deferred reply races server exit",
        BOUND,
        two_outcomes_race::<ReplyLink<Reply>>,
    );
}

#[test]
fn link_server_death_wakes_caller() {
    check(
        "link: server death wakes caller",
        BOUND,
        server_death_wakes_caller::<ReplyLink<Reply>>,
    );
}

#[test]
fn link_async_caller_is_woken() {
    check(
        "link: async caller is woken",
        BOUND,
        async_caller_is_woken::<ReplyLink<Reply>>,
    );
}

#[test]
fn link_deferred_reply_arrives() {
    check(
        "link: deferred reply from a third thread",
        BOUND,
        deferred_reply_arrives::<ReplyTo<Reply>, ReplyLink<Reply>>,
    );
}

/// The broken links' shared base with no flaw passes every model: each variant is rejected for
/// its one bug.
#[test]
fn base_link_without_a_flaw_passes_every_model() {
    type Base = BaseLink<Reply, NoFlaw>;
    check(
        "base link: reply races timeout",
        BOUND,
        reply_races_timeout::<Base>,
    );
    check(
        "base link: late reply dropped",
        BOUND,
        late_reply_is_dropped::<Base>,
    );
    check(
        "base link: deferred reply races server exit",
        BOUND,
        two_outcomes_race::<Base>,
    );
    check(
        "base link: server death wakes caller",
        BOUND,
        server_death_wakes_caller::<Base>,
    );
    check(
        "base link: deferred reply from a third thread",
        BOUND,
        deferred_reply_arrives::<ReplyTo<Reply>, Base>,
    );
    check(
        "base link: async caller is woken",
        BOUND,
        async_caller_is_woken::<Base>,
    );
}

#[test]
#[should_panic(expected = "deadlock")]
fn rejects_link_registering_the_waker_after_unlocking() {
    check_rejected(
        "broken LateWakerLink: async caller is woken",
        BOUND,
        async_caller_is_woken::<LateWakerLink<Reply>>,
    );
}

#[test]
#[should_panic(expected = "not exactly one outcome")]
fn rejects_link_with_split_abandon() {
    check_rejected(
        "broken SplitAbandonLink: reply races timeout",
        BOUND,
        reply_races_timeout::<SplitAbandonLink<Reply>>,
    );
}

#[test]
#[should_panic(expected = "a reply after the timeout")]
fn rejects_link_whose_abandon_lets_a_late_reply_through() {
    check_rejected(
        "broken StickyAbandonLink: late reply dropped",
        BOUND,
        late_reply_is_dropped::<StickyAbandonLink<Reply>>,
    );
}

#[test]
#[should_panic(expected = "Arc leaked")]
fn rejects_link_leaking_a_late_reply() {
    check_rejected(
        "broken ForgetfulLink: late reply dropped",
        BOUND,
        late_reply_is_dropped::<ForgetfulLink<Reply>>,
    );
}

#[test]
#[should_panic(expected = "delivered twice")]
fn rejects_link_delivering_twice() {
    check_rejected(
        "broken DoubleDeliveryLink: deferred reply races server exit",
        BOUND,
        two_outcomes_race::<DoubleDeliveryLink<Reply>>,
    );
}

#[test]
#[should_panic(expected = "deadlock")]
fn rejects_link_notifying_before_storing() {
    check_rejected(
        "broken EarlyNotifyLink: server death wakes caller",
        BOUND,
        server_death_wakes_caller::<EarlyNotifyLink<Reply>>,
    );
}

#[test]
#[should_panic(expected = "the deferred reply was")]
fn rejects_token_whose_copies_each_fail_the_call() {
    check_rejected(
        "broken UnsharedReplyTo: deferred reply from a third thread",
        BOUND,
        deferred_reply_arrives::<UnsharedReplyTo<Reply>, ReplyLink<Reply>>,
    );
}
