//! The bank example tested as its user would test it: the one-call check on the fixed
//! version, the failure line of the buggy one run as printed, a story snapshot, the same
//! scenario on real threads, and the bank's own `gsim`.

#[path = "../../examples/bank/accounts.rs"]
mod accounts;
#[path = "../support/check_text.rs"]
mod check_text;
#[path = "../../examples/bank/scenario.rs"]
mod scenario;

mod cli;
mod first_test;
mod recorded;
mod stories;

use std::panic::{AssertUnwindSafe, catch_unwind};

use genserver::runtime::Threads;
use genserver_sim::{LOOSE_VAR, REPLAY_VAR, Sim, Strategy};

use accounts::Policy;
use check_text::{line, replay_in_child};
use scenario::{bank, bank_fixed};

#[test]
fn the_fixed_bank_passes_the_one_call_check_with_every_strategy() {
    genserver_sim::check(&bank_fixed);
    Sim::new(&bank_fixed)
        .strategy(Strategy::Pct { depth: 2 })
        .check();
    Sim::new(&bank_fixed).exhaustive().check();
}

#[test]
fn the_same_scenario_runs_on_real_threads() {
    for _ in 0..20 {
        let mut threads = Threads::new();
        scenario::scenario(&mut threads, Policy::CheckFunds, None);
        assert_eq!(threads.run(), Ok(()));
    }
}

#[test]
fn a_failure_prints_one_line_that_replays_it() {
    let sim = Sim::new(&bank).name("bank").html(true);
    if std::env::var_os(REPLAY_VAR).is_some() {
        // Run by the line below: replay the saved trace (it fails again).
        return sim.check();
    }
    let panic = catch_unwind(AssertUnwindSafe(|| sim.check())).expect_err("the bug is found");
    let text = panic.downcast_ref::<String>().expect("a formatted message");
    assert!(text.contains("invariant: no account overdrawn"), "{text}");
    assert!(line(text, "found by").contains("seed"), "{text}");
    let trace = line(text, "trace:");
    assert!(std::path::Path::new(trace).is_file(), "{text}");
    let page = std::fs::read_to_string(line(text, "page:")).unwrap();
    assert!(
        page.contains("<svg") && page.contains("no account overdrawn"),
        "{page:.300}"
    );
    // The printed line: GSIM_REPLAY=<trace> cargo test -p genserver-sim -- <this test> --exact
    let replay = line(text, "replay:");
    let (assignment, command) = replay.split_once(' ').expect("a variable, then a command");
    assert_eq!(assignment, format!("{REPLAY_VAR}={trace}"));
    let test = std::thread::current().name().unwrap().to_owned();
    assert!(command.starts_with("cargo test"), "{command}");
    assert!(
        command.ends_with(&format!("-p genserver-sim -- {test} --exact")),
        "{command}"
    );
    // Run it as cargo would: this test binary, the same filter, the same variable.
    let (passed, printed) = replay_in_child(&test, trace, &[]);
    assert!(!passed, "the replay fails again:\n{printed}");
    assert!(printed.contains("no account overdrawn"), "{printed}");
    assert!(printed.contains(&format!("replayed {trace}")), "{printed}");
    // By identity (as after an edit of the code): every step kept, the same failure.
    let (passed, printed) = replay_in_child(&test, trace, &[(LOOSE_VAR, "1")]);
    assert!(!passed, "{printed}");
    assert!(
        printed.contains(&format!("replayed {trace} by identity: kept")),
        "{printed}"
    );
    assert!(printed.contains("skipped 0; 0 new"), "{printed}");
    assert!(printed.contains("the same failure reproduced"), "{printed}");
}

#[test]
fn a_malformed_variable_fails_the_check_with_what_it_expects() {
    // In a child, as CI would set it: the whole process sees the variable.
    let test = "the_fixed_bank_passes_the_one_call_check_with_every_strategy";
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .env("GSIM_STRATEGY", "bfs")
        .args([test, "--exact"])
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "{printed}");
    assert!(
        printed.contains("GSIM_STRATEGY=\"bfs\": expected random"),
        "{printed}"
    );
}

#[test]
fn the_environment_picks_strategy_seed_and_runs_for_ci() {
    if std::env::var_os("BANK_ENV_CHILD").is_some() {
        // In the child: hunt as the environment says; the failure text tells how.
        return Sim::new(&bank).name("bank").check();
    }
    let test = "the_environment_picks_strategy_seed_and_runs_for_ci";
    let child = |vars: &[(&str, &str)]| {
        let mut command = std::process::Command::new(std::env::current_exe().unwrap());
        command.env("BANK_ENV_CHILD", "1").args([test, "--exact"]);
        for (name, value) in vars {
            command.env(name, value);
        }
        let output = command.output().unwrap();
        assert!(!output.status.success(), "the bug is found");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let pct = child(&[
        ("GSIM_STRATEGY", "pct:2"),
        ("GSIM_SEED", "1000"),
        ("GSIM_RUNS", "50"),
    ]);
    let how = line(&pct, "found by");
    assert!(how.starts_with("pct (depth 2) after "), "{pct}");
    let seed: u64 = how
        .split("seed ")
        .nth(1)
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1_000..1_050).contains(&seed), "{pct}");
    let dfs = child(&[("GSIM_STRATEGY", "dfs")]);
    assert!(
        line(&dfs, "found by").starts_with("exhaustive search after "),
        "{dfs}"
    );
}

#[test]
fn a_check_where_every_run_stops_at_the_step_limit_fails() {
    // Nothing was checked to its end: not a pass (as `gsim` exits 4).
    let sim = Sim::new(&bank_fixed).max_steps(3).runs(5);
    let panic = catch_unwind(AssertUnwindSafe(|| sim.check())).expect_err("not a pass");
    let text = panic.downcast_ref::<String>().expect("a formatted message");
    assert!(
        text.contains("every run stopped at the step limit (3 steps)"),
        "{text}"
    );
    // With room, the same check passes.
    Sim::new(&bank_fixed).max_steps(1_000).runs(5).check();
}
