//! Bad input exits 2 with a message; a diverging replay exits 3 and says where.

use crate::{code, gsim, path, run_args, seed_1_trace, stderr};

/// Runs `gsim args`, expecting exit 2 and `message` on stderr, and no panic.
pub fn bad(args: &[&str], message: &str) {
    let out = gsim(args);
    assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(message), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn bad_input_exits_2_with_a_message() {
    let (dir, good, text) = seed_1_trace("bad", "stale-read", 0);
    bad(&["replay", path(&dir.join("missing.jsonl"))], "cannot read");
    let garbage = dir.join("garbage.jsonl");
    std::fs::write(&garbage, "this is not json\n").unwrap();
    bad(&["replay", path(&garbage)], "line 1: not a trace record");
    let empty = dir.join("empty.jsonl");
    std::fs::write(&empty, "").unwrap();
    bad(&["replay", path(&empty)], "the trace is empty");
    let binary = dir.join("binary.jsonl");
    std::fs::write(&binary, [0xff, 0xfe, 0x00, 0x01]).unwrap();
    bad(&["replay", path(&binary)], "not UTF-8");

    let lines: Vec<&str> = text.lines().collect();
    let truncated = dir.join("truncated.jsonl");
    std::fs::write(&truncated, lines[..lines.len() - 1].join("\n")).unwrap();
    bad(&["replay", path(&truncated)], "the trace is truncated");
    let cut = dir.join("cut.jsonl");
    std::fs::write(&cut, &text[..text.len() / 2]).unwrap();
    bad(&["replay", path(&cut)], "not a trace record");
    let other = dir.join("other-system.jsonl");
    std::fs::write(
        &other,
        text.replace("\"system\":\"stale-read\"", "\"system\":\"nope\""),
    )
    .unwrap();
    bad(&["replay", path(&other)], "unknown system \"nope\"");
    let version = dir.join("version.jsonl");
    std::fs::write(&version, text.replace("\"version\":5", "\"version\":99")).unwrap();
    bad(&["replay", path(&version)], "version 99 is not supported");

    bad(
        &["run", "no-such-system", "--seed", "1"],
        "unknown system \"no-such-system\"",
    );
    bad(&["hunt", "no-such-system"], "unknown system");
    bad(&["run", "counter", "--seed", "minus-one"], "invalid value");
    bad(&["run", "counter"], "--seed");
    bad(&["hunt", "--frobnicate"], "unexpected argument");
    bad(&["explode"], "unrecognized subcommand");
    bad(&[], "Usage");
    let under_a_file = good.join("x.jsonl");
    bad(
        &run_args("counter", "1", &under_a_file, &[]),
        "cannot create directory",
    );
}

#[test]
fn a_diverging_replay_exits_3_and_says_where() {
    let (dir, _, text) = seed_1_trace("diverge", "stale-read", 0);
    // The code "changed": the deposit is now 6, so the recorded delivery is not enabled.
    let changed = dir.join("changed.jsonl");
    std::fs::write(
        &changed,
        text.replace(
            "client-1 → account: Deposit(5)",
            "client-1 → account: Deposit(6)",
        ),
    )
    .unwrap();
    let out = gsim(&["replay", path(&changed)]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let err = stderr(&out);
    let expected = "schedule says deliver cast Deposit #1 client-1 → account: Deposit(6), but deliver cast Deposit #1 client-1 → account: Deposit(6) is not enabled; enabled: ";
    assert!(err.contains(expected), "{err}");
    assert!(
        err.contains("deliver cast Deposit #1 client-1 → account: Deposit(5)"),
        "{err}"
    );
    let step = err
        .split("at step ")
        .nth(1)
        .unwrap()
        .split(':')
        .next()
        .unwrap();
    assert!(step.parse::<u64>().unwrap() >= 1, "{err}");

    // An event the replay no longer produces is a divergence too.
    let edited = dir.join("edited.jsonl");
    std::fs::write(
        &edited,
        text.replacen("\"message\":\"init\"", "\"message\":\"init v2\"", 1),
    )
    .unwrap();
    let out = gsim(&["replay", path(&edited)]);
    assert_eq!(code(&out), 3);
    let expected = "step 0: the message differs: the trace says \"start account: init v2\", but the replay gives \"start account: init\"";
    assert!(stderr(&out).contains(expected), "{}", stderr(&out));

    // A schedule that ends early: the trace cut after step 5, keeping its end record.
    let mut short = genserver_traces::Trace::from_jsonl(&text).unwrap();
    short.events.retain(|event| event.step < 6);
    let short = genserver_traces::Trace::new(short.header, short.events, short.end);
    let shorter = dir.join("short.jsonl");
    short.save(&shorter).unwrap();
    let out = gsim(&["replay", path(&shorter)]);
    assert_eq!(code(&out), 3);
    assert!(
        stderr(&out).contains("step 6: the schedule ends, but the run goes on; enabled: "),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_reader_that_goes_away_ends_gsim_quietly() {
    // `gsim list | head -0`: the pipe's reader is gone before gsim writes a line.
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gsim"))
        .arg("list")
        .stdout(writer)
        .output()
        .expect("gsim runs");
    let err = stderr(&out);
    assert_eq!(code(&out), 141, "{err}");
    assert!(err.is_empty(), "{err}");
}
