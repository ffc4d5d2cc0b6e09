//! The states an exhaustive search has seen, by fingerprint, with the smallest depth each
//! was seen at: shared by the search's threads, in shards so that they seldom wait for
//! each other. Only looked up, never iterated: nothing is ordered by it.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::search::explorer::Cut;
use crate::search::worker::lock;

/// Shards of the set (2 to this power), well above the threads of a search.
const SHARD_BITS: u32 = 6;
const SHARDS: usize = 1 << SHARD_BITS;

/// The visited states of one search.
pub(crate) struct Visited {
    shards: Vec<Mutex<HashMap<u64, u64, BuildHasherDefault<Fingerprint>>>>,
    len: AtomicU64,
}

impl Visited {
    /// Nothing seen yet.
    pub fn new() -> Self {
        Visited {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            len: AtomicU64::new(0),
        }
    }

    /// How many states were seen.
    pub fn len(&self) -> u64 {
        self.len.load(Ordering::Relaxed)
    }

    /// The fingerprints seen, sorted.
    pub fn fingerprints(&self) -> Vec<u64> {
        let mut all: Vec<u64> = (self.shards.iter())
            .flat_map(|shard| lock(shard).keys().copied().collect::<Vec<_>>())
            .collect();
        all.sort_unstable();
        all
    }

    /// Records the state `fingerprint` reached at `depth`. Says where the run must stop
    /// instead: with `hashing`, at a state seen at the same or a smaller depth; at a new
    /// state once `max_states` were seen.
    pub fn visit(
        &self,
        fingerprint: u64,
        depth: u64,
        hashing: bool,
        max_states: u64,
    ) -> Option<Cut> {
        // The top bits pick the shard: the map's buckets use the low ones.
        let shard = &self.shards[(fingerprint >> (64 - SHARD_BITS)) as usize];
        let mut seen = lock(shard);
        match seen.get_mut(&fingerprint) {
            Some(&mut at) if hashing && at <= depth => Some(Cut::Pruned),
            Some(at) => {
                *at = (*at).min(depth);
                None
            }
            None if self.len() >= max_states => Some(Cut::Budget),
            None => {
                seen.insert(fingerprint, depth);
                self.len.fetch_add(1, Ordering::Relaxed);
                None
            }
        }
    }
}

/// Hashes a fingerprint, which is a hash already, to itself.
#[derive(Default)]
struct Fingerprint(u64);

impl Hasher for Fingerprint {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}
