//! The history of a trace (format version 4): its operations and a linearizability
//! violation survive JSON Lines, are compared by the diff only between traces that record
//! them, and are drawn as intervals per client.

use genserver_traces::{
    Answer, End, Header, HistoryViolation, Moment, Operation, Outcome, Returned, Trace,
    first_difference, to_history, to_text,
};

/// An operation of `client` from point `from` to `to` (`None`: pending).
fn op(client: &str, call: &str, from: u64, to: Option<(u64, Answer)>) -> Operation {
    let at = |seq| Moment {
        seq,
        step: seq + 1,
        time_ns: 0,
    };
    Operation {
        client: client.into(),
        server: "cache".into(),
        call: call.into(),
        invoked: at(from),
        returned: to.map(|(seq, answer)| Returned {
            at: at(seq),
            answer,
        }),
    }
}

fn reply(text: &str) -> Answer {
    Answer::Reply(text.into())
}

/// A stale read: the reader's read pending, the writer's write, then its stale read; a
/// bystander's write of another key timed out.
fn stale() -> Trace {
    let mut end = End::new(9, 0, Outcome::Pass);
    end.operations = vec![
        op("reader", "Get(1)", 0, None),
        op("writer", "Put(1, 1)", 1, Some((3, reply("Written")))),
        op(
            "other",
            "Put(2, 7)",
            2,
            Some((6, Answer::Error("timed out".into()))),
        ),
        op("writer", "Get(1)", 4, Some((5, reply("Value(0)")))),
    ];
    end.violation = Some(HistoryViolation {
        check: "kv".into(),
        partition: Some("1".into()),
        operations: vec![0, 1, 3],
        prefix: vec![1],
        blocked: 3,
    });
    Trace::new(Header::new("stale-cache", 1, 100), Vec::new(), end)
}

#[test]
fn operations_and_the_violation_survive_json_lines() {
    let trace = stale();
    let jsonl = trace.to_jsonl();
    assert!(
        jsonl.contains(r#""answer":{"error":"timed out"}"#),
        "{jsonl}"
    );
    assert_eq!(Trace::from_jsonl(&jsonl).unwrap(), trace);
}

#[test]
fn a_version_3_trace_has_no_history_and_the_diff_does_not_ask_for_one() {
    let trace = stale();
    let mut older = trace.clone();
    older.header.version = 3;
    older.end.operations.clear();
    older.end.violation = None;
    let text = older.to_jsonl();
    assert!(!text.contains("operations"));
    assert_eq!(Trace::from_jsonl(&text).unwrap(), older);
    assert_eq!(first_difference(&older, &trace), None);
    // Between two traces that record histories, a different history is a difference.
    let mut other = trace.clone();
    other.end.operations[3].returned = None;
    let difference = first_difference(&trace, &other).expect("they differ");
    assert_eq!(difference.fields[0].field, "operations");
}

#[test]
fn the_history_is_drawn_client_by_client_with_the_prefix_and_the_blocked_operation() {
    let trace = stale();
    let history = to_history(&trace);
    // Only the failing key's operations, each on its client's line.
    assert!(!history.contains("Put(2, 7)"), "{history}");
    let line = |call: &str| {
        history
            .lines()
            .find(|l| l.contains(call))
            .unwrap()
            .to_owned()
    };
    assert!(line("Put(1, 1)").contains("✓1"));
    assert!(line("→ Value(0)").contains("✗"));
    assert!(line("(pending)").starts_with("reader"));
    insta::assert_snapshot!(history);
    // The text of the trace ends with it.
    let text = to_text(&trace);
    assert!(
        text.ends_with(
            &history
                .lines()
                .map(|l| format!("# {l}\n"))
                .collect::<String>()
        )
    );
    // Without a violation every operation is drawn, errors and all, and `to_text` leaves
    // it out.
    let mut passed = trace.clone();
    passed.end.violation = None;
    let all = to_history(&passed);
    assert!(all.starts_with("history: 4 operations\n"), "{all}");
    assert!(all.contains("cache Put(2, 7) → error: timed out"), "{all}");
    assert!(!to_text(&passed).contains("history"));
}

#[test]
fn the_page_draws_the_history_above_the_chart_as_bars() {
    let html = genserver_traces::to_html(&stale());
    let section = &html[html
        .find(r#"<section id="history">"#)
        .expect("a history section")..];
    let section = &section[..section.find("</section>").unwrap()];
    assert!(html.find("<section id=\"history\">") < html.find("<main>"));
    // One bar per operation of the failing key: the prefix, the blocked one, the pending.
    assert_eq!(section.matches("<rect ").count(), 3, "{section}");
    let bar = |class: &str| {
        let at = section
            .find(&format!(r#"<g class="{class}">"#))
            .unwrap_or_else(|| panic!("{class}: {section}"));
        &section[at..at + section[at..].find("</g>").unwrap()]
    };
    assert!(
        bar("op prefix").contains(">✓1</text>") && bar("op prefix").contains("Put(1, 1) → Written")
    );
    assert!(
        bar("op blocked").contains(">✗</text>") && bar("op blocked").contains("Get(1) → Value(0)")
    );
    assert!(bar("op pending").contains("(pending)"));
    assert!(!section.contains("Put(2, 7)"));
    // A name is escaped, and a trace without operations has no section.
    let mut odd = stale();
    odd.end.operations[1].call = "<b>Put</b>".into();
    assert!(genserver_traces::to_html(&odd).contains("&lt;b&gt;Put&lt;/b&gt;"));
    let mut none = stale();
    none.end.operations.clear();
    none.end.violation = None;
    assert!(!genserver_traces::to_html(&none).contains("id=\"history\""));
}
