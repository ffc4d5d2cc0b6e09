//! The two ways `gsim hunt` looks for a failure: sampling seeds (random, PCT) on `--jobs`
//! threads over a `--shard`, or exhaustive search (DFS), each behind a progress bar.

use crate::{
    DfsOptions, Exploration, HuntOptions, Reduction, RunReport, Strategy, System, explore,
    try_hunt_with,
};

use std::time::Duration;

use crate::cli::Gsim;
use crate::cli::commands::DEFAULT_RUNS;
use crate::cli::hunt::{HuntArgs, ReductionArg};
use crate::cli::merge::write_seen;
use crate::cli::progress::Progress;

/// What a search did, in one line, and what it found.
pub struct Searched {
    pub found: Option<RunReport>,
    /// Runs were made but none reached its end: each stopped at the step limit.
    pub unexplored: bool,
    pub line: String,
    pub summary: String,
    pub strategy: String,
}

pub fn sample(
    gsim: &Gsim,
    system: &dyn System,
    args: &HuntArgs,
    strategy: Strategy,
) -> Result<Searched, String> {
    let options = HuntOptions {
        strategy,
        first_seed: args.seed,
        runs: args.runs.unwrap_or(DEFAULT_RUNS),
        max_steps: args.max_steps,
        jobs: args.jobs,
        shard: args.shard,
    };
    let (first, count) = options.seeds();
    let progress = Progress::new(system.name(), Some(count), "runs", args.quiet);
    let hunt = try_hunt_with(system, &options, &|done, failures| {
        progress.update(done, failures)
    });
    progress.finish();
    let hunt = hunt.map_err(|e| format!("{}: {e}", system.name()))?;
    if !hunt.reproduced {
        eprintln!(
            "gsim: warning: the failing seed did not end the same way when run again: {} is \
             nondeterministic (see `{} check {}`)",
            system.name(),
            gsim.command,
            system.name()
        );
    }
    let last = first.wrapping_add(count.saturating_sub(1));
    let shard = args
        .shard
        .map(|s| format!(", shard {s}"))
        .unwrap_or_default();
    let range = match count {
        0 => format!("an empty range{shard}"),
        _ => format!("seeds {first} to {last}{shard}"),
    };
    let jobs = match crate::drive::parallel::threads(args.jobs, count) {
        1 => String::new(),
        threads => format!(", {threads} jobs"),
    };
    let (runs, limited) = (hunt.runs, hunt.step_limited);
    let cut = |of: u64| {
        format!(
            "{limited} of {of} runs hit the step limit ({} steps)",
            args.max_steps
        )
    };
    let unexplored = hunt.found.is_none() && runs > 0 && limited == runs;
    let (line, summary) = match &hunt.found {
        Some(report) => {
            let mut line = format!("found after {runs} runs, seed {}", report.seed);
            if limited > 0 {
                line.push_str(&format!("; before it, {}", cut(runs - 1)));
            }
            (line, format!("seed {} (run {runs})", report.seed))
        }
        None if runs == 0 => (
            "no failure in 0 runs".to_owned(),
            "no failure in 0 runs".to_owned(),
        ),
        None if unexplored => (
            format!(
                "no run reached its end: {} ({range}); raise --max-steps",
                cut(runs)
            ),
            format!("no run reached its end: {}", cut(runs)),
        ),
        None if limited > 0 => (
            format!("no failure in {runs} runs ({range}); {}", cut(runs)),
            format!("no failure in {runs} runs; {}", cut(runs)),
        ),
        None => (
            format!("no failure in {runs} runs ({range})"),
            format!("no failure in {runs} runs"),
        ),
    };
    Ok(Searched {
        found: hunt.found,
        unexplored,
        line,
        summary,
        strategy: format!("{strategy}{jobs}; {} of {range}", plural(hunt.runs, "run")),
    })
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

pub fn search(system: &dyn System, args: &HuntArgs) -> Result<Searched, String> {
    let max_time = match args.max_time {
        Some(secs) => Some(
            Duration::try_from_secs_f64(secs)
                .map_err(|_| format!("--max-time {secs}: expected a number of seconds ≥ 0"))?,
        ),
        None => None,
    };
    let options = DfsOptions {
        max_depth: args.max_steps,
        max_states: args.max_states,
        max_runs: args.runs.unwrap_or(u64::MAX),
        max_time,
        reduction: match args.reduction {
            ReductionArg::Dpor => Reduction::Dpor,
            ReductionArg::Hashing => Reduction::StateHashing,
            ReductionArg::None => Reduction::Nothing,
        },
        keep_going: false,
        jobs: args.jobs,
        shard: args.shard,
        stateful: !args.stateless,
    };
    let progress = Progress::new(system.name(), None, "states", args.quiet);
    let report = explore(system, &options, &mut |e: &Exploration| {
        progress.note(e.states, || {
            let runs = plural(e.schedules + e.pruned, "run");
            format!("{runs}, {} failing", e.failures)
        })
    })
    .map_err(|d| format!("{}: {d}", system.name()))?;
    progress.finish();
    if let (Some(path), Some(shard)) = (&args.seen, args.shard) {
        write_seen(path, system.name(), shard, args.max_steps, &report)?;
    }
    let jobs = match (report.reduction, args.jobs) {
        (Reduction::Dpor, _) | (_, 0 | 1) => String::new(),
        (_, jobs) => format!(", {jobs} jobs"),
    };
    let shard = (args.shard).map_or(String::new(), |shard| format!(", shard {shard}"));
    // Whether states were counted up to the system's interchangeable processes.
    let sym = (report.symmetry.describe()).map_or(String::new(), |s| format!(", {s}"));
    // How the search went back to states: from copies of the world, or by replay.
    let runs = report.schedules + report.pruned;
    let restored = match (args.stateless, report.restored) {
        (true, _) => ", stateless".to_owned(),
        (false, 0) => String::new(),
        (false, n) => format!(", {n} of {} started from copies", plural(runs, "run")),
    };
    let stats = format!(
        "{}, {} unique states, max depth {}{restored}",
        plural(report.schedules, "schedule"),
        report.states,
        report.max_depth
    );
    let (line, summary) = match &report.found {
        Some(_) => (format!("found after {stats}"), format!("dfs: {stats}")),
        None => (format!("{}; {stats}", report.verdict()), report.verdict()),
    };
    Ok(Searched {
        // A shard may own no run that reaches its end (its subtrees were all pruned).
        unexplored: report.found.is_none()
            && report.schedules > 0
            && report.cut_runs == report.schedules,
        found: report.found,
        line,
        summary,
        strategy: match (report.reduction, args.reduction, args.shard) {
            (Reduction::Dpor, ..) => format!("dfs (source-set DPOR, sleep sets){sym}; {stats}"),
            (Reduction::StateHashing, ReductionArg::Dpor, None) => {
                format!("dfs (state hashing: time races deliveries here){jobs}{sym}; {stats}")
            }
            (Reduction::StateHashing, ReductionArg::Dpor, Some(_)) => {
                format!("dfs (state hashing: a shard cannot use DPOR){jobs}{shard}{sym}; {stats}")
            }
            (Reduction::StateHashing, ..) => {
                format!("dfs (state hashing){jobs}{shard}{sym}; {stats}")
            }
            (Reduction::Nothing, ..) => {
                format!("dfs (every interleaving){jobs}{shard}{sym}; {stats}")
            }
        },
    })
}
