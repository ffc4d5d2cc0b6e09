//! A server's exit: `terminate`, leaving the registry (which notifies monitors and links),
//! and answering everything still waiting.

use crate::process::Settle;
use crate::runtime::envelope::run_at_exit;
use crate::runtime::server_loop::Running;
use crate::{ExitReason, GenServer};

impl<S: GenServer> Running<S> {
    /// Runs `terminate` (not after a kill), leaves the registry, then answers everything
    /// still waiting ([rule 1](crate::rules#rule-1-an-exit-is-seen-after-it-is-complete)).
    pub(super) fn exit(self, reason: ExitReason) {
        let settles = self.process.exit(&reason, !self.killed);
        for at_exit in self.at_exit {
            run_at_exit(at_exit, &reason);
        }
        // Closed first, so that whoever learns of the exit (a `Down`) and then calls this
        // server fails with "no such process".
        let leftovers = self.cell.mailbox.close();
        // Each was answered or is failed below by the machine: only forgotten here.
        drop(self.cell.calls.close());
        // After a kill the killer has already done this, with reason `killed`.
        self.rt.table().retire(self.cell.id, &reason);
        // Sent once the server is gone, so a caller's next call fails with "no such process".
        settles.into_iter().for_each(Settle::deliver);
        for envelope in self.batch.into_iter().chain(leftovers) {
            envelope.refuse(&reason);
        }
        for done in self.stop_waiters {
            done.complete(Ok(()));
        }
    }
}
