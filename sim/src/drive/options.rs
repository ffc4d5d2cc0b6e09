//! What a hunt runs: the strategy, the seeds (or a shard of them), the threads.

use std::fmt;
use std::str::FromStr;

use crate::scheduler::Scheduler;
use crate::scheduler::pct::PctScheduler;
use crate::scheduler::random::RandomScheduler;

/// A sampling strategy for [`crate::hunt_with`] (exhaustive search is [`crate::explore`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// A uniform random walk over enabled events.
    Random,
    /// PCT for bugs of this depth (see [`PctScheduler`]).
    Pct {
        /// The number of ordering constraints the bug needs (1 to 3 is typical).
        depth: u32,
    },
}

impl Strategy {
    /// The scheduler for the run of `seed`; `steps` estimates the length of a run (PCT
    /// draws its change points from it).
    pub fn scheduler(self, seed: u64, steps: u64) -> Box<dyn Scheduler> {
        match self {
            Strategy::Random => Box::new(RandomScheduler::new(seed)),
            Strategy::Pct { depth } => Box::new(PctScheduler::new(seed, depth, steps)),
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Strategy::Random => f.write_str("random"),
            Strategy::Pct { depth } => write!(f, "pct (depth {depth})"),
        }
    }
}

/// The `K`-th of `N` slices of a seed range (`K` from 1), for running one hunt as `N`
/// independent jobs of a batch engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Which slice, from 1.
    pub index: u64,
    /// How many slices.
    pub count: u64,
}

impl Shard {
    /// The slice of the `runs` seeds from `first_seed` that this shard takes: its first
    /// seed and how many seeds. Slices are contiguous, cover the range, and differ in size
    /// by at most one.
    pub fn slice(self, first_seed: u64, runs: u64) -> (u64, u64) {
        let bound = |k: u64| (u128::from(runs) * u128::from(k) / u128::from(self.count)) as u64;
        let (start, end) = (bound(self.index - 1), bound(self.index));
        (first_seed.wrapping_add(start), end - start)
    }
}

impl FromStr for Shard {
    type Err = String;

    /// Parses `K/N` with `1 <= K <= N`.
    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || format!("expected K/N with 1 <= K <= N, got {text:?}");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let index: u64 = k.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Everything a sampling hunt needs besides the system.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HuntOptions {
    /// How each run is scheduled.
    pub strategy: Strategy,
    /// The first seed of the whole range.
    pub first_seed: u64,
    /// How many seeds the whole range holds.
    pub runs: u64,
    /// The step limit of each run.
    pub max_steps: u64,
    /// Threads; the result does not depend on it.
    pub jobs: usize,
    /// Only this slice of the range, if set.
    pub shard: Option<Shard>,
}

impl HuntOptions {
    /// A serial random hunt of `runs` seeds from `first_seed`.
    pub fn new(first_seed: u64, runs: u64, max_steps: u64) -> Self {
        HuntOptions {
            strategy: Strategy::Random,
            first_seed,
            runs,
            max_steps,
            jobs: 1,
            shard: None,
        }
    }

    /// The seeds this hunt runs: its first seed and how many.
    pub fn seeds(&self) -> (u64, u64) {
        match self.shard {
            Some(shard) => shard.slice(self.first_seed, self.runs),
            None => (self.first_seed, self.runs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Shard;

    #[test]
    fn shards_cover_the_range_without_overlap() {
        let shards: Vec<Shard> = (1..=3).map(|k| format!("{k}/3").parse().unwrap()).collect();
        let slices: Vec<_> = shards.iter().map(|s| s.slice(100, 10)).collect();
        assert_eq!(slices, [(100, 3), (103, 3), (106, 4)]);
        assert!("0/3".parse::<Shard>().is_err());
        assert!("4/3".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
    }
}
