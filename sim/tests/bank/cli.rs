//! The bank's own `gsim` (the example's `main`), run through its command line: a hunt
//! finds the bug, and the commands it prints reproduce it as printed.

use std::path::PathBuf;
use std::process::{Command, Output};

/// The example's executable, built by `cargo test` beside this test's (built here if not).
fn example() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let path = profile
        .join("examples")
        .join(format!("bank{}", std::env::consts::EXE_SUFFIX));
    if !path.is_file() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "-p", "genserver-sim", "--example", "bank"])
            .status()
            .unwrap();
        assert!(status.success(), "cargo build --example bank");
    }
    path
}

fn gsim(args: &[&str]) -> Output {
    Command::new(example())
        .args(args)
        .env("CARGO_PKG_NAME", "genserver-sim")
        .output()
        .unwrap()
}

/// The arguments of the printed line starting with `label` and this `cargo run` command.
fn printed_args(stdout: &str, label: &str) -> Vec<String> {
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix(label))
        .unwrap_or_else(|| {
            panic!("no {label:?} line in:\n{stdout}");
        });
    let (command, args) = line.trim().split_once(" -- ").expect("a cargo run line");
    assert_eq!(
        command, "cargo run -p genserver-sim --example bank",
        "{line}"
    );
    args.split(' ').map(str::to_owned).collect()
}

#[test]
fn the_bank_gsim_hunts_the_bug_and_its_printed_commands_reproduce_it() {
    let dir = std::env::temp_dir().join(format!("bank-gsim-{}", std::process::id()));
    let out = dir.to_string_lossy().into_owned();
    let hunt = gsim(&["hunt", "bank", "--out", &out]);
    let stdout = String::from_utf8_lossy(&hunt.stdout);
    assert_eq!(hunt.status.code(), Some(1), "found:\n{stdout}");
    assert!(stdout.contains("no account overdrawn"), "{stdout}");
    for label in ["replay it: ", "rerun seed: "] {
        let args = printed_args(&stdout, label);
        let again = gsim(&args.iter().map(String::as_str).collect::<Vec<_>>());
        let again_out = String::from_utf8_lossy(&again.stdout);
        assert_eq!(
            again.status.code(),
            Some(1),
            "{label}{args:?}:\n{again_out}"
        );
        assert!(again_out.contains("no account overdrawn"), "{again_out}");
    }
    let fixed = gsim(&["hunt", "bank-fixed", "--strategy", "dfs"]);
    assert_eq!(
        fixed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&fixed.stdout)
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_bank_gsim_lists_its_own_systems_and_refuses_others() {
    let list = String::from_utf8_lossy(&gsim(&["list"]).stdout).into_owned();
    let names: Vec<&str> = list.lines().filter_map(|l| l.split(' ').next()).collect();
    assert_eq!(names, ["bank", "bank-fixed", "bank-fixed-logged"]);
    let unknown = gsim(&["hunt", "lost-update"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("known systems: bank, bank-fixed"));
}

#[test]
fn the_bank_gsim_soaks_the_bug_on_threads_and_replays_the_recording_it_keeps() {
    let dir = std::env::temp_dir().join(format!("bank-soak-{}", std::process::id()));
    let out = dir.to_string_lossy().into_owned();
    let soak = gsim(&["soak", "bank", "--out", &out, "--quiet"]);
    let stdout = String::from_utf8_lossy(&soak.stdout);
    assert_eq!(soak.status.code(), Some(1), "a run failed:\n{stdout}");
    assert!(stdout.contains("withdrew"), "{stdout}");
    let mut args = printed_args(&stdout, "  replay it in the simulator: ");
    args.extend(["--around".to_owned(), "1".to_owned()]);
    let replay = gsim(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let replayed = String::from_utf8_lossy(&replay.stdout);
    assert_eq!(replay.status.code(), Some(1), "{args:?}:\n{replayed}");
    for words in [
        "every process took its recorded inputs in order",
        "no account overdrawn",
        "within 1 detour(s)",
        "shrunk from",
    ] {
        assert!(replayed.contains(words), "{words:?} in:\n{replayed}");
    }
    // The fixed bank passes on threads; a system without a scenario on threads is refused.
    let fixed = gsim(&["soak", "bank-fixed", "--runs", "20", "--quiet"]);
    let fixed_out = String::from_utf8_lossy(&fixed.stdout);
    assert_eq!(fixed.status.code(), Some(0), "{fixed_out}");
    assert!(fixed_out.contains("0 of 20 runs"), "{fixed_out}");
    let none = gsim(&["soak", "bank-fixed-logged"]);
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("has no scenario on threads"));
    let _ = std::fs::remove_dir_all(dir);
}
