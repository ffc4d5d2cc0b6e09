//! A user's own system, end to end: a bank whose transfer races a withdrawal.
//!
//! - `cargo run --release -p genserver-sim --example bank` runs the scenario on real
//!   threads, many times: it fails in some runs, in orders nobody chose or can repeat.
//! - `cargo run --release -p genserver-sim --example bank -- hunt bank` hunts it in the
//!   simulator (exit 1: found), shrinks it, saves it, and prints the line that replays it.
//! - `… -- hunt bank-fixed --strategy dfs` checks every order of the fixed version.
//! - `… -- soak bank` runs it on real threads, recorded, until a run fails, and keeps that
//!   run's recording; `… -- replay target/gsim/bank-recorded-1.jsonl` follows it in the
//!   simulator: the same overdraft, shrunk and saved.
//!
//! `accounts.rs` holds the server, `scenario.rs` the clients (written once, for both
//! engines) and the simulated systems; this file is the `gsim` of this project.

mod accounts;
mod scenario;

use std::process::ExitCode;

use genserver::runtime::Threads;
use genserver_sim::Entry;

use accounts::Policy;

/// The bank's systems, as its `gsim` lists them.
static SYSTEMS: [Entry; 3] = [
    Entry::bug(
        "bank",
        "a transfer checks Alice's balance, then withdraws, racing a withdrawal: overdrawn (bug)",
        &scenario::bank,
    )
    .on_threads(&scenario::bank_on_threads),
    Entry::clean(
        "bank-fixed",
        "the same, with the balance checked inside the withdrawal (correct)",
        &scenario::bank_fixed,
    )
    .on_threads(&scenario::bank_fixed_on_threads),
    Entry::clean(
        "bank-fixed-logged",
        "the fixed bank with an audit log of withdrawals (correct)",
        &scenario::bank_fixed_logged,
    ),
];

fn main() -> ExitCode {
    if std::env::args().len() > 1 {
        return genserver_sim::cli::main(&SYSTEMS);
    }
    let runs = 200;
    let mut failures = Vec::new();
    for _ in 0..runs {
        let mut threads = Threads::new();
        scenario::scenario(&mut threads, Policy::TrustCaller, None);
        failures.extend(threads.run().err());
    }
    println!(
        "the bank on real threads: {} of {runs} runs failed",
        failures.len()
    );
    if let Some(failure) = failures.first() {
        println!("the first: {failure}");
    }
    println!("hunt it in the simulator: add `-- hunt bank` to this command");
    ExitCode::SUCCESS
}
