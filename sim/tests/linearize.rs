//! The linearizability checker against hand-made histories (registers, queues, pending
//! operations, partitions) and against the naive search on many small random histories.

use std::collections::VecDeque;

use genserver_sim::linearize::{History, Model, OpId, Operation, Response, Verdict, check, naive};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[path = "support/register.rs"]
mod register;

use register::{Register, RegisterOp};

/// An operation as `(client, input, invoke, response)`, a response being `(at, output)`.
type Row<Op, Ret> = (u64, Op, u64, Option<(u64, Ret)>);

/// A history of rows.
fn history<Op, Ret>(operations: Vec<Row<Op, Ret>>) -> History<Op, Ret> {
    operations
        .into_iter()
        .map(|(client, input, invoke, response)| Operation {
            client,
            input,
            invoke,
            response: response.map(|(at, output)| Response { at, output }),
        })
        .collect()
}

fn violation<K: Clone>(verdict: Verdict<K>) -> genserver_sim::linearize::Violation<K> {
    match verdict {
        Verdict::NotLinearizable(violation) => violation,
        Verdict::Linearizable => panic!("the history was found linearizable"),
    }
}

#[test]
fn sequential_register_history_is_linearizable() {
    let mut h = History::new();
    let w = h.invoke(1, RegisterOp::Write(3));
    h.ret(w, None);
    let r = h.invoke(2, RegisterOp::Read);
    h.ret(r, Some(3));
    assert_eq!(check(&Register(0), &h), Verdict::Linearizable);
    assert!(naive::is_linearizable(&Register(0), &h));
}

#[test]
fn a_read_of_a_value_never_written_is_not_linearizable() {
    use RegisterOp::*;
    // Write 1 overlaps a read that returns 2, which nobody wrote.
    let h = history(vec![
        (1, Write(1), 0, Some((3, None))),
        (2, Read, 1, Some((2, Some(2)))),
    ]);
    let v = violation(check(&Register(0), &h));
    assert_eq!(v.partition, None);
    assert_eq!(v.prefix, [OpId(0)]);
    assert_eq!(v.blocked, OpId(1));
    assert!(!naive::is_linearizable(&Register(0), &h));
    assert_eq!(
        v.to_string(),
        "not linearizable: op 1 cannot be placed after [0]"
    );
}

#[test]
fn a_read_after_a_completed_write_cannot_return_the_old_value() {
    use RegisterOp::*;
    let h = history(vec![
        (1, Write(1), 0, Some((1, None))),
        (2, Read, 2, Some((3, Some(0)))),
    ]);
    let v = violation(check(&Register(0), &h));
    assert_eq!((v.prefix, v.blocked), (vec![OpId(0)], OpId(1)));
    assert!(!naive::is_linearizable(&Register(0), &h));

    // Overlapping the write, the read may return either value.
    for seen in [0, 1] {
        let h = history(vec![
            (1, Write(1), 0, Some((2, None))),
            (2, Read, 1, Some((3, Some(seen)))),
        ]);
        assert_eq!(
            check(&Register(0), &h),
            Verdict::Linearizable,
            "read {seen}"
        );
    }
}

#[test]
fn reads_cannot_see_a_write_undone() {
    use RegisterOp::*;
    // Herlihy & Wing's register: while a write of 1 is in progress, one read returns 1 and a
    // later read (invoked after the first returned) returns 0 again.
    let h = history(vec![
        (1, Write(1), 0, Some((10, None))),
        (2, Read, 1, Some((2, Some(1)))),
        (3, Read, 3, Some((4, Some(0)))),
    ]);
    let v = violation(check(&Register(0), &h));
    assert_eq!((v.prefix, v.blocked), (vec![OpId(0), OpId(1)], OpId(2)));
    // In the other order (0, then 1) the reads are fine.
    let h = history(vec![
        (1, Write(1), 0, Some((10, None))),
        (2, Read, 1, Some((2, Some(0)))),
        (3, Read, 3, Some((4, Some(1)))),
    ]);
    assert!(check(&Register(0), &h).is_linearizable());
}

