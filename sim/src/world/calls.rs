//! Calls in flight: starting one, ending a caller's wait, and turning what reply tokens
//! delivered (their [reply cells](crate::world::reply_cells)) into reply messages.

use std::sync::Arc;

use genserver::{AnyMessage, CallError, CallTag, ProcessId, Timeout};
use genserver_traces::EventKind;

use crate::world::envelope::{Body, CallOutcome};
use crate::world::reply_cells::ReplyCell;
use crate::world::{Deadline, Pending, World, duration_ns};

impl World {
    /// Starts a call of `caller` to `to`; fails at once for itself or a dead server.
    pub(crate) fn call_out(
        &mut self,
        caller: ProcessId,
        to: ProcessId,
        request: AnyMessage,
        timeout: Timeout,
    ) -> Result<CallTag, CallError> {
        self.touch_read(to);
        if to == caller {
            return Err(CallError::CallingSelf);
        }
        if !self.alive(to) {
            return Err(CallError::NoProcess);
        }
        if self.mailbox_full(to) {
            return Err(CallError::Full);
        }
        let tag = self.naming.call(caller, to, &request);
        let deadline = timeout.duration().map(|after| {
            let at = self.now.saturating_add(duration_ns(after));
            self.add_deadline(at, Deadline::Timeout { caller, tag })
        });
        let pending = Pending {
            callee: to,
            deadline,
        };
        self.pending.insert((caller, tag), pending);
        self.cells.push((caller, tag, ReplyCell::new(true)));
        let at = caller.0 as usize;
        if self.waiting.len() <= at {
            self.waiting.resize(at.max(self.procs.len()) + 1, 0);
        }
        self.waiting[at] += 1;
        self.send(caller, to, Body::Call { tag, request });
        Ok(tag)
    }

    /// The cell the token of call `tag` of `caller` answers into (a caller that gave up
    /// already gets a cell whose outcome is discarded, traced).
    pub(crate) fn reply_cell(&mut self, caller: ProcessId, tag: CallTag) -> Arc<ReplyCell> {
        let found = (self.cells.iter()).find(|(c, t, _)| (*c, *t) == (caller, tag));
        if let Some((_, _, cell)) = found {
            return Arc::clone(cell);
        }
        let cell = ReplyCell::new(false);
        self.cells.push((caller, tag, Arc::clone(&cell)));
        cell
    }

    /// Ends the wait of `caller` for call `tag`; returns whether it was waiting for it.
    pub(crate) fn settle(&mut self, caller: ProcessId, tag: CallTag) -> bool {
        self.touch_write(caller);
        let Some(pending) = self.pending.remove(&(caller, tag)) else {
            return false;
        };
        if let Some(count) = self.waiting.get_mut(caller.0 as usize) {
            *count = count.saturating_sub(1);
        }
        if let Some(key) = pending.deadline {
            self.deadlines.remove(&key);
        }
        if let Some(at) = (self.cells.iter()).position(|(c, t, _)| (*c, *t) == (caller, tag)) {
            let cell = &self.cells[at].2;
            cell.give_up();
            // A token still out there may answer late: that outcome is discarded, traced.
            if !cell.might_deliver() {
                self.cells.remove(at);
            }
        }
        true
    }

    /// Sends `caller` the outcome of its call `tag` from `actor`, or discards it (traced) if
    /// the caller no longer waits.
    pub(crate) fn answer(
        &mut self,
        actor: ProcessId,
        caller: ProcessId,
        tag: CallTag,
        outcome: CallOutcome,
    ) {
        self.touch_read(caller);
        if self.pending.contains_key(&(caller, tag)) {
            self.send(actor, caller, Body::Reply { tag, outcome });
        } else {
            self.emit(EventKind::Discard, Some(actor), Some(caller), |_| {
                let body = Body::Reply { tag, outcome };
                format!("{body} (the caller no longer waits)")
            });
        }
    }

    /// Sends, as `actor`, what reply tokens delivered since the world last looked, in the
    /// order the calls were made. The world
    /// looks where a token can deliver: after the callbacks of a process (a token answered
    /// or dropped inside one) and after each reply it settles, after a client's poll, where
    /// a message is dropped at the dead (from the addressee), and at the end of every event
    /// (a message dropped in the network, from its sender).
    pub(crate) fn collect_replies(&mut self, actor: ProcessId) {
        while self.cells.iter().any(|(_, _, cell)| cell.is_filled()) {
            let mut ready = std::mem::take(&mut self.ready);
            self.cells.retain(|(caller, tag, cell)| {
                if let Some(outcome) = cell.take() {
                    ready.push((*caller, *tag, outcome));
                }
                cell.is_waiting() || cell.might_deliver()
            });
            // Sending may drop a message holding another token: look again until none.
            for (caller, tag, outcome) in ready.drain(..) {
                self.answer(actor, caller, tag, outcome);
            }
            self.ready = ready;
        }
    }
}
