//! Links, monitors, exit signals, kills, child starts, names and supervisors in the
//! simulator: one test per rule of the design (docs: notes/issue8-design.md), each run
//! traced and replayed byte for byte from its seed.

mod explore;
mod node;
mod rules;
mod supervision;

use genserver_sim::{DEFAULT_MAX_STEPS, RunReport, System, World, replay, run};
use genserver_traces::{Event, EventKind};

use node::{Journal, lines};

/// A system built by a closure, for tests.
pub struct Sys<F>(pub &'static str, pub F);

impl<F: Fn(&mut World) + Sync> System for Sys<F> {
    fn name(&self) -> &str {
        self.0
    }
    fn build(&self, world: &mut World) {
        (self.1)(world)
    }
}

/// Runs `seed` traced, replays the trace (it must come out byte for byte the same, and the
/// servers must write the same journal), and returns the report and the journal.
pub fn checked(system: &dyn System, journal: &Journal, seed: u64) -> (RunReport, Vec<String>) {
    journal.lock().unwrap().clear();
    let report = run(system, seed, DEFAULT_MAX_STEPS, true);
    let first = lines(journal);
    journal.lock().unwrap().clear();
    let trace = report.trace.as_ref().expect("traced");
    let again = replay(system, trace).unwrap_or_else(|d| panic!("seed {seed}: {d}"));
    assert_eq!(
        again.trace.unwrap().to_jsonl(),
        trace.to_jsonl(),
        "seed {seed}"
    );
    assert_eq!(
        lines(journal),
        first,
        "seed {seed}: the replay's callbacks differ"
    );
    (report, first)
}

/// The events of a traced run.
pub fn events(report: &RunReport) -> &[Event] {
    &report.trace.as_ref().expect("traced").events
}

/// The events of `kind` whose message contains `text`.
pub fn find<'a>(report: &'a RunReport, kind: EventKind, text: &str) -> Vec<&'a Event> {
    events(report)
        .iter()
        .filter(|e| e.kind == kind && e.message.contains(text))
        .collect()
}

/// Whether the run has an event of `kind` whose message contains `text`.
pub fn has(report: &RunReport, kind: EventKind, text: &str) -> bool {
    !find(report, kind, text).is_empty()
}

/// The trace as text, for assertion messages.
pub fn text(report: &RunReport) -> String {
    genserver_traces::to_text(report.trace.as_ref().expect("traced"))
}
