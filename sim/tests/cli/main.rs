//! `gsim` as a user runs it, in fresh processes: exit codes, messages, byte-identical replay.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod check;
mod errors;
mod jobs;
mod outputs;
mod ranges;
mod regressions;
mod release;
mod shards;
mod step_limit;
mod strategies;
mod table;
mod view;

use errors::bad;

fn gsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gsim"))
        .args(args)
        .output()
        .expect("gsim runs")
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("exited")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A fresh scratch directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("gsim-cli")
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `gsim run SYSTEM --seed SEED --trace TRACE`, then `more`.
fn run_args<'a>(system: &'a str, seed: &'a str, trace: &'a Path, more: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["run", system, "--seed", seed, "--trace", path(trace)];
    args.extend_from_slice(more);
    args
}

/// `gsim hunt lost-update --out OUT --html PAGE`.
fn hunt_html_args<'a>(out: &'a Path, page: &'a Path) -> [&'a str; 6] {
    [
        "hunt",
        "lost-update",
        "--out",
        path(out),
        "--html",
        path(page),
    ]
}

/// `gsim render TRACE --format html -o PAGE`.
fn render_html_args<'a>(trace: &'a Path, page: &'a Path) -> [&'a str; 6] {
    ["render", path(trace), "--format", "html", "-o", path(page)]
}

/// A scratch folder for `test` and, in it, the trace of `gsim run SYSTEM --seed 1`, which
/// exits `expected` (0: the run passed, 1: it failed): the folder, the trace and its text.
fn seed_1_trace(test: &str, system: &str, expected: i32) -> (PathBuf, PathBuf, String) {
    let dir = scratch(test);
    let trace = dir.join(format!("{system}.jsonl"));
    let run = gsim(&run_args(system, "1", &trace, &[]));
    assert_eq!(code(&run), expected, "{}", stderr(&run));
    let text = std::fs::read_to_string(&trace).unwrap();
    (dir, trace, text)
}

const BUGS: [&str; 10] = [
    "lost-update",
    "call-cycle",
    "stale-read",
    "retry-double-apply",
    "restart-loses-work",
    "restart-registry-race",
    "lease-expiry",
    "timeout-retry",
    "stale-cache",
    "stale-cache-workload",
];

#[test]
fn list_names_every_system_with_a_description() {
    let out = gsim(&["list"]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 15);
    for name in BUGS
        .iter()
        .chain(&["aba-version", "stack", "counter", "fenced-cache"])
        .chain(&["fenced-cache-workload"])
    {
        assert!(
            text.lines()
                .any(|l| l.starts_with(name) && l.len() > name.len() + 10),
            "{name}"
        );
    }
}

#[test]
fn each_bug_is_hunted_and_replays_byte_for_byte_in_a_fresh_process() {
    let dir = scratch("replay");
    for bug in BUGS {
        let trace = dir.join(format!("{bug}.jsonl"));
        let hunt = gsim(&["hunt", bug, "--runs", "100", "--out", path(&trace)]);
        assert_eq!(code(&hunt), 1, "{bug}: {}", stderr(&hunt));
        let text = stdout(&hunt);
        assert!(
            text.contains(&format!(
                "replay it:  cargo run -p genserver-sim --bin gsim -- replay {}",
                path(&trace)
            )),
            "{text}"
        );
        let seed_line = text.lines().find(|l| l.contains("found after")).unwrap();
        let seed = seed_line
            .split("seed ")
            .nth(1)
            .unwrap()
            .split(';')
            .next()
            .unwrap();

        let replayed = dir.join(format!("{bug}-replayed.jsonl"));
        let replay = gsim(&["replay", path(&trace), "--trace", path(&replayed)]);
        assert_eq!(code(&replay), 1, "{bug}: {}", stderr(&replay));
        assert!(stdout(&replay).contains("identical trace"));
        assert_eq!(
            std::fs::read(&trace).unwrap(),
            std::fs::read(&replayed).unwrap(),
            "{bug}"
        );

        // The shrunk trace is written; the original is kept, and the seed reruns it.
        let original = dir.join(format!("{bug}.original.jsonl"));
        assert!(
            text.contains(&format!("original:   {}", path(&original))),
            "{text}"
        );
        let rerun = dir.join(format!("{bug}-rerun.jsonl"));
        let run = gsim(&["run", bug, "--seed", seed, "--trace", path(&rerun)]);
        assert_eq!(code(&run), 1);
        assert_eq!(
            std::fs::read(&original).unwrap(),
            std::fs::read(&rerun).unwrap(),
            "{bug}"
        );
    }
}

