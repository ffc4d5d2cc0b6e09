//! `gsim` as a library: the whole command line (list, run, hunt, replay, check, render,
//! diff) over any list of systems, so a `gsim` of your own is one line of `main`:
//!
//! ```no_run
//! use genserver_sim::{Entry, World};
//!
//! fn bank(_world: &mut World) {
//!     // spawn servers, add clients and checks
//! }
//!
//! static SYSTEMS: [Entry; 1] = [Entry::bug("bank", "a transfer races a withdrawal", &bank)];
//!
//! fn main() -> std::process::ExitCode {
//!     genserver_sim::cli::main(&SYSTEMS)
//! }
//! ```
//!
//! Run it as `cargo run --release --example bank -- hunt bank` (or as a binary). The
//! commands it prints (replay a trace, rerun a seed) start it the way it was started: the
//! same package, binary or example, and profile (`--release` when it was).
//!
//! Exit codes: 0 no failure; 1 a failure found or reproduced; 2 bad usage or bad input;
//! 3 a replay diverged (or, loose, did not end as recorded); 4 nothing was explored to its
//! end (every run of a hunt, or the one run of `gsim run` or `gsim replay`, stopped at the
//! step limit). `gsim hunt` with no system exits 0 when
//! every system behaved as its entry expects (each bug found, each correct system clean),
//! 1 otherwise. A reader of standard output that goes away (`gsim list | head -1`) ends
//! `gsim` quietly with 141, as a broken pipe ends other tools.
//!
//! `gsim` runs on `genserver_sim::FastAlloc` (mimalloc), which makes exhaustive search 1.2-1.3x
//! faster; a `gsim` of your own takes it the same way (see there).

