//! Child starts (rules 5, 6), `init`'s effects before the start returns, and `Ctx::now`
//! (rule 7).

use std::time::Duration;

use genserver::{CallError, ExitReason, ProcessId, Runtime, StartError, StartOptions};
use genserver_checks::node::{Cast, Child, Cmd, Journal, LONG, NoEngine, NodeArgs, Request};

use crate::nodes::{N, await_dead, await_line, events, order, plain, spawn, wait_until};

/// The id of the process the journal labels `label`.
fn id_of(j: &Journal, label: &str) -> ProcessId {
    j.id(label).expect("the process started")
}

#[test]
fn a_child_starts_named_and_linked_and_the_outcome_comes_before_anything_else() {
    let rt = Runtime::new();
    let j = Journal::new();
    let parent = spawn(&rt, NodeArgs::new("p", &j).trapping());
    // The call's reply is sent after its effects: the outcome is handled by then.
    order(
        &parent,
        vec![Cmd::Start(Child::new("kid").named("kid").linked())],
    );
    let kid = id_of(&j, "kid");
    assert_eq!(rt.whereis::<N>("kid").unwrap().id(), kid);
    rt.whereis::<N>("kid")
        .unwrap()
        .cast(Cast::Do(vec![Cmd::Stop(ExitReason::error("kid crashed"))]));
    await_line(&j, "p: exit from kid: error: kid crashed");
    assert_eq!(
        events(&j),
        [
            "p: started kid",
            "kid: terminate error: kid crashed",
            "p: exit from kid: error: kid crashed",
        ]
    );
}

#[test]
fn a_linked_child_goes_down_with_its_starter() {
    let rt = Runtime::new();
    let j = Journal::new();
    let parent = plain(&rt, "p", &j);
    order(&parent, vec![Cmd::Start(Child::new("kid").linked())]);
    let kid = id_of(&j, "kid");
    parent.stop(ExitReason::error("parent crashed")).unwrap();
    await_dead(&rt, kid);
    await_line(&j, "kid: terminate error: parent crashed");
}

#[test]
fn a_failed_start_gives_on_started_err_and_no_link_or_signal() {
    let rt = Runtime::new();
    let j = Journal::new();
    let parent = spawn(&rt, NodeArgs::new("p", &j).trapping());
    let kid = || Child::new("kid").named("kid").linked();
    let failing = kid().failing(ExitReason::error("no config"));
    order(&parent, vec![Cmd::Start(failing)]);
    order(&parent, vec![Cmd::Start(kid())]);
    order(
        &parent,
        vec![Cmd::Start(Child::new("kid2").named("kid").linked())],
    );
    parent.call_timeout(Request::Echo(0), LONG).unwrap();
    assert_eq!(
        events(&j),
        [
            "kid: init fails: error: no config",
            "p: start of kid failed: init failed: error: no config",
            "p: started kid",
            "p: start of kid2 failed: the name \"kid\" is already registered",
        ]
    );
}

#[test]
fn a_message_for_a_dead_instance_never_reaches_the_new_one_under_its_name() {
    let rt = Runtime::new();
    let j = Journal::new();
    let old = rt
        .start_named::<N>("svc", NodeArgs::new("old", &j))
        .unwrap();
    let caller = plain(&rt, "c", &j);
    old.stop(ExitReason::error("crash")).unwrap();
    let new = rt
        .start_named::<N>("svc", NodeArgs::new("new", &j))
        .unwrap();
    assert_ne!(old.id(), new.id());
    assert_eq!(
        old.call_timeout(Request::Echo(1), LONG)
            .map_err(CallError::from),
        Err(CallError::NoProcess)
    );
    old.cast(Cast::Note("for the old one".into()));
    // From a server, by the dead instance's id.
    order(
        &caller,
        vec![
            Cmd::Note("old".into(), "for the old one".into()),
            Cmd::Call("old".into(), 1),
        ],
    );
    assert_eq!(new.call_timeout(Request::Echo(2), LONG), Ok(2));
    assert_eq!(
        events(&j),
        [
            "old: terminate error: crash",
            "c: outcome Err(no such process)"
        ]
    );
}

