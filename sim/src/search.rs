//! Exhaustive depth-first search over every order the semantics allow.
//!
//! The search is stateless in the way of loom and shuttle: to try another branch it runs the
//! system again from scratch, following the recorded prefix, so no state needs `Clone`.
//! Two reductions keep it small:
//!
//! - **Partial-order reduction** ([`Reduction::Dpor`], the default): source-set DPOR with sleep sets
//!   ([`crate::search::dpor`]). Only the order of dependent events (two events on one process, or an
//!   exit and a send to the exiting process, or events on servers an invariant reads) is
//!   varied; faults are tried at every step. Visited states are counted, not skipped (DPOR
//!   and state caching together need more care than they are worth here).
//! - **State hashing** ([`Reduction::StateHashing`]): DFS that skips every state it has seen at the
//!   same or a smaller depth ([`World::hash_state`] lets a system merge more states). Where
//!   footprints commute (no time racing deliveries, as for DPOR) it carries sleep sets too:
//!   once a choice's subtree was explored, the later choices at that decision point leave
//!   asleep the events independent of it, whose orders with it were explored. That reaches
//!   the same states in fewer runs; a state reached with a sleep set is skipped later only
//!   when reached with the same set, or once explored with none (`search/visited.rs`).
//!   Not with symmetry (below), whose permutations sleep sets do not follow, except in a
//!   sharded search ([`DfsOptions::shard`]).
//!
//! With state hashing, a system that declares interchangeable processes
//! ([`World::interchangeable`]) has its states fingerprinted up to a permutation of them
//! (symmetry reduction, `world/symmetry.rs`): `states` then counts canonical states, and
//! [`Exploration::symmetry`] says whether it was used, and where it stood aside (a state it
//! cannot rename is fingerprinted as it is). Invariants and checks must not single out one
//! member of a group; they then fail in the same runs, up to which member shows it.
//!
//! Budgets bound the depth of a run, the unique states and the runs; the report says whether
//! the space was explored in full ("verified within bounds") or a budget ran out.
//!
//! Limits of the reduction: events are compared by what the simulator sees, so clients that
//! share state outside messages (an `Rc` between two clients) must be treated as one; two
//! orders that differ only in call numbers (`#3` against `#4`) count as the same order; an
//! invariant that reads several servers orders all their events (it may see any state in
//! between). Fingerprints are 64-bit hashes: a collision could hide a state.

pub(crate) mod backtrack;
pub(crate) mod dpor;
mod exploration;
pub(crate) mod explorer;
pub(crate) mod footprint;
pub(crate) mod interner;
pub(crate) mod pool;
pub(crate) mod split;
pub(crate) mod visited;
pub(crate) mod worker;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::drive::options::Shard;
use crate::scheduler::Divergence;
use crate::search::worker::{Search, lock};
use crate::system::System;
use crate::world::World;

pub use exploration::{Exploration, Seen, Symmetry};

/// How an exhaustive search avoids exploring equivalent orders.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reduction {
    /// Source-set DPOR with sleep sets: one run per order of dependent events. (A system
    /// whose time races its deliveries, [`crate::World::set_max_latency`], is explored with
    /// state hashing instead: its independence cannot express jumps of time, see
    /// [`Exploration::reduction`].)
    #[default]
    Dpor,
    /// DFS that skips states it has seen (by fingerprint), with sleep sets where
    /// footprints commute (the same states in fewer runs; see the module's notes).
    StateHashing,
    /// Plain DFS over every interleaving (for comparison; exponential).
    Nothing,
}

/// Bounds and reductions of an exhaustive search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DfsOptions {
    /// The most steps of one run; deeper runs are cut (and the result says so).
    pub max_depth: u64,
    /// The most unique states; beyond, the budget ran out.
    pub max_states: u64,
    /// The most runs that reach their end (pass, fail, or stop at `max_depth`; runs pruned
    /// early are not counted); beyond, the budget ran out.
    pub max_runs: u64,
    /// The most wall-clock time the search may take; beyond, the budget ran out. (What was
    /// explored by then depends on the machine; the order of the search does not.)
    pub max_time: Option<Duration>,
    /// How equivalent orders are avoided.
    pub reduction: Reduction,
    /// Go on after the first failure (counting failures and end states) instead of stopping.
    pub keep_going: bool,
    /// Threads to search on (state hashing and plain DFS; DPOR takes one), see [`explore`].
    pub jobs: usize,
    /// Explore only this shard of the tree, for one of several machines or batch jobs: the
    /// tree is cut at a fixed depth, every shard explores it whole above the cut and, below,
    /// the subtrees dealt out to it in the order the search reaches them ([`Exploration::merge`]
    /// puts the shards' reports together). A sharded search uses state hashing or plain DFS
    /// (DPOR asked gives way to state hashing); with state hashing it carries sleep sets
    /// where DPOR could be used, so that the shards do not all explore the states their
    /// subtrees converge on (`search/split.rs`).
    pub shard: Option<Shard>,
    /// Restore a state the search goes back to from a copy of the world made when it was
    /// first reached, instead of replaying the run that reached it, wherever the system
    /// lets its servers be copied ([`World::clone_state`](crate::World::clone_state)).
    /// Results are the same either way; a replay also checks again that the system is
    /// deterministic on that prefix.
    pub stateful: bool,
}

impl Default for DfsOptions {
    fn default() -> Self {
        DfsOptions {
            max_depth: 200,
            max_states: 1_000_000,
            max_runs: 1_000_000,
            max_time: None,
            reduction: Reduction::Dpor,
            keep_going: false,
            jobs: 1,
            shard: None,
            stateful: true,
        }
    }
}

