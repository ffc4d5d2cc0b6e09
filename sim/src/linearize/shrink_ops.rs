//! Shrinking a generated workload: fewer clients and fewer operations first, then fewer
//! steps.
//!
//! A pass of its own before the schedule shrinker ([`crate::shrink`]), which cannot leave
//! out a client's operation (a client makes its calls one after the other). Each candidate
//! leaves out one client, or one operation of a client, and keeps the operations of the
//! others; it counts as failing when a run of it fails the same way (same kind of failure,
//! same check): first the run that follows the best failing schedule so far by the identity
//! of its events, then, if that one passes, random runs of seeds `0..`[`OP_SEARCH_RUNS`].
//! A failing candidate replaces the best, and the passes repeat until no candidate fails
//! (or [`OP_SHRINK_CANDIDATES`] were tried). Every run is deterministic, so the result is
//! too. The schedule of the smallest failing workload is then shrunk as any other.

use genserver::GenServer;
use genserver_traces::Trace;

use super::model::Model;
use super::workload::{Workload, WorkloadModel, WorkloadServer};
use crate::drive::run::{RunReport, replay, run, run_with};
use crate::drive::shrink::{Shrunk, shrink};
use crate::failure::signature;
use crate::scheduler::Divergence;
use crate::scheduler::follow::{Follow, Newcomers};

/// How many random runs a candidate workload gets when the followed schedule passes.
pub const OP_SEARCH_RUNS: u64 = 100;

/// The most candidate workloads one shrink tries.
pub const OP_SHRINK_CANDIDATES: u64 = 400;

/// A failing generated workload cut down to fewer operations, and its run cut down to
/// fewer steps.
pub struct ShrunkWorkload<M: Model, S: GenServer> {
    /// The smaller workload, its operations given (replay the shrunk trace with it, not
    /// with the original workload).
    pub workload: Workload<M, S>,
    /// Its operations, by client (index 0 is `client-1`; a client with none was left out).
    pub ops: Vec<Vec<M::Op>>,
    /// Operations of the original workload.
    pub original_ops: usize,
    /// How many candidate workloads were tried.
    pub candidates: u64,
    /// The shrunk run of the smaller workload.
    pub shrunk: Shrunk,
}

impl<M: Model, S: GenServer> ShrunkWorkload<M, S> {
    /// How many operations the smaller workload makes.
    pub fn operations(&self) -> usize {
        self.ops.iter().map(Vec::len).sum()
    }
}

/// What a failure is, for the shrink: its kind and its check (not its process: leaving
/// out operations may move the failure to another client).
type Target = (String, String);

fn failure_of(report: &RunReport) -> Option<Target> {
    let (kind, _, check) = signature(&report.failure()?.record());
    Some((kind, check))
}

impl<M: WorkloadModel, S: WorkloadServer> Workload<M, S> {
    /// Shrinks the failing run recorded in `trace` (a run of this workload): fewer clients
    /// and operations, then fewer steps (see the module's notes). Returns `None` if the
    /// trace records no failure.
    pub fn shrink(&self, trace: &Trace) -> Result<Option<ShrunkWorkload<M, S>>, Divergence> {
        let original = replay(self, trace)?;
        let Some(target) = failure_of(&original) else {
            return Ok(None);
        };
        let (seed, max_steps) = (trace.header.seed, trace.header.max_steps);
        let mut best_ops = self.ops();
        let original_ops = best_ops.iter().map(Vec::len).sum();
        let mut best_trace = trace.clone();
        let mut candidates = 0;
        // The failing trace of a candidate, if it fails the same way.
        let fails = |ops: &[Vec<M::Op>], best: &Trace| -> Option<Trace> {
            let candidate = self.with_ops(ops.to_vec());
            let plan: Vec<String> = best.schedule().into_iter().map(str::to_owned).collect();
            let mut follow = Follow::new(&plan, Newcomers::Last).on_behalf_of("workload shrink");
            let followed = run_with(&candidate, seed, max_steps, true, &mut follow).ok()?;
            if failure_of(&followed).as_ref() == Some(&target) {
                return followed.trace;
            }
            let seed = (0..OP_SEARCH_RUNS).find(|&seed| {
                failure_of(&run(&candidate, seed, max_steps, false)).as_ref() == Some(&target)
            })?;
            run(&candidate, seed, max_steps, true).trace
        };
        let mut improved = true;
        while improved && candidates < OP_SHRINK_CANDIDATES {
            improved = false;
            for candidate in smaller(&best_ops) {
                if candidates >= OP_SHRINK_CANDIDATES {
                    break;
                }
                candidates += 1;
                if let Some(trace) = fails(&candidate, &best_trace) {
                    (best_ops, best_trace, improved) = (candidate, trace, true);
                    break;
                }
            }
        }
        let workload = self.with_ops(best_ops.clone());
        let shrunk = shrink(&workload, &best_trace)?.expect("the best trace fails");
        Ok(Some(ShrunkWorkload {
            workload,
            ops: best_ops,
            original_ops,
            candidates,
            shrunk,
        }))
    }
}

/// The candidates one step smaller than `ops`: each client left out, then each operation
/// left out (the last ones first: they matter least to the ones before).
fn smaller<T: Clone>(ops: &[Vec<T>]) -> Vec<Vec<Vec<T>>> {
    let mut candidates = Vec::new();
    for (client, mine) in ops.iter().enumerate() {
        if !mine.is_empty() {
            let mut candidate = ops.to_vec();
            candidate[client].clear();
            candidates.push(candidate);
        }
    }
    // A client's only operation goes with the client.
    for (client, mine) in ops.iter().enumerate().filter(|(_, mine)| mine.len() > 1) {
        for index in (0..mine.len()).rev() {
            let mut candidate = ops.to_vec();
            candidate[client].remove(index);
            candidates.push(candidate);
        }
    }
    candidates
}

#[cfg(test)]
mod tests {
    use super::smaller;

    #[test]
    fn candidates_leave_out_a_client_then_one_operation() {
        let ops = vec![vec![1, 2], vec![], vec![3]];
        assert_eq!(
            smaller(&ops),
            [
                vec![vec![], vec![], vec![3]],
                vec![vec![1, 2], vec![], vec![]],
                vec![vec![1], vec![], vec![3]],
                vec![vec![2], vec![], vec![3]],
            ]
        );
    }
}
