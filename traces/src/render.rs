//! Ways to look at a trace: stable text (for snapshots and diffs), Mermaid, and HTML.

mod flight;
mod history;
mod history_chart;
mod html;
mod mermaid;
mod text;

pub use history::to_history;
pub use html::to_html;
pub use mermaid::to_mermaid;
pub(crate) use text::end_line;
pub use text::{event_line, inputs_line, to_story, to_text};

use crate::{Event, EventKind, Outcome, Trace};

/// The step of the run's failure, if it failed.
fn failing_step(trace: &Trace) -> Option<u64> {
    match &trace.end.outcome {
        Outcome::Failure(failure) => Some(failure.step),
        _ => None,
    }
}

/// What kind of message an event carries, read from the rendered message's first word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MessageKind {
    Call,
    Cast,
    Info,
    Reply,
    /// An exit signal, a kill or a monitor's `down`.
    Signal,
    Other,
}

fn message_kind(event: &Event) -> MessageKind {
    match event.message.split_whitespace().next() {
        Some("call") => MessageKind::Call,
        Some("cast") => MessageKind::Cast,
        Some("info") => MessageKind::Info,
        Some("reply") => MessageKind::Reply,
        Some("exit" | "kill" | "down") => MessageKind::Signal,
        _ => MessageKind::Other,
    }
}

/// Links, monitors and child starts: drawn as control arrows between two processes, not as
/// messages.
fn is_control(kind: EventKind) -> bool {
    matches!(
        kind,
        EventKind::Spawn
            | EventKind::Link
            | EventKind::Unlink
            | EventKind::Monitor
            | EventKind::Demonitor
    )
}

/// `text` led by the event kind's name, unless it already starts with it ("link", not
/// "link link").
fn named(kind: EventKind, text: &str) -> String {
    let kind = format!("{kind:?}").to_lowercase();
    match text == kind || text.starts_with(&format!("{kind} ")) {
        true => text.to_owned(),
        false => format!("{kind} {text}"),
    }
}

/// Virtual nanoseconds as seconds with millisecond precision: `5.000s`.
fn seconds(ns: u64) -> String {
    format!("{}.{:03}s", ns / 1_000_000_000, (ns / 1_000_000) % 1000)
}
