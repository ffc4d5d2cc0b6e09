//! Registered names: taken only after `init`, held against other starts during it, unique,
//! freed at exit.

use std::sync::mpsc::channel;

use genserver::{Runtime, StartError};

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
fn of_two_racing_starts_under_one_name_the_loser_runs_no_init() {
    let rt = Runtime::new();
    let log = new_log();
    let (started_a, gate_a) = channel();
    let (open_a, proceed_a) = channel();
    let mut args = ProbeArgs::new(&log);
    args.init_gate = Some((started_a, proceed_a));
    let first = {
        let rt = rt.clone();
        std::thread::spawn(move || rt.start_named::<Probe>("p", args))
    };
    gate_a.recv().unwrap();
    // While the first server is inside init, the name is not taken (nobody finds it)...
    assert!(rt.whereis::<Probe>("p").is_none());
    // ...but held: a second start fails at once, without running its init (its gate would
    // block it, and its terminate would be logged).
    // (Its gate is closed: an init that ran would fail, not block.)
    let (started_b, gate_b) = channel();
    let (_, proceed_b) = channel();
    let mut second = ProbeArgs::new(&log);
    second.init_gate = Some((started_b, proceed_b));
    assert_eq!(
        rt.start_named::<Probe>("p", second).unwrap_err(),
        StartError::NameTaken("p".into())
    );
    assert!(gate_b.try_recv().is_err(), "the loser's init never ran");
    open_a.send(()).unwrap();
    let first = first.join().unwrap().expect("the first start wins");
    assert_eq!(rt.whereis::<Probe>("p").unwrap().id(), first.id());
    assert!(log.lock().unwrap().is_empty(), "{:?}", log.lock().unwrap());
}
