//! Whether a server's messages come in quick succession (a caller in a loop, a steady
//! stream): then, going idle, it spins on its mailbox for a few microseconds before its task
//! sleeps. Waking a sleeping task costs
//! its sender a worker's wake-up (a futex: tens of microseconds on small virtual machines),
//! where a reply often comes back within a few. A server whose messages come seldom (most
//! of a million idle ones) never looks twice.

use std::time::{Duration, Instant};

/// How soon after going idle a message must come for the server to count as chatty, and
/// the longest a chatty server spins.
const WINDOW: Duration = Duration::from_micros(50);

/// A server's recent rhythm.
#[derive(Default)]
pub(super) struct Chatter {
    /// Its last message came within [`WINDOW`] of its going idle.
    chatty: bool,
}

impl Chatter {
    /// Until when a server going idle now keeps looking (`None`: it sleeps at once).
    #[cfg(not(loom))]
    pub(super) fn look_until(&self, now: Instant) -> Option<Instant> {
        self.chatty.then(|| now + WINDOW)
    }

    /// Looking found nothing: the rhythm broke.
    #[cfg(not(loom))]
    pub(super) fn missed(&mut self) {
        self.chatty = false;
    }

    /// It slept from `idle_since` until a message woke it.
    pub(super) fn woke(&mut self, idle_since: Instant) {
        self.chatty = idle_since.elapsed() < WINDOW;
    }
}
