//! Where two traces part ways.

use std::fmt;

use crate::render::end_line;
use crate::render::event_line;
use crate::{End, Event, Trace};

/// Lines of common history shown before the difference.
const CONTEXT: usize = 3;

/// The first place two traces differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceDifference {
    /// The step at which they differ: the earlier step of the two differing records.
    pub step: u64,
    /// The 1-based number of the differing event (`events + 1` for the end record).
    pub event: usize,
    /// The first trace's line there, if it has one.
    pub left: Option<String>,
    /// The second trace's line there, if it has one.
    pub right: Option<String>,
    /// The fields that differ, in the record's field order; empty when one trace has an
    /// event where the other has its end record or nothing.
    pub fields: Vec<FieldDifference>,
    /// The common lines just before.
    pub context: Vec<String>,
}

/// One field of the two records at a difference that holds different values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldDifference {
    /// The field's name in the trace format (`time_ns`, `from`, `message`, …).
    pub field: &'static str,
    /// The first trace's value, as Rust's `Debug` shows it.
    pub left: String,
    /// The second trace's value, as Rust's `Debug` shows it.
    pub right: String,
}

/// One record of a trace after its header: an event or the end record.
#[derive(Clone, Copy)]
enum Item<'a> {
    Event(&'a Event),
    End(&'a Trace),
}

impl Item<'_> {
    fn step(self) -> u64 {
        match self {
            Item::Event(event) => event.step,
            Item::End(trace) => trace.end.steps,
        }
    }

    fn line(self) -> String {
        match self {
            Item::Event(event) => event_line(event),
            Item::End(trace) => end_line(trace),
        }
    }
}

/// The first difference of `right` from `left`: their events, then their end records,
/// compared field by field (not as rendered text, which rounds times to the millisecond
/// and shows a lone `from` like a lone `to`); `None` if every event and the end are equal.
/// The headers are not compared: two runs of one schedule may have different seeds.
pub fn first_difference(left: &Trace, right: &Trace) -> Option<TraceDifference> {
    let (a, b) = (items(left), items(right));
    let (index, fields) = (0..a.len().max(b.len())).find_map(|i| {
        let fields = match (a.get(i), b.get(i)) {
            (Some(Item::Event(x)), Some(Item::Event(y))) => event_fields(x, y),
            (Some(Item::End(x)), Some(Item::End(y))) => end_fields(x, y),
            _ => return Some((i, Vec::new())),
        };
        (!fields.is_empty()).then_some((i, fields))
    })?;
    let step = [a.get(index), b.get(index)]
        .into_iter()
        .flatten()
        .map(|item| item.step())
        .min()
        .unwrap_or(0);
    Some(TraceDifference {
        step,
        event: index + 1,
        left: a.get(index).map(|item| item.line()),
        right: b.get(index).map(|item| item.line()),
        fields,
        context: a[index.saturating_sub(CONTEXT)..index]
            .iter()
            .map(|item| item.line())
            .collect(),
    })
}

/// The trace's events, then its end record.
fn items(trace: &Trace) -> Vec<Item<'_>> {
    let events = trace.events.iter().map(Item::Event);
    events.chain([Item::End(trace)]).collect()
}

/// The differing fields of two events, in the format's field order.
fn event_fields(a: &Event, b: &Event) -> Vec<FieldDifference> {
    let mut fields = Vec::new();
    differ(&mut fields, "step", &a.step, &b.step);
    differ(&mut fields, "time_ns", &a.time_ns, &b.time_ns);
    differ(&mut fields, "kind", &a.kind, &b.kind);
    differ(&mut fields, "from", &a.from, &b.from);
    differ(&mut fields, "to", &a.to, &b.to);
    differ(&mut fields, "message", &a.message, &b.message);
    fields
}

/// The differing fields of two end records, in the format's field order. The history
/// (operations, violation) is compared when both traces record one (format version 4 on).
fn end_fields(left: &Trace, right: &Trace) -> Vec<FieldDifference> {
    let (a, b): (&End, &End) = (&left.end, &right.end);
    let mut fields = Vec::new();
    differ(&mut fields, "steps", &a.steps, &b.steps);
    differ(&mut fields, "time_ns", &a.time_ns, &b.time_ns);
    differ(&mut fields, "outcome", &a.outcome, &b.outcome);
    if left.header.version >= 4 && right.header.version >= 4 {
        differ(&mut fields, "operations", &a.operations, &b.operations);
        differ(&mut fields, "violation", &a.violation, &b.violation);
    }
    fields
}

fn differ<T: PartialEq + fmt::Debug>(
    fields: &mut Vec<FieldDifference>,
    field: &'static str,
    a: &T,
    b: &T,
) {
    if a != b {
        fields.push(FieldDifference {
            field,
            left: format!("{a:?}"),
            right: format!("{b:?}"),
        });
    }
}

impl fmt::Display for TraceDifference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the traces diverge at step {} (event {})",
            self.step, self.event
        )?;
        let names: Vec<&str> = self.fields.iter().map(|d| d.field).collect();
        if !names.is_empty() {
            write!(f, " in {}", names.join(", "))?;
        }
        writeln!(f, ":")?;
        for line in &self.context {
            writeln!(f, "    {line}")?;
        }
        let none = "(nothing: the trace ends here)".to_owned();
        writeln!(f, "  - {}", self.left.as_ref().unwrap_or(&none))?;
        write!(f, "  + {}", self.right.as_ref().unwrap_or(&none))?;
        for difference in &self.fields {
            let FieldDifference { field, left, right } = difference;
            write!(f, "\n  {field}: {left} vs {right}")?;
        }
        Ok(())
    }
}
