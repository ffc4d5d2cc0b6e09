//! Shrinking a run's inputs: fewer lists and fewer items (a generated workload's clients
//! and operations), before its schedule is shrunk.
//!
//! A pass of its own before the schedule's ([`crate::shrink`]), which cannot leave out a
//! client's operation (a client makes its calls one after the other). Each candidate leaves
//! out one list (every item of it), or one item of a list, of the best inputs so far; it
//! counts as failing when a run given it fails the same way (same kind of failure, same
//! check: not the same process, as leaving out work may move the failure to another
//! client): first the run that follows the best failing schedule so far by the identity of
//! its events, then, if that one passes, random runs of seeds `0..`[`INPUT_SEARCH_RUNS`].
//! A failing candidate replaces the best, and the passes repeat until no candidate fails
//! (or [`INPUT_SHRINK_CANDIDATES`] were tried). Every run is deterministic, so the result is
//! too.

use genserver_traces::{Inputs, Outcome, Trace};

use crate::drive::run::{RunReport, run_given};
use crate::failure::signature;
use crate::scheduler::follow::{Follow, Newcomers};
use crate::scheduler::random::RandomScheduler;
use crate::system::System;

/// How many random runs a candidate gets when the followed schedule passes.
pub const INPUT_SEARCH_RUNS: u64 = 100;

/// The most candidate inputs one shrink tries.
pub const INPUT_SHRINK_CANDIDATES: u64 = 400;

/// What a failure is, for this pass: its kind and its check.
type Target = (String, String);

fn target(outcome: &Outcome) -> Option<Target> {
    match outcome {
        Outcome::Failure(record) => {
            let (kind, _, check) = signature(record);
            Some((kind, check))
        }
        Outcome::Pass | Outcome::StepLimit => None,
    }
}

fn failure_of(report: &RunReport) -> Option<Target> {
    let (kind, _, check) = signature(&report.failure()?.record());
    Some((kind, check))
}

/// The failing run of the smallest inputs found, as a trace (`trace` itself if it records
/// no inputs, no failure, or nothing smaller fails), and how many candidates were tried.
pub(crate) fn shrink_inputs(system: &dyn System, trace: &Trace) -> (Trace, u64) {
    let header = &trace.header;
    let (Some(inputs), Some(target)) = (&header.inputs, target(&trace.end.outcome)) else {
        return (trace.clone(), 0);
    };
    let (seed, max_steps) = (header.seed, header.max_steps);
    // The failing trace of a run given `candidate`, if one fails the same way.
    let fails = |candidate: &Inputs, best: &Trace| -> Option<Trace> {
        let plan: Vec<String> = best.schedule().into_iter().map(str::to_owned).collect();
        let mut follow = Follow::new(&plan, Newcomers::Last).on_behalf_of(&header.strategy);
        let given = Some(candidate);
        let followed = run_given(system, seed, given, max_steps, true, &mut follow).ok()?;
        if failure_of(&followed).as_ref() == Some(&target) {
            return followed.trace;
        }
        let random = |seed, record| {
            let mut scheduler = RandomScheduler::new(seed);
            run_given(system, seed, given, max_steps, record, &mut scheduler)
                .expect("a random scheduler never diverges")
        };
        let seed = (0..INPUT_SEARCH_RUNS)
            .find(|&seed| failure_of(&random(seed, false)).as_ref() == Some(&target))?;
        random(seed, true).trace
    };
    let (mut best_inputs, mut best_trace) = (inputs.clone(), trace.clone());
    let mut candidates = 0;
    let mut improved = true;
    while improved && candidates < INPUT_SHRINK_CANDIDATES {
        improved = false;
        for candidate in smaller(&best_inputs) {
            if candidates >= INPUT_SHRINK_CANDIDATES {
                break;
            }
            candidates += 1;
            if let Some(trace) = fails(&candidate, &best_trace) {
                (best_inputs, best_trace, improved) = (candidate, trace, true);
                break;
            }
        }
    }
    (best_trace, candidates)
}

/// The candidates one item smaller than `inputs`: each list left out, then each item left
/// out (the last ones first: they matter least to the ones before).
fn smaller(inputs: &Inputs) -> Vec<Inputs> {
    let mut candidates = Vec::new();
    for (index, list) in inputs.lists.iter().enumerate() {
        if !list.kept.is_empty() {
            let mut candidate = inputs.clone();
            candidate.lists[index].kept.clear();
            candidate.lists[index].items.clear();
            candidates.push(candidate);
        }
    }
    // A list's only item goes with the list.
    let longer = inputs.lists.iter().enumerate();
    for (index, list) in longer.filter(|(_, list)| list.kept.len() > 1) {
        for item in (0..list.kept.len()).rev() {
            let mut candidate = inputs.clone();
            let list = &mut candidate.lists[index];
            list.kept.remove(item);
            if item < list.items.len() {
                list.items.remove(item);
            }
            candidates.push(candidate);
        }
    }
    candidates
}

#[cfg(test)]
mod tests {
    use genserver_traces::{InputList, Inputs};

    use super::smaller;

    fn inputs(kept: &[&[usize]]) -> Inputs {
        let list = |(index, kept): (usize, &&[usize])| InputList {
            name: format!("client-{}", index + 1),
            drawn: 2,
            kept: kept.to_vec(),
            items: kept.iter().map(|item| format!("op {item}")).collect(),
        };
        Inputs {
            seed: 4,
            lists: kept.iter().enumerate().map(list).collect(),
        }
    }

    #[test]
    fn candidates_leave_out_a_list_then_one_item() {
        assert_eq!(
            smaller(&inputs(&[&[0, 1], &[], &[1]])),
            [
                inputs(&[&[], &[], &[1]]),
                inputs(&[&[0, 1], &[], &[]]),
                inputs(&[&[0], &[], &[1]]),
                inputs(&[&[1], &[], &[1]]),
            ]
        );
        assert!(smaller(&inputs(&[&[], &[]])).is_empty());
    }
}
