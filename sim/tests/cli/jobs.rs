//! `--jobs` starts no more threads than there are runs (nor many more than the machine
//! has cores), and a thread that cannot be started is an error (exit 2), not a panic.

use std::process::Command;

use crate::errors::bad;
use crate::{code, gsim, stderr, stdout};

/// The N of ", N jobs" in the strategy line (1 when the line names no jobs).
fn jobs(text: &str) -> usize {
    let line = (text.lines().find(|l| l.starts_with("strategy:")))
        .unwrap_or_else(|| panic!("no strategy line in:\n{text}"));
    match line.split_once(", ") {
        Some((_, rest)) if rest.contains(" jobs;") => {
            rest.split(' ').next().unwrap().parse().unwrap()
        }
        _ => 1,
    }
}

#[test]
fn more_jobs_than_runs_start_a_thread_per_run_at_most() {
    let out = gsim(&["hunt", "counter", "--jobs", "100000", "--runs", "50"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("no failure in 50 runs"), "{text}");
    let threads = jobs(&text);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    assert!(threads <= 50 && threads <= 4 * cores, "{threads}: {text}");
    let out = gsim(&["hunt", "counter", "--jobs", "8", "--runs", "1"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(jobs(&stdout(&out)), 1, "{}", stdout(&out));
}

#[test]
fn a_thread_that_cannot_start_is_an_error_not_a_panic() {
    // No thread gets a stack of a petabyte: every spawn fails.
    let out = Command::new(env!("CARGO_BIN_EXE_gsim"))
        .args(["hunt", "counter", "--jobs", "2", "--runs", "10"])
        .env("RUST_MIN_STACK", "1000000000000000")
        .output()
        .expect("gsim runs");
    let err = stderr(&out);
    assert_eq!(code(&out), 2, "{err}");
    assert!(err.contains("cannot start worker thread"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    // One job needs no thread of its own.
    bad(
        &["hunt", "counter", "--jobs", "0"],
        "--jobs must be at least 1",
    );
}
