//! Exhaustive search over links, monitors, exit signals and child starts: the reduction's
//! classification of the new deliveries is checked against the unreduced search (same
//! distinct end states, same distinct failures), and the zoo's restart race is found.

use std::time::Duration;

use genserver::ExitReason;
use genserver::supervisor::{ChildSpec, Strategy, Supervisor, SupervisorSpec};
use genserver_sim::{
    DfsOptions, Exploration, Reduction, SimSpawner, System, World, explore, find_system,
};

use genserver_checks::node::{Child, Cmd, Journal, NodeArgs};

use crate::{Do, N, Sys, To, script};

fn search(system: &dyn System, reduction: Reduction) -> Exploration {
    let options = DfsOptions {
        reduction,
        keep_going: true,
        max_depth: 60,
        max_states: 200_000,
        max_runs: 200_000,
        max_time: None,
        jobs: 1,
        shard: None,
        stateful: true,
    };
    explore(system, &options, &mut |_| {}).expect("deterministic")
}

/// DPOR and state hashing reach the end states and failures plain DFS reaches.
fn agree(name: &str, system: &dyn System) {
    let plain = search(system, Reduction::Nothing);
    assert!(
        !plain.budget_ran_out && !plain.depth_limited,
        "{name}: {plain:?}"
    );
    for reduction in [Reduction::Dpor, Reduction::StateHashing] {
        let reduced = search(system, reduction);
        assert_eq!(
            (reduced.end_states, reduced.distinct_failures),
            (plain.end_states, plain.distinct_failures),
            "{name} {reduction:?}"
        );
        assert!(reduced.schedules <= plain.schedules, "{name} {reduction:?}");
    }
    eprintln!(
        "{name}: plain {} runs, {} end states, {} failures",
        plain.schedules, plain.end_states, plain.distinct_failures
    );
}

fn boom() -> ExitReason {
    ExitReason::error("boom")
}

#[test]
fn reductions_agree_on_races_of_links_monitors_and_kills() {
    // An exit racing an unlink, a demonitor and a kill of a linked trapper.
    let unlink = Sys("unlink-race", |w: &mut World| {
        let j = Journal::new();
        let a = w.spawn::<N>("a", NodeArgs::new("a", &j));
        let acts = vec![Cmd::Link(a.into()), Cmd::Monitor(a.into())];
        let b = w.spawn::<N>("b", NodeArgs::new("b", &j).init(acts));
        let c = w.spawn::<N>(
            "c",
            NodeArgs::new("c", &j).init(vec![Cmd::Monitor(b.into())]),
        );
        script(
            w,
            &j,
            "stopper",
            vec![Do::Cast(a.into(), Cmd::Stop(boom()))],
        );
        let steps = vec![
            Do::Cast(b.into(), Cmd::Unlink(a.into())),
            Do::Cast(b.into(), Cmd::Demonitor),
        ];
        script(w, &j, "unlinker", steps);
        script(
            w,
            &j,
            "other",
            vec![Do::Cast(c.into(), Cmd::Mark("x".into()))],
        );
    });
    agree("unlink-race", &unlink);
    let kills = Sys("kill-race", |w: &mut World| {
        let j = Journal::new();
        let killer = w.spawn::<N>("killer", NodeArgs::new("killer", &j));
        let v = w.spawn::<N>("victim", NodeArgs::new("victim", &j));
        let trap = vec![Cmd::Trap(true), Cmd::Link(v.into())];
        let t = w.spawn::<N>("trapper", NodeArgs::new("trapper", &j).init(trap));
        let kill = vec![Do::Cast(killer.into(), Cmd::Kill(v.into()))];
        script(w, &j, "client-1", kill);
        let steps = vec![
            Do::Cast(t.into(), Cmd::Trap(false)),
            Do::Cast(v.into(), Cmd::Link(killer.into())),
        ];
        script(w, &j, "client-2", steps);
    });
    agree("kill-race", &kills);
    // A link racing the exit of its target: the trapping linker gets `boom` or `NoProcess`.
    let link = Sys("link-race", |w: &mut World| {
        let j = Journal::new();
        let a = w.spawn::<N>("a", NodeArgs::new("a", &j).init(vec![Cmd::Trap(true)]));
        let b = w.spawn::<N>("b", NodeArgs::new("b", &j));
        let m = w.spawn::<N>("m", NodeArgs::new("m", &j));
        script(
            w,
            &j,
            "linker",
            vec![Do::Cast(a.into(), Cmd::Link(b.into()))],
        );
        let watch = vec![Do::Cast(m.into(), Cmd::Monitor(b.into()))];
        script(w, &j, "watcher", watch);
        script(
            w,
            &j,
            "stopper",
            vec![Do::Cast(b.into(), Cmd::Stop(boom()))],
        );
    });
    agree("link-race", &link);
}

#[test]
fn reductions_agree_on_concurrent_child_starts() {
    // Two servers start an unnamed, linked child each: which child gets which id (and so
    // which links exist) depends on the order.
    let sys = Sys("starts", |w: &mut World| {
        let j = Journal::new();
        let start = |label: &str| Cmd::Start(Child::new(label).linked());
        let p = w.spawn::<N>("p", NodeArgs::new("p", &j));
        let q = w.spawn::<N>("q", NodeArgs::new("q", &j));
        script(w, &j, "c1", vec![Do::Cast(p.into(), start("kid-p"))]);
        script(w, &j, "c2", vec![Do::Cast(q.into(), start("kid-q"))]);
    });
    agree("starts", &sys);
}

#[test]
fn reductions_agree_on_a_supervised_restart_racing_lookups() {
    let sys = Sys("supervised", |w: &mut World| {
        let j = Journal::new();
        let jj = j.clone();
        let child = ChildSpec::new::<N>("db", move || NodeArgs::new("db", &jj)).named("db");
        let spec = SupervisorSpec::<SimSpawner>::new(Strategy::OneForAll)
            .child(child)
            .intensity(1, Duration::from_secs(5));
        w.spawn::<Supervisor<SimSpawner>>("sup", spec);
        let crash = vec![Do::Cast(To::Name("db"), Cmd::Stop(boom()))];
        script(w, &j, "crasher", crash);
        let caller = vec![
            Do::Resolve("db"),
            Do::Call(To::Saved(0)),
            Do::Call(To::Name("db")),
        ];
        script(w, &j, "caller", caller);
    });
    agree("supervised", &sys);
}

#[test]
fn reductions_agree_on_the_restart_registry_race() {
    let system = find_system("restart-registry-race").unwrap();
    let dpor = search(system, Reduction::Dpor);
    let hashing = search(system, Reduction::StateHashing);
    assert!(dpor.found.is_some() && !dpor.budget_ran_out && !dpor.depth_limited);
    assert_eq!(
        (dpor.end_states, dpor.distinct_failures),
        (hashing.end_states, hashing.distinct_failures)
    );
    eprintln!(
        "restart-registry-race: DPOR {} runs / {} states, hashing {} runs / {} states, {} end states, {} failures",
        dpor.schedules,
        dpor.states,
        hashing.schedules,
        hashing.states,
        dpor.end_states,
        dpor.distinct_failures
    );
}
