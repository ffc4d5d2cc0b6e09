//! The random strategy: a seeded, portable ChaCha8 stream picks every event.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::scheduler::{Divergence, Enabled, Scheduler};

/// Picks uniformly among enabled non-fault events; with the system's fault probability it
/// picks a fault instead, when one is enabled.
pub struct RandomScheduler {
    rng: ChaCha8Rng,
}

impl RandomScheduler {
    /// A scheduler whose every choice follows from `seed`.
    pub fn new(seed: u64) -> Self {
        RandomScheduler {
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }
}

impl Scheduler for RandomScheduler {
    fn strategy(&self) -> String {
        "random".to_owned()
    }

    fn choose(&mut self, _step: u64, enabled: &Enabled<'_>) -> Result<usize, Divergence> {
        // The same draws as picking from a list of the faults or of the others, without the
        // lists: count them, draw, then find the chosen one.
        let faults = (0..enabled.len()).filter(|&i| enabled.is_fault(i)).count();
        let normal = enabled.len() - faults;
        let pick_fault = faults > 0
            && (normal == 0
                || self
                    .rng
                    .random_bool(enabled.fault_probability().clamp(0.0, 1.0)));
        let pool = if pick_fault { faults } else { normal };
        let nth = self.rng.random_range(0..pool);
        let mut chosen = (0..enabled.len()).filter(|&i| enabled.is_fault(i) == pick_fault);
        Ok(chosen.nth(nth).expect("nth < the size of the pool"))
    }
}
