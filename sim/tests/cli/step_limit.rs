//! A hunt or a run cut short by the step limit says so; when no run reached its end it
//! exits 4 ("nothing was explored to its end"), never 0.

use crate::{code, gsim, stderr, stdout};

/// The number before " of {total} runs hit the step limit ({steps} steps)".
fn cut(text: &str, total: u64, steps: u64) -> u64 {
    let tail = format!(" of {total} runs hit the step limit ({steps} steps)");
    let line = (text.lines().find(|l| l.contains(&tail)))
        .unwrap_or_else(|| panic!("no {tail:?} in:\n{text}"));
    let before = &line[..line.find(&tail).unwrap()];
    let number = before.rsplit(' ').next().unwrap();
    number.parse().unwrap_or_else(|_| panic!("{line}"))
}

#[test]
fn a_hunt_where_every_run_hits_the_step_limit_exits_4() {
    for strategy in ["random", "pct"] {
        let out = gsim(&[
            "hunt",
            "lost-update",
            "--max-steps",
            "5",
            "--strategy",
            strategy,
        ]);
        assert_eq!(code(&out), 4, "{strategy}: {}", stdout(&out));
        let text = stdout(&out);
        assert_eq!(cut(&text, 10_000, 5), 10_000, "{text}");
        assert!(text.contains("no run reached its end"), "{text}");
        assert!(!text.contains("no failure in"), "{text}");
    }
}

#[test]
fn a_hunt_where_some_runs_hit_the_step_limit_says_how_many() {
    // aba-version's random runs take 22 to 38 steps and do not fail in 20 runs.
    let out = gsim(&["hunt", "aba-version", "--runs", "20", "--max-steps", "25"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("no failure in 20 runs"), "{text}");
    let limited = cut(&text, 20, 25);
    assert!(0 < limited && limited < 20, "{text}");
}

#[test]
fn exhaustive_search_cut_everywhere_by_the_depth_limit_exits_4() {
    let out = gsim(&[
        "hunt",
        "lost-update",
        "--strategy",
        "dfs",
        "--max-steps",
        "5",
    ]);
    assert_eq!(code(&out), 4, "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains("2 of 2 runs were cut at the depth limit"),
        "{text}"
    );
}

#[test]
fn a_run_stopped_at_the_step_limit_exits_4() {
    let out = gsim(&["run", "counter", "--seed", "1", "--max-steps", "5"]);
    assert_eq!(code(&out), 4, "{}", stdout(&out));
    assert!(stdout(&out).contains("stopped at the step limit (5 steps)"));
}

#[test]
fn exit_code_4_is_documented_in_the_help_and_the_readme() {
    let readme = include_str!("../../../README.md").replace('\n', " ");
    assert!(
        readme.contains("4 nothing was explored to its end"),
        "README.md"
    );
    let out = gsim(&["--help"]);
    assert_eq!(code(&out), 0);
    assert!(
        stdout(&out).contains("4 nothing was explored to its end"),
        "{}",
        stdout(&out)
    );
}
