//! Loom models of `genserver::engine::Mailbox`: two producers and one consumer lose, duplicate and
//! reorder nothing (the consumer a task, woken through its waker); closing the mailbox while producers send makes every send either delivered
//! or handed back to its sender. Each model also runs against a broken copy it must reject,
//! and against the broken mailboxes' shared base without a flaw, which passes.
#![cfg(loom)]

use std::collections::VecDeque;

use genserver::engine::Mailbox;
use genserver_checks::api::MailboxApi;
use genserver_checks::broken::{
    BaseMailbox, DuplicatingMailbox, LateWakerMailbox, LostWakeupMailbox, NoFlaw, RacyCloseMailbox,
    ReorderingMailbox,
};
use genserver_checks::model::{check, check_rejected};
use loom::sync::Arc;
use loom::thread;

/// Messages each producer sends, numbered `(producer, sequence)`.
const PER_PRODUCER: u8 = 3;
const PRODUCERS: u8 = 2;
const BOUND: usize = 3;

type Item = (u8, u8);

/// Every message sent is in `delivered` exactly once, and each producer's in the order sent.
fn assert_exactly_once_in_order(delivered: &[Item]) {
    for producer in 0..PRODUCERS {
        let seen: Vec<u8> = delivered
            .iter()
            .filter(|(from, _)| *from == producer)
            .map(|&(_, seq)| seq)
            .collect();
        for seq in 0..PER_PRODUCER {
            match seen.iter().filter(|&&s| s == seq).count() {
                0 => panic!("message lost: ({producer}, {seq}) never received; got {delivered:?}"),
                1 => {}
                n => panic!("message duplicated: ({producer}, {seq}) received {n} times"),
            }
        }
        let in_order: Vec<u8> = (0..PER_PRODUCER).collect();
        assert_eq!(
            seen, in_order,
            "FIFO broken: producer {producer}'s messages received out of order: {delivered:?}"
        );
    }
}

/// The producers, each sending its messages in order into the open `mailbox`.
fn start_producers<M: MailboxApi<Item>>(mailbox: &Arc<M>) -> Vec<thread::JoinHandle<()>> {
    (0..PRODUCERS)
        .map(|producer| {
            let mailbox = Arc::clone(mailbox);
            thread::spawn(move || {
                for seq in 0..PER_PRODUCER {
                    assert!(
                        mailbox.push((producer, seq)).is_ok(),
                        "an open mailbox refused"
                    );
                }
            })
        })
        .collect()
}

/// How the consumer treats its batch between receives.
#[derive(Clone, Copy)]
enum Consumer {
    /// As the server loop does: handles its whole batch before receiving again, so
    /// `recv_into` always moves the queue into an empty batch (its swap path).
    DrainsBatch,
    /// Keeps everything in one growing batch, so `recv_into` appends (its append path).
    KeepsBatch,
}

/// Two producers, one consumer receiving until it has every message.
fn two_producers_one_consumer<M: MailboxApi<Item>>(consumer: Consumer) {
    let mailbox = Arc::new(M::new());
    let producers = start_producers(&mailbox);
    let mut handled = Vec::new();
    let mut batch = VecDeque::new();
    while handled.len() + batch.len() < usize::from(PRODUCERS * PER_PRODUCER) {
        mailbox.recv_into(&mut batch);
        if let Consumer::DrainsBatch = consumer {
            handled.extend(batch.drain(..));
        }
    }
    handled.extend(batch);
    for producer in producers {
        producer.join().unwrap();
    }
    handled.extend(mailbox.close());
    assert_exactly_once_in_order(&handled);
}

