//! One test per rule of the design, in the simulator.

use std::time::Duration;

use genserver::supervisor::{ChildSpec, Strategy, Supervisor, SupervisorSpec};
use genserver::{ExitReason, ProcessId};
use genserver_sim::{SimSpawner, Verdict, World};
use genserver_traces::EventKind;

use crate::node::{Act, Do, Node, Spec, To, journal, script};
use crate::{Sys, checked, find, has, text};

fn boom() -> ExitReason {
    ExitReason::error("boom")
}

fn index(lines: &[String], text: &str) -> Option<usize> {
    lines.iter().position(|l| l.contains(text))
}

#[test]
fn rule1_a_monitor_delivers_down_with_the_exit_reason_as_a_traced_message() {
    let j = journal();
    let jj = j.clone();
    let sys = Sys("monitor", move |w: &mut World| {
        let a = w.spawn::<Node>("a", Spec::new("a", &jj));
        w.spawn::<Node>("b", Spec::new("b", &jj).init(vec![Act::Monitor(a.id())]));
        let stop = Do::Cast(To::Id(a.id()), Act::Stop(boom()));
        w.client("client", script(&jj, vec![stop]));
    });
    for seed in 0..10 {
        let (report, lines) = checked(&sys, &j, seed);
        assert_eq!(report.verdict, Verdict::Pass, "{}", text(&report));
        assert!(
            lines.contains(&"b: down #1 of <1>: error: boom".to_owned()),
            "{lines:?}"
        );
        assert!(has(&report, EventKind::Monitor, "monitor #1"));
        let delivered = find(&report, EventKind::Deliver, "down #1 error: boom");
        assert_eq!(delivered.len(), 1);
        assert_eq!(delivered[0].from.as_deref(), Some("a"));
        assert_eq!(delivered[0].to.as_deref(), Some("b"));
        let schedule = report.trace.as_ref().unwrap().schedule().join("\n");
        assert!(
            schedule.contains("deliver down #1 a → b: error: boom"),
            "{schedule}"
        );
    }
}

#[test]
fn rule3_monitoring_a_dead_or_unknown_process_gives_noprocess_at_once() {
    let j = journal();
    let jj = j.clone();
    let sys = Sys("monitor-dead", move |w: &mut World| {
        let a = w.spawn::<Node>(
            "a",
            Spec::new("a", &jj).init(vec![Act::Stop(ExitReason::Normal)]),
        );
        let acts = vec![Act::Monitor(a.id()), Act::Monitor(ProcessId(77))];
        w.spawn::<Node>("b", Spec::new("b", &jj).init(acts));
    });
    let (report, lines) = checked(&sys, &j, 0);
    assert_eq!(report.verdict, Verdict::Pass, "{}", text(&report));
    assert!(
        lines.contains(&"b: down #1 of <1>: no such process".to_owned()),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"b: down #2 of <77>: no such process".to_owned()),
        "{lines:?}"
    );
    assert_eq!(
        find(&report, EventKind::Monitor, "(no such process)").len(),
        2
    );
    // Queued at once, while the world was built.
    let sent = find(&report, EventKind::Send, "down #1 no such process");
    assert_eq!(sent[0].step, 0);
}

#[test]
fn rule4_demonitor_drops_a_down_already_queued() {
    let j = journal();
    let jj = j.clone();
    let sys = Sys("demonitor", move |w: &mut World| {
        let a = w.spawn::<Node>("a", Spec::new("a", &jj));
        let b = w.spawn::<Node>("b", Spec::new("b", &jj).init(vec![Act::Monitor(a.id())]));
        let steps = vec![
            Do::Cast(To::Id(a.id()), Act::Stop(boom())),
            Do::Cast(To::Id(b.id()), Act::Demonitor),
        ];
        w.client("client", script(&jj, steps));
    });
    let (mut dropped, mut removed, mut before) = (0, 0, 0);
    for seed in 0..40 {
        let (report, lines) = checked(&sys, &j, seed);
        assert_eq!(report.verdict, Verdict::Pass);
        let demonitor = index(&lines, "b: demonitor #1").expect("b demonitors");
        let down = index(&lines, "b: down");
        assert!(
            down.is_none_or(|down| down < demonitor),
            "seed {seed}: a Down was handled after demonitor\n{}",
            text(&report)
        );
        before += usize::from(down.is_some());
        dropped += find(&report, EventKind::Discard, "(demonitored)").len();
        removed += find(&report, EventKind::Demonitor, "demonitor #1").len();
    }
    assert!(dropped > 0, "no seed queued the Down before the demonitor");
    assert!(removed > 0, "no seed demonitored before the exit");
    assert!(before > 0, "no seed handled the Down before the demonitor");
}

