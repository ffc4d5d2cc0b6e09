//! `stale-cache`, found by its linearizability check alone (it has no invariant and its
//! clients expect nothing), by every strategy; its shrunk history is the story of the bug;
//! `fenced-cache`, the fix, is verified by exhaustive search.

use genserver_sim::{
    DEFAULT_MAX_STEPS, DfsOptions, FailureKind, HuntOptions, Reduction, Strategy, explore,
    find_system, hunt_with, shrink,
};
use genserver_traces::{Answer, Trace};

/// The first failing run of `strategy` on `stale-cache` from seed 0, within 10 000 runs.
fn hunt_stale_cache(strategy: Strategy) -> (u64, Trace) {
    let options = HuntOptions {
        strategy,
        ..HuntOptions::new(0, 10_000, DEFAULT_MAX_STEPS)
    };
    let hunt = hunt_with(find_system("stale-cache").unwrap(), &options, &|_, _| {});
    let found = hunt.found.expect("found within 10 000 runs");
    let failure = found.failure().unwrap();
    assert_eq!(failure.kind, FailureKind::Linearizability, "{failure}");
    assert!(
        failure
            .message
            .starts_with("kv: not linearizable (key 1): "),
        "{failure}"
    );
    (hunt.runs, found.trace.unwrap())
}

#[test]
fn random_and_pct_find_the_stale_read_by_the_model_alone() {
    let (random, _) = hunt_stale_cache(Strategy::Random);
    let (pct, _) = hunt_stale_cache(Strategy::Pct { depth: 3 });
    // Measured: random within 1 to 7 runs, PCT within 2 to 19 (five windows of seeds).
    assert!(random <= 50 && pct <= 100, "random {random}, pct {pct}");
}

#[test]
fn the_shrunk_history_is_a_write_and_a_stale_read_after_it() {
    let system = find_system("stale-cache").unwrap();
    let (_, trace) = hunt_stale_cache(Strategy::Pct { depth: 3 });
    let shrunk = shrink(system, &trace).unwrap().expect("a failure");
    let end = &shrunk.report.trace.as_ref().unwrap().end;
    assert!(end.operations.len() <= 4, "{:?}", end.operations);
    let violation = end.violation.as_ref().expect("the violation is recorded");
    assert_eq!(
        (violation.check.as_str(), violation.partition.as_deref()),
        ("kv", Some("1"))
    );
    // The write returned before the stale read was invoked; the read saw the old value.
    let blocked = &end.operations[violation.blocked];
    assert_eq!(blocked.call, "Get(1)");
    let answer = &blocked.returned.as_ref().unwrap().answer;
    assert_eq!(*answer, Answer::Reply("Value(0)".into()));
    let write = (violation.prefix.iter().map(|&i| &end.operations[i]))
        .find(|op| op.call == "Put(1, 1)")
        .expect("the write is in the prefix");
    assert!(write.returned.as_ref().unwrap().at.seq < blocked.invoked.seq);
}

#[test]
fn exhaustive_search_finds_the_bug_and_verifies_the_fix() {
    let options = DfsOptions {
        max_depth: 50,
        reduction: Reduction::StateHashing,
        ..DfsOptions::default()
    };
    let search = |name| explore(find_system(name).unwrap(), &options, &mut |_| {}).unwrap();
    let bug = search("stale-cache");
    let failure = bug.found.as_ref().and_then(|report| report.failure());
    assert_eq!(failure.map(|f| f.kind), Some(FailureKind::Linearizability));
    let fixed = search("fenced-cache");
    assert!(fixed.verified(), "{}", fixed.verdict());
    // Every order of the fixed system was run to its end: more than one, and more than
    // the bug needed.
    assert!(
        fixed.schedules > bug.schedules,
        "{} {}",
        fixed.schedules,
        bug.schedules
    );
}

#[test]
fn a_failing_test_shows_the_history() {
    let system = find_system("stale-cache").unwrap();
    let check = std::panic::AssertUnwindSafe(|| genserver_sim::Sim::new(system).check());
    let panic = std::panic::catch_unwind(check).expect_err("the check fails");
    let text = panic.downcast_ref::<String>().expect("a message");
    assert!(
        text.contains("linearizability: kv: not linearizable (key 1)"),
        "{text}"
    );
    assert!(
        text.contains("\n  history of kv, key 1: not linearizable;"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("✗") && l.contains("Get(1) → Value(0)")),
        "{text}"
    );
}
