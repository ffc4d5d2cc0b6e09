//! Splitting an exhaustive search into shards. The tree of choices is cut at a fixed depth,
//! the first at which the search itself (with its sleep sets, which leave most orders of
//! the full tree unexplored) reaches [`PER_SHARD`] subtrees per shard, or where it ends.
//! Every shard explores the tree above the cut whole (without skipping visited states
//! there, so every shard sees the same tree above it and the same subtrees at the cut) and
//! below the cut only the subtrees it owns ([`Split::owns`]).
//!
//! Owners are dealt out over the subtrees in the order the serial search reaches them,
//! snake-wise (shards 1, 2, …, N, N, …, 2, 1, 1, 2, …): with sleep sets the first choices
//! at a decision point have the big subtrees and the later ones small (their sleep sets
//! leave asleep what the earlier ones explored), so each shard gets big and small ones
//! alike. Every shard finds the same subtrees in the same order before it starts (a probe
//! of the tree above the cut, on one thread), so all agree on every owner.
//!
//! Subtrees of a search with state hashing reach the same states (their orders converge),
//! so each shard would explore nearly all of them. Where the system's events have
//! footprints that say when two of them commute (no time racing deliveries, as for DPOR),
//! state hashing carries sleep sets (`search.rs`): once a subtree was explored from a
//! decision point, the later choices there do not try again the events independent of
//! theirs, so a state is reached from one subtree, not from all of them, and the work
//! splits. States reached again through dependent events in the subtrees of two shards are
//! explored by both (the shards share no visited set).

use std::collections::BTreeMap;
use std::hash::Hash;

use crate::drive::options::Shard;
use crate::scheduler::Divergence;
use crate::search::DfsOptions;
use crate::search::worker::Search;
use crate::system::System;
use crate::world::fingerprint::hash_with;

/// Subtrees per shard the cut aims at, so that shards get similar work.
pub(crate) const PER_SHARD: usize = 64;

/// Where a sharded search cuts its tree, and which shard this search is.
#[derive(Clone, Debug)]
pub(crate) struct Split {
    /// The depth of the cut (choices above it).
    pub depth: usize,
    /// This shard.
    pub shard: Shard,
    /// The rank of each run down to the cut (by [`path_key`]) in the serial search's
    /// order: the subtrees at the cut, and the runs that end above it. `None` while the cut
    /// is probed: no shard owns anything then.
    pub ranks: Option<BTreeMap<u64, u64>>,
}

impl Split {
    /// Whether this shard owns the runs that start with `path` (the choices of a run down
    /// to the cut, or all of them for a run that ends above it): by the rank of the path,
    /// dealt out snake-wise, or (for a path the probe did not reach) by a fixed hash of its
    /// labels, so that every shard agrees whatever it explored before, on any thread.
    pub fn owns<'a>(&self, path: impl Iterator<Item = &'a str>) -> bool {
        let Some(ranks) = &self.ranks else {
            return false;
        };
        let key = path_key(path, self.depth);
        let count = self.shard.count;
        let owner = match ranks.get(&key) {
            Some(rank) => match rank % (2 * count) {
                turn if turn < count => turn,
                turn => 2 * count - 1 - turn,
            },
            None => key % count,
        };
        owner == self.shard.index - 1
    }
}

/// A fixed hash of the labels of `path` down to `depth`.
pub(crate) fn path_key<'a>(path: impl Iterator<Item = &'a str>, depth: usize) -> u64 {
    hash_with(|mut h| path.take(depth).for_each(|label| label.hash(&mut h)))
}

/// The split of the search for `shard` (with sleep sets if `sleep`): the first depth at
/// which the search reaches [`PER_SHARD`] subtrees per shard, or the depth at which it ends,
/// with the ranks of the runs down to it.
pub(crate) fn split_for(
    system: &dyn System,
    options: &DfsOptions,
    shard: Shard,
    sleep: bool,
) -> Result<Split, Divergence> {
    let count = usize::try_from(shard.count).unwrap_or(usize::MAX);
    let wanted = count.saturating_mul(PER_SHARD) as u64;
    let probe = DfsOptions {
        keep_going: true,
        max_runs: u64::MAX,
        max_time: None,
        jobs: 1,
        ..options.clone()
    };
    let mut depth = 1;
    loop {
        let split = Split {
            depth,
            shard,
            ranks: None,
        };
        let search = Search::new(system, &probe, 1, Some(split), sleep);
        search.work(&mut |_| {});
        let tally = search.tally.into_inner().unwrap_or_else(|p| p.into_inner());
        if let Some(divergence) = tally.error {
            return Err(divergence);
        }
        let ended = tally.cuts == 0 || tally.report.budget_ran_out;
        if ended || tally.cuts >= wanted || depth as u64 >= options.max_depth {
            let mut ranks = BTreeMap::new();
            for (rank, key) in (0..).zip(tally.paths) {
                ranks.entry(key).or_insert(rank);
            }
            let ranks = Some(ranks);
            return Ok(Split {
                depth,
                shard,
                ranks,
            });
        }
        depth += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::{Shard, Split, path_key};

    #[test]
    fn every_path_has_one_owner() {
        // Ranked paths are dealt out snake-wise; the others by their hash.
        let ranks: std::collections::BTreeMap<u64, u64> = (0..)
            .zip(["a", "b", "c", "d", "e", "f"])
            .map(|(rank, x)| (path_key([x, x].into_iter(), 2), rank))
            .collect();
        let splits: Vec<Split> = (1..=3)
            .map(|index| Split {
                depth: 2,
                shard: Shard { index, count: 3 },
                ranks: Some(ranks.clone()),
            })
            .collect();
        let dealt: Vec<usize> = ["a", "b", "c", "d", "e", "f"]
            .into_iter()
            .map(|x| {
                (0..3)
                    .find(|&k| splits[k].owns([x, x].into_iter()))
                    .unwrap()
            })
            .collect();
        assert_eq!(dealt, [0, 1, 2, 2, 1, 0]);
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