#[test]
fn rule1_2_a_link_propagates_an_abnormal_exit_and_terminate_runs() {
    let j = journal();
    let jj = j.clone();
    let sys = Sys("link", move |w: &mut World| {
        let a = w.spawn::<Node>("a", Spec::new("a", &jj));
        w.spawn::<Node>("b", Spec::new("b", &jj).init(vec![Act::Link(a.id())]));
        w.client(
            "client",
            script(&jj, vec![Do::Cast(To::Id(a.id()), Act::Stop(boom()))]),
        );
    });
    for seed in 0..5 {
        let (report, lines) = checked(&sys, &j, seed);
        assert!(lines.contains(&"a: terminate error: boom".to_owned()));
        assert!(
            lines.contains(&"b: terminate error: boom".to_owned()),
            "{lines:?}"
        );
        assert!(has(&report, EventKind::Link, "link"));
        let signal = find(&report, EventKind::Deliver, "exit signal error: boom");
        assert_eq!(signal.len(), 1);
        assert_eq!(signal[0].to.as_deref(), Some("b"));
        let stops = find(&report, EventKind::Stop, "error: boom");
        assert_eq!(stops.len(), 2);
    }
}

#[test]
fn rule2_a_normal_exit_does_not_propagate_but_shutdown_does() {
    let j = journal();
    let jj = j.clone();
    let sys = Sys("normal", move |w: &mut World| {
        let a = w.spawn::<Node>("a", Spec::new("a", &jj));
        let c = w.spawn::<Node>("c", Spec::new("c", &jj));
        w.spawn::<Node>("b", Spec::new("b", &jj).init(vec![Act::Link(a.id())]));
        w.spawn::<Node>("d", Spec::new("d", &jj).init(vec![Act::Link(c.id())]));
        let steps = vec![
            Do::Cast(To::Id(a.id()), Act::Stop(ExitReason::Normal)),
            Do::Cast(To::Id(c.id()), Act::Stop(ExitReason::Shutdown)),
        ];
        w.client("client", script(&jj, steps));
    });
    let (report, lines) = checked(&sys, &j, 3);
    assert!(
        !lines.iter().any(|l| l.starts_with("b: terminate")),
        "{lines:?}"
    );
    assert!(has(&report, EventKind::Ignore, "exit signal normal"));
    assert!(
        lines.contains(&"d: terminate shutdown".to_owned()),
        "{lines:?}"
    );
}

#[test]
fn rule2_a_process_trapping_exits_gets_handle_exit_and_lives() {
    let j = journal();
    let jj = j.clone();
    let sys = Sys("trap", move |w: &mut World| {
        let a = w.spawn::<Node>("a", Spec::new("a", &jj));
        let acts = vec![Act::Trap(true), Act::Link(a.id())];
        w.spawn::<Node>("b", Spec::new("b", &jj).init(acts));
        w.client(
            "client",
            script(&jj, vec![Do::Cast(To::Id(a.id()), Act::Stop(boom()))]),
        );
    });
    let (report, lines) = checked(&sys, &j, 0);
    assert!(
        lines.contains(&"b: exit from <1>: error: boom".to_owned()),
        "{lines:?}"
    );
    assert!(!lines.iter().any(|l| l.starts_with("b: terminate")));
    assert!(has(&report, EventKind::Trap, "trap exits on"));
}

