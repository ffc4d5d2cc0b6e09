//! `gsim check --processes` on the bundled systems: each seed also run in a child process
//! (the fixture that fails it is `tests/processes`).

use crate::{code, gsim, stderr, stdout};

#[test]
fn the_bundled_systems_are_deterministic_across_processes() {
    let out = gsim(&["check", "--seeds", "2", "--processes"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let passed = "deterministic over 2 seeds, each also in a child process";
    assert_eq!(stdout(&out).matches(passed).count(), 15, "{}", stdout(&out));
}
