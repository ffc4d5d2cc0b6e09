//! The determinism self-check catches handlers that iterate a `HashMap` or read a global.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo};
use genserver_sim::{World, check_determinism};

use crate::Custom;

/// Answers with its keys in `HashMap` order: a different order in every map instance.
#[derive(Debug)]
struct Registry(HashMap<u32, ()>);

impl GenServer for Registry {
    type Args = ();
    type Call = ();
    type Reply = Vec<u32>;
    type Cast = ();
    type Info = ();
    type Continue = ();
    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Registry((0..32).map(|k| (k, ())).collect()))
    }
    fn handle_call(
        &mut self,
        _: (),
        _: ReplyTo<Vec<u32>>,
        _: &mut Ctx<Self>,
    ) -> CallResult<Vec<u32>> {
        CallResult::Reply(self.0.keys().copied().collect())
    }
}

static STARTS: AtomicU64 = AtomicU64::new(0);

/// Answers with a process-global counter: a different value in every run.
#[derive(Debug)]
struct Global;

impl GenServer for Global {
    type Args = ();
    type Call = ();
    type Reply = Vec<u32>;
    type Cast = ();
    type Info = ();
    type Continue = ();
    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Global)
    }
    fn handle_call(
        &mut self,
        _: (),
        _: ReplyTo<Vec<u32>>,
        _: &mut Ctx<Self>,
    ) -> CallResult<Vec<u32>> {
        CallResult::Reply(vec![STARTS.fetch_add(1, Ordering::SeqCst) as u32])
    }
}

/// Answers with the time since it started, read from the wall clock.
#[derive(Debug)]
struct Clock(std::time::Instant);

impl GenServer for Clock {
    type Args = ();
    type Call = ();
    type Reply = Vec<u32>;
    type Cast = ();
    type Info = ();
    type Continue = ();
    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Clock(std::time::Instant::now()))
    }
    fn handle_call(
        &mut self,
        _: (),
        _: ReplyTo<Vec<u32>>,
        _: &mut Ctx<Self>,
    ) -> CallResult<Vec<u32>> {
        // Wait for the clock to move, so that the two runs cannot read the same value.
        let start = std::time::Instant::now();
        while start.elapsed().as_nanos() == 0 {}
        CallResult::Reply(vec![
            self.0.elapsed().as_nanos() as u32,
            start.elapsed().as_nanos() as u32,
        ])
    }
}

/// Sorted keys: the same order every time.
#[derive(Debug)]
struct Sorted(HashMap<u32, ()>);

impl GenServer for Sorted {
    type Args = ();
    type Call = ();
    type Reply = Vec<u32>;
    type Cast = ();
    type Info = ();
    type Continue = ();
    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Sorted((0..32).map(|k| (k, ())).collect()))
    }
    fn handle_call(
        &mut self,
        _: (),
        _: ReplyTo<Vec<u32>>,
        _: &mut Ctx<Self>,
    ) -> CallResult<Vec<u32>> {
        let mut keys: Vec<u32> = self.0.keys().copied().collect();
        keys.sort_unstable();
        CallResult::Reply(keys)
    }
}

fn with<S: GenServer<Call = (), Args = ()>>(world: &mut World) {
    let server = world.spawn::<S>("server", ());
    world.client("client", async move |cx| {
        cx.call(server, ()).await?;
        Ok(())
    });
}

#[test]
fn iterating_a_hash_map_is_caught() {
    let system = Custom {
        name: "hashmap",
        build: with::<Registry>,
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
        build: with::<Global>,
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
        build: with::<Clock>,
    };
    assert!(check_determinism(&system, 0, 1000).is_err());
}

#[test]
fn sorting_the_keys_passes() {
    let system = Custom {
        name: "sorted",
        build: with::<Sorted>,
    };
    for seed in 0..10 {
        check_determinism(&system, seed, 1000).unwrap();
    }
}

static PARITY: AtomicU64 = AtomicU64::new(0);

/// Answers with a process-global counter of its own (used by one test only).
#[derive(Debug)]
struct Parity;

impl GenServer for Parity {
    type Args = ();
    type Call = ();
    type Reply = Vec<u32>;
    type Cast = ();
    type Info = ();
    type Continue = ();
    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Parity)
    }
    fn handle_call(
        &mut self,
        _: (),
        _: ReplyTo<Vec<u32>>,
        _: &mut Ctx<Self>,
    ) -> CallResult<Vec<u32>> {
        CallResult::Reply(vec![PARITY.fetch_add(1, Ordering::SeqCst) as u32])
    }
}

#[test]
fn a_hunt_notices_when_the_failing_seed_does_not_fail_again() {
    let system = Custom {
        name: "parity",
        build: |w| {
            let server = w.spawn::<Parity>("server", ());
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
