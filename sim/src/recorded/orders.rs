//! A recorded trace read back: for every process, by name, the inputs it took in order,
//! and which of its calls timed out.

use std::collections::{BTreeMap, BTreeSet};

use genserver_traces::{EventKind, Trace};

use super::write::RECORDED;

/// One input a server took, as the simulator matches it: a message from a sender (`call`,
/// `cast`, `info`, `down`, `exit signal`), or one of its timers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordedInput {
    /// A message of `kind` from the process named `from`.
    Message {
        /// Its kind, as trace labels name kinds.
        kind: String,
        /// Its sender, by name.
        from: String,
    },
    /// Its timer number `timer` fired.
    Timer {
        /// The timer's number.
        timer: u64,
    },
}

/// One recorded input and where it stands in the recorded trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub input: RecordedInput,
    /// The step of the recorded trace (for messages that say where).
    pub step: u64,
    /// Wall-clock time when it was taken, ns.
    pub time_ns: u64,
}

/// What a recording says each process must take, by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Orders {
    /// Each process's messages and timers, in the order it took them.
    pub(crate) inputs: BTreeMap<String, Vec<Entry>>,
    /// The calls that timed out: caller, and the number of the call among the caller's.
    pub(crate) timed_out: BTreeSet<(String, u64)>,
    /// The calls that were answered (a reply or an error came back): caller and number.
    /// A call in neither set (the client dropped it) may time out or not.
    pub(crate) answered: BTreeSet<(String, u64)>,
}

impl Orders {
    /// Reads a trace of strategy `recorded` (see [`super::recorded_trace`]).
    pub fn from_trace(trace: &Trace) -> Result<Orders, String> {
        if trace.header.strategy != RECORDED {
            return Err(format!(
                "not a recording of real threads (strategy {:?}, expected {RECORDED:?})",
                trace.header.strategy
            ));
        }
        let mut orders = Orders::default();
        for (line, event) in trace.events.iter().enumerate() {
            let at = || format!("event {} (line {})", event.step, line + 2);
            let to = (event.to.as_deref()).ok_or_else(|| format!("{}: no process", at()))?;
            let from = event.from.as_deref().unwrap_or_default();
            let input = match event.kind {
                EventKind::Deliver => RecordedInput::Message {
                    kind: event.message.clone(),
                    from: from.to_owned(),
                },
                EventKind::Timer => RecordedInput::Timer {
                    timer: number(&event.message, "timer #").ok_or_else(|| bad(&at(), event))?,
                },
                EventKind::Timeout => {
                    let call = number(&event.message, "call #").ok_or_else(|| bad(&at(), event))?;
                    orders.timed_out.insert((to.to_owned(), call));
                    continue;
                }
                EventKind::Reply => {
                    let words = "reply to call #";
                    let call = number(&event.message, words).ok_or_else(|| bad(&at(), event))?;
                    orders.answered.insert((to.to_owned(), call));
                    continue;
                }
                _ => return Err(bad(&at(), event)),
            };
            let entry = Entry {
                input,
                step: event.step,
                time_ns: event.time_ns,
            };
            orders.inputs.entry(to.to_owned()).or_default().push(entry);
        }
        Ok(orders)
    }

    /// How many inputs the recording orders.
    pub fn len(&self) -> usize {
        self.inputs.values().map(Vec::len).sum()
    }

    /// Whether it orders no input at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The number after `prefix` in `text`.
fn number(text: &str, prefix: &str) -> Option<u64> {
    text.strip_prefix(prefix)?.parse().ok()
}

fn bad(at: &str, event: &genserver_traces::Event) -> String {
    format!(
        "{at}: not a recorded input ({:?} {:?})",
        event.kind, event.message
    )
}
