//! Hunting (many seeds until a failure) and the determinism self-check.

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::drive::marks::Marks;
use crate::drive::options::{HuntOptions, Strategy};
use crate::drive::parallel::{SpawnError, first_failing};
use crate::drive::run::{RunReport, Verdict, compare, run, run_with};
use crate::scheduler::Divergence;
use crate::system::System;

/// The result of a hunt.
#[derive(Clone, Debug)]
pub struct Hunt {
    /// How many runs were made (the failing one included).
    pub runs: u64,
    /// How many of those `runs` stopped at the step limit without a failure: what lay
    /// beyond was not explored. When it equals a nonzero `runs`, no run reached its end.
    pub step_limited: u64,
    /// The first failing run: its verdict (always a failure), with the trace of a re-run of
    /// its seed.
    pub found: Option<RunReport>,
    /// Whether the re-run ended exactly like the first run of that seed (it always should;
    /// `false` means the system is nondeterministic: see [`check_determinism`]; the trace
    /// then need not show the failure).
    pub reproduced: bool,
    /// The first seed of the hunt (of its shard, if sharded).
    pub first_seed: u64,
    /// The run length PCT drew its change points from (0 for other strategies).
    pub steps_estimate: u64,
}

/// Runs seeds `first_seed`, `first_seed + 1`, … until a failure or `runs` runs.
///
/// Runs go untraced for speed; the failing seed is run again with its trace on, which fails
/// at the same step unless the system is nondeterministic (`reproduced` is then `false`,
/// and the report keeps the first run's failure with the re-run's trace).
pub fn hunt(system: &dyn System, first_seed: u64, runs: u64, max_steps: u64) -> Hunt {
    hunt_with(
        system,
        &HuntOptions::new(first_seed, runs, max_steps),
        &|_, _| {},
    )
}

/// How many random runs PCT's step estimate looks at.
const CALIBRATION_RUNS: u64 = 4;

/// The run length PCT draws change points from: the longest of a few random runs from the
/// first seed of the whole range (the same for every shard and thread).
pub(crate) fn steps_estimate(system: &dyn System, options: &HuntOptions) -> u64 {
    match options.strategy {
        Strategy::Random => 0,
        Strategy::Pct { .. } => (0..CALIBRATION_RUNS)
            .map(|i| {
                run(
                    system,
                    options.first_seed.wrapping_add(i),
                    options.max_steps,
                    false,
                )
                .steps
            })
            .max()
            .unwrap_or(1),
    }
}

/// One run of `seed` with the hunt's strategy.
pub(crate) fn run_seed(
    system: &dyn System,
    options: &HuntOptions,
    steps: u64,
    seed: u64,
    record: bool,
) -> RunReport {
    let mut scheduler = options.strategy.scheduler(seed, steps);
    run_with(system, seed, options.max_steps, record, scheduler.as_mut())
        .expect("sampling strategies never diverge")
}

/// Runs the seeds of `options` (all, or its shard's slice) with its strategy on its
/// threads until the first failure; the result is the same for any number of threads.
/// `progress(done, failures)` is called after every run, from the worker threads.
///
/// `options.jobs` asks for threads: no more start than there are runs, nor more than a few
/// per core.
///
/// # Panics
///
/// If a worker thread cannot be started; [`try_hunt_with`] returns that as an error.
pub fn hunt_with(
    system: &dyn System,
    options: &HuntOptions,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Hunt {
    try_hunt_with(system, options, progress).unwrap_or_else(|error| panic!("{error}"))
}

/// [`hunt_with`], with a worker thread that cannot be started (out of memory or of
/// threads) returned as an error instead of a panic.
pub fn try_hunt_with(
    system: &dyn System,
    options: &HuntOptions,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Hunt, SpawnError> {
    let (first_seed, count) = options.seeds();
    let steps = steps_estimate(system, options);
    // The failing runs' verdicts, by index, so the failure found is the one first seen even
    // if a nondeterministic system passes when its seed runs again.
    let failed = Mutex::new(BTreeMap::new());
    // The runs stopped at the step limit, by index, counted up to the first failure.
    let limited = Marks::default();
    let fails = |index: u64| {
        let seed = first_seed.wrapping_add(index);
        let report = run_seed(system, options, steps, seed, false);
        if report.verdict == Verdict::StepLimit {
            limited.mark(index);
        }
        let failing = report.failure().is_some();
        if failing {
            let mut failed = failed.lock().unwrap_or_else(|e| e.into_inner());
            failed.insert(index, (report.steps, report.verdict));
        }
        failing
    };
    let Some(index) = first_failing(count, options.jobs, &fails, progress)? else {
        return Ok(Hunt {
            runs: count,
            step_limited: limited.below(count),
            found: None,
            reproduced: true,
            first_seed,
            steps_estimate: steps,
        });
    };
    let seed = first_seed.wrapping_add(index);
    let (first_steps, first_verdict) = (failed.into_inner())
        .unwrap_or_else(|e| e.into_inner())
        .remove(&index)
        .expect("a failing run records its verdict");
    let again = run_seed(system, options, steps, seed, true);
    let reproduced = again.verdict == first_verdict;
    // The first run's failure stands even if a nondeterministic re-run passes.
    let found = RunReport {
        steps: first_steps,
        verdict: first_verdict,
        ..again
    };
    Ok(Hunt {
        runs: index + 1,
        step_limited: limited.below(index),
        reproduced,
        found: Some(found),
        first_seed,
        steps_estimate: steps,
    })
}

/// Runs `seed` twice in this process with its trace on and compares every event.
///
/// It catches what changes from one run to the next within a process: a global counter, a
/// clock read at a resolution that ticks between the runs, a `HashMap` created anew in each
/// run and iterated. It misses what stays the same within a process but not across
/// processes: a `HashMap` built once in a static, a random value or an address drawn once
/// per process, the process id, a clock read in seconds (unless the second changes), an
/// environment variable. `gsim check --processes` also compares each seed's run in a child
/// process, which catches all of these but the environment (the child inherits it).
pub fn check_determinism(system: &dyn System, seed: u64, max_steps: u64) -> Result<(), Divergence> {
    let first = run(system, seed, max_steps, true);
    let second = run(system, seed, max_steps, true);
    let (first, second) = (first.trace.expect("traced"), second.trace.expect("traced"));
    compare(&first, &second, "the first run has", "the second run has").map_err(|d| Divergence {
        step: d.step,
        message: format!("nondeterministic: {}", d.message),
    })
}
