//! Loose replay: a saved schedule followed by the identity of its events, so that it
//! survives edits of the code.
//!
//! Strict replay ([`crate::replay`]) takes, step by step, the event whose label the schedule
//! recorded, and stops at the first that is not enabled. Loose replay matches events by
//! their identity (the label up to `: `: what happens to which message, named by kind, head
//! and number per sender, receiver, kind and head), follows the schedule where its events
//! still exist, skips those that no longer do, and takes the new events the changed code brings in a fixed order
//! (the first enabled one that is neither a fault nor a jump of time). It ends with a report:
//! how many steps were kept, which were skipped, which are new, and whether the recorded
//! failure happened again.
//!
//! Schedules recorded before format version 3 named messages by a global call number and
//! their payload first (`deliver call #7 Get client → counter`); they are matched by kind,
//! sender and receiver alone.
//!
//! ```
//! use genserver_sim::{Reproduction, find_system, hunt, replay_loose};
//!
//! let system = find_system("lost-update").unwrap();
//! let found = hunt(system, 0, 100, 10_000).found.unwrap();
//! let again = replay_loose(system, found.trace.as_ref().unwrap()).unwrap();
//! assert_eq!(again.reproduction, Reproduction::Same);
//! assert!(again.skipped.is_empty() && again.new.is_empty());
//! ```

use genserver_traces::{FailureRecord, Inputs, LABELS_VERSION, Outcome, Schedule, Trace};

use crate::drive::run::{RunReport, run_given};
use crate::failure::{Failure, record_words, signature};
use crate::scheduler::Divergence;
use crate::scheduler::follow::{Follow, Newcomers};
use crate::scheduler::labels::{identity, without_numbers};
use crate::system::System;
use crate::world::envelope::KINDS;

/// How a loosely replayed run ended, against the recorded one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reproduction {
    /// As recorded: the same failure (kind, process and check), or no failure where none
    /// was recorded.
    Same,
    /// Otherwise: another failure, none where one was recorded, or one where none was.
    Different,
    /// Nothing was recorded to compare with (a schedule file).
    Unrecorded,
}

impl Reproduction {
    /// How a run that found `now` ends against one that recorded `then`: the same failure
    /// by [`signature`], or no failure on both sides, is [`Reproduction::Same`].
    pub(crate) fn of(then: Option<&FailureRecord>, now: Option<&Failure>) -> Self {
        match (then, now) {
            (Some(then), Some(now)) if signature(then) == signature(&now.record()) => {
                Reproduction::Same
            }
            (None, None) => Reproduction::Same,
            _ => Reproduction::Different,
        }
    }
}

/// The failure a trace's end recorded, if any.
pub(crate) fn recorded_failure(outcome: &Outcome) -> Option<FailureRecord> {
    match outcome {
        Outcome::Failure(record) => Some(record.clone()),
        Outcome::Pass | Outcome::StepLimit => None,
    }
}

/// What a loose replay did and found.
#[derive(Clone, Debug)]
pub struct LooseReplay {
    /// The run, with its trace.
    pub report: RunReport,
    /// How many steps the schedule had.
    pub planned: usize,
    /// How many of them were taken.
    pub kept: usize,
    /// The schedule's steps that were not (their labels), in schedule order.
    pub skipped: Vec<String>,
    /// The steps the schedule did not know (their labels), in run order.
    pub new: Vec<String>,
    /// Whether the run ended as the recorded one did.
    pub reproduction: Reproduction,
    /// The recorded failure, if one was recorded.
    pub recorded: Option<FailureRecord>,
}

