//! PCT: probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi, Nagarakatte,
//! ASPLOS 2010).
//!
//! Every process, clients included, has a priority, drawn at random when it first appears
//! (one spawned during the run lands at a random rank among those not yet demoted); at
//! each step the enabled step of the process with the highest priority runs. At
//! `depth − 1` random steps (the *change points*, drawn from `1..=steps`, where `steps`
//! estimates the length of a run) the process whose step it is drops below every initial
//! priority (later change points below earlier ones). A bug that needs `d` ordering
//! constraints between the steps of different processes is then found by one run with
//! probability at least `1 / (n · k^(d−1))` for `n` processes and `k` steps: far better
//! than a random walk when the bug needs one process to wait for many steps of another.
//!
//! Whose step an event is decides what a constraint is. It is chosen so that a bug's depth
//! is its number of constraints, whether it is written with calls or with casts:
//!
//! - A request, cast, info message or exit signal is its *sender's* step: the handler it
//!   runs is the sender's operation on the receiver's state, taking effect on delivery (a
//!   thread's method call on a shared object, in the paper's terms). So "the updater's
//!   write lands after the bumper's last" is one constraint between the updater and the
//!   bumper, and a change point at one of the bumper's writes holds back all the rest,
//!   whether they are sent one call at a time or all at once as casts.
//! - A reply is the *caller's* step: taking it, the caller runs on (a thread returning from
//!   the call). A caller waiting on a reply is preempted only by a change point, like any
//!   process. (Were the reply the server's, the caller would be preempted for free whenever
//!   the server ranked low: bugs of three constraints were found at depth 2, of two at
//!   depth 1.)
//! - A start, wake-up, timer, continuation or call timeout is the step of the process it
//!   runs on, and a jump of time the step of the process whose deadline it jumps to (as
//!   `World::actor` says).
//!
//! Taking a message is thus never the receiver's own step: the order a server takes the
//! messages of different senders in follows the senders' priorities. (Were it the
//! receiver's, that order would be a coin flip among the senders, which meets constraints
//! without counting them, or costs a factor of two every time it must go one way.) The
//! events of one process (its messages to several receivers, its own next step) are picked
//! among at random: the network may reorder them. Faults are drawn as by the random
//! strategy; a change point that falls on a fault applies at the next step that is not one.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::scheduler::{Divergence, Enabled, Scheduler};

/// The least initial priority: they are drawn from here up (distinct in practice, and a tie
/// is broken at random), above the demoted ones (`depth − 1` down to 1).
const INITIAL: u64 = 1 << 32;

/// The PCT strategy for one run.
pub struct PctScheduler {
    rng: ChaCha8Rng,
    depth: u32,
    /// Priorities by process index (higher runs first), drawn as processes appear.
    priorities: Vec<u64>,
    /// Steps (1-based) at which the process stepping is demoted, in order.
    change_points: Vec<u64>,
    /// How many change points have passed (the `i`-th demotes to `depth − i`).
    changes: usize,
}

impl PctScheduler {
    /// A PCT run for a bug of depth `depth` (at least 1: 0 is taken as 1, and the strategy
    /// name, in the trace header, says 1) in runs of about `steps` steps;
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
            changes: 0,
        }
    }

    /// The process whose step event `index` is (see the module doc), as an index into the
    /// priorities; `None` for none.
    fn owner(enabled: &Enabled<'_>, index: usize) -> Option<usize> {
        let id = enabled.stepper(index)?;
        usize::try_from(id.0).ok()?.checked_sub(1)
    }

    /// The priority of event `index`: its owner's (0 if it has none).
    fn priority(priorities: &[u64], enabled: &Enabled<'_>, index: usize) -> u64 {
        Self::owner(enabled, index)
            .and_then(|owner| priorities.get(owner).copied())
            .unwrap_or(0)
    }
}

impl Scheduler for PctScheduler {
    fn strategy(&self) -> String {
        format!("pct (depth {})", self.depth)
    }

    fn choose(&mut self, step: u64, enabled: &Enabled<'_>) -> Result<usize, Divergence> {
        // Processes that appeared since the last step (all, at the first) draw priorities.
        while self.priorities.len() < enabled.processes() {
            let drawn = self.rng.random_range(INITIAL..=u64::MAX);
            self.priorities.push(drawn);
        }
        if let Some(fault) = enabled.draw_fault(&mut self.rng) {
            return Ok(fault);
        }
        let others = (0..enabled.len()).filter(|&i| !enabled.is_fault(i));
        let priority = |i| Self::priority(&self.priorities, enabled, i);
        let top = others.clone().map(priority).max().unwrap_or(0);
        let mut best = others.filter(|&i| priority(i) == top);
        let nth = self.rng.random_range(0..best.clone().count());
        let index = best.nth(nth).expect("nth < the number of the best events");
        // The change points passed by now (one that fell on a fault comes due here) demote
        // the process whose step this is, below every earlier demotion.
        let due = (self.change_points[self.changes..].iter())
            .take_while(|&&point| point <= step)
            .count();
        if due > 0 {
            self.changes += due;
            let owner = Self::owner(enabled, index);
            if let Some(slot) = owner.and_then(|owner| self.priorities.get_mut(owner)) {
                *slot = u64::from(self.depth) - self.changes as u64;
            }
        }
        Ok(index)
    }
}
