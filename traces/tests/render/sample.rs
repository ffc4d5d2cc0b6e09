//! A small hand-written trace: a call, a reply, a cast dropped, a timeout and a failure.

use genserver_traces::{
    End, Event, EventKind, FailureRecord, Header, Outcome, Process, ProcessKind, Trace,
};

/// An event at `ms` milliseconds; an empty `from` or `to` is none.
pub fn event(step: u64, ms: u64, kind: EventKind, from: &str, to: &str, message: &str) -> Event {
    let name = |n: &str| (!n.is_empty()).then(|| n.into());
    Event {
        step,
        time_ns: ms * 1_000_000,
        kind,
        from: name(from),
        to: name(to),
        message: message.to_owned(),
    }
}

/// The sample trace; `tweak` lets a test change the message of event 5.
pub fn sample(tweak: Option<&str>) -> Trace {
    let mut header = Header::new("sample", 7, 100);
    header.processes = vec![
        Process {
            id: 1,
            name: "account".into(),
            kind: ProcessKind::Server,
        },
        Process {
            id: 2,
            name: "client-1".into(),
            kind: ProcessKind::Client,
        },
    ];
    let mut events = vec![
        event(0, 0, EventKind::Start, "account", "", "init"),
        event(1, 0, EventKind::Choose, "", "", "step client-1"),
        event(
            1,
            0,
            EventKind::Send,
            "client-1",
            "account",
            "call #1 Balance",
        ),
        event(
            2,
            0,
            EventKind::Choose,
            "",
            "",
            "deliver client-1 -> account",
        ),
        event(
            2,
            0,
            EventKind::Deliver,
            "client-1",
            "account",
            "call #1 Balance",
        ),
        event(
            2,
            0,
            EventKind::Reply,
            "account",
            "client-1",
            "reply #1 Ok(5)",
        ),
        event(
            3,
            0,
            EventKind::Deliver,
            "account",
            "client-1",
            "reply #1 Ok(5)",
        ),
        event(
            4,
            1,
            EventKind::Drop,
            "client-1",
            "account",
            "cast Deposit(<3>; #2)",
        ),
        event(
            5,
            5000,
            EventKind::Timeout,
            "client-1",
            "account",
            "call #2 timed out",
        ),
        event(
            5,
            5000,
            EventKind::Failure,
            "client-1",
            "",
            "expected 8, got 5",
        ),
    ];
    if let Some(text) = tweak {
        events[5].message = text.to_owned();
    }
    Trace::new(
        header,
        events,
        End::new(
            5,
            5_000_000_000,
            Outcome::Failure(FailureRecord {
                kind: "expectation".into(),
                step: 5,
                process: Some("client-1".into()),
                message: "expected 8, got 5".into(),
            }),
        ),
    )
}
