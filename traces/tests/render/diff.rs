//! `first_difference`: where two traces part ways, compared record by record, field by field.

use genserver_traces::first_difference;

use crate::sample::sample;

#[test]
fn identical_traces_do_not_diverge() {
    assert_eq!(first_difference(&sample(None), &sample(None)), None);
}

#[test]
fn the_first_difference_names_its_step_and_both_lines() {
    let divergence = first_difference(&sample(None), &sample(Some("reply #1 Ok(6)"))).unwrap();
    assert_eq!(divergence.step, 2);
    assert_eq!(divergence.event, 6);
    assert!(divergence.left.unwrap().ends_with("reply #1 Ok(5)"));
    assert!(divergence.right.unwrap().ends_with("reply #1 Ok(6)"));
    assert_eq!(divergence.context.len(), 3);
}

#[test]
fn a_trace_that_stops_early_diverges_where_it_stops() {
    let full = sample(None);
    let mut short = sample(None);
    short.events.truncate(4);
    let divergence = first_difference(&full, &short).unwrap();
    assert_eq!(divergence.event, 5);
    assert!(divergence.right.unwrap().starts_with("# end"));
    let shown = first_difference(&short, &full).unwrap().to_string();
    assert!(
        shown.starts_with("the traces diverge at step 2 (event 5):"),
        "{shown}"
    );
}

#[test]
fn a_time_difference_below_a_millisecond_diverges_naming_time_ns() {
    let left = sample(None);
    let mut right = sample(None);
    // Event 8 (the dropped cast, at 1 ms): 1 ms and 1.0004 ms render alike as `0.001s`.
    right.events[7].time_ns += 400_000;
    let divergence = first_difference(&left, &right).expect("the times differ");
    assert_eq!((divergence.step, divergence.event), (4, 8));
    assert_eq!(divergence.fields.len(), 1, "{divergence:?}");
    let field = &divergence.fields[0];
    assert_eq!(field.field, "time_ns");
    assert_eq!(
        (field.left.as_str(), field.right.as_str()),
        ("1000000", "1400000")
    );
    let shown = divergence.to_string();
    assert!(
        shown.starts_with("the traces diverge at step 4 (event 8) in time_ns:"),
        "{shown}"
    );
    assert!(shown.contains("time_ns: 1000000 vs 1400000"), "{shown}");
}

#[test]
fn from_instead_of_to_diverges_naming_both_fields() {
    let left = sample(None);
    let mut right = sample(None);
    // The start event names its server as `from`; the same name as `to` renders alike.
    let start = &mut right.events[0];
    (start.from, start.to) = (start.to.take(), start.from.take());
    let divergence = first_difference(&left, &right).expect("from and to differ");
    assert_eq!((divergence.step, divergence.event), (0, 1));
    let fields: Vec<&str> = divergence.fields.iter().map(|f| f.field).collect();
    assert_eq!(fields, ["from", "to"]);
    assert_eq!(divergence.fields[0].left, r#"Some("account")"#);
    assert_eq!(divergence.fields[0].right, "None");
    let shown = divergence.to_string();
    assert!(shown.contains(" in from, to:"), "{shown}");
    assert!(
        shown.contains(r#"from: Some("account") vs None"#),
        "{shown}"
    );
}

#[test]
fn end_records_differing_below_a_millisecond_diverge_naming_time_ns() {
    let left = sample(None);
    let mut right = sample(None);
    right.end.time_ns += 1;
    let divergence = first_difference(&left, &right).expect("the end times differ");
    assert_eq!(divergence.event, left.events.len() + 1);
    let fields: Vec<&str> = divergence.fields.iter().map(|f| f.field).collect();
    assert_eq!(fields, ["time_ns"]);
}

#[test]
fn a_changed_message_names_the_message_field() {
    let divergence = first_difference(&sample(None), &sample(Some("reply #1 Ok(6)"))).unwrap();
    let fields: Vec<&str> = divergence.fields.iter().map(|f| f.field).collect();
    assert_eq!(fields, ["message"]);
}
