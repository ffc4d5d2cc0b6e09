//! Printing runs for people: schedules and how they ended.

use std::time::Duration;

use crate::{RunReport, Verdict};
use genserver_traces::{EventKind, Trace};

/// Prints the schedule: one line per step with its virtual time and decision; then, if the
/// history was found not linearizable, the history drawn.
pub fn print_schedule(trace: &Trace) {
    say!("schedule ({} steps):", trace.end.steps);
    for event in trace.events.iter().filter(|e| e.kind == EventKind::Choose) {
        let time = match event.time_ns {
            0 => "0s".to_owned(),
            ns => format!("{:?}", Duration::from_nanos(ns)),
        };
        say!("  {:>4}  {time:>8}  {}", event.step, event.message);
    }
    if trace.end.violation.is_some() {
        for line in genserver_traces::to_history(trace).lines() {
            say!("  {line}");
        }
    }
}

/// One line saying how a run ended.
pub fn verdict_line(report: &RunReport) -> String {
    match &report.verdict {
        Verdict::Pass => format!("passed ({} steps)", report.steps),
        Verdict::StepLimit => format!(
            "stopped at the step limit ({} steps), no failure",
            report.steps
        ),
        Verdict::Failed(failure) => format!("FAILED at {failure}"),
    }
}
