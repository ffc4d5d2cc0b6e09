//! Splitting an exhaustive search into shards. The tree of choices is cut at a fixed depth
//! (the first at which it has [`PER_SHARD`] subtrees per shard, or where it ends), and
//! every run is owned by one shard, picked by a fixed hash of its first choices down to the
//! cut ([`Split::owns`]): shard `K` of `N` explores the tree above the cut whole (without
//! skipping visited states there, so every shard sees the same tree above it) and below the
//! cut only the subtrees it owns.
//!
//! Subtrees of a search with state hashing reach the same states (their orders converge),
//! so each shard would explore nearly all of them. Where the system's events have
//! footprints that say when two of them commute (no time racing deliveries, as for DPOR),
//! state hashing carries sleep sets (`search.rs`): once a subtree was explored from a
//! decision point, the later choices there do not try again the events independent of
//! theirs, so a state is reached from one subtree, not from all of them, and the work
//! splits.

use std::hash::{DefaultHasher, Hash, Hasher};

use crate::drive::options::Shard;
use crate::drive::run::run_world;
use crate::scheduler::{Divergence, Enabled, Scheduler};
use crate::search::DfsOptions;
use crate::search::explorer::follow;
use crate::system::System;

/// Subtrees per shard the cut aims at, so that shards get similar work.
pub(crate) const PER_SHARD: usize = 64;

/// Where a sharded search cuts its tree, and which shard this search is.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Split {
    /// The depth of the cut (choices above it).
    pub depth: usize,
    /// This shard.
    pub shard: Shard,
}

impl Split {
    /// Whether this shard owns the runs that start with `path` (the choices of a run down
    /// to the cut, or all of them for a run that ends above it): a fixed hash of the
    /// labels, so that every shard agrees whatever it explored before, on any thread.
    pub fn owns<'a>(&self, path: impl Iterator<Item = &'a str>) -> bool {
        let mut hasher = DefaultHasher::new();
        for label in path.take(self.depth) {
            label.hash(&mut hasher);
        }
        hasher.finish() % self.shard.count == self.shard.index - 1
    }
}

/// The split of the search for `shard`: the first depth at which the tree (every order, no
/// reduction) has [`PER_SHARD`] subtrees per shard, or the depth at which it ends.
pub(crate) fn split_for(
    system: &dyn System,
    options: &DfsOptions,
    shard: Shard,
) -> Result<Split, Divergence> {
    let count = usize::try_from(shard.count).unwrap_or(usize::MAX);
    let wanted = count.saturating_mul(PER_SHARD);
    // Each prefix with whether the run ends there (a subtree of one run, not probed again).
    let mut level: Vec<(Vec<String>, bool)> = vec![(Vec::new(), false)];
    let mut depth = 0;
    loop {
        let mut next = Vec::new();
        let mut deeper = false;
        for (prefix, ends) in level {
            let children = match ends {
                true => Vec::new(),
                false => children(system, options, &prefix)?,
            };
            if children.is_empty() {
                next.push((prefix, true));
                continue;
            }
            deeper = true;
            for label in children {
                let mut child = prefix.clone();
                child.push(label);
                next.push((child, false));
            }
        }
        level = next;
        if !deeper {
            break;
        }
        depth += 1;
        if level.len() >= wanted || depth as u64 >= options.max_depth {
            break;
        }
    }
    Ok(Split { depth, shard })
}

/// The choices after `prefix` (none where the run ends there).
fn children(
    system: &dyn System,
    options: &DfsOptions,
    prefix: &[String],
) -> Result<Vec<String>, Divergence> {
    let mut probe = Probe {
        prefix,
        enabled: Vec::new(),
        stopped: false,
    };
    let (_world, verdict) = run_world(system, options.max_depth, false, true, &mut probe);
    match verdict {
        Err(divergence) if !probe.stopped => Err(divergence),
        _ => Ok(probe.enabled),
    }
}

/// Follows a prefix and stops where it ends.
struct Probe<'a> {
    prefix: &'a [String],
    enabled: Vec<String>,
    stopped: bool,
}

impl Scheduler for Probe<'_> {
    fn strategy(&self) -> String {
        "dfs".to_owned()
    }

    fn choose(&mut self, step: u64, enabled: &Enabled<'_>) -> Result<usize, Divergence> {
        match self.prefix.get((step - 1) as usize) {
            Some(wanted) => follow(step, wanted, None, enabled),
            None => {
                self.enabled = enabled.labels();
                self.stopped = true;
                Err(Divergence {
                    step,
                    message: "the split stopped this run".to_owned(),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Shard, Split};

    #[test]
    fn every_path_has_one_owner() {
        let splits: Vec<Split> = (1..=3)
            .map(|index| Split {
                depth: 2,
                shard: Shard { index, count: 3 },
            })
            .collect();
        let labels = ["a", "b", "c", "d", "e"];
        let mut owned = [0; 3];
        for x in labels {
            for y in labels {
                let path = [x, y, "ignored below the cut"];
                let owners: Vec<usize> = (0..3)
                    .filter(|&k| splits[k].owns(path.iter().copied()))
                    .collect();
                assert_eq!(owners.len(), 1, "{path:?}");
                owned[owners[0]] += 1;
                let other = [x, y, "another"];
                assert!(splits[owners[0]].owns(other.iter().copied()));
            }
        }
        assert!(owned.iter().all(|&n| n > 0), "{owned:?}");
    }
}
