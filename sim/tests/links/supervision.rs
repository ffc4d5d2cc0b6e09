//! The core's supervisor on the simulator: strategies, restart types, intensity in virtual
//! time, start and stop order, shutdown timeouts; every run replayed byte for byte.

use std::time::Duration;

use genserver::ExitReason;
use genserver::supervisor::{ChildSpec, Restart, Shutdown, Strategy, Supervisor, SupervisorSpec};
use genserver_sim::{DfsOptions, Exploration, SimSpawner, System, Verdict, World};
use genserver_traces::EventKind;

use genserver_checks::node::{Cmd, Journal, NodeArgs};

use crate::{Do, N, Sys, To, checked, find, has, script, text};

type Sup = Supervisor<SimSpawner>;

fn boom() -> ExitReason {
    ExitReason::error("boom")
}

/// A named node child of a supervisor.
fn child(j: &Journal, label: &'static str, init: Vec<Cmd>) -> ChildSpec<SimSpawner> {
    let j = j.clone();
    ChildSpec::new::<N>(label, move || NodeArgs::new(label, &j).init(init.clone())).named(label)
}

/// What the client's lookups gave, in order.
fn lookups(lines: &[String]) -> Vec<String> {
    (lines.iter())
        .filter_map(|l| l.strip_prefix("client: "))
        .filter(|l| l.contains(" is "))
        .map(str::to_owned)
        .collect()
}

fn lines_of<'a>(lines: &'a [String], prefix: &str) -> Vec<&'a str> {
    (lines.iter())
        .filter(|l| l.contains(prefix))
        .map(String::as_str)
        .collect()
}

/// The `init` lines, each with its instance's id: the journal names processes by label, its
/// directory (by id, so in start order) tells the instances apart.
fn inits(j: &Journal, lines: &[String]) -> Vec<String> {
    let mut directory = j.directory().into_iter();
    (lines.iter())
        .filter_map(|l| l.strip_suffix(": init"))
        .map(|label| {
            let (id, _) = (directory.find(|(_, l)| l == label))
                .unwrap_or_else(|| panic!("no instance of {label} left in {:?}", j.directory()));
            format!("{label}: init {id:?}")
        })
        .collect()
}

/// Three named children a, b, c under `strategy`; the client crashes b, waits, looks all up.
fn crash_b(strategy: Strategy) -> (impl Fn(&mut World) + Sync, Journal) {
    let j = Journal::new();
    let jj = j.clone();
    let build = move |w: &mut World| {
        let spec = SupervisorSpec::<SimSpawner>::new(strategy)
            .child(child(&jj, "a", vec![]))
            .child(child(&jj, "b", vec![]))
            .child(child(&jj, "c", vec![]));
        w.spawn::<Sup>("sup", spec);
        let mut steps = vec![
            Do::Resolve("a"),
            Do::Resolve("b"),
            Do::Resolve("c"),
            Do::Cast(To::Name("b"), Cmd::Stop(boom())),
            Do::Sleep(Duration::from_secs(1)),
        ];
        steps.extend(["a", "b", "c"].map(Do::Resolve));
        script(w, &jj, "client", steps);
    };
    (build, j)
}

#[test]
fn one_for_one_restarts_only_the_child_that_exited_as_a_new_process() {
    let (build, j) = crash_b(Strategy::OneForOne);
    let sys = Sys("one-for-one", build);
    let (report, lines) = checked(&sys, &j, 0);
    assert_eq!(report.verdict, Verdict::Pass, "{}", text(&report));
    assert_eq!(
        lookups(&lines),
        [
            "a is Some(<2>)",
            "b is Some(<3>)",
            "c is Some(<4>)",
            "a is Some(<2>)",
            "b is Some(<6>)",
            "c is Some(<4>)"
        ]
    );
    assert_eq!(lines_of(&lines, "terminate"), ["b: terminate error: boom"]);
    assert!(has(&report, EventKind::Spawn, "init (as b, linked)"));
}

