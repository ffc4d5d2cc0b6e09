//! Regression tests for the `gsim` bugs found by the review.

use genserver_traces::Trace;

use crate::{code, gsim, path, scratch, stderr, stdout};

#[test]
fn a_hunt_prints_the_failure_and_seed_even_when_the_trace_cannot_be_saved() {
    let out = gsim(&["hunt", "lost-update", "--out", "/proc/nope/x.jsonl"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("lost-update: step"), "{text}");
    assert!(text.contains("found after"), "{text}");
    assert!(stderr(&out).contains("/proc/nope"), "{}", stderr(&out));
}

#[test]
fn hunting_everything_names_each_trace_after_its_failing_seed() {
    let dir = scratch("all-seeds");
    let out = gsim(&["hunt", "--seed", "5", "--out", path(&dir)]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let file = entry.unwrap().path();
        if file.to_string_lossy().ends_with(".original.jsonl") {
            continue; // the trace as found, kept beside the shrunk one
        }
        let trace = Trace::load(&file).unwrap();
        let name = file.file_name().unwrap().to_str().unwrap().to_owned();
        let want = format!("{}-seed-{}.jsonl", trace.header.system, trace.header.seed);
        assert_eq!(name, want);
        names.push(name);
    }
    let bugs = genserver_sim::systems()
        .iter()
        .filter(|s| s.has_bug)
        .count();
    assert_eq!(names.len(), bugs, "{names:?}");
    assert!(
        names.iter().any(|n| !n.ends_with("-seed-5.jsonl")),
        "some bug is found after the first seed: {names:?}"
    );
}

#[test]
fn a_hunt_of_an_empty_shard_names_no_seeds() {
    // 3 seeds in 8 slices: the 4th is empty (`--runs 0` itself is refused).
    let out = gsim(&["hunt", "counter", "--runs", "3", "--shard", "4/8"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("no failure in 0 runs"), "{text}");
    assert!(!text.contains("seeds"), "{text}");
}
