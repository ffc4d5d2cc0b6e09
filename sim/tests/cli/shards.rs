//! Exhaustive search in shards (`hunt --strategy dfs --shard K/N --seen FILE`, then `gsim
//! merge`) and on threads (`--jobs`): the serial search's figures, clear errors otherwise.

use std::path::PathBuf;
use std::process::Command;

use crate::errors::bad;
use crate::{code, gsim, path, scratch, stderr, stdout};

/// The serial search the shards and threads are held to.
const SERIAL: [&str; 6] = [
    "hunt",
    "counter",
    "--strategy",
    "dfs",
    "--reduction",
    "hashing",
];

/// The N of "N unique states" in `text`.
fn unique_states(text: &str) -> u64 {
    let (before, _) = (text.split_once(" unique states"))
        .unwrap_or_else(|| panic!("no unique states in:\n{text}"));
    before.rsplit(' ').next().unwrap().parse().unwrap()
}

/// Searches `count` shards of `system`, each in its own process; returns their files.
fn shards(test: &str, system: &str, count: u32) -> Vec<PathBuf> {
    let dir = scratch(test);
    (1..=count)
        .map(|k| {
            let seen = dir.join(format!("{system}-{k}.json"));
            let out_file = dir.join(format!("{system}-{k}.jsonl"));
            let shard = format!("{k}/{count}");
            let args = [
                "hunt",
                system,
                "--strategy",
                "dfs",
                "--shard",
                &shard,
                "--seen",
                path(&seen),
                "--out",
                path(&out_file),
                "--quiet",
                "--no-shrink",
            ];
            let out = gsim(&args);
            assert!([0, 1].contains(&code(&out)), "{shard}: {}", stderr(&out));
            seen
        })
        .collect()
}

fn merge(files: &[PathBuf]) -> std::process::Output {
    let mut args = vec!["merge"];
    args.extend(files.iter().map(|f| path(f)));
    gsim(&args)
}

#[test]
fn the_shards_of_a_search_merge_to_the_serial_search() {
    let serial = gsim(&SERIAL);
    assert_eq!(code(&serial), 0, "{}", stderr(&serial));
    let files = shards("merge-counter", "counter", 3);
    let merged = merge(&files);
    let text = stdout(&merged);
    assert_eq!(code(&merged), 0, "{text}{}", stderr(&merged));
    assert!(
        text.contains("verified within bounds") && text.contains("3 shards"),
        "{text}"
    );
    assert_eq!(
        unique_states(&text),
        unique_states(&stdout(&serial)),
        "{text}"
    );
}

#[test]
fn a_failure_in_one_shard_fails_the_merge() {
    let files = shards("merge-lost-update", "lost-update", 2);
    let merged = merge(&files);
    let text = stdout(&merged);
    assert_eq!(code(&merged), 1, "{text}{}", stderr(&merged));
    assert!(
        text.contains("FAILED at") && text.contains("both increments"),
        "{text}"
    );
}

#[test]
fn files_that_are_not_the_shards_of_one_search_are_refused() {
    let files = shards("merge-refused", "counter", 2);
    bad(&["merge", path(&files[0])], "shards missing: 2/2");
    bad(&["merge", path(&files[0]), path(&files[0])], "given twice");
    let other = shards("merge-refused-other", "stale-read", 2);
    bad(
        &["merge", path(&files[0]), path(&other[1])],
        "is not of the search of counter",
    );
    let garbage = files[0].with_extension("txt");
    std::fs::write(&garbage, "{}").unwrap();
    bad(&["merge", path(&garbage)], "not a shard file");
    // A shard file of an earlier version (its fingerprints hashed otherwise) is refused.
    let text = std::fs::read_to_string(&files[0]).unwrap();
    let older = files[0].with_extension("v3.json");
    let version = text.replacen("gsim dfs shard, version 4", "gsim dfs shard, version 3", 1);
    assert_ne!(version, text, "the file names its version");
    std::fs::write(&older, version).unwrap();
    bad(
        &["merge", path(&older), path(&files[1])],
        "a shard file of another version of gsim",
    );
    bad(
        &["hunt", "counter", "--seen", path(&garbage)],
        "--seen writes what a shard",
    );
    bad(
        &[
            "hunt",
            "counter",
            "--strategy",
            "dfs",
            "--seen",
            path(&garbage),
        ],
        "--shard K/N",
    );
}

#[test]
fn a_search_whose_threads_cannot_start_goes_on_without_them() {
    let serial = gsim(&SERIAL);
    // No thread gets a stack of a petabyte: every spawn fails.
    let out = Command::new(env!("CARGO_BIN_EXE_gsim"))
        .args(SERIAL)
        .args(["--jobs", "2"])
        .env("RUST_MIN_STACK", "1000000000000000")
        .output()
        .expect("gsim runs");
    let text = stdout(&out);
    assert_eq!(code(&out), 0, "{text}{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    assert_eq!(
        unique_states(&text),
        unique_states(&stdout(&serial)),
        "{text}"
    );
}
