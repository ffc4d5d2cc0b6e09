//! Running a system in the simulator through a recording's per-process orders.

use genserver_traces::{FailureRecord, Trace};

use super::orders::Orders;
use crate::drive::loose::{Reproduction, recorded_failure};
use crate::drive::run::{DEFAULT_MAX_STEPS, RunReport, run_with};
use crate::scheduler::Divergence;
use crate::scheduler::recorded::RecordingScheduler;
use crate::system::System;

/// A simulated run that followed a recording.
#[derive(Clone, Debug)]
pub struct FollowedRecording {
    /// The run (its trace replays, shrinks and renders like any other).
    pub report: RunReport,
    /// Where a loose run could not follow the recording first (`None`: it followed it).
    pub off_record: Option<Divergence>,
    /// Recorded inputs no process took in the simulator (`alice: cast from transfer`): the
    /// simulated run ended first (a failure stops it) or took another way.
    pub left: Vec<String>,
    /// Inputs processes took in the simulator after their recordings ended
    /// (`counter: cast from client-1`): the real run ended before they took them.
    pub late: Vec<String>,
    /// The failure the recorded run ended with, if it failed.
    pub recorded: Option<FailureRecord>,
    /// Whether the simulated run ended as the recorded one did (as a loose replay judges
    /// it: the same failure, or none on both sides).
    pub reproduction: Reproduction,
}

/// Runs `system` (built as the recorded scenario was) through the orders of `recording`, a
/// trace of strategy `recorded` ([`super::recorded_trace`]). Strict (`loose` false), a point
/// where the recording cannot be followed is an error that says where and what each
/// process was to take; loose, the run goes on from there and says where it left the
/// recording ([`FollowedRecording::off_record`]).
pub fn follow_recording(
    system: &dyn System,
    recording: &Trace,
    loose: bool,
) -> Result<FollowedRecording, Divergence> {
    let orders =
        Orders::from_trace(recording).map_err(|message| Divergence { step: 0, message })?;
    let recorded = recorded_failure(&recording.end.outcome);
    let max_steps = DEFAULT_MAX_STEPS.max(4 * orders.len() as u64 + 1_000);
    let mut scheduler = RecordingScheduler::new(orders, loose);
    let report = run_with(system, 0, max_steps, true, &mut scheduler)?;
    let reproduction = Reproduction::of(recorded.as_ref(), report.failure());
    Ok(FollowedRecording {
        off_record: scheduler.off_record().cloned(),
        left: scheduler.left(),
        late: scheduler.late().to_vec(),
        recorded,
        reproduction,
        report,
    })
}

impl FollowedRecording {
    /// Whether every process took all its recorded inputs, in the recorded order (and
    /// perhaps more after them: [`FollowedRecording::late`]).
    pub fn same_orders(&self) -> bool {
        self.off_record.is_none() && self.left.is_empty()
    }

    /// Whether the simulated run ended as the recorded one did.
    pub fn same_ending(&self) -> bool {
        self.reproduction == Reproduction::Same
    }
}