/// The README's main command, exactly: no flags, traces under `target/gsim/`.
#[test]
fn the_readme_hunt_runs_with_no_arguments() {
    let dir = scratch("readme");
    let out = Command::new(env!("CARGO_BIN_EXE_gsim"))
        .arg("hunt")
        .current_dir(&dir)
        .output()
        .expect("gsim runs");
    assert_eq!(code(&out), 0, "as expected: {}", stdout(&out));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    assert!(
        stdout(&out).ends_with(
            "\nevery system behaved as expected: 11 bugs found, 4 correct systems clean\n"
        ),
        "{}",
        stdout(&out)
    );
    let written = std::fs::read_dir(dir.join("target/gsim")).unwrap().count();
    assert!(written >= BUGS.len(), "{written} traces written");
}

#[test]
fn hunting_everything_prints_a_summary_table() {
    let dir = scratch("all");
    let out = gsim(&["hunt", "--out", path(&dir)]);
    assert_eq!(code(&out), 0, "as expected: {}", stdout(&out));
    let text = stdout(&out);
    let table: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("system "))
        .collect();
    assert_eq!(table.len(), 17, "{text}");
    for bug in BUGS.iter().chain(&["aba-version"]) {
        assert!(
            table
                .iter()
                .any(|l| l.starts_with(bug) && l.contains("FOUND")),
            "{bug}: {text}"
        );
    }
    for ok in ["stack", "counter", "fenced-cache", "fenced-cache-workload"] {
        assert!(
            table
                .iter()
                .any(|l| l.starts_with(ok) && l.contains("clean")),
            "{ok}: {text}"
        );
    }
    // The shrunk and the original trace of each bug, `aba-version` included.
    let written = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(written, 2 * (BUGS.len() + 1));
}

#[test]
fn correct_systems_exit_0() {
    let out = gsim(&["hunt", "counter", "--runs", "200"]);
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("no failure in 200 runs"));
    let out = gsim(&["run", "stack", "--seed", "5"]);
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("stack, seed 5: passed"));
}

