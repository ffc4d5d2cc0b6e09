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
        let (faults, normal): (Vec<usize>, Vec<usize>) =
            (0..enabled.len()).partition(|&i| enabled.is_fault(i));
        let pick_fault = !faults.is_empty()
            && (normal.is_empty()
                || self
                    .rng
                    .random_bool(enabled.fault_probability().clamp(0.0, 1.0)));
        let pool = if pick_fault { &faults } else { &normal };
        Ok(pool[self.rng.random_range(0..pool.len())])
    }
}
