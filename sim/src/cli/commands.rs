//! The `gsim` subcommands. Each returns the exit code, or an error for bad input (exit 2).

use std::path::Path;

use crate::cli::Gsim;
use crate::cli::output::distinct;
use crate::cli::processes::in_a_child;
use crate::{Entry, System, Verdict, check_determinism};
use genserver_traces::{SCHEDULE_MAGIC, Schedule, Trace};

use crate::cli::report::{print_schedule, verdict_line};

/// Seeds tried per system by `gsim hunt` unless `--runs` says otherwise.
pub const DEFAULT_RUNS: u64 = 10_000;

/// The system called `name`, or an error naming the known ones.
pub fn system<'a>(gsim: &Gsim<'a>, name: &str) -> Result<&'a Entry, String> {
    let systems = gsim.systems;
    systems.iter().find(|s| s.name == name).ok_or_else(|| {
        let known: Vec<_> = systems.iter().map(|s| s.name).collect();
        format!(
            "unknown system {name:?}; known systems: {}",
            known.join(", ")
        )
    })
}

pub(crate) use crate::cli::output::{save, write};

/// `gsim list`.
pub fn list(gsim: &Gsim) -> Result<u8, String> {
    let width = gsim.name_width();
    for system in gsim.systems {
        println!("{:<width$} {}", system.name, system.about);
    }
    Ok(0)
}

/// `gsim run SYSTEM --seed S`.
pub fn run(
    gsim: &Gsim,
    name: &str,
    seed: u64,
    trace_path: Option<&Path>,
    schedule_path: Option<&Path>,
    max_steps: u64,
) -> Result<u8, String> {
    let system = system(gsim, name)?;
    distinct(("--trace", trace_path), ("--schedule", schedule_path))?;
    let report = crate::run(system, seed, max_steps, true);
    let trace = report.trace.as_ref().expect("recorded");
    print_schedule(trace);
    println!("{name}, seed {seed}: {}", verdict_line(&report));
    if let Some(path) = trace_path {
        save(trace, path)?;
        println!("trace written to {}", path.display());
    }
    if let Some(path) = schedule_path {
        write(path, &Schedule::of(trace).to_text())?;
        println!("schedule written to {}", path.display());
    }
    Ok(match report.verdict {
        Verdict::Failed(_) => crate::cli::FOUND,
        Verdict::StepLimit => crate::cli::UNEXPLORED,
        Verdict::Pass => 0,
    })
}

/// `gsim replay FILE`: a trace (compared event by event) or a schedule file.
pub fn replay(gsim: &Gsim, file: &Path, out: Option<&Path>) -> Result<u8, String> {
    let text = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    if text.starts_with(SCHEDULE_MAGIC.as_bytes()) {
        return replay_schedule(gsim, file, &String::from_utf8_lossy(&text), out);
    }
    let trace = Trace::load(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let system = system(gsim, &trace.header.system)
        .map_err(|e| format!("{}: the trace's system: {e}", file.display()))?;
    match crate::replay(system, &trace) {
        Ok(report) => {
            if let (Some(path), Some(replayed)) = (out, &report.trace) {
                save(replayed, path)?;
            }
            println!(
                "replayed {} steps of {} (seed {}): identical trace",
                report.steps, trace.header.system, trace.header.seed
            );
            println!("{}", verdict_line(&report));
            Ok(u8::from(matches!(report.verdict, Verdict::Failed(_))))
        }
        Err(divergence) => {
            eprintln!("gsim: replay diverged at {divergence}");
            Ok(3)
        }
    }
}

fn replay_schedule(gsim: &Gsim, file: &Path, text: &str, out: Option<&Path>) -> Result<u8, String> {
    let schedule = Schedule::from_text(text).map_err(|e| format!("{}: {e}", file.display()))?;
    let system = system(gsim, &schedule.system)
        .map_err(|e| format!("{}: the schedule's system: {e}", file.display()))?;
    match crate::replay_schedule(system, &schedule) {
        Ok(report) => {
            if let (Some(path), Some(replayed)) = (out, &report.trace) {
                save(replayed, path)?;
            }
            println!("followed the {} steps of the schedule", report.steps);
            println!("{}", verdict_line(&report));
            Ok(u8::from(matches!(report.verdict, Verdict::Failed(_))))
        }
        Err(divergence) => {
            eprintln!("gsim: replay diverged at {divergence}");
            Ok(3)
        }
    }
}

/// `gsim check [SYSTEM] [--processes]`: the determinism self-check, each seed run twice in
/// this process and, with `processes`, once more in a child process.
pub fn check(gsim: &Gsim, name: Option<&str>, seeds: u64, processes: bool) -> Result<u8, String> {
    let chosen: Vec<&Entry> = match name {
        Some(name) => vec![system(gsim, name)?],
        None => gsim.systems.iter().collect(),
    };
    let max_steps = crate::DEFAULT_MAX_STEPS;
    let mut code = 0;
    let width = gsim.name_width();
    for system in chosen {
        let mut verdict = None;
        for seed in 0..seeds {
            let mut differs = check_determinism(system, seed, max_steps).err();
            if differs.is_none() && processes {
                differs = in_a_child(system, seed, max_steps)?.err();
            }
            if let Some(divergence) = differs {
                verdict = Some((seed, divergence));
                break;
            }
        }
        let also = if processes {
            ", each also in a child process"
        } else {
            ""
        };
        match verdict {
            None => println!(
                "{:<width$} deterministic over {seeds} seeds{also}",
                system.name()
            ),
            Some((seed, divergence)) => {
                println!("{:<width$} seed {seed}: {divergence}", system.name());
                code = crate::cli::FOUND;
            }
        }
    }
    Ok(code)
}
