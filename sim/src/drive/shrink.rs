//! Shrinking: cut a failing schedule down to what the failure needs.
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

use genserver_traces::{ProcessKind, Trace};

use crate::drive::run::{RunReport, run_with};
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
    /// How many candidate runs were made.
    pub attempts: u64,
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

/// Shrinks the failing run recorded in `trace` (made by `system`). Returns `None` if the
/// trace records no failure.
pub fn shrink(system: &dyn System, trace: &Trace) -> Result<Option<Shrunk>, Divergence> {
    let header = &trace.header;
    let schedule: Vec<String> = trace.schedule().into_iter().map(str::to_owned).collect();
    let mut replay = ReplayScheduler::new(schedule.clone()).on_behalf_of(&header.strategy);
    let original = run_with(system, header.seed, header.max_steps, false, &mut replay)?;
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
        let report = run_with(system, header.seed, header.max_steps, false, &mut follow).ok()?;
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
    let report = run_with(system, header.seed, header.max_steps, true, &mut replay)?;
    Ok(Some(Shrunk {
        original_steps: original.steps,
        report,
        attempts,
    }))
}
