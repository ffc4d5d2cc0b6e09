//! Following a schedule by the identity of its events rather than their full labels: what
//! the shrinker's candidates and loose replay do.
//!
//! A label carries payloads: leave out an earlier step, or rename a field, and a later
//! `deliver reply Balance #2 bank → alice: Ok(80)` becomes `deliver reply Balance #2 bank →
//! alice: Ok(90)`, the same event of the story with another value. Its identity, the label
//! up to `: ` ([`identity`]), names what happens to which message: the kind, the head of
//! what it carries (`Balance`), its number among its sender's messages of that kind and head
//! to that receiver (a reply is named after its call), the sender and the receiver. Events
//! that move no message are named by their process (a timer by its number on that server, a
//! timeout after its call).

use crate::scheduler::labels::identity;
use crate::scheduler::{Divergence, Enabled, Scheduler};

/// What a follower does when the next planned event is not enabled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Newcomers {
    /// Skip ahead to the first later planned event that is enabled; take events the plan
    /// does not know only when none is (the shrinker: events left out of a plan come last).
    Last,
    /// Take an event the plan does not know first, if one is enabled (loose replay: edited
    /// code brings new events in, and the plan's next event may follow from them); skip
    /// ahead only when every enabled event is planned later.
    First,
}

/// Follows a plan of event identities where it can, skipping planned events that do not
/// happen and taking new ones in a fixed order (the first enabled event that is neither a
/// fault nor a jump of time): a deterministic run, close to the plan.
pub(crate) struct Follow {
    /// The planned steps: the identity to match, and the label (for the report).
    plan: Vec<(String, String)>,
    /// The identity of an enabled event's label, comparable with the plan's.
    key: fn(&str) -> String,
    next: usize,
    newcomers: Newcomers,
    /// The strategy the run reports (the recorded one, for a loose replay).
    strategy: String,
    taken: Vec<String>,
    kept: usize,
    skipped: Vec<String>,
    new: Vec<String>,
    /// Detours: at these steps (1-based, ascending), take the `n`-th enabled event other than
    /// the one the plan gives (neither a fault nor a jump of time) instead.
    detours: Vec<(u64, usize)>,
    /// Detours that found no such event (the run then went as planned there).
    void_detours: usize,
}

/// What a follower did with its plan.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Followed {
    /// The labels of the run's steps, in order.
    pub taken: Vec<String>,
    /// How many planned steps were taken.
    pub kept: usize,
    /// The planned steps (their labels) that were not taken, in plan order.
    pub skipped: Vec<String>,
    /// The steps the plan did not know (their labels), in run order.
    pub new: Vec<String>,
}

impl Follow {
    /// Follows the identities of the labels in `plan`.
    pub(crate) fn new(plan: &[String], newcomers: Newcomers) -> Self {
        let plan = plan.iter().map(|l| (identity(l).to_owned(), l.clone()));
        Follow::with_keys(plan.collect(), |l| identity(l).to_owned(), newcomers)
    }

    /// Follows `plan` (identity and label of each step), matching `key` of enabled labels.
    pub(crate) fn with_keys(
        plan: Vec<(String, String)>,
        key: fn(&str) -> String,
        newcomers: Newcomers,
    ) -> Self {
        Follow {
            plan,
            key,
            next: 0,
            newcomers,
            strategy: "guided".to_owned(),
            taken: Vec::new(),
            kept: 0,
            skipped: Vec::new(),
            new: Vec::new(),
            detours: Vec::new(),
            void_detours: 0,
        }
    }

    /// Takes a detour at each of these steps (1-based, ascending): the `n`-th enabled event
    /// other than the planned one, then follows the plan on.
    pub(crate) fn with_detours(mut self, detours: Vec<(u64, usize)>) -> Self {
        self.detours = detours;
        self
    }

    /// How many detours found no other event to take.
    pub(crate) fn void_detours(&self) -> usize {
        self.void_detours
    }