#[test]
fn rule2_a_kill_is_untrappable_and_skips_terminate() {
    let j = journal();
    let jj = j.clone();
    let sys = Sys("kill", move |w: &mut World| {
        let killer = w.spawn::<Node>("killer", Spec::new("killer", &jj));
        let b = w.spawn::<Node>("b", Spec::new("b", &jj).init(vec![Act::Trap(true)]));
        let kill = Do::Cast(To::Id(killer.id()), Act::Kill(b.id()));
        w.client("client", script(&jj, vec![kill]));
    });
    let (report, lines) = checked(&sys, &j, 0);
    assert!(
        !lines.iter().any(|l| l.starts_with("b: terminate")),
        "{lines:?}"
    );
    assert!(!lines.iter().any(|l| l.starts_with("b: exit")), "{lines:?}");
    let kills = find(&report, EventKind::Kill, "untrappable");
    assert_eq!(kills.len(), 1);
    assert_eq!(kills[0].to.as_deref(), Some("b"));
    assert!(has(&report, EventKind::Deliver, "kill"));
    let stop = find(&report, EventKind::Stop, "killed");
    assert_eq!(stop[0].from.as_deref(), Some("b"));
}

#[test]
fn rule2_processes_linked_to_a_killed_one_get_killed_as_a_trappable_reason() {
    let j = journal();
    let jj = j.clone();
    let sys = Sys("linked-to-killed", move |w: &mut World| {
        let killer = w.spawn::<Node>("killer", Spec::new("killer", &jj));
        let v = w.spawn::<Node>("victim", Spec::new("victim", &jj));
        let trap = vec![Act::Trap(true), Act::Link(v.id())];
        w.spawn::<Node>("trapper", Spec::new("trapper", &jj).init(trap));
        w.spawn::<Node>(
            "plain",
            Spec::new("plain", &jj).init(vec![Act::Link(v.id())]),
        );
        let kill = Do::Cast(To::Id(killer.id()), Act::Kill(v.id()));
        w.client("client", script(&jj, vec![kill]));
    });
    for seed in 0..5 {
        let (report, lines) = checked(&sys, &j, seed);
        assert!(
            lines.contains(&"trapper: exit from <2>: killed".to_owned()),
            "{lines:?}"
        );
        assert!(
            lines.contains(&"plain: terminate killed".to_owned()),
            "{lines:?}"
        );
        assert!(!lines.iter().any(|l| l.starts_with("victim: terminate")));
        assert_eq!(
            find(&report, EventKind::Deliver, "exit signal killed").len(),
            2
        );
    }
}

#[test]
fn rule4_unlink_removes_the_link_both_ways() {
    let j = journal();
    let jj = j.clone();
    let sys = Sys("unlink", move |w: &mut World| {
        let a = w.spawn::<Node>("a", Spec::new("a", &jj));
        let b = w.spawn::<Node>("b", Spec::new("b", &jj).init(vec![Act::Link(a.id())]));
        let c = w.spawn::<Node>("c", Spec::new("c", &jj));
        let d = w.spawn::<Node>("d", Spec::new("d", &jj).init(vec![Act::Link(c.id())]));
        let steps = vec![
            // b unlinks a (the linker unlinks); c unlinks d (the other side unlinks).
            Do::Cast(To::Id(b.id()), Act::Unlink(a.id())),
            Do::Cast(To::Id(c.id()), Act::Unlink(d.id())),
            Do::Sleep(Duration::from_secs(1)),
            Do::Cast(To::Id(a.id()), Act::Stop(boom())),
            Do::Cast(To::Id(d.id()), Act::Stop(boom())),
        ];
        w.client("client", script(&jj, steps));
    });
    let (report, lines) = checked(&sys, &j, 0);
    assert!(
        !lines.iter().any(|l| l.starts_with("b: terminate")),
        "{lines:?}"
    );
    assert!(
        !lines.iter().any(|l| l.starts_with("c: terminate")),
        "{lines:?}"
    );
    assert_eq!(find(&report, EventKind::Unlink, "unlink").len(), 2);
    assert!(!has(&report, EventKind::Deliver, "exit signal"));
}

