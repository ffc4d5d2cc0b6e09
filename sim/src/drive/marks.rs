//! A set of run indices, one bit each: which runs of a hunt stopped at the step limit, so
//! that the count up to the first failure is the same for any number of threads.

use std::sync::Mutex;

/// Run indices marked from any thread; a bit per index up to the largest marked.
#[derive(Default)]
pub(crate) struct Marks {
    words: Mutex<Vec<u64>>,
}

impl Marks {
    /// Marks `index`.
    pub(crate) fn mark(&self, index: u64) {
        let mut words = self.words.lock().unwrap_or_else(|e| e.into_inner());
        let word = usize::try_from(index / 64).expect("a run index fits in memory");
        if words.len() <= word {
            words.resize(word + 1, 0);
        }
        words[word] |= 1 << (index % 64);
    }

    /// How many indices below `end` are marked.
    pub(crate) fn below(self, end: u64) -> u64 {
        let words = self.words.into_inner().unwrap_or_else(|e| e.into_inner());
        let whole = usize::try_from(end / 64).unwrap_or(usize::MAX);
        let full: u64 = (words.iter().take(whole))
            .map(|w| u64::from(w.count_ones()))
            .sum();
        let part = match words.get(whole) {
            Some(word) if !end.is_multiple_of(64) => {
                u64::from((word & ((1u64 << (end % 64)) - 1)).count_ones())
            }
            _ => 0,
        };
        full + part
    }
}

#[cfg(test)]
mod tests {
    use super::Marks;

    #[test]
    fn counts_the_marks_below_an_end() {
        let count = |marked: &[u64], end: u64| {
            let marks = Marks::default();
            marked.iter().for_each(|&i| marks.mark(i));
            marks.below(end)
        };
        assert_eq!(count(&[], 100), 0);
        assert_eq!(count(&[0, 5, 63, 64, 130], 200), 5);
        assert_eq!(count(&[0, 5, 63, 64, 130], 64), 3);
        assert_eq!(count(&[0, 5, 63, 64, 130], 65), 4);
        assert_eq!(count(&[0, 5, 63, 64, 130], 130), 4);
        assert_eq!(count(&[3], 0), 0);
        assert_eq!(count(&[3], u64::MAX), 1);
    }
}
