//! Plain `std` tests (no loom): what each variant does in a fixed order. The bugs that need
//! an unlucky interleaving do not show here, which is the point of the loom models; the ones
//! that show in a fixed order are pinned down, and the mini runtime is checked on real threads.

use std::collections::VecDeque;
use std::sync::Arc;

use genserver::engine::{Doom, Interrupt};
use genserver::engine::{Mailbox, ReplyLink};
use genserver::{CallError, ExitReason, ReplyTo};

use super::mini_runtime::{Envelope, Flaw, MiniServer, Request};
use super::*;
use crate::api::{InterruptApi, LinkApi, MailboxApi, TokenApi, token_for};

fn late_reply_accepted<L: LinkApi<u32>>() -> bool {
    let link = L::new();
    assert!(link.abandon().is_none());
    link.complete(Ok(7))
}

#[test]
fn only_the_sticky_abandon_accepts_a_late_reply() {
    assert!(!late_reply_accepted::<ReplyLink<u32>>());
    assert!(!late_reply_accepted::<BaseLink<u32, NoFlaw>>());
    assert!(late_reply_accepted::<StickyAbandonLink<u32>>());
    assert!(!late_reply_accepted::<SplitAbandonLink<u32>>());
    assert!(!late_reply_accepted::<DoubleDeliveryLink<u32>>());
    assert!(!late_reply_accepted::<EarlyNotifyLink<u32>>());
    assert!(!late_reply_accepted::<ForgetfulLink<u32>>());
}

fn late_reply_freed<L: LinkApi<Arc<u32>>>() -> bool {
    let reply = Arc::new(7);
    let link = L::new();
    link.abandon();
    assert!(!link.complete(Ok(Arc::clone(&reply))));
    drop(link);
    Arc::strong_count(&reply) == 1
}

#[test]
fn only_the_forgetful_link_leaks_a_late_reply() {
    assert!(late_reply_freed::<ReplyLink<Arc<u32>>>());
    assert!(late_reply_freed::<BaseLink<Arc<u32>, NoFlaw>>());
    assert!(!late_reply_freed::<ForgetfulLink<Arc<u32>>>());
}

fn one_outcome_in_order<L: LinkApi<u32>>() {
    let link = L::new();
    assert!(link.poll().is_none());
    assert!(link.complete(Ok(1)));
    assert!(!link.complete(Ok(2)), "a second outcome was accepted");
    assert_eq!(link.wait(), Ok(1));
    assert!(link.poll().is_none());
}

#[test]
fn race_only_link_bugs_do_not_show_in_a_fixed_order() {
    one_outcome_in_order::<ReplyLink<u32>>();
    one_outcome_in_order::<BaseLink<u32, NoFlaw>>();
    one_outcome_in_order::<DoubleDeliveryLink<u32>>();
    one_outcome_in_order::<EarlyNotifyLink<u32>>();
    one_outcome_in_order::<SplitAbandonLink<u32>>();
}

fn receive_twice<M: MailboxApi<u32>>() -> VecDeque<u32> {
    let mailbox = M::new();
    let mut batch = VecDeque::new();
    mailbox.push(1).unwrap();
    mailbox.recv_into(&mut batch);
    mailbox.push(2).unwrap();
    mailbox.recv_into(&mut batch);
    batch.extend(mailbox.close());
    batch
}

#[test]
fn appending_to_a_batch_keeps_order_and_moves_items() {
    assert_eq!(receive_twice::<Mailbox<u32>>(), [1, 2]);
    assert_eq!(receive_twice::<BaseMailbox<u32, NoFlaw>>(), [1, 2]);
    assert_eq!(receive_twice::<ReorderingMailbox<u32>>(), [2, 1]);
    assert_eq!(receive_twice::<DuplicatingMailbox<u32>>(), [1, 2, 2]);
    assert_eq!(receive_twice::<RacyCloseMailbox<u32>>(), [1, 2]);
    assert_eq!(receive_twice::<LostWakeupMailbox<u32>>(), [1, 2]);
    assert_eq!(receive_twice::<LateWakerMailbox<u32>>(), [1, 2]);
}

