//! The world's semantics: FIFO per pair, call and reply rules, timers, continues, failures,
//! and the determinism self-check.

mod async_clients;
mod bounded;
mod determinism;
mod faults;
mod fifo;
mod history;
mod linearizable;
mod liveness;
mod lives;
mod misuse;
mod panics;
mod probe;
mod quiet_faults;
mod recorded;
mod runs;
mod semantics;
mod servers;
mod timers;
mod tokens;

use genserver_sim::{DEFAULT_MAX_STEPS, RunReport, System, Verdict, World, run};
use genserver_traces::{Event, EventKind};

/// A system built by a plain function, for tests.
pub struct Custom {
    /// Its name.
    pub name: &'static str,
    /// Builds its world.
    pub build: fn(&mut World),
}

impl System for Custom {
    fn name(&self) -> &str {
        self.name
    }
    fn build(&self, world: &mut World) {
        (self.build)(world)
    }
}

/// One traced run.
pub fn traced(system: &Custom, seed: u64) -> RunReport {
    run(system, seed, DEFAULT_MAX_STEPS, true)
}

/// The traced runs of `system` from the seeds `0..runs`, each checked to pass: each seed
/// with its run's report.
pub fn passing_runs(runs: u64, system: &Custom) -> impl Iterator<Item = (u64, RunReport)> {
    (0..runs).map(move |seed| {
        let report = traced(system, seed);
        assert_eq!(report.verdict, Verdict::Pass, "seed {seed}");
        (seed, report)
    })
}

/// The events of a traced run.
pub fn events(report: &RunReport) -> &[Event] {
    &report.trace.as_ref().expect("traced").events
}

/// Whether the run has an event of `kind` whose message contains `text`.
pub fn has_event(report: &RunReport, kind: EventKind, text: &str) -> bool {
    events(report)
        .iter()
        .any(|e| e.kind == kind && e.message.contains(text))
}
