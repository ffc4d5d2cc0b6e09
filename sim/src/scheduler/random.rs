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
        if !enabled.any_fault() {
            // The draw below, without the scans: no fault to draw, every event is normal.
            return Ok(self.rng.random_range(0..enabled.len()));
        }
        if let Some(fault) = enabled.draw_fault(&mut self.rng) {
            return Ok(fault);
        }
        let mut normal = (0..enabled.len()).filter(|&i| !enabled.is_fault(i));
        let nth = self.rng.random_range(0..normal.clone().count());
        Ok(normal
            .nth(nth)
            .expect("nth < the number of non-fault events"))
    }
}
