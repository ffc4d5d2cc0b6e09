//! A hand-written trace with the event kinds of links, monitors, exit signals, kills and
//! child starts (format version 2), and how each renderer draws them.

use genserver_traces::{
    End, Event, EventKind, Header, Outcome, Process, ProcessKind, Trace, to_html, to_mermaid,
    to_text,
};

/// An event at time 0; an empty `from` or `to` is none.
fn event(step: u64, kind: EventKind, from: &str, to: &str, message: &str) -> Event {
    crate::sample::event(step, 0, kind, from, to, message)
}

/// A delivery as the simulator records it: the scheduler's choice, then the delivery.
fn delivery(step: u64, from: &str, to: &str, message: &str) -> [Event; 2] {
    let choice = format!("deliver {message} {from} → {to}");
    [
        event(step, EventKind::Choose, "", "", &choice),
        event(step, EventKind::Deliver, from, to, message),
    ]
}

/// A supervisor starts `db`, `db` crashes, the supervisor restarts it as `db<4>`, a watcher's
/// monitor fires, a trapper ignores nothing and a kill takes `db<4>` down.
pub(crate) fn supervised() -> Trace {
    let mut header = Header::new("supervised", 1, 100);
    let process = |id, name: &str, kind| Process {
        id,
        name: name.to_owned(),
        kind,
    };
    header.processes = vec![
        process(1, "sup", ProcessKind::Server),
        process(2, "db", ProcessKind::Server),
        process(3, "watcher", ProcessKind::Server),
        process(4, "db<4>", ProcessKind::Server),
    ];
    use EventKind::*;
    // The crash's exit signal to the supervisor and down to the watcher, each sent and then
    // delivered.
    let (exit, down) = (
        "exit signal error: killed by fault",
        "down #1 error: killed by fault",
    );
    let mut events = vec![
        event(0, Start, "sup", "", "init"),
        event(0, Trap, "sup", "", "trap exits on"),
        event(0, Spawn, "sup", "db", "init (as db, linked)"),
        event(0, Name, "db", "", "registered as db"),
        event(0, Link, "sup", "db", "link"),
        event(0, Monitor, "watcher", "db", "monitor #1"),
        event(1, Choose, "", "", "crash db"),
        event(1, Crash, "db", "", "error: killed by fault"),
        event(1, Stop, "db", "", "error: killed by fault"),
        event(1, Name, "db", "", "db freed"),
        event(1, Send, "db", "sup", exit),
        event(1, Send, "db", "watcher", down),
    ];
    events.extend(delivery(2, "db", "sup", exit));
    events.push(event(2, Spawn, "sup", "db<4>", "init (as db, linked)"));
    events.extend(delivery(3, "db", "watcher", down));
    events.extend([
        event(3, Demonitor, "watcher", "db<4>", "demonitor #2"),
        event(3, Unlink, "sup", "db<4>", "unlink"),
        event(4, Deliver, "watcher", "db<4>", "exit signal normal"),
        event(
            4,
            Ignore,
            "watcher",
            "db<4>",
            "exit signal normal (not trapping)",
        ),
        event(5, Deliver, "sup", "db<4>", "kill"),
        event(
            5,
            Kill,
            "sup",
            "db<4>",
            "killed (untrappable; no terminate)",
        ),
        event(5, Stop, "db<4>", "", "killed"),
    ]);
    let end = End::new(5, 0, Outcome::Pass);
    Trace::new(header, events, end)
}

#[test]
fn every_new_event_kind_round_trips_in_json_lines() {
    let trace = supervised();
    let jsonl = trace.to_jsonl();
    assert!(jsonl.starts_with(r#"{"type":"header","format":"genserver-trace","version":5,"#));
    for kind in [
        "spawn",
        "name",
        "link",
        "unlink",
        "monitor",
        "demonitor",
        "trap",
        "kill",
        "ignore",
    ] {
        assert!(jsonl.contains(&format!(r#""kind":"{kind}""#)), "{kind}");
    }
    assert_eq!(Trace::from_jsonl(&jsonl).unwrap(), trace);
}

#[test]
fn text_shows_each_new_kind_by_name() {
    let text = to_text(&supervised());
    insta::assert_snapshot!(text);
}

#[test]
fn mermaid_draws_signals_open_headed_and_control_dotted() {
    let mermaid = to_mermaid(&supervised());
    // Exit signals, kills and downs: open arrows; spawn, link, unlink, monitor, demonitor:
    // dotted open arrows; kills and ignored signals: notes over the receiver.
    assert!(
        mermaid.contains("P1-)P0: exit signal error: killed by fault"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("P1-)P2: down #35;1 error: killed by fault"),
        "{mermaid}"
    );
    assert!(mermaid.contains("P0-)P3: kill"), "{mermaid}");
    assert!(
        mermaid.contains("P0--)P1: spawn init (as db, linked)"),
        "{mermaid}"
    );
    assert!(mermaid.contains("P0--)P1: link"), "{mermaid}");
    assert!(mermaid.contains("P2--)P1: monitor #35;1"), "{mermaid}");
    assert!(mermaid.contains("P2--)P3: demonitor #35;2"), "{mermaid}");
    assert!(mermaid.contains("P0--)P3: unlink"), "{mermaid}");
    assert!(mermaid.contains("Note over P3: kill killed"), "{mermaid}");
    assert!(
        mermaid.contains("Note over P3: ignore exit signal normal"),
        "{mermaid}"
    );
    assert!(mermaid.contains("Note over P0: trap exits on"), "{mermaid}");
    insta::assert_snapshot!(mermaid);
}

#[test]
fn html_draws_signal_and_control_arrows() {
    let html = to_html(&supervised());
    // Three exit signals and one down delivered; spawn ×2, link, unlink, monitor, demonitor.
    assert_eq!(html.matches(r#"class="msg signal""#).count(), 4);
    assert_eq!(html.matches(r#"class="msg control""#).count(), 6);
    assert!(html.contains(".signal {") && html.contains(".control {"));
    assert!(html.contains("spawn init (as db, linked)"));
}
