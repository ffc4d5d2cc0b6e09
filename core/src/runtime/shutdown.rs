//! Shutting a runtime down: every server stopped, supervisors first, within one deadline.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::runtime::{PendingCall, ReplyLink, Runtime};
use crate::sync::Arc;
use crate::{CallError, ExitReason, ProcessId, Timeout};

/// What [`Runtime::shutdown`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ShutdownReport {
    /// Servers that exited when asked (`terminate` ran; children their supervisor stopped
    /// included), or on their own meanwhile.
    pub terminated: usize,
    /// Servers that had not exited by the deadline, and were killed.
    pub killed: usize,
}

impl Runtime {
    /// Stops every server of this runtime and returns once all have exited, within
    /// `timeout` in all. Supervisors go first, oldest first, one at a time, each sent the
    /// exit signal `shutdown` as from its own supervisor (it stops its children in reverse
    /// start order, under the children's own shutdown specs, and restarts none); then every other server at once, asked newest first. Each is asked to
    /// stop with [`ExitReason::Shutdown`] after the messages queued before (`terminate`
    /// runs); what has not exited when the time is up is killed. Servers started meanwhile
    /// are stopped too.
    ///
    /// Dropping a `Runtime`, or every handle on a server, stops nothing: a server runs until
    /// it stops, is stopped or killed, or its runtime is shut down.
    pub fn shutdown(&self, timeout: Timeout) -> ShutdownReport {
        let deadline = timeout.duration().map(|limit| Instant::now() + limit);
        let mut report = ShutdownReport::default();
        // Each server is handled once, even if (killed in the middle of its start) it
        // lingers in the registry a moment longer.
        let mut handled = BTreeSet::new();
        // Every server seen alive meanwhile (children a supervisor stops included).
        let mut seen = BTreeSet::new();
        loop {
            let mut servers = self.table().servers();
            seen.extend(servers.iter().map(|(id, _)| *id));
            servers.retain(|(id, _)| !handled.contains(id));
            let batch: Vec<(ProcessId, bool)> = match servers.iter().find(|(_, sup)| *sup) {
                Some(&supervisor) => vec![supervisor],
                None => servers.into_iter().rev().collect(),
            };
            if batch.is_empty() {
                report.terminated = seen.len() - report.killed;
                return report;
            }
            handled.extend(batch.iter().map(|(id, _)| *id));
            let exits: Vec<_> = (batch.into_iter())
                .map(|(id, supervisor)| (id, self.ask_to_stop(id, supervisor)))
                .collect();
            for (id, exit) in exits {
                let left = deadline.map(|at| at.saturating_duration_since(Instant::now()));
                let wait = left.map_or(Timeout::Infinity, |left| {
                    Timeout::After(left.max(Duration::from_nanos(1)))
                });
                if exit.wait_timeout(wait) == Err(CallError::Timeout) {
                    self.kill(id);
                    report.killed += 1;
                }
            }
        }
    }

    /// Asks `id` to stop; the call completes when it has exited. A supervisor gets the exit
    /// signal its own supervisor would send (it then stops its children in order).
    fn ask_to_stop(&self, id: ProcessId, supervisor: bool) -> Exit {
        if !supervisor {
            if let Some(inbox) = self.inbox(id) {
                // The stop's own link says when it has exited (no monitor to set up).
                let done = Arc::new(ReplyLink::new());
                if inbox.stop(ExitReason::Shutdown, Arc::clone(&done)) {
                    return Exit::Stopped(PendingCall::new(done, id, None));
                }
            }
        }
        // A supervisor, or a server whose mailbox is closed (it is exiting already): a
        // monitor says when it is gone.
        let exit = self.monitor(id);
        if supervisor {
            self.exit(id, ExitReason::Shutdown);
        }
        Exit::Down(exit)
    }
}

/// How a shutdown learns that a server it asked to stop has exited.
enum Exit {
    /// The stop it queued completes.
    Stopped(PendingCall<()>),
    /// A monitor's `Down`.
    Down(PendingCall<ExitReason>),
}

impl Exit {
    /// Waits for the exit, for at most `timeout`.
    fn wait_timeout(self, timeout: Timeout) -> Result<(), CallError> {
        match self {
            Exit::Stopped(done) => done.wait_timeout(timeout).map_err(CallError::from),
            Exit::Down(down) => down
                .wait_timeout(timeout)
                .map(drop)
                .map_err(CallError::from),
        }
    }
}
