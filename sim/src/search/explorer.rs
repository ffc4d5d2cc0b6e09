//! The scheduler of exhaustive search: follow the stack's prefix, then open new decision
//! points (choosing an event that is not asleep, planning the backtracking of plain DFS and
//! the faults of DPOR, skipping visited states when hashing).

use std::hash::Hash;

use crate::scheduler::{Divergence, Enabled, Scheduler};
use crate::search::footprint::Footprint;
use crate::search::interner::{Interner, Label};
use crate::search::split::Split;
use crate::search::visited::Visited;
use crate::search::{DfsOptions, Reduction};
use crate::world::World;
use crate::world::fingerprint::hash_with;

/// One decision point of the current run.
pub(crate) struct Node {
    /// The labels enabled here, in the world's order.
    pub(crate) enabled: Vec<Label>,
    /// The virtual time here.
    pub(crate) now: u64,
    /// Events that need not be tried here (an equivalent order was explored), with their
    /// footprints.
    pub(crate) sleep: Vec<(Label, Footprint)>,
    /// Choices whose subtrees are explored, with their footprints.
    pub(crate) done: Vec<(Label, Footprint)>,
    /// Choices to try here (DPOR adds to it as it finds races).
    pub(crate) backtrack: Vec<Label>,
    /// The choice of the current run.
    pub(crate) chosen: Label,
    /// Where it stands among `enabled` (unknown for a prefix another worker handed over):
    /// a replay checks that one label instead of rendering the labels up to it.
    pub(crate) index: Option<usize>,
    /// Its footprint, once executed.
    pub(crate) touch: Option<Footprint>,
    /// A copy of the world here, before the choice (stateful search, where the world can be
    /// copied and another choice may be tried here).
    pub(crate) copy: Option<Box<World>>,
}

impl Node {
    /// A decision point of a prefix another worker explored: only its choice is known here,
    /// and nothing else is tried from it.
    pub(crate) fn given(chosen: Label) -> Self {
        Node {
            enabled: Vec::new(),
            now: 0,
            sleep: Vec::new(),
            done: Vec::new(),
            backtrack: Vec::new(),
            chosen,
            index: None,
            touch: None,
            copy: None,
        }
    }

    /// Makes `label`, one of `enabled`, the current choice.
    pub(crate) fn choose(&mut self, label: Label) {
        self.index = self.enabled.iter().position(|l| *l == label);
        self.chosen = label;
    }

    /// Whether `label` is the current choice or was explored.
    pub(crate) fn tried(&self, label: &str) -> bool {
        *self.chosen == *label || self.done.iter().any(|(l, _)| **l == *label)
    }
    /// Whether a choice to try here is left, besides the current one.
    pub(crate) fn untried(&self) -> bool {
        (self.backtrack.iter()).any(|label| !self.tried(label) && !self.asleep(label))
    }

    /// Whether `label` is in the sleep set.
    pub(crate) fn asleep(&self, label: &str) -> bool {
        self.sleep.iter().any(|(l, _)| **l == *label)
    }
}

/// Why the explorer stopped a run early.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cut {
    /// At a visited state (hashing) or with every enabled event asleep (DPOR).
    Pruned,
    /// `max_states` ran out.
    Budget,
    /// At the cut of a sharded search, in a subtree another shard owns.
    Elsewhere,
}

/// Follows the prefix of the stack, then extends it with fresh decision points.
pub(crate) struct Explorer<'a> {
    /// The decision points of the run so far.
    pub(crate) stack: &'a mut Vec<Node>,
    /// How many of them the run replays before it opens new ones.
    pub(crate) prefix: usize,
    /// Fingerprints seen, with the smallest depth each was seen at.
    pub(crate) visited: &'a Visited,
    /// Bounds and reduction.
    pub(crate) options: &'a DfsOptions,
    /// Why the run was stopped, if it was.
    pub(crate) cut: Option<Cut>,
    /// Where a sharded search cuts its tree, and which shard this is.
    pub(crate) split: Option<&'a Split>,
    /// Whether decision points carry sleep sets (DPOR does; state hashing does where the
    /// system's footprints commute, see `search.rs`).
    pub(crate) sleep: bool,
    /// The labels this worker has seen, shared.
    pub(crate) labels: &'a mut Interner,
}

