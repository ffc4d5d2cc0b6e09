//! `gsim hunt`: sample seeds (random, PCT) or search exhaustively (DFS), shrink what fails,
//! write both traces, and end with a short report.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::{Shard, Strategy, System, shrink};
use clap::{Args, ValueEnum};

use crate::cli::Gsim;
use crate::cli::commands::{save, system, write};
use crate::cli::output::beside;
use crate::cli::output::{distinct, same_file};
use crate::cli::report::print_schedule;
use crate::cli::search::{sample, search};
use crate::cli::table::{Row, print_table};

/// How `gsim hunt` explores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StrategyArg {
    /// A uniform random walk per seed.
    Random,
    /// Probabilistic concurrency testing per seed (see --depth).
    Pct,
    /// Exhaustive depth-first search (see --reduction).
    Dfs,
}

/// How `gsim hunt --strategy dfs` avoids exploring equivalent orders.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReductionArg {
    /// Source-set DPOR with sleep sets (one thread; state hashing where time races
    /// deliveries).
    Dpor,
    /// Skip states already seen (by fingerprint); runs on --jobs threads.
    Hashing,
    /// Every interleaving (exponential); runs on --jobs threads.
    None,
}

/// The options of `gsim hunt`.
#[derive(Args, Debug)]
pub struct HuntArgs {
    /// The system (default: all, with a summary table).
    pub system: Option<String>,
    /// How to explore.
    #[arg(long, value_enum, default_value_t = StrategyArg::Random)]
    pub strategy: StrategyArg,
    /// PCT: the depth of the bugs looked for (ordering constraints), at least 1.
    #[arg(long, default_value_t = 3, value_parser = crate::cli::counts::positive_u32)]
    pub depth: u32,
    /// Random and PCT: how many seeds per system (default 10000); DFS: the most runs. At
    /// least 1.
    #[arg(long, value_parser = crate::cli::counts::positive_u64)]
    pub runs: Option<u64>,
    /// The first seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Where to write the failing (shrunk) trace, a directory when hunting all systems; the
    /// original trace is kept next to it as `*.original.jsonl`.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The step limit of each run (for DFS: the depth bound).
    #[arg(long, default_value_t = crate::DEFAULT_MAX_STEPS)]
    pub max_steps: u64,
    /// DFS: the most unique states.
    #[arg(long, default_value_t = 1_000_000)]
    pub max_states: u64,
    /// DFS: stop after this many seconds (the report then says the budget ran out).
    #[arg(long)]
    pub max_time: Option<f64>,
    /// DFS: how equivalent orders are avoided.
    #[arg(long, value_enum, default_value_t = ReductionArg::Dpor)]
    pub reduction: ReductionArg,
    /// Threads: for independent runs (random, PCT), no more than there are runs nor four
    /// per core; for DFS with --reduction hashing or none, workers sharing one visited set.
    /// The results equal a serial run's (for DFS: states, end states, failures, the
    /// verdict; which failure is shown first may differ).
    #[arg(long, default_value_t = 1)]
    pub jobs: usize,
    /// Run only the K-th of N slices of the seeds (random, PCT), e.g. `--shard 3/8`; DFS:
    /// explore only the K-th of N slices of the tree (with state hashing or none), and
    /// write what it saw with --seen for `gsim merge`.
    #[arg(long)]
    pub shard: Option<Shard>,
    /// DFS with --shard: write the states, end states and failures this shard saw here
    /// (JSON), for `gsim merge`.
    #[arg(long)]
    pub seen: Option<PathBuf>,
    /// DFS: reach every state the search goes back to by replaying its run, instead of
    /// restoring a copy (where the system lets its servers be copied): slower, and checks
    /// again at every replay that the system is deterministic.
    #[arg(long)]
    pub stateless: bool,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// Write the failing trace as found, without shrinking it.
    #[arg(long)]
    pub no_shrink: bool,
    /// Also write the failure's trace as an HTML page here (a directory when hunting all
    /// systems).
    #[arg(long)]
    pub html: Option<PathBuf>,
}

