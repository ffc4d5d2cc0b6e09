//! The stable text rendering: one line per event, nothing that varies between processes.

use std::fmt::Write;

use crate::render::seconds;
use crate::{Event, Outcome, Trace};

/// The trace as text: a header comment, one line per event, the outcome. Line breaks
/// inside names and messages are shown as `\n`, so every event is exactly one line.
///
/// It holds no addresses, wall-clock times or hash-ordered data, so the same run renders to
/// the same text in any process: it is what snapshot tests store and what `gsim diff` compares.
pub fn to_text(trace: &Trace) -> String {
    let header = &trace.header;
    let processes: Vec<String> = header
        .processes
        .iter()
        .map(|p| format!("{} ({:?})", p.name, p.kind).to_lowercase())
        .collect();
    let mut lines = vec![
        format!(
            "# {} v{}: system {}, seed {}, max {} steps",
            header.format, header.version, header.system, header.seed, header.max_steps
        ),
        format!("# processes: {}", processes.join(", ")),
    ];
    lines.extend(trace.events.iter().map(event_line));
    lines.push(end_line(trace));
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
    let kind = format!("{:?}", event.kind).to_lowercase();
    let mut line = format!("{:>4} {:>9} {kind:<8}", event.step, seconds(event.time_ns));
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
    one_line(line)
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
    match &end.outcome {
        Outcome::Pass => format!("# end: pass {at}"),
        Outcome::StepLimit => format!("# end: step limit reached {at}"),
        Outcome::Failure(failure) => {
            let process = failure
                .process
                .as_ref()
                .map(|p| format!(" in {p}"))
                .unwrap_or_default();
            format!(
                "# end: {} failure at step {}{process}: {} ({at})",
                failure.kind, failure.step, failure.message
            )
        }
    }
}
