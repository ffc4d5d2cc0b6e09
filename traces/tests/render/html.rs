//! The HTML page: lifeline names in the sticky header, every send drawn, names escaped.

use genserver_traces::{Event, EventKind, Trace, to_html};

use crate::sample::sample;

/// The text between the first `start` and the next `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in:\n{text}"))
        + start.len();
    let to = text[from..]
        .find(end)
        .unwrap_or_else(|| panic!("no {end} after {start}"));
    &text[from..from + to]
}

/// The chart's rows (`<g class="row…">…</g>`), in order.
fn rows(html: &str) -> Vec<&str> {
    html.split(r#"<g class="row"#)
        .skip(1)
        .map(|row| &row[..row.find("</g>").expect("a row ends")])
        .collect()
}

#[test]
fn lifeline_names_are_in_the_sticky_header_not_in_the_scrolling_chart() {
    let html = to_html(&sample(None));
    let chart = between(&html, r#"<svg id="chart""#, "</svg>");
    assert!(
        !chart.contains(r#"class="proc""#),
        "names drawn in the chart scroll away on a tall trace:\n{chart}"
    );
    let header = between(&html, "<header>", "</header>");
    for name in ["account", "client-1"] {
        assert!(
            header.contains(r#"class="proc""#) && header.contains(&format!(">{name}</text>")),
            "{name} should be named in the header:\n{header}"
        );
    }
    let style = between(&html, "<style>", "</style>");
    let rule = between(style, "header {", "}");
    assert!(
        rule.contains("position: sticky") && rule.contains("top: 0"),
        "{rule}"
    );
}

#[test]
fn every_send_and_reply_is_drawn_from_its_sender_at_its_step() {
    let html = to_html(&sample(None));
    let rows = rows(&html);
    let sent: Vec<&&str> = rows
        .iter()
        .filter(|r| r.contains(r#"class="msg send"#))
        .collect();
    assert_eq!(
        sent.len(),
        2,
        "the call sent at step 1 and the reply at step 2:\n{rows:#?}"
    );
    assert!(sent[0].contains(r#"data-step="1""#), "{}", sent[0]);
    assert!(
        sent[0].contains(">send call #1 Balance</text>"),
        "{}",
        sent[0]
    );
    assert!(sent[1].contains(r#"data-step="2""#), "{}", sent[1]);
    assert!(sent[1].contains(">reply #1 Ok(5)</text>"), "{}", sent[1]);
    assert!(
        sent.iter().all(|row| !row.contains("undelivered")),
        "both were delivered: neither is marked"
    );
}

#[test]
fn a_message_still_in_flight_at_the_failure_is_visible() {
    let mut trace = sample(None);
    let lost = Event {
        step: 4,
        time_ns: 1_000_000,
        kind: EventKind::Send,
        from: Some("client-1".into()),
        to: Some("account".into()),
        message: "cast Deposit(3)".into(),
    };
    trace.events.insert(8, lost);
    let trace = Trace::new(trace.header, trace.events, trace.end);
    let html = to_html(&trace);
    let rows = rows(&html);
    let in_flight: Vec<&&str> = rows
        .iter()
        .filter(|r| r.contains(r#"class="msg send undelivered""#))
        .collect();
    assert_eq!(in_flight.len(), 1, "{rows:#?}");
    assert!(
        in_flight[0].contains(r#"data-step="4""#),
        "{}",
        in_flight[0]
    );
    assert!(
        in_flight[0].contains("send cast Deposit(3) (not delivered)</text>"),
        "{}",
        in_flight[0]
    );
}

#[test]
fn the_system_name_is_escaped_everywhere_and_never_read_as_a_template_slot() {
    for system in ["{svg}", "{title}", "<script>alert(1)</script> & {svg}"] {
        let mut trace = sample(None);
        trace.header.system = system.into();
        let html = to_html(&trace);
        let escaped = system
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        assert_eq!(html.matches(r#"<svg id="chart""#).count(), 1, "{system}");
        let title = between(&html, "<title>", "</title>");
        assert!(
            title.starts_with(&format!("{escaped} — seed 7 — ")),
            "{title}"
        );
        let heading = between(&html, "<h1>", "</h1>");
        assert!(
            heading.starts_with(&format!("{escaped} — seed 7 — ")),
            "{heading}"
        );
        assert!(!html.contains("<script>alert"), "{system}");
    }
}

#[test]
fn the_inputs_of_the_run_are_shown_under_the_title_escaped() {
    let mut trace = sample(None);
    assert!(!to_html(&trace).contains(r#"<p id="inputs">"#));
    trace.header.inputs = Some(genserver_traces::Inputs {
        seed: 3,
        lists: vec![genserver_traces::InputList {
            name: "client-1".into(),
            drawn: 2,
            kept: vec![1],
            items: vec!["Put(<1>, {svg})".into()],
        }],
    });
    let html = to_html(&trace);
    let shown = between(&html, r#"<p id="inputs">"#, "</p>");
    assert_eq!(shown, "inputs: seed 3; client-1: Put(&lt;1&gt;, {svg})");
    assert_eq!(html.matches(r#"<svg id="chart""#).count(), 1);
}
