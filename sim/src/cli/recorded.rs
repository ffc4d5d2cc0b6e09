//! `gsim soak SYSTEM`: run a system's scenario on real threads until it fails, keeping the
//! recordings; `gsim replay` of such a recording follows it in the simulator.

use std::path::{Path, PathBuf};
use std::time::Duration;

use genserver_traces::{Outcome, Trace};

use crate::cli::Gsim;
use crate::cli::commands::{save, system};
use crate::cli::output::beside;
use crate::cli::progress::Progress;
use crate::cli::report::verdict_line;
use crate::cli::{FOUND, UNEXPLORED};
use crate::failure::record_words;
use crate::recorded::{Around, Soak, follow_recording};
use crate::{Entry, Verdict, shrink};

/// The exit code of a recording that cannot be followed, or did not end as recorded.
const DIVERGED: u8 = 3;

/// What `gsim soak` is told.
#[derive(clap::Args)]
pub struct SoakArgs {
    /// The system (one with a scenario on threads).
    system: String,
    /// Make at most this many runs.
    #[arg(long, default_value_t = 10_000)]
    runs: u64,
    /// Start no run after this many seconds.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Keep the recordings of this many failing runs (and stop once there are that many).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    keep: u64,
    /// Write the recordings into this directory.
    #[arg(long, default_value = "target/gsim")]
    out: PathBuf,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

/// `gsim soak`: exit 1 when a run failed (its recording kept), 0 when none did.
pub fn soak(gsim: &Gsim, args: &SoakArgs) -> Result<u8, String> {
    let entry = system(gsim, &args.system)?;
    let Some(scenario) = entry.threads else {
        let with: Vec<&str> = (gsim.systems.iter())
            .filter(|s| s.threads.is_some())
            .map(|s| s.name)
            .collect();
        return Err(format!(
            "{} has no scenario on threads; systems with one: {}",
            entry.name,
            if with.is_empty() {
                "none".to_owned()
            } else {
                with.join(", ")
            }
        ));
    };
    let progress = Progress::new(entry.name, Some(args.runs), "runs", args.quiet);
    let report = Soak::new(entry.name, scenario)
        .runs(args.runs)
        .for_at_most(Duration::from_secs(args.seconds))
        .keep(usize::try_from(args.keep).unwrap_or(usize::MAX))
        .run_observed(|runs, failed| progress.update(runs, failed));
    progress.finish();
    say!(
        "{}: {} of {} runs on threads failed ({:.1} s)",
        entry.name,
        report.failed,
        report.runs,
        report.elapsed.as_secs_f64()
    );
    for (index, recording) in report.kept.iter().enumerate() {
        let path = args
            .out
            .join(format!("{}-recorded-{}.jsonl", entry.name, index + 1));
        save(recording, &path)?;
        if let Outcome::Failure(failure) = &recording.end.outcome {
            let who = failure.process.as_deref().unwrap_or("the system");
            say!("  {}: {who}: {}", failure.kind, failure.message);
        }
        say!("  recording written to {}", path.display());
        say!(
            "  replay it in the simulator: {} replay {}",
            gsim.command,
            path.display()
        );
    }
    Ok(if report.failed > 0 { FOUND } else { 0 })
}

/// `gsim replay RECORDING`: follows it in the simulator (strictly, or `loose`), shrinks the
/// run if it fails, and saves it (to `out`, or beside the recording).
pub fn follow(
    gsim: &Gsim,
    file: &Path,
    recording: &Trace,
    out: Option<&Path>,
    (loose, around): (bool, usize),
) -> Result<u8, String> {
    let entry = system(gsim, &recording.header.system)
        .map_err(|e| format!("{}: the recording's system: {e}", file.display()))?;
    let followed = match follow_recording(entry, recording, loose) {
        Ok(followed) => followed,
        Err(divergence) => {
            eprintln!("gsim: {}: {divergence}", file.display());
            eprintln!("gsim: add --loose to go on from there");
            return Ok(DIVERGED);
        }
    };
    let recorded = followed.recorded.as_ref().map(record_words);
    say!(
        "recorded on threads: {}",
        recorded.map_or("passed".to_owned(), |failure| format!(
            "failed at {failure}"
        ))
    );
    let late = match followed.late.len() {
        0 => String::new(),
        late => format!(" ({late} more after the recording ended)"),
    };
    match (&followed.off_record, followed.left.len()) {
        (None, 0) => {
            say!("followed in the simulator: every process took its recorded inputs in order{late}")
        }
        (None, left) => say!(
            "followed in the simulator until its run ended: {left} recorded input(s) not taken ({}){late}",
            followed
                .left
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join("; ")
        ),
        (Some(divergence), _) => say!("left the recording at {divergence}"),
    }
    let report = &followed.report;
    say!("simulated: {}", verdict_line(report));
    let trace = report.trace.as_ref().expect("traced");
    if around > 0 {
        explore_around(entry, trace, around, &beside(file, "simulated"))?;
    }
    let path = out.map_or_else(|| beside(file, "simulated"), Path::to_path_buf);
    let shrunk = match report.failure() {
        Some(_) => shrink(entry, trace).map_err(|d| format!("shrinking diverged at {d}"))?,
        None => None,
    };
    match &shrunk {
        Some(shrunk) => {
            let small = shrunk.report.trace.as_ref().expect("traced");
            save(small, &path)?;
            say!(
                "shrunk from {} to {} steps: {}",
                shrunk.original_steps,
                shrunk.report.steps,
                path.display()
            );
        }
        None => {
            save(trace, &path)?;
            say!("simulated trace: {}", path.display());
        }
    }
    say!("replay it: {} replay {}", gsim.command, path.display());
    // Both failed, or neither did: the recording reproduced (another failure than the
    // recorded one is the simulator's own checks catching it first, said so).
    let recorded_failed = matches!(recording.end.outcome, Outcome::Failure(_));
    let reproduced = recorded_failed == report.failure().is_some();
    if !followed.same_ending() {
        say!(
            "{}",
            match reproduced {
                true =>
                    "(a failure other than the recorded one: the simulator's checks saw it first)",
                false => "the simulated run did not end as the recorded one did",
            }
        );
    }
    Ok(match (&report.verdict, reproduced) {
        (_, false) => DIVERGED,
        (Verdict::Failed(_), true) => FOUND,
        (Verdict::StepLimit, true) => UNEXPLORED,
        (Verdict::Pass, true) => 0,
    })
}

/// Runs the orders within `detours` detours of `base` and says what they gave; saves the
/// failing one with the fewest detours beside `path`.
fn explore_around(entry: &Entry, base: &Trace, detours: usize, path: &Path) -> Result<(), String> {
    let near = (Around::new(entry, base).detours(detours).keep(1).explore())
        .map_err(|d| format!("exploring around it diverged at {d}"))?;
    let within = format!("within {detours} detour(s) of it");
    match near.failing.first() {
        Some(fewest) => {
            let saved = beside(path, "around");
            save(fewest.report.trace.as_ref().expect("traced"), &saved)?;
            say!(
                "orders {within}: {} of {} runs fail; the first with {} detour(s): {}",
                near.failed,
                near.runs,
                fewest.detours.len(),
                saved.display()
            );
        }
        None if near.verified() => say!("no order {within} fails ({} runs)", near.runs),
        None if near.complete => say!(
            "no order {within} fails, but {} of {} runs stopped at their step limit",
            near.step_limited,
            near.runs
        ),
        None => say!(
            "no failure in the first {} runs {within}; the rest was not run",
            near.runs
        ),
    }
    Ok(())
}
