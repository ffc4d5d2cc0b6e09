//! The versioned trace format of the genserver simulator.
//!
//! A trace is JSON Lines: a [`Header`] first (format name, [`VERSION`], system, seed,
//! processes), then one [`Event`] per line (step, virtual time, kind, from, to, rendered
//! message), then an [`End`] record with the run's [`Outcome`]. The scheduler's decisions
//! are the events of kind [`EventKind::Choose`]: read in order they are the run's schedule,
//! which `gsim replay` re-executes. A [`Schedule`] is the same list as a plain text file, one
//! decision per line, for reading, editing and diffing.
//!
//! To look at a trace: [`to_text`] (one stable line per event, for snapshots and diffs),
//! [`to_mermaid`] (a sequence diagram for markdown), [`to_html`] (an offline page with a
//! message sequence chart and step-by-step navigation), and [`first_difference`] (where two
//! traces part ways).
//!
//! Loading checks the header, the version, the order of records and the end record, and
//! names the offending line in every [`LoadError`]:
//!
//! ```
//! use genserver_traces::{End, Event, EventKind, Header, Outcome, Trace};
//!
//! let trace = Trace::new(
//!     Header::new("counter", 7, 1000),
//!     vec![Event {
//!         step: 1,
//!         time_ns: 0,
//!         kind: EventKind::Choose,
//!         from: None,
//!         to: None,
//!         message: "step client-1".into(),
//!     }],
//!     End::new(1, 0, Outcome::Pass),
//! );
//! let text = trace.to_jsonl();
//! assert_eq!(Trace::from_jsonl(&text).unwrap(), trace);
//! assert_eq!(trace.schedule(), ["step client-1"]);
//!
//! // A trace cut off before its end record is refused, with a reason.
//! let cut: String = text.lines().take(2).map(|l| format!("{l}\n")).collect();
//! let error = Trace::from_jsonl(&cut).unwrap_err();
//! assert!(error.to_string().contains("truncated"));
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod diff;
mod format;
mod render;
mod schedule;
mod trace;

pub use diff::{FieldDifference, TraceDifference, first_difference};
pub use format::{
    Answer, End, Event, EventKind, FORMAT, FailureRecord, Header, HistoryViolation, INPUTS_VERSION,
    InputList, Inputs, LABELS_VERSION, Moment, OLDEST_VERSION, Operation, Outcome, Process,
    ProcessKind, Record, Returned, VERSION,
};
pub use render::{event_line, inputs_line, to_history, to_html, to_mermaid, to_story, to_text};
pub use schedule::{SCHEDULE_MAGIC, SCHEDULE_PREFIX, Schedule};
pub use trace::{LoadError, Trace};
