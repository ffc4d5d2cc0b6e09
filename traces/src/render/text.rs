//! The stable text rendering: one line per event, nothing that varies between processes.

use std::fmt::Write;

use crate::render::{seconds, to_history};
use crate::{Event, EventKind, Header, Inputs, Outcome, Trace};

/// The trace as text: a header comment (with the run's inputs, if the system drew any), one
/// line per event, the outcome (and, if the history was found not linearizable, the history
/// drawn by [`to_history`]). Line breaks inside names and messages are shown as `\n`, so
/// every event is exactly one line.
///
/// It holds no addresses, wall-clock times or hash-ordered data, so the same run renders to
/// the same text in any process: it is what snapshot tests store and what `gsim diff` shows
/// (it compares the events themselves: see [`crate::first_difference`]).
pub fn to_text(trace: &Trace) -> String {
    let header = &trace.header;
    let mut lines = vec![
        format!(
            "# {} v{}: system {}, seed {}, max {} steps",
            header.format, header.version, header.system, header.seed, header.max_steps
        ),
        format!("# processes: {}", process_list(header)),
    ];
    if let Some(inputs) = &header.inputs {
        lines.push(format!("# inputs: {}", inputs_line(inputs)));
    }
    lines.extend(trace.events.iter().map(event_line));
    lines.push(end_line(trace));
    if trace.end.violation.is_some() {
        lines.extend(to_history(trace).lines().map(|line| format!("# {line}")));
    }
    let mut out = String::new();
    for line in lines {
        out.push_str(&one_line(line));
        out.push('\n');
    }
    out
}

/// One event as one line: `step time kind from -> to: message` (line breaks inside names
/// and messages are shown as `\n`, so an event never spans lines).
pub fn event_line(event: &Event) -> String {
    one_line(format!("{:>4} {}", event.step, what_happened(event)))
}

/// The trace as a story: the system's processes, then what happened in order, without the
/// scheduler's choices, step numbers or seed, then how it ended. An edit that adds an event
/// adds its lines and moves no other line, which is what a snapshot of a scenario needs.
pub fn to_story(trace: &Trace) -> String {
    let mut out = format!("# processes: {}\n", process_list(&trace.header));
    let events = trace.events.iter().filter(|e| e.kind != EventKind::Choose);
    for event in events {
        out.push_str(&one_line(what_happened(event)));
        out.push('\n');
    }
    let end = format!("# end: {}", ending(&trace.end.outcome, false));
    out.push_str(&one_line(end));
    out.push('\n');
    out
}

/// The inputs a run used as one line: `seed S; name: item, item; …` (`-` for a list it used
/// none of).
pub fn inputs_line(inputs: &Inputs) -> String {
    let lists = inputs.lists.iter().map(|list| match list.items.is_empty() {
        true => format!("{}: -", list.name),
        false => format!("{}: {}", list.name, list.items.join(", ")),
    });
    let mut parts = vec![format!("seed {}", inputs.seed)];
    parts.extend(lists);
    parts.join("; ")
}

/// `name (kind), …` for the header's processes.
fn process_list(header: &Header) -> String {
    let named = header.processes.iter();
    let processes: Vec<String> = named
        .map(|p| format!("{} ({:?})", p.name, p.kind).to_lowercase())
        .collect();
    processes.join(", ")
}

/// `time kind from -> to: message`.
fn what_happened(event: &Event) -> String {
    let kind = format!("{:?}", event.kind).to_lowercase();
    let mut line = format!("{:>9} {kind:<8}", seconds(event.time_ns));
    match (&event.from, &event.to) {
        (Some(from), Some(to)) => {
            let _ = write!(line, " {from} -> {to}:");
        }
        (Some(one), None) | (None, Some(one)) => {
            let _ = write!(line, " {one}:");
        }
        (None, None) => {}
    }
    let _ = write!(line, " {}", event.message);
    line
}

fn one_line(text: String) -> String {
    if text.contains(['\n', '\r']) {
        text.replace('\n', "\\n").replace('\r', "\\r")
    } else {
        text
    }
}

/// The last line: how the run ended.
pub(crate) fn end_line(trace: &Trace) -> String {
    let end = &trace.end;
    let at = format!("after {} steps, {}", end.steps, seconds(end.time_ns));
    let ending = ending(&end.outcome, true);
    match &end.outcome {
        Outcome::Failure(_) => format!("# end: {ending} ({at})"),
        _ => format!("# end: {ending} {at}"),
    }
}

/// How a run ended, in words: `pass`, `step limit reached`, or `KIND failure[ at step N][ in
/// PROCESS]: MESSAGE`.
fn ending(outcome: &Outcome, with_step: bool) -> String {
    match outcome {
        Outcome::Pass => "pass".to_owned(),
        Outcome::StepLimit => "step limit reached".to_owned(),
        Outcome::Failure(failure) => {
            let step = match with_step {
                true => format!(" at step {}", failure.step),
                false => String::new(),
            };
            let process = (failure.process.as_ref())
                .map(|p| format!(" in {p}"))
                .unwrap_or_default();
            format!(
                "{} failure{step}{process}: {}",
                failure.kind, failure.message
            )
        }
    }
}
