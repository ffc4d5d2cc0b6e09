//! A whole trace in memory, and its JSON Lines form.

use std::path::Path;

use crate::{End, Event, EventKind, FORMAT, Header, OLDEST_VERSION, Record, VERSION};

/// Why a trace could not be loaded. Every variant names the line it concerns.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path given.
        path: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The file holds no line at all.
    #[error("the trace is empty (expected a header line)")]
    Empty,
    /// A line is not valid JSON for a trace record.
    #[error("line {line}: not a trace record: {error}")]
    Syntax {
        /// 1-based line number.
        line: usize,
        /// What the JSON parser said.
        error: String,
    },
    /// The first line is not a header.
    #[error("line 1: expected the trace header, found a {found} record")]
    NoHeader {
        /// The kind of record found instead.
        found: &'static str,
    },
    /// The header names another format.
    #[error("line 1: not a genserver trace (format {0:?}, expected {FORMAT:?})")]
    Format(String),
    /// The header names a version this crate does not read.
    #[error(
        "line 1: trace format version {0} is not supported (this build reads versions {OLDEST_VERSION} to {VERSION})"
    )]
    Version(u32),
    /// A header or end record where only events may be.
    #[error("line {line}: unexpected {found} record in the middle of the trace")]
    Misplaced {
        /// 1-based line number.
        line: usize,
        /// The kind of record found.
        found: &'static str,
    },
    /// The trace stops before its end record: it was cut off.
    #[error("the trace is truncated: no end record after line {lines}")]
    Truncated {
        /// The number of lines read.
        lines: usize,
    },
    /// The header's schedule and the `choose` events disagree.
    #[error(
        "line {line}: the header's schedule says {expected:?} here, but the trace has {found:?}"
    )]
    Schedule {
        /// 1-based line number of the first disagreeing `choose` event (1 if it is missing).
        line: usize,
        /// The header's decision (empty if the header's schedule is shorter).
        expected: String,
        /// The event's decision (empty if the trace has fewer `choose` events).
        found: String,
    },
    /// Step numbers go backwards.
    #[error("line {line}: step {step} comes after step {previous}")]
    StepOrder {
        /// 1-based line number.
        line: usize,
        /// The step found.
        step: u64,
        /// The step of the line before.
        previous: u64,
    },
}

/// A complete trace: header, events in order, end record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    /// What ran.
    pub header: Header,
    /// Everything that happened, step by step.
    pub events: Vec<Event>,
    /// How it ended.
    pub end: End,
}

impl Trace {
    /// A trace whose header's schedule is taken from the `choose` events.
    pub fn new(mut header: Header, events: Vec<Event>, end: End) -> Trace {
        let chosen = |event: &&Event| event.kind == EventKind::Choose;
        // Counted first: the list is made once, at its size, instead of grown step by step.
        let mut schedule = Vec::with_capacity(events.iter().filter(chosen).count());
        schedule.extend(
            events
                .iter()
                .filter(chosen)
                .map(|event| event.message.clone()),
        );
        header.schedule = schedule;
        Trace {
            header,
            events,
            end,
        }
    }

    /// The schedule: the scheduler's decision of every step, in order.
    pub fn schedule(&self) -> Vec<&str> {
        self.events
            .iter()
            .filter(|event| event.kind == EventKind::Choose)
            .map(|event| event.message.as_str())
            .collect()
    }

    /// The trace as JSON Lines: one record per line, each line ending in `\n`.
    pub fn to_jsonl(&self) -> String {
        let mut out = String::new();
        push_line(&mut out, &Record::Header(self.header.clone()));
        for event in &self.events {
            push_line(&mut out, &Record::Event(event.clone()));
        }
        push_line(&mut out, &Record::End(self.end.clone()));
        out
    }

    /// Parses JSON Lines, checking the header, the order of records and the end record.
    pub fn from_jsonl(text: &str) -> Result<Trace, LoadError> {
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let (_, first) = lines.next().ok_or(LoadError::Empty)?;
        let header = match parse(1, first)? {
            Record::Header(header) => header,
            other => {
                return Err(LoadError::NoHeader {
                    found: name(&other),
                });
            }
        };
        if header.format != FORMAT {
            return Err(LoadError::Format(header.format));
        }
        if !(OLDEST_VERSION..=VERSION).contains(&header.version) {
            return Err(LoadError::Version(header.version));
        }
        let mut events: Vec<Event> = Vec::new();
        let mut count = 1;
        for (index, line) in lines {
            let number = index + 1;
            count = number;
            match parse(number, line)? {
                Record::Event(event) => {
                    if let Some(previous) = events.last().map(|e| e.step) {
                        if event.step < previous {
                            return Err(LoadError::StepOrder {
                                line: number,
                                step: event.step,
                                previous,
                            });
                        }
                    }
                    events.push(event);
                }
                Record::End(end) => {
                    if let Some((extra, _)) = text
                        .lines()
                        .enumerate()
                        .skip(number)
                        .find(|(_, l)| !l.trim().is_empty())
                    {
                        return Err(LoadError::Misplaced {
                            line: extra + 1,
                            found: "record after the end",
                        });
                    }
                    check_schedule(&header, &events)?;
                    return Ok(Trace {
                        header,
                        events,
                        end,
                    });
                }
                header @ Record::Header(_) => {
                    return Err(LoadError::Misplaced {
                        line: number,
                        found: name(&header),
                    });
                }
            }
        }
        Err(LoadError::Truncated { lines: count })
    }

    /// Reads and parses a trace file.
    pub fn load(path: impl AsRef<Path>) -> Result<Trace, LoadError> {
        let path = path.as_ref();
        let io = |source| LoadError::Io {
            path: path.display().to_string(),
            source,
        };
        let bytes = std::fs::read(path).map_err(io)?;
        let text = String::from_utf8(bytes).map_err(|error| LoadError::Syntax {
            line: 1,
            error: format!("not UTF-8 text ({error})"),
        })?;
        Trace::from_jsonl(&text)
    }

    /// Writes the trace as JSON Lines.
    pub fn save(&self, path: impl AsRef<Path>) -> std::io::Result<()> {
        std::fs::write(path, self.to_jsonl())
    }
}

/// The header's schedule must be the `choose` events, in order.
fn check_schedule(header: &Header, events: &[Event]) -> Result<(), LoadError> {
    let mut chosen = events
        .iter()
        .enumerate()
        .filter(|(_, event)| event.kind == EventKind::Choose);
    let mut expected = header.schedule.iter();
    loop {
        match (expected.next(), chosen.next()) {
            (None, None) => return Ok(()),
            (Some(want), Some((_, event))) if *want == event.message => {}
            (want, event) => {
                return Err(LoadError::Schedule {
                    // Line 1 is the header; event `i` is on line `i + 2`.
                    line: event.map_or(1, |(index, _)| index + 2),
                    expected: want.cloned().unwrap_or_default(),
                    found: event.map(|(_, e)| e.message.clone()).unwrap_or_default(),
                });
            }
        }
    }
}

fn push_line(out: &mut String, record: &Record) {
    // Serializing these plain structs cannot fail.
    out.push_str(&serde_json::to_string(record).unwrap_or_default());
    out.push('\n');
}

fn parse(line: usize, text: &str) -> Result<Record, LoadError> {
    serde_json::from_str(text).map_err(|error| LoadError::Syntax {
        line,
        error: error.to_string(),
    })
}

fn name(record: &Record) -> &'static str {
    match record {
        Record::Header(_) => "header",
        Record::Event(_) => "event",
        Record::End(_) => "end",
    }
}
