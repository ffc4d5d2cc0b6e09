//! Registered names: taken only after `init`, unique, freed at exit.

use std::sync::mpsc::channel;

use genserver::{ExitReason, Runtime, StartError};

use crate::probe::{Call, Probe, ProbeArgs, new_log};

#[test]
fn whereis_finds_a_named_server() {
    let rt = Runtime::new();
    let probe = rt
        .start_named::<Probe>("p", ProbeArgs::new(&new_log()))
        .unwrap();
    let found = rt.whereis::<Probe>("p").expect("registered");
    assert_eq!(found.id(), probe.id());
    assert_eq!(found.call(Call::Echo(3)), Ok(3));
    assert!(rt.whereis::<Probe>("q").is_none());
}

#[test]
fn a_duplicate_name_is_an_error() {
    let rt = Runtime::new();
    let log = new_log();
    rt.start_named::<Probe>("p", ProbeArgs::new(&log)).unwrap();
    assert_eq!(
        rt.start_named::<Probe>("p", ProbeArgs::new(&log))
            .unwrap_err(),
        StartError::NameTaken("p".into())
    );
}

#[test]
fn two_racing_starts_under_one_name_give_one_server() {
    let rt = Runtime::new();
    let log = new_log();
    let (started_a, gate_a) = channel();
    let (open_a, proceed_a) = channel();
    let mut args = ProbeArgs::new(&log);
    args.init_gate = Some((started_a, proceed_a));
    let racer = {
        let rt = rt.clone();
        std::thread::spawn(move || rt.start_named::<Probe>("p", args))
    };
    gate_a.recv().unwrap();
    // While the first server is inside init, the name is still free.
    assert!(rt.whereis::<Probe>("p").is_none());
    let second = rt.start_named::<Probe>("p", ProbeArgs::new(&log)).unwrap();
    open_a.send(()).unwrap();
    assert_eq!(
        racer.join().unwrap().unwrap_err(),
        StartError::NameTaken("p".into())
    );
    assert_eq!(rt.whereis::<Probe>("p").unwrap().id(), second.id());
    assert_eq!(
        log.lock().unwrap().as_slice(),
        ["terminate error: the name \"p\" is already registered"]
    );
}

#[test]
fn a_failed_init_does_not_take_the_name() {
    let rt = Runtime::new();
    let log = new_log();
    let mut args = ProbeArgs::new(&log);
    args.fail_init = Some(ExitReason::error("nope"));
    assert!(rt.start_named::<Probe>("p", args).is_err());
    assert!(rt.whereis::<Probe>("p").is_none());
    assert!(rt.start_named::<Probe>("p", ProbeArgs::new(&log)).is_ok());
}

#[test]
fn a_dead_servers_name_is_freed() {
    let rt = Runtime::new();
    let log = new_log();
    let first = rt.start_named::<Probe>("p", ProbeArgs::new(&log)).unwrap();
    first.stop(ExitReason::Normal).unwrap();
    assert!(rt.whereis::<Probe>("p").is_none());
    let second = rt.start_named::<Probe>("p", ProbeArgs::new(&log)).unwrap();
    assert_ne!(first.id(), second.id());
}

#[test]
fn whereis_with_the_wrong_type_finds_nothing() {
    let rt = Runtime::new();
    rt.start_named::<Probe>("p", ProbeArgs::new(&new_log()))
        .unwrap();
    assert!(rt.whereis::<crate::stack::Stack>("p").is_none());
}
