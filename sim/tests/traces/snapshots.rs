//! The text traces of every bundled system, pinned: the first failing seed of each bug that
//! a random walk finds within 100 runs, and seed 0 of the others (the correct systems, and
//! `aba-version`, whose bug random runs take thousands of seeds to hit).

use genserver_sim::{DEFAULT_MAX_STEPS, hunt, systems, trace_text};

#[test]
fn every_bundled_system_has_a_pinned_trace() {
    for system in systems() {
        let seed = if system.has_bug {
            let found = hunt(system, 0, 100, DEFAULT_MAX_STEPS).found;
            if system.name != "aba-version" {
                assert!(found.is_some(), "{}: found within 100 runs", system.name);
            }
            found.map_or(0, |report| report.seed)
        } else {
            0
        };
        let text = trace_text(system, seed);
        insta::assert_snapshot!(format!("{}-seed-{seed}", system.name), text);
    }
}