#[test]
fn operations_at_the_same_position_overlap() {
    use RegisterOp::*;
    // The write returns at 5, where the read is invoked: they overlap, so the read may be
    // linearized before the write.
    let h = history(vec![
        (1, Write(1), 0, Some((5, None))),
        (2, Read, 5, Some((6, Some(0)))),
    ]);
    assert!(check(&Register(0), &h).is_linearizable());
    assert!(naive::is_linearizable(&Register(0), &h));
}

#[test]
fn a_pending_write_may_or_may_not_have_happened() {
    use RegisterOp::*;
    for seen in [0, 7] {
        // The write of 7 never returns; a later read may see it or not.
        let h = history(vec![
            (1, Write(7), 0, None),
            (2, Read, 1, Some((2, Some(seen)))),
        ]);
        assert!(check(&Register(0), &h).is_linearizable(), "read {seen}");
        assert!(naive::is_linearizable(&Register(0), &h));
    }
    // But not both: it cannot be seen and then unseen.
    let h = history(vec![
        (1, Write(7), 0, None),
        (2, Read, 1, Some((2, Some(7)))),
        (2, Read, 3, Some((4, Some(0)))),
    ]);
    let v = violation(check(&Register(0), &h));
    assert_eq!((v.prefix, v.blocked), (vec![OpId(0), OpId(1)], OpId(2)));
    assert!(!naive::is_linearizable(&Register(0), &h));
    // Nor take effect before it was invoked.
    let h = history(vec![
        (2, Read, 0, Some((1, Some(7)))),
        (1, Write(7), 2, None),
    ]);
    let v = violation(check(&Register(0), &h));
    assert_eq!((v.prefix, v.blocked), (vec![], OpId(0)));
}

#[test]
fn pending_operations_alone_are_linearizable() {
    use RegisterOp::*;
    let h = history(vec![(1, Write(7), 0, None), (2, Read, 1, None)]);
    assert!(check(&Register(0), &h).is_linearizable());
    assert!(check(&Register(0), &History::new()).is_linearizable());
}

/// A FIFO queue of numbers.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
struct Queue(VecDeque<u32>);

#[derive(Clone, Debug, PartialEq)]
enum QueueOp {
    Enqueue(u32),
    Dequeue,
}

impl Model for Queue {
    type Op = QueueOp;
    /// What a dequeue got (`None`: empty); `None` for an enqueue.
    type Ret = Option<u32>;
    type Key = ();

    fn step(&mut self, op: &QueueOp) -> Option<u32> {
        match *op {
            QueueOp::Enqueue(value) => {
                self.0.push_back(value);
                None
            }
            QueueOp::Dequeue => self.0.pop_front(),
        }
    }
}

#[test]
fn dequeues_follow_the_real_time_order_of_enqueues() {
    use QueueOp::*;
    // 1 is enqueued before 2 is, yet 2 comes out first.
    let h = history(vec![
        (1, Enqueue(1), 0, Some((1, None))),
        (2, Enqueue(2), 2, Some((3, None))),
        (3, Dequeue, 4, Some((5, Some(2)))),
        (3, Dequeue, 6, Some((7, Some(1)))),
    ]);
    let v = violation(check(&Queue::default(), &h));
    assert_eq!((v.prefix, v.blocked), (vec![OpId(0), OpId(1)], OpId(2)));
    assert!(!naive::is_linearizable(&Queue::default(), &h));

    // Had the enqueues overlapped, either order is fine.
    let h = history(vec![
        (1, Enqueue(1), 0, Some((2, None))),
        (2, Enqueue(2), 1, Some((3, None))),
        (3, Dequeue, 4, Some((5, Some(2)))),
        (3, Dequeue, 6, Some((7, Some(1)))),
    ]);
    assert!(check(&Queue::default(), &h).is_linearizable());
    assert!(naive::is_linearizable(&Queue::default(), &h));
}

