//! A fixed-size set of operation indices, and the hasher of the memo cache.

use std::hash::{BuildHasherDefault, Hasher};

/// Which operations of a partition are linearized.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Bitset(Box<[u64]>);

impl Bitset {
    /// An empty set of `len` indices.
    pub(crate) fn new(len: usize) -> Self {
        Bitset(vec![0; len.div_ceil(64)].into_boxed_slice())
    }

    pub(crate) fn set(&mut self, index: usize) {
        self.0[index / 64] |= 1 << (index % 64);
    }

    pub(crate) fn clear(&mut self, index: usize) {
        self.0[index / 64] &= !(1 << (index % 64));
    }

    /// Whether `index` is in the set.
    pub(crate) fn contains(&self, index: usize) -> bool {
        self.0[index / 64] & (1 << (index % 64)) != 0
    }

    /// Whether every index in `self` is in `other` (of the same size).
    pub(crate) fn is_subset(&self, other: &Bitset) -> bool {
        self.0.iter().zip(&other.0).all(|(a, b)| a & !b == 0)
    }
}

/// The memo cache's hasher: the multiply-rotate hash of rustc (FxHash). Deterministic, and
/// fast on the words of a bitset; the cache only answers membership, so its quality only
/// matters for speed.
#[derive(Default)]
pub(crate) struct FxHasher(u64);

/// Builds [`FxHasher`]s.
pub(crate) type FxBuild = BuildHasherDefault<FxHasher>;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u8(&mut self, value: u8) {
        self.add(u64::from(value));
    }

    #[inline]
    fn write_u32(&mut self, value: u32) {
        self.add(u64::from(value));
    }

    #[inline]
    fn write_u64(&mut self, value: u64) {
        self.add(value);
    }

    #[inline]
    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_and_clear_reach_every_word() {
        let mut bits = Bitset::new(130);
        for index in [0, 63, 64, 129] {
            bits.set(index);
        }
        assert_eq!(&*bits.0, &[1 | 1 << 63, 1, 2]);
        bits.clear(63);
        bits.clear(129);
        assert_eq!(&*bits.0, &[1, 1, 0]);
        assert!(bits.contains(0) && bits.contains(64) && !bits.contains(63));
        let mut more = bits.clone();
        more.set(100);
        assert!(bits.is_subset(&more) && bits.is_subset(&bits) && !more.is_subset(&bits));
        assert_eq!(bits, {
            let mut other = Bitset::new(130);
            other.set(0);
            other.set(64);
            other
        });
    }
}
