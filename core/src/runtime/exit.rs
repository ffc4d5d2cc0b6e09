//! A server's exit: `terminate`, leaving the registry (which notifies monitors and links),
//! and answering everything still waiting.

use crate::runtime::server_loop::Running;
use crate::{CallError, ExitReason, GenServer};
use std::panic::{AssertUnwindSafe, catch_unwind};

impl<S: GenServer> Running<S> {
    /// Runs `terminate` (not after a kill), leaves the registry, then answers everything
    /// still waiting.
    pub(super) fn exit(mut self, reason: ExitReason) {
        if !self.killed {
            let state = &mut self.state;
            let _ = catch_unwind(AssertUnwindSafe(|| state.terminate(&reason)));
        }
        // Closed first, so that whoever learns of the exit (a `Down`) and then calls this
        // server fails with "no such process".
        let leftovers = self.cell.mailbox.close();
        // After a kill the killer has already done this, with reason `killed`.
        self.rt.table().retire(self.cell.id, &reason);
        // Sent once the server is gone, so a caller's next call fails with "no such process".
        if let Some((token, reply)) = self.final_reply.take() {
            token.reply(reply);
        }
        if let Some(token) = self.crashed_call.take() {
            token.fail(CallError::Exited(reason.clone()));
        }
        for envelope in self.batch.drain(..).chain(leftovers) {
            envelope.refuse(&reason);
        }
        for weak in self.deferred.drain(..) {
            if let Some(token) = weak.upgrade() {
                token.fail(CallError::Exited(reason.clone()));
            }
        }
        for done in self.stop_waiters.drain(..) {
            done.complete(Ok(()));
        }
    }
}
