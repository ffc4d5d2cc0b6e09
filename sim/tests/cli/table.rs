//! `gsim hunt` over every system exits 0 when each behaved as its "expected" column says
//! (each bug found, each correct system clean), 1 otherwise, and says which in its last
//! line. (The all-expected case is the README's hunt, in `main.rs`.)

use crate::{code, gsim, path, scratch, stderr, stdout};

#[test]
fn a_bug_not_found_fails_the_summary_and_is_named() {
    // Two runs find neither stale-read's bug (run 11) nor aba-version's (run 8190).
    let dir = scratch("table-not-found");
    let out = gsim(&["hunt", "--runs", "2", "--out", path(&dir)]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = stdout(&out);
    let last = text.lines().last().unwrap();
    assert!(
        last.starts_with("not as expected: ") && last.contains("of 15 systems"),
        "{text}"
    );
    for name in ["stale-read", "aba-version"] {
        assert!(
            last.contains(&format!("{name} (bug not found)")),
            "{name}: {text}"
        );
    }
    assert!(!last.contains("lost-update"), "{text}");
}

#[test]
fn a_correct_system_not_explored_to_its_end_is_not_clean() {
    let dir = scratch("table-unfinished");
    let out = gsim(&[
        "hunt",
        "--runs",
        "2",
        "--max-steps",
        "12",
        "--out",
        path(&dir),
    ]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = stdout(&out);
    let last = text.lines().last().unwrap();
    assert!(last.contains("stack (no run reached its end)"), "{text}");
    assert!(!last.contains("counter"), "counter takes 9 steps: {text}");
}
