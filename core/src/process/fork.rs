//! Copies of a process, for an engine that keeps copies of whole worlds.

use std::collections::VecDeque;

use crate::GenServer;
use crate::process::Process;

impl<S> Process<S>
where
    S: GenServer + Clone,
    S::Info: Clone,
    S::Continue: Clone,
    S::Reply: Clone,
{
    /// A copy of this process: its state, timers' messages, continuations, deferred and
    /// unanswered calls, the reply of a stop. Call it inside [`crate::engine::forking`], so
    /// that the copy's reply tokens are calls of the world's copy. `None` while the process
    /// is in the middle of a callback's work (blocked in a call of its own, starting a child,
    /// or with effects not yet handed out): that work holds closures, which cannot be copied.
    pub fn fork(&self) -> Option<Process<S>> {
        let idle = self.frames.iter().all(|frame| frame.is_empty())
            && self.on_outcome.is_none()
            && self.on_started.is_none();
        if !idle {
            return None;
        }
        Some(Process {
            state: self.state.clone(),
            ctx: self.ctx.fork()?,
            frames: self.frames.iter().map(|_| VecDeque::new()).collect(),
            spare: Vec::new(),
            on_outcome: None,
            on_started: None,
            timers: self.timers.clone(),
            continues: self.continues.clone(),
            deferred: self.deferred.iter().map(|weak| weak.fork()).collect(),
            prune_at: self.prune_at,
            stopping: self.stopping.clone(),
            halted: self.halted,
            final_reply: self.final_reply.clone(),
            unanswered: self.unanswered.clone(),
        })
    }
}

#[cfg(test)]
#[path = "fork_tests.rs"]
mod tests;
