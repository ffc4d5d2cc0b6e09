//! Exhaustive search over links, monitors, exit signals and child starts: the reduction's
//! classification of the new deliveries is checked against the unreduced search (same
//! distinct end states, same distinct failures), and the zoo's restart race is found.

use std::time::Duration;

use genserver::ExitReason;
use genserver::supervisor::{ChildSpec, Strategy, Supervisor, SupervisorSpec};
use genserver_sim::{
    DfsOptions, Exploration, Reduction, SimSpawner, System, World, explore, find_system,
};

use crate::Sys;
use crate::node::{Act, Do, Node, Spec, To, journal, script};

fn search(system: &dyn System, reduction: Reduction) -> Exploration {
    let options = DfsOptions {
        reduction,
        keep_going: true,
        max_depth: 60,
        max_states: 200_000,
        max_runs: 200_000,
        max_time: None,
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
        let j = journal();
        let a = w.spawn::<Node>("a", Spec::new("a", &j));
        let acts = vec![Act::Link(a.id()), Act::Monitor(a.id())];
        let b = w.spawn::<Node>("b", Spec::new("b", &j).init(acts));
        let c = w.spawn::<Node>("c", Spec::new("c", &j).init(vec![Act::Monitor(b.id())]));
        w.client(
            "stopper",
            script(&j, vec![Do::Cast(To::Id(a.id()), Act::Stop(boom()))]),
        );
        let steps = vec![
            Do::Cast(To::Id(b.id()), Act::Unlink(a.id())),
            Do::Cast(To::Id(b.id()), Act::Demonitor),
        ];
        w.client("unlinker", script(&j, steps));
        w.client(
            "other",
            script(&j, vec![Do::Cast(To::Id(c.id()), Act::Mark("x"))]),
        );
    });
    agree("unlink-race", &unlink);
    let kills = Sys("kill-race", |w: &mut World| {
        let j = journal();
        let killer = w.spawn::<Node>("killer", Spec::new("killer", &j));
        let v = w.spawn::<Node>("victim", Spec::new("victim", &j));
        let trap = vec![Act::Trap(true), Act::Link(v.id())];
        let t = w.spawn::<Node>("trapper", Spec::new("trapper", &j).init(trap));
        let kill = vec![Do::Cast(To::Id(killer.id()), Act::Kill(v.id()))];
        w.client("client-1", script(&j, kill));
        let steps = vec![
            Do::Cast(To::Id(t.id()), Act::Trap(false)),
            Do::Cast(To::Id(v.id()), Act::Link(killer.id())),
        ];
        w.client("client-2", script(&j, steps));
    });
    agree("kill-race", &kills);
    // A link racing the exit of its target: the trapping linker gets `boom` or `NoProcess`.
    let link = Sys("link-race", |w: &mut World| {
        let j = journal();
        let a = w.spawn::<Node>("a", Spec::new("a", &j).init(vec![Act::Trap(true)]));
        let b = w.spawn::<Node>("b", Spec::new("b", &j));
        let m = w.spawn::<Node>("m", Spec::new("m", &j));
        w.client(
            "linker",
            script(&j, vec![Do::Cast(To::Id(a.id()), Act::Link(b.id()))]),
        );
        let watch = vec![Do::Cast(To::Id(m.id()), Act::Monitor(b.id()))];
        w.client("watcher", script(&j, watch));
        w.client(
            "stopper",
            script(&j, vec![Do::Cast(To::Id(b.id()), Act::Stop(boom()))]),
        );
    });
    agree("link-race", &link);
}

#[test]
fn reductions_agree_on_concurrent_child_starts() {
    // Two servers start an unnamed, linked child each: which child gets which id (and so
    // which links exist) depends on the order.
    let sys = Sys("starts", |w: &mut World| {
        let j = journal();
        let start = |label| Act::Start {
            label,
            name: None,
            link: true,
            fail: false,
        };
        let p = w.spawn::<Node>("p", Spec::new("p", &j));
        let q = w.spawn::<Node>("q", Spec::new("q", &j));
        w.client(
            "c1",
            script(&j, vec![Do::Cast(To::Id(p.id()), start("kid-p"))]),
        );
        w.client(
            "c2",
            script(&j, vec![Do::Cast(To::Id(q.id()), start("kid-q"))]),
        );
    });
    agree("starts", &sys);
}

#[test]
fn reductions_agree_on_a_supervised_restart_racing_lookups() {
    let sys = Sys("supervised", |w: &mut World| {
        let j = journal();
        let jj = j.clone();
        let child = ChildSpec::new::<Node>("db", move || Spec::new("db", &jj)).named("db");
        let spec = SupervisorSpec::<SimSpawner>::new(Strategy::OneForAll)
            .child(child)
            .intensity(1, Duration::from_secs(5));
        w.spawn::<Supervisor<SimSpawner>>("sup", spec);
        let crash = vec![Do::Cast(To::Name("db"), Act::Stop(boom()))];
        w.client("crasher", script(&j, crash));
        let caller = vec![
            Do::Resolve("db"),
            Do::Call(To::Saved(0)),
            Do::Call(To::Name("db")),
        ];
        w.client("caller", script(&j, caller));
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