#[test]
fn a_queue_cannot_be_empty_while_holding_an_element() {
    use QueueOp::*;
    let h = history(vec![
        (1, Enqueue(1), 0, Some((1, None))),
        (2, Dequeue, 2, Some((3, None))),
    ]);
    assert!(!check(&Queue::default(), &h).is_linearizable());
    // A dequeue overlapping the enqueue may find the queue empty.
    let h = history(vec![
        (1, Enqueue(1), 0, Some((3, None))),
        (2, Dequeue, 1, Some((2, None))),
    ]);
    assert!(check(&Queue::default(), &h).is_linearizable());
}

/// One key's value in a key-value store; operations name the key.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
struct Cell(u32);

#[derive(Clone, Debug, PartialEq)]
enum KvOp {
    Put(u8, u32),
    Get(u8),
    /// Touches every key: the history cannot be partitioned.
    Clear,
}

impl Model for Cell {
    type Op = KvOp;
    type Ret = Option<u32>;
    type Key = u8;

    fn step(&mut self, op: &KvOp) -> Option<u32> {
        match *op {
            KvOp::Put(_, value) => {
                self.0 = value;
                None
            }
            KvOp::Get(_) => Some(self.0),
            KvOp::Clear => {
                self.0 = 0;
                None
            }
        }
    }

    fn partition(op: &KvOp) -> Option<u8> {
        match *op {
            KvOp::Put(key, _) | KvOp::Get(key) => Some(key),
            KvOp::Clear => None,
        }
    }
}

#[test]
fn partitions_are_checked_apart_and_the_failing_key_is_named() {
    use KvOp::*;
    // Keys 1, 2 and 3 interleave; key 2 reads a stale value.
    let h = history(vec![
        (1, Put(1, 5), 0, Some((1, None))),
        (2, Put(2, 6), 2, Some((3, None))),
        (3, Put(3, 7), 4, Some((5, None))),
        (1, Get(1), 6, Some((7, Some(5)))),
        (2, Get(2), 8, Some((9, Some(0)))),
        (3, Get(3), 10, Some((11, Some(7)))),
    ]);
    let v = violation(check(&Cell::default(), &h));
    assert_eq!(v.partition, Some(2));
    assert_eq!((v.prefix, v.blocked), (vec![OpId(1)], OpId(4)));
    assert_eq!(
        violation(check(&Cell::default(), &h)).to_string(),
        "not linearizable (partition 2): op 4 cannot be placed after [1]"
    );
    assert!(!naive::is_linearizable(&Cell::default(), &h));

    // Per key it is fine although, as one register, it would not be: each key starts at 0.
    let h = history(vec![
        (1, Put(1, 5), 0, Some((1, None))),
        (2, Get(2), 2, Some((3, Some(0)))),
    ]);
    assert!(check(&Cell::default(), &h).is_linearizable());
}

#[test]
fn an_operation_without_a_key_checks_the_history_whole() {
    use KvOp::*;
    let h = history(vec![
        (1, Put(1, 5), 0, Some((1, None))),
        (2, Clear, 2, Some((3, None))),
        (1, Get(1), 4, Some((5, Some(5)))),
    ]);
    let v = violation(check(&Cell::default(), &h));
    assert_eq!(v.partition, None);
    assert_eq!((v.prefix, v.blocked), (vec![OpId(0), OpId(1)], OpId(2)));
}

#[test]
fn the_builder_records_events_in_order() {
    let mut h = History::new();
    let a = h.invoke(1, RegisterOp::Write(1));
    let b = h.invoke_at(2, RegisterOp::Read, 10);
    h.ret(a, None);
    h.ret_at(b, Some(1), 12);
    let c = h.invoke(3, RegisterOp::Read);
    assert_eq!(h[a].invoke, 0);
    assert_eq!(h[a].response.as_ref().unwrap().at, 11);
    assert_eq!(h[c].invoke, 13);
    assert!(h[c].is_pending());
    assert!(!h[a].precedes(&h[b]) && h[b].precedes(&h[c]));
    assert!(check(&Register(0), &h).is_linearizable());
}

