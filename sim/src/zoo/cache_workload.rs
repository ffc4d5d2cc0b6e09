//! `stale-cache-workload` and `fenced-cache-workload`: the caches of `stale-cache` and
//! `fenced-cache` called by clients generated from the key-value model alone (no client, no
//! check written by hand): every run draws its own operations ([`Workload::per_run`]), and
//! a failure is shrunk to fewer operations, then fewer steps.

use super::stale_cache::{Cache, KvModel, workload};
use crate::linearize::Workload;
use crate::system::System;
use crate::world::World;

/// Clients of a generated workload.
pub const CLIENTS: usize = 2;

/// Operations per client.
pub const OPS_PER_CLIENT: usize = 3;

/// The workload's seed, mixed with each run's. A run of seed 0 (exhaustive search's)
/// draws a read that can race another client's write of its key, then a read after it.
pub const SEED: u64 = 2;

/// The generated workload against the cache (`fenced` or not): [`CLIENTS`] clients of
/// [`OPS_PER_CLIENT`] operations, drawn by [`SEED`] mixed with the run's seed.
pub fn generated(fenced: bool) -> Workload<KvModel, Cache> {
    workload(fenced, CLIENTS, OPS_PER_CLIENT, SEED).per_run(true)
}

/// A zoo entry's system: the generated workload against the cache, built afresh for every
/// run (a workload holds closures, so it cannot be a `static`).
pub struct Generated {
    /// Whether the cache is the fixed one.
    pub fenced: bool,
}

impl System for Generated {
    fn build(&self, world: &mut World) {
        generated(self.fenced).build(world)
    }

    fn name(&self) -> &str {
        match self.fenced {
            true => "fenced-cache-workload",
            false => "stale-cache-workload",
        }
    }
}

/// `stale-cache-workload`.
pub static STALE: Generated = Generated { fenced: false };

/// `fenced-cache-workload`.
pub static FENCED: Generated = Generated { fenced: true };
