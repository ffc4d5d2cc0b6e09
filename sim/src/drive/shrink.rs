//! Shrinking: cut a failing run down to what the failure needs.
//!
//! A run whose system drew inputs (a generated workload's operations: see
//! [`crate::World::record_inputs`]) first has them cut down, a list or an item at a time
//! (`shrink_inputs`); the schedule of the smallest failing inputs is then shrunk as any
//! other, with those inputs. The shrunk trace records them, so it replays with the system
//! as it was given, not with a smaller one.
//!
//! Delta debugging over the schedule's decisions: leave out chunks of decisions (halving the
//! chunk size down to single decisions), run the rest, and keep the result whenever the
//! *same named failure* (same kind, same process, same check) still occurs in fewer steps,
//! or as many steps with fewer faults or fewer client operations. Leaving out a decision
//! postpones that event past the failure, so what remains is the story of the bug. Every
//! candidate is a deterministic run, so shrinking is deterministic.
//!
//! A candidate follows the rest of the schedule by the *identity* of its events (kind,
//! sender, receiver, and which message of that sender to that receiver: see
//! `scheduler::follow`), not by their labels: leaving out a transfer changes the balance a
//! later reply carries (`Ok(80)` becomes `Ok(90)`), and that reply is still the event the
//! plan means. The shrunk schedule is the labels of the best candidate run, which replay it
//! strictly.

use genserver_traces::{Inputs, ProcessKind, Trace};

use crate::drive::run::{RunReport, run_recorded};
use crate::drive::shrink_inputs::shrink_inputs;
use crate::failure::signature;
use crate::scheduler::Divergence;
use crate::scheduler::follow::{Follow, Newcomers};
use crate::scheduler::labels::identity;
use crate::scheduler::replay::ReplayScheduler;
use crate::system::System;

/// The most candidate runs one shrink makes.
pub const SHRINK_ATTEMPTS: u64 = 2_000;

/// A failing run and its shrunk form.
#[derive(Clone, Debug)]
pub struct Shrunk {
    /// Steps of the original failing run.
    pub original_steps: u64,
    /// The shrunk run (its trace recorded), failing the same way.
    pub report: RunReport,
    /// How many candidate runs were made (input candidates and schedule candidates).
    pub attempts: u64,
    /// How many input items the original run used, if its system recorded inputs.
    pub original_inputs: Option<usize>,
}

impl Shrunk {
    /// How many input items the shrunk run uses, if its system recorded inputs.
    pub fn inputs(&self) -> Option<usize> {
        let trace = self.report.trace.as_ref()?;
        trace.header.inputs.as_ref().map(Inputs::kept)
    }
}

/// Lower is smaller: steps, faults, client operations.
fn size(schedule: &[String], clients: &[String]) -> (usize, usize, usize) {
    let faults = schedule
        .iter()
        .filter(|l| l.starts_with("crash ") || l.starts_with("drop ") || l.starts_with("delay "))
        .count();
    let acts_on_client = |label: &String| {
        let label = identity(label);
        let actor = match label.rsplit_once(" → ") {
            Some((_, to)) if label.starts_with("deliver ") => to,
            Some((head, _)) => head.rsplit(' ').next().unwrap_or(""),
            None => label.rsplit(' ').next().unwrap_or(""),
        };
        clients.iter().any(|c| c == actor)
    };
    let client_ops = schedule.iter().filter(|l| acts_on_client(l)).count();
    (schedule.len(), faults, client_ops)
}

/// Shrinks the failing run recorded in `trace` (made by `system`): its inputs, if it
/// recorded any, then its schedule. Returns `None` if the trace records no failure.
pub fn shrink(system: &dyn System, trace: &Trace) -> Result<Option<Shrunk>, Divergence> {
    let original_steps = trace.end.steps;
    let original_inputs = trace.header.inputs.as_ref().map(Inputs::kept);
    let schedule: Vec<String> = trace.schedule().into_iter().map(str::to_owned).collect();
    let mut replay = ReplayScheduler::new(schedule).on_behalf_of(&trace.header.strategy);
    let original = run_recorded(system, &trace.header, true, &mut replay)?;
    if original.failure().is_none() {
        return Ok(None);
    }
    let recorded = original.trace.as_ref().expect("recording was on");
    let (trace, input_attempts) = shrink_inputs(system, recorded);
    let Some(mut shrunk) = shrink_schedule(system, &trace)? else {
        return Ok(None);
    };
    shrunk.attempts += input_attempts;
    (shrunk.original_steps, shrunk.original_inputs) = (original_steps, original_inputs);
    Ok(Some(shrunk))
}

/// Shrinks the schedule of the failing run recorded in `trace`, with the inputs it recorded.
fn shrink_schedule(system: &dyn System, trace: &Trace) -> Result<Option<Shrunk>, Divergence> {
    let header = &trace.header;
    let schedule: Vec<String> = trace.schedule().into_iter().map(str::to_owned).collect();
    let mut replay = ReplayScheduler::new(schedule.clone()).on_behalf_of(&header.strategy);
    let original = run_recorded(system, header, false, &mut replay)?;
    let Some(target) = original.failure().map(|f| signature(&f.record())) else {
        return Ok(None);
    };
    let clients: Vec<String> = (header.processes.iter())
        .filter(|p| p.kind == ProcessKind::Client)
        .map(|p| p.name.clone())
        .collect();
    // The best schedule so far, by its labels.
    let mut best = schedule;
    let mut attempts = 0;
    let attempt = |plan: Vec<String>| {
        let mut follow = Follow::new(&plan, Newcomers::Last);
        let report = run_recorded(system, header, false, &mut follow).ok()?;
        let taken = follow.followed().taken;
        (report.failure().map(|f| signature(&f.record())).as_ref() == Some(&target))
            .then_some(taken)
    };
    let mut chunk = (best.len() / 2).max(1);
    loop {
        let mut improved = false;
        let mut start = 0;
        while start < best.len() && attempts < SHRINK_ATTEMPTS {
            let end = (start + chunk).min(best.len());
            let plan = (best[..start].iter().chain(&best[end..]).cloned()).collect();
            attempts += 1;
            match attempt(plan) {
                Some(taken) if size(&taken, &clients) < size(&best, &clients) => {
                    best = taken;
                    improved = true;
                }
                _ => start += chunk,
            }
        }
        if attempts >= SHRINK_ATTEMPTS || (chunk == 1 && !improved) {
            break;
        }
        if !improved {
            chunk = (chunk / 2).max(1);
        }
    }
    let strategy = format!("{} (shrunk)", header.strategy);
    let mut replay = ReplayScheduler::new(best).on_behalf_of(&strategy);
    let report = run_recorded(system, header, true, &mut replay)?;
    Ok(Some(Shrunk {
        original_steps: original.steps,
        report,
        attempts,
        original_inputs: header.inputs.as_ref().map(Inputs::kept),
    }))
}