#[test]
#[should_panic(expected = "returned twice")]
fn an_operation_returns_once() {
    let mut h: History<RegisterOp, Option<u32>> = History::new();
    let a = h.invoke(1, RegisterOp::Read);
    h.ret(a, Some(0));
    h.ret(a, Some(0));
}

/// A random history of `len` operations by `clients` clients, from an execution where each
/// operation takes effect at one moment between its invocation and response (so it is
/// linearizable); operations that time out, and those in flight at the end, stay pending
/// (taken effect or not). With
/// `corrupt`, one completed output is then changed, which may or may not break it.
fn random_history<M: Model>(
    rng: &mut ChaCha8Rng,
    initial: &M,
    clients: u64,
    len: usize,
    mut input: impl FnMut(&mut ChaCha8Rng) -> M::Op,
    mut corrupt: impl FnMut(&mut ChaCha8Rng, &mut M::Ret),
) -> History<M::Op, M::Ret>
where
    M::Op: Clone,
{
    enum Flight<Ret> {
        Idle,
        Invoked(OpId),
        Done(OpId, Ret),
    }
    let mut state = initial.clone();
    let mut history = History::new();
    let mut flights: Vec<Flight<M::Ret>> = (0..clients).map(|_| Flight::Idle).collect();
    let mut invoked = 0;
    let mut time = 0;
    // Some runs end with operations in flight (pending); the rest let them all finish.
    let drain = rng.random_bool(0.5);
    loop {
        time += 1;
        let busy = flights.iter().any(|f| !matches!(f, Flight::Idle));
        if invoked == len && (!busy || !drain && rng.random_bool(0.3)) {
            break;
        }
        let client = rng.random_range(0..clients) as usize;
        flights[client] = match std::mem::replace(&mut flights[client], Flight::Idle) {
            Flight::Idle if invoked < len => {
                invoked += 1;
                let op = input(rng);
                Flight::Invoked(history.invoke_at(client as u64, op, time))
            }
            Flight::Idle => Flight::Idle,
            // The call times out, before or after it took effect: the operation stays
            // pending and the client goes on.
            Flight::Invoked(_) | Flight::Done(..) if rng.random_bool(0.05) => Flight::Idle,
            Flight::Invoked(id) => Flight::Done(id, state.step(&history[id].input)),
            Flight::Done(id, output) => {
                history.ret_at(id, output, time);
                Flight::Idle
            }
        };
    }
    let mut operations: Vec<_> = history.into_operations();
    let completed: Vec<usize> = (0..operations.len())
        .filter(|&i| !operations[i].is_pending())
        .collect();
    if !completed.is_empty() && rng.random_bool(0.5) {
        let victim = completed[rng.random_range(0..completed.len())];
        let response = operations[victim].response.as_mut().unwrap();
        corrupt(rng, &mut response.output);
    }
    operations.into_iter().collect()
}

/// The prefix of a violation replays: real time respected, every output as recorded.
fn assert_prefix_replays<M: Model>(
    initial: &M,
    history: &History<M::Op, M::Ret>,
    prefix: &[OpId],
    blocked: OpId,
) {
    let mut state = initial.clone();
    for (place, &id) in prefix.iter().enumerate() {
        let output = state.step(&history[id].input);
        if let Some(expected) = history[id].output() {
            assert!(*expected == output, "{id} in the prefix got another output");
        }
        for &later in &prefix[place + 1..] {
            assert!(
                !history[later].precedes(&history[id]),
                "{later} precedes {id}"
            );
        }
    }
    assert!(!prefix.contains(&blocked));
    assert!(!history[blocked].is_pending());
}

