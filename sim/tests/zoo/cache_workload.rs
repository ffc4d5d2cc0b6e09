//! `stale-cache-workload` and `fenced-cache-workload`: clients generated from the key-value
//! model, other operations in every run. The bug is found by random, PCT and DFS and shrunk,
//! operations and schedule, through the standard path; the shrunk trace records the
//! operations it kept, so the entry replays it byte for byte (in this process, and through
//! the line `Sim::check` prints, in a fresh one, and from its schedule file); the fix is
//! verified by DFS.

use std::panic::{AssertUnwindSafe, catch_unwind};

use genserver_sim::zoo::cache_workload::{CLIENTS, OPS_PER_CLIENT, generated};
use genserver_sim::{
    DEFAULT_MAX_STEPS, DfsOptions, Entry, FailureKind, HuntOptions, REPLAY_VAR, Sim, Strategy,
    explore, find_system, hunt_with, replay, replay_schedule, run, shrink,
};
use genserver_traces::{Schedule, Trace};

use crate::check_text::{line, replay_in_child};

fn entry(name: &str) -> &'static Entry {
    find_system(name).expect("bundled")
}

/// The first failing run of `strategy` on `stale-cache-workload` from seed 0, and the runs
/// it took; panics if none fails within 10 000.
fn hunt_stale(strategy: Strategy) -> (u64, Trace) {
    let options = HuntOptions {
        strategy,
        ..HuntOptions::new(0, 10_000, DEFAULT_MAX_STEPS)
    };
    let hunt = hunt_with(entry("stale-cache-workload"), &options, &|_, _| {});
    let found = hunt.found.expect("found within 10 000 runs");
    let failure = found.failure().unwrap();
    assert_eq!(failure.kind, FailureKind::Linearizability, "{failure}");
    assert!(failure.message.starts_with("stale-kv: not linearizable"));
    (hunt.runs, found.trace.unwrap())
}

/// Shrinks `trace` of `stale-cache-workload` and checks the result: at most 4 operations
/// kept and called, and the trace replays byte for byte with the entry as it is.
fn shrinks_to_a_few_operations(trace: &Trace) {
    let system = entry("stale-cache-workload");
    let shrunk = shrink(system, trace).unwrap().expect("a failure");
    assert_eq!(shrunk.original_inputs, Some(CLIENTS * OPS_PER_CLIENT));
    let kept = shrunk.inputs().unwrap();
    let shrunk_trace = shrunk.report.trace.as_ref().unwrap();
    assert!(kept <= 4, "{kept} operations kept");
    assert_eq!(shrunk_trace.end.operations.len(), kept);
    let failure = shrunk.report.failure().unwrap();
    assert_eq!(failure.kind, FailureKind::Linearizability);
    let again = replay(system, shrunk_trace).expect("replays");
    assert_eq!(again.trace.unwrap().to_jsonl(), shrunk_trace.to_jsonl());
    // So does its schedule as a text file: it holds the inputs too.
    let text = Schedule::of(shrunk_trace).to_text();
    assert!(text.contains("\n# inputs: {\"seed\":"), "{text}");
    let schedule = Schedule::from_text(&text).unwrap();
    assert_eq!(schedule, Schedule::of(shrunk_trace));
    let followed = replay_schedule(system, &schedule).expect("replays");
    assert_eq!(followed.trace.unwrap().to_jsonl(), shrunk_trace.to_jsonl());
}

#[test]
fn random_and_pct_find_the_stale_read_and_shrink_it_to_a_few_operations() {
    for strategy in [Strategy::Random, Strategy::Pct { depth: 2 }] {
        let (runs, trace) = hunt_stale(strategy);
        // Measured: within 1 to 20 runs.
        assert!(runs <= 200, "{strategy}: {runs} runs");
        shrinks_to_a_few_operations(&trace);
    }
}

