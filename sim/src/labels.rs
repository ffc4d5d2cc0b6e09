//! Schedule labels as runs take them: written down as a scheduler chooses (for the shrinker)
//! and compared without their call numbers (for end states and fingerprints).

use crate::scheduler::{Divergence, Enabled, Scheduler};

/// A label without its call numbers: `deliver call #3 Get` becomes `deliver call # Get`.
pub(crate) fn without_numbers(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    let mut in_number = false;
    for c in label.chars() {
        if in_number && c.is_ascii_digit() {
            continue;
        }
        in_number = c == '#';
        out.push(c);
    }
    out
}

/// Wraps a scheduler and writes down the label of every choice it makes.
pub(crate) struct Recording<'a> {
    inner: &'a mut dyn Scheduler,
    taken: Vec<String>,
}

impl<'a> Recording<'a> {
    pub(crate) fn new(inner: &'a mut dyn Scheduler) -> Self {
        Recording {
            inner,
            taken: Vec::new(),
        }
    }

    pub(crate) fn taken(self) -> Vec<String> {
        self.taken
    }
}

impl Scheduler for Recording<'_> {
    fn strategy(&self) -> String {
        self.inner.strategy()
    }

    fn choose(&mut self, step: u64, enabled: &Enabled<'_>) -> Result<usize, Divergence> {
        let index = self.inner.choose(step, enabled)?;
        self.taken.push(enabled.label(index));
        Ok(index)
    }
}

#[cfg(test)]
mod tests {
    use super::without_numbers;

    #[test]
    fn call_numbers_are_left_out() {
        assert_eq!(
            without_numbers("deliver reply #12 Ok(3) counter → client-1"),
            "deliver reply # Ok(3) counter → client-1"
        );
        assert_eq!(
            without_numbers("fire timer #2 Tick at a"),
            "fire timer # Tick at a"
        );
    }
}
