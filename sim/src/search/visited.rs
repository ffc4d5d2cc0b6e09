//! The states an exhaustive search has seen, by fingerprint, with the smallest depth each
//! was seen at: shared by the search's threads, in shards so that they seldom wait for
//! each other. Only looked up, never iterated: nothing is ordered by it.
//!
//! A search with sleep sets (a sharded one, `search/split.rs`) reaches some states with
//! events it need not try there: such a visit covers only a later one with the same sleep
//! set, so those visits are kept apart, by a key of the state and the sleep set.

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
    /// Every state seen, with the smallest depth it was explored from with no sleep set
    /// (`u64::MAX`: only with one).
    shards: Vec<Mutex<Seen>>,
    /// Visits with a sleep set, by a key of the state and the set, with the smallest depth.
    asleep: Vec<Mutex<Seen>>,
    len: AtomicU64,
}

type Seen = HashMap<u64, u64, BuildHasherDefault<Fingerprint>>;

impl Visited {
    /// Nothing seen yet.
    pub fn new() -> Self {
        Visited {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            asleep: (0..SHARDS).map(|_| Mutex::default()).collect(),
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

    /// Records the state `fingerprint` reached at `depth`, with a sleep set if `asleep`
    /// holds a key of the state and the set. Says where the run must stop instead: with
    /// `hashing`, at a state explored with no sleep set (or with the same one) at the same
    /// or a smaller depth; at a new state once `max_states` were seen.
    pub fn visit(
        &self,
        fingerprint: u64,
        asleep: Option<u64>,
        depth: u64,
        hashing: bool,
        max_states: u64,
    ) -> Option<Cut> {
        let mut seen = lock(&self.shards[shard_of(fingerprint)]);
        let at = match seen.get_mut(&fingerprint) {
            Some(at) => at,
            None if self.len() >= max_states => return Some(Cut::Budget),
            None => {
                self.len.fetch_add(1, Ordering::Relaxed);
                seen.entry(fingerprint).or_insert(u64::MAX)
            }
        };
        if hashing && *at <= depth {
            return Some(Cut::Pruned);
        }
        let Some(key) = asleep else {
            *at = (*at).min(depth);
            return None;
        };
        drop(seen);
        let mut seen = lock(&self.asleep[shard_of(key)]);
        let at = seen.entry(key).or_insert(u64::MAX);
        if hashing && *at <= depth {
            return Some(Cut::Pruned);
        }
        *at = (*at).min(depth);
        None
    }
}

/// The shard of a key: its top bits (the map's buckets use the low ones).
fn shard_of(key: u64) -> usize {
    (key >> (64 - SHARD_BITS)) as usize
}

/// Hashes a fingerprint, which is a hash already, to itself (the key of maps whose keys are
/// hashes).
#[derive(Default)]
pub(crate) struct Fingerprint(u64);

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
