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
    let all = &trace.end.operations;
    let violation = trace.end.violation.as_ref();
    let shown: Vec<usize> = match violation {
        Some(violation) => (violation.operations.iter().copied())
            .filter(|&index| index < all.len())
            .collect(),
        None => (0..all.len()).collect(),
    };
    if shown.is_empty() {
        return String::new();
    }
    let mut out = match violation {
        Some(violation) => {
            let part = (violation.partition.as_ref())
                .map(|key| format!(", key {key}"))
                .unwrap_or_default();
            format!(
                "history of {}{part}: not linearizable; ✓n: the longest linearizable prefix, \
                 in order; ✗: cannot follow it\n",
                violation.check
            )
        }
        None => format!("history: {}\n", count(shown.len())),
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
    let mut rows = shown.clone();
    let rank = |client: &str| {
        (trace.header.processes.iter())
            .position(|p| p.name == client)
            .unwrap_or(usize::MAX)
    };
    rows.sort_by_key(|&i| (rank(&all[i].client), all[i].client.clone(), i));
    let client_width = rows.iter().map(|&i| all[i].client.len()).max().unwrap_or(0);
    let op_width = format!("op {}", rows.iter().max().copied().unwrap_or(0)).len();
    let mark = |index: usize| match violation {
        Some(v) if v.blocked == index => "✗".to_owned(),
        Some(v) => match v.prefix.iter().position(|&p| p == index) {
            Some(at) => format!("✓{}", at + 1),
            None => String::new(),
        },
        None => String::new(),
    };
    let mark_width = rows
        .iter()
        .map(|&i| mark(i).chars().count())
        .max()
        .unwrap_or(0);
    for &index in &rows {
        let op = &all[index];
        let bar = interval(op, points.len(), &column);
        let mark = mark(index);
        let pad = mark_width - mark.chars().count();
        let answer = match &op.returned {
            Some(returned) => match &returned.answer {
                Answer::Reply(reply) => reply.clone(),
                Answer::Error(error) => format!("error: {error}"),
            },
            None => "(pending)".to_owned(),
        };
        let line = format!(
            "{:<client_width$}  {:<op_width$}  {bar}  {mark}{:pad$}{}{} {} → {answer}",
            op.client,
            format!("op {index}"),
            "",
            if mark_width > 0 { " " } else { "" },
            op.server,
            op.call,
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// An operation's interval over `columns` columns of two characters each.
fn interval(op: &Operation, columns: usize, column: &dyn Fn(u64) -> usize) -> String {
    let from = column(op.invoked.seq);
    let to = op.returned.as_ref().map(|r| column(r.at.seq));
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
