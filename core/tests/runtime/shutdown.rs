//! `Runtime::shutdown`: every server stopped (supervisors first, so nothing is restarted),
//! `terminate` run, and what does not exit by the deadline killed.

use genserver::runtime::Spawner;
use genserver::supervisor::{ChildSpec, Strategy, Supervisor, SupervisorSpec};
use genserver::{Runtime, ShutdownReport, Timeout};
use genserver_checks::node::{Journal, NodeArgs};

use crate::nodes::{N, lifecycle};
use crate::probe::{Call, entries, new_log, start};

#[test]
fn shutdown_stops_every_server_supervisors_first_and_kills_what_is_stuck() {
    let rt = Runtime::new();
    let log = new_log();
    let probes: Vec<_> = (0..100).map(|_| start(&rt, &log)).collect();
    let j = Journal::new();
    let mut spec = SupervisorSpec::<Spawner>::new(Strategy::OneForOne);
    spec.children = ["a", "b", "c"]
        .map(|label| {
            let j = j.clone();
            ChildSpec::new::<N>(label, move || NodeArgs::new(label, &j))
        })
        .into();
    let sup = rt.start::<Supervisor<Spawner>>(spec).expect("starts");
    let stuck = start(&rt, &new_log());
    let (_release, gate) = std::sync::mpsc::channel();
    let _blocked = stuck.call_async(Call::Gate(gate));

    let report = rt.shutdown(Timeout::millis(2_000));
    assert_eq!(
        report,
        ShutdownReport {
            terminated: 100 + 1 + 3,
            killed: 1
        }
    );
    assert!(probes.iter().all(|probe| !probe.is_alive()));
    assert!(!sup.is_alive() && !stuck.is_alive());
    assert_eq!(entries(&log).len(), 100);
    assert!(
        entries(&log)
            .iter()
            .all(|line| line == "terminate shutdown")
    );
    // The supervisor went first: it stopped its children in reverse order, restarting none.
    assert_eq!(
        lifecycle(&j),
        [
            "a: init",
            "b: init",
            "c: init",
            "c: terminate shutdown",
            "b: terminate shutdown",
            "a: terminate shutdown"
        ]
    );
    assert_eq!(rt.shutdown(Timeout::millis(10)), ShutdownReport::default());
}
