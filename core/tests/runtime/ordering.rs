//! FIFO per sender; concurrency does not lose messages.

use genserver::Runtime;

use crate::probe::{Call, Cast, entries, new_log, start};

#[test]
fn messages_from_one_sender_arrive_in_the_order_sent() {
    let rt = Runtime::new();
    let log = new_log();
    let probe = start(&rt, &log);
    let senders: Vec<_> = (0..4)
        .map(|sender| {
            let probe = probe.clone();
            std::thread::spawn(move || {
                for i in 0..2_000 {
                    probe.cast(Cast::Record(format!("{sender}:{i}")));
                }
            })
        })
        .collect();
    for sender in senders {
        sender.join().unwrap();
    }
    probe.call(Call::Echo(0)).unwrap();
    let log = entries(&log);
    assert_eq!(log.len(), 8_000);
    for sender in 0..4 {
        let prefix = format!("{sender}:");
        let seen: Vec<usize> = log
            .iter()
            .filter_map(|entry| entry.strip_prefix(&prefix))
            .map(|i| i.parse().unwrap())
            .collect();
        assert_eq!(
            seen,
            (0..2_000).collect::<Vec<_>>(),
            "sender {sender} out of order"
        );
    }
}

#[test]
fn a_call_after_casts_from_the_same_sender_sees_them_all() {
    let rt = Runtime::new();
    let log = new_log();
    let probe = start(&rt, &log);
    for i in 0..100 {
        probe.cast(Cast::Record(i.to_string()));
    }
    probe.call(Call::Echo(0)).unwrap();
    assert_eq!(entries(&log).len(), 100);
}
