//! Mermaid `sequenceDiagram` output, to paste into GitHub markdown.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::render::{MessageKind, failing_step, is_control, message_kind, named};
use crate::{EventKind, Trace};

/// The widest line of the failure note, in characters.
const NOTE_WIDTH: usize = 40;

/// The trace as a Mermaid sequence diagram: one participant per process, an arrow per
/// delivered message (replies dashed, drops crossed, exit signals and downs open-headed),
/// dotted open arrows for child starts, links and monitors, notes for timeouts, timers,
/// crashes, restarts, kills, ignored signals and stops, and the failure in a red box.
pub fn to_mermaid(trace: &Trace) -> String {
    let mut ids = BTreeMap::new();
    let mut out = String::from("sequenceDiagram\n");
    for (index, process) in trace.header.processes.iter().enumerate() {
        let id = format!("P{index}");
        let _ = writeln!(out, "    participant {id} as {}", escape(&process.name));
        ids.insert(process.name.clone(), id);
    }
    let mut id_of = |name: &str| -> String {
        let next = ids.len();
        ids.entry(name.to_owned())
            .or_insert_with(|| format!("P{next}"))
            .clone()
    };
    let failing = failing_step(trace);
    let mut failure_drawn = false;
    for event in &trace.events {
        let text = escape(&event.message);
        let from = event.from.as_deref().map(&mut id_of);
        let to = event.to.as_deref().map(&mut id_of);
        let actor = from.clone().or_else(|| to.clone());
        let line = match (event.kind, from, to, actor) {
            (EventKind::Deliver, Some(from), Some(to), _) => {
                let arrow = match message_kind(event) {
                    MessageKind::Reply => "-->>",
                    MessageKind::Signal => "-)",
                    _ => "->>",
                };
                format!("{from}{arrow}{to}: {text}")
            }
            (kind, Some(from), Some(to), _) if from != to && is_control(kind) => {
                format!("{from}--){to}: {}", named(event.kind, &text))
            }
            (EventKind::Kill | EventKind::Ignore, _, Some(to), _) => {
                format!("Note over {to}: {}", named(event.kind, &text))
            }
            (EventKind::Drop, Some(from), Some(to), _) => format!("{from}-x{to}: dropped {text}"),
            (EventKind::Failure, _, _, actor) => {
                failure_drawn = true;
                let over = actor.unwrap_or_else(|| "P0".to_owned());
                let note = failure_note(event.step, &event.message);
                format!("rect rgb(255, 215, 215)\n    Note over {over}: {note}\n    end")
            }
            (EventKind::Choose | EventKind::Send | EventKind::Step, ..) => continue,
            (kind, _, _, Some(actor)) => format!("Note over {actor}: {}", named(kind, &text)),
            _ => continue,
        };
        let _ = writeln!(out, "    {line}");
    }
    if let (Some(step), false) = (failing, failure_drawn) {
        let _ = writeln!(
            out,
            "    rect rgb(255, 215, 215)\n    Note over P0: FAILURE at step {step}\n    end"
        );
    }
    out
}

/// The failure's note: `FAILURE at step N: message` (the message's own `step N: ` lead is not
/// said twice), in lines of at most [`NOTE_WIDTH`] characters joined by `<br/>`, so that
/// Mermaid draws a box that holds it instead of one line running out of it.
fn failure_note(step: u64, message: &str) -> String {
    let lead = format!("step {step}: ");
    let message = message.strip_prefix(&lead).unwrap_or(message);
    let lines = wrap(&format!("FAILURE at step {step}: {message}"), NOTE_WIDTH);
    let lines: Vec<String> = lines.iter().map(|line| escape(line)).collect();
    lines.join("<br/>")
}

/// `text` in lines of at most `width` characters, broken between words, and inside a word
/// only when the word alone is wider.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let chars: Vec<char> = word.chars().collect();
        for piece in chars.chunks(width) {
            let (used, more) = (line.chars().count(), piece.len());
            if used > 0 && used + 1 + more > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.extend(piece);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Mermaid ends a message at a newline and reads `;` and `#` specially: escape them as
/// entity codes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '#' => out.push_str("#35;"),
            ';' => out.push_str("#59;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}
