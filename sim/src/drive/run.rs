//! Runs: one seeded run, a replay of a recorded schedule, the loop they share.

use genserver_traces::{
    End, EventKind, Header, INPUTS_VERSION, Inputs, Outcome, Schedule, Trace, first_difference,
};

use crate::failure::{Failure, FailureKind};
use crate::scheduler::random::RandomScheduler;
use crate::scheduler::replay::ReplayScheduler;
use crate::scheduler::{Divergence, Enabled, Scheduler};
use crate::system::System;
use crate::world::{Deadline, ProcKind, World};

/// The default step limit of a run.
pub const DEFAULT_MAX_STEPS: u64 = 10_000;

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing was left to do and every check passed.
    Pass,
    /// The step limit came first.
    StepLimit,
    /// A failure was found.
    Failed(Failure),
}

/// The result of one run.
#[derive(Clone, Debug)]
pub struct RunReport {
    /// The system's name.
    pub system: String,
    /// The seed (of the original run, for a replay).
    pub seed: u64,
    /// Steps taken.
    pub steps: u64,
    /// How it ended.
    pub verdict: Verdict,
    /// The trace, if recording was on.
    pub trace: Option<Trace>,
}

impl RunReport {
    /// The failure, if the run found one.
    pub fn failure(&self) -> Option<&Failure> {
        match &self.verdict {
            Verdict::Failed(failure) => Some(failure),
            _ => None,
        }
    }
}

/// One run of `system` chosen by a [`RandomScheduler`] seeded with `seed`.
pub fn run(system: &dyn System, seed: u64, max_steps: u64, record: bool) -> RunReport {
    let mut scheduler = RandomScheduler::new(seed);
    run_with(system, seed, max_steps, record, &mut scheduler)
        .expect("a random scheduler never diverges")
}

/// Replays the schedule of `trace` on `system` label by label, with the inputs the trace
/// recorded ([`World::given_inputs`]), and checks that the new trace is identical (the
/// format version and the crate version in the header aside). A trace of
/// an older format version is refused: its labels replay by identity only
/// ([`crate::replay_loose`]).
pub fn replay(system: &dyn System, trace: &Trace) -> Result<RunReport, Divergence> {
    let version = trace.header.version;
    if version < genserver_traces::LABELS_VERSION {
        let message = format!(
            "the trace was recorded in format version {version}, whose schedule labels name \
             messages otherwise: replay it by identity (`replay_loose`, `gsim replay --loose`)"
        );
        return Err(Divergence { step: 1, message });
    }
    let schedule = trace.schedule().into_iter().map(str::to_owned).collect();
    let header = &trace.header;
    let mut scheduler = ReplayScheduler::new(schedule).on_behalf_of(&header.strategy);
    let report = run_recorded(system, header, true, &mut scheduler)?;
    let replayed = report.trace.as_ref().expect("recording was on");
    compare(trace, replayed, "the trace says", "the replay gives")?;
    Ok(report)
}

/// Follows a plain-text [`Schedule`] on `system`, with the inputs it recorded (no trace to
/// compare with: the new trace is returned in the report).
pub fn replay_schedule(system: &dyn System, schedule: &Schedule) -> Result<RunReport, Divergence> {
    let mut scheduler =
        ReplayScheduler::new(schedule.steps.clone()).on_behalf_of(&schedule.strategy);
    let (seed, inputs) = (schedule.seed, schedule.inputs.as_ref());
    run_given(
        system,
        seed,
        inputs,
        schedule.max_steps,
        true,
        &mut scheduler,
    )
}

/// Runs `system` with any scheduler.
pub fn run_with(
    system: &dyn System,
    seed: u64,
    max_steps: u64,
    record: bool,
    scheduler: &mut dyn Scheduler,
) -> Result<RunReport, Divergence> {
    run_given(system, seed, None, max_steps, record, scheduler)
}

/// Runs `system` again with any scheduler, as the run `header` describes: its seed, its
/// step limit and the inputs it recorded.
pub(crate) fn run_recorded(
    system: &dyn System,
    header: &Header,
    record: bool,
    scheduler: &mut dyn Scheduler,
) -> Result<RunReport, Divergence> {
    let (seed, inputs) = (header.seed, header.inputs.as_ref());
    run_given(system, seed, inputs, header.max_steps, record, scheduler)
}