/// `gsim hunt [SYSTEM]`.
pub fn hunt(gsim: &Gsim, args: &HuntArgs) -> Result<u8, String> {
    if args.jobs == 0 {
        return Err("--jobs must be at least 1".to_owned());
    }
    let sharded_dfs = args.strategy == StrategyArg::Dfs && args.shard.is_some();
    if args.seen.is_some() && (!sharded_dfs || args.system.is_none()) {
        return Err(
            "--seen writes what a shard of an exhaustive search saw: use it with one system, \
             --strategy dfs and --shard K/N"
                .to_owned(),
        );
    }
    if let Some(name) = &args.system {
        let system = system(gsim, name)?;
        distinct_outputs(args)?;
        let found = hunt_one(
            gsim,
            system,
            args,
            args.out.clone(),
            args.html.clone(),
            true,
        )?;
        return Ok(found.0.exit_code());
    }
    let mut rows = Vec::new();
    for system in gsim.systems {
        let name = system.name;
        // A directory: each file is named once its failing seed is known.
        let path = args.out.clone();
        let html = args
            .html
            .as_ref()
            .map(|dir| dir.join(format!("{name}.html")));
        let (ending, details) = hunt_one(gsim, system, args, path, html, false)?;
        rows.push(Row {
            system: name.to_owned(),
            has_bug: system.has_bug,
            ending,
            details,
        });
    }
    Ok(print_table(gsim.name_width(), &rows))
}

/// Refuses `--out` and `--html` naming the same file, or `--html` naming the file where
/// the original trace is kept beside `--out`'s (hunting one system: `--out` a file).
fn distinct_outputs(args: &HuntArgs) -> Result<(), String> {
    let (Some(out), Some(html)) = (&args.out, &args.html) else {
        return Ok(());
    };
    if out.is_dir() {
        return Ok(());
    }
    distinct(("--out", Some(out)), ("--html", Some(html)))?;
    if same_file(&beside(out, "original"), html) {
        return Err(format!(
            "--html names the file where --out keeps the original trace ({}): give it \
             another path",
            html.display()
        ));
    }
    Ok(())
}

/// The trace file of a failure found with `seed` (ignored by DFS, which has none).
fn default_file(system: &str, args: &HuntArgs, seed: u64) -> String {
    match args.strategy {
        StrategyArg::Dfs => format!("{system}-dfs.jsonl"),
        _ => format!("{system}-seed-{seed}.jsonl"),
    }
}

/// How the hunt of one system ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// A failure was found.
    Found,
    /// No failure, and some run reached its end.
    Clean,
    /// No failure, but no run reached its end: each stopped at the step limit.
    Unexplored,
}

impl Ending {
    /// The exit code of a hunt of one system that ended so.
    pub fn exit_code(self) -> u8 {
        match self {
            Ending::Found => crate::cli::FOUND,
            Ending::Clean => 0,
            Ending::Unexplored => crate::cli::UNEXPLORED,
        }
    }

    /// The word in the summary table's result column.
    pub fn word(self) -> &'static str {
        match self {
            Ending::Found => "FOUND",
            Ending::Clean => "clean",
            Ending::Unexplored => "unfinished",
        }
    }
}