/// Two producers send while the consumer receives once and then closes (the server exits):
/// each message is received, returned by `close`, or handed back to its sender, exactly one of
/// the three; once one of a producer's sends failed, its later ones fail too.
fn close_while_producers_send<M: MailboxApi<Item>>() {
    let mailbox = Arc::new(M::new());
    let producers: Vec<_> = (0..PRODUCERS)
        .map(|producer| {
            let mailbox = Arc::clone(&mailbox);
            thread::spawn(move || {
                (0..PER_PRODUCER)
                    .map(|seq| mailbox.push((producer, seq)))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut delivered = VecDeque::new();
    mailbox.recv_into(&mut delivered);
    delivered.extend(mailbox.close());
    assert!(
        mailbox.push((PRODUCERS, 0)).is_err(),
        "push after close succeeded"
    );
    let mut refused = Vec::new();
    for (producer, handle) in (0..PRODUCERS).zip(producers) {
        let results = handle.join().unwrap();
        let first_refused = results.iter().position(Result::is_err);
        for (seq, result) in (0..PER_PRODUCER).zip(results) {
            match result {
                Ok(()) => {
                    if first_refused.is_some_and(|first| first < usize::from(seq)) {
                        panic!("push ({producer}, {seq}) succeeded after an earlier one failed");
                    }
                }
                Err(item) => {
                    assert_eq!(
                        item,
                        (producer, seq),
                        "a refused push returned another item"
                    );
                    refused.push(item);
                }
            }
        }
    }
    for producer in 0..PRODUCERS {
        for seq in 0..PER_PRODUCER {
            let item = (producer, seq);
            let times = delivered.iter().filter(|&&d| d == item).count();
            let handed_back = refused.contains(&item);
            match (times, handed_back) {
                (0, false) => panic!(
                    "message vanished under close: {item:?} neither delivered nor refused; \
                     delivered {delivered:?}, refused {refused:?}"
                ),
                (1, false) | (0, true) => {}
                _ => panic!("message both delivered and refused, or twice: {item:?}"),
            }
        }
    }
    let delivered: Vec<Item> = delivered.into();
    for producer in 0..PRODUCERS {
        let seqs: Vec<u8> = delivered
            .iter()
            .filter(|(from, _)| *from == producer)
            .map(|&(_, seq)| seq)
            .collect();
        assert!(seqs.is_sorted(), "FIFO broken under close: {delivered:?}");
    }
}

#[test]
fn mailbox_two_producers_one_consumer() {
    check(
        "mailbox: 2 producers, 1 consumer draining its batch",
        BOUND,
        || two_producers_one_consumer::<Mailbox<Item>>(Consumer::DrainsBatch),
    );
}

/// Two producers; the consumer first looks without the lock (`is_empty`, the flag a server
/// reads while it spins) and takes what is queued at once, else it receives (its waker):
/// the flag may only say "look" when there is mail, and "sleep" never loses a message.
fn two_producers_one_looking_consumer() {
    let mailbox = Arc::new(Mailbox::new());
    let producers = start_producers(&mailbox);
    let mut handled = Vec::new();
    let mut batch = VecDeque::new();
    while handled.len() < usize::from(PRODUCERS * PER_PRODUCER) {
        if mailbox.is_empty() {
            mailbox.recv_blocking(&mut batch);
        } else {
            mailbox.drain_into(&mut batch);
            assert!(!batch.is_empty(), "the flag said mail, the queue was empty");
        }
        handled.extend(batch.drain(..));
    }
    for producer in producers {
        producer.join().unwrap();
    }
    handled.extend(mailbox.close());
    assert_exactly_once_in_order(&handled);
}

#[test]
fn mailbox_two_producers_one_looking_consumer() {
    check(
        "mailbox: 2 producers, 1 consumer looking without the lock first",
        BOUND,
        two_producers_one_looking_consumer,
    );
}

#[test]
fn mailbox_two_producers_one_consumer_appending() {
    check(
        "mailbox: 2 producers, 1 consumer appending to its batch",
        BOUND,
        || two_producers_one_consumer::<Mailbox<Item>>(Consumer::KeepsBatch),
    );
}

#[test]
fn mailbox_close_while_producers_send() {
    check(
        "mailbox: close while 2 producers send",
        BOUND,
        close_while_producers_send::<Mailbox<Item>>,
    );
}

/// The broken mailboxes' shared base with no flaw passes every model: each variant is rejected
/// for its one bug.
#[test]
fn base_mailbox_without_a_flaw_passes_every_model() {
    type Base = BaseMailbox<Item, NoFlaw>;
    check(
        "base mailbox: 2 producers, 1 consumer draining its batch",
        BOUND,
        || two_producers_one_consumer::<Base>(Consumer::DrainsBatch),
    );
    check(
        "base mailbox: 2 producers, 1 consumer appending to its batch",
        BOUND,
        || two_producers_one_consumer::<Base>(Consumer::KeepsBatch),
    );
    check(
        "base mailbox: close while 2 producers send",
        BOUND,
        close_while_producers_send::<Base>,
    );
}

#[test]
#[should_panic(expected = "deadlock")]
fn rejects_mailbox_losing_a_wakeup() {
    check_rejected(
        "broken LostWakeupMailbox: 2 producers, 1 consumer draining",
        BOUND,
        || two_producers_one_consumer::<LostWakeupMailbox<Item>>(Consumer::DrainsBatch),
    );
}

#[test]
#[should_panic(expected = "message duplicated")]
fn rejects_mailbox_duplicating() {
    check_rejected(
        "broken DuplicatingMailbox: 2 producers, 1 consumer appending",
        BOUND,
        || two_producers_one_consumer::<DuplicatingMailbox<Item>>(Consumer::KeepsBatch),
    );
}

#[test]
#[should_panic(expected = "FIFO broken")]
fn rejects_mailbox_reordering() {
    check_rejected(
        "broken ReorderingMailbox: 2 producers, 1 consumer appending",
        BOUND,
        || two_producers_one_consumer::<ReorderingMailbox<Item>>(Consumer::KeepsBatch),
    );
}

#[test]
#[should_panic(expected = "message vanished under close")]
fn rejects_mailbox_dropping_under_close() {
    check_rejected(
        "broken RacyCloseMailbox: close while 2 producers send",
        BOUND,
        close_while_producers_send::<RacyCloseMailbox<Item>>,
    );
}

#[test]
#[should_panic(expected = "deadlock")]
fn rejects_mailbox_whose_task_leaves_its_waker_late() {
    check_rejected(
        "broken LateWakerMailbox: 2 producers, 1 receiving task draining",
        BOUND,
        || two_producers_one_consumer::<LateWakerMailbox<Item>>(Consumer::DrainsBatch),
    );
}
