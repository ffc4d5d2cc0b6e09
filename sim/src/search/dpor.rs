//! Race analysis for source-set DPOR (Abdulla, Aronis, Jonsson, Sagonas, POPL 2014).
//!
//! After each execution the explorer hands over its steps; every *race* (two dependent
//! steps that could have happened the other way round) yields the step before which some
//! other event must be tried: one of the *initials* of the steps that do not depend on the
//! first step of the race, followed by its second step. Independent deliveries to different
//! processes never race, so orders that differ only by them are explored once.

use std::collections::BTreeSet;

use genserver::ProcessId;

use crate::search::footprint::Footprint;
use crate::search::interner::Label;

/// One executed step, as the analysis sees it.
pub(crate) struct Step {
    /// The chosen event's label.
    pub label: Label,
    /// What it touched.
    pub touch: Footprint,
    /// Every label enabled before it was chosen.
    pub enabled: BTreeSet<Label>,
    /// The virtual time when it was chosen (time moves only when nothing else is enabled,
    /// so a step at a later time comes after every step at an earlier time; systems whose
    /// time races their deliveries are not searched with DPOR, see `search::reduction_for`).
    pub now: u64,
    /// For a delivery left pending when the run ended (its receiver blocked for ever, or a
    /// failure stopped the run): the index of the step that sent the message, if any.
    pub pending: Option<Option<usize>>,
}

/// A race: before step `at`, one of `initials` (indices of steps, enabled at `at`) must
/// be tried to reverse it.
pub(crate) struct Race {
    /// Where the race's first step was chosen.
    pub at: usize,
    /// Steps that can start the reversed order, in execution order.
    pub initials: Vec<usize>,
}

/// A set of step indices.
#[derive(Clone)]
struct Bits(Vec<u64>);

impl Bits {
    fn new(n: usize) -> Self {
        Bits(vec![0; n.div_ceil(64)])
    }
    fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }
    fn has(&self, i: usize) -> bool {
        self.0[i / 64] & (1 << (i % 64)) != 0
    }
    fn union(&mut self, other: &Bits) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a |= b;
        }
    }
}

/// The step that enabled step `j`: the one chosen just before its label appeared for the
/// last time (it stayed enabled from then on), or `None` if it was enabled from the start.
fn enabler(steps: &[Step], j: usize) -> Option<usize> {
    if let Some(sender) = steps[j].pending {
        return sender;
    }
    let label = &steps[j].label;
    let mut first = j;
    while first > 0 && steps[first - 1].enabled.contains(label) {
        first -= 1;
    }
    first.checked_sub(1)
}

/// Every race of the execution `steps`. Pending deliveries come last: they race with the
/// steps that kept them from happening (a receiver blocked in a call never takes them).
pub(crate) fn races(steps: &[Step], visible: &BTreeSet<ProcessId>) -> Vec<Race> {
    let n = steps.len();
    let enablers: Vec<Option<usize>> = (0..n).map(|j| enabler(steps, j)).collect();
    let depends = |i: usize, j: usize| steps[i].touch.depends(&steps[j].touch, visible);
    // Happens-before: dependence in execution order, enabling, and the passing of time.
    let mut before: Vec<Bits> = Vec::with_capacity(n);
    for j in 0..n {
        let mut hb = Bits::new(n);
        for i in 0..j {
            let direct = enablers[j] == Some(i) || steps[i].now < steps[j].now || depends(i, j);
            if direct && !hb.has(i) {
                hb.set(i);
                hb.union(&before[i]);
            }
        }
        before.push(hb);
    }
    let mut found = Vec::new();
    for j in 0..n {
        for i in (0..j).filter(|&i| steps[i].pending.is_none()) {
            // Steps at different times are ordered by time.
            let reversible = depends(i, j)
                && enablers[j] != Some(i)
                && steps[i].now == steps[j].now
                && !(i + 1..j).any(|k| before[k].has(i) && before[j].has(k));
            if !reversible {
                continue;
            }
            let v: Vec<usize> = (i + 1..j)
                .filter(|&k| !before[k].has(i))
                .chain([j])
                .collect();
            let initials = (v.iter().enumerate())
                .filter(|&(pos, &x)| !v[..pos].iter().any(|&y| before[x].has(y)))
                .map(|(_, &x)| x)
                .filter(|&x| steps[i].enabled.contains(&steps[x].label))
                .collect();
            found.push(Race { at: i, initials });
        }
    }
    found
}
