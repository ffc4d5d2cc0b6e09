//! Fault injection: opt-in per system, chosen by the scheduler, recorded in the schedule.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use genserver::ProcessId;

/// Which faults a run may inject, and how many.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Faults {
    /// Servers that may be crashed, and whether a crash restarts them from `init` at once
    /// (as a supervisor would).
    pub crash: BTreeMap<ProcessId, Restart>,
    /// Registered names whose holder may be crashed (never restarted by the fault: a
    /// supervisor restarts it, as a new process).
    pub crash_named: BTreeSet<String>,
    /// Whether a message at the head of a queue may be dropped.
    pub drop: bool,
    /// If set, a message at the head of a queue may be held back this long.
    pub delay: Option<Duration>,
    /// The most faults one run may inject.
    pub budget: u32,
    /// How often the random scheduler picks a fault when one is enabled (0 to 1; see
    /// [`Faults::chance`]).
    pub probability: f64,
}

/// What happens after a fault crashes a server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Restart {
    /// It stays dead.
    Never,
    /// It is started again from `init` in the same step, under the same id and name, as a
    /// new sender: its messages are not ordered after those its earlier life sent.
    AtOnce,
}

impl Faults {
    /// No faults at all (the default).
    pub fn none() -> Self {
        Faults::default()
    }

    /// The probability made valid: clamped to 0..=1, and 0 if it is not a number.
    pub fn chance(&self) -> f64 {
        match self.probability {
            p if p.is_nan() => 0.0,
            p => p.clamp(0.0, 1.0),
        }
    }

    /// Whether any fault is possible.
    pub fn any(&self) -> bool {
        self.budget > 0
            && (!self.crash.is_empty()
                || !self.crash_named.is_empty()
                || self.drop
                || self.delay.is_some())
    }
}
