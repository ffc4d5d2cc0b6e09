//! Liveness: servers that wait for each other in a cycle, and properties a run must reach
//! (`eventually`) before its step limit.

use std::collections::BTreeMap;

use genserver::{CallTag, ProcessId};

use crate::failure::{Failure, FailureKind};
use crate::world::{ProcKind, World};

impl World {
    /// Records a deadlock the moment servers wait for each other in a cycle (each blocked in
    /// a call to the next), even while other processes or timers can still run.
    pub(crate) fn check_call_cycles(&mut self) {
        // Only a server starting to wait can close a cycle.
        if !std::mem::take(&mut self.server_started_waiting) || self.failure.is_some() {
            return;
        }
        let waits: BTreeMap<ProcessId, (ProcessId, CallTag)> = (self.pending.iter())
            .filter(|((caller, _), _)| self.is_server(*caller))
            .map(|(&(caller, tag), pending)| (caller, (pending.callee, tag)))
            .collect();
        for &start in waits.keys() {
            let mut cycle = vec![start];
            let mut at = start;
            while let Some(&(next, _)) = waits.get(&at) {
                if next == start {
                    return self.fail(self.cycle_failure(&cycle, &waits));
                }
                if cycle.contains(&next) {
                    break; // A cycle that `start` only leads into: found from its members.
                }
                cycle.push(next);
                at = next;
            }
        }
    }

    fn cycle_failure(
        &self,
        cycle: &[ProcessId],
        waits: &BTreeMap<ProcessId, (ProcessId, CallTag)>,
    ) -> Failure {
        let links: Vec<String> = (cycle.iter())
            .map(|caller| {
                let (callee, tag) = waits[caller];
                let (caller, callee) = (self.name(*caller), self.name(callee));
                format!("server {caller} waits for {callee} (call #{})", tag.0)
            })
            .collect();
        Failure {
            kind: FailureKind::Deadlock,
            step: self.step,
            process: None,
            message: format!("call cycle: {}", links.join(", ")),
        }
    }

    fn is_server(&self, id: ProcessId) -> bool {
        matches!(self.proc(id).map(|p| &p.kind), Some(ProcKind::Server(_)))
    }
}
