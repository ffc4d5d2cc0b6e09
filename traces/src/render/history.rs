//! The run's history as text: each operation an interval, client by client, as Porcupine
//! draws it, with the longest linearizable prefix and the blocked operation marked.

use crate::{Answer, Operation, Trace};

/// The history of the trace as text, one operation per line: its client, its number, its
/// interval over the history's points (`[===]`, `[===>` if it never returned), its mark and
/// the call with its answer. If a linearizability check failed, only the operations of the
/// failing part are drawn; `✓n` marks the `n`-th operation of the longest linearizable
/// prefix, `✗` the operation that cannot follow it. Empty if the trace has no operation.
///
/// ```
/// use genserver_traces::{Answer, End, Header, Moment, Operation, Outcome, Returned, Trace};
///
/// let at = |seq| Moment { seq, step: seq, time_ns: 0 };
/// let mut end = End::new(4, 0, Outcome::Pass);
/// end.operations.push(Operation {
///     client: "client-1".into(),
///     server: "kv".into(),
///     call: "Put(1)".into(),
///     invoked: at(0),
///     returned: Some(Returned { at: at(2), answer: Answer::Reply("()".into()) }),
/// });
/// end.operations.push(Operation {
///     client: "client-2".into(),
///     server: "kv".into(),
///     call: "Get".into(),
///     invoked: at(1),
///     returned: None,
/// });
/// let trace = Trace::new(Header::new("kv", 0, 10), Vec::new(), end);
/// assert_eq!(
///     genserver_traces::to_history(&trace),
///     "history: 2 operations\n\
///      client-1  op 0  [===]   kv Put(1) → ()\n\
///      client-2  op 1    [==>  kv Get → (pending)\n"
/// );
/// ```
pub fn to_history(trace: &Trace) -> String {
    let Some(drawing) = drawing(trace) else {
        return String::new();
    };
    let mut out = format!("{}\n", drawing.title);
    let client_width = (drawing.rows.iter().map(|r| r.op.client.len()).max()).unwrap_or(0);
    let last = drawing.rows.iter().map(|r| r.index).max().unwrap_or(0);
    let op_width = format!("op {last}").len();
    let mark_width = (drawing.rows.iter().map(|r| r.mark().chars().count()).max()).unwrap_or(0);
    for row in &drawing.rows {
        let bar = interval(row, drawing.columns);
        let mark = row.mark();
        let pad = mark_width - mark.chars().count();
        let line = format!(
            "{:<client_width$}  {:<op_width$}  {bar}  {mark}{:pad$}{}{}",
            row.op.client,
            format!("op {}", row.index),
            "",
            if mark_width > 0 { " " } else { "" },
            row.label(),
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// A history laid out for drawing: the operations shown, client by client, each an
/// interval over the columns of the history's points.
pub(crate) struct Drawing<'a> {
    /// What is drawn: the failing part of a check, or the whole history.
    pub title: String,
    /// The distinct points (invocations and responses) of the operations shown.
    pub columns: usize,
    /// One row per operation shown.
    pub rows: Vec<Row<'a>>,
}

/// One operation of a [`Drawing`].
pub(crate) struct Row<'a> {
    /// Its index in the trace's operations.
    pub index: usize,
    pub op: &'a Operation,
    /// The column of its invocation.
    pub from: usize,
    /// The column of its response; `None` if it never returned.
    pub to: Option<usize>,
    /// Its place in the longest linearizable prefix (from 1), if it is in it.
    pub prefix: Option<usize>,
    /// Whether it is the operation that cannot follow the prefix.
    pub blocked: bool,
}

impl Row<'_> {
    /// `✓n`, `✗` or nothing.
    pub fn mark(&self) -> String {
        match (self.blocked, self.prefix) {
            (true, _) => "✗".to_owned(),
            (false, Some(at)) => format!("✓{at}"),
            (false, None) => String::new(),
        }
    }

    /// `server call → answer`.
    pub fn label(&self) -> String {
        let answer = match &self.op.returned {
            Some(returned) => match &returned.answer {
                Answer::Reply(reply) => reply.clone(),
                Answer::Error(error) => format!("error: {error}"),
            },
            None => "(pending)".to_owned(),
        };
        format!("{} {} → {answer}", self.op.server, self.op.call)
    }
}

/// The drawing of the trace's history (see [`to_history`]); `None` if there is nothing to
/// draw.
pub(crate) fn drawing(trace: &Trace) -> Option<Drawing<'_>> {
    let all = &trace.end.operations;
    let violation = trace.end.violation.as_ref();
    let shown: Vec<usize> = match violation {
        Some(violation) => (violation.operations.iter().copied())
            .filter(|&index| index < all.len())
            .collect(),
        None => (0..all.len()).collect(),
    };
    if shown.is_empty() {
        return None;
    }
    let title = match violation {
        Some(violation) => {
            let part = (violation.partition.as_ref())
                .map(|key| format!(", key {key}"))
                .unwrap_or_default();
            format!(
                "history of {}{part}: not linearizable; ✓n: the longest linearizable prefix, \
                 in order; ✗: cannot follow it",
                violation.check
            )
        }
        None => format!("history: {}", count(shown.len())),
    };
    // The points of the drawn operations, each a column.
    let mut points: Vec<u64> = (shown.iter().map(|&i| &all[i]))
        .flat_map(|op| [Some(op.invoked.seq), op.returned.as_ref().map(|r| r.at.seq)])
        .flatten()
        .collect();
    points.sort_unstable();
    points.dedup();
    let column = |seq: u64| points.partition_point(|&p| p < seq);
    // Client by client, in the order of the processes (then of their first call).
    let rank = |client: &str| {
        (trace.header.processes.iter())
            .position(|p| p.name == client)
            .unwrap_or(usize::MAX)
    };
    let mut order = shown;
    order.sort_by_key(|&i| (rank(&all[i].client), all[i].client.clone(), i));
    let rows = (order.into_iter())
        .map(|index| {
            let op = &all[index];
            Row {
                index,
                op,
                from: column(op.invoked.seq),
                to: op.returned.as_ref().map(|r| column(r.at.seq)),
                prefix: violation
                    .and_then(|v| v.prefix.iter().position(|&p| p == index))
                    .map(|at| at + 1),
                blocked: violation.is_some_and(|v| v.blocked == index),
            }
        })
        .collect();
    Some(Drawing {
        title,
        columns: points.len(),
        rows,
    })
}

/// An operation's interval over `columns` columns of two characters each.
fn interval(row: &Row<'_>, columns: usize) -> String {
    let (from, to) = (row.from, row.to);
    let mut bar = String::new();
    for c in 0..columns {
        let cell = match to {
            _ if c < from => "  ",
            _ if c == from => "[=",
            Some(to) if c < to => "==",
            Some(to) if c == to => "] ",
            Some(_) => "  ",
            None if c + 1 == columns => "=>",
            None => "==",
        };
        bar.push_str(cell);
    }
    // A pending operation invoked at the last point still shows that it goes on.
    if to.is_none() && from + 1 == columns {
        bar.pop();
        bar.push('>');
    }
    bar
}

/// `1 operation`, `3 operations`.
fn count(n: usize) -> String {
    match n {
        1 => "1 operation".to_owned(),
        n => format!("{n} operations"),
    }
}
