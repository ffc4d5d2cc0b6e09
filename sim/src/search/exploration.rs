//! What an exhaustive search did and found, and how the reports of its shards add up.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::drive::run::RunReport;
use crate::search::Reduction;

/// What an exhaustive search did and found (serialised without `found`, as a shard's file
/// holds it).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Exploration {
    /// Runs that reached their end (passed, failed, or stopped at `max_depth`).
    pub schedules: u64,
    /// Runs cut short at a visited state or by their sleep set (nothing new below).
    pub pruned: u64,
    /// Unique states seen.
    pub states: u64,
    /// Runs (of `schedules` and `pruned`) that started from a copy of the world made where
    /// they branch off, instead of replaying from the initial state ([`crate::DfsOptions::stateful`]).
    #[serde(default)]
    pub restored: u64,
    /// The most steps a run took.
    pub max_depth: u64,
    /// Whether some run was stopped at `max_depth`: what lies beyond was not explored.
    pub depth_limited: bool,
    /// How many of the `schedules` were stopped at `max_depth` (all of them: no run reached
    /// its end).
    pub cut_runs: u64,
    /// Whether `max_states`, `max_runs` or `max_time` ran out before the space was explored.
    pub budget_ran_out: bool,
    /// The first failing run, with its trace.
    #[serde(skip)]
    pub found: Option<RunReport>,
    /// Runs that failed (more than one only with `keep_going`).
    pub failures: u64,
    /// Distinct states passing runs ended in, by fingerprint, call numbers aside.
    pub end_states: u64,
    /// Distinct failures (kind, process, message; call numbers aside).
    pub distinct_failures: u64,
    /// The reduction the search used: the one asked for, except that DPOR gives way to
    /// state hashing for a system whose time races its deliveries, and in a sharded search.
    pub reduction: Reduction,
    /// What a shard saw, for [`Exploration::merge`] (only from a search with
    /// [`crate::DfsOptions::shard`]).
    pub seen: Option<Seen>,
    /// Whether states were counted up to permutations of interchangeable processes
    /// ([`crate::World::interchangeable`]).
    #[serde(default)]
    pub symmetry: Symmetry,
}

/// Whether a search counted states up to permutations of the system's groups of
/// interchangeable processes ([`crate::World::interchangeable`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Symmetry {
    /// The system declared no group.
    #[default]
    Undeclared,
    /// Every state was fingerprinted as its canonical representative: `states` and
    /// `end_states` count states up to the groups' permutations.
    Used,
    /// Used, except for the states it could not rename (counted as they are, apart from
    /// the others), for these reasons.
    Partly(Vec<String>),
    /// Declared but not used, for this reason (states are counted as they are).
    Ignored(String),
}

impl Symmetry {
    /// One phrase for a report ("symmetry: ..."), or `None` if no group was declared.
    pub fn describe(&self) -> Option<String> {
        match self {
            Symmetry::Undeclared => None,
            Symmetry::Used => Some("symmetry reduction".to_owned()),
            Symmetry::Partly(reasons) => Some(format!(
                "symmetry reduction, except in states where {}",
                reasons.join("; ")
            )),
            Symmetry::Ignored(reason) => Some(format!("symmetry declared but ignored: {reason}")),
        }
    }
}

/// The states, end states and failures one shard of a search saw: what the shards' reports
/// cannot be added up without.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    /// The fingerprints of the states visited, sorted.
    pub states: Vec<u64>,
    /// The fingerprints of the states passing runs ended in, sorted.
    pub ends: Vec<u64>,
    /// The distinct failures (kind, process, message; call numbers aside), sorted.
    pub failures: Vec<String>,
}

impl Exploration {
    /// Whether every order was explored to its end without a failure: no budget ran out and
    /// no run was cut at the depth limit.
    pub fn verified(&self) -> bool {
        self.found.is_none() && !self.budget_ran_out && !self.depth_limited
    }

    /// One line: "no failure: verified within bounds", "budget ran out", "cut at the depth
    /// limit" or the failure.
    pub fn verdict(&self) -> String {
        match &self.found {
            Some(report) => match report.failure() {
                Some(failure) => format!("FAILED at {failure}"),
                None => "failed".to_owned(),
            },
            None if self.budget_ran_out => "no failure, but the budget ran out".to_owned(),
            None if self.depth_limited => format!(
                "no failure, but {} of {} runs were cut at the depth limit: not verified",
                self.cut_runs, self.schedules
            ),
            None => "no failure: verified within bounds (every run finished)".to_owned(),
        }
    }

    /// The report of a whole search from the reports of its shards (each from a search with
    /// [`crate::DfsOptions::shard`], one per shard): states, end states and distinct
    /// failures are those of the shards' sets together, which are the serial search's;
    /// runs are added up; the failure shown is the first shard's that found one.
    pub fn merge(shards: &[Exploration]) -> Exploration {
        let (mut states, mut ends, mut failures) =
            (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
        let mut merged = Exploration::default();
        for shard in shards {
            merged.schedules += shard.schedules;
            merged.pruned += shard.pruned;
            merged.restored += shard.restored;
            merged.failures += shard.failures;
            merged.cut_runs += shard.cut_runs;
            merged.max_depth = merged.max_depth.max(shard.max_depth);
            merged.depth_limited |= shard.depth_limited;
            merged.budget_ran_out |= shard.budget_ran_out;
            merged.reduction = shard.reduction;
            merged.symmetry = shard.symmetry.clone();
            if merged.found.is_none() {
                merged.found = shard.found.clone();
            }
            if let Some(seen) = &shard.seen {
                states.extend(&seen.states);
                ends.extend(&seen.ends);
                failures.extend(seen.failures.iter().cloned());
            }
        }
        merged.states = states.len() as u64;
        merged.end_states = ends.len() as u64;
        merged.distinct_failures = failures.len() as u64;
        merged.seen = Some(Seen {
            states: states.into_iter().collect(),
            ends: ends.into_iter().collect(),
            failures: failures.into_iter().collect(),
        });
        merged
    }
}
