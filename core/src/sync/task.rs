//! Where servers run: as tasks on a small pool of worker threads (tokio's multi-threaded
//! runtime), or, under `cfg(loom)`, each on a loom thread driving its own future, so the loom
//! models run the runtime's own server loop. Also the few waits that differ between the two:
//! a plain thread blocking on a future, a wait with a deadline, a blocking wait inside a task.

use std::future::Future;
use std::time::Instant;

/// Runs servers' futures to their end.
#[derive(Clone, Debug)]
pub(crate) struct Executor {
    #[cfg(not(loom))]
    handle: tokio::runtime::Handle,
}

#[cfg(not(loom))]
impl Executor {
    /// The process-wide pool every [`crate::Runtime::new`] shares: one worker thread per
    /// core (at least two), started on first use and never stopped.
    pub(crate) fn shared() -> Self {
        static POOL: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
        let pool = POOL.get_or_init(|| {
            let workers = std::thread::available_parallelism().map_or(2, |n| n.get().max(2));
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(workers)
                .thread_name("genserver worker")
                .enable_time()
                .build()
                .unwrap_or_else(|error| panic!("cannot start the worker threads: {error}"))
        });
        Executor {
            handle: pool.handle().clone(),
        }
    }

    /// The tokio runtime behind `handle`, if servers can run there: multi-threaded, with
    /// time enabled.
    pub(crate) fn on(handle: tokio::runtime::Handle) -> Result<Self, crate::ExecutorError> {
        use tokio::runtime::RuntimeFlavor;
        if handle.runtime_flavor() != RuntimeFlavor::MultiThread {
            return Err(crate::ExecutorError::NotMultiThreaded);
        }
        // Tokio has no question for this: making a timer without its driver panics.
        let entered = handle.enter();
        let timer = std::panic::catch_unwind(|| drop(tokio::time::sleep(Default::default())));
        drop(entered);
        match timer {
            Ok(()) => Ok(Executor { handle }),
            Err(_) => Err(crate::ExecutorError::NoTimer),
        }
    }

    /// Runs `future` as a task of its own.
    pub(crate) fn spawn(&self, future: impl Future<Output = ()> + Send + 'static) {
        drop(self.handle.spawn(future));
    }
}

#[cfg(loom)]
impl Executor {
    /// Under loom: every server on a loom thread of its own.
    pub(crate) fn shared() -> Self {
        Executor {}
    }

    /// Runs `future` on a loom thread of its own.
    pub(crate) fn spawn(&self, future: impl Future<Output = ()> + Send + 'static) {
        loom::thread::spawn(move || loom::future::block_on(future));
    }
}

/// Runs `future` to its end on this thread, parking it while the future waits.
#[cfg(not(loom))]
pub fn block_on<T>(future: impl Future<Output = T>) -> T {
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};

    /// Wakes the parked thread.
    struct Unpark(std::thread::Thread);

    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }

    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
        std::thread::park();
    }
}

/// Runs `future` to its end on this loom thread.
#[cfg(loom)]
pub fn block_on<T>(future: impl Future<Output = T>) -> T {
    loom::future::block_on(future)
}

/// Awaits `future` until `deadline` (none: for ever); `None` if the deadline came first.
/// Under loom, which has no clock, it never does.
pub(crate) async fn within<T>(
    deadline: Option<Instant>,
    future: impl Future<Output = T>,
) -> Option<T> {
    #[cfg(not(loom))]
    if let Some(deadline) = deadline {
        let deadline = tokio::time::Instant::from_std(deadline);
        return tokio::time::timeout_at(deadline, future).await.ok();
    }
    #[cfg(loom)]
    let _ = deadline;
    Some(future.await)
}

/// Lets the worker run its other tasks before this one goes on (a server with a long queue
/// must not hold a worker for ever). Under loom, where each server has its thread, nothing.
pub(crate) async fn yield_now() {
    #[cfg(not(loom))]
    tokio::task::yield_now().await;
}

/// Runs `wait`, which blocks this thread, telling the pool first if this is one of its
/// workers (it hands its other tasks to another thread meanwhile), so a callback that blocks
/// on a handle (a call, a stop, a child start) never starves the servers it waits for.
pub(crate) fn blocking<T>(wait: impl FnOnce() -> T) -> T {
    #[cfg(not(loom))]
    {
        use tokio::runtime::{Handle, RuntimeFlavor};
        match Handle::try_current().map(|handle| handle.runtime_flavor()) {
            // A single-threaded runtime has no other worker to hand over to.
            Ok(RuntimeFlavor::CurrentThread) => wait(),
            _ => tokio::task::block_in_place(wait),
        }
    }
    #[cfg(loom)]
    wait()
}
