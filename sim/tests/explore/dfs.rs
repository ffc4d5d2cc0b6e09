//! Exhaustive search finds every zoo bug and verifies the correct systems within bounds.

use genserver_sim::{
    DfsOptions, Exploration, FailureKind, Reduction, Verdict, explore, find_system, replay,
};

/// The zoo's bugs and the kind of failure each ends in.
pub const BUGS: [(&str, FailureKind); 10] = [
    ("lost-update", FailureKind::Invariant),
    ("call-cycle", FailureKind::Deadlock),
    ("stale-read", FailureKind::Expectation),
    ("retry-double-apply", FailureKind::Expectation),
    ("restart-loses-work", FailureKind::Expectation),
    ("aba-version", FailureKind::Invariant),
    ("restart-registry-race", FailureKind::Expectation),
    ("lease-expiry", FailureKind::Invariant),
    ("timeout-retry", FailureKind::Expectation),
    ("stale-cache", FailureKind::Linearizability),
];

fn search(name: &str, options: &DfsOptions) -> Exploration {
    explore(find_system(name).unwrap(), options, &mut |_| {}).expect("deterministic")
}

#[test]
fn every_zoo_bug_is_found_by_dfs_with_either_reduction_and_replays() {
    for reduction in [Reduction::Dpor, Reduction::StateHashing] {
        let options = DfsOptions {
            reduction,
            ..DfsOptions::default()
        };
        for (name, kind) in BUGS {
            let report = search(name, &options);
            let verdict = report.verdict();
            let found = (report.found.clone())
                .unwrap_or_else(|| panic!("{name} ({reduction:?}): {verdict}"));
            let failure = found.failure().expect("failed").clone();
            assert_eq!(failure.kind, kind, "{name}: {failure}");
            let trace = found.trace.expect("traced");
            assert_eq!(trace.header.strategy, "dfs");
            let again = replay(find_system(name).unwrap(), &trace).expect("replays");
            assert_eq!(again.verdict, Verdict::Failed(failure));
            assert!(
                report.schedules <= 10_000,
                "{name}: {} schedules",
                report.schedules
            );
        }
    }
}

/// The bounds the correct systems are verified within: runs of at most 50 steps (theirs
/// take 9 and 18, so no run is cut) and at most 100 000 unique states.
fn bounds(reduction: Reduction) -> DfsOptions {
    DfsOptions {
        max_depth: 50,
        max_states: 100_000,
        max_runs: 100_000,
        max_time: None,
        reduction,
        keep_going: false,
        jobs: 1,
        shard: None,
        stateful: true,
    }
}

#[test]
fn counter_is_verified_within_bounds_by_both_reductions() {
    let dpor = search("counter", &bounds(Reduction::Dpor));
    assert!(dpor.verified() && !dpor.depth_limited, "{}", dpor.verdict());
    // Three increments in any order: 3! orders of the counter's deliveries.
    assert_eq!((dpor.schedules, dpor.max_depth), (6, 9));
    let hashing = search("counter", &bounds(Reduction::StateHashing));
    assert!(
        hashing.verified() && !hashing.depth_limited,
        "{}",
        hashing.verdict()
    );
    assert!(hashing.pruned > 0 && hashing.states < 1_000, "{hashing:?}");
    assert_eq!(
        dpor.verdict(),
        "no failure: verified within bounds (every run finished)"
    );
}

#[test]
fn stack_is_verified_within_bounds_by_both_reductions() {
    let report = search("stack", &bounds(Reduction::Dpor));
    assert!(
        report.verified() && !report.depth_limited,
        "{}",
        report.verdict()
    );
    // One schedule per order of the stack's ten deliveries that FIFO allows:
    // 10! / (2! 2! 2! 4!) = 18 900.
    assert_eq!(
        (report.schedules, report.pruned, report.max_depth),
        (18_900, 0, 18)
    );
    let hashing = search("stack", &bounds(Reduction::StateHashing));
    assert!(
        hashing.verified() && !hashing.depth_limited,
        "{}",
        hashing.verdict()
    );
    // Both reach the same 3 006 end states (what was popped, what is left on the stack).
    assert_eq!((report.end_states, hashing.end_states), (3_006, 3_006));
}

#[test]
fn budgets_and_depth_bounds_are_reported() {
    let shallow = DfsOptions {
        max_depth: 5,
        ..bounds(Reduction::Dpor)
    };
    let report = search("counter", &shallow);
    // Cut at the depth limit: no failure seen, but never "verified".
    assert!(report.found.is_none() && report.depth_limited && !report.verified());
    assert!(
        report.verdict().contains("depth limit"),
        "{}",
        report.verdict()
    );
    let tight = DfsOptions {
        max_states: 10,
        ..bounds(Reduction::Dpor)
    };
    let report = search("stack", &tight);
    assert!(!report.verified() && report.budget_ran_out);
    assert_eq!(report.verdict(), "no failure, but the budget ran out");
}

