//! Property: every trace survives JSON Lines and renders one text line per event.

use genserver_traces::{
    End, Event, EventKind, FailureRecord, Header, InputList, Inputs, Outcome, Process, ProcessKind,
    Trace, to_text,
};
use proptest::prelude::*;

const KINDS: [EventKind; 16] = [
    EventKind::Choose,
    EventKind::Start,
    EventKind::Send,
    EventKind::Deliver,
    EventKind::Reply,
    EventKind::Discard,
    EventKind::Timeout,
    EventKind::Timer,
    EventKind::Continue,
    EventKind::Step,
    EventKind::Stop,
    EventKind::Crash,
    EventKind::Restart,
    EventKind::Drop,
    EventKind::Delay,
    EventKind::Failure,
];

/// Text with the characters that break naive formats: quotes, backslashes, line breaks,
/// non-ASCII.
fn text() -> impl Strategy<Value = String> {
    "[a-z0-9 \"\\\\\n\r\t{}:,→é#;<>-]{0,24}"
}

fn event() -> impl Strategy<Value = (u64, u64, usize, Option<String>, Option<String>, String)> {
    (
        0u64..3,
        any::<u64>(),
        0..KINDS.len(),
        proptest::option::of(text()),
        proptest::option::of(text()),
        text(),
    )
}

fn outcome() -> impl Strategy<Value = Outcome> {
    prop_oneof![
        Just(Outcome::Pass),
        Just(Outcome::StepLimit),
        (text(), any::<u64>(), proptest::option::of(text()), text()).prop_map(
            |(kind, step, process, message)| Outcome::Failure(FailureRecord {
                kind,
                step,
                process,
                message,
            })
        ),
    ]
}

/// Inputs of up to three lists, their kept items' indices and renderings.
fn inputs() -> impl Strategy<Value = Inputs> {
    let list = (
        text(),
        0..10usize,
        proptest::collection::vec((0..10usize, text()), 0..4),
    )
        .prop_map(|(name, drawn, kept)| InputList {
            name,
            drawn,
            kept: kept.iter().map(|(index, _)| *index).collect(),
            items: kept.into_iter().map(|(_, item)| item).collect(),
        });
    (any::<u64>(), proptest::collection::vec(list, 0..3))
        .prop_map(|(seed, lists)| Inputs { seed, lists })
}

fn trace() -> impl Strategy<Value = Trace> {
    (
        text(),
        any::<u64>(),
        any::<u64>(),
        proptest::collection::vec((any::<u64>(), text(), any::<bool>()), 0..4),
        proptest::collection::vec(event(), 0..30),
        any::<u64>(),
        outcome(),
        proptest::option::of(inputs()),
    )
        .prop_map(
            |(system, seed, max_steps, processes, events, time_ns, outcome, inputs)| {
                let mut header = Header::new(system, seed, max_steps);
                header.inputs = inputs;
                header.processes = processes
                    .into_iter()
                    .map(|(id, name, server)| Process {
                        id,
                        name,
                        kind: if server {
                            ProcessKind::Server
                        } else {
                            ProcessKind::Client
                        },
                    })
                    .collect();
                let mut step = 0;
                let events: Vec<Event> = events
                    .into_iter()
                    .map(|(advance, time_ns, kind, from, to, message)| {
                        step += advance;
                        Event {
                            step,
                            time_ns,
                            kind: KINDS[kind],
                            from: from.map(Into::into),
                            to: to.map(Into::into),
                            message,
                        }
                    })
                    .collect();
                let end = End::new(step, time_ns, outcome);
                Trace::new(header, events, end)
            },
        )
}

proptest! {
    #[test]
    fn a_trace_survives_json_lines(trace in trace()) {
        let text = trace.to_jsonl();
        prop_assert_eq!(text.lines().count(), trace.events.len() + 2);
        prop_assert_eq!(Trace::from_jsonl(&text).unwrap(), trace);
    }

    #[test]
    fn the_text_rendering_has_one_line_per_event(trace in trace()) {
        let rendered = to_text(&trace);
        let inputs = usize::from(trace.header.inputs.is_some());
        prop_assert_eq!(rendered.lines().count(), trace.events.len() + 3 + inputs);
    }
}
