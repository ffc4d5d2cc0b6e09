//! Mermaid: no word said twice in a row, and a failure note that wraps instead of overflowing.

use std::path::Path;

use genserver_traces::{Event, EventKind, Outcome, Trace, to_mermaid};

use crate::sample::sample;
use crate::supervised::supervised;

/// The widest failure note line, in characters of the shown text.
const WIDTH: usize = 40;

/// The saved trace of every zoo bug.
fn corpus() -> Vec<(String, Trace)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut traces: Vec<(String, Trace)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "jsonl"))
        .map(|path| (path.display().to_string(), Trace::load(&path).unwrap()))
        .collect();
    traces.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(traces.len() >= 8, "the corpus is in {}", dir.display());
    traces
}

/// A word, or two words, said twice in a row in `line`: `reply reply`, `step 7: step 7:`.
fn doubled(line: &str) -> Option<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let word = |w: &str| w.chars().any(char::is_alphabetic);
    let once = words.windows(2).find(|w| w[0] == w[1] && word(w[0]));
    let twice = words.windows(4).find(|w| w[..2] == w[2..] && word(w[0]));
    once.or(twice).map(|w| w.join(" "))
}

#[test]
fn no_word_is_said_twice_in_a_row() {
    let mut traces = corpus();
    traces.push(("sample".into(), sample(None)));
    traces.push(("supervised".into(), supervised()));
    let mut found = Vec::new();
    for (name, trace) in &traces {
        for line in to_mermaid(trace).lines() {
            if let Some(words) = doubled(line) {
                found.push(format!("{name}: {words:?} in {line:?}"));
            }
        }
    }
    assert!(found.is_empty(), "doubled words:\n{}", found.join("\n"));
}

/// The sample with a failure event whose message is `message`, at step 5.
fn failing_with(message: &str) -> Trace {
    let mut trace = sample(None);
    let failure = trace
        .events
        .iter_mut()
        .find(|e: &&mut Event| e.kind == EventKind::Failure)
        .unwrap();
    failure.message = message.to_owned();
    if let Outcome::Failure(record) = &mut trace.end.outcome {
        record.message = message.to_owned();
    }
    trace
}

/// The text of the failure note, its lines split at `<br/>` and its entities decoded.
fn failure_note(mermaid: &str) -> Vec<String> {
    let line = mermaid
        .lines()
        .find(|line| line.contains("FAILURE"))
        .unwrap_or_else(|| panic!("no failure note:\n{mermaid}"));
    let text = line.split_once(": ").expect("a note has a text").1;
    let decode = |part: &str| part.replace("#35;", "#").replace("#59;", ";");
    text.split("<br/>").map(decode).collect()
}

#[test]
fn a_long_failure_note_is_broken_into_lines_of_bounded_width() {
    let message = "step 5: invariant: every account balances: account 3 holds 120 but its \
        ledger says 95; #7 and #9 were both applied twice after a retry_with_a_very_long_name_that_goes_on_and_on";
    let note = failure_note(&to_mermaid(&failing_with(message)));
    assert!(note.len() > 1, "one line only: {note:?}");
    for line in &note {
        assert!(
            line.chars().count() <= WIDTH,
            "{:?} is wider than {WIDTH}: {note:?}",
            line
        );
    }
    let joined: String = note.concat().split_whitespace().collect();
    let expected: String = format!("FAILURE at step 5: {}", &message["step 5: ".len()..])
        .split_whitespace()
        .collect();
    assert_eq!(
        joined, expected,
        "every character of the message is kept, once"
    );
}

#[test]
fn a_short_failure_note_stays_on_one_line_without_its_step_said_twice() {
    let note = failure_note(&to_mermaid(&failing_with("step 5: expected 8, got 5")));
    assert_eq!(note, ["FAILURE at step 5: expected 8, got 5"]);
}
