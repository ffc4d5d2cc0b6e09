//! Snapshots that pin a scenario, not a seed: the canonical run's story survives an
//! unrelated edit, where a seeded snapshot reshuffles.

use genserver_sim::{Sim, trace_text};

use crate::scenario::{bank_fixed, bank_fixed_logged};

#[test]
fn the_story_of_the_fixed_bank() {
    insta::assert_snapshot!(Sim::new(&bank_fixed).name("bank-fixed").story());
}

/// The lines of `text` that do not mention the audit log (its process list aside).
fn without_log(text: &str) -> Vec<&str> {
    let unrelated = |l: &&str| !l.contains("audit-log") || l.starts_with("# processes");
    text.lines().filter(unrelated).collect()
}

#[test]
fn an_unrelated_cast_adds_its_lines_to_the_story_and_moves_none() {
    let before = Sim::new(&bank_fixed).story();
    let after = Sim::new(&bank_fixed_logged).story();
    assert!(after.contains("alice -> audit-log: cast 80"), "{after}");
    let kept = without_log(&after);
    assert!(
        kept.len() < after.lines().count(),
        "the log's lines were added"
    );
    // Every other line is where it was; only the process list names the new server.
    let before: Vec<&str> = before.lines().collect();
    assert_eq!(kept[1..], before[1..]);
    assert_eq!(
        kept[0],
        before[0].replace("# processes: ", "# processes: audit-log (server), ")
    );
}

#[test]
fn a_seeded_snapshot_reshuffles_under_the_same_edit() {
    // Why stories exist: the extra events change what each seed chooses, so the same
    // harmless edit rewrites seeded snapshots beyond its own lines.
    let reshuffled = (0..20).filter(|&seed| {
        let before = trace_text(&bank_fixed, seed);
        let after = trace_text(&bank_fixed_logged, seed);
        let drop_steps = |text: &str| -> Vec<String> {
            let lines = without_log(text).into_iter().skip(2);
            lines
                .map(|l| l.get(5..).unwrap_or(l).to_owned())
                .filter(|l| !l.contains("choose"))
                .collect()
        };
        drop_steps(&before) != drop_steps(&after)
    });
    assert!(reshuffled.count() > 0);
}