#[test]
fn start_returns_after_inits_effects_children_included() {
    let rt = Runtime::new();
    let j = Journal::new();
    let args =
        NodeArgs::new("p", &j).init(vec![Cmd::Start(Child::new("kid").named("kid").linked())]);
    let parent = spawn(&rt, args);
    assert_eq!(
        rt.whereis::<N>("kid").map(|kid| kid.id()),
        Some(id_of(&j, "kid"))
    );
    assert_eq!(events(&j), ["p: started kid"]);
    assert!(parent.is_alive());
}

#[test]
fn a_server_stopping_while_inits_effects_are_carried_out_fails_to_start() {
    let rt = Runtime::new();
    let j = Journal::new();
    let stop = || vec![Cmd::Stop(ExitReason::error("changed my mind"))];
    let args = NodeArgs::new("p", &j).init(stop());
    assert_eq!(
        rt.start_with::<N>(args, StartOptions::default())
            .unwrap_err(),
        StartError::Init(ExitReason::error("changed my mind"))
    );
    // Started through a parent with a link: the parent gets the error, no exit signal.
    let parent = spawn(&rt, NodeArgs::new("parent", &j).trapping());
    order(
        &parent,
        vec![Cmd::Start(Child::new("kid").linked().init(stop()))],
    );
    parent.call_timeout(Request::Echo(0), LONG).unwrap();
    assert_eq!(
        events(&j),
        [
            "p: terminate error: changed my mind",
            "kid: terminate error: changed my mind",
            "parent: start of kid failed: init failed: error: changed my mind",
        ]
    );
}

#[test]
fn ctx_now_is_the_time_since_the_runtime_was_created_and_advances() {
    let rt = Runtime::new();
    let node = plain(&rt, "a", &Journal::new());
    let first = node.call_timeout(Request::Now, LONG).unwrap();
    std::thread::sleep(Duration::from_millis(20));
    let second = node.call_timeout(Request::Now, LONG).unwrap();
    assert!(second >= first + 20_000, "{first} then {second}");
    assert!(Duration::from_micros(second) <= rt.now());
}

#[test]
fn trapping_asked_for_in_init_holds_from_registration_on() {
    let rt = Runtime::new();
    let j = Journal::new();
    let dead = plain(&rt, "dead", &j);
    dead.stop(ExitReason::Normal).unwrap();
    // Linked at registration to a dead process: the exit signal comes before `init`'s
    // effects are carried out, and is trapped all the same.
    let options = StartOptions::default().linked_to(dead.id());
    let child = rt
        .start_with::<N>(NodeArgs::new("kid", &j).trapping(), options)
        .unwrap();
    await_line(&j, "kid: exit from dead: no such process");
    assert_eq!(child.call_timeout(Request::Echo(1), LONG), Ok(1));
}

#[test]
fn a_recipe_built_for_another_engine_is_refused() {
    let rt = Runtime::new();
    let j = Journal::new();
    let parent = plain(&rt, "p", &j);
    order(&parent, vec![Cmd::StartForeign]);
    assert_eq!(
        events(&j),
        [format!(
            "p: start of foreign failed: this start recipe was built for another engine: {}",
            std::any::type_name::<NoEngine>()
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
    let j = Journal::new();
    plain(&rt, "holder", &j);
    let parent = plain(&rt, "p", &j);
    let kid = Child::new("kid").named("kid").linked();
    let kid = kid.init(vec![Cmd::CallHold("holder".into())]);
    parent.cast(Cast::Do(vec![Cmd::Start(kid)]));
    let mut kid_id = None;
    wait_until(
        || {
            kid_id = rt.whereis::<N>("kid").map(|kid| kid.id());
            kid_id.is_some()
        },
        || "the kid never registered".into(),
    );
    rt.kill(kid_id.unwrap());
    assert_eq!(parent.call_timeout(Request::Echo(1), LONG), Ok(1));
    await_line(&j, "p: start of kid failed: init failed: killed");
    assert!(parent.is_alive());
}
