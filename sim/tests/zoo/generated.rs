//! Generated workloads on the zoo's cache: `stale-cache`'s bug found from its key-value
//! model alone (no hand-written client), the fix passing, and a failing workload shrunk to
//! a few operations.

use genserver_sim::linearize::{Model, Workload};
use genserver_sim::zoo::counter::{Counter, CounterCall};
use genserver_sim::zoo::stale_cache::workload;
use genserver_sim::{
    DEFAULT_MAX_STEPS, DfsOptions, FailureKind, Reduction, RunReport, World, explore, hunt, replay,
    shrink,
};

/// The workload seeds the tests try: three clients of four operations each.
const SEEDS: std::ops::Range<u64> = 0..8;

/// The first failing run of the unfenced cache's workload of `seed`, within 1 000 runs.
fn found(seed: u64) -> RunReport {
    let hunt = hunt(&workload(false, 3, 4, seed), 0, 1_000, DEFAULT_MAX_STEPS);
    hunt.found
        .unwrap_or_else(|| panic!("workload seed {seed}: not found"))
}

#[test]
fn the_stale_read_is_found_by_a_generated_workload_and_replays() {
    for seed in SEEDS {
        let report = found(seed);
        let failure = report.failure().unwrap();
        assert_eq!(failure.kind, FailureKind::Linearizability, "{failure}");
        assert!(
            failure
                .message
                .starts_with("stale-kv: not linearizable (key ")
        );
        // A new workload of the same seed draws the same calls: the trace replays exactly.
        let trace = report.trace.unwrap();
        let again = replay(&workload(false, 3, 4, seed), &trace).expect("replays");
        assert_eq!(again.trace.unwrap().to_jsonl(), trace.to_jsonl());
    }
}

#[test]
fn the_operations_are_a_function_of_the_workload_seed() {
    let ops = |seed| workload(false, 3, 4, seed).ops(0);
    assert_eq!(ops(5), ops(5));
    assert_ne!(ops(5), ops(6));
    assert!(ops(5).iter().all(|client| client.len() == 4));
    // Without `per_run`, every run draws the same operations.
    assert_eq!(workload(false, 3, 4, 5).ops(9), ops(5));
    let jsonl = |seed| found(seed).trace.unwrap().to_jsonl();
    assert_eq!(jsonl(5), jsonl(5));
}

#[test]
fn the_fenced_cache_passes_random_runs_and_exhaustive_search() {
    for seed in SEEDS {
        let hunt = hunt(&workload(true, 3, 4, seed), 0, 1_000, DEFAULT_MAX_STEPS);
        assert!(hunt.found.is_none(), "workload seed {seed}");
        assert_eq!(hunt.step_limited, 0);
    }
    // The test entry point takes a workload like any system.
    genserver_sim::check(&workload(true, 3, 4, 1));
    let options = DfsOptions {
        max_depth: 60,
        reduction: Reduction::StateHashing,
        ..DfsOptions::default()
    };
    // Two clients of three operations: every order of the fix is verified; the bug is
    // found where the workload can show it (seeds 0 and 3 draw no read racing another
    // client's write of its key: only writes, or one client's).
    let mut found = Vec::new();
    for seed in 0..6 {
        let fixed = explore(&workload(true, 2, 3, seed), &options, &mut |_| {}).unwrap();
        assert!(fixed.verified(), "seed {seed}: {}", fixed.verdict());
        let bug = explore(&workload(false, 2, 3, seed), &options, &mut |_| {}).unwrap();
        if let Some(failure) = bug.found.as_ref().and_then(|report| report.failure()) {
            assert_eq!(failure.kind, FailureKind::Linearizability);
            found.push(seed);
        }
    }
    assert_eq!(found, [1, 2, 4, 5]);
}

