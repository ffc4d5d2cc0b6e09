//! The named failures a run can end with.

use std::fmt;

use genserver_traces::FailureRecord;

/// The kind of a failure; each is distinct and named in traces and reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FailureKind {
    /// An invariant over server states was broken (checked after every step, or at the end).
    Invariant,
    /// A client's expectation about what it got back failed.
    Expectation,
    /// A handler (or a client) panicked.
    Panic,
    /// A call timed out where the client did not expect it.
    Timeout,
    /// Servers waited for each other in a cycle of calls, or nothing was enabled but call
    /// timeouts while calls were pending.
    Deadlock,
    /// The run reached its step limit without reaching what it must eventually reach
    /// ([`crate::World::eventually`]).
    Livelock,
    /// The history of the calls to servers a model explains is not linearizable against it
    /// ([`crate::World::linearizable`]).
    Linearizability,
}

impl FailureKind {
    /// The kind's name as written in traces.
    pub fn name(self) -> &'static str {
        match self {
            FailureKind::Invariant => "invariant",
            FailureKind::Expectation => "expectation",
            FailureKind::Panic => "panic",
            FailureKind::Timeout => "timeout",
            FailureKind::Deadlock => "deadlock",
            FailureKind::Livelock => "livelock",
            FailureKind::Linearizability => "linearizability",
        }
    }
}

/// A failure found at one step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// What kind of failure.
    pub kind: FailureKind,
    /// The step where it was found.
    pub step: u64,
    /// The process it concerns, by name, if any.
    pub process: Option<String>,
    /// What went wrong.
    pub message: String,
}

impl Failure {
    /// The failure as recorded in a trace.
    pub fn record(&self) -> FailureRecord {
        FailureRecord {
            kind: self.kind.name().to_owned(),
            step: self.step,
            process: self.process.clone(),
            message: self.message.clone(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "step {}: {}", self.step, self.kind.name())?;
        if let Some(process) = &self.process {
            write!(f, " in {process}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A failure as a trace recorded it, in words: `step 7: invariant in bank: …`.
pub(crate) fn record_words(record: &FailureRecord) -> String {
    let process = record.process.as_ref().map(|p| format!(" in {p}"));
    let process = process.unwrap_or_default();
    let (step, kind, message) = (record.step, &record.kind, &record.message);
    format!("step {step}: {kind}{process}: {message}")
}

/// What makes two failures "the same" when a schedule is shrunk or replayed loosely: the
/// kind, the process, and for an invariant or a livelock the check's name (the values a
/// message shows may differ between two runs of the same story), and for a history that is
/// not linearizable the model's name (not which operation could not be placed). Other kinds (a panic, an
/// expectation, a deadlock, a timeout) are told apart by kind and process only.
pub(crate) fn signature(record: &FailureRecord) -> (String, Option<String>, String) {
    let check = |message: &str| message.split(": ").next().unwrap_or("").to_owned();
    let name = match record.kind.as_str() {
        "invariant" | "linearizability" => check(&record.message),
        "livelock" => check(record.message.trim_start_matches("never reached: ")),
        _ => String::new(),
    };
    (record.kind.clone(), record.process.clone(), name)
}

#[cfg(test)]
mod tests {
    use genserver_traces::FailureRecord;

    use super::signature;

    fn record(kind: &str, message: &str) -> FailureRecord {
        FailureRecord {
            kind: kind.to_owned(),
            step: 1,
            process: None,
            message: message.to_owned(),
        }
    }

    #[test]
    fn failures_of_two_checks_are_not_the_same_values_aside() {
        let same = |a: &FailureRecord, b: &FailureRecord| signature(a) == signature(b);
        let total = record("invariant", "total: 3 != 4");
        assert!(same(&total, &record("invariant", "total: 5 != 6")));
        assert!(!same(&total, &record("invariant", "overdraft: -1")));
        let done = record("livelock", "never reached: all done: 1 of 2");
        assert!(same(
            &done,
            &record("livelock", "never reached: all done: 0 of 2")
        ));
        assert!(!same(
            &done,
            &record("livelock", "never reached: all stored: 0")
        ));
    }
}
