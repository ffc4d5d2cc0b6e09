//! Where two traces part ways.

use std::fmt;

use crate::Trace;
use crate::render::end_line;
use crate::render::event_line;

/// Lines of common history shown before the divergence.
const CONTEXT: usize = 3;

/// The first place two traces differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    /// The step at which they differ: the earlier step of the two differing lines.
    pub step: u64,
    /// The 1-based number of the differing event (`events + 1` for the end record).
    pub event: usize,
    /// The first trace's line there, if it has one.
    pub left: Option<String>,
    /// The second trace's line there, if it has one.
    pub right: Option<String>,
    /// The common lines just before.
    pub context: Vec<String>,
}

/// The first divergence of `right` from `left`, comparing their events and then their
/// outcomes in the stable text rendering; `None` if they tell the same story.
pub fn first_divergence(left: &Trace, right: &Trace) -> Option<Divergence> {
    let lines = |trace: &Trace| -> Vec<(u64, String)> {
        let mut lines: Vec<(u64, String)> = trace
            .events
            .iter()
            .map(|event| (event.step, event_line(event)))
            .collect();
        lines.push((trace.end.steps, end_line(trace)));
        lines
    };
    let (a, b) = (lines(left), lines(right));
    let index = (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i))?;
    let step = [a.get(index), b.get(index)]
        .into_iter()
        .flatten()
        .map(|(step, _)| *step)
        .min()
        .unwrap_or(0);
    Some(Divergence {
        step,
        event: index + 1,
        left: a.get(index).map(|(_, line)| line.clone()),
        right: b.get(index).map(|(_, line)| line.clone()),
        context: a[index.saturating_sub(CONTEXT)..index]
            .iter()
            .map(|(_, line)| line.clone())
            .collect(),
    })
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "the traces diverge at step {} (event {}):",
            self.step, self.event
        )?;
        for line in &self.context {
            writeln!(f, "    {line}")?;
        }
        let none = "(nothing: the trace ends here)".to_owned();
        writeln!(f, "  - {}", self.left.as_ref().unwrap_or(&none))?;
        write!(f, "  + {}", self.right.as_ref().unwrap_or(&none))
    }
}