#[test]
fn a_shrunk_generated_workload_has_three_operations_and_replays_as_it_is() {
    for seed in 0..4 {
        let original = workload(false, 3, 4, seed);
        let report = found(seed);
        let shrunk = shrink(&original, report.trace.as_ref().unwrap())
            .unwrap()
            .unwrap();
        assert_eq!(shrunk.original_inputs, Some(12));
        // A read that misses, a write, a read after the write that sees the old value.
        let kept = shrunk.inputs().unwrap();
        assert!(kept <= 3, "seed {seed}: {kept} operations kept");
        assert!(shrunk.report.steps < report.steps);
        let trace = shrunk.report.trace.as_ref().unwrap();
        assert_eq!(trace.end.operations.len(), kept);
        let inputs = trace.header.inputs.as_ref().unwrap();
        assert_eq!(inputs.seed, seed);
        let calls: Vec<&str> = (trace.end.operations.iter())
            .map(|op| op.call.as_str())
            .collect();
        let items: Vec<&str> = (inputs.lists.iter())
            .flat_map(|list| &list.items)
            .map(String::as_str)
            .collect();
        assert_eq!(calls.len(), items.len());
        assert!(calls.iter().all(|call| items.contains(call)), "{calls:?}");
        // The trace records the operations it kept: the original workload replays it
        // exactly, the failure included.
        let again = replay(&original, trace).expect("replays");
        assert_eq!(again.trace.unwrap().to_jsonl(), trace.to_jsonl());
        assert_eq!(again.verdict, shrunk.report.verdict);
    }
}

/// The counter's sequential model; `step` counts by `by` (1 is right).
#[derive(Clone, PartialEq, Eq, Hash)]
struct Value {
    value: i64,
    by: i64,
}

impl Model for Value {
    type Op = CounterCall;
    type Ret = i64;
    type Key = ();
    fn step(&mut self, op: &CounterCall) -> i64 {
        match *op {
            CounterCall::Increment => self.value += self.by,
            CounterCall::Get => {}
            CounterCall::Set(value) => self.value = value,
        }
        self.value
    }
}

/// The zoo's counter (a server of a user's own) with three clients drawn from `model`:
/// increments, reads, and a reset to 0 once the model's value passed 2 (a precondition).
fn counter_workload(by: i64, seed: u64) -> Workload<Value, Counter> {
    Workload::new(
        Value { value: 0, by },
        |world: &mut World| world.spawn::<Counter>("counter", 0),
        CounterCall::clone,
        |&reply| reply,
    )
    .op(3, |_, _| Some(CounterCall::Increment))
    .op(2, |_, _| Some(CounterCall::Get))
    .op(1, |model, _| {
        (model.value > 2).then_some(CounterCall::Set(0))
    })
    .clients(3)
    .ops_per_client(3)
    .seed(seed)
}

#[test]
fn a_server_of_ones_own_passes_against_its_model_and_fails_against_a_wrong_one() {
    for seed in 0..3 {
        let right = counter_workload(1, seed);
        // In the order the clients drew (in turn), a reset comes after three increments.
        let ops = right.ops(0);
        let drawn: Vec<_> = (0..3)
            .flat_map(|round| ops.iter().map(move |c| &c[round]))
            .collect();
        let reset = drawn.iter().position(|op| **op == CounterCall::Set(0));
        let before = |end| {
            drawn[..end]
                .iter()
                .filter(|op| ***op == CounterCall::Increment)
                .count()
        };
        assert!(
            reset.is_some_and(|at| before(at) >= 3),
            "seed {seed}: {ops:?}"
        );
        assert!(hunt(&right, 0, 300, DEFAULT_MAX_STEPS).found.is_none());
        // A model that counts by two: any increment betrays it, and the shrunk workload is
        // one client's one increment.
        let wrong = counter_workload(2, seed);
        let found = hunt(&wrong, 0, 300, DEFAULT_MAX_STEPS)
            .found
            .expect("found");
        let shrunk = shrink(&wrong, found.trace.as_ref().unwrap())
            .unwrap()
            .unwrap();
        let trace = shrunk.report.trace.unwrap();
        let inputs = trace.header.inputs.unwrap();
        let items: Vec<&String> = inputs.lists.iter().flat_map(|list| &list.items).collect();
        assert_eq!(items, ["Increment"], "seed {seed}");
    }
}
