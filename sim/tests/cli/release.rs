//! The commands a hunt prints start `gsim` the way it was started: `--release` after a
//! release build, and not after a debug one (`main.rs` checks the debug lines).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::{code, path, scratch, stderr, stdout};

/// This test's `gsim` placed at `dir/rel` (a profile's folder, as cargo lays them out).
fn placed(dir: &Path, rel: &str) -> PathBuf {
    let exe = dir.join(rel);
    std::fs::create_dir_all(exe.parent().unwrap()).unwrap();
    let built = Path::new(env!("CARGO_BIN_EXE_gsim"));
    if std::fs::hard_link(built, &exe).is_err() {
        std::fs::copy(built, &exe).unwrap();
    }
    exe
}

fn run(exe: &Path, args: &[&str]) -> Output {
    Command::new(exe)
        .args(args)
        .env("CARGO_PKG_NAME", "genserver-sim")
        .output()
        .unwrap()
}

/// The lines of `text` that print a command to run.
fn commands(text: &str) -> Vec<&str> {
    (text.lines())
        .filter(|l| l.starts_with("replay it:") || l.starts_with("rerun seed:"))
        .collect()
}

#[test]
fn a_release_build_prints_release_commands() {
    let dir = scratch("release");
    for (rel, cargo) in [
        (
            "target/release/gsim",
            "cargo run --release -p genserver-sim --bin gsim -- ",
        ),
        (
            "target/release/examples/gsim",
            "cargo run --release -p genserver-sim --example gsim -- ",
        ),
        (
            "target/debug/gsim",
            "cargo run -p genserver-sim --bin gsim -- ",
        ),
    ] {
        let exe = placed(&dir, rel);
        let trace = dir.join("found.jsonl");
        let out = run(&exe, &["hunt", "lost-update", "--out", path(&trace)]);
        assert_eq!(code(&out), 1, "{rel}: {}", stderr(&out));
        let text = stdout(&out);
        let printed = commands(&text);
        assert_eq!(printed.len(), 2, "{rel}: {text}");
        for line in printed {
            let command = line.split_once(":").unwrap().1.trim_start();
            assert!(command.starts_with(cargo), "{rel}: {line}");
        }
        // Hunting every system prints each bug's replay line the same way.
        let all = run(
            &exe,
            &["hunt", "--runs", "20", "--out", path(&dir.join("all"))],
        );
        let text = stdout(&all);
        let printed = commands(&text);
        assert!(printed.len() >= 5, "{rel}: {text}");
        for line in printed {
            assert!(line.contains(cargo), "{rel}: {line}");
        }
    }
}