impl LooseReplay {
    /// The report in a few lines: "kept 23 of 25 steps; skipped 2 (…); 3 new (…)", then how
    /// the run ended against the recorded one.
    pub fn summary(&self) -> String {
        let listed = |labels: &[String]| match labels.len() {
            0 => String::new(),
            n => {
                let shown: Vec<&str> = labels.iter().take(3).map(String::as_str).collect();
                let more = if n > 3 { "; …" } else { "" };
                format!(" ({}{more})", shown.join("; "))
            }
        };
        let failure = self.report.failure().map(|f| f.to_string());
        let recorded = self.recorded.as_ref().map(record_words);
        let ending = match (self.reproduction, failure, recorded) {
            (Reproduction::Same, Some(now), _) => format!("the same failure reproduced: {now}"),
            (Reproduction::Same, None, _) => "no failure, as recorded".to_owned(),
            (_, Some(now), Some(then)) => format!("a different failure: {now} (recorded: {then})"),
            (_, None, Some(then)) => format!("no failure (recorded: {then})"),
            (Reproduction::Different, Some(now), None) => {
                format!("a failure where none was recorded: {now}")
            }
            (_, Some(now), None) => format!("failure: {now}"),
            (_, None, None) => "no failure".to_owned(),
        };
        format!(
            "kept {} of {} steps; skipped {}{}; {} new{}\n{ending}",
            self.kept,
            self.planned,
            self.skipped.len(),
            listed(&self.skipped),
            self.new.len(),
            listed(&self.new),
        )
    }
}

/// Replays the schedule of `trace` on `system` by the identity of its events (see the
/// module docs), and compares how the run ends with how the recorded one did.
pub fn replay_loose(system: &dyn System, trace: &Trace) -> Result<LooseReplay, Divergence> {
    let header = &trace.header;
    let names: Vec<&str> = header.processes.iter().map(|p| p.name.as_str()).collect();
    let recorded = recorded_failure(&trace.end.outcome);
    let plan = Plan {
        steps: trace.schedule().into_iter().map(str::to_owned).collect(),
        seed: header.seed,
        max_steps: header.max_steps,
        strategy: &header.strategy,
        older_format: header.version < LABELS_VERSION,
        names: &names,
        inputs: header.inputs.as_ref(),
    };
    let mut again = follow(system, &plan)?;
    again.reproduction = Reproduction::of(recorded.as_ref(), again.report.failure());
    again.recorded = recorded;
    Ok(again)
}

/// Replays a plain-text [`Schedule`] on `system` by the identity of its events (nothing
/// was recorded to compare the ending with).
pub fn replay_schedule_loose(
    system: &dyn System,
    schedule: &Schedule,
) -> Result<LooseReplay, Divergence> {
    let plan = Plan {
        steps: schedule.steps.clone(),
        seed: schedule.seed,
        max_steps: schedule.max_steps,
        strategy: &schedule.strategy,
        older_format: false,
        names: &[],
        inputs: schedule.inputs.as_ref(),
    };
    follow(system, &plan)
}

/// A schedule to follow, with what its labels need to be read.
struct Plan<'a> {
    steps: Vec<String>,
    seed: u64,
    max_steps: u64,
    /// The strategy that chose the recorded run (the replay reports it as its own).
    strategy: &'a str,
    /// Recorded before format version 3: labels of the older grammar.
    older_format: bool,
    /// The names of the recorded run's processes.
    names: &'a [&'a str],
    /// The inputs the recorded run used, if it recorded any.
    inputs: Option<&'a Inputs>,
}

fn follow(system: &dyn System, plan: &Plan<'_>) -> Result<LooseReplay, Divergence> {
    let follow = match plan.older_format {
        false => Follow::new(&plan.steps, Newcomers::First),
        true => {
            let keyed = (plan.steps.iter())
                .map(|label| (older_identity(label, plan.names), label.clone()))
                .collect();
            Follow::with_keys(keyed, coarse_identity, Newcomers::First)
        }
    };
    let mut follow = follow.on_behalf_of(plan.strategy);
    let report = run_given(
        system,
        plan.seed,
        plan.inputs,
        plan.max_steps,
        true,
        &mut follow,
    )?;
    let followed = follow.followed();
    Ok(LooseReplay {
        report,
        planned: plan.steps.len(),
        kept: followed.kept,
        skipped: followed.skipped,
        new: followed.new,
        reproduction: Reproduction::Unrecorded,
        recorded: None,
    })
}

/// The verbs of events on a message.
const MESSAGE_VERBS: [&str; 3] = ["deliver", "drop", "delay"];