#[test]
fn the_checker_agrees_with_the_naive_search_on_random_registers() {
    let mut rng = ChaCha8Rng::seed_from_u64(17);
    let (mut yes, mut no) = (0, 0);
    for _ in 0..3_000 {
        let clients = rng.random_range(1..=4);
        let len = rng.random_range(0..=9);
        let h = random_history(
            &mut rng,
            &Register(0),
            clients,
            len,
            |rng| {
                if rng.random_bool(0.5) {
                    RegisterOp::Write(rng.random_range(0..3))
                } else {
                    RegisterOp::Read
                }
            },
            |rng, output| {
                if let Some(value) = output {
                    *value = rng.random_range(0..3);
                }
            },
        );
        let verdict = check(&Register(0), &h);
        assert_eq!(
            verdict.is_linearizable(),
            naive::is_linearizable(&Register(0), &h),
            "{h:?}"
        );
        match verdict {
            Verdict::Linearizable => yes += 1,
            Verdict::NotLinearizable(v) => {
                no += 1;
                assert_prefix_replays(&Register(0), &h, &v.prefix, v.blocked);
            }
        }
    }
    // Both verdicts are well represented.
    assert!(yes > 1_000 && no > 300, "{yes} linearizable, {no} not");
}

#[test]
fn the_checker_agrees_with_the_naive_search_on_random_queues() {
    let mut rng = ChaCha8Rng::seed_from_u64(18);
    let (mut yes, mut no) = (0, 0);
    for _ in 0..2_000 {
        let h = random_history(
            &mut rng,
            &Queue::default(),
            3,
            8,
            |rng| {
                if rng.random_bool(0.5) {
                    QueueOp::Enqueue(rng.random_range(0..4))
                } else {
                    QueueOp::Dequeue
                }
            },
            |rng, output| *output = Some(rng.random_range(0..4)),
        );
        let verdict = check(&Queue::default(), &h);
        assert_eq!(
            verdict.is_linearizable(),
            naive::is_linearizable(&Queue::default(), &h),
            "{h:?}"
        );
        if let Verdict::NotLinearizable(v) = verdict {
            no += 1;
            assert_prefix_replays(&Queue::default(), &h, &v.prefix, v.blocked);
        } else {
            yes += 1;
        }
    }
    assert!(yes > 500 && no > 200, "{yes} linearizable, {no} not");
}

#[test]
fn partitioned_checks_agree_with_the_naive_search_of_the_whole() {
    // The naive search checks the whole history against a model of every key.
    #[derive(Clone, PartialEq, Eq, Hash, Default)]
    struct Store([u32; 3]);
    impl Model for Store {
        type Op = KvOp;
        type Ret = Option<u32>;
        type Key = ();
        fn step(&mut self, op: &KvOp) -> Option<u32> {
            match *op {
                KvOp::Put(key, value) => {
                    self.0[usize::from(key)] = value;
                    None
                }
                KvOp::Get(key) => Some(self.0[usize::from(key)]),
                KvOp::Clear => {
                    self.0 = [0; 3];
                    None
                }
            }
        }
    }
    let mut rng = ChaCha8Rng::seed_from_u64(19);
    let (mut yes, mut no) = (0, 0);
    for _ in 0..2_000 {
        let h = random_history(
            &mut rng,
            &Store::default(),
            3,
            9,
            |rng| {
                let key = rng.random_range(0..3);
                if rng.random_bool(0.5) {
                    KvOp::Put(key, rng.random_range(1..3))
                } else {
                    KvOp::Get(key)
                }
            },
            |rng, output| {
                if let Some(value) = output {
                    *value = rng.random_range(0..3);
                }
            },
        );
        let verdict = check(&Cell::default(), &h);
        assert_eq!(
            verdict.is_linearizable(),
            naive::is_linearizable(&Store::default(), &h),
            "{h:?}"
        );
        if let Verdict::NotLinearizable(v) = verdict {
            no += 1;
            let key = v.partition.expect("every operation has a key");
            assert!(matches!(h[v.blocked].input, KvOp::Put(k, _) | KvOp::Get(k) if k == key));
            assert_prefix_replays(&Cell::default(), &h, &v.prefix, v.blocked);
        } else {
            yes += 1;
        }
    }
    assert!(yes > 500 && no > 200, "{yes} linearizable, {no} not");
}

