//! Child starts (rules 5, 6), `init`'s effects before the start returns, and `Ctx::now`
//! (rule 7).

use std::time::Duration;

use genserver::{CallError, ExitReason, ProcessId, Runtime, StartError, StartOptions};

use crate::agent::{
    Agent, AgentArgs, Call, Cast, Cmd, await_dead, await_entry, events, order, plain, spawn,
};
use crate::probe::{LONG, Log, entries, new_log};

fn child(tag: &str, log: &Log, name: Option<&str>, link: bool) -> Cmd {
    Cmd::Start {
        child: Box::new(AgentArgs::new(tag, log)),
        name: name.map(str::to_owned),
        link,
    }
}

/// The process id in the log line `"{tag}: started <N>"`.
fn started_id(log: &Log, tag: &str) -> ProcessId {
    let prefix = format!("{tag}: started <");
    let line = entries(log)
        .into_iter()
        .find(|entry| entry.starts_with(&prefix))
        .expect("a start outcome was logged");
    ProcessId(line[prefix.len()..line.len() - 1].parse().unwrap())
}

#[test]
fn a_child_starts_named_and_linked_and_the_outcome_comes_before_anything_else() {
    let rt = Runtime::new();
    let log = new_log();
    let parent = spawn(&rt, AgentArgs::new("p", &log).trapping());
    // The call's reply is sent after its effects: the outcome is handled by then.
    order(&parent, vec![child("kid", &log, Some("kid"), true)]);
    let kid = started_id(&log, "p");
    assert_eq!(rt.whereis::<Agent>("kid").unwrap().id(), kid);
    rt.whereis::<Agent>("kid")
        .unwrap()
        .cast(Cast::Do(vec![Cmd::Stop(ExitReason::error("kid crashed"))]));
    await_entry(&log, &format!("p: exit {kid:?} error: kid crashed"));
    assert_eq!(
        events(&log),
        [
            format!("p: started {kid:?}"),
            "kid: terminate error: kid crashed".to_owned(),
            format!("p: exit {kid:?} error: kid crashed"),
        ]
    );
}

#[test]
fn a_linked_child_goes_down_with_its_starter() {
    let rt = Runtime::new();
    let log = new_log();
    let parent = plain(&rt, "p", &log);
    order(&parent, vec![child("kid", &log, None, true)]);
    let kid = started_id(&log, "p");
    parent.stop(ExitReason::error("parent crashed")).unwrap();
    await_dead(&rt, kid);
    await_entry(&log, "kid: terminate error: parent crashed");
}

#[test]
fn a_failed_start_gives_on_started_err_and_no_link_or_signal() {
    let rt = Runtime::new();
    let log = new_log();
    let parent = spawn(&rt, AgentArgs::new("p", &log).trapping());
    let mut failing = AgentArgs::new("kid", &log);
    failing.fail_init = Some(ExitReason::error("no config"));
    order(
        &parent,
        vec![Cmd::Start {
            child: Box::new(failing),
            name: Some("kid".into()),
            link: true,
        }],
    );
    order(&parent, vec![child("kid", &log, Some("kid"), true)]);
    order(&parent, vec![child("kid2", &log, Some("kid"), true)]);
    parent.call_timeout(Call::Echo(0), LONG).unwrap();
    let kid = started_id(&log, "p");
    assert_eq!(
        events(&log),
        [
            "p: start failed: init failed: error: no config".to_owned(),
            format!("p: started {kid:?}"),
            "p: start failed: the name \"kid\" is already registered".to_owned(),
        ]
    );
}

#[test]
fn a_message_for_a_dead_instance_never_reaches_the_new_one_under_its_name() {
    let rt = Runtime::new();
    let log = new_log();
    let old = rt
        .start_named::<Agent>("svc", AgentArgs::new("old", &log))
        .unwrap();
    let caller = plain(&rt, "c", &log);
    old.stop(ExitReason::error("crash")).unwrap();
    let new = rt
        .start_named::<Agent>("svc", AgentArgs::new("new", &log))
        .unwrap();
    assert_ne!(old.id(), new.id());
    assert_eq!(
        old.call_timeout(Call::Echo(1), LONG),
        Err(CallError::NoProcess)
    );
    old.cast(Cast::Note("for the old one".into()));
    // From a server, by the dead instance's id.
    order(
        &caller,
        vec![
            Cmd::Tell(old.id(), "for the old one".into()),
            Cmd::CallEcho(old.id(), 1),
        ],
    );
    assert_eq!(new.call_timeout(Call::Echo(2), LONG), Ok(2));
    assert_eq!(
        events(&log),
        ["old: terminate error: crash", "c: outcome Err(NoProcess)"]
    );
}

#[test]
fn start_returns_after_inits_effects_children_included() {
    let rt = Runtime::new();
    let log = new_log();
    let mut args = AgentArgs::new("p", &log);
    args.init = vec![child("kid", &log, Some("kid"), true)];
    let parent = spawn(&rt, args);
    assert!(rt.whereis::<Agent>("kid").is_some());
    assert_eq!(
        events(&log),
        [format!("p: started {:?}", started_id(&log, "p"))]
    );
    assert!(parent.is_alive());
}

