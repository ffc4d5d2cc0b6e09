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

/// The counter, which counts its starts in `starts`, and three get-then-set clients; with
/// `reads`, the build reads the counter's state (as a build may, to wire something up).
fn counted_starts(starts: &Arc<AtomicUsize>, reads: bool) -> impl Fn(&mut World) + Sync {
    let starts = Arc::clone(starts);
    move |world: &mut World| {
        let starts = Arc::clone(&starts);
        let counter = world.spawn_with::<Counter>("counter", move || {
            starts.fetch_add(1, Ordering::Relaxed);
            0
        });
        world.hash_state(counter);
        world.clone_state(counter);
        if reads {
            assert_eq!(world.state(counter).map(|c| c.0), Some(0), "started");
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
        let mut others = None;
        for reads in [false, true] {
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
                false => {
                    assert!(started < 5, "{reduction:?}: {started} starts");
                    others = Some(started);
                }
                // A lean build cannot read the state: revivals build the system whole.
                true => assert_eq!(Some(started - restored.restored), others, "{reduction:?}"),
            }
        }
    }
}
