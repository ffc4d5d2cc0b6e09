//! The `gsim` subcommands. Each returns the exit code, or an error for bad input (exit 2).

use std::path::{Path, PathBuf};

use genserver_sim::{System, Verdict, check_determinism, find_system, systems};
use genserver_traces::{SCHEDULE_MAGIC, Schedule, Trace};

use crate::report::{print_replay_commands, print_schedule, print_table, verdict_line};

/// Seeds tried per system by `gsim hunt` unless `--runs` says otherwise.
pub const DEFAULT_RUNS: u64 = 10_000;

fn system(name: &str) -> Result<&'static dyn System, String> {
    find_system(name).ok_or_else(|| {
        let known: Vec<_> = systems().iter().map(|s| s.name()).collect();
        format!(
            "unknown system {name:?}; known systems: {}",
            known.join(", ")
        )
    })
}

fn save(trace: &Trace, path: &Path) -> Result<(), String> {
    write(path, &trace.to_jsonl())
}

/// Writes `text` to `path`, creating its directory.
pub fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create directory {}: {e}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// `gsim list`.
pub fn list() -> Result<u8, String> {
    for system in systems() {
        println!("{:<20} {}", system.name(), system.description());
    }
    Ok(0)
}

/// `gsim run SYSTEM --seed S`.
pub fn run(
    name: &str,
    seed: u64,
    trace_path: Option<&Path>,
    schedule_path: Option<&Path>,
    max_steps: u64,
) -> Result<u8, String> {
    let system = system(name)?;
    let report = genserver_sim::run(system, seed, max_steps, true);
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

/// Where `gsim hunt` writes what it found: files for one system, directories for all.
#[derive(Clone, Copy)]
pub struct Outputs<'a> {
    /// The failing trace (JSON Lines).
    pub trace: Option<&'a Path>,
    /// The failing trace as an HTML page.
    pub html: Option<&'a Path>,
}

/// `gsim hunt [SYSTEM]`.
pub fn hunt(
    name: Option<&str>,
    runs: u64,
    seed: u64,
    outputs: Outputs<'_>,
    max_steps: u64,
) -> Result<u8, String> {
    if let Some(name) = name {
        let system = system(name)?;
        let path = outputs.trace.map(Path::to_path_buf);
        let html = outputs.html.map(Path::to_path_buf);
        return Ok(u8::from(
            hunt_one(system, runs, seed, path, html, max_steps, true)?.0,
        ));
    }
    let mut rows = Vec::new();
    let mut found_any = false;
    for system in systems() {
        // A directory: the file is named after the failing seed once it is known.
        let path = outputs.trace.map(Path::to_path_buf);
        let html = outputs
            .html
            .map(|dir| dir.join(format!("{}.html", system.name())));
        let (found, details) = hunt_one(*system, runs, seed, path, html, max_steps, false)?;
        found_any |= found;
        let result = if found { "FOUND" } else { "clean" };
        rows.push((
            system.name().to_owned(),
            system.has_bug(),
            result.to_owned(),
            details,
        ));
    }
    print_table(&rows);
    Ok(u8::from(found_any))
}

fn default_file(system: &str, seed: u64) -> String {
    format!("{system}-seed-{seed}.jsonl")
}

/// Hunts one system; returns whether a failure was found and a one-line summary. When
/// hunting all systems (`verbose` off) `path` is a directory.
fn hunt_one(
    system: &dyn System,
    runs: u64,
    first_seed: u64,
    path: Option<PathBuf>,
    html: Option<PathBuf>,
    max_steps: u64,
    verbose: bool,
) -> Result<(bool, String), String> {
    let name = system.name();
    let hunt = genserver_sim::hunt(system, first_seed, runs, max_steps);
    let Some(report) = hunt.found else {
        let last = first_seed.wrapping_add(runs.saturating_sub(1));
        match runs {
            0 => println!("{name}: no failure in 0 runs"),
            _ => println!("{name}: no failure in {runs} runs (seeds {first_seed} to {last})"),
        }
        return Ok((false, format!("no failure in {runs} runs")));
    };
    let trace = report.trace.as_ref().expect("recorded");
    let failure = report.failure().expect("found a failure");
    let path =
        path.unwrap_or_else(|| Path::new("target/gsim").join(default_file(name, report.seed)));
    let path = if !verbose || path.is_dir() {
        path.join(default_file(name, report.seed))
    } else {
        path
    };
    if verbose {
        print_schedule(trace);
    }
    // The failure and its seed first: they are shown even if the trace cannot be saved.
    println!("{name}: {failure}");
    println!("  found after {} runs, seed {}", hunt.runs, report.seed);
    save(trace, &path)?;
    println!("  trace written to {}", path.display());
    if let Some(html) = html {
        write(&html, &genserver_traces::to_html(trace))?;
        println!("  the trace as a page: {}", html.display());
    }
    print_replay_commands(name, report.seed, &path, max_steps);
    if !hunt.reproduced {
        eprintln!(
            "gsim: warning: seed {} did not end the same way when run again: {name} is \
             nondeterministic (see `gsim check {name}`)",
            report.seed
        );
    }
    let details = format!("seed {} (run {}): {failure}", report.seed, hunt.runs);
    Ok((true, details))
}

/// `gsim replay FILE`: a trace (compared event by event) or a schedule file.
pub fn replay(file: &Path, out: Option<&Path>) -> Result<u8, String> {
    let text = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    if text.starts_with(SCHEDULE_MAGIC.as_bytes()) {
        return replay_schedule(file, &String::from_utf8_lossy(&text), out);
    }
    let trace = Trace::load(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let system = system(&trace.header.system)
        .map_err(|e| format!("{}: the trace's system: {e}", file.display()))?;
    match genserver_sim::replay(system, &trace) {
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

fn replay_schedule(file: &Path, text: &str, out: Option<&Path>) -> Result<u8, String> {
    let schedule = Schedule::from_text(text).map_err(|e| format!("{}: {e}", file.display()))?;
    let system = system(&schedule.system)
        .map_err(|e| format!("{}: the schedule's system: {e}", file.display()))?;
    match genserver_sim::replay_schedule(system, &schedule) {
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

/// `gsim check [SYSTEM]`: the determinism self-check.
pub fn check(name: Option<&str>, seeds: u64) -> Result<u8, String> {
    let chosen: Vec<&dyn System> = match name {
        Some(name) => vec![system(name)?],
        None => systems().to_vec(),
    };
    let mut code = 0;
    for system in chosen {
        let verdict = (0..seeds).find_map(|seed| {
            check_determinism(system, seed, genserver_sim::DEFAULT_MAX_STEPS)
                .err()
                .map(|d| (seed, d))
        });
        match verdict {
            None => println!("{:<20} deterministic over {seeds} seeds", system.name()),
            Some((seed, divergence)) => {
                println!("{:<20} seed {seed}: {divergence}", system.name());
                code = 1;
            }
        }
    }
    Ok(code)
}
