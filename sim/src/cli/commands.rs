//! The `gsim` subcommands. Each returns the exit code, or an error for bad input (exit 2).

use std::path::Path;

use crate::cli::Gsim;
use crate::cli::output::distinct;
use crate::cli::processes::in_a_child;
use crate::{Entry, System, Verdict, check_determinism};
use genserver_traces::Schedule;

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
        say!("{:<width$} {}", system.name, system.about);
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
    say!("{name}, seed {seed}: {}", verdict_line(&report));
    if let Some(path) = trace_path {
        save(trace, path)?;
        say!("trace written to {}", path.display());
    }
    if let Some(path) = schedule_path {
        write(path, &Schedule::of(trace).to_text())?;
        say!("schedule written to {}", path.display());
    }
    Ok(match report.verdict {
        Verdict::Failed(_) => crate::cli::FOUND,
        Verdict::StepLimit => crate::cli::UNEXPLORED,
        Verdict::Pass => 0,
    })
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
            None => say!(
                "{:<width$} deterministic over {seeds} seeds{also}",
                system.name()
            ),
            Some((seed, divergence)) => {
                say!("{:<width$} seed {seed}: {divergence}", system.name());
                code = crate::cli::FOUND;
            }
        }
    }
    Ok(code)
}
