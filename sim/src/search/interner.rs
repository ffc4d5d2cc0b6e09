//! Labels shared within one worker of a search: the same few labels come back at state after
//! state, and a decision point keeps several lists of them (enabled, asleep, explored, to
//! try), so each distinct text is kept once and the lists hold shared references to it.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::Arc;

use smallvec::SmallVec;
use xxhash_rust::xxh3::xxh3_64;

use crate::search::visited::Fingerprint;

/// An event's label, shared (cheap to copy into another list; equal when the text is).
pub(crate) type Label = Arc<str>;

/// The most distinct labels kept: past it the interner starts afresh (labels stay equal by
/// their text, so only the sharing is lost), which bounds a long search's memory (a few MB).
const MOST: usize = 1 << 16;

/// The distinct labels a worker has seen, by the hash of their text (looked up, never
/// iterated: its order decides nothing).
#[derive(Default)]
pub(crate) struct Interner {
    /// The labels by hash (almost always one per hash: kept inline).
    labels: HashMap<u64, SmallVec<[Label; 1]>, BuildHasherDefault<Fingerprint>>,
}

impl Interner {
    /// The shared label of `text`.
    pub fn intern(&mut self, text: String) -> Label {
        let hash = xxh3_64(text.as_bytes());
        let mut same = self.labels.get(&hash).into_iter().flatten();
        if let Some(label) = same.find(|label| ***label == *text) {
            return Arc::clone(label);
        }
        if self.labels.len() >= MOST {
            self.labels.clear();
        }
        let label: Label = text.into();
        self.labels
            .entry(hash)
            .or_default()
            .push(Arc::clone(&label));
        label
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_text_gives_the_same_shared_label() {
        let mut interner = Interner::default();
        let a = interner.intern("deliver cast #1 a → b: 1".to_owned());
        let b = interner.intern("deliver cast #1 a → b: 1".to_owned());
        let c = interner.intern("start a".to_owned());
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(&*c, "start a");
        assert_ne!(a, c);
        let mut another = Interner::default();
        let d = another.intern("deliver cast #1 a → b: 1".to_owned());
        assert!(!Arc::ptr_eq(&a, &d));
        assert_eq!(a, d, "labels of two workers compare by their text");
    }
}
