//! Exhaustive search on several threads reaches what the serial search reaches: the same
//! unique states, end states and distinct failures, the same verdict.

use genserver_sim::{DfsOptions, Exploration, Reduction, Verdict, explore, find_system, replay};

/// What must not depend on the threads.
fn outcome(report: &Exploration) -> (u64, u64, u64, bool, bool) {
    (
        report.states,
        report.end_states,
        report.distinct_failures,
        report.verified(),
        report.found.is_some(),
    )
}

fn search(name: &str, reduction: Reduction, keep_going: bool, jobs: usize) -> Exploration {
    let options = DfsOptions {
        reduction,
        keep_going,
        max_depth: 60,
        jobs,
        ..DfsOptions::default()
    };
    let system = find_system(name).unwrap();
    explore(system, &options, &mut |_| {}).expect("deterministic")
}

/// Systems whose whole space (every failure included) is small enough to search three
/// times in a debug build; together they have bugs of every kind the explorer meets:
/// an invariant, a deadlock, an expectation, faults, time racing deliveries, a correct one.
const SMALL: [&str; 6] = [
    "lost-update",
    "call-cycle",
    "stale-read",
    "retry-double-apply",
    "timeout-retry",
    "counter",
];

#[test]
fn state_hashing_on_two_and_three_threads_reaches_the_serial_states() {
    for name in SMALL {
        let serial = search(name, Reduction::StateHashing, true, 1);
        assert!(serial.states > 1, "{name}: {serial:?}");
        for jobs in [2, 3] {
            let parallel = search(name, Reduction::StateHashing, true, jobs);
            assert_eq!(
                outcome(&parallel),
                outcome(&serial),
                "{name} on {jobs} threads: {} against {}",
                parallel.verdict(),
                serial.verdict()
            );
        }
    }
}

#[test]
fn plain_dfs_on_two_threads_reaches_the_serial_states() {
    for name in ["counter", "stale-read"] {
        let serial = search(name, Reduction::Nothing, true, 1);
        let parallel = search(name, Reduction::Nothing, true, 2);
        assert_eq!(outcome(&parallel), outcome(&serial), "{name}");
        // Plain DFS prunes nothing: every run is a schedule, whoever runs it.
        assert_eq!(parallel.schedules, serial.schedules, "{name}");
    }
}

#[test]
fn a_failure_found_on_threads_replays_exactly() {
    for name in ["lost-update", "call-cycle", "timeout-retry"] {
        let report = search(name, Reduction::StateHashing, false, 2);
        let found = (report.found).unwrap_or_else(|| panic!("{name}: nothing found"));
        let failure = found.failure().expect("failed").clone();
        let trace = found.trace.expect("traced");
        let again = replay(find_system(name).unwrap(), &trace).expect("replays");
        assert_eq!(again.verdict, Verdict::Failed(failure), "{name}");
    }
}

#[test]
fn dpor_asked_on_threads_searches_on_one() {
    let serial = search("counter", Reduction::Dpor, true, 1);
    let asked = search("counter", Reduction::Dpor, true, 4);
    assert_eq!(asked.schedules, serial.schedules);
    assert_eq!(outcome(&asked), outcome(&serial));
}
