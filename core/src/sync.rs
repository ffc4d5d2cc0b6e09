//! The one place concurrent code takes its primitives from: `std` normally, `loom`'s models
//! under `cfg(loom)`, so the loom checks run the runtime's own mailbox and reply-link code.

#[cfg(loom)]
pub(crate) use loom::sync::{Arc, Condvar, Mutex, MutexGuard, atomic::AtomicU64};
#[cfg(not(loom))]
pub(crate) use std::sync::{Arc, Condvar, Mutex, MutexGuard, atomic::AtomicU64};

use std::time::Duration;

/// Locks `mutex`, ignoring poisoning: no lock is held while user code runs, so a poisoned
/// lock still guards consistent data.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Waits on `condvar`, ignoring poisoning.
pub(crate) fn wait<'a, T>(condvar: &Condvar, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
    condvar
        .wait(guard)
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Waits on `condvar` for at most `timeout` (the clock stays here, at the edge; under loom
/// this never times out).
pub(crate) fn wait_timeout<'a, T>(
    condvar: &Condvar,
    guard: MutexGuard<'a, T>,
    timeout: Duration,
) -> MutexGuard<'a, T> {
    match condvar.wait_timeout(guard, timeout) {
        Ok((guard, _)) => guard,
        Err(poisoned) => poisoned.into_inner().0,
    }
}

/// Starts a thread named `name`.
#[cfg(not(loom))]
pub(crate) fn spawn(name: String, body: impl FnOnce() + Send + 'static) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name(name)
        .spawn(body)
        .map(|_| ())
}

/// Starts a loom thread (loom threads carry no names).
#[cfg(loom)]
pub(crate) fn spawn(_name: String, body: impl FnOnce() + Send + 'static) -> std::io::Result<()> {
    loom::thread::spawn(body);
    Ok(())
}
