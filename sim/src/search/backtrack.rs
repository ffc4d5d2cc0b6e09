//! Where the explorer goes next: the races and disabled events of a finished run become
//! choices to try at its decision points, then the deepest untried choice is taken.

use std::collections::BTreeSet;

use genserver::ProcessId;

use crate::search::dpor::{Step, races};
use crate::search::explorer::Node;
use crate::search::footprint::{Footprint, Touch};
use crate::search::interner::Label;
use crate::world::World;

/// The deliveries a run left pending (queue heads), as steps after the last one.
pub(crate) fn pending_deliveries(world: &World) -> Vec<Step> {
    (world.net.queues())
        .filter_map(|(from, _life, to, queue)| {
            let head = queue.front()?;
            Some(Step {
                label: format!("pending {} {} → {}", head.body, from.0, to.0).into(),
                touch: Footprint::new(Touch::new(to, false)),
                enabled: BTreeSet::new(),
                now: world.now.max(head.due),
                pending: Some(usize::try_from(head.sent).ok()?.checked_sub(1)),
            })
        })
        .collect()
}

/// Adds, for every race of the run on the stack (and of the deliveries it left pending),
/// a way to reverse it.
pub(crate) fn add_races(stack: &mut [Node], pending: Vec<Step>, visible: &BTreeSet<ProcessId>) {
    let steps: Vec<Step> = (stack.iter())
        .map(|node| Step {
            label: node.chosen.clone(),
            touch: node.touch.clone().expect("executed"),
            enabled: node.enabled.iter().cloned().collect(),
            now: node.now,
            pending: None,
        })
        .chain(pending)
        .collect();
    for race in races(&steps, visible) {
        let node = &mut stack[race.at];
        let labels: Vec<&Label> = race.initials.iter().map(|&x| &steps[x].label).collect();
        let covered = |l: &&Label| node.tried(l) || node.backtrack.contains(l);
        if labels.iter().any(covered) {
            continue;
        }
        let pick: Vec<Label> = match labels.iter().find(|l| !node.asleep(l)) {
            Some(label) => vec![(*label).clone()],
            None if labels.is_empty() => node.enabled.clone(),
            None => Vec::new(),
        };
        for label in pick {
            if !node.backtrack.contains(&label) && !node.asleep(&label) {
                node.backtrack.push(label);
            }
        }
    }
}

/// Adds, at every step, the events that step disabled: a reply that settles the call its
/// timeout was for, a call that blocks the server whose queued messages then wait. Races
/// between executed steps miss them, since a disabled event may never run. `after` holds
/// what was enabled when the run ended.
pub(crate) fn add_disabled(stack: &mut [Node], after: &[Label]) {
    for i in 0..stack.len() {
        let next = stack
            .get(i + 1)
            .map_or(after, |n| n.enabled.as_slice())
            .to_vec();
        let node = &mut stack[i];
        let disabled: Vec<Label> = (node.enabled.iter())
            .filter(|l| **l != node.chosen && !next.contains(l))
            .cloned()
            .collect();
        for label in disabled {
            if !node.tried(&label) && !node.asleep(&label) && !node.backtrack.contains(&label) {
                node.backtrack.push(label);
            }
        }
    }
}

/// Adds the events still enabled when a run stopped before its end (cut at the depth limit,
/// or failed): each to the earliest decision point from which it stayed enabled (and is not
/// asleep there), so the search runs it before whatever filled the run. Races between
/// executed steps never name such an event, since it never ran.
pub(crate) fn add_left_enabled(stack: &mut [Node], after: &[Label]) {
    for label in after {
        let since = (0..stack.len())
            .rev()
            .take_while(|&i| stack[i].enabled.contains(label))
            .last();
        let Some(since) = since else { continue };
        let node = (since..stack.len()).find(|&i| !stack[i].asleep(label));
        if let Some(node) = node.map(|i| &mut stack[i]) {
            if !node.tried(label) && !node.backtrack.contains(label) {
                node.backtrack.push(label.clone());
            }
        }
    }
}

/// Moves to the deepest decision point with an untried choice; returns the new prefix
/// length, or `None` when everything was tried.
pub(crate) fn backtrack(stack: &mut Vec<Node>) -> Option<usize> {
    while let Some(node) = stack.last_mut() {
        let touch = node.touch.take().expect("executed");
        node.done.push((std::mem::take(&mut node.chosen), touch));
        let next = (node.backtrack.iter())
            .find(|l| !node.tried(l) && !node.asleep(l))
            .cloned();
        match next {
            Some(label) => {
                node.choose(label);
                return Some(stack.len());
            }
            None => {
                stack.pop();
            }
        }
    }
    None
}