fn close_hands_pushes_back<M: MailboxApi<u32>>() {
    let mailbox = M::new();
    mailbox.push(1).unwrap();
    assert_eq!(mailbox.close(), [1]);
    assert_eq!(mailbox.push(2), Err(2));
}

#[test]
fn a_closed_mailbox_hands_pushes_back() {
    close_hands_pushes_back::<Mailbox<u32>>();
    close_hands_pushes_back::<BaseMailbox<u32, NoFlaw>>();
    close_hands_pushes_back::<RacyCloseMailbox<u32>>();
    close_hands_pushes_back::<LateWakerMailbox<u32>>();
}

fn deferred_outcome<T: TokenApi<u32>>() -> Result<u32, CallError> {
    let link = Arc::new(ReplyLink::new());
    let token: T = token_for(&link);
    let later = token.clone();
    drop(token);
    later.reply(5);
    drop(later);
    link.wait()
}

#[test]
fn only_the_unshared_token_fails_a_deferred_call() {
    assert_eq!(deferred_outcome::<ReplyTo<u32>>(), Ok(5));
    assert_eq!(
        deferred_outcome::<UnsharedReplyTo<u32>>(),
        Err(CallError::NoReply)
    );
}

type RealMini = MiniServer<Mailbox<Envelope<ReplyLink<u32>>>, ReplyLink<u32>>;

#[test]
fn the_mini_runtime_from_real_parts_works_on_threads() {
    let server = RealMini::start(Flaw::None);
    assert_eq!(server.call(Request::Add(1)), Ok(2));
    assert_eq!(server.stop(), Ok(()));
    assert_eq!(server.call(Request::Add(1)), Err(CallError::NoProcess));

    let server = RealMini::start(Flaw::None);
    let panicked = server.call(Request::Panic);
    assert!(
        matches!(panicked, Err(CallError::Exited(ExitReason::Panic(_)))),
        "{panicked:?}"
    );
}

#[test]
fn the_real_mailbox_keeps_per_producer_order_on_threads() {
    const N: u32 = 2_000;
    let mailbox = Arc::new(Mailbox::new());
    let producers: Vec<_> = (0..2)
        .map(|producer| {
            let mailbox = Arc::clone(&mailbox);
            std::thread::spawn(move || {
                for seq in 0..N {
                    mailbox.push((producer, seq)).unwrap();
                }
            })
        })
        .collect();
    let mut received = VecDeque::new();
    let mut next = [0, 0];
    while received.len() < 2 * N as usize {
        let mut batch = VecDeque::new();
        MailboxApi::recv_into(&*mailbox, &mut batch);
        for (producer, seq) in batch.iter().copied() {
            assert_eq!(seq, next[producer], "producer {producer} out of order");
            next[producer] += 1;
        }
        received.extend(batch);
    }
    for producer in producers {
        producer.join().unwrap();
    }
    assert!(mailbox.close().is_empty());
}

fn doom_in_a_fixed_order<I: InterruptApi<u32>>() {
    // Doomed before the server waits: it must not wait.
    let interrupt = I::new();
    let link = Arc::new(ReplyLink::new());
    interrupt.doom(Doom::kill());
    assert!(!interrupt.enter_call(&link));
    // Doomed while it waits: its link is completed with the reason.
    let interrupt = I::new();
    let link = Arc::new(ReplyLink::new());
    assert!(interrupt.enter_call(&link));
    interrupt.doom(Doom::kill());
    assert_eq!(
        link.poll(),
        Some(Err(CallError::Exited(ExitReason::Killed)))
    );
    assert!(!interrupt.doom(Doom::kill()), "a second kill was recorded");
}

#[test]
fn the_racy_interrupt_works_in_a_fixed_order() {
    doom_in_a_fixed_order::<Interrupt<u32>>();
    doom_in_a_fixed_order::<RacyInterrupt<u32>>();
}
