//! `gsim hunt --strategy random|pct|dfs`, `--jobs`, `--shard`, shrinking and the report.

use std::path::Path;
use std::process::Output;

use crate::errors::bad;
use crate::{code, gsim, path, scratch, stderr, stdout};

/// Runs `gsim hunt SYSTEM --strategy STRATEGY`, then `more`, writing the trace of what it
/// finds to `trace`; asserts that it finds the bug (exit 1).
fn hunt_finds(system: &str, strategy: &str, more: &[&str], trace: &Path) -> Output {
    let hunt = ["hunt", system, "--strategy", strategy];
    let out = gsim(&[&hunt[..], more, &["--out", path(trace)]].concat());
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    out
}

#[test]
fn pct_finds_the_depth_2_bug_shrinks_it_and_the_shrunk_trace_replays() {
    let dir = scratch("pct");
    let trace = dir.join("aba.jsonl");
    let out = hunt_finds("aba-version", "pct", &[], &trace);
    let text = stdout(&out);
    for line in [
        "strategy:   pct (depth 3); 4 runs of seeds 0 to 9999",
        "failure:    step 22: invariant: every write counted",
        "shrunk:     22 steps (original 22 steps)",
        &format!("original:   {}", path(&dir.join("aba.original.jsonl"))),
        &format!(
            "replay it:  cargo run -p genserver-sim --bin gsim -- replay {}",
            path(&trace)
        ),
    ] {
        assert!(text.contains(line), "{line}: {text}");
    }
    assert!(text.lines().any(|l| l.starts_with("time:")), "{text}");
    // Not a terminal: no progress bar on stderr.
    assert_eq!(stderr(&out), "");
    let replay = gsim(&["replay", path(&trace)]);
    assert_eq!(code(&replay), 1);
    assert!(stdout(&replay).contains("identical trace"));
}

#[test]
fn dfs_verifies_the_stack_and_finds_a_bug() {
    let out = gsim(&["hunt", "counter", "--strategy", "dfs", "--quiet"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(
            "counter: no failure: verified within bounds (every run finished); 6 schedules"
        ),
        "{text}"
    );
    let dir = scratch("dfs");
    let trace = dir.join("stale.jsonl");
    let out = hunt_finds("stale-read", "dfs", &[], &trace);
    assert!(stdout(&out).contains("strategy:   dfs (source-set DPOR, sleep sets)"));
    assert_eq!(code(&gsim(&["replay", path(&trace)])), 1);
}

#[test]
fn dfs_says_how_it_went_back_to_states_and_stateless_finds_the_same() {
    let hunt = [
        "hunt",
        "counter",
        "--strategy",
        "dfs",
        "--reduction",
        "hashing",
        "--quiet",
    ];
    let stateful = stdout(&gsim(&hunt));
    let stateless = stdout(&gsim(&[&hunt[..], &["--stateless"]].concat()));
    let strategy = |text: &str| {
        let line = text.lines().find(|l| l.starts_with("strategy:"));
        line.expect("a strategy line").to_owned()
    };
    let (copies, replays) = (strategy(&stateful), strategy(&stateless));
    assert!(copies.contains("started from copies"), "{copies}");
    assert!(replays.ends_with(", stateless"), "{replays}");
    // The same search either way: everything before how states were gone back to.
    let counts = |line: &str| {
        line.split(", max depth")
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(counts(&copies), counts(&replays));
}

/// The output without the line that measures wall-clock time.
fn untimed(text: &str) -> String {
    let lines = text.lines().filter(|l| !l.starts_with("time:"));
    lines.map(|l| l.replace(", 2 jobs", "") + "\n").collect()
}

#[test]
fn two_jobs_print_and_write_what_one_job_does() {
    let dir = scratch("jobs");
    for strategy in ["random", "pct"] {
        let mut results = Vec::new();
        for jobs in ["1", "2"] {
            let trace = dir.join(format!("{strategy}-{jobs}.jsonl"));
            let out = hunt_finds("stale-read", strategy, &["--jobs", jobs], &trace);
            let text = stdout(&out).replace(path(&trace), "TRACE");
            let text = text.replace(
                path(&dir.join(format!("{strategy}-{jobs}.original.jsonl"))),
                "ORIGINAL",
            );
            results.push((untimed(&text), std::fs::read(&trace).unwrap()));
        }
        assert_eq!(results[0], results[1], "{strategy}");
    }
}

#[test]
fn a_shard_runs_its_slice_of_the_seeds() {
    let out = gsim(&["hunt", "counter", "--runs", "100", "--shard", "2/4"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("counter: no failure in 25 runs (seeds 25 to 49, shard 2/4)"),
        "{}",
        stdout(&out)
    );
    bad(
        &["hunt", "counter", "--shard", "5/4"],
        "expected K/N with 1 <= K <= N",
    );
    // Exhaustive search takes a slice of the tree instead (see `shards.rs`).
    let out = gsim(&["hunt", "counter", "--strategy", "dfs", "--shard", "1/2"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    let line = "dfs (state hashing: a shard cannot use DPOR), shard 1/2";
    assert!(text.contains(line), "{text}");
    bad(
        &["hunt", "counter", "--jobs", "0"],
        "--jobs must be at least 1",
    );
    bad(
        &["hunt", "counter", "--strategy", "bfs"],
        "invalid value 'bfs'",
    );
}
