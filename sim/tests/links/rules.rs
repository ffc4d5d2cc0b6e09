//! One test per rule of the design, in the simulator.

use std::time::Duration;

use genserver::supervisor::{ChildSpec, Strategy, Supervisor, SupervisorSpec};
use genserver::{ExitReason, ProcessId};
use genserver_sim::{SimSpawner, Verdict, World};
use genserver_traces::EventKind;

use genserver_checks::node::{Child, Cmd, Journal, NodeArgs};

use crate::{Do, N, Sys, To, checked, find, has, script, text};

fn boom() -> ExitReason {
    ExitReason::error("boom")
}

fn index(lines: &[String], text: &str) -> Option<usize> {
    lines.iter().position(|l| l.contains(text))
}

#[test]
fn rule1_a_monitor_delivers_down_with_the_exit_reason_as_a_traced_message() {
    let j = Journal::new();
    let jj = j.clone();
    let sys = Sys("monitor", move |w: &mut World| {
        let a = w.spawn::<N>("a", NodeArgs::new("a", &jj));
        w.spawn::<N>(
            "b",
            NodeArgs::new("b", &jj).init(vec![Cmd::Monitor(a.into())]),
        );
        let stop = Do::Cast(a.into(), Cmd::Stop(boom()));
        script(w, &jj, "client", vec![stop]);
    });
    for seed in 0..10 {
        let (report, lines) = checked(&sys, &j, seed);
        assert_eq!(report.verdict, Verdict::Pass, "{}", text(&report));
        assert!(
            lines.contains(&"b: down m1 from a: error: boom".to_owned()),
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
    let j = Journal::new();
    let jj = j.clone();
    let sys = Sys("monitor-dead", move |w: &mut World| {
        let a = w.spawn::<N>(
            "a",
            NodeArgs::new("a", &jj).init(vec![Cmd::Stop(ExitReason::Normal)]),
        );
        let acts = vec![Cmd::Monitor(a.into()), Cmd::Monitor(ProcessId(77).into())];
        w.spawn::<N>("b", NodeArgs::new("b", &jj).init(acts));
    });
    let (report, lines) = checked(&sys, &j, 0);
    assert_eq!(report.verdict, Verdict::Pass, "{}", text(&report));
    assert!(
        lines.contains(&"b: down m1 from a: no such process".to_owned()),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"b: down m2 from <77>: no such process".to_owned()),
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
    let j = Journal::new();
    let jj = j.clone();
    let sys = Sys("demonitor", move |w: &mut World| {
        let a = w.spawn::<N>("a", NodeArgs::new("a", &jj));
        let b = w.spawn::<N>(
            "b",
            NodeArgs::new("b", &jj).init(vec![Cmd::Monitor(a.into())]),
        );
        let steps = vec![
            Do::Cast(a.into(), Cmd::Stop(boom())),
            Do::Cast(b.into(), Cmd::Demonitor),
        ];
        script(w, &jj, "client", steps);
    });
    let (mut dropped, mut removed, mut before) = (0, 0, 0);
    for seed in 0..40 {
        let (report, lines) = checked(&sys, &j, seed);
        assert_eq!(report.verdict, Verdict::Pass);
        let demonitor = index(&lines, "b: cast Do([Demonitor])").expect("b demonitors");
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
    let j = Journal::new();
    let jj = j.clone();
    let sys = Sys("link", move |w: &mut World| {
        let a = w.spawn::<N>("a", NodeArgs::new("a", &jj));
        w.spawn::<N>("b", NodeArgs::new("b", &jj).init(vec![Cmd::Link(a.into())]));
        script(
            w,
            &jj,
            "client",
            vec![Do::Cast(a.into(), Cmd::Stop(boom()))],
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
    let j = Journal::new();
    let jj = j.clone();
    let sys = Sys("normal", move |w: &mut World| {
        let a = w.spawn::<N>("a", NodeArgs::new("a", &jj));
        let c = w.spawn::<N>("c", NodeArgs::new("c", &jj));
        w.spawn::<N>("b", NodeArgs::new("b", &jj).init(vec![Cmd::Link(a.into())]));
        w.spawn::<N>("d", NodeArgs::new("d", &jj).init(vec![Cmd::Link(c.into())]));
        let steps = vec![
            Do::Cast(a.into(), Cmd::Stop(ExitReason::Normal)),
            Do::Cast(c.into(), Cmd::Stop(ExitReason::Shutdown)),
        ];
        script(w, &jj, "client", steps);
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
    let j = Journal::new();
    let jj = j.clone();
    let sys = Sys("trap", move |w: &mut World| {
        let a = w.spawn::<N>("a", NodeArgs::new("a", &jj));
        let acts = vec![Cmd::Trap(true), Cmd::Link(a.into())];
        w.spawn::<N>("b", NodeArgs::new("b", &jj).init(acts));
        script(
            w,
            &jj,
            "client",
            vec![Do::Cast(a.into(), Cmd::Stop(boom()))],
        );
    });
    let (report, lines) = checked(&sys, &j, 0);
    assert!(
        lines.contains(&"b: exit from a: error: boom".to_owned()),
        "{lines:?}"
    );
    assert!(!lines.iter().any(|l| l.starts_with("b: terminate")));
    assert!(has(&report, EventKind::Trap, "trap exits on"));
}

#[test]
fn rule2_a_kill_is_untrappable_and_skips_terminate() {
    let j = Journal::new();
    let jj = j.clone();
    let sys = Sys("kill", move |w: &mut World| {
        let killer = w.spawn::<N>("killer", NodeArgs::new("killer", &jj));
        let b = w.spawn::<N>("b", NodeArgs::new("b", &jj).init(vec![Cmd::Trap(true)]));
        let kill = Do::Cast(killer.into(), Cmd::Kill(b.into()));
        script(w, &jj, "client", vec![kill]);
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
    let j = Journal::new();
    let jj = j.clone();
    let sys = Sys("linked-to-killed", move |w: &mut World| {
        let killer = w.spawn::<N>("killer", NodeArgs::new("killer", &jj));
        let v = w.spawn::<N>("victim", NodeArgs::new("victim", &jj));
        let trap = vec![Cmd::Trap(true), Cmd::Link(v.into())];
        w.spawn::<N>("trapper", NodeArgs::new("trapper", &jj).init(trap));
        w.spawn::<N>(
            "plain",
            NodeArgs::new("plain", &jj).init(vec![Cmd::Link(v.into())]),
        );
        let kill = Do::Cast(killer.into(), Cmd::Kill(v.into()));
        script(w, &jj, "client", vec![kill]);
    });
    for seed in 0..5 {
        let (report, lines) = checked(&sys, &j, seed);
        assert!(
            lines.contains(&"trapper: exit from victim: killed".to_owned()),
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
    let j = Journal::new();
    let jj = j.clone();
    let sys = Sys("unlink", move |w: &mut World| {
        let a = w.spawn::<N>("a", NodeArgs::new("a", &jj));
        let b = w.spawn::<N>("b", NodeArgs::new("b", &jj).init(vec![Cmd::Link(a.into())]));
        let c = w.spawn::<N>("c", NodeArgs::new("c", &jj));
        let d = w.spawn::<N>("d", NodeArgs::new("d", &jj).init(vec![Cmd::Link(c.into())]));
        let steps = vec![
            // b unlinks a (the linker unlinks); c unlinks d (the other side unlinks).
            Do::Cast(b.into(), Cmd::Unlink(a.into())),
            Do::Cast(c.into(), Cmd::Unlink(d.into())),
            Do::Sleep(Duration::from_secs(1)),
            Do::Cast(a.into(), Cmd::Stop(boom())),
            Do::Cast(d.into(), Cmd::Stop(boom())),
        ];
        script(w, &jj, "client", steps);
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
    let j = Journal::new();
    let jj = j.clone();
    let sys = Sys("unlink-in-flight", move |w: &mut World| {
        let a = w.spawn::<N>("a", NodeArgs::new("a", &jj));
        let b = w.spawn::<N>("b", NodeArgs::new("b", &jj).init(vec![Cmd::Link(a.into())]));
        let steps = vec![
            Do::Cast(a.into(), Cmd::Stop(boom())),
            Do::Cast(b.into(), Cmd::Unlink(a.into())),
        ];
        script(w, &jj, "client", steps);
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
    let j = Journal::new();
    let jj = j.clone();
    let sys = Sys("link-dead", move |w: &mut World| {
        let a = w.spawn::<N>(
            "a",
            NodeArgs::new("a", &jj).init(vec![Cmd::Stop(ExitReason::Normal)]),
        );
        w.spawn::<N>("b", NodeArgs::new("b", &jj).init(vec![Cmd::Link(a.into())]));
        let trap = vec![Cmd::Trap(true), Cmd::Link(a.into())];
        w.spawn::<N>("c", NodeArgs::new("c", &jj).init(trap));
    });
    let (report, lines) = checked(&sys, &j, 0);
    assert!(
        lines.contains(&"b: terminate no such process".to_owned()),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"c: exit from a: no such process".to_owned()),
        "{lines:?}"
    );
    assert_eq!(find(&report, EventKind::Link, "(no such process)").len(), 2);
}

#[test]
fn rule2_a_server_blocked_in_its_own_call_is_still_taken_down() {
    let normal_then_kill = vec![
        Cmd::Exit("caller".into(), ExitReason::Normal),
        Cmd::Kill("caller".into()),
    ];
    let go_away = vec![Cmd::Exit("caller".into(), ExitReason::error("go away"))];
    for (cmds, reason, terminates, ignores) in [
        (vec![Cmd::Kill("caller".into())], "killed", false, false),
        (go_away, "error: go away", true, false),
        // A normal signal is ignored even while blocked; the kill behind it then arrives.
        (normal_then_kill, "killed", false, true),
    ] {
        let j = Journal::new();
        let jj = j.clone();
        let sys = Sys("blocked", move |w: &mut World| {
            // The holder never answers and, holding the call, takes the caller down.
            let holder = NodeArgs::new("holder", &jj).holding(cmds.clone());
            let holder = w.spawn::<N>("holder", holder);
            w.spawn::<N>(
                "caller",
                NodeArgs::new("caller", &jj).init(vec![Cmd::Call(holder.into(), 1)]),
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
    let j = Journal::new();
    let jj = j.clone();
    let sys = Sys("child", move |w: &mut World| {
        let p = w.spawn::<N>("parent", NodeArgs::new("parent", &jj));
        let start = Cmd::Start(Child::new("kid").named("kid").linked());
        script(w, &jj, "starter", vec![Do::Cast(p.into(), start)]);
        let other = vec![Do::Cast(p.into(), Cmd::Mark("other".into()))];
        script(w, &jj, "other", other);
        let kill = vec![
            Do::Sleep(Duration::from_secs(1)),
            Do::Resolve("kid"),
            Do::Cast(To::Name("kid"), Cmd::Stop(boom())),
        ];
        script(w, &jj, "breaker", kill);
    });
    for seed in 0..20 {
        let (report, lines) = checked(&sys, &j, seed);
        let init = index(&lines, "kid: init").expect("the kid started");
        assert_eq!(lines[init + 1], "parent: started kid", "{lines:?}");
        assert_eq!(j.id("kid"), Some(ProcessId(5)));
        assert!(
            lines.contains(&"breaker: kid is Some(<5>)".to_owned()),
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
    let j = Journal::new();
    let jj = j.clone();
    let sys = Sys("child-fails", move |w: &mut World| {
        let kid = || Child::new("kid").named("kid").linked();
        let refused = kid().failing(ExitReason::error("refused"));
        let acts = vec![Cmd::Start(refused), Cmd::Start(kid()), Cmd::Start(kid())];
        w.spawn::<N>("parent", NodeArgs::new("parent", &jj).init(acts));
    });
    let (report, lines) = checked(&sys, &j, 0);
    assert_eq!(report.verdict, Verdict::Pass, "{}", text(&report));
    let started: Vec<&String> = (lines.iter())
        .filter(|l| l.starts_with("parent: start"))
        .collect();
    assert_eq!(
        started,
        [
            "parent: start of kid failed: init failed: error: refused",
            "parent: started kid",
            "parent: start of kid failed: the name \"kid\" is already registered",
        ],
        "{lines:?}"
    );
    assert_eq!(j.id("kid"), Some(ProcessId(3)));
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
    let j = Journal::new();
    let jj = j.clone();
    let sys = Sys("child-stops-in-init", move |w: &mut World| {
        let kid = Child::new("kid").linked().init(vec![Cmd::Stop(boom())]);
        let acts = vec![Cmd::Start(kid)];
        w.spawn::<N>("parent", NodeArgs::new("parent", &jj).init(acts));
    });
    let (report, lines) = checked(&sys, &j, 0);
    assert_eq!(report.verdict, Verdict::Pass, "{}", text(&report));
    let kid_terminated = index(&lines, "kid: terminate error: boom").expect("kid terminates");
    let started = index(
        &lines,
        "parent: start of kid failed: init failed: error: boom",
    )
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
    let j = Journal::new();
    let jj = j.clone();
    let sys = Sys("dead-instance", move |w: &mut World| {
        let jjj = jj.clone();
        let child = ChildSpec::new::<N>("db", move || NodeArgs::new("db", &jjj)).named("db");
        let spec = SupervisorSpec::<SimSpawner>::new(Strategy::OneForOne).child(child);
        w.spawn::<Supervisor<SimSpawner>>("sup", spec);
        let steps = vec![
            Do::Resolve("db"),
            Do::Cast(To::Saved(0), Cmd::Stop(boom())),
            Do::Sleep(Duration::from_secs(1)),
            Do::Resolve("db"),
            Do::Cast(To::Saved(0), Cmd::Mark("lost".into())),
            Do::Call(To::Saved(0)),
            Do::Call(To::Saved(1)),
        ];
        script(w, &jj, "client", steps);
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
                "client: Ok(1)",
            ],
            "{}",
            text(&report)
        );
        // The new instance answered: the old one terminated before the call reached db.
        let terminated = index(&lines, "db: terminate error: boom").expect("db crashed");
        let answered = (lines.iter().enumerate())
            .filter(|(_, l)| *l == "db: call from client: Echo(1)")
            .map(|(i, _)| i)
            .collect::<Vec<_>>();
        assert!(answered.len() == 1 && answered[0] > terminated, "{lines:?}");
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
    let j = Journal::new();
    let jj = j.clone();
    let sys = Sys("now", move |w: &mut World| {
        let a = w.spawn::<N>("a", NodeArgs::new("a", &jj).init(vec![Cmd::Now]));
        let steps = vec![
            Do::Sleep(Duration::from_millis(3_250)),
            Do::Cast(a.into(), Cmd::Now),
        ];
        script(w, &jj, "client", steps);
    });
    let (_, lines) = checked(&sys, &j, 0);
    assert_eq!(
        lines,
        ["a: init", "a: now 0ns", "a: cast Do([Now])", "a: now 3.25s"]
    );
}

#[test]
fn a_server_of_the_system_can_be_registered_and_its_name_is_freed_at_exit() {
    let j = Journal::new();
    let jj = j.clone();
    let sys = Sys("register", move |w: &mut World| {
        let a = w.spawn::<N>("a", NodeArgs::new("a", &jj));
        w.register("service", a);
        assert_eq!(w.whereis("service"), Some(a.id()));
        let steps = vec![
            Do::Resolve("service"),
            Do::Cast(To::Name("service"), Cmd::Stop(ExitReason::Normal)),
            Do::Sleep(Duration::from_millis(1)),
            Do::Resolve("service"),
        ];
        script(w, &jj, "client", steps);
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
