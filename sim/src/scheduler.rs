//! The `Scheduler` trait: strategies choose among enabled events, the world does the rest.
//! One strategy per file: `random`, `pct`, `replay` (label by label), `follow` (by identity,
//! for the shrinker and loose replay), `canonical` (the order a whole system would deliver);
//! `labels` takes labels apart.

pub(crate) mod canonical;
pub(crate) mod follow;
pub(crate) mod labels;
pub(crate) mod pct;
pub(crate) mod random;
pub(crate) mod recorded;
pub(crate) mod replay;

use std::fmt;

use genserver::ProcessId;

use crate::search::interner::{Interner, Label};
use crate::world::World;
use crate::world::envelope::Body;
use crate::world::events::Event;

/// The events enabled at one step, as a scheduler sees them.
pub struct Enabled<'a> {
    pub(crate) world: &'a World,
    pub(crate) events: &'a [Event],
}

impl Enabled<'_> {
    /// How many processes the run has had so far (ids `1..=n`; processes are never removed).
    pub fn processes(&self) -> usize {
        self.world.procs.len()
    }

    /// The process whose step event `index` is: the sender of a message it delivers (for a
    /// reply, the caller, who waits for it), the process it acts on otherwise (a timer's
    /// server, a started client, a crashed server); `None` for a jump of time owned by none.
    pub fn stepper(&self, index: usize) -> Option<ProcessId> {
        let id = match self.events[index] {
            Event::Deliver {
                from,
                life,
                to,
                index,
            } => match self.world.net.get(from, life, to, index).map(|e| &e.body) {
                Some(Body::Reply { .. }) => to,
                _ => from,
            },
            event => self.world.actor(event),
        };
        Some(id).filter(|&id| id != ProcessId::EXTERNAL)
    }

    /// The step that sent the message event `index` moves (0: while the system was built);
    /// `None` for an event that moves no message.
    pub fn sent_at(&self, index: usize) -> Option<u64> {
        match self.events[index] {
            Event::Deliver {
                from,
                life,
                to,
                index,
            } => self.world.net.get(from, life, to, index).map(|e| e.sent),
            Event::Drop { from, life, to } | Event::Delay { from, life, to } => {
                self.world.net.get(from, life, to, 0).map(|e| e.sent)
            }
            _ => None,
        }
    }

    /// How many events are enabled (at least one when a scheduler is asked).
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether nothing is enabled.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Whether event `index` is an injected fault.
    pub fn is_fault(&self, index: usize) -> bool {
        self.events[index].is_fault()
    }

    /// Whether any enabled event is an injected fault.
    pub(crate) fn any_fault(&self) -> bool {
        self.events.iter().any(|event| event.is_fault())
    }

    /// Whether event `index` is a jump of time ([`crate::World::set_max_latency`]).
    pub fn is_advance(&self, index: usize) -> bool {
        matches!(self.events[index], Event::Advance(_))
    }

    /// How often a random strategy should pick a fault when one is enabled (0 to 1).
    pub fn fault_probability(&self) -> f64 {
        self.world.faults.chance()
    }

    /// The fault draw random and PCT share: with the system's fault probability (for sure
    /// when only faults are enabled) a fault is picked, uniformly among the enabled ones;
    /// otherwise `None`, and nothing more was drawn. The same draws as picking from lists of
    /// the faults and of the other events, without building the lists.
    pub(crate) fn draw_fault(&self, rng: &mut impl rand::Rng) -> Option<usize> {
        use rand::RngExt;
        let faults = (0..self.len()).filter(|&i| self.is_fault(i)).count();
        let pick_fault = faults > 0
            && (faults == self.len() || rng.random_bool(self.fault_probability().clamp(0.0, 1.0)));
        if !pick_fault {
            return None;
        }
        let nth = rng.random_range(0..faults);
        (0..self.len()).filter(|&i| self.is_fault(i)).nth(nth)
    }

    /// The readable label of event `index`, as the schedule records it.
    pub fn label(&self, index: usize) -> String {
        self.world.label(self.events[index])
    }

    /// Every label, in order.
    pub fn labels(&self) -> Vec<String> {
        (0..self.len()).map(|i| self.label(i)).collect()
    }

    /// Every label, in order, shared through `labels` (exhaustive search).
    pub(crate) fn shared_labels(&self, labels: &mut Interner) -> Vec<Label> {
        (self.events.iter())
            .map(|&event| self.world.shared_label(event, labels))
            .collect()
    }

    /// The index of the first event labelled `label`: a replay's lookup, rendering the
    /// labels only up to the one it finds.
    pub fn position(&self, label: &str) -> Option<usize> {
        (0..self.len()).position(|i| self.label(i) == label)
    }
}

/// A strategy that picks the next event (shuttle-style: the world stays apart from choice).
pub trait Scheduler {
    /// Picks one of the enabled events for step `step` (1-based), or reports that the run
    /// left the schedule the strategy follows.
    fn choose(&mut self, step: u64, enabled: &Enabled<'_>) -> Result<usize, Divergence>;

    /// The strategy's name, recorded in the trace header (`random`, `pct`, `dfs`, …).
    fn strategy(&self) -> String;

    /// Called when the run is over; a strategy following a schedule reports leftover steps.
    fn finish(&mut self, step: u64) -> Result<(), Divergence> {
        let _ = step;
        Ok(())
    }

    /// Called instead of [`Scheduler::finish`] when the run stopped at its step limit.
    fn finish_at_limit(&mut self, step: u64) -> Result<(), Divergence> {
        self.finish(step)
    }
}

/// Where a replayed run left its schedule or its trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    /// The step where it happened.
    pub step: u64,
    /// What differs, in words.
    pub message: String,
}

impl Divergence {
    /// The schedule's decision is not among the enabled events.
    pub fn not_enabled(step: u64, expected: &str, enabled: &[String]) -> Self {
        Divergence {
            step,
            message: format!(
                "schedule says {expected}, but {expected} is not enabled; enabled: {}",
                enabled.join("; ")
            ),
        }
    }
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "step {}: {}", self.step, self.message)
    }
}

impl std::error::Error for Divergence {}
