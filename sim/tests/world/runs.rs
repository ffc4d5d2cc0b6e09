//! Hunts and replays at their limits: a nondeterministic system's failure is kept, a replay cut
//! by its step limit says so.

use crate::Custom;
use crate::servers::{Keeper, Mode};

/// Builds of [`FLAKY`]: every other build has a broken invariant.
static BUILDS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

const FLAKY: Custom = Custom {
    name: "flaky",
    build: |w| {
        w.spawn::<Keeper>("keeper", Mode::Keep);
        if BUILDS
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            .is_multiple_of(2)
        {
            w.invariant("even builds fail", |_| Err("an even build".to_owned()));
        }
    },
};

#[test]
fn a_hunt_on_a_nondeterministic_system_keeps_the_failure_it_found() {
    BUILDS.store(0, std::sync::atomic::Ordering::SeqCst);
    let hunt = genserver_sim::hunt(&FLAKY, 0, 10, 100);
    assert!(!hunt.reproduced, "the re-run passes");
    let found = hunt.found.expect("the first run failed");
    let failure = found.failure().expect("the failure found is kept");
    assert!(failure.message.contains("an even build"), "{failure}");
    assert!(found.trace.is_some(), "the re-run's trace");
}

#[test]
fn a_replay_cut_short_by_its_step_limit_says_so() {
    let system = genserver_sim::find_system("lost-update").unwrap();
    let trace = genserver_sim::run(system, 1, 1_000, true).trace.unwrap();
    let mut schedule = genserver_traces::Schedule::of(&trace);
    assert!(schedule.steps.len() > 3);
    schedule.max_steps = 3;
    let divergence = genserver_sim::replay_schedule(system, &schedule).unwrap_err();
    assert_eq!(divergence.step, 4, "{divergence}");
    assert!(
        divergence
            .message
            .contains("the run stopped at its step limit"),
        "{divergence}"
    );
    assert!(!divergence.message.contains("nothing"), "{divergence}");
}
