//! Every saved trace of `traces/corpus/` replays to the identical trace.

use std::path::{Path, PathBuf};

use genserver_sim::{Verdict, find_system, replay};
use genserver_traces::Trace;

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../traces/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "jsonl"))
        .collect();
    files.sort();
    files
}

#[test]
fn the_corpus_has_a_trace_for_every_zoo_bug() {
    let names: Vec<String> = corpus()
        .iter()
        .map(|path| Trace::load(path).unwrap().header.system)
        .collect();
    for system in genserver_sim::systems().iter().filter(|s| s.has_bug) {
        assert!(
            names.iter().any(|name| name == system.name),
            "no corpus trace for {}",
            system.name
        );
    }
}

#[test]
fn every_corpus_trace_replays_identically_and_fails_again() {
    for path in corpus() {
        let trace = Trace::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let system = find_system(&trace.header.system)
            .unwrap_or_else(|| panic!("{}: unknown system", path.display()));
        let report = replay(system, &trace)
            .unwrap_or_else(|divergence| panic!("{}: diverged at {divergence}", path.display()));
        assert!(
            matches!(report.verdict, Verdict::Failed(_)),
            "{}: the bug no longer shows",
            path.display()
        );
    }
}

/// A trace recorded before format version 3 (labels named messages by a global call number
/// and their payload first), kept to show that it still loads and replays: by identity.
#[test]
fn a_trace_of_the_older_format_loads_and_replays_by_identity() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../traces/corpus/older/lost-update-v2.jsonl");
    let trace = Trace::load(&path).unwrap();
    assert_eq!(trace.header.version, 2);
    assert!(
        trace
            .schedule()
            .contains(&"deliver call #1 Get client-2 → counter")
    );
    let system = find_system(&trace.header.system).unwrap();
    let strict = replay(system, &trace).expect_err("older labels do not replay strictly");
    assert!(strict.message.contains("format version 2"), "{strict}");
    let again = genserver_sim::replay_loose(system, &trace).unwrap();
    assert_eq!(
        again.reproduction,
        genserver_sim::Reproduction::Same,
        "{}",
        again.summary()
    );
    assert_eq!(
        (again.kept, again.skipped.len(), again.new.len()),
        (again.planned, 0, 0)
    );
    // The same story as the corpus's re-recorded trace.
    let current = Trace::load(
        path.parent()
            .unwrap()
            .parent()
            .unwrap()
            .join("lost-update.jsonl"),
    )
    .unwrap();
    assert_eq!(again.report.trace.unwrap().events, current.events);
    // A version 1 trace (the same labels, fewer event kinds) replays the same way.
    let mut first = trace.clone();
    first.header.version = 1;
    let again = genserver_sim::replay_loose(system, &first).unwrap();
    assert_eq!(
        again.reproduction,
        genserver_sim::Reproduction::Same,
        "{}",
        again.summary()
    );
}

/// A trace replays across versions of the crate that wrote it.
#[test]
fn the_crate_version_in_the_header_does_not_stop_a_replay() {
    let path = &corpus()[0];
    let mut trace = Trace::load(path).unwrap();
    trace.header.crate_version = "0.0.1-elsewhere".to_owned();
    let system = find_system(&trace.header.system).unwrap();
    assert!(replay(system, &trace).is_ok());
}

/// A replay that differs from its trace in a field the rendering does not show names it.
#[test]
fn a_divergence_names_the_field_that_differs() {
    let trace = Trace::load(&corpus()[0]).unwrap();
    let system = find_system(&trace.header.system).unwrap();
    let mut late = trace.clone();
    late.events[3].time_ns += 1;
    let divergence = replay(system, &late).unwrap_err();
    let message = &divergence.message;
    assert!(
        message.starts_with("the time (ns) differs: the trace says 1 in"),
        "{message}"
    );
    assert!(message.contains(", but the replay gives 0 in"), "{message}");
    let mut ending = trace.clone();
    ending.end.time_ns += 1;
    let divergence = replay(system, &ending).unwrap_err();
    assert!(
        divergence.message.starts_with("the end time (ns) differs"),
        "{divergence}"
    );
}