/// Runs `system` with any scheduler, given the inputs to use (`None`: it draws its own).
pub(crate) fn run_given(
    system: &dyn System,
    seed: u64,
    inputs: Option<&Inputs>,
    max_steps: u64,
    record: bool,
    scheduler: &mut dyn Scheduler,
) -> Result<RunReport, Divergence> {
    let mut world = built(system, seed, inputs, max_steps, record, false);
    let verdict = run_from(&mut world, max_steps, scheduler);
    let verdict = verdict?;
    let trace = world.log.take().map(|log| {
        let events = log.events;
        let mut header = Header::new(system.name(), seed, max_steps);
        header.processes = world.processes();
        header.strategy = scheduler.strategy();
        header.inputs = world.inputs.used.take();
        let outcome = match &verdict {
            Verdict::Pass => Outcome::Pass,
            Verdict::StepLimit => Outcome::StepLimit,
            Verdict::Failed(failure) => Outcome::Failure(failure.record()),
        };
        let mut end = End::new(world.step, world.now, outcome);
        end.operations = std::mem::take(&mut world.operations.records);
        end.violation = world.operations.violation.take();
        Trace::new(header, events, end)
    });
    Ok(RunReport {
        system: system.name().to_owned(),
        seed,
        steps: world.step,
        verdict,
        trace,
    })
}

/// The world of `system` before its first step, its invariants checked: the run of `seed`,
/// given `inputs` if any (`observe`: it records footprints and keeps histories, for
/// exhaustive search).
pub(crate) fn built(
    system: &dyn System,
    seed: u64,
    inputs: Option<&Inputs>,
    max_steps: u64,
    record: bool,
    observe: bool,
) -> World {
    let mut world = World::new(record);
    world.max_steps = max_steps;
    world.inputs.seed = seed;
    world.inputs.given = inputs.cloned();
    if observe {
        world.touches = Some(Vec::new());
    }
    system.build(&mut world);
    if observe {
        world.keep_histories();
    }
    world.check_invariants();
    world
}

/// Runs `world` on from where it stands (it is left as the run left it).
pub(crate) fn run_from(
    world: &mut World,
    max_steps: u64,
    scheduler: &mut dyn Scheduler,
) -> Result<Verdict, Divergence> {
    drive(world, max_steps, scheduler).and_then(|verdict| {
        match verdict {
            Verdict::StepLimit => scheduler.finish_at_limit(world.step)?,
            _ => scheduler.finish(world.step)?,
        }
        Ok(verdict)
    })
}

fn drive(
    world: &mut World,
    max_steps: u64,
    scheduler: &mut dyn Scheduler,
) -> Result<Verdict, Divergence> {
    let mut events = std::mem::take(&mut world.enabled);
    let verdict = steps(world, &mut events, max_steps, scheduler);
    world.enabled = events;
    verdict
}

/// The run loop of [`drive`], listing the enabled events into `events` at every step.
fn steps(
    world: &mut World,
    events: &mut Vec<crate::world::events::Event>,
    max_steps: u64,
    scheduler: &mut dyn Scheduler,
) -> Result<Verdict, Divergence> {
    loop {
        if let Some(failure) = &world.failure {
            return Ok(Verdict::Failed(failure.clone()));
        }
        if world.over_budget {
            return Ok(at_limit(world));
        }
        world.enabled_into(events);
        // Quiescence is decided without the faults: a fault that could always happen must
        // neither stop time from advancing nor hide a deadlock.
        if events.iter().all(|event| event.is_fault()) {
            if let Some(at) = next_time(world) {
                world.now = at;
                continue;
            }
            if !world.pending.is_empty() {
                let failure = Failure {
                    kind: FailureKind::Deadlock,
                    step: world.step,
                    process: None,
                    message: deadlock_text(world),
                };
                world.fail(failure.clone());
                return Ok(Verdict::Failed(failure));
            }
            world.check_at_end();
            return Ok(match &world.failure {
                Some(failure) => Verdict::Failed(failure.clone()),
                None => Verdict::Pass,
            });
        }
        if world.step.saturating_add(world.extra_steps) >= max_steps {
            return Ok(at_limit(world));
        }
        let step = world.step + 1;
        let index = scheduler.choose(step, &Enabled { world, events })?;
        let Some(&event) = events.get(index) else {
            let message = format!("the scheduler chose event {index} of {}", events.len());
            return Err(Divergence { step, message });
        };
        if world.log.is_some() {
            let label = world.step_label(event);
            world.step = step;
            world.emit(EventKind::Choose, None, None, |_| label);
        }
        world.step = step;
        world.execute(event);
        world.check_invariants();
        world.check_call_cycles();
    }
}

/// The verdict of a run that reached its step limit: a livelock if it never reached what
/// it must eventually reach, the step limit otherwise.
fn at_limit(world: &mut World) -> Verdict {
    world.check_reached_at_limit();
    match &world.failure {
        Some(failure) => Verdict::Failed(failure.clone()),
        None => Verdict::StepLimit,
    }
}

