//! Counts that must be positive are refused at zero, naming the flag and its range: a
//! hunt of no runs, a check of no seeds or PCT of depth 0 would report success over nothing.

use crate::errors::bad;

#[test]
fn zero_runs_seeds_and_depth_are_refused_with_the_allowed_range() {
    for (args, flag) in [
        (&["hunt", "counter", "--runs", "0"][..], "--runs"),
        (
            &["hunt", "counter", "--strategy", "dfs", "--runs", "0"],
            "--runs",
        ),
        (&["hunt", "--runs", "0"], "--runs"),
        (
            &["hunt", "counter", "--strategy", "pct", "--depth", "0"],
            "--depth",
        ),
        (&["check", "counter", "--seeds", "0"], "--seeds"),
        (&["check", "--seeds", "0"], "--seeds"),
    ] {
        bad(args, &format!("invalid value '0' for '{flag} "));
        bad(args, "0 is not in 1..=");
    }
}
