//! Work for the threads of an exhaustive search: subtrees, each named by the prefix of
//! choices that leads to it. A worker that runs out of work waits here; a busy worker that
//! sees one waiting hands it an untried choice of its own (the shallowest, so the piece is
//! big). The search ends when every worker waits and no subtree is left, or when it is
//! stopped.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

/// Subtrees still to explore (each a `T`), shared by the workers.
pub(crate) struct Pool<T> {
    state: Mutex<State<T>>,
    ready: Condvar,
    /// How many workers wait for work (read without the lock by busy workers).
    waiting: AtomicUsize,
    stopped: AtomicBool,
}

struct State<T> {
    subtrees: Vec<T>,
    workers: usize,
    finished: bool,
}

impl<T> Pool<T> {
    /// A pool for `workers` threads, holding `subtrees` (the whole tree is the empty
    /// prefix); they are taken first to last.
    pub fn new(workers: usize, mut subtrees: Vec<T>) -> Self {
        subtrees.reverse();
        Pool {
            state: Mutex::new(State {
                subtrees,
                workers: workers.max(1),
                finished: false,
            }),
            ready: Condvar::new(),
            waiting: AtomicUsize::new(0),
            stopped: AtomicBool::new(false),
        }
    }

    /// The next subtree to explore, waiting for one; `None` once the search is over.
    pub fn take(&self) -> Option<T> {
        let mut state = self.lock();
        self.waiting.fetch_add(1, Ordering::SeqCst);
        loop {
            if state.finished || self.is_stopped() {
                return self.finish(state);
            }
            if let Some(prefix) = state.subtrees.pop() {
                self.waiting.fetch_sub(1, Ordering::SeqCst);
                return Some(prefix);
            }
            if self.waiting.load(Ordering::SeqCst) >= state.workers {
                // Everyone waits and nothing is left: the tree is explored.
                return self.finish(state);
            }
            state = (self.ready.wait(state)).unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }

    /// Whether a worker waits with nothing to take: time to hand it a subtree.
    pub fn hungry(&self) -> bool {
        self.waiting.load(Ordering::Relaxed) > 0 && self.lock().subtrees.is_empty()
    }

    /// Adds subtrees for waiting workers (the first is taken first).
    pub fn give(&self, prefixes: Vec<T>) {
        if prefixes.is_empty() {
            return;
        }
        self.lock().subtrees.extend(prefixes.into_iter().rev());
        self.ready.notify_all();
    }

    /// One worker fewer (its thread could not be started).
    pub fn shrink(&self) {
        let mut state = self.lock();
        state.workers = state.workers.saturating_sub(1).max(1);
        self.ready.notify_all();
    }

    /// Stops the search: workers finish their run and take nothing more.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        let _state = self.lock();
        self.ready.notify_all();
    }

    /// Whether the search was stopped (a failure, a budget, an error).
    pub fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
    }

    fn finish(&self, mut state: MutexGuard<'_, State<T>>) -> Option<T> {
        state.finished = true;
        self.ready.notify_all();
        None
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        (self.state.lock()).unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Stops the search of a pool when the worker holding it unwinds: the other workers would
/// otherwise wait for that one for ever.
pub(crate) struct StopOnPanic<'a, T>(pub &'a Pool<T>);

impl<T> Drop for StopOnPanic<'_, T> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.stop();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::{Pool, StopOnPanic};

    #[test]
    fn one_worker_takes_the_whole_tree_then_ends() {
        let pool = Pool::new(1, vec![Vec::<String>::new()]);
        assert_eq!(pool.take(), Some(Vec::new()));
        assert!(!pool.hungry(), "nobody waits while the only worker works");
        assert_eq!(pool.take(), None);
    }

    #[test]
    fn a_waiting_worker_gets_what_a_busy_one_gives() {
        let pool = Pool::new(2, vec![Vec::<String>::new()]);
        let root = pool.take().unwrap();
        std::thread::scope(|scope| {
            let other = scope.spawn(|| pool.take());
            while !pool.hungry() {
                std::thread::yield_now();
            }
            pool.give(vec![vec!["b".to_owned()]]);
            assert_eq!(other.join().unwrap(), Some(vec!["b".to_owned()]));
        });
        assert!(root.is_empty());
        // The second worker waits again; the first, done too, ends the search for both.
        std::thread::scope(|scope| {
            let other = scope.spawn(|| pool.take());
            assert_eq!(pool.take(), None);
            assert_eq!(other.join().unwrap(), None);
        });
    }

    #[test]
    fn a_worker_that_panics_releases_the_others() {
        let pool = Arc::new(Pool::new(2, vec![Vec::<String>::new()]));
        let worker = Arc::clone(&pool);
        let panicked = std::thread::spawn(move || {
            let _stop = StopOnPanic(&*worker);
            let _root = worker.take();
            panic!("a bug in a worker");
        });
        assert!(panicked.join().is_err());
        // The other worker, waiting for work: on a thread of its own, so that a worker left
        // waiting fails the test instead of hanging it.
        let (sender, taken) = std::sync::mpsc::channel();
        let waiter = Arc::clone(&pool);
        std::thread::spawn(move || sender.send(waiter.take()));
        let taken = taken.recv_timeout(Duration::from_secs(30));
        assert_eq!(taken, Ok(None), "the search ends for the other worker");
    }

    #[test]
    fn a_stop_releases_waiting_workers() {
        let pool = Pool::new(2, vec![Vec::<String>::new()]);
        let _root = pool.take().unwrap();
        std::thread::scope(|scope| {
            let other = scope.spawn(|| pool.take());
            while !pool.hungry() {
                std::thread::yield_now();
            }
            pool.stop();
            assert_eq!(other.join().unwrap(), None);
        });
    }
}
