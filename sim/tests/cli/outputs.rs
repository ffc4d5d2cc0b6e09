//! Output files: two flags naming the same file are refused (exit 2) before anything is
//! written, and a file that was there is replaced with a word on stderr.

use std::path::Path;

use crate::errors::bad;
use crate::{code, gsim, hunt_html_args, path, render_html_args, run_args, scratch, stderr};

/// `gsim: replaced PATH`, as stderr says it.
fn replaced(file: &Path) -> String {
    format!("gsim: replaced {}", file.display())
}

/// Asserts that `stderr` says each of `files` was replaced.
fn says_replaced(stderr: &str, files: &[&Path]) {
    for file in files {
        assert!(stderr.contains(&replaced(file)), "{stderr}");
    }
}

#[test]
fn two_outputs_naming_the_same_file_are_refused() {
    let dir = scratch("same-path");
    let file = dir.join("out.jsonl");
    let dotted = dir.join(".").join("out.jsonl");
    bad(
        &run_args("lost-update", "1", &file, &["--schedule", path(&dotted)]),
        "--trace and --schedule name the same file",
    );
    assert!(!file.exists(), "nothing is written");
    bad(
        &hunt_html_args(&file, &file),
        "--out and --html name the same file",
    );
    assert!(!file.exists(), "nothing is written");
    let original = dir.join("out.original.jsonl");
    bad(
        &hunt_html_args(&file, &original),
        "--html names the file where --out keeps the original trace",
    );
    // The trace a render reads is not its output either.
    let trace = dir.join("t.jsonl");
    let run = gsim(&run_args("lost-update", "1", &trace, &[]));
    assert_eq!(code(&run), 1);
    let before = std::fs::read(&trace).unwrap();
    bad(
        &render_html_args(&trace, &trace),
        "--out names the trace being rendered",
    );
    assert_eq!(std::fs::read(&trace).unwrap(), before);
}

#[test]
fn replacing_a_file_says_so_on_stderr() {
    let dir = scratch("replaced");
    let (trace, schedule) = (dir.join("t.jsonl"), dir.join("t.schedule"));
    let args = run_args("lost-update", "1", &trace, &["--schedule", path(&schedule)]);
    let first = gsim(&args);
    assert_eq!(code(&first), 1);
    assert!(!stderr(&first).contains("replaced"), "{}", stderr(&first));
    let again = gsim(&args);
    assert_eq!(code(&again), 1);
    says_replaced(&stderr(&again), &[&trace, &schedule]);

    let found = dir.join("found.jsonl");
    let hunt = ["hunt", "lost-update", "--out", path(&found)];
    assert!(!stderr(&gsim(&hunt)).contains("replaced"));
    let again = gsim(&hunt);
    assert_eq!(code(&again), 1);
    let original = dir.join("found.original.jsonl");
    says_replaced(&stderr(&again), &[&found, &original]);

    let page = dir.join("page.html");
    let render = render_html_args(&trace, &page);
    assert!(!stderr(&gsim(&render)).contains("replaced"));
    assert!(stderr(&gsim(&render)).contains(&replaced(&page)));
}
