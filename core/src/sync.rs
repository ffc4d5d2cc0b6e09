//! The one place concurrent code takes its primitives from: `std` normally, `loom`'s models
//! under `cfg(loom)`, so the loom checks run the runtime's own mailbox and reply-link code.

#[cfg(loom)]
pub(crate) use loom::sync::{
    Arc, Condvar, Mutex, MutexGuard,
    atomic::{AtomicBool, AtomicUsize},
};
#[cfg(not(loom))]
pub(crate) use std::sync::{
    Arc, Condvar, Mutex, MutexGuard,
    atomic::{AtomicBool, AtomicUsize},
};

use std::time::Duration;

mod task;
pub use task::block_on;
pub(crate) use task::{Executor, blocking, within, yield_now};

/// The lock of a mailbox's queue: a spin lock that yields its CPU while it waits and never
/// parks, since its critical sections are a few instructions and many senders may contend
/// (where threads outnumber cores, a lock that parks its waiters makes every unlock a
/// futex wake-up of tens of microseconds); loom's plain mutex under `cfg(loom)`.
#[cfg(not(loom))]
pub(crate) type SpinMutex<T> = spin::mutex::SpinMutex<T, spin::relax::Yield>;
#[cfg(loom)]
pub(crate) type SpinMutex<T> = Mutex<T>;

/// Locks a [`SpinMutex`]: a few tries a spin hint apart first (a sender meeting the server's
/// look at its mailbox waits nanoseconds, where a yield costs it a system call), then tries
/// that yield the CPU between them.
#[cfg(not(loom))]
pub(crate) fn lock_spin<T>(mutex: &SpinMutex<T>) -> spin::mutex::SpinMutexGuard<'_, T> {
    for _ in 0..LOCK_SPINS {
        // A read first: a failed try would take the line from the holder.
        if !mutex.is_locked() {
            if let Some(guard) = mutex.try_lock() {
                return guard;
            }
        }
        std::hint::spin_loop();
    }
    mutex.lock()
}

/// Tries of a [`SpinMutex`] before it yields its CPU between tries.
#[cfg(not(loom))]
const LOCK_SPINS: u32 = 8;

/// Locks a [`SpinMutex`].
#[cfg(loom)]
pub(crate) fn lock_spin<T>(mutex: &SpinMutex<T>) -> MutexGuard<'_, T> {
    lock(mutex)
}

/// Locks `mutex`, ignoring poisoning: no lock is held while user code runs, so a poisoned
/// lock still guards consistent data.
pub(crate) fn lock<T: ?Sized>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
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

/// Waits a little for `ready` to become true before the caller parks: waking a parked thread
/// costs tens of microseconds on small virtual machines, and a reply often comes sooner.
/// Returns whether `ready` was seen true. Under loom it checks once, yielding, so the models
/// stay small while still covering both the spinning and the parking path.
pub(crate) fn spin_until(ready: &AtomicBool) -> bool {
    use std::sync::atomic::Ordering::Acquire;
    spin_within(|| ready.load(Acquire), None)
}

/// [`spin_until`] for a waiter with a deadline `limit` from now. On busy cores one yield can
/// cost a whole time slice (milliseconds), which would make a short timeout late: it yields
/// only for a limit of [`YIELD_AT_LEAST`] or more, and only in the first quarter of it.
pub(crate) fn spin_until_for(ready: &AtomicBool, limit: Duration) -> bool {
    use std::sync::atomic::Ordering::Acquire;
    spin_within(|| ready.load(Acquire), Some(limit))
}

/// [`spin_until`] for any readiness test, yielding only while `limit` (from now) has not
/// passed.
pub(crate) fn spin_within(mut ready: impl FnMut() -> bool, limit: Option<Duration>) -> bool {
    #[cfg(loom)]
    {
        let _ = limit; // loom has no clock.
        if ready() {
            return true;
        }
        loom::thread::yield_now();
        ready()
    }
    #[cfg(not(loom))]
    {
        if look(&mut ready, SPIN_ROUNDS, SPIN_HINTS) {
            return true;
        }
        if limit.is_some_and(|limit| limit < YIELD_AT_LEAST) {
            return ready();
        }
        let deadline = limit.and_then(|limit| std::time::Instant::now().checked_add(limit / 4));
        for _ in 0..YIELDS {
            if ready() {
                return true;
            }
            if deadline.is_some_and(|deadline| std::time::Instant::now() >= deadline) {
                return false;
            }
            std::thread::yield_now();
        }
        ready()
    }
}

/// Spins until `ready` or until `deadline`, looking often (a receiver catching the next
/// message of a steady sender); whether `ready` was seen true. When `yielding`, it yields its
/// CPU between rounds of looks: where threads outnumber cores (four senders on two), the
/// sender it waits for may need that CPU to send. (A yield on a busy machine can last a time
/// slice: not for a deadline that must be kept.)
#[cfg(not(loom))]
pub(crate) fn spin_until_past(
    mut ready: impl FnMut() -> bool,
    deadline: std::time::Instant,
    yielding: bool,
) -> bool {
    loop {
        // The clock is read (and the CPU yielded, when `yielding`) once every 16 looks.
        if look(&mut ready, 16, BATCH_HINTS) {
            return true;
        }
        if std::time::Instant::now() >= deadline {
            return ready();
        }
        if yielding {
            std::thread::yield_now();
        }
    }
}

/// Looks at `ready` up to `times` times, `hints` spin hints apart; whether it was seen true.
#[cfg(not(loom))]
fn look(ready: &mut impl FnMut() -> bool, times: u32, hints: u32) -> bool {
    for _ in 0..times {
        if ready() {
            return true;
        }
        for _ in 0..hints {
            std::hint::spin_loop();
        }
    }
    false
}

/// Busy-wait rounds before yielding, each [`SPIN_HINTS`] spin hints long (1 024 hints in
/// all). Even rounds, not doubling ones: a reply is seen within a hint of its coming
/// (doubling rounds looked up to twice as late as it came).
#[cfg(not(loom))]
const SPIN_ROUNDS: u32 = 1024;

/// Spin hints between two looks of a waiter (a caller at its reply link): one. A hint is not
/// short everywhere (26 ns on this project's AMD EPYC machines, about 40 ns on recent Intel
/// cores), and a look is one read of a flag written once: 16 hints between looks made the
/// reply's hop of a call about 200 ns later than it needed to be.
#[cfg(not(loom))]
const SPIN_HINTS: u32 = 1;

/// Spin hints between two looks of a server at its mailbox ([`spin_until_past`]): more than
/// a waiter's, so that a steady stream of casts is taken in batches (a look that finds one
/// message makes a batch of one, and each take moves the lock's cache line from the
/// senders: one hint between looks halved the cast rate; 16 made each call wait ~200 ns
/// longer). A look itself reads a flag beside the lock, without taking it.
#[cfg(not(loom))]
const BATCH_HINTS: u32 = 4;

/// `yield_now` rounds before parking.
#[cfg(not(loom))]
const YIELDS: u32 = 32;

/// The shortest wait limit that yields before parking (see [`spin_until_for`]).
#[cfg(not(loom))]
const YIELD_AT_LEAST: Duration = Duration::from_millis(100);
