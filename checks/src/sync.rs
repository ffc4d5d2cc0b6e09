//! The checks' own shim, the same as core's: `std` normally, `loom` under `cfg(loom)`, so the
//! broken variants and the mini runtime run under both.

#[cfg(loom)]
pub use loom::sync::{Arc, Condvar, Mutex, MutexGuard, atomic::AtomicUsize};
#[cfg(loom)]
pub use loom::thread;
#[cfg(not(loom))]
pub use std::sync::{Arc, Condvar, Mutex, MutexGuard, atomic::AtomicUsize};
#[cfg(not(loom))]
pub use std::thread;

/// Locks `mutex`, ignoring poisoning (as core's shim does).
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Waits on `condvar`, ignoring poisoning.
pub fn wait<'a, T>(condvar: &Condvar, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
    condvar
        .wait(guard)
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs `future` to its end on this thread (a task of its own), parking while it waits:
/// core's (loom's under `cfg(loom)`).
pub use genserver::engine::block_on;