/// `println!` for `gsim`'s standard output: see [`output::print`].
macro_rules! say {
    () => {
        $crate::cli::output::print(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::cli::output::print(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` for `gsim`'s standard output: see [`output::print`].
macro_rules! say_raw {
    ($($arg:tt)*) => {
        $crate::cli::output::print(format_args!($($arg)*))
    };
}

mod commands;
mod counts;
mod hunt;
mod merge;
mod output;
mod processes;
mod progress;
mod recorded;
mod replay;
mod report;
mod search;
mod table;
mod view;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::Entry;

/// Deterministic simulation of genservers: seeded schedules, virtual time, exact replay.
#[derive(Parser)]
#[command(
    name = "gsim",
    version,
    after_help = "Exit codes: 0 no failure; 1 failure found or reproduced; 2 bad usage or bad input; 3 replay diverged (or, loose, did not end as recorded); 4 nothing was explored to its end (every run stopped at the step limit). `hunt` with no system: 0 when every system behaved as expected (each bug found, each correct system clean), 1 otherwise."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the systems, one line each.
    List,
    /// One seeded run of a system; prints its schedule and outcome.
    Run {
        /// The system (see `gsim list`).
        system: String,
        /// The seed of the scheduler.
        #[arg(long)]
        seed: u64,
        /// Write the trace (JSON Lines) here.
        #[arg(long)]
        trace: Option<PathBuf>,
        /// Write the schedule (plain text, one decision per line) here.
        #[arg(long)]
        schedule: Option<PathBuf>,
        /// The step limit.
        #[arg(long, default_value_t = crate::DEFAULT_MAX_STEPS)]
        max_steps: u64,
    },
    /// Hunt for a failure: sample seeds (random, PCT) or search every order (DFS); shrink
    /// what fails. With no system, hunt every bundled system and print a summary table
    /// (exit 0 when each bug is found and each correct system is clean, 1 otherwise).
    Hunt(hunt::HuntArgs),
    /// Merge the shards of a sharded exhaustive search (`hunt --strategy dfs --shard K/N
    /// --seen FILE`, one file per shard): the verdict, unique states, end states and
    /// failures of the whole search.
    Merge {
        /// The shard files, one per shard.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Render a trace as text, a Mermaid sequence diagram or an HTML page.
    Render {
        /// The trace file (JSON Lines).
        file: PathBuf,
        /// The output format.
        #[arg(long, value_enum, default_value_t = view::Format::Text)]
        format: view::Format,
        /// Write here instead of standard output.
        #[arg(short, long)]
        out: Option<PathBuf>,
    },
    /// Show the first step where two traces diverge (exit 0 if they do not, 1 if they do).
    Diff {
        /// The first trace.
        left: PathBuf,
        /// The second trace.
        right: PathBuf,
    },
    /// Run a system's scenario on real threads again and again, each run recorded, until
    /// one fails (or the runs or the time are up); keep the failing runs' recordings, which
    /// `gsim replay` follows in the simulator. Exit 1 when a run failed.
    Soak(recorded::SoakArgs),
    /// Re-execute the schedule recorded in a trace (checking the trace comes out identical)
    /// or in a schedule file. With --loose, follow it by the identity of its events, so that
    /// it survives edits of the code: exit 1 when the recorded failure happens again, 3 when
    /// the run ends otherwise. A recording of real threads (`gsim soak`) is followed in the
    /// simulator, process by process (its run shrunk and saved beside it).
    Replay {
        /// The trace or schedule file.
        file: PathBuf,
        /// Also write the replayed trace here.
        #[arg(long)]
        trace: Option<PathBuf>,
        /// Match events by identity (kind, number, sender, receiver), not their full label:
        /// keep the steps that still exist, skip the others, take new ones in a fixed order,
        /// and report kept, skipped and new steps and whether the same failure happened.
        /// (Traces of an older format version are always replayed so.)
        #[arg(long)]
        loose: bool,
        /// For a recording of real threads: also run every order within this many detours
        /// of the run that followed it (each detour takes another enabled event at one
        /// step): which of them fail, or that none does.
        #[arg(long, default_value_t = 0)]
        around: usize,
    },
    /// The determinism self-check: run each seed twice in this process and compare every
    /// event, which catches what changes from run to run (a global counter, a clock, a
    /// `HashMap` made anew in each run); with --processes, also run it in a child process,
    /// which catches what changes from process to process (the process id, an address, a
    /// `HashMap` in a static, a random value drawn once). Exit 1 if any run differs.
    Check {
        /// The system (default: all).
        system: Option<String>,
        /// How many seeds per system, at least 1.
        #[arg(long, default_value_t = 20, value_parser = crate::cli::counts::positive_u64)]
        seeds: u64,
        /// Also run each seed in a child process (this executable again) and compare its
        /// trace with this process's (not the environment: the child inherits it).
        #[arg(long)]
        processes: bool,
    },
    /// One traced run, its trace printed as JSON Lines: the child of `check --processes`.
    #[command(name = "trace-seed", hide = true)]
    TraceSeed {
        /// The system.
        system: String,
        /// The seed of the scheduler.
        #[arg(long)]
        seed: u64,
        /// The step limit.
        #[arg(long)]
        max_steps: u64,
    },
}

/// Runs the `gsim` command line over `systems`, with the process's arguments, and returns
/// its exit code.
pub fn main(systems: &[Entry]) -> ExitCode {
    main_with(systems, std::env::args_os())
}

/// [`main`] with these arguments (the first is the program's name).
pub fn main_with<I, T>(systems: &[Entry], args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let gsim = Gsim {
        systems,
        command: crate::invocation::gsim_command(),
    };
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { 2 } else { 0 });
        }
    };
    crate::silence_handler_panics();
    let result = match cli.command {
        Command::List => commands::list(&gsim),
        Command::Run {
            system,
            seed,
            trace,
            schedule,
            max_steps,
        } => commands::run(
            &gsim,
            &system,
            seed,
            trace.as_deref(),
            schedule.as_deref(),
            max_steps,
        ),
        Command::Hunt(args) => hunt::hunt(&gsim, &args),
        Command::Soak(args) => recorded::soak(&gsim, &args),
        Command::Merge { files } => merge::merge(&files),
        Command::Render { file, format, out } => view::render(&file, format, out.as_deref()),
        Command::Diff { left, right } => view::diff(&left, &right),
        Command::Replay {
            file,
            trace,
            loose,
            around,
        } => replay::replay(&gsim, &file, trace.as_deref(), loose, around),
        Command::Check {
            system,
            seeds,
            processes,
        } => commands::check(&gsim, system.as_deref(), seeds, processes),
        Command::TraceSeed {
            system,
            seed,
            max_steps,
        } => processes::trace_seed(&gsim, &system, seed, max_steps),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("gsim: {error}");
            ExitCode::from(2)
        }
    }
}

/// The exit code of a failure found or reproduced.
pub(crate) const FOUND: u8 = 1;

/// The exit code of a hunt (or run) in which no run reached its end: each stopped at the
/// step limit, so nothing was explored to its end.
pub(crate) const UNEXPLORED: u8 = 4;

/// What a `gsim` knows: its systems, and the command that starts it (for what it prints).
pub(crate) struct Gsim<'a> {
    pub systems: &'a [Entry],
    pub command: String,
}

impl Gsim<'_> {
    /// The width of a column of system names: the longest name.
    pub fn name_width(&self) -> usize {
        self.systems.iter().map(|s| s.name.len()).max().unwrap_or(0)
    }
}
