//! `gsim render`, `gsim diff` and `gsim hunt --html`.

use crate::errors::bad;
use crate::{code, gsim, hunt_html_args, path, render_html_args, run_args, scratch, stdout};

/// Runs `gsim run lost-update --seed SEED` and returns the trace's path.
fn traced_run(dir: &std::path::Path, seed: &str) -> std::path::PathBuf {
    let trace = dir.join(format!("seed-{seed}.jsonl"));
    gsim(&run_args("lost-update", seed, &trace, &[]));
    assert!(trace.is_file());
    trace
}

#[test]
fn render_writes_text_mermaid_and_html() {
    let dir = scratch("render");
    let trace = traced_run(&dir, "1");
    let text = gsim(&["render", path(&trace)]);
    assert_eq!(code(&text), 0);
    assert!(stdout(&text).starts_with("# genserver-trace v5: system lost-update, seed 1"));
    assert!(stdout(&text).contains("deliver  client-2 -> counter: call #1 Get"));

    let mermaid = gsim(&["render", path(&trace), "--format", "mermaid"]);
    assert_eq!(code(&mermaid), 0);
    assert!(stdout(&mermaid).starts_with("sequenceDiagram\n"));

    let page = dir.join("page.html");
    let html = gsim(&render_html_args(&trace, &page));
    assert_eq!(code(&html), 0);
    let written = std::fs::read_to_string(&page).unwrap();
    assert!(written.starts_with("<!DOCTYPE html>"));
    assert!(written.contains(r#"class="row failed""#));
}

#[test]
fn render_refuses_bad_input_with_exit_2() {
    let dir = scratch("render-bad");
    bad(&["render", path(&dir.join("missing.jsonl"))], "cannot read");
    let garbage = dir.join("garbage.jsonl");
    std::fs::write(&garbage, "{\"type\":\n").unwrap();
    bad(&["render", path(&garbage)], "line 1: not a trace record");
    let trace = traced_run(&dir, "1");
    let text = std::fs::read_to_string(&trace).unwrap();
    let cut = dir.join("cut.jsonl");
    std::fs::write(&cut, text.lines().take(4).collect::<Vec<_>>().join("\n")).unwrap();
    bad(&["render", path(&cut)], "truncated");
    bad(
        &["render", path(&trace), "--format", "pdf"],
        "invalid value 'pdf'",
    );
    bad(&["diff", path(&trace)], "required");
}

#[test]
fn diff_names_the_first_divergent_step() {
    let dir = scratch("diff");
    let (one, again, other) = (
        traced_run(&dir, "1"),
        dir.join("again.jsonl"),
        traced_run(&dir, "2"),
    );
    gsim(&["replay", path(&one), "--trace", path(&again)]);
    let same = gsim(&["diff", path(&one), path(&again)]);
    assert_eq!(code(&same), 0, "{}", stdout(&same));
    assert!(stdout(&same).starts_with("the traces are the same"));

    let different = gsim(&["diff", path(&one), path(&other)]);
    assert_eq!(code(&different), 1);
    let shown = stdout(&different);
    assert!(shown.contains("the traces diverge at step "), "{shown}");
    assert!(
        shown.contains("\n  - ") && shown.contains("\n  + "),
        "{shown}"
    );
}

/// `gsim diff` compares events field by field: the rendered text shows times to the
/// millisecond and a lone `from` like a lone `to`, so neither change may pass as the same.
#[test]
fn diff_sees_sub_millisecond_times_and_from_versus_to() {
    let dir = scratch("diff-fields");
    let one = traced_run(&dir, "1");
    let trace = genserver_traces::Trace::load(&one).unwrap();
    let changed = |name: &str, change: &dyn Fn(&mut genserver_traces::Trace)| {
        let mut other = trace.clone();
        change(&mut other);
        let file = dir.join(name);
        other.save(&file).unwrap();
        let out = gsim(&["diff", path(&one), path(&file)]);
        (code(&out), stdout(&out))
    };

    let (status, shown) = changed("later.jsonl", &|t| t.events[1].time_ns += 1);
    assert_eq!(status, 1, "a 1 ns difference is a difference:\n{shown}");
    assert!(shown.contains("(event 2) in time_ns:"), "{shown}");
    assert!(shown.contains("time_ns: 0 vs 1"), "{shown}");

    let (status, shown) = changed("swapped.jsonl", &|t| {
        let start = &mut t.events[0];
        (start.from, start.to) = (start.to.take(), start.from.take());
    });
    assert_eq!(status, 1, "from and to are different fields:\n{shown}");
    assert!(shown.contains("(event 1) in from, to:"), "{shown}");
}

#[test]
fn hunt_writes_the_failure_as_a_page() {
    let dir = scratch("hunt-html");
    let page = dir.join("lost-update.html");
    let found = dir.join("found.jsonl");
    let out = gsim(&hunt_html_args(&found, &page));
    assert_eq!(code(&out), 1);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("lost-update") && html.contains(r#"class="row failed""#));
    assert!(stdout(&out).contains(&format!("the trace as a page: {}", page.display())));
}

#[test]
fn a_linearizability_failure_shows_its_history_in_the_hunt_and_the_rendering() {
    let dir = scratch("history");
    let trace = dir.join("stale-cache.jsonl");
    let hunt = gsim(&[
        "hunt",
        "stale-cache",
        "--runs",
        "100",
        "--out",
        path(&trace),
    ]);
    assert_eq!(code(&hunt), 1);
    let drawn = |text: &str| {
        text.contains("history of kv, key 1: not linearizable")
            && text
                .lines()
                .any(|l| l.contains("✗") && l.contains("cache Get(1) → Value(0)"))
            && text
                .lines()
                .any(|l| l.contains("✓1") && l.contains("cache Put(1, 1) → Written"))
    };
    assert!(drawn(&stdout(&hunt)), "{}", stdout(&hunt));
    let text = gsim(&["render", path(&trace)]);
    assert!(drawn(&stdout(&text)), "{}", stdout(&text));
}