#[test]
fn one_for_all_stops_the_others_in_reverse_and_restarts_all_in_order() {
    let (build, j) = crash_b(Strategy::OneForAll);
    let sys = Sys("one-for-all", build);
    for seed in 0..5 {
        let (report, lines) = checked(&sys, &j, seed);
        assert_eq!(report.verdict, Verdict::Pass, "{}", text(&report));
        assert_eq!(
            lines_of(&lines, "terminate"),
            [
                "b: terminate error: boom",
                "c: terminate shutdown",
                "a: terminate shutdown"
            ]
        );
        assert_eq!(
            inits(&j, &lines),
            [
                "a: init <2>",
                "b: init <3>",
                "c: init <4>",
                "a: init <6>",
                "b: init <7>",
                "c: init <8>"
            ]
        );
        assert_eq!(
            &lookups(&lines)[3..],
            ["a is Some(<6>)", "b is Some(<7>)", "c is Some(<8>)"]
        );
    }
}

#[test]
fn rest_for_one_restarts_the_child_and_those_started_after_it() {
    let (build, j) = crash_b(Strategy::RestForOne);
    let sys = Sys("rest-for-one", build);
    let (report, lines) = checked(&sys, &j, 1);
    assert_eq!(report.verdict, Verdict::Pass, "{}", text(&report));
    assert_eq!(
        lines_of(&lines, "terminate"),
        ["b: terminate error: boom", "c: terminate shutdown"]
    );
    assert_eq!(
        &lookups(&lines)[3..],
        ["a is Some(<2>)", "b is Some(<6>)", "c is Some(<7>)"]
    );
}

#[test]
fn restart_types_decide_which_exits_are_restarted() {
    for (reason, restarted) in [
        (ExitReason::Normal, ["p is Some", "t is None", "x is None"]),
        (boom(), ["p is Some", "t is Some", "x is None"]),
    ] {
        let j = Journal::new();
        let jj = j.clone();
        let sys = Sys("restart-types", move |w: &mut World| {
            let spec = SupervisorSpec::<SimSpawner>::new(Strategy::OneForOne)
                .child(child(&jj, "p", vec![]).restart(Restart::Permanent))
                .child(child(&jj, "t", vec![]).restart(Restart::Transient))
                .child(child(&jj, "x", vec![]).restart(Restart::Temporary));
            w.spawn::<Sup>("sup", spec);
            let mut steps: Vec<Do> = ["p", "t", "x"]
                .map(|name| Do::Cast(To::Name(name), Cmd::Stop(reason.clone())))
                .into();
            steps.push(Do::Sleep(Duration::from_secs(1)));
            steps.extend(["p", "t", "x"].map(Do::Resolve));
            script(w, &jj, "client", steps);
        });
        for seed in 0..5 {
            let (report, lines) = checked(&sys, &j, seed);
            assert_eq!(report.verdict, Verdict::Pass, "{}", text(&report));
            let lookups = lookups(&lines);
            let found: Vec<&str> = (lookups.iter())
                .map(|l| {
                    if l.contains("Some") {
                        l.split('(').next().unwrap()
                    } else {
                        l
                    }
                })
                .collect();
            assert_eq!(found, restarted, "{}", text(&report));
        }
    }
}

/// A child crashed four times, `gap` apart in virtual time.
fn crashes(gap: Duration) -> (impl Fn(&mut World) + Sync, Journal) {
    let j = Journal::new();
    let jj = j.clone();
    let build = move |w: &mut World| {
        let spec = SupervisorSpec::<SimSpawner>::new(Strategy::OneForOne)
            .child(child(&jj, "w", vec![]))
            .intensity(3, Duration::from_secs(5));
        w.spawn::<Sup>("sup", spec);
        let mut steps = Vec::new();
        for _ in 0..4 {
            steps.push(Do::Cast(To::Name("w"), Cmd::Stop(boom())));
            steps.push(Do::Sleep(gap));
        }
        steps.push(Do::Resolve("w"));
        script(w, &jj, "client", steps);
    };
    (build, j)
}

#[test]
fn more_than_three_restarts_within_five_virtual_seconds_stop_the_supervisor() {
    let (build, j) = crashes(Duration::from_secs(1));
    let sys = Sys("intensity", build);
    let (report, lines) = checked(&sys, &j, 0);
    let stops = find(&report, EventKind::Stop, "reached max restart intensity");
    assert_eq!(stops.len(), 1, "{}", text(&report));
    assert_eq!(stops[0].from.as_deref(), Some("sup"));
    // The fourth crash, at 3 s of virtual time.
    assert_eq!(stops[0].time_ns, 3_000_000_000);
    assert_eq!(lookups(&lines), ["w is None"]);
}

