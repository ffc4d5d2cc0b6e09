//! Loading refuses every malformed trace with an error naming the line.

use genserver_traces::{
    End, Event, EventKind, Header, InputList, Inputs, LoadError, Outcome, Trace, to_text,
};

fn sample() -> Trace {
    let event = |step, kind, message: &str| Event {
        step,
        time_ns: step * 10,
        kind,
        from: Some("client-1".into()),
        to: Some("account".into()),
        message: message.into(),
    };
    Trace::new(
        Header::new("stale-read", 3, 100),
        vec![
            event(1, EventKind::Choose, "start client-1"),
            event(1, EventKind::Send, "cast Deposit(5)"),
            event(
                2,
                EventKind::Choose,
                "deliver cast Deposit(5) client-1 → account",
            ),
            event(2, EventKind::Deliver, "cast Deposit(5)"),
        ],
        End::new(2, 20, Outcome::Pass),
    )
}

fn lines() -> Vec<String> {
    sample().to_jsonl().lines().map(str::to_owned).collect()
}

fn load(lines: &[String]) -> Result<Trace, LoadError> {
    Trace::from_jsonl(&(lines.join("\n") + "\n"))
}

#[test]
fn a_trace_round_trips_and_yields_its_schedule() {
    let trace = sample();
    assert_eq!(Trace::from_jsonl(&trace.to_jsonl()).unwrap(), trace);
    assert_eq!(
        trace.schedule(),
        [
            "start client-1",
            "deliver cast Deposit(5) client-1 → account"
        ]
    );
    assert!(
        trace
            .to_jsonl()
            .starts_with("{\"type\":\"header\",\"format\":\"genserver-trace\",\"version\":5,")
    );
}

#[test]
fn a_header_keeps_the_inputs_of_the_run_and_a_header_without_them_still_loads() {
    let mut trace = sample();
    assert!(!lines()[0].contains("inputs"), "no inputs, no field");
    trace.header.inputs = Some(Inputs {
        seed: 9,
        lists: vec![
            InputList {
                name: "client-1".into(),
                drawn: 3,
                kept: vec![0, 2],
                items: vec!["Get(1)".into(), "Put(1, 2)".into()],
            },
            InputList {
                name: "client-2".into(),
                drawn: 3,
                kept: Vec::new(),
                items: Vec::new(),
            },
        ],
    });
    let text = trace.to_jsonl();
    assert!(
        text.lines()
            .next()
            .unwrap()
            .contains("\"inputs\":{\"seed\":9,")
    );
    let loaded = Trace::from_jsonl(&text).unwrap();
    assert_eq!(loaded, trace);
    assert_eq!(loaded.header.inputs.as_ref().map(Inputs::kept), Some(2));
    assert!(
        to_text(&trace).contains("\n# inputs: seed 9; client-1: Get(1), Put(1, 2); client-2: -\n")
    );
    // A trace of version 4 has no inputs: it loads without them.
    let old = lines()[0].replace("\"version\":5", "\"version\":4");
    let mut old_lines = lines();
    old_lines[0] = old;
    assert_eq!(load(&old_lines).unwrap().header.inputs, None);
}

#[test]
fn every_malformed_trace_gets_its_own_error() {
    let l = lines();
    let err = |lines: &[String]| load(lines).unwrap_err().to_string();
    assert_eq!(err(&[]), "the trace is empty (expected a header line)");
    assert!(err(&l[1..]).starts_with("line 1: expected the trace header, found a event"));
    assert_eq!(
        err(&l[..3]),
        "the trace is truncated: no end record after line 3"
    );
    let mut garbage = l.clone();
    garbage[2] = "{\"type\":\"event\",\"step\":".into();
    assert!(
        err(&garbage).starts_with("line 3: not a trace record: EOF"),
        "{}",
        err(&garbage)
    );
    let mut twice = l.clone();
    twice.insert(2, l[0].clone());
    assert_eq!(
        err(&twice),
        "line 3: unexpected header record in the middle of the trace"
    );
    let mut after = l.clone();
    after.push(l[1].clone());
    assert!(err(&after).starts_with("line 7: unexpected record after the end"));
    let mut backwards = l.clone();
    backwards.swap(2, 4);
    assert_eq!(err(&backwards), "line 5: step 1 comes after step 2");
    let mut schedule = l.clone();
    schedule[0] = schedule[0].replace("\"start client-1\"", "\"start client-2\"");
    assert_eq!(
        err(&schedule),
        "line 2: the header's schedule says \"start client-2\" here, but the trace has \"start client-1\""
    );
    let mut unscheduled = l.clone();
    unscheduled.remove(3);
    assert_eq!(
        err(&unscheduled),
        "line 1: the header's schedule says \"deliver cast Deposit(5) client-1 → account\" here, but the trace has \"\""
    );
    let mut format = l.clone();
    format[0] = format[0].replace("genserver-trace", "other-trace");
    assert!(err(&format).contains("not a genserver trace (format \"other-trace\""));
    let mut version = l.clone();
    version[0] = version[0].replace("\"version\":5", "\"version\":6");
    assert!(err(&version).contains("trace format version 6 is not supported"));
    let mut future = l.clone();
    future[0] = future[0].replace("\"version\":5", "\"version\":0");
    assert!(err(&future).contains("trace format version 0 is not supported"));
    // Version 1 had fewer event kinds, version 2 other labels, version 3 no operations,
    // version 4 no inputs: all still load.
    for older in [1, 2, 3, 4] {
        let mut old = l.clone();
        old[0] = old[0].replace("\"version\":5", &format!("\"version\":{older}"));
        assert_eq!(load(&old).unwrap().header.version, older);
    }
    let mut kind = l.clone();
    kind[1] = kind[1].replace("\"choose\"", "\"teleport\"");
    assert!(
        err(&kind).starts_with("line 2: not a trace record: unknown variant `teleport`"),
        "{}",
        err(&kind)
    );
}

#[test]
fn a_missing_file_names_its_path() {
    let error = Trace::load("/no/such/trace.jsonl").unwrap_err().to_string();
    assert!(
        error.starts_with("cannot read /no/such/trace.jsonl: "),
        "{error}"
    );
}
