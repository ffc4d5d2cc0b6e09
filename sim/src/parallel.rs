//! Independent runs on several threads, with the result a serial loop would give.
//!
//! Workers take run indices in order from a shared counter. When a run fails, runs with a
//! larger index are no longer started, but every smaller index is still run: the answer is
//! the *first* failing index, exactly as in a serial loop, whatever the number of threads.

use std::sync::atomic::{AtomicU64, Ordering};

/// Runs `fails(i)` for `i` in `0..count` on `jobs` threads (at least one); returns the
/// smallest `i` for which it returned true, if any. `progress(done, failures)` is called
/// after every run, from the worker threads.
pub(crate) fn first_failing(
    count: u64,
    jobs: usize,
    fails: &(dyn Fn(u64) -> bool + Sync),
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Option<u64> {
    let next = AtomicU64::new(0);
    let first = AtomicU64::new(u64::MAX);
    let done = AtomicU64::new(0);
    let failures = AtomicU64::new(0);
    let work = || {
        loop {
            let index = next.fetch_add(1, Ordering::SeqCst);
            if index >= count || index > first.load(Ordering::SeqCst) {
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
    if jobs <= 1 {
        work();
    } else {
        std::thread::scope(|scope| {
            for _ in 0..jobs {
                scope.spawn(work);
            }
        });
    }
    match first.load(Ordering::SeqCst) {
        u64::MAX => None,
        index => Some(index),
    }
}

#[cfg(test)]
mod tests {
    use super::first_failing;

    #[test]
    fn the_first_failure_wins_whatever_the_threads() {
        let fails = |i: u64| i % 7 == 5 || i == 3;
        for jobs in 1..=4 {
            assert_eq!(first_failing(100, jobs, &fails, &|_, _| {}), Some(3));
            assert_eq!(first_failing(3, jobs, &fails, &|_, _| {}), None);
        }
    }
}