/// Explores every order of `system` within `options`; `progress` is called with the report
/// so far, after every run (on `jobs` threads, of which the calling thread is one: after its
/// runs at most every 100 ms, and once at the end). Fails only if the system is
/// nondeterministic (a prefix did not replay).
///
/// With [`DfsOptions::jobs`] above one, state hashing and plain DFS run on that many threads
/// sharing one visited set: the unique states, end states, distinct failures and whether the
/// space was verified are the serial search's (a state is explored from the smallest depth
/// it is reached at, whoever reaches it); the runs and pruned counts, and which failure is
/// reported first, depend on the threads' timing (the failure's trace replays it exactly).
/// DPOR runs on one thread: its backtracking points are found in other subtrees.
pub fn explore(
    system: &dyn System,
    options: &DfsOptions,
    progress: &mut dyn FnMut(&Exploration),
) -> Result<Exploration, Divergence> {
    let options = &DfsOptions {
        reduction: reduction_for(system, options),
        ..options.clone()
    };
    let (symmetric, symmetry) = symmetry_for(system, options.reduction);
    let system: &dyn System = match &symmetric {
        Some(symmetric) => symmetric,
        None => system,
    };
    let jobs = match options.reduction {
        Reduction::Dpor => 1,
        _ => crate::drive::parallel::threads(options.jobs, u64::MAX),
    };
    // Sleep sets name processes as they are: a state reached with one is not skipped as a
    // permutation of another, so with symmetry they explore more than they save (N = 4
    // interchangeable clients: 3x the time), except in shards, whose work they split.
    let sleep = match options.reduction {
        Reduction::Dpor => true,
        Reduction::StateHashing => {
            footprints_commute(system) && (options.shard.is_some() || symmetric.is_none())
        }
        Reduction::Nothing => false,
    };
    let split = match options.shard {
        Some(shard) => Some(split::split_for(system, options, shard, sleep)?),
        None => None,
    };
    let search = Search::new(system, options, jobs, split, sleep);
    search.work_on(jobs, progress);
    let mut tally = search.tally.into_inner().unwrap_or_else(|p| p.into_inner());
    if let Some(divergence) = tally.error {
        return Err(divergence);
    }
    tally.report.states = search.visited.len();
    tally.report.reduction = options.reduction;
    tally.report.symmetry = match (symmetry, &symmetric) {
        (Symmetry::Used, Some(symmetric)) => {
            let notes = lock(&symmetric.notes);
            match notes.is_empty() {
                true => Symmetry::Used,
                false => Symmetry::Partly(notes.iter().cloned().collect()),
            }
        }
        (symmetry, _) => symmetry,
    };
    if options.shard.is_some() {
        tally.report.seen = Some(tally.seen(search.visited.fingerprints()));
    }
    Ok(tally.report)
}

/// A system whose worlds fingerprint their states up to their groups' permutations, noting
/// where they could not.
struct Symmetric<'a> {
    system: &'a dyn System,
    notes: Arc<Mutex<BTreeSet<String>>>,
}

impl System for Symmetric<'_> {
    fn build(&self, world: &mut World) {
        self.system.build(world);
        world.symmetry.on = true;
        world.symmetry.notes = Some(self.notes.clone());
    }

    fn name(&self) -> &str {
        self.system.name()
    }
}

/// Whether a search of `system` with `reduction` uses the groups of interchangeable
/// processes it declares: only state hashing skips states by fingerprint (DPOR and plain
/// DFS count them), and only if the initial state can be renamed (every server hashes its
/// state). Returns the system to search then, and what the report says.
fn symmetry_for(system: &dyn System, reduction: Reduction) -> (Option<Symmetric<'_>>, Symmetry) {
    let mut world = World::new(false);
    system.build(&mut world);
    if world.symmetry.list.is_empty() {
        return (None, Symmetry::Undeclared);
    }
    let ignored = |why: &str| (None, Symmetry::Ignored(why.to_owned()));
    match reduction {
        Reduction::Dpor => ignored("DPOR counts states, it does not skip them"),
        Reduction::Nothing => ignored("every interleaving is explored"),
        Reduction::StateHashing => match world.symmetry_obstacle() {
            Some(reason) => (None, Symmetry::Ignored(reason)),
            None => {
                let notes = Arc::default();
                (Some(Symmetric { system, notes }), Symmetry::Used)
            }
        },
    }
}

/// Whether two events of `system` whose footprints are independent commute, as DPOR and
/// sleep sets assume: not where time races deliveries (see [`reduction_for`]).
fn footprints_commute(system: &dyn System) -> bool {
    let mut world = World::new(false);
    system.build(&mut world);
    world.max_latency == 0
}

/// The reduction a search of `system` can use. DPOR's independence cannot express a jump of
/// time: whether time may jump reads every message in flight and every deadline, so two
/// deliveries that commute (to different servers) still decide whether a jump fits between
/// them, and a reply that removes a timeout removes a jump no executed step ever races. A
/// system whose jumps of time race its deliveries is therefore searched with state hashing,
/// which assumes nothing about independence. (Measured, keep going, depth 50: on
/// lease-expiry DPOR took 9 440 runs and missed 48 of 2 296 end states, even with time
/// moves as global steps and a jump with no single enabler; hashing took 3 128 runs and
/// reached them all. On small generated systems DPOR missed up to a third of the states
/// plain DFS reaches: `tests/explore/time_races.rs`.)
///
/// A sharded search uses state hashing too: DPOR's backtracking points above the cut would
/// lie in other shards.
fn reduction_for(system: &dyn System, options: &DfsOptions) -> Reduction {
    match options.reduction {
        Reduction::Dpor if options.shard.is_some() => Reduction::StateHashing,
        Reduction::Dpor => match footprints_commute(system) {
            true => Reduction::Dpor,
            false => Reduction::StateHashing,
        },
        asked => asked,
    }
}