#[test]
fn restarts_spread_out_in_virtual_time_do_not_stop_the_supervisor() {
    let (build, j) = crashes(Duration::from_secs(2));
    let sys = Sys("intensity-spread", build);
    let (report, lines) = checked(&sys, &j, 0);
    assert!(
        !has(&report, EventKind::Stop, "intensity"),
        "{}",
        text(&report)
    );
    assert_eq!(lines_of(&lines, "w: init").len(), 5);
    assert_eq!(lookups(&lines), ["w is Some(<7>)"]);
}

#[test]
fn children_start_in_order_and_stop_in_reverse_order() {
    let j = Journal::new();
    let jj = j.clone();
    let sys = Sys("order", move |w: &mut World| {
        let spec = SupervisorSpec::<SimSpawner>::new(Strategy::OneForOne)
            .child(child(&jj, "a", vec![]))
            .child(child(&jj, "b", vec![]))
            .child(child(&jj, "c", vec![]));
        let sup = w.spawn::<Sup>("sup", spec);
        script(w, &jj, "client", vec![Do::StopSupervisor(sup.id())]);
    });
    for seed in 0..5 {
        let (report, lines) = checked(&sys, &j, seed);
        assert_eq!(report.verdict, Verdict::Pass, "{}", text(&report));
        assert_eq!(
            inits(&j, &lines),
            ["a: init <2>", "b: init <3>", "c: init <4>"]
        );
        assert_eq!(
            lines_of(&lines, "terminate"),
            [
                "c: terminate shutdown",
                "b: terminate shutdown",
                "a: terminate shutdown"
            ]
        );
        assert!(
            lines.contains(&"client: Ok(Stopped)".to_owned()),
            "{lines:?}"
        );
        let spawns: Vec<_> = find(&report, EventKind::Spawn, "init")
            .iter()
            .map(|e| e.to.as_deref().unwrap().to_owned())
            .collect();
        assert_eq!(spawns, ["a", "b", "c"]);
        let stop = find(&report, EventKind::Stop, "shutdown");
        assert_eq!(stop.last().unwrap().from.as_deref(), Some("sup"));
    }
}

#[test]
fn a_child_that_ignores_shutdown_is_killed_after_its_timeout() {
    let j = Journal::new();
    let jj = j.clone();
    let sys = Sys("shutdown-timeout", move |w: &mut World| {
        let stubborn = child(&jj, "stubborn", vec![Cmd::Trap(true)])
            .shutdown(Shutdown::Timeout(Duration::from_millis(1_500)));
        let spec = SupervisorSpec::<SimSpawner>::new(Strategy::OneForOne)
            .child(child(&jj, "polite", vec![]))
            .child(stubborn);
        let sup = w.spawn::<Sup>("sup", spec);
        script(w, &jj, "client", vec![Do::StopSupervisor(sup.id())]);
    });
    let (report, lines) = checked(&sys, &j, 0);
    assert_eq!(report.verdict, Verdict::Pass, "{}", text(&report));
    assert!(
        lines.contains(&"stubborn: exit from <1>: shutdown".to_owned()),
        "{lines:?}"
    );
    assert_eq!(
        lines_of(&lines, "terminate"),
        ["polite: terminate shutdown"]
    );
    let kill = find(&report, EventKind::Kill, "untrappable");
    assert_eq!(kill.len(), 1);
    assert_eq!(kill[0].to.as_deref(), Some("stubborn"));
    assert_eq!(kill[0].time_ns, 1_500_000_000);
    assert!(
        lines.contains(&"client: Ok(Stopped)".to_owned()),
        "{lines:?}"
    );
}

/// Lets faults crash the children named a, b and c, `budget` times at most.
fn crashable(w: &mut World, budget: u32) {
    for name in ["a", "b", "c"] {
        w.crashable_name(name);
    }
    let faults = w.faults();
    faults.budget = budget;
    faults.probability = 0.3;
}

