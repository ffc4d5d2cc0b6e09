//! The canonical schedule: every message in the order it was sent, as one thread running the
//! whole system would deliver them. It depends on no seed, so a snapshot of it pins the
//! story of a scenario: an edit that adds a message adds its lines where it is sent and
//! leaves the rest of the story in place, where a seeded schedule reshuffles.

use crate::scheduler::{Divergence, Enabled, Scheduler};

/// Picks, among the enabled events that are not faults, the delivery of the message sent
/// earliest; client starts, continuations and due timers come before any delivery; ties go
/// to the first in the world's fixed order.
#[derive(Clone, Copy, Debug, Default)]
pub struct CanonicalScheduler;

impl Scheduler for CanonicalScheduler {
    fn strategy(&self) -> String {
        "canonical".to_owned()
    }

    fn choose(&mut self, step: u64, enabled: &Enabled<'_>) -> Result<usize, Divergence> {
        let age = |index: usize| enabled.sent_at(index).unwrap_or(0);
        (0..enabled.len())
            .filter(|&i| !enabled.is_fault(i))
            .min_by_key(|&i| age(i))
            .ok_or_else(|| Divergence {
                step,
                message: "only faults are enabled".to_owned(),
            })
    }
}