/// When nothing is enabled: the next time something other than a call timeout can happen,
/// or the next timeout if something else is still to come; `None` if only timeouts remain
/// (a deadlock when calls are pending) or nothing at all.
fn next_time(world: &World) -> Option<u64> {
    let now = world.now;
    let hopeful = world.deadlines.values().any(|d| match *d {
        Deadline::Wake { .. } => true,
        Deadline::Timer { server, .. } => world.accepts(server),
        Deadline::Timeout { .. } => false,
    }) || world.net.next_due(now).is_some();
    if !hopeful {
        return None;
    }
    let deadlines = world
        .deadlines
        .keys()
        .map(|&(at, _)| at)
        .filter(|&at| at > now);
    deadlines.chain(world.net.next_due(now)).min()
}

fn deadlock_text(world: &World) -> String {
    let waits: Vec<String> = (world.pending.iter())
        .map(|(&(caller, tag), p)| {
            let kind = match world.proc(caller).map(|p| &p.kind) {
                Some(ProcKind::Server(_)) => "server",
                _ => "client",
            };
            format!(
                "{kind} {} waits for {} (call #{})",
                world.name(caller),
                world.name(p.callee),
                tag.0
            )
        })
        .collect();
    format!("nothing can happen but call timeouts: {}", waits.join(", "))
}

/// The first difference between two traces ([`genserver_traces::first_difference`]), as a
/// divergence that names the field that differs in words. Headers are compared too, on what
/// a run depends on: not the format version nor the version of the crate that wrote them (a
/// trace replays across both).
pub(crate) fn compare(a: &Trace, b: &Trace, a_says: &str, b_gives: &str) -> Result<(), Divergence> {
    let differs = |step: u64, field: &str, left: String, right: String| {
        let message = format!("{field} differs: {a_says} {left}, but {b_gives} {right}");
        Err(Divergence { step, message })
    };
    if let Some(difference) = first_difference(a, b) {
        let step = difference.step;
        let index = difference.event - 1;
        let first = difference.fields.into_iter().next();
        return match (a.events.get(index), b.events.get(index), first) {
            (Some(left), Some(right), Some(field)) => {
                let name = event_field(field.field);
                // The message is the event's rendering; another field is named with its event.
                let (l, r) = match field.field {
                    "message" => (render(left), render(right)),
                    _ => (
                        format!("{} in {}", field.left, render(left)),
                        format!("{} in {}", field.right, render(right)),
                    ),
                };
                differs(step, name, l, r)
            }
            (None, None, Some(field)) => {
                differs(step, end_field(field.field), field.left, field.right)
            }
            _ => {
                let (l, r) = (a.events.len(), b.events.len());
                differs(step, "the number of events", l.to_string(), r.to_string())
            }
        };
    }
    let (ha, hb) = (&a.header, &b.header);
    let fields = [
        ("the system", ha.system.clone(), hb.system.clone()),
        ("the strategy", ha.strategy.clone(), hb.strategy.clone()),
        ("the seed", ha.seed.to_string(), hb.seed.to_string()),
        (
            "the step limit",
            ha.max_steps.to_string(),
            hb.max_steps.to_string(),
        ),
        (
            "the processes",
            format!("{:?}", ha.processes),
            format!("{:?}", hb.processes),
        ),
    ];
    // A trace recorded before the inputs were is replayed with the inputs drawn again.
    let inputs = ha.version >= INPUTS_VERSION && hb.version >= INPUTS_VERSION;
    let inputs = inputs.then(|| {
        let shown = |inputs: &Option<Inputs>| match inputs {
            Some(inputs) => genserver_traces::inputs_line(inputs),
            None => "none".to_owned(),
        };
        ("the inputs", shown(&ha.inputs), shown(&hb.inputs))
    });
    match fields.into_iter().chain(inputs).find(|(_, l, r)| l != r) {
        Some((field, l, r)) => differs(a.end.steps, field, l, r),
        None => Ok(()),
    }
}

/// An event's field of the trace format, in words.
fn event_field(field: &str) -> &'static str {
    match field {
        "step" => "the step",
        "time_ns" => "the time (ns)",
        "kind" => "the kind",
        "from" => "the sender",
        "to" => "the receiver",
        _ => "the message",
    }
}

/// A field of the trace's end record, in words.
fn end_field(field: &str) -> &'static str {
    match field {
        "steps" => "the number of steps",
        "time_ns" => "the end time (ns)",
        _ => "the outcome",
    }
}

fn render(event: &genserver_traces::Event) -> String {
    let mut text = format!("{:?}", event.kind).to_lowercase();
    if let Some(from) = &event.from {
        text.push_str(&format!(" {from}"));
    }
    if let Some(to) = &event.to {
        text.push_str(&format!(" → {to}"));
    }
    format!("\"{text}: {}\"", event.message)
}
