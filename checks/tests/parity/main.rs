//! Parity: one script of operations runs on the threaded runtime and in the simulator, and
//! every process must have seen the same inputs, in the same order, on both.
//!
//! A script ([`script::Script`]) starts a few nodes (`genserver_checks::node::Node`), maybe
//! a supervisor (`genserver::supervisor::Supervisor`: one for one, one for all or rest for
//! one, at most 0 to 3 restarts) over one to three node children (permanent, transient or
//! temporary; stopped by a kill or by a `shutdown` signal; trapping or not; setting a timer
//! in each `init`), then casts commands to the nodes one operation at a time: links,
//! unlinks, monitors, demonitors, trapping on and off, exit signals (`normal`, `shutdown`,
//! errors, `killed`), kills, stops, child starts (named, linked, trapping, failing in
//! `init`, stopping in `init`, linking, monitoring or setting a timer in `init`), calls
//! (answered or held), releases of held calls, notes, timers set (short: 1 ms, or long:
//! 30 s) and cancelled, and a panicking callback. The supervisor is a target like any
//! process (monitored, linked, sent exit signals, killed); its children crash, stop and are
//! killed through the operations, and each instance it starts journals its `init` under
//! the child's label. Each node journals what reaches it, by label, never by id: a timer
//! that fires writes `timer t0`. The supervisor journals nothing; the driver names it in the
//! journal (`s0`) so that its signals and `Down`s are journaled by label.
//! [`generate`] draws the raw numbers, [`build`] turns them into a script and holds the
//! rules that keep scripts inside what both engines run alike (among them: a call that may
//! block ends its operation's commands, and a node that may be blocked is cast no more
//! operations). [`cases`] runs a few fixed scripts that generation reaches rarely.
//!
//! # How the order is forced
//!
//! Both ways together:
//!
//! 1. Operations are serialised. The runtime's driver waits after each operation until the
//!    runtime is quiet ([`threads::settle`]: rounds of a journal-free call to every live
//!    process, a node's `Sync`, the supervisor's `WhichChildren`, until two rounds see
//!    nothing happen and no node has a timer due soon, which `Sync` replies); the
//!    simulator's driver sleeps 100 ms of virtual time before each operation, and virtual
//!    time moves only when nothing else can happen (so short timers fire first). So an
//!    operation never races the consequences of the one before.
//! 2. Within one operation's consequences (several processes exiting at once, a signal and a
//!    message racing to one receiver, a timer and a message), the runtime's threads and
//!    clock pick some order; the simulator is made to take it: its scheduler
//!    ([`follow::Follow`]) picks, at every step, the enabled event that writes the next line
//!    the runtime's journal has for its process (matching the label, `deliver down #1 n0 →
//!    n1: error: boom` writes `down m1 from n0: error: boom`, `fire timer #1 at n0:
//!    Timer("t0")` writes `timer t0`); a kill writes nothing and goes once its receiver has
//!    written all it wrote on the runtime (in this instance: a restarted child's next line
//!    is `init`). When nothing fits: an exit signal `normal` first (it may write nothing);
//!    then, if a node's next line is a timer's that is not due yet in virtual time (the
//!    runtime's clock fired it before a message the simulator has enabled), a jump of
//!    virtual time to the next timer (the world's latency bound lets time overtake the
//!    deliveries enabled, by at most 5 ms, never up to the driver's next operation); then
//!    a message to the supervisor, which journals nothing (the oldest first: its mailbox
//!    takes them in the order they were sent, and the runtime's order of the children's
//!    exits is followed from their journals; other orders are choices of the plans, below);
//!    then the oldest message. Per-process journals do not always decide (whether n0's
//!    monitor was set before n3, racing, exited): where several events fit, the first run
//!    takes the first, and further runs (up to [`PLANS`]) try the others depth first until
//!    one gives the runtime's journals.
//! 3. Long timers never fire on the runtime while a script runs; its record lists, per
//!    live node not blocked in a call, the timers left set at the end
//!    ([`threads::Record::tail`], from what each node keeps of its own timers). The
//!    simulator's time runs on once its driver is done: it must fire exactly those, in the
//!    order they were set, and no cancelled one (a cancelled timer that fires writes
//!    `timer t0 (cancelled)`).
//!
//! The runtime's quiet point is decided from the journals, liveness and the nodes' own
//! account of their timers, except for timing assumptions: a node blocked in a call that an
//! exit signal dooms is given 2 ms to run its `terminate` (nothing from outside tells it from
//! a node still blocked); a script runs in less than 30 s (its long timers never fire on the
//! runtime, and every restart of the supervisor falls in one intensity window, an hour).
//!
//! Then the journals must be equal, process by process. A script whose last operation
//! panics is compared up to that operation, plus the panicking node's own lines up to its
//! `terminate`: the simulator stops a run at a panicking handler.
//!
//! # Running
//!
//! `cargo test -p genserver-checks --test parity` runs [`CASES`] scripts from a fixed seed;
//! `PARITY_CASES` and `PARITY_SEED` override them. A failure prints the (shrunk) script and
//! both engines' journals with the first difference of each process marked.

#![cfg(not(loom))]

mod build;
mod cases;
mod follow;
mod generate;
mod script;
mod sim;
mod threads;

use std::collections::BTreeSet;
use std::fmt::Write;
use std::time::Instant;

use genserver_sim::{FailureKind, Verdict};
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};

use script::Script;
use threads::Journals;

/// How many scripts a run tries.
const CASES: u32 = 1_000;

