//! Splitting an exhaustive search into shards: the tree of choices is cut at a fixed depth
//! (the first at which it has [`PER_SHARD`] subtrees per shard, or where it ends), and
//! shard `K` of `N` explores the subtrees whose position is `K - 1` modulo `N`. Every shard
//! cuts the tree the same way and records the states above the cut, so the shards' visited
//! sets, merged ([`crate::Exploration::merge`]), are the serial search's.

use crate::drive::options::Shard;
use crate::drive::run::run_world;
use crate::scheduler::{Divergence, Enabled, Scheduler};
use crate::search::DfsOptions;
use crate::search::explorer::follow;
use crate::search::visited::Visited;
use crate::system::System;

/// Subtrees per shard the cut aims at, so that shards get similar work.
pub(crate) const PER_SHARD: usize = 8;

/// The subtrees (by their prefixes, in the tree's order) that `shard` explores; the states
/// above the cut go into `visited`.
pub(crate) fn subtrees_of(
    system: &dyn System,
    options: &DfsOptions,
    shard: Shard,
    visited: &Visited,
) -> Result<Vec<Vec<String>>, Divergence> {
    let count = usize::try_from(shard.count).unwrap_or(usize::MAX);
    let wanted = count.saturating_mul(PER_SHARD);
    // Each prefix with whether the run ends there (a subtree of one run, not probed again).
    let mut level: Vec<(Vec<String>, bool)> = vec![(Vec::new(), false)];
    loop {
        let mut next = Vec::new();
        let mut deeper = false;
        for (prefix, ends) in level {
            let children = match ends {
                true => Vec::new(),
                false => children(system, options, &prefix, visited)?,
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
        if !deeper || level.len() >= wanted {
            break;
        }
    }
    let index = (shard.index - 1) as usize;
    let prefixes = level.into_iter().map(|(prefix, _)| prefix);
    Ok(prefixes.skip(index).step_by(count).collect())
}

/// The choices after `prefix` (none where the run ends there); the states on the way are
/// recorded in `visited`.
fn children(
    system: &dyn System,
    options: &DfsOptions,
    prefix: &[String],
    visited: &Visited,
) -> Result<Vec<String>, Divergence> {
    let mut probe = Probe {
        prefix,
        visited,
        enabled: Vec::new(),
        stopped: false,
    };
    let (_world, verdict) = run_world(system, options.max_depth, false, true, &mut probe);
    match verdict {
        Err(divergence) if !probe.stopped => Err(divergence),
        _ => Ok(probe.enabled),
    }
}

/// Follows a prefix, recording the states it passes, and stops where it ends.
struct Probe<'a> {
    prefix: &'a [String],
    visited: &'a Visited,
    enabled: Vec<String>,
    stopped: bool,
}

impl Scheduler for Probe<'_> {
    fn strategy(&self) -> String {
        "dfs".to_owned()
    }

    fn choose(&mut self, step: u64, enabled: &Enabled<'_>) -> Result<usize, Divergence> {
        let depth = step - 1;
        self.visited
            .visit(enabled.world.fingerprint(), depth, false, u64::MAX);
        match self.prefix.get(depth as usize) {
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
