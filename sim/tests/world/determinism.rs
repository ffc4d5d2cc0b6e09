//! The determinism self-check catches handlers that iterate a `HashMap` or read a global.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo};
use genserver_sim::{World, check_determinism};

use crate::Custom;

/// Where a test server's answer comes from.
#[derive(Debug)]
enum Source {
    /// Its keys in `HashMap` order: a different order in every map instance.
    Keys(HashMap<u32, ()>),
    /// Its keys sorted: the same order every time.
    SortedKeys(HashMap<u32, ()>),
    /// A process-global counter: a different value in every run.
    Counter(&'static AtomicU64),
    /// The time since it started, read from the wall clock.
    Clock(Instant),
}

impl Source {
    fn answer(&self) -> Vec<u32> {
        match self {
            Source::Keys(map) => map.keys().copied().collect(),
            Source::SortedKeys(map) => {
                let mut keys: Vec<u32> = map.keys().copied().collect();
                keys.sort_unstable();
                keys
            }
            Source::Counter(counter) => vec![counter.fetch_add(1, Ordering::SeqCst) as u32],
            Source::Clock(started) => {
                // Wait for the clock to move, so that the two runs cannot read the same value.
                let start = Instant::now();
                while start.elapsed().as_nanos() == 0 {}
                let elapsed = started.elapsed().as_nanos() as u32;
                vec![elapsed, start.elapsed().as_nanos() as u32]
            }
        }
    }
}

/// Answers every call from its source, made afresh by `init`.
#[derive(Debug)]
struct Oracle(Source);

impl GenServer for Oracle {
    type Args = fn() -> Source;
    type Call = ();
    type Reply = Vec<u32>;
    type Cast = ();
    type Info = ();
    type Continue = ();
    fn init(make: fn() -> Source, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Oracle(make()))
    }
    fn handle_call(
        &mut self,
        _: (),
        _: ReplyTo<Vec<u32>>,
        _: &mut Ctx<Self>,
    ) -> CallResult<Vec<u32>> {
        CallResult::Reply(self.0.answer())
    }
}

static STARTS: AtomicU64 = AtomicU64::new(0);
/// A counter of its own, for the one test that counts on its first value.
static PARITY: AtomicU64 = AtomicU64::new(0);

fn keys() -> HashMap<u32, ()> {
    (0..32).map(|k| (k, ())).collect()
}

/// A server answering from `make`'s source, and a client calling it once.
fn with(world: &mut World, make: fn() -> Source) {
    let server = world.spawn::<Oracle>("server", make);
    world.client("client", async move |cx| {
        cx.call(server, ()).await?;
        Ok(())
    });
}

#[test]
fn iterating_a_hash_map_is_caught() {
    let system = Custom {
        name: "hashmap",
        build: |w| with(w, || Source::Keys(keys())),
    };
    let divergence = check_determinism(&system, 0, 1000).unwrap_err();
    assert!(
        divergence
            .message
            .starts_with("nondeterministic: the message differs: the first run has"),
        "{divergence}"
    );
    assert!(divergence.message.contains("reply #1 Ok(["), "{divergence}");
    assert_eq!(divergence.step, 2, "{divergence}");
}

#[test]
fn reading_a_global_counter_is_caught() {
    let system = Custom {
        name: "global",
        build: |w| with(w, || Source::Counter(&STARTS)),
    };
    let divergence = check_determinism(&system, 0, 1000).unwrap_err();
    assert!(
        divergence
            .to_string()
            .starts_with("step 2: nondeterministic"),
        "{divergence}"
    );
}

#[test]
fn reading_the_clock_is_caught() {
    let system = Custom {
        name: "clock",
        build: |w| with(w, || Source::Clock(Instant::now())),
    };
    assert!(check_determinism(&system, 0, 1000).is_err());
}

#[test]
fn sorting_the_keys_passes() {
    let system = Custom {
        name: "sorted",
        build: |w| with(w, || Source::SortedKeys(keys())),
    };
    for seed in 0..10 {
        check_determinism(&system, seed, 1000).unwrap();
    }
}

#[test]
fn a_hunt_notices_when_the_failing_seed_does_not_fail_again() {
    let system = Custom {
        name: "parity",
        build: |w| {
            let server = w.spawn::<Oracle>("server", || Source::Counter(&PARITY));
            // Fails when the answer is even.
            w.client("client", async move |cx| {
                match cx.call(server, ()).await?[0] % 2 {
                    0 => Err("even".into()),
                    _ => Ok(()),
                }
            });
        },
    };
    let hunt = genserver_sim::hunt(&system, 0, 10, 1000);
    assert_eq!(hunt.runs, 1, "the first run reads 0");
    assert!(!hunt.reproduced, "the re-run reads 1 and passes");
}

/// A world reuses the emptied lists of the last world its thread dropped (only their room):
/// every bundled system's traced run comes out byte for byte the same on a fresh thread
/// and on a thread that ran every other bundled system first, in both orders.
#[test]
fn a_run_does_not_depend_on_what_its_thread_ran_before() {
    use genserver_sim::{DEFAULT_MAX_STEPS, run, zoo};

    let trace_of = |entry: &genserver_sim::Entry| {
        let report = run(entry.system, 3, DEFAULT_MAX_STEPS, true);
        report.trace.expect("traced").to_jsonl()
    };
    let alone: Vec<String> = (zoo::systems().iter())
        .map(|entry| std::thread::scope(|scope| scope.spawn(|| trace_of(entry)).join().unwrap()))
        .collect();
    let in_order: Vec<String> = zoo::systems().iter().map(trace_of).collect();
    let mut reversed: Vec<String> = zoo::systems().iter().rev().map(trace_of).collect();
    reversed.reverse();
    for ((entry, alone), (in_order, reversed)) in
        (zoo::systems().iter().zip(&alone)).zip(in_order.iter().zip(&reversed))
    {
        assert_eq!(
            in_order, alone,
            "{}: after the systems listed before it",
            entry.name
        );
        assert_eq!(
            reversed, alone,
            "{}: after the systems listed after it",
            entry.name
        );
    }
}