/// The seed of the scripts.
const SEED: u64 = 20_250_601;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// How many simulated runs a script may take to find the runtime's order.
const PLANS: usize = 200;

/// Whether a simulated run agrees with the runtime: its verdict is one a script can end
/// with (a panic if the script's panicking operation reached its node), and its journals
/// are `expected`.
fn agrees(panicked: bool, run: &sim::SimRecord, expected: &Journals) -> Vec<String> {
    let mut problems = Vec::new();
    match &run.report {
        Err(divergence) => problems.push(format!("the simulator's run stopped: {divergence}")),
        Ok(report) => match &report.verdict {
            Verdict::Pass => {}
            // Calls still held when the script is over.
            Verdict::Failed(f) if f.kind == FailureKind::Deadlock => {}
            Verdict::Failed(f) if f.kind == FailureKind::Panic && panicked => {}
            other => problems.push(format!("the simulator's verdict: {other:?}")),
        },
    }
    if run.journals != *expected {
        problems.push("the journals differ".to_owned());
    }
    problems
}

/// Runs `script` on both engines; the readable difference if the journals differ.
fn check(script: &Script) -> Result<(), String> {
    let runtime = threads::run(script);
    // What the simulator follows: the runtime's journals, then the timers left set.
    let mut guide = runtime.journals.clone();
    for (label, lines) in &runtime.tail {
        guide
            .entry(label.clone())
            .or_default()
            .extend(lines.iter().cloned());
    }
    // A script whose panicking operation reached its node (which then wrote lines) is
    // compared up to it: the simulator stops a run at a panicking handler.
    let panicked = (runtime.before_panic.as_ref())
        .zip(script.panic_op())
        .and_then(|(before, i)| {
            let actor = &script.ops[i].actor;
            let lines = runtime.journals.get(actor)?;
            let done = before.get(actor).map_or(0, Vec::len);
            // Up to its `terminate` (a supervisor's child goes on with a new instance).
            let end = (lines.iter().skip(done))
                .position(|line| line.starts_with("terminate "))
                .map(|at| done + at + 1)?;
            let mut expected = before.clone();
            expected.insert(actor.clone(), lines[..end].to_vec());
            Some(expected)
        });
    let expected = panicked.clone().unwrap_or_else(|| guide.clone());
    let simulated = sim::run(script, &guide, &[], false);
    let problems = agrees(panicked.is_some(), &simulated, &expected);
    if problems.is_empty() {
        return Ok(());
    }
    let mut plans = 1;
    let mut plan = sim::next_plan(&simulated.chosen);
    while let Some(next) = plan.filter(|_| plans < PLANS) {
        let again = sim::run(script, &guide, &next, true);
        plans += 1;
        if agrees(panicked.is_some(), &again, &expected).is_empty() {
            return Ok(());
        }
        plan = sim::next_plan(&again.chosen);
    }
    let mut text = String::new();
    let _ = writeln!(
        text,
        "{} (in {plans} plans)\nscript:\n{script}",
        problems.join("; ")
    );
    let _ = writeln!(text, "{}", diff(&expected, &simulated.journals));
    let _ = writeln!(text, "runtime, in order:\n  {}", runtime.lines.join("\n  "));
    let _ = writeln!(
        text,
        "simulator, in order:\n  {}",
        simulated.lines.join("\n  ")
    );
    if let Ok(report) = &simulated.report {
        if let Some(trace) = &report.trace {
            let schedule = trace.schedule().join("\n  ");
            let _ = writeln!(text, "simulator's schedule:\n  {schedule}");
        }
    }
    Err(text)
}

/// Both engines' journals side by side, process by process; `!!` marks each process's first
/// differing line.
fn diff(runtime: &Journals, simulated: &Journals) -> String {
    let labels: BTreeSet<&String> = runtime.keys().chain(simulated.keys()).collect();
    let mut text = String::from("journals (runtime | simulator):\n");
    for label in labels {
        let empty = Vec::new();
        let (r, s) = (
            runtime.get(label).unwrap_or(&empty),
            simulated.get(label).unwrap_or(&empty),
        );
        let same = r == s;
        let _ = writeln!(text, "  {label}{}", if same { "" } else { "  <-- differs" });
        let mut marked = false;
        for i in 0..r.len().max(s.len()) {
            let (a, b) = (r.get(i), s.get(i));
            let mark = if a != b && !marked {
                marked = true;
                "!!"
            } else {
                "  "
            };
            let show = |line: Option<&String>| line.map_or("-".to_owned(), Clone::clone);
            let _ = writeln!(text, "   {mark} {:<50} | {}", show(a), show(b));
        }
    }
    text
}

#[test]
fn both_engines_journal_the_same_for_generated_scripts() {
    genserver_sim::silence_handler_panics();
    quiet_commanded_panics();
    let cases = env_number("PARITY_CASES", u64::from(CASES)) as u32;
    let seed = env_number("PARITY_SEED", SEED);
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 200,
        ..Config::default()
    };
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &bytes);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let started = Instant::now();
    let result = runner.run(&generate::raw(), |raw| {
        check(&raw.build()).map_err(TestCaseError::fail)
    });
    eprintln!(
        "parity: {cases} scripts (seed {seed}) in {:.1?}",
        started.elapsed()
    );
    if let Err(error) = result {
        panic!("{error}");
    }
}

/// Keeps the runtime's threads from printing the panics that scripts command.
fn quiet_commanded_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let text = genserver::panic_text(info.payload());
        if !text.ends_with(" panics on command") {
            previous(info);
        }
    }));
}
