//! Which server is running on this thread right now: set around every poll of a server's
//! task (workers run many servers in turn), so a handle used inside a callback can refuse a
//! call to its own server, which could only deadlock.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::ProcessId;

#[cfg(not(loom))]
thread_local! {
    static CURRENT: std::cell::Cell<Option<ProcessId>> = const { std::cell::Cell::new(None) };
}

/// The server running on this thread, if any.
#[cfg(not(loom))]
pub(crate) fn current() -> Option<ProcessId> {
    CURRENT.with(|current| current.get())
}

/// Under loom, threads are not OS threads; self-calls through handles are not detected.
#[cfg(loom)]
pub(crate) fn current() -> Option<ProcessId> {
    None
}

/// A server's future, marked as that server while it is polled.
pub(crate) struct AsServer<F> {
    id: ProcessId,
    future: Pin<Box<F>>,
}

impl<F: Future> AsServer<F> {
    /// `future`, run as server `id`.
    pub(crate) fn new(id: ProcessId, future: F) -> Self {
        AsServer {
            id,
            future: Box::pin(future),
        }
    }
}

impl<F: Future> Future for AsServer<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        #[cfg(not(loom))]
        let outer = CURRENT.with(|current| current.replace(Some(self.id)));
        #[cfg(loom)]
        let _ = self.id;
        let poll = self.future.as_mut().poll(cx);
        #[cfg(not(loom))]
        CURRENT.with(|current| current.set(outer));
        poll
    }
}
