//! A recording written as a trace: one event per input taken, in wall-clock order.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use crate::world::duration_ns;
use genserver::runtime::ClientFailure;
use genserver::runtime::record::{Input, RecordedCall, Recording};
use genserver::{Check, ProcessId};
use genserver_traces::{
    Answer, End, Event, EventKind, FailureRecord, Header, Moment, Operation, Outcome, Process,
    ProcessKind, Returned, Trace,
};

/// The strategy of a recorded trace: real threads chose its orders.
pub const RECORDED: &str = "recorded";

/// `recording` as a trace of `system` (the name of the simulated system that builds the
/// same scenario): the header lists the processes, each event is one input a process took
/// (`to`: the process, `from`: the sender or the server called), in the order of the
/// times they were taken (a server stamps each batch it takes, so inputs of one batch share
/// a time; each process's own inputs keep their order); the end says how the run ended.
/// Its schedule is empty: [`crate::recorded::follow_recording`] follows it.
pub fn recorded_trace(
    system: &str,
    recording: &Recording,
    outcome: &Result<(), ClientFailure>,
) -> Trace {
    let names: BTreeMap<ProcessId, &str> = (recording.processes.iter())
        .filter_map(|process| Some((process.id, process.name.as_deref()?)))
        .collect();
    // A process without a name (or not recorded) is called by its id, `<7>`.
    let name_of = |id: ProcessId| -> Arc<str> {
        match names.get(&id) {
            Some(name) => Arc::from(*name),
            None => Arc::from(format!("{id:?}")),
        }
    };
    let mut header = Header::new(system, 0, 0);
    header.strategy = RECORDED.to_owned();
    header.processes = (recording.processes.iter())
        .map(|process| Process {
            id: process.id.0,
            name: name_of(process.id).to_string(),
            kind: match process.client {
                true => ProcessKind::Client,
                false => ProcessKind::Server,
            },
        })
        .collect();
    let mut taken: Vec<(Duration, usize, usize)> = Vec::new();
    for (p, process) in recording.processes.iter().enumerate() {
        taken.extend((process.inputs.iter().enumerate()).map(|(i, t)| (t.at, p, i)));
    }
    taken.sort();
    let events: Vec<Event> = (taken.iter().enumerate())
        .map(|(index, &(at, p, i))| {
            let process = &recording.processes[p];
            let input = process.inputs[i].input;
            let (kind, other, message) = describe(input);
            Event {
                step: index as u64 + 1,
                time_ns: duration_ns(at),
                kind,
                from: other.map(name_of),
                to: Some(name_of(process.id)),
                message,
            }
        })
        .collect();
    let outcome = match outcome {
        Ok(()) => Outcome::Pass,
        Err(failure) => Outcome::Failure(failure_record(failure, events.len() as u64)),
    };
    let elapsed = duration_ns(recording.elapsed);
    let mut end = End::new(taken.len() as u64, elapsed, outcome);
    end.operations = operations(recording, &events, &name_of);
    Trace::new(header, events, end)
}

/// The clients' calls as the run's history, in the order they were made: each invocation
/// and response numbered in the order of their times, at the last event recorded by then.
fn operations(
    recording: &Recording,
    events: &[Event],
    name_of: &dyn Fn(ProcessId) -> Arc<str>,
) -> Vec<Operation> {
    let calls: Vec<(ProcessId, &RecordedCall)> = (recording.processes.iter())
        .flat_map(|p| p.calls.iter().map(move |call| (p.id, call)))
        .collect();
    // Every point of the history: its time, then which call and whether it is the response.
    let mut points: Vec<(Duration, usize, bool)> = Vec::new();
    for (index, (_, call)) in calls.iter().enumerate() {
        points.push((call.invoked, index, false));
        if let Some((at, _)) = &call.returned {
            points.push((*at, index, true));
        }
    }
    points.sort();
    let moment = |seq: usize, at: Duration| {
        let time_ns = duration_ns(at);
        Moment {
            seq: seq as u64,
            step: events.partition_point(|e| e.time_ns <= time_ns) as u64,
            time_ns,
        }
    };
    let mut invoked = vec![None; calls.len()];
    let mut returned = vec![None; calls.len()];
    for (seq, &(at, index, response)) in points.iter().enumerate() {
        match response {
            false => invoked[index] = Some(moment(seq, at)),
            true => returned[index] = Some(moment(seq, at)),
        }
    }
    let mut operations: Vec<Operation> = (calls.iter().enumerate())
        .filter_map(|(index, (client, call))| {
            let answer = |(_, answer): &(Duration, Result<String, String>)| match answer {
                Ok(reply) => Answer::Reply(reply.clone()),
                Err(error) => Answer::Error(error.clone()),
            };
            Some(Operation {
                client: name_of(*client).to_string(),
                server: name_of(call.server).to_string(),
                call: call.request.clone(),
                invoked: invoked[index]?,
                returned: (returned[index].zip(call.returned.as_ref())).map(|(at, outcome)| {
                    Returned {
                        at,
                        answer: answer(outcome),
                    }
                }),
            })
        })
        .collect();
    operations.sort_by_key(|operation| operation.invoked.seq);
    operations
}

/// An input as an event: its kind, the other process, its words ([`super::orders`] reads
/// them back).
fn describe(input: Input) -> (EventKind, Option<ProcessId>, String) {
    let message = |what: &str, from| (EventKind::Deliver, Some(from), what.to_owned());
    match input {
        Input::Call { from } => message("call", from),
        Input::Cast { from } => message("cast", from),
        Input::Info { from } => message("info", from),
        Input::Down { from } => message("down", from),
        Input::Exit { from } => message("exit signal", from),
        Input::Reply { from, call } => {
            let words = format!("reply to call #{call}");
            (EventKind::Reply, Some(from), words)
        }
        Input::Timeout { to, call } => (EventKind::Timeout, Some(to), format!("call #{call}")),
        Input::Timer(timer) => (EventKind::Timer, None, format!("timer #{}", timer.0)),
    }
}

/// How [`genserver::runtime::Threads`] words a client's panic.
const PANICKED: &str = "panicked: ";

/// A client's failure as the simulator would record it: a panic, a timeout or a failed
/// expectation of that client.
fn failure_record(failure: &ClientFailure, step: u64) -> FailureRecord {
    let (kind, message) = match &failure.check {
        Check::TimedOut(text) => ("timeout", text.clone()),
        Check::Failed(text) if text.starts_with(PANICKED) => {
            ("panic", text[PANICKED.len()..].to_owned())
        }
        Check::Failed(text) => ("expectation", text.clone()),
    };
    FailureRecord {
        kind: kind.to_owned(),
        step,
        process: Some(failure.client.clone()),
        message,
    }
}