    /// Reports `strategy` as its own (a loose replay reports the recorded run's).
    pub(crate) fn on_behalf_of(mut self, strategy: &str) -> Self {
        self.strategy = strategy.to_owned();
        self
    }

    /// What was taken, kept, skipped and new (planned steps never reached are skipped).
    pub(crate) fn followed(mut self) -> Followed {
        let rest = self.plan.len().min(self.next)..self.plan.len();
        self.skipped
            .extend(self.plan.drain(rest).map(|(_, label)| label));
        Followed {
            taken: self.taken,
            kept: self.kept,
            skipped: self.skipped,
            new: self.new,
        }
    }

    /// The enabled event to take, and how far the plan moves (`None`: a new event).
    fn pick(&self, ids: &[String], optional: impl Fn(usize) -> bool) -> (usize, Option<usize>) {
        let remaining = &self.plan[self.next.min(self.plan.len())..];
        let planned_at = |id: &str| remaining.iter().position(|(p, _)| p == id);
        let new = (0..ids.len()).find(|&i| !optional(i) && planned_at(&ids[i]).is_none());
        let first = remaining.first().map(|(p, _)| p);
        if let Some(index) = ids.iter().position(|id| Some(id) == first) {
            return (index, Some(0));
        }
        if let (Newcomers::First, Some(index)) = (self.newcomers, new) {
            return (index, None);
        }
        let later = remaining.iter().enumerate().find_map(|(at, (planned, _))| {
            let index = ids.iter().position(|id| id == planned)?;
            Some((index, Some(at)))
        });
        later.unwrap_or_else(|| {
            let index = (0..ids.len()).find(|&i| !optional(i));
            (index.unwrap_or(0), None)
        })
    }
}

impl Scheduler for Follow {
    fn strategy(&self) -> String {
        self.strategy.clone()
    }

    fn choose(&mut self, step: u64, enabled: &Enabled<'_>) -> Result<usize, Divergence> {
        let labels = enabled.labels();
        let ids: Vec<String> = labels.iter().map(|l| (self.key)(l)).collect();
        let optional = |i: usize| enabled.is_fault(i) || enabled.is_advance(i);
        let (mut index, mut moved) = self.pick(&ids, optional);
        if let Some(&(_, nth)) = self.detours.iter().find(|(at, _)| *at == step) {
            let other = (0..ids.len())
                .filter(|&i| i != index && !optional(i))
                .nth(nth);
            match other {
                Some(other) => (index, moved) = (other, None),
                None => self.void_detours += 1,
            }
        }
        match moved {
            Some(at) => {
                let from = self.next;
                let passed = self.plan[from..from + at].iter().map(|(_, label)| label);
                self.skipped.extend(passed.cloned());
                self.next = from + at + 1;
                self.kept += 1;
            }
            None => self.new.push(labels[index].clone()),
        }
        // A replay takes the first event of a label: take it too, so that the labels of
        // this run replay it exactly.
        let index = enabled.position(&labels[index]).unwrap_or(index);
        self.taken.push(labels[index].clone());
        Ok(index)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use crate::drive::run::run_with;
    use crate::scheduler::labels::identity;
    use crate::scheduler::random::RandomScheduler;
    use crate::zoo::systems;

    /// Every message has one identity: no two deliveries (or drops) of a run share one.
    #[test]
    fn each_message_is_taken_once() {
        for entry in systems() {
            for seed in 0..20 {
                let mut random = RandomScheduler::new(seed);
                let report = run_with(entry.system, seed, 2_000, true, &mut random).unwrap();
                let trace = report.trace.unwrap();
                let moved: Vec<&str> = (trace.schedule().into_iter())
                    .filter(|l| l.starts_with("deliver ") || l.starts_with("drop "))
                    .map(|l| identity(l).trim_start_matches("drop "))
                    .map(|l| l.trim_start_matches("deliver "))
                    .collect();
                let distinct: BTreeSet<_> = moved.iter().collect();
                assert_eq!(distinct.len(), moved.len(), "{} seed {seed}", entry.name);
            }
        }
    }
}