/// Hunts 300 seeds, then searches up to `max_runs` schedules depth first; panics with the
/// trace of the first failure either finds.
fn search(sys: &dyn System, strategy: Strategy, max_runs: u64) -> Exploration {
    let hunt = genserver_sim::hunt(sys, 0, 300, genserver_sim::DEFAULT_MAX_STEPS);
    if let Some(found) = hunt.found {
        panic!("{strategy:?}: {}", text(&found));
    }
    let dfs = DfsOptions {
        max_runs,
        ..Default::default()
    };
    let report = genserver_sim::explore(sys, &dfs, &mut |_| {}).unwrap();
    if let Some(found) = report.found {
        panic!("{strategy:?} (dfs): {}", text(&found));
    }
    report
}

/// How many runs reached their end checks.
static AUDITS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn note_audit() {
    AUDITS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

#[test]
fn children_and_names_agree_after_crashes_at_any_moment() {
    for strategy in [
        Strategy::OneForOne,
        Strategy::OneForAll,
        Strategy::RestForOne,
    ] {
        let sys = Sys("crashes", move |w: &mut World| {
            let j = Journal::new();
            let spec = SupervisorSpec::<SimSpawner>::new(strategy)
                .child(child(&j, "a", vec![]))
                .child(child(&j, "b", vec![]))
                .child(child(&j, "c", vec![]))
                .intensity(100, Duration::from_secs(5));
            let sup = w.spawn::<Sup>("sup", spec);
            crashable(w, 3);
            // Once everything settled: the supervisor lives and each name is a live child.
            w.at_end("children registered", move |view| {
                view.state(sup).ok_or("the supervisor stopped")?;
                let ids: Vec<_> = ["a", "b", "c"].map(|n| view.whereis(n)).into();
                for (name, id) in ["a", "b", "c"].iter().zip(&ids) {
                    let id = id.ok_or(format!("{name} is not registered"))?;
                    view.state(genserver::ServerRef::<N>::new(id))
                        .ok_or(format!("{name} is registered to a dead {id:?}"))?;
                }
                note_audit();
                Ok(())
            });
            let pokes = ["a", "b", "c"].map(|n| Do::Cast(To::Name(n), Cmd::Mark("poke".into())));
            script(w, &j, "poker", pokes.into());
        });
        let report = search(&sys, strategy, 200_000);
        assert!(report.verified(), "{strategy:?}: {}", report.verdict());
    }
    // The audits did run to their end (not cut by the step limit).
    assert!(AUDITS.load(std::sync::atomic::Ordering::Relaxed) > 900);
}

#[test]
fn a_stop_racing_restarts_leaves_no_child_behind() {
    for strategy in [
        Strategy::OneForOne,
        Strategy::OneForAll,
        Strategy::RestForOne,
    ] {
        let sys = Sys("stop-race", move |w: &mut World| {
            let j = Journal::new();
            let spec = SupervisorSpec::<SimSpawner>::new(strategy)
                .child(child(&j, "a", vec![]))
                .child(
                    child(&j, "b", vec![Cmd::Trap(true)])
                        .shutdown(Shutdown::Timeout(Duration::from_millis(100))),
                )
                .child(child(&j, "c", vec![]))
                .intensity(100, Duration::from_secs(5));
            let sup = w.spawn::<Sup>("sup", spec);
            crashable(w, 2);
            script(w, &j, "stopper", vec![Do::StopSupervisor(sup.id())]);
            w.at_end("all down", move |view| {
                if view.state(sup).is_some() {
                    return Err("the supervisor still runs".into());
                }
                for name in ["a", "b", "c"] {
                    if let Some(id) = view.whereis(name) {
                        return Err(format!("{name} ({id:?}) outlived its supervisor"));
                    }
                }
                Ok(())
            });
        });
        let report = search(&sys, strategy, 5_000);
        eprintln!(
            "{strategy:?}: {}, {} schedules, {} states",
            report.verdict(),
            report.schedules,
            report.states
        );
    }
}

#[test]
fn nested_supervisors_restart_a_subtree_and_a_failed_first_start_stops_the_supervisor() {
    let j = Journal::new();
    let jj = j.clone();
    let sys = Sys("nested", move |w: &mut World| {
        let inner = {
            let jj = jj.clone();
            move || {
                SupervisorSpec::<SimSpawner>::new(Strategy::OneForOne)
                    .child(child(&jj, "leaf", vec![]))
                    .intensity(1, Duration::from_secs(5))
            }
        };
        let spec = SupervisorSpec::<SimSpawner>::new(Strategy::OneForOne)
            .child(ChildSpec::new::<Sup>("inner", inner).named("inner"));
        w.spawn::<Sup>("outer", spec);
        // Two leaf crashes within 5 s: the inner supervisor gives up; the outer restarts it.
        let steps = vec![
            Do::Cast(To::Name("leaf"), Cmd::Stop(boom())),
            Do::Sleep(Duration::from_millis(100)),
            Do::Cast(To::Name("leaf"), Cmd::Stop(boom())),
            Do::Sleep(Duration::from_millis(100)),
            Do::Resolve("inner"),
            Do::Resolve("leaf"),
        ];
        script(w, &jj, "client", steps);
    });
    let (report, lines) = checked(&sys, &j, 0);
    assert_eq!(report.verdict, Verdict::Pass, "{}", text(&report));
    assert!(has(
        &report,
        EventKind::Stop,
        "reached max restart intensity"
    ));
    assert_eq!(lines_of(&lines, "leaf: init").len(), 3, "{lines:?}");
    assert_eq!(
        lookups(&lines),
        ["inner is Some(<6>)", "leaf is Some(<7>)"],
        "{}",
        text(&report)
    );

    // A child whose first start fails stops the supervisor, after the children before it.
    let j = Journal::new();
    let jj = j.clone();
    let sys = Sys("first-start-fails", move |w: &mut World| {
        let jjj = jj.clone();
        let failing = ChildSpec::new::<N>("bad", move || {
            NodeArgs::new("bad", &jjj).failing(ExitReason::error("refused"))
        });
        let spec = SupervisorSpec::<SimSpawner>::new(Strategy::OneForOne)
            .child(child(&jj, "good", vec![]))
            .child(failing)
            .child(child(&jj, "never", vec![]));
        w.spawn::<Sup>("sup", spec);
    });
    let (report, lines) = checked(&sys, &j, 0);
    assert_eq!(inits(&j, &lines), ["good: init <2>"], "{lines:?}");
    assert_eq!(
        lines_of(&lines, "init fails"),
        ["bad: init fails: error: refused"]
    );
    assert_eq!(lines_of(&lines, "terminate"), ["good: terminate shutdown"]);
    assert!(
        has(&report, EventKind::Stop, "child \"bad\" failed to start"),
        "{}",
        text(&report)
    );
}

#[test]
fn a_child_that_cannot_restart_uses_up_the_intensity_and_stops_the_supervisor() {
    let j = Journal::new();
    let jj = j.clone();
    let sys = Sys("flaky", move |w: &mut World| {
        let starts = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
        let jjj = jj.clone();
        let flaky = ChildSpec::new::<N>("flaky", move || {
            let n = starts.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let args = NodeArgs::new("flaky", &jjj);
            match n {
                0 => args,
                _ => args.failing(ExitReason::error("refused")),
            }
        })
        .named("flaky");
        let spec = SupervisorSpec::<SimSpawner>::new(Strategy::OneForOne)
            .child(child(&jj, "steady", vec![]))
            .child(flaky);
        w.spawn::<Sup>("sup", spec);
        let crash = vec![Do::Cast(To::Name("flaky"), Cmd::Stop(boom()))];
        script(w, &jj, "client", crash);
    });
    let (report, lines) = checked(&sys, &j, 0);
    assert_eq!(report.verdict, Verdict::Pass, "{}", text(&report));
    // The restart and two retries fail (three restarts in the window); the next is too many.
    let failed = find(&report, EventKind::Spawn, "failed: error: refused");
    assert_eq!(failed.len(), 3, "{}", text(&report));
    assert!(has(
        &report,
        EventKind::Stop,
        "child \"flaky\" failed to start"
    ));
    assert_eq!(
        lines_of(&lines, "terminate"),
        ["flaky: terminate error: boom", "steady: terminate shutdown"]
    );
}