#[test]
fn the_memo_cache_keeps_many_overlapping_operations_cheap() {
    use RegisterOp::*;
    // 16 overlapping writes of 1, then a read of a value nobody wrote. Every order of the
    // writes fails; without the memo cache the search tries all 16! of them, with it each of
    // the 2^16 sets of writes once.
    let mut operations: Vec<_> = (0..16)
        .map(|client| (client, Write(1), client, Some((100, None))))
        .collect();
    operations.push((16, Read, 101, Some((102, Some(2)))));
    let h = history(operations);
    let verdict = within_a_minute(Register(0), h);
    let v = violation(verdict);
    assert_eq!(v.prefix.len(), 16);
    assert_eq!(v.blocked, OpId(16));
}

#[test]
fn a_pending_write_can_wait_for_a_later_read() {
    use RegisterOp::*;
    // Two writes that never return; 2 is read, then 1: the write of 2 went first. The search
    // tries the write of 1 first and reaches the state after the first read with both
    // pending writes used; having used fewer, at the same state, is not the same node.
    let h = history(vec![
        (1, Write(1), 0, None),
        (2, Write(2), 0, None),
        (3, Read, 1, Some((2, Some(2)))),
        (3, Read, 3, Some((4, Some(1)))),
    ]);
    assert!(check(&Register(0), &h).is_linearizable());
    assert!(naive::is_linearizable(&Register(0), &h));
}

/// A counter: increments return nothing, a read returns the count.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Counter(u32);

impl Model for Counter {
    /// `true` increments, `false` reads.
    type Op = bool;
    type Ret = Option<u32>;
    type Key = ();

    fn step(&mut self, increment: &bool) -> Option<u32> {
        if *increment {
            self.0 += 1;
            None
        } else {
            Some(self.0)
        }
    }
}

#[test]
fn pending_operations_can_add_up() {
    // Two increments never return; a read of 2 needs both, one after the other.
    for (seen, linearizable) in [(2, true), (3, false)] {
        let h = history(vec![
            (1, true, 0, None),
            (2, true, 0, None),
            (3, false, 1, Some((2, Some(seen)))),
        ]);
        assert_eq!(check(&Counter(0), &h).is_linearizable(), linearizable);
        assert_eq!(naive::is_linearizable(&Counter(0), &h), linearizable);
    }
}

#[test]
fn pending_writes_are_not_tried_in_every_order() {
    use RegisterOp::*;
    // 24 writes of distinct values never return; then a read of a value nobody wrote. Each
    // write is tried once, not after every subset of the others.
    let mut operations: Vec<_> = (0..24)
        .map(|client| (client, Write(client as u32 + 1), client, None))
        .collect();
    operations.push((24, Read, 100, Some((101, Some(99)))));
    let h = history(operations);
    let verdict = within_a_minute(Register(0), h);
    let v = violation(verdict);
    assert_eq!(v.blocked, OpId(24));
}

#[test]
fn pending_operations_with_equal_inputs_are_interchangeable() {
    // 24 increments never return; then a read. Each count k is reached by any k of them: the
    // search takes them in the order they were invoked, not every subset of each size.
    for (seen, linearizable) in [(24, true), (99, false)] {
        let mut operations: Vec<_> = (0..24).map(|client| (client, true, client, None)).collect();
        operations.push((24, false, 100, Some((101, Some(seen)))));
        let h = history(operations);
        let verdict = within_a_minute(Counter(0), h);
        assert_eq!(verdict.is_linearizable(), linearizable, "a read of {seen}");
    }
}

/// The verdict on `h` from `initial`, which must come within a minute (on its own thread).
fn within_a_minute<M>(initial: M, h: History<M::Op, M::Ret>) -> Verdict<M::Key>
where
    M: Model + Send + 'static,
    M::Op: Send,
    M::Ret: Send,
    M::Key: Send,
{
    let (done, verdict) = std::sync::mpsc::channel();
    std::thread::spawn(move || done.send(check(&initial, &h)));
    verdict
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("decided within a minute")
}