#[test]
fn rule4_an_exit_signal_in_flight_no_longer_affects_the_unlinker() {
    let j = journal();
    let jj = j.clone();
    let sys = Sys("unlink-in-flight", move |w: &mut World| {
        let a = w.spawn::<Node>("a", Spec::new("a", &jj));
        let b = w.spawn::<Node>("b", Spec::new("b", &jj).init(vec![Act::Link(a.id())]));
        let steps = vec![
            Do::Cast(To::Id(a.id()), Act::Stop(boom())),
            Do::Cast(To::Id(b.id()), Act::Unlink(a.id())),
        ];
        w.client("client", script(&jj, steps));
    });
    let mut voided = 0;
    for seed in 0..40 {
        let (report, lines) = checked(&sys, &j, seed);
        let unlinked = has(&report, EventKind::Unlink, "unlink");
        let died = lines.iter().any(|l| l.starts_with("b: terminate"));
        // Either the signal came first (b died, the unlink never ran), or b unlinked and lives.
        assert!(unlinked != died, "seed {seed}:\n{}", text(&report));
        voided += find(
            &report,
            EventKind::Discard,
            "exit signal error: boom (unlinked)",
        )
        .len();
    }
    assert!(voided > 0, "no seed unlinked with the signal in flight");
}

#[test]
fn rule3_linking_to_a_dead_process_sends_the_linker_noprocess() {
    let j = journal();
    let jj = j.clone();
    let sys = Sys("link-dead", move |w: &mut World| {
        let a = w.spawn::<Node>(
            "a",
            Spec::new("a", &jj).init(vec![Act::Stop(ExitReason::Normal)]),
        );
        w.spawn::<Node>("b", Spec::new("b", &jj).init(vec![Act::Link(a.id())]));
        let trap = vec![Act::Trap(true), Act::Link(a.id())];
        w.spawn::<Node>("c", Spec::new("c", &jj).init(trap));
    });
    let (report, lines) = checked(&sys, &j, 0);
    assert!(
        lines.contains(&"b: terminate no such process".to_owned()),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"c: exit from <1>: no such process".to_owned()),
        "{lines:?}"
    );
    assert_eq!(find(&report, EventKind::Link, "(no such process)").len(), 2);
}

#[test]
fn rule2_a_server_blocked_in_its_own_call_is_still_taken_down() {
    let normal_then_kill = Act::Many(vec![
        Act::Exit(ProcessId(2), ExitReason::Normal),
        Act::Kill(ProcessId(2)),
    ]);
    let go_away = Act::Exit(ProcessId(2), ExitReason::error("go away"));
    for (act, reason, terminates, ignores) in [
        (Act::Kill(ProcessId(2)), "killed", false, false),
        (go_away, "error: go away", true, false),
        // A normal signal is ignored even while blocked; the kill behind it then arrives.
        (normal_then_kill, "killed", false, true),
    ] {
        let j = journal();
        let jj = j.clone();
        let sys = Sys("blocked", move |w: &mut World| {
            // The holder never answers and, holding the call, takes the caller down.
            let holder = Spec::new("holder", &jj).hold(Some(act.clone()));
            let holder = w.spawn::<Node>("holder", holder);
            w.spawn::<Node>(
                "caller",
                Spec::new("caller", &jj).init(vec![Act::Call(holder.id())]),
            );
        });
        let (report, lines) = checked(&sys, &j, 0);
        assert_eq!(report.verdict, Verdict::Pass, "{}", text(&report));
        let stop = find(&report, EventKind::Stop, reason);
        assert_eq!(stop.len(), 1, "{}", text(&report));
        assert_eq!(stop[0].from.as_deref(), Some("caller"));
        assert!(!lines.iter().any(|l| l.starts_with("caller: outcome")));
        let terminated = lines.iter().any(|l| l.starts_with("caller: terminate"));
        assert_eq!(terminated, terminates, "{lines:?}");
        assert_eq!(
            has(&report, EventKind::Ignore, "exit signal normal"),
            ignores
        );
    }
}