#[test]
fn every_run_draws_its_own_operations_and_records_them() {
    let workload = generated(false);
    assert_ne!(workload.ops(1), workload.ops(2));
    assert_eq!(workload.ops(1), workload.ops(1));
    let inputs = |seed| {
        let report = run(entry("stale-cache-workload"), seed, DEFAULT_MAX_STEPS, true);
        report.trace.unwrap().header.inputs.expect("recorded")
    };
    let (one, two) = (inputs(1), inputs(2));
    assert_ne!(one.seed, two.seed);
    for (recorded, seed) in [(&one, 1), (&two, 2)] {
        let drawn = workload.ops(seed);
        let items: Vec<Vec<String>> = (drawn.iter())
            .map(|ops| ops.iter().map(|op| format!("{op:?}")).collect())
            .collect();
        let lists: Vec<Vec<String>> = recorded.lists.iter().map(|l| l.items.clone()).collect();
        assert_eq!(lists, items);
        assert_eq!(recorded.kept(), CLIENTS * OPS_PER_CLIENT);
    }
}

#[test]
fn replay_builds_the_operations_the_trace_recorded_not_those_of_its_seed() {
    let (_, trace) = hunt_stale(Strategy::Random);
    let shrunk = shrink(entry("stale-cache-workload"), &trace)
        .unwrap()
        .unwrap();
    let mut edited = shrunk.report.trace.unwrap();
    // The same schedule with another operation kept: the replay diverges, and says so.
    let inputs = edited.header.inputs.as_mut().unwrap();
    let list = (inputs.lists.iter_mut())
        .find(|list| list.kept.len() < list.drawn)
        .expect("an operation was left out");
    let left_out = (0..list.drawn).find(|i| !list.kept.contains(i)).unwrap();
    list.kept.push(left_out);
    let error = replay(entry("stale-cache-workload"), &edited).unwrap_err();
    assert!(error.message.contains("differs"), "{error}");
}

#[test]
fn dfs_finds_the_stale_read_and_verifies_the_fix() {
    let search = |name| explore(entry(name), &DfsOptions::default(), &mut |_| {}).unwrap();
    let bug = search("stale-cache-workload");
    let found = bug.found.as_ref().expect("found by DFS");
    assert_eq!(
        found.failure().map(|f| f.kind),
        Some(FailureKind::Linearizability)
    );
    shrinks_to_a_few_operations(found.trace.as_ref().unwrap());
    let fixed = search("fenced-cache-workload");
    assert!(fixed.verified(), "{}", fixed.verdict());
    assert!(fixed.schedules > bug.schedules);
}

#[test]
fn the_replay_line_of_a_check_reproduces_the_shrunk_workload() {
    let sim = Sim::new(entry("stale-cache-workload"));
    if std::env::var_os(REPLAY_VAR).is_some() {
        // Run by the line below: replay the saved trace (it fails again).
        return sim.check();
    }
    let panic = catch_unwind(AssertUnwindSafe(|| sim.check())).expect_err("the bug is found");
    let text = panic.downcast_ref::<String>().expect("a formatted message");
    let from = format!(" and from {} to ", CLIENTS * OPS_PER_CLIENT);
    assert!(
        text.contains(&from),
        "the shrunk operations are reported:\n{text}"
    );
    assert!(line(text, "inputs:").starts_with("seed "), "{text}");
    let path = line(text, "trace:");
    let saved = Trace::load(path).unwrap();
    assert!(saved.header.inputs.as_ref().unwrap().kept() <= 4, "{text}");
    let again = sim.replay(&saved).expect("replays");
    assert_eq!(again.trace.unwrap().to_jsonl(), saved.to_jsonl());
    // In a fresh process, as the printed line runs it: the same failure, replayed exactly.
    let test = std::thread::current().name().unwrap().to_owned();
    let (passed, printed) = replay_in_child(&test, path, &[]);
    assert!(!passed, "the replay fails again:\n{printed}");
    assert!(printed.contains(&format!("replayed {path}")), "{printed}");
    assert!(printed.contains("stale-kv: not linearizable"), "{printed}");
}
