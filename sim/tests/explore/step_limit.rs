//! Runs stopped at the step limit are counted: a hunt says how many of its runs hit it (the
//! same count for any number of threads), exhaustive search how many of its runs were cut.

use genserver_sim::{
    DEFAULT_MAX_STEPS, DfsOptions, HuntOptions, explore, find_system, hunt, hunt_with,
};

#[test]
fn a_hunt_counts_the_runs_that_hit_the_step_limit() {
    let counter = find_system("counter").unwrap();
    // Every run of the counter takes 9 steps: a limit of 5 cuts them all.
    let cut = hunt(counter, 0, 20, 5);
    assert!(cut.found.is_none());
    assert_eq!((cut.runs, cut.step_limited), (20, 20));
    let whole = hunt(counter, 0, 20, DEFAULT_MAX_STEPS);
    assert_eq!((whole.runs, whole.step_limited), (20, 0));
}

#[test]
fn the_count_before_a_failure_is_the_serial_one_whatever_the_threads() {
    // Its passing runs take 13 to 17 steps, its failing ones 12: at 14 steps some runs are
    // cut before the first failure.
    let system = find_system("restart-registry-race").unwrap();
    let serial = HuntOptions::new(0, 1_000, 14);
    let expected = hunt_with(system, &serial, &|_, _| {});
    let found = expected.found.as_ref().expect("found").seed;
    assert!(
        0 < expected.step_limited && expected.step_limited < expected.runs,
        "{} of {} cut",
        expected.step_limited,
        expected.runs
    );
    for jobs in [2, 3, 4] {
        let options = HuntOptions {
            jobs,
            ..serial.clone()
        };
        let parallel = hunt_with(system, &options, &|_, _| {});
        let seed = parallel.found.as_ref().expect("found").seed;
        assert_eq!(
            (parallel.runs, parallel.step_limited, seed),
            (expected.runs, expected.step_limited, found),
            "{jobs} jobs"
        );
    }
}

#[test]
fn exhaustive_search_counts_the_runs_cut_at_the_depth_limit() {
    let system = find_system("lost-update").unwrap();
    let options = DfsOptions {
        max_depth: 5,
        ..DfsOptions::default()
    };
    let cut = explore(system, &options, &mut |_| {}).expect("deterministic");
    assert!(cut.found.is_none() && cut.schedules > 0);
    assert_eq!(cut.cut_runs, cut.schedules);
    let counter = find_system("counter").unwrap();
    let whole = explore(counter, &DfsOptions::default(), &mut |_| {}).expect("deterministic");
    assert!(whole.verified());
    assert_eq!(whole.cut_runs, 0);
}