#[test]
fn rule5_a_child_starts_named_and_linked_before_its_starter_goes_on() {
    let j = journal();
    let jj = j.clone();
    let sys = Sys("child", move |w: &mut World| {
        let p = w.spawn::<Node>("parent", Spec::new("parent", &jj));
        let start = Act::Start {
            label: "kid",
            name: Some("kid"),
            link: true,
            fail: false,
        };
        w.client(
            "starter",
            script(&jj, vec![Do::Cast(To::Id(p.id()), start)]),
        );
        let other = vec![Do::Cast(To::Id(p.id()), Act::Mark("other"))];
        w.client("other", script(&jj, other));
        let kill = vec![
            Do::Sleep(Duration::from_secs(1)),
            Do::Resolve("kid"),
            Do::Cast(To::Name("kid"), Act::Stop(boom())),
        ];
        w.client("breaker", script(&jj, kill));
    });
    for seed in 0..20 {
        let (report, lines) = checked(&sys, &j, seed);
        let init = index(&lines, "kid: init <5>").expect("the kid started");
        assert_eq!(lines[init + 1], "parent: started Ok(<5>)", "{lines:?}");
        assert!(
            lines.contains(&"client: kid is Some(<5>)".to_owned()),
            "{lines:?}"
        );
        // Linked: the kid's abnormal exit takes the parent down; the name is freed.
        assert!(
            lines.contains(&"parent: terminate error: boom".to_owned()),
            "{lines:?}"
        );
        let spawn = find(&report, EventKind::Spawn, "init (as kid, linked)");
        assert_eq!(spawn[0].from.as_deref(), Some("parent"));
        assert_eq!(spawn[0].to.as_deref(), Some("kid"));
        assert!(has(&report, EventKind::Name, "registered as kid"));
        assert!(has(&report, EventKind::Name, "kid freed"));
        let processes = &report.trace.as_ref().unwrap().header.processes;
        assert_eq!(processes.last().unwrap().name, "kid");
    }
}

#[test]
fn rule5_a_failing_init_or_a_taken_name_gives_on_started_err_and_no_link() {
    let j = journal();
    let jj = j.clone();
    let sys = Sys("child-fails", move |w: &mut World| {
        let start = |fail| Act::Start {
            label: "kid",
            name: Some("kid"),
            link: true,
            fail,
        };
        let acts = vec![start(true), start(false), start(false)];
        w.spawn::<Node>("parent", Spec::new("parent", &jj).init(acts));
    });
    let (report, lines) = checked(&sys, &j, 0);
    assert_eq!(report.verdict, Verdict::Pass, "{}", text(&report));
    let started: Vec<&String> = lines.iter().filter(|l| l.contains("started")).collect();
    assert_eq!(
        started,
        [
            "parent: started Err(init failed: error: refused)",
            "parent: started Ok(<3>)",
            "parent: started Err(the name \"kid\" is already registered)",
        ],
        "{lines:?}"
    );
    assert_eq!(find(&report, EventKind::Link, "link").len(), 1);
    assert!(has(
        &report,
        EventKind::Spawn,
        "init (as kid, linked) failed: error: refused"
    ));
    assert!(!lines.iter().any(|l| l.starts_with("parent: terminate")));
    assert!(!has(&report, EventKind::Send, "exit signal"));
}

#[test]
fn rule5_a_child_that_stops_in_its_init_effects_fails_its_start_without_a_signal() {
    // As in the threaded runtime: `terminate` runs, the starter is unlinked first, and the
    // starter learns from `on_started`, not from an exit signal (which would kill it here).
    let j = journal();
    let jj = j.clone();
    let sys = Sys("child-stops-in-init", move |w: &mut World| {
        let acts = vec![Act::StartStopping("kid", boom())];
        w.spawn::<Node>("parent", Spec::new("parent", &jj).init(acts));
    });
    let (report, lines) = checked(&sys, &j, 0);
    assert_eq!(report.verdict, Verdict::Pass, "{}", text(&report));
    let kid_terminated = index(&lines, "kid: terminate error: boom").expect("kid terminates");
    let started = index(&lines, "parent: started Err(init failed: error: boom)")
        .unwrap_or_else(|| panic!("the start fails: {lines:?}"));
    assert!(kid_terminated < started, "{lines:?}");
    assert!(
        !lines.iter().any(|l| l.starts_with("parent: terminate")),
        "{lines:?}"
    );
    assert!(!has(&report, EventKind::Send, "exit signal"));
}

