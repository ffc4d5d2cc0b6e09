//! Generated workloads on the zoo's cache: `stale-cache`'s bug found from its key-value
//! model alone (no hand-written client), the fix passing, and a failing workload shrunk to
//! a few operations.

use genserver_sim::zoo::stale_cache::workload;
use genserver_sim::{
    DEFAULT_MAX_STEPS, DfsOptions, FailureKind, Reduction, RunReport, explore, hunt, replay,
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
    let ops = |seed| workload(false, 3, 4, seed).ops();
    assert_eq!(ops(5), ops(5));
    assert_ne!(ops(5), ops(6));
    assert!(ops(5).iter().all(|client| client.len() == 4));
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
fn a_shrunk_generated_workload_has_three_operations() {
    for seed in 0..4 {
        let original = workload(false, 3, 4, seed);
        let report = found(seed);
        let shrunk = original
            .shrink(report.trace.as_ref().unwrap())
            .unwrap()
            .unwrap();
        assert_eq!(shrunk.original_ops, 12);
        // A read that misses, a write, a read after the write that sees the old value.
        assert!(shrunk.operations() <= 3, "seed {seed}: {:?}", shrunk.ops);
        assert!(shrunk.shrunk.report.steps < report.steps);
        let trace = shrunk.shrunk.report.trace.as_ref().unwrap();
        assert_eq!(trace.end.operations.len(), shrunk.operations());
        assert_eq!(shrunk.workload.ops(), shrunk.ops);
        // The shrunk trace replays exactly with the shrunk workload.
        let again = replay(&shrunk.workload, trace).expect("replays");
        assert_eq!(again.trace.unwrap().to_jsonl(), trace.to_jsonl());
    }
}