#[test]
fn a_server_stopping_while_inits_effects_are_carried_out_fails_to_start() {
    let rt = Runtime::new();
    let log = new_log();
    let mut args = AgentArgs::new("p", &log);
    args.init = vec![Cmd::Stop(ExitReason::error("changed my mind"))];
    assert_eq!(
        rt.start_with::<Agent>(args, StartOptions::default())
            .unwrap_err(),
        StartError::Init(ExitReason::error("changed my mind"))
    );
    // Started through a parent with a link: the parent gets the error, no exit signal.
    let parent = spawn(&rt, AgentArgs::new("parent", &log).trapping());
    let mut failing = AgentArgs::new("kid", &log);
    failing.init = vec![Cmd::Stop(ExitReason::error("changed my mind"))];
    order(
        &parent,
        vec![Cmd::Start {
            child: Box::new(failing),
            name: None,
            link: true,
        }],
    );
    parent.call_timeout(Call::Echo(0), LONG).unwrap();
    assert_eq!(
        events(&log),
        [
            "p: terminate error: changed my mind",
            "kid: terminate error: changed my mind",
            "parent: start failed: init failed: error: changed my mind",
        ]
    );
}

#[test]
fn ctx_now_is_the_time_since_the_runtime_was_created_and_advances() {
    let rt = Runtime::new();
    let agent = plain(&rt, "a", &new_log());
    let first = agent.call_timeout(Call::Now, LONG).unwrap();
    std::thread::sleep(Duration::from_millis(20));
    let second = agent.call_timeout(Call::Now, LONG).unwrap();
    assert!(second >= first + 20_000, "{first} then {second}");
    assert!(Duration::from_micros(second) <= rt.now());
}

#[test]
fn trapping_asked_for_in_init_holds_from_registration_on() {
    let rt = Runtime::new();
    let log = new_log();
    let dead = plain(&rt, "dead", &log);
    dead.stop(ExitReason::Normal).unwrap();
    // Linked at registration to a dead process: the exit signal comes before `init`'s
    // effects are carried out, and is trapped all the same.
    let options = StartOptions {
        name: None,
        link_to: Some(dead.id()),
    };
    let child = rt
        .start_with::<Agent>(AgentArgs::new("kid", &log).trapping(), options)
        .unwrap();
    await_entry(&log, &format!("kid: exit {:?} no such process", dead.id()));
    assert_eq!(child.call_timeout(Call::Echo(1), LONG), Ok(1));
}

#[test]
fn a_recipe_built_for_another_engine_is_refused() {
    let rt = Runtime::new();
    let log = new_log();
    let parent = plain(&rt, "p", &log);
    order(&parent, vec![Cmd::StartForeign]);
    assert_eq!(
        events(&log),
        [format!(
            "p: start failed: this start recipe was built for another engine: {}",
            std::any::type_name::<crate::agent::OtherEngine>()
        )]
    );
}

#[test]
fn a_panicking_start_recipe_fails_the_start_not_the_starter() {
    use genserver::runtime::Spawner;
    use genserver::supervisor::{ChildSpec, Strategy, Supervisor, SupervisorSpec};
    // As in the simulator: the supervisor sees a failed child start (and, at its own start,
    // refuses to start with its own reason), instead of crashing while applying effects.
    let rt = Runtime::new();
    let spec = SupervisorSpec::<Spawner>::new(Strategy::OneForOne).child(ChildSpec::new::<
        crate::stack::Stack,
    >(
        "a",
        || -> Vec<i64> { panic!("bad args") },
    ));
    let refused = rt
        .start::<Supervisor<Spawner>>(spec)
        .map(|_| ())
        .unwrap_err();
    let reason = "child \"a\" failed to start: init failed: panic: start: bad args";
    assert_eq!(refused, StartError::Init(ExitReason::error(reason)));
}

#[test]
fn a_child_killed_during_its_start_fails_the_start_without_a_signal_to_its_starter() {
    // The starter does not trap exits: an exit signal `killed` would take it down. It must
    // learn from the failed start alone, as when the child stops in its `init` effects.
    let rt = Runtime::new();
    let log = new_log();
    let holder = plain(&rt, "holder", &log);
    let parent = plain(&rt, "p", &log);
    let mut kid = AgentArgs::new("kid", &log);
    kid.init = vec![Cmd::CallHold(holder.id())];
    parent.cast(Cast::Do(vec![Cmd::Start {
        child: Box::new(kid),
        name: Some("kid".into()),
        link: true,
    }]));
    let mut kid_id = None;
    crate::agent::wait_until(
        || {
            kid_id = rt.whereis::<Agent>("kid").map(|kid| kid.id());
            kid_id.is_some()
        },
        || "the kid never registered".into(),
    );
    rt.kill(kid_id.unwrap());
    assert_eq!(parent.call_timeout(Call::Echo(1), LONG), Ok(1));
    await_entry(&log, "p: start failed: init failed: killed");
    assert!(parent.is_alive());
}