#[test]
fn rule6_a_call_to_a_dead_instance_fails_while_the_name_points_at_the_new_one() {
    let j = journal();
    let jj = j.clone();
    let sys = Sys("dead-instance", move |w: &mut World| {
        let jjj = jj.clone();
        let child = ChildSpec::new::<Node>("db", move || Spec::new("db", &jjj)).named("db");
        let spec = SupervisorSpec::<SimSpawner>::new(Strategy::OneForOne).child(child);
        w.spawn::<Supervisor<SimSpawner>>("sup", spec);
        let steps = vec![
            Do::Resolve("db"),
            Do::Cast(To::Saved(0), Act::Stop(boom())),
            Do::Sleep(Duration::from_secs(1)),
            Do::Resolve("db"),
            Do::Cast(To::Saved(0), Act::Mark("lost")),
            Do::Call(To::Saved(0)),
            Do::Call(To::Saved(1)),
        ];
        w.client("client", script(&jj, steps));
    });
    for seed in 0..5 {
        let (report, lines) = checked(&sys, &j, seed);
        let clients: Vec<&String> = lines.iter().filter(|l| l.starts_with("client")).collect();
        assert_eq!(
            clients,
            [
                "client: db is Some(<2>)",
                "client: db is Some(<4>)",
                "client: Err(no such process)",
                "client: Ok(hello from db)",
            ],
            "{}",
            text(&report)
        );
        assert!(!lines.iter().any(|l| l.contains("lost")));
        assert!(has(&report, EventKind::Drop, "(no such process)"));
        assert!(has(
            &report,
            EventKind::Reply,
            "failed at once: no such process"
        ));
        let names: Vec<&str> = (report.trace.as_ref().unwrap().header.processes.iter())
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(names, ["sup", "db", "client", "db<4>"]);
    }
}

#[test]
fn rule7_ctx_now_is_virtual_time() {
    let j = journal();
    let jj = j.clone();
    let sys = Sys("now", move |w: &mut World| {
        let a = w.spawn::<Node>("a", Spec::new("a", &jj).init(vec![Act::Now]));
        let steps = vec![
            Do::Sleep(Duration::from_millis(3_250)),
            Do::Cast(To::Id(a.id()), Act::Now),
        ];
        w.client("client", script(&jj, steps));
    });
    let (_, lines) = checked(&sys, &j, 0);
    assert_eq!(lines, ["a: init <1>", "a: now 0ns", "a: now 3.25s"]);
}

#[test]
fn a_server_of_the_system_can_be_registered_and_its_name_is_freed_at_exit() {
    let j = journal();
    let jj = j.clone();
    let sys = Sys("register", move |w: &mut World| {
        let a = w.spawn::<Node>("a", Spec::new("a", &jj));
        w.register("service", a);
        assert_eq!(w.whereis("service"), Some(a.id()));
        let steps = vec![
            Do::Resolve("service"),
            Do::Cast(To::Name("service"), Act::Stop(ExitReason::Normal)),
            Do::Sleep(Duration::from_millis(1)),
            Do::Resolve("service"),
        ];
        w.client("client", script(&jj, steps));
    });
    let (report, lines) = checked(&sys, &j, 0);
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("client"))
            .collect::<Vec<_>>(),
        ["client: service is Some(<1>)", "client: service is None"]
    );
    assert!(has(&report, EventKind::Name, "registered as service"));
    assert!(has(&report, EventKind::Name, "service freed"));
}
