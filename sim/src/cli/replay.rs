//! `gsim replay FILE [--loose]`: a trace (compared event by event) or a schedule file,
//! followed label by label, or by the identity of its events.

use std::path::Path;

use genserver_traces::{LABELS_VERSION, SCHEDULE_PREFIX, Schedule, Trace};

use crate::cli::Gsim;
use crate::cli::commands::{save, system};
use crate::cli::output::distinct;
use crate::cli::report::verdict_line;
use crate::cli::{FOUND, UNEXPLORED};
use crate::{LooseReplay, Reproduction, RunReport, Verdict};

/// `gsim replay FILE`: exit 0, 1 or 4 as the replayed run ends (no failure, failure, step
/// limit), 3 when it diverged (strict) or did not end as recorded (loose).
pub fn replay(
    gsim: &Gsim,
    file: &Path,
    out: Option<&Path>,
    loose: bool,
    around: usize,
) -> Result<u8, String> {
    // Writing the replayed trace over the one being replayed would lose it if it diverged.
    distinct(("the replayed file", Some(file)), ("--trace", out))?;
    let text = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    if text.starts_with(SCHEDULE_PREFIX.as_bytes()) {
        return replay_schedule(gsim, file, &String::from_utf8_lossy(&text), out, loose);
    }
    let trace = Trace::load(file).map_err(|e| format!("{}: {e}", file.display()))?;
    if trace.header.strategy == crate::recorded::RECORDED {
        return crate::cli::recorded::follow(gsim, file, &trace, out, (loose, around));
    }
    if around > 0 {
        return Err("--around explores around a recording of real threads (gsim soak)".into());
    }
    let system = system(gsim, &trace.header.system)
        .map_err(|e| format!("{}: the trace's system: {e}", file.display()))?;
    let older = trace.header.version < LABELS_VERSION;
    if loose || older {
        if older && !loose {
            say!(
                "{}: recorded in trace format version {}, whose labels name messages \
                 otherwise: replayed by identity (as with --loose)",
                file.display(),
                trace.header.version
            );
        }
        let again = crate::replay_loose(system, &trace).map_err(|d| d.to_string())?;
        return finish_loose(&again, out);
    }
    match crate::replay(system, &trace) {
        Ok(report) => {
            say!(
                "replayed {} steps of {} (seed {}): identical trace",
                report.steps,
                trace.header.system,
                trace.header.seed
            );
            finish(&report, out)
        }
        Err(divergence) => {
            eprintln!("gsim: replay diverged at {divergence}");
            Ok(3)
        }
    }
}

fn replay_schedule(
    gsim: &Gsim,
    file: &Path,
    text: &str,
    out: Option<&Path>,
    loose: bool,
) -> Result<u8, String> {
    let schedule = Schedule::from_text(text).map_err(|e| format!("{}: {e}", file.display()))?;
    let system = system(gsim, &schedule.system)
        .map_err(|e| format!("{}: the schedule's system: {e}", file.display()))?;
    if loose {
        let again = crate::replay_schedule_loose(system, &schedule).map_err(|d| d.to_string())?;
        return finish_loose(&again, out);
    }
    match crate::replay_schedule(system, &schedule) {
        Ok(report) => {
            say!("followed the {} steps of the schedule", report.steps);
            finish(&report, out)
        }
        Err(divergence) => {
            eprintln!("gsim: replay diverged at {divergence}");
            Ok(3)
        }
    }
}

/// Saves the replayed trace if asked, prints the verdict, and gives the exit code.
fn finish(report: &RunReport, out: Option<&Path>) -> Result<u8, String> {
    if let (Some(path), Some(replayed)) = (out, &report.trace) {
        save(replayed, path)?;
    }
    say!("{}", verdict_line(report));
    Ok(exit_code(&report.verdict))
}

/// How a replayed run ended, as an exit code.
fn exit_code(verdict: &Verdict) -> u8 {
    match verdict {
        Verdict::Failed(_) => FOUND,
        Verdict::StepLimit => UNEXPLORED,
        Verdict::Pass => 0,
    }
}

/// Like [`finish`] for a loose replay, which fails (exit 3) when the run did not end as
/// the recorded one did.
fn finish_loose(again: &LooseReplay, out: Option<&Path>) -> Result<u8, String> {
    if let (Some(path), Some(replayed)) = (out, &again.report.trace) {
        save(replayed, path)?;
    }
    say!("{}", again.summary());
    match again.reproduction {
        Reproduction::Different => Ok(3),
        Reproduction::Same | Reproduction::Unrecorded => Ok(exit_code(&again.report.verdict)),
    }
}
