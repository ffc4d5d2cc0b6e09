//! The renderers and the diff, on a small hand-written trace.

mod browser;
mod diff;
mod history;
mod html;
mod mermaid;
mod sample;
mod supervised;

use genserver_traces::{to_html, to_mermaid, to_text};
use sample::sample;

#[test]
fn text_is_one_line_per_event_between_a_header_and_the_outcome() {
    let trace = sample(None);
    let text = to_text(&trace);
    assert_eq!(text.lines().count(), trace.events.len() + 3);
    insta::assert_snapshot!(text);
}

#[test]
fn text_is_the_same_for_the_same_trace() {
    assert_eq!(to_text(&sample(None)), to_text(&sample(None)));
}

#[test]
fn mermaid_draws_participants_arrows_notes_and_the_failure() {
    let mermaid = to_mermaid(&sample(None));
    assert!(mermaid.starts_with("sequenceDiagram\n"));
    assert!(mermaid.contains("participant P0 as account"));
    assert!(mermaid.contains("P1->>P0: call #35;1 Balance"));
    assert!(
        mermaid.contains("P0-->>P1: reply #35;1 Ok(5)"),
        "replies are dashed"
    );
    assert!(mermaid.contains("P1-xP0: dropped cast Deposit(<3>#59; #35;2)"));
    assert!(mermaid.contains("Note over P1: timeout"));
    assert!(mermaid.contains("rect rgb(255, 215, 215)"));
    assert!(
        !mermaid.contains("choose"),
        "scheduler decisions are not drawn"
    );
    insta::assert_snapshot!(mermaid);
}

#[test]
fn html_is_self_contained_and_marks_the_failing_step() {
    let html = to_html(&sample(None));
    assert!(html.starts_with("<!DOCTYPE html>"));
    for external in ["http://", "https://", " src=", "@import", "url(http"] {
        assert!(
            !html.contains(external),
            "the page must not load {external}"
        );
    }
    assert_eq!(
        html.matches(r#"class="life""#).count(),
        2,
        "one lifeline per process"
    );
    assert_eq!(html.matches(r#"class="msg call""#).count(), 1);
    assert_eq!(html.matches(r#"class="msg reply""#).count(), 1);
    assert_eq!(html.matches(r#"class="msg drop""#).count(), 1);
    assert_eq!(html.matches(r#"class="row failed""#).count(), 1);
    assert!(
        html.contains("Deposit(&lt;3&gt;; #2)"),
        "message text is escaped"
    );
    assert!(!html.contains("Deposit(<3>"));
}
