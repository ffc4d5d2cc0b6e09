//! PCT: probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi, Nagarakatte,
//! ASPLOS 2010).
//!
//! Every process gets a random priority; at each step the enabled event of the process
//! with the highest priority runs. At `depth − 1` random steps (the *change points*, drawn
//! from `1..=steps`, where `steps` estimates the length of a run) the process that just ran
//! drops below every initial priority. A bug that needs `d` ordering constraints is then
//! found by one run with probability at least `1 / (n · k^(d−1))` for `n` processes and `k`
//! steps: far better than a random walk when the bug needs one process to wait for many
//! steps of another.
//!
//! An event belongs to the process that *sends* it on its way: a delivery to the sender of
//! the message (so a client's requests form its chain), a timer, timeout, continuation or
//! client step to its own process. Faults are drawn as by the random strategy.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::event::Event;
use crate::scheduler::{Divergence, Enabled, Scheduler};

/// The PCT strategy for one run.
pub struct PctScheduler {
    rng: ChaCha8Rng,
    depth: u32,
    /// Priorities by process index (higher runs first), drawn at the first step.
    priorities: Vec<u64>,
    /// Steps (1-based) at which the running process is demoted, in order.
    change_points: Vec<u64>,
}

impl PctScheduler {
    /// A PCT run for a bug of depth `depth` (at least 1) in runs of about `steps` steps;
    /// every choice follows from `seed`.
    pub fn new(seed: u64, depth: u32, steps: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let depth = depth.max(1);
        let steps = steps.max(1);
        let mut change_points: Vec<u64> = Vec::new();
        while (change_points.len() as u64) < u64::from(depth - 1).min(steps) {
            let point = rng.random_range(1..=steps);
            if !change_points.contains(&point) {
                change_points.push(point);
            }
        }
        change_points.sort_unstable();
        PctScheduler {
            rng,
            depth,
            priorities: Vec::new(),
            change_points,
        }
    }

    /// The process an event belongs to, as an index into the priorities.
    fn owner(enabled: &Enabled<'_>, index: usize) -> usize {
        let world = enabled.world;
        let id = match enabled.events[index] {
            Event::Deliver { from, .. } => from,
            event => world.actor(event),
        };
        usize::try_from(id.0.saturating_sub(1)).unwrap_or(usize::MAX)
    }

    /// Draws distinct priorities `depth .. depth + n` for `n` processes (a shuffle).
    fn draw_priorities(&mut self, n: usize) {
        let base = u64::from(self.depth);
        let mut priorities: Vec<u64> = (0..n as u64).map(|i| base + i).collect();
        for i in (1..n).rev() {
            let j = self.rng.random_range(0..=i);
            priorities.swap(i, j);
        }
        self.priorities = priorities;
    }
}

impl Scheduler for PctScheduler {
    fn strategy(&self) -> String {
        format!("pct (depth {})", self.depth)
    }

    fn choose(&mut self, step: u64, enabled: &Enabled<'_>) -> Result<usize, Divergence> {
        if self.priorities.is_empty() {
            self.draw_priorities(enabled.world.procs.len());
        }
        if let Some(fault) = enabled.draw_fault(&mut self.rng) {
            return Ok(fault);
        }
        let all = 0..enabled.len();
        let priority = |i: usize| {
            let owner = Self::owner(enabled, i);
            self.priorities.get(owner).copied().unwrap_or(0)
        };
        let others = all.filter(|&i| !enabled.is_fault(i));
        let top = others.clone().map(priority).max().unwrap_or(0);
        let mut best = others.filter(|&i| priority(i) == top);
        let nth = self.rng.random_range(0..best.clone().count());
        let index = best.nth(nth).expect("nth < the number of the best events");
        if let Some(position) = self.change_points.iter().position(|&p| p == step) {
            let owner = Self::owner(enabled, index);
            if let Some(slot) = self.priorities.get_mut(owner) {
                *slot = u64::from(self.depth) - 1 - position as u64;
            }
        }
        Ok(index)
    }
}