/// Hunts one system; returns how it ended and a one-line summary.
fn hunt_one(
    gsim: &Gsim,
    system: &dyn System,
    args: &HuntArgs,
    path: Option<PathBuf>,
    html: Option<PathBuf>,
    verbose: bool,
) -> Result<(Ending, String), String> {
    let name = system.name();
    let start = Instant::now();
    let searched = match args.strategy {
        StrategyArg::Random => sample(gsim, system, args, Strategy::Random)?,
        StrategyArg::Pct => sample(gsim, system, args, Strategy::Pct { depth: args.depth })?,
        StrategyArg::Dfs => search(system, args)?,
    };
    let Some(original) = searched.found else {
        say!("{name}: {}", searched.line);
        let (ending, failure) = match searched.unexplored {
            true => (Ending::Unexplored, "none (no run reached its end)"),
            false => (Ending::Clean, "none"),
        };
        if verbose {
            print_report(
                &searched.strategy,
                start.elapsed(),
                failure,
                (None, None),
                None,
                "",
            );
        }
        return Ok((ending, searched.summary));
    };
    let original_trace = original.trace.as_ref().expect("recorded");
    let failure = original.failure().expect("found a failure").clone();
    let shrunk = if args.no_shrink {
        None
    } else {
        shrink(system, original_trace).map_err(|d| format!("{name}: shrinking diverged at {d}"))?
    };
    let elapsed = start.elapsed();
    let trace = shrunk.as_ref().map_or(original_trace, |s| {
        s.report.trace.as_ref().expect("recorded")
    });
    let file = default_file(name, args, original.seed);
    let path = match path {
        None => Path::new("target/gsim").join(&file),
        // Hunting every system (`verbose` off), `--out` names a directory.
        Some(dir) if !verbose || dir.is_dir() => dir.join(&file),
        Some(path) => path,
    };
    if verbose {
        print_schedule(trace);
    }
    // The failure and its seed first: they are shown even if the trace cannot be saved.
    say!("{name}: {failure}");
    say!("  {}", searched.line);
    save(trace, &path)?;
    let kept = shrunk.is_some().then(|| beside(&path, "original"));
    if let Some(kept) = &kept {
        save(original_trace, kept)?;
    }
    say!("  trace written to {}", path.display());
    if let Some(html) = html {
        write(&html, &genserver_traces::to_html(trace))?;
        say!("  the trace as a page: {}", html.display());
    }
    let lengths = shrunk.as_ref().map(|s| (s.original_steps, s.report.steps));
    let inputs = (shrunk.as_ref())
        .and_then(|s| s.original_inputs.zip(s.inputs()))
        .map(|(original, kept)| format!("{kept} kept (original {original}): {}", inputs_of(trace)));
    print_report(
        &searched.strategy,
        elapsed,
        &failure.to_string(),
        (lengths, inputs),
        Some((&path, kept.as_deref())),
        &gsim.command,
    );
    if args.strategy == StrategyArg::Random {
        let limit = if args.max_steps == crate::DEFAULT_MAX_STEPS {
            String::new()
        } else {
            format!(" --max-steps {}", args.max_steps)
        };
        say!(
            "rerun seed: {} run {name} --seed {}{limit}",
            gsim.command,
            original.seed
        );
    }
    let details = format!("{}: {failure}", searched.summary);
    Ok((Ending::Found, details))
}

/// The inputs a trace records, as one line.
fn inputs_of(trace: &genserver_traces::Trace) -> String {
    let inputs = trace.header.inputs.as_ref();
    inputs
        .map(genserver_traces::inputs_line)
        .unwrap_or_default()
}

/// The closing report: strategy and work, time, failure, lengths, how to replay.
fn print_report(
    strategy: &str,
    elapsed: Duration,
    failure: &str,
    (lengths, inputs): (Option<(u64, u64)>, Option<String>),
    files: Option<(&Path, Option<&Path>)>,
    command: &str,
) {
    say!("strategy:   {strategy}");
    say!("time:       {:.2?}", elapsed);
    say!("failure:    {failure}");
    if let Some((original, shrunk)) = lengths {
        say!("shrunk:     {shrunk} steps (original {original} steps)");
    }
    if let Some(inputs) = inputs {
        say!("inputs:     {inputs}");
    }
    if let Some((path, kept)) = files {
        if let Some(kept) = kept {
            say!("original:   {}", kept.display());
        }
        say!("replay it:  {command} replay {}", path.display());
    }
}
