//! The guided strategy: follow a plan of labels where it can, skip what is not enabled, and
//! finish the run in a fixed order. (The shrinker follows its candidates by event identity
//! instead: `identity.rs`.)

use crate::scheduler::{Divergence, Enabled, Scheduler};

/// Follows `plan` loosely: at each step the next planned label that is enabled is chosen
/// (planned labels that are not enabled are skipped); when the plan is used up, the first
/// enabled event that is not a fault. Call numbers (`#7`) may differ from the plan's, since
/// leaving out a step renumbers later calls.
pub struct GuidedScheduler {
    plan: Vec<String>,
    next: usize,
}

impl GuidedScheduler {
    /// Follows `plan`.
    pub fn new(plan: Vec<String>) -> Self {
        GuidedScheduler { plan, next: 0 }
    }
}

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

impl Scheduler for GuidedScheduler {
    fn strategy(&self) -> String {
        "guided".to_owned()
    }

    fn choose(&mut self, _step: u64, enabled: &Enabled<'_>) -> Result<usize, Divergence> {
        let labels = enabled.labels();
        while let Some(wanted) = self.plan.get(self.next) {
            self.next += 1;
            let exact = labels.iter().position(|l| l == wanted);
            let loose = || {
                let wanted = without_numbers(wanted);
                labels.iter().position(|l| without_numbers(l) == wanted)
            };
            if let Some(index) = exact.or_else(loose) {
                return Ok(index);
            }
        }
        Ok((0..labels.len())
            .find(|&i| !enabled.is_fault(i))
            .unwrap_or(0))
    }
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