#[test]
fn the_determinism_check_passes_on_the_bundled_systems() {
    let out = gsim(&["check", "--seeds", "5"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert_eq!(
        stdout(&out).matches("deterministic over 5 seeds").count(),
        15
    );
}

#[test]
fn a_schedule_file_replays_and_can_be_edited() {
    let dir = scratch("schedule");
    let (trace, schedule) = (dir.join("run.jsonl"), dir.join("run.schedule"));
    let run = gsim(&run_args(
        "lost-update",
        "1",
        &trace,
        &["--schedule", path(&schedule)],
    ));
    assert_eq!(code(&run), 1);
    let text = std::fs::read_to_string(&schedule).unwrap();
    assert!(
        text.starts_with("# genserver schedule v2\n# system: lost-update\n# seed: 1\n"),
        "{text}"
    );
    assert!(
        text.contains("\ndeliver call Get #1 client-2 → counter: Get\n"),
        "{text}"
    );

    let replayed = dir.join("replayed.jsonl");
    let out = gsim(&["replay", path(&schedule), "--trace", path(&replayed)]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(
        std::fs::read(&trace).unwrap(),
        std::fs::read(&replayed).unwrap()
    );

    // A person edits the schedule: a decision that cannot happen is a divergence (exit 3).
    let edited = dir.join("edited.schedule");
    std::fs::write(&edited, text.replace("start client-1", "start client-9")).unwrap();
    let out = gsim(&["replay", path(&edited)]);
    assert_eq!(code(&out), 3);
    assert!(
        stderr(&out).contains(
            ": schedule says start client-9, but start client-9 is not enabled; enabled: "
        ),
        "{}",
        stderr(&out)
    );

    let headless = dir.join("headless.schedule");
    std::fs::write(&headless, "# genserver schedule v2\nstart client-1\n").unwrap();
    bad(
        &["replay", path(&headless)],
        "the schedule has no \"# system:\" line",
    );
    // A schedule written before trace format 3 names messages otherwise: said, not replayed.
    let older = dir.join("older.schedule");
    let text = "# genserver schedule v1\n# system: lost-update\nstart client-1\n";
    std::fs::write(&older, text).unwrap();
    bad(
        &["replay", path(&older)],
        "a schedule of version 1 names messages",
    );
}

#[test]
fn loose_replay_survives_an_edited_payload_and_replays_older_traces() {
    let (dir, _, text) = seed_1_trace("loose", "lost-update", 1);
    // The code "changed": the read request is now called `Fetch` in its payload.
    let edited = dir.join("edited.jsonl");
    std::fs::write(&edited, text.replace("counter: Get", "counter: Fetch")).unwrap();
    let strict = gsim(&["replay", path(&edited)]);
    assert_eq!(code(&strict), 3, "{}", stderr(&strict));
    assert!(
        stderr(&strict).contains("counter: Fetch is not enabled"),
        "{}",
        stderr(&strict)
    );
    let loose = gsim(&["replay", "--loose", path(&edited)]);
    assert_eq!(code(&loose), 1, "{}", stderr(&loose));
    let out = stdout(&loose);
    assert!(
        out.contains("kept 10 of 10 steps; skipped 0; 0 new"),
        "{out}"
    );
    assert!(
        out.contains("the same failure reproduced: step 10: invariant"),
        "{out}"
    );
    // A trace of the older format is replayed by identity without being asked.
    let older = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../traces/corpus/older/lost-update-v2.jsonl"
    );
    let replayed = gsim(&["replay", older]);
    assert_eq!(code(&replayed), 1, "{}", stderr(&replayed));
    let out = stdout(&replayed);
    assert!(
        out.contains("format version 2") && out.contains("replayed by identity"),
        "{out}"
    );
    assert!(out.contains("the same failure reproduced"), "{out}");
    // A loose replay that does not end as recorded exits 3.
    let passing = dir.join("passing.jsonl");
    let fixed = text.replace("\"result\":\"failure\"", "\"result\":\"pass\"");
    assert_ne!(fixed, text);
    let end = fixed.lines().last().unwrap();
    let fixed = fixed.replace(
        end,
        r#"{"type":"end","steps":10,"time_ns":0,"outcome":{"result":"pass"}}"#,
    );
    std::fs::write(&passing, fixed).unwrap();
    let differs = gsim(&["replay", "--loose", path(&passing)]);
    assert_eq!(
        code(&differs),
        3,
        "{}{}",
        stdout(&differs),
        stderr(&differs)
    );
    assert!(
        stdout(&differs).contains("a failure where none was recorded"),
        "{}",
        stdout(&differs)
    );
}

#[test]
fn a_replay_refuses_to_write_over_its_trace_and_says_when_it_hit_the_step_limit() {
    let (dir, trace, text) = seed_1_trace("replay-outputs", "lost-update", 1);
    let before = text.into_bytes();
    let same = gsim(&["replay", path(&trace), "--trace", path(&trace)]);
    assert_eq!(code(&same), 2, "{}", stderr(&same));
    assert!(
        stderr(&same).contains("name the same file"),
        "{}",
        stderr(&same)
    );
    assert_eq!(std::fs::read(&trace).unwrap(), before);
    // A run cut at its step limit replays to the same cut: exit 4, as `gsim run` gives.
    let cut = dir.join("cut.jsonl");
    let args = run_args("lost-update", "1", &cut, &["--max-steps", "3"]);
    assert_eq!(code(&gsim(&args)), 4);
    assert_eq!(code(&gsim(&["replay", path(&cut)])), 4);
    assert_eq!(code(&gsim(&["replay", "--loose", path(&cut)])), 4);
}
