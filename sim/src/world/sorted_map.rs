//! A map kept as a list sorted by key: for the few entries a world holds at once (the calls
//! in flight), a search in one short list, and no node allocated or freed per entry as a
//! `BTreeMap` does when it goes from empty to one entry and back. It iterates in key order,
//! as a `BTreeMap` does.

use std::ops::{Bound, RangeBounds};

/// A map sorted by key, in one list.
#[derive(Clone, Debug)]
pub(crate) struct SortedMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap {
            entries: Vec::new(),
        }
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    /// An empty map in `list` (emptied first: only its room is used).
    pub fn in_list(mut list: Vec<(K, V)>) -> Self {
        list.clear();
        SortedMap { entries: list }
    }

    /// The list of entries, to keep its room.
    pub fn into_list(self) -> Vec<(K, V)> {
        self.entries
    }

    fn find(&self, key: &K) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| k.cmp(key))
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Sets `key` to `value`; returns the value it had.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(at) => Some(std::mem::replace(&mut self.entries[at].1, value)),
            Err(at) => {
                self.entries.insert(at, (key, value));
                None
            }
        }
    }

    /// Removes `key`; returns its value.
    pub fn remove(&mut self, key: &K) -> Option<V> {
        let at = self.find(key).ok()?;
        Some(self.entries.remove(at).1)
    }

    /// The value of `key`.
    pub fn get(&self, key: &K) -> Option<&V> {
        let at = self.find(key).ok()?;
        Some(&self.entries[at].1)
    }

    /// The value of `key`, mutably.
    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let at = self.find(key).ok()?;
        Some(&mut self.entries[at].1)
    }

    /// Whether `key` has a value.
    pub fn contains_key(&self, key: &K) -> bool {
        self.find(key).is_ok()
    }

    /// The entries, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// The keys, in key order.
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.entries.iter().map(|(k, _)| k)
    }

    /// The values, in key order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.iter().map(|(_, v)| v)
    }

    /// Keeps the entries `keep` says yes to.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }

    /// The entries whose keys are in `range`, in key order.
    pub fn range(&self, range: impl RangeBounds<K>) -> impl Iterator<Item = (&K, &V)> {
        let at = |bound: Bound<&K>, unbounded: usize, after: bool| match bound {
            Bound::Included(key) if after => self.entries.partition_point(|(k, _)| k <= key),
            Bound::Included(key) => self.entries.partition_point(|(k, _)| k < key),
            Bound::Excluded(key) if after => self.entries.partition_point(|(k, _)| k < key),
            Bound::Excluded(key) => self.entries.partition_point(|(k, _)| k <= key),
            Bound::Unbounded => unbounded,
        };
        let start = at(range.start_bound(), 0, false);
        let end = at(range.end_bound(), self.entries.len(), true);
        self.entries[start..end.max(start)]
            .iter()
            .map(|(k, v)| (k, v))
    }
}

impl<'a, K: Ord, V> IntoIterator for &'a SortedMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::SortedMap;

    /// The same operations on a `BTreeMap` and a `SortedMap` give the same answers.
    #[test]
    fn behaves_as_a_btree_map() {
        let mut sorted = SortedMap::default();
        let mut btree = BTreeMap::new();
        let mut x: u64 = 7;
        for _ in 0..2000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let key = ((x >> 33) % 8, (x >> 40) % 5);
            match (x >> 20) % 3 {
                0 => assert_eq!(sorted.insert(key, x), btree.insert(key, x)),
                1 => assert_eq!(sorted.remove(&key), btree.remove(&key)),
                _ => {
                    if let Some(v) = sorted.get_mut(&key) {
                        *v += 1;
                    }
                    if let Some(v) = btree.get_mut(&key) {
                        *v += 1;
                    }
                }
            }
            assert_eq!(sorted.get(&key), btree.get(&key));
            assert_eq!(sorted.contains_key(&key), btree.contains_key(&key));
            assert_eq!(sorted.is_empty(), btree.is_empty());
            assert!(sorted.iter().eq(btree.iter()));
            assert!(sorted.keys().eq(btree.keys()));
            let range = (key.0, 0)..=(key.0, u64::MAX);
            assert!(sorted.range(range.clone()).eq(btree.range(range)));
            assert!(sorted.range(..=key).eq(btree.range(..=key)));
            assert!(sorted.range(key..).eq(btree.range(key..)));
            assert!(sorted.range(..key).eq(btree.range(..key)));
            assert!(sorted.values().eq(btree.values()));
            if (x >> 7) & 15 == 0 {
                sorted.retain(|k, _| k.1 != key.1);
                btree.retain(|k, _| k.1 != key.1);
            }
        }
    }
}