/// A current label's identity as coarse as the older grammar allows: a message by kind,
/// sender and receiver (`deliver call Get #2 client → counter` is `deliver call #
/// client → counter`), anything else without its numbers.
fn coarse_identity(label: &str) -> String {
    let id = identity(label);
    for verb in MESSAGE_VERBS.iter().chain(&["time out"]) {
        let Some(rest) = id.strip_prefix(verb).and_then(|r| r.strip_prefix(' ')) else {
            continue;
        };
        let kind = KINDS.iter().find(|k| rest.starts_with(*k));
        let parties = rest.split_once(" #").and_then(|(_, r)| r.split_once(' '));
        if let (Some(kind), Some((_, parties))) = (kind, parties) {
            // A reply another process sent names its call's callee (`of bank`): the older
            // grammar did not.
            let parties = match parties.strip_prefix("of ") {
                Some(after) => after.split_once(' ').map_or(after, |(_, p)| p),
                None => parties,
            };
            return format!("{verb} {kind} # {parties}");
        }
    }
    without_numbers(id)
}

/// The identity of a label of the grammar before format version 3, as coarse as
/// [`coarse_identity`] makes a current one: `deliver call #7 Get client → counter` is
/// `deliver call # client → counter`, `fire timer #2 Tick at a` is `fire timer # at a`.
/// `names` are the processes that may send.
fn older_identity(label: &str, names: &[&str]) -> String {
    for verb in MESSAGE_VERBS {
        let Some(rest) = label.strip_prefix(verb).and_then(|r| r.strip_prefix(' ')) else {
            continue;
        };
        let (rest, by) = match rest.rsplit_once(" by ") {
            Some((rest, by)) if verb == "delay" => (rest, format!(" by {by}")),
            _ => (rest, String::new()),
        };
        let Some((head, to)) = rest.rsplit_once(" → ") else {
            continue;
        };
        let head = match head.rsplit_once(" (life ") {
            Some((head, life)) if life.ends_with(')') => head,
            _ => head,
        };
        let sender = (names.iter())
            .filter(|name| head.ends_with(&format!(" {name}")))
            .max_by_key(|name| name.len());
        if let Some(from) = sender {
            let body = &head[..head.len() - from.len() - 1];
            let kind = (KINDS.iter())
                .find(|k| body.starts_with(*k))
                .copied()
                .unwrap_or_else(|| body.split(' ').next().unwrap_or(""));
            return format!("{verb} {kind} # {from} → {to}{by}");
        }
    }
    if let Some((_, server)) =
        (label.strip_prefix("fire timer #")).and_then(|r| r.rsplit_once(" at "))
    {
        return format!("fire timer # at {server}");
    }
    without_numbers(identity(label))
}

#[cfg(test)]
mod tests {
    use super::{coarse_identity, older_identity};

    #[test]
    fn labels_of_the_older_grammar_match_the_current_ones_without_numbers() {
        let names = [
            "client-1", "counter", "a", "emitter", "recorder", "probe", "client",
        ];
        for (older, current) in [
            (
                "deliver call #7 Get client-1 → counter",
                "deliver call Get #1 client-1 → counter: Get",
            ),
            (
                "deliver reply #7 Ok(Some(3)) counter → client-1",
                "deliver reply Get #1 counter → client-1: Ok(Some(3))",
            ),
            (
                "deliver cast 10 emitter (life 2) → recorder",
                "deliver cast #3 emitter → recorder: 10",
            ),
            ("deliver kill a → counter", "deliver kill #1 a → counter"),
            (
                "deliver reply #4 Ok(1) a → client-1",
                "deliver reply Get #1 of counter a → client-1: Ok(1)",
            ),
            (
                "deliver exit signal error: boom a → counter",
                "deliver exit signal #1 a → counter: error: boom",
            ),
            ("fire timer #2 Tick at a", "fire timer #2 at a: Tick"),
            (
                "time out call #9 client-1 → counter",
                "time out call Get #2 client-1 → counter",
            ),
            (
                "delay call #1 Echo(\"x\") client → probe by 300ms",
                "delay call Echo #1 client → probe by 300ms: Echo(\"x\")",
            ),
            ("continue a: Flush", "continue a: Flush"),
            ("start client-1", "start client-1"),
        ] {
            assert_eq!(
                older_identity(older, &names),
                coarse_identity(current),
                "{older}"
            );
        }
    }
}
