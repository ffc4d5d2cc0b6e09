//! The text traces of every bundled system, pinned: the first failing seed of each bug, and
//! seed 0 of each correct system.

use genserver_sim::{DEFAULT_MAX_STEPS, hunt, systems, trace_text};

#[test]
fn every_bundled_system_has_a_pinned_trace() {
    for system in systems() {
        let seed = if system.has_bug() {
            let found = hunt(*system, 0, 100, DEFAULT_MAX_STEPS).found;
            found.expect("a zoo bug is found within 100 runs").seed
        } else {
            0
        };
        let text = trace_text(*system, seed);
        insta::assert_snapshot!(format!("{}-seed-{seed}", system.name()), text);
    }
}
