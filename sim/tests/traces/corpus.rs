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
