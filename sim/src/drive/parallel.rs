//! Independent runs on several threads, with the result a serial loop would give.
//!
//! Workers take run indices in order from a shared counter. When a run fails, runs with a
//! larger index are no longer started, but every smaller index is still run: the answer is
//! the *first* failing index, exactly as in a serial loop, whatever the number of threads.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Threads per core at most: runs are CPU-bound, so more only cost memory and switches.
const THREADS_PER_CORE: usize = 4;

/// A worker thread of a hunt could not be started (the system is out of memory or of
/// threads); the runs already started were finished and nothing was reported.
#[derive(Debug, thiserror::Error)]
#[error("cannot start worker thread {started} of {threads}: {source}")]
pub struct SpawnError {
    /// How many threads had started (the one that failed is the next).
    pub started: usize,
    /// How many threads were to start.
    pub threads: usize,
    /// Why the system refused.
    #[source]
    pub source: std::io::Error,
}

/// The threads a hunt of `count` runs starts when `jobs` are asked for: never more than the
/// runs, nor more than [`THREADS_PER_CORE`] per core of this machine, and at least one.
pub(crate) fn threads(jobs: usize, count: u64) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let runs = usize::try_from(count).unwrap_or(usize::MAX);
    jobs.min(runs)
        .min(cores.saturating_mul(THREADS_PER_CORE))
        .max(1)
}

/// Runs `fails(i)` for `i` in `0..count` on the [`threads`] that `jobs` asks for; returns
/// the smallest `i` for which it returned true, if any. `progress(done, failures)` is called
/// after every run, from the worker threads. If a thread cannot be started, the runs under
/// way are finished and the error returned.
pub(crate) fn first_failing(
    count: u64,
    jobs: usize,
    fails: &(dyn Fn(u64) -> bool + Sync),
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Option<u64>, SpawnError> {
    let next = AtomicU64::new(0);
    let first = AtomicU64::new(u64::MAX);
    let done = AtomicU64::new(0);
    let failures = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let work = || {
        loop {
            let index = next.fetch_add(1, Ordering::SeqCst);
            if index >= count || index > first.load(Ordering::SeqCst) || stop.load(Ordering::SeqCst)
            {
                break;
            }
            let failed = fails(index);
            if failed {
                first.fetch_min(index, Ordering::SeqCst);
                failures.fetch_add(1, Ordering::SeqCst);
            }
            let finished = done.fetch_add(1, Ordering::SeqCst) + 1;
            progress(finished, failures.load(Ordering::SeqCst));
        }
    };
    let threads = threads(jobs, count);
    if threads == 1 {
        work();
    } else {
        std::thread::scope(|scope| {
            for started in 0..threads {
                let spawned = std::thread::Builder::new()
                    .name(format!("hunt-{started}"))
                    .spawn_scoped(scope, work);
                if let Err(source) = spawned {
                    stop.store(true, Ordering::SeqCst);
                    return Err(SpawnError {
                        started,
                        threads,
                        source,
                    });
                }
            }
            Ok(())
        })?;
    }
    Ok(match first.load(Ordering::SeqCst) {
        u64::MAX => None,
        index => Some(index),
    })
}

#[cfg(test)]
mod tests {
    use super::{THREADS_PER_CORE, first_failing, threads};

    #[test]
    fn the_first_failure_wins_whatever_the_threads() {
        let fails = |i: u64| i % 7 == 5 || i == 3;
        for jobs in 1..=4 {
            assert_eq!(
                first_failing(100, jobs, &fails, &|_, _| {}).unwrap(),
                Some(3)
            );
            assert_eq!(first_failing(3, jobs, &fails, &|_, _| {}).unwrap(), None);
        }
    }

    #[test]
    fn threads_are_capped_at_the_runs_and_the_cores() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(threads(100_000, 50), 50.min(THREADS_PER_CORE * cores));
        assert_eq!(threads(usize::MAX, u64::MAX), THREADS_PER_CORE * cores);
        assert_eq!(threads(8, 1), 1);
        assert_eq!(threads(2, 0), 1);
        assert_eq!(threads(0, 10), 1);
        assert_eq!(threads(1, 10), 1);
    }
}
