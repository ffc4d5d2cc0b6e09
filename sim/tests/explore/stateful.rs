//! Stateful search (states restored from copies of the world) explores exactly what
//! stateless search (states reached again by replay) explores: the same states, runs,
//! failures and verdict, on every bundled system and with every reduction (the systems'
//! servers are copied where they wait for a call of their own, hold reply tokens, set
//! timers, restart or start children: the copies must carry all of it).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use genserver_sim::zoo::counter::Counter;
use genserver_sim::zoo::lost_update::read_modify_write;
use genserver_sim::{DfsOptions, Exploration, Reduction, System, World, explore, systems};

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

/// How a build looks at its servers.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Reads {
    /// Not at all.
    Nothing,
    /// It asserts the counter's state (a build without started servers panics).
    Asserts,
    /// It reads the counter's state and a name, and goes on whatever it finds.
    Quietly,
}

/// The counter, which counts its starts in `starts`, and three get-then-set clients; the
/// build reads what `reads` says (as a build may, to wire something up).
fn counted_starts(starts: &Arc<AtomicUsize>, reads: Reads) -> impl Fn(&mut World) + Sync {
    let starts = Arc::clone(starts);
    move |world: &mut World| {
        let starts = Arc::clone(&starts);
        let counter = world.spawn_with::<Counter>("counter", move || {
            starts.fetch_add(1, Ordering::Relaxed);
            0
        });
        world.hash_state(counter);
        world.clone_state(counter);
        match reads {
            Reads::Nothing => {}
            Reads::Asserts => assert_eq!(world.state(counter).map(|c| c.0), Some(0)),
            Reads::Quietly => {
                let _ = world.state(counter).map_or(0, |c| c.0);
                let _ = world.whereis("counter").is_some();
            }
        }
        for i in 1..=3 {
            world.client(&format!("client-{i}"), move |cx| {
                read_modify_write(cx, counter)
            });
        }
    }
}

#[test]
fn a_revival_starts_no_server_unless_the_build_needs_its_servers_started() {
    for reduction in [Reduction::Dpor, Reduction::StateHashing] {
        // The builds that are not revivals (the first run's, the search's setup).
        let mut others = 0;
        for reads in [Reads::Nothing, Reads::Asserts, Reads::Quietly] {
            let starts = Arc::new(AtomicUsize::new(0));
            let system = counted_starts(&starts, reads);
            let replayed = search(&system, reduction, false);
            let builds = starts.swap(0, Ordering::Relaxed) as u64;
            assert!(
                builds > replayed.schedules,
                "every run of replay builds anew"
            );
            let restored = search(&system, reduction, true);
            assert!(restored.restored > 10);
            assert_eq!(figures(&restored), figures(&replayed), "{reduction:?}");
            let started = starts.load(Ordering::Relaxed) as u64;
            match reads {
                // Revivals build lean: none starts the counter.
                Reads::Nothing => {
                    assert!(started < 5, "{reduction:?}: {started} starts");
                    others = started;
                }
                // A lean build would not build what a whole one does: revivals build the
                // system whole.
                _ => assert_eq!(
                    started,
                    others + restored.restored,
                    "{reduction:?} {reads:?}"
                ),
            }
        }
    }
}
