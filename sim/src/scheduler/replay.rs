//! The replay strategy: follow a recorded schedule, label by label.

use crate::scheduler::{Divergence, Enabled, Scheduler};

/// Chooses, at every step, the event whose label the schedule recorded for that step.
pub struct ReplayScheduler {
    schedule: Vec<String>,
    next: usize,
    strategy: String,
}

impl ReplayScheduler {
    /// Follows `schedule`, one decision per step.
    pub fn new(schedule: Vec<String>) -> Self {
        ReplayScheduler {
            schedule,
            next: 0,
            strategy: "replay".to_owned(),
        }
    }

    /// Reports `strategy` (the original run's) as its own, so a replayed trace is identical.
    pub fn on_behalf_of(mut self, strategy: &str) -> Self {
        self.strategy = strategy.to_owned();
        self
    }
}

impl Scheduler for ReplayScheduler {
    fn choose(&mut self, step: u64, enabled: &Enabled<'_>) -> Result<usize, Divergence> {
        let Some(expected) = self.schedule.get(self.next) else {
            return Err(Divergence {
                step,
                message: format!(
                    "the schedule ends, but the run goes on; enabled: {}",
                    enabled.labels().join("; ")
                ),
            });
        };
        match enabled.position(expected) {
            Some(index) => {
                self.next += 1;
                Ok(index)
            }
            None => Err(Divergence::not_enabled(step, expected, &enabled.labels())),
        }
    }

    fn strategy(&self) -> String {
        self.strategy.clone()
    }

    fn finish(&mut self, step: u64) -> Result<(), Divergence> {
        match self.schedule.get(self.next) {
            None => Ok(()),
            Some(expected) => Err(Divergence {
                step: step.saturating_add(1),
                message: format!(
                    "schedule says {expected}, but {expected} is not enabled; enabled: nothing (the run is over)"
                ),
            }),
        }
    }

    fn finish_at_limit(&mut self, step: u64) -> Result<(), Divergence> {
        match self.schedule.get(self.next) {
            None => Ok(()),
            Some(expected) => Err(Divergence {
                step: step.saturating_add(1),
                message: format!("schedule says {expected}, but the run stopped at its step limit"),
            }),
        }
    }
}
