//! Reading the text a failing `Sim::check` panics with, and running its replay line as
//! cargo would: this test binary, the same test, the variable set.

use genserver_sim::REPLAY_VAR;

/// The line of a check's failure text that starts with `label`, without it.
pub fn line<'a>(text: &'a str, label: &str) -> &'a str {
    let found = text
        .lines()
        .find_map(|l| l.trim_start().strip_prefix(label));
    found
        .unwrap_or_else(|| panic!("no {label:?} line in:\n{text}"))
        .trim()
}

/// Runs the test `test` of this binary in a child process with `REPLAY_VAR` set to
/// `trace` and the variables `vars`; whether it passed, and what it printed.
pub fn replay_in_child(test: &str, trace: &str, vars: &[(&str, &str)]) -> (bool, String) {
    let mut command = std::process::Command::new(std::env::current_exe().unwrap());
    command.env(REPLAY_VAR, trace).args([test, "--exact"]);
    for (name, value) in vars {
        command.env(name, value);
    }
    let output = command.output().unwrap();
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    (output.status.success(), printed)
}