impl Scheduler for Explorer<'_> {
    fn strategy(&self) -> String {
        "dfs".to_owned()
    }

    fn choose(&mut self, step: u64, enabled: &Enabled<'_>) -> Result<usize, Divergence> {
        let k = (step - 1) as usize;
        let world = enabled.world;
        if let (Some(touch), Some(parent)) = (
            world.touches.as_ref().and_then(|t| t.last()),
            k.checked_sub(1).and_then(|p| self.stack.get_mut(p)),
        ) {
            parent.touch = Some(Footprint::clone(touch));
        }
        if k < self.prefix {
            let node = &mut self.stack[k];
            // A decision point handed over by another worker (only its choices known) has
            // its copy made on the way to it, where it has choices left to try.
            let given = node.enabled.is_empty() && node.copy.is_none();
            if self.options.stateful && given && node.untried() {
                node.copy = world.fork();
            }
            return follow(step, &node.chosen, node.index, enabled);
        }
        let depth = k as u64;
        let hashing = self.options.reduction == Reduction::StateHashing;
        // Above the cut of a sharded search, every shard explores the same tree: no state
        // is skipped there, since what a shard saw below decides nothing above.
        let above = self.split.is_some_and(|split| k < split.depth);
        if let Some(split) = self.split.filter(|split| k == split.depth) {
            if !split.owns(self.stack.iter().map(|node| &*node.chosen)) {
                return self.stop(step, Cut::Elsewhere);
            }
        }
        let sleep: Vec<(Label, Footprint)> = match k.checked_sub(1).map(|p| &self.stack[p]) {
            Some(parent) if self.sleep => {
                let visible = world.visible.borrow();
                let last = parent.touch.as_ref().expect("the parent step was executed");
                (parent.sleep.iter().chain(&parent.done))
                    .filter(|(label, touch)| {
                        *label != parent.chosen && !touch.depends(last, &visible)
                    })
                    .cloned()
                    .collect()
            }
            _ => Vec::new(),
        };
        let fingerprint = world.fingerprint();
        let asleep = (hashing && !sleep.is_empty()).then(|| asleep_key(world, fingerprint, &sleep));
        let max_states = self.options.max_states;
        let cut = (self.visited).visit(fingerprint, asleep, depth, hashing && !above, max_states);
        if let Some(cut) = cut {
            return self.stop(step, cut);
        }
        // Rendered only for a state the search goes on from.
        let labels = enabled.shared_labels(self.labels);
        let awake = || (0..labels.len()).filter(|&i| !sleep.iter().any(|(l, _)| *l == labels[i]));
        let Some(index) = (awake().find(|&i| !enabled.is_fault(i))).or_else(|| awake().next())
        else {
            return self.stop(step, Cut::Pruned);
        };
        let backtrack: Vec<Label> = if self.options.reduction == Reduction::Dpor {
            let faults = awake().filter(|&i| enabled.is_fault(i) && i != index);
            std::iter::once(index)
                .chain(faults)
                .map(|i| labels[i].clone())
                .collect()
        } else {
            awake().map(|i| labels[i].clone()).collect()
        };
        // Another choice may be tried here: with DPOR, any one enabled (races found later);
        // otherwise one of the others planned (none where the rest are asleep).
        let others = match self.options.reduction {
            Reduction::Dpor => labels.len() > 1,
            _ => backtrack.len() > 1,
        };
        let copy = (self.options.stateful && others)
            .then(|| world.fork())
            .flatten();
        self.stack.push(Node {
            chosen: labels[index].clone(),
            index: Some(index),
            enabled: labels,
            now: world.now,
            sleep,
            done: Vec::new(),
            backtrack,
            touch: None,
            copy,
        });
        Ok(index)
    }
}

impl Explorer<'_> {
    fn stop(&mut self, step: u64, cut: Cut) -> Result<usize, Divergence> {
        self.cut = Some(cut);
        let message = "the explorer stopped this run".to_owned();
        Err(Divergence { step, message })
    }
}

/// The key of a visit to the state `fingerprint` of `world` with the sleep set `sleep`:
/// of the state as it is (not up to symmetry: a sleep set names processes as they are)
/// and of the set, in its order.
fn asleep_key(world: &World, fingerprint: u64, sleep: &[(Label, Footprint)]) -> u64 {
    let exact = world.exact_fingerprint(fingerprint);
    hash_with(|mut h| {
        h.write_u64(exact);
        sleep.hash(&mut h);
    })
}

/// The position of `wanted`, the choice a prefix made at `step` (at `index`, if known: only
/// that label is rendered then): a replayed prefix that finds it missing means the system is
/// nondeterministic.
pub(crate) fn follow(
    step: u64,
    wanted: &str,
    index: Option<usize>,
    enabled: &Enabled<'_>,
) -> Result<usize, Divergence> {
    if let Some(index) = index.filter(|&i| i < enabled.len() && enabled.label(i) == wanted) {
        return Ok(index);
    }
    enabled.position(wanted).ok_or_else(|| Divergence {
        step,
        message: format!(
            "nondeterministic: {}",
            Divergence::not_enabled(step, wanted, &enabled.labels()).message
        ),
    })
}
