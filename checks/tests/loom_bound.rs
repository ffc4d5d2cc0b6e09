//! Loom model of `genserver::engine::Bound`, a bounded mailbox's places (rule 8): two senders
//! racing for the last place never queue past the limit, and once the server has taken
//! everything every place is free again. The model also runs against a broken copy it must
//! reject (admission as a read, then a write).
#![cfg(loom)]

use genserver::engine::Bound;
use genserver_checks::api::BoundApi;
use genserver_checks::broken::RacyBound;
use genserver_checks::model::{check, check_rejected};
use loom::sync::Arc;
use loom::sync::atomic::AtomicUsize;
use loom::sync::atomic::Ordering::SeqCst;
use loom::thread;

const BOUND: usize = 3;

/// Two senders each offer one message to a mailbox of one place while the server takes what
/// is queued: at no time are more messages queued than the limit, at least one sender gets
/// in, and after the server has taken the rest the place is free again.
fn two_senders_never_queue_past_the_limit<B: BoundApi>() {
    let bound = Arc::new(B::new(1));
    // The mailbox, counted: messages queued and not yet taken.
    let queued = Arc::new(AtomicUsize::new(0));
    let senders: Vec<_> = (0..2)
        .map(|_| {
            let (bound, queued) = (Arc::clone(&bound), Arc::clone(&queued));
            thread::spawn(move || {
                if !bound.admit() {
                    return false;
                }
                let now = queued.fetch_add(1, SeqCst) + 1;
                assert!(now <= 1, "{now} messages queued in a mailbox of one place");
                true
            })
        })
        .collect();
    // The server takes one message if there is one, as its loop would.
    let mut taken = take(&*bound, &queued);
    let admitted = (senders.into_iter())
        .filter_map(|sender| sender.join().unwrap().then_some(()))
        .count();
    assert!(admitted >= 1, "both senders refused by an empty mailbox");
    while taken < admitted {
        taken += take(&*bound, &queued);
    }
    assert!(
        bound.admit(),
        "the server took everything, yet the mailbox is full"
    );
}

/// Takes a queued message, if any, and gives its place back: how many it took.
fn take<B: BoundApi>(bound: &B, queued: &AtomicUsize) -> usize {
    let waiting = queued.load(SeqCst);
    if waiting == 0 {
        return 0;
    }
    queued.fetch_sub(1, SeqCst);
    bound.release();
    1
}

#[test]
fn bound_admits_no_more_than_its_limit() {
    check(
        "bound: two senders, one place",
        BOUND,
        two_senders_never_queue_past_the_limit::<Bound>,
    );
}

#[test]
#[should_panic(expected = "messages queued in a mailbox of one place")]
fn rejects_bound_whose_admission_is_a_read_then_a_write() {
    check_rejected(
        "broken RacyBound: two senders, one place",
        BOUND,
        two_senders_never_queue_past_the_limit::<RacyBound>,
    );
}