/// Systems whose whole space (every failure included) is small enough to search several
/// times in a debug build; together they have bugs of every kind the explorer meets: an
/// invariant, a deadlock, an expectation, faults, time racing deliveries, a correct one.
pub const SMALL: [&str; 6] = [
    "lost-update",
    "call-cycle",
    "stale-read",
    "retry-double-apply",
    "timeout-retry",
    "counter",
];

#[test]
fn dpor_reaches_every_end_state_plain_dfs_reaches() {
    // Soundness of the reduction, checked: exploring on after failures, DPOR's passing runs
    // end in the same distinct states (server states, client histories) as those of the
    // unreduced search, and its failing runs fail in the same distinct ways, in far fewer
    // runs.
    for name in SMALL {
        let all = |reduction| DfsOptions {
            keep_going: true,
            ..bounds(reduction)
        };
        let dpor = search(name, &all(Reduction::Dpor));
        let plain = search(name, &all(Reduction::Nothing));
        assert!(dpor.verified() || dpor.found.is_some());
        assert!(!plain.budget_ran_out, "{name}");
        assert_eq!(dpor.end_states, plain.end_states, "{name}");
        assert_eq!(dpor.distinct_failures, plain.distinct_failures, "{name}");
        assert!(dpor.schedules <= plain.schedules, "{name}");
        eprintln!(
            "{name}: DPOR {} runs, plain {} runs, {} end states, {} failures",
            dpor.schedules, plain.schedules, dpor.end_states, dpor.distinct_failures
        );
    }
}

#[test]
fn dpor_and_state_hashing_agree_with_crash_faults() {
    // Plain DFS over every crash point is large; state hashing explores each state once.
    let all = |reduction| DfsOptions {
        keep_going: true,
        ..bounds(reduction)
    };
    let dpor = search("restart-loses-work", &all(Reduction::Dpor));
    let hashing = search("restart-loses-work", &all(Reduction::StateHashing));
    assert_eq!((dpor.end_states, dpor.distinct_failures), (13, 6));
    assert_eq!(
        (hashing.end_states, hashing.distinct_failures),
        (dpor.end_states, dpor.distinct_failures)
    );
    // The supervised one too (a crash, a restart under the name, a stale id).
    let dpor = search("restart-registry-race", &all(Reduction::Dpor));
    let hashing = search("restart-registry-race", &all(Reduction::StateHashing));
    eprintln!(
        "restart-registry-race: DPOR {} runs, hashing {} runs, {} end states, {} failures",
        dpor.schedules, hashing.schedules, dpor.end_states, dpor.distinct_failures
    );
    assert!(!dpor.budget_ran_out && !hashing.budget_ran_out);
    assert_eq!(
        (hashing.end_states, hashing.distinct_failures),
        (dpor.end_states, dpor.distinct_failures)
    );
}

/// Numbers its answers from a counter shared by every run: the system is nondeterministic.
struct Teller;

static TOLD: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl genserver::GenServer for Teller {
    type Args = ();
    type Call = ();
    type Reply = u64;
    type Cast = ();
    type Info = ();
    type Continue = ();
    fn init(_: (), _: &mut genserver::Ctx<Self>) -> Result<Self, genserver::ExitReason> {
        Ok(Teller)
    }
    fn handle_call(
        &mut self,
        _: (),
        _: genserver::ReplyTo<u64>,
        _: &mut genserver::Ctx<Self>,
    ) -> genserver::CallResult<u64> {
        genserver::CallResult::Reply(TOLD.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
    }
}

#[test]
fn a_prefix_that_does_not_replay_is_refused_as_nondeterministic() {
    let system = |world: &mut genserver_sim::World| {
        let teller = world.spawn::<Teller>("teller", ());
        for name in ["a", "b"] {
            world.client(name, async move |cx| {
                for _ in 0..3 {
                    cx.call(teller, ()).await?;
                }
                Ok(())
            });
        }
    };
    for reduction in [Reduction::Dpor, Reduction::StateHashing] {
        let options = DfsOptions {
            reduction,
            ..DfsOptions::default()
        };
        let divergence = explore(&system, &options, &mut |_| {}).unwrap_err();
        assert!(
            divergence.message.starts_with("nondeterministic: "),
            "{reduction:?}: {divergence}"
        );
    }
}

#[test]
fn state_hashing_with_sleep_sets_reaches_every_state_plain_dfs_reaches() {
    // State hashing leaves asleep the events whose orders with an explored choice were
    // explored (where footprints commute): it must still reach every state, end state and
    // distinct failure of the unreduced search, which counts every state it passes.
    for name in SMALL.into_iter().chain(["restart-loses-work"]) {
        let all = |reduction| DfsOptions {
            keep_going: true,
            ..bounds(reduction)
        };
        let hashing = search(name, &all(Reduction::StateHashing));
        let plain = search(name, &all(Reduction::Nothing));
        assert!(!plain.budget_ran_out, "{name}");
        let outcome = |r: &Exploration| (r.states, r.end_states, r.distinct_failures, r.verified());
        assert_eq!(outcome(&hashing), outcome(&plain), "{name}");
        eprintln!(
            "{name}: hashing {} runs, plain {} runs, {} states",
            hashing.schedules + hashing.pruned,
            plain.schedules,
            plain.states
        );
    }
}
