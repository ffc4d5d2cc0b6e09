//! Stateful search (states restored from copies of the world) explores exactly what
//! stateless search (states reached again by replay) explores: the same states, runs,
//! failures and verdict, on every bundled system and with every reduction (the systems'
//! servers are copied where they wait for a call of their own, hold reply tokens, set
//! timers, restart or start children: the copies must carry all of it).

use genserver_sim::{DfsOptions, Exploration, Reduction, System, explore, systems};

fn search(system: &dyn System, reduction: Reduction, stateful: bool) -> Exploration {
    let options = DfsOptions {
        reduction,
        keep_going: true,
        max_depth: 60,
        max_states: 2_000,
        max_runs: 2_000,
        stateful,
        ..DfsOptions::default()
    };
    explore(system, &options, &mut |_| {}).expect("deterministic")
}

/// What must not depend on how states are restored.
fn figures(e: &Exploration) -> String {
    format!(
        "states {} ends {} runs {} pruned {} cut {} failures {} distinct {} depth {} \
         limited {} budget {} first failure {:?}",
        e.states,
        e.end_states,
        e.schedules,
        e.pruned,
        e.cut_runs,
        e.failures,
        e.distinct_failures,
        e.max_depth,
        e.depth_limited,
        e.budget_ran_out,
        e.found
            .as_ref()
            .and_then(|f| f.trace.as_ref())
            .map(|t| t.schedule()),
    )
}

#[test]
fn restoring_copies_explores_what_replaying_explores_on_every_system() {
    for system in systems() {
        let system: &dyn System = system;
        for reduction in [Reduction::Dpor, Reduction::StateHashing, Reduction::Nothing] {
            let replayed = search(system, reduction, false);
            let restored = search(system, reduction, true);
            assert_eq!(replayed.restored, 0);
            // Every bundled server opted in to copies (a supervisor and its children too).
            assert!(
                restored.restored > 0,
                "{} with {reduction:?}: no run restored",
                system.name()
            );
            assert_eq!(
                figures(&restored),
                figures(&replayed),
                "{} with {reduction:?}",
                system.name()
            );
        }
    }
}
