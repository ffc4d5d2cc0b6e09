//! The `gsim` subcommands. Each returns the exit code, or an error for bad input (exit 2).

use std::path::Path;

use crate::cli::Gsim;
use crate::{Entry, System, check_determinism};
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

pub(crate) use crate::files::{save, write};

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
    Ok(u8::from(report.failure().is_some()))
}

/// `gsim check [SYSTEM]`: the determinism self-check.
pub fn check(gsim: &Gsim, name: Option<&str>, seeds: u64) -> Result<u8, String> {
    let chosen: Vec<&Entry> = match name {
        Some(name) => vec![system(gsim, name)?],
        None => gsim.systems.iter().collect(),
    };
    let mut code = 0;
    let width = gsim.name_width();
    for system in chosen {
        let verdict = (0..seeds).find_map(|seed| {
            check_determinism(system, seed, crate::DEFAULT_MAX_STEPS)
                .err()
                .map(|d| (seed, d))
        });
        match verdict {
            None => println!("{:<width$} deterministic over {seeds} seeds", system.name()),
            Some((seed, divergence)) => {
                println!("{:<width$} seed {seed}: {divergence}", system.name());
                code = 1;
            }
        }
    }
    Ok(code)
}
