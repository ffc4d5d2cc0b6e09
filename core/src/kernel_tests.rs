//! The kernel's rules, one test each, named after the rule they check.

use super::*;

const P1: ProcessId = ProcessId(1);
const P2: ProcessId = ProcessId(2);
const P3: ProcessId = ProcessId(3);

fn kernel_of(count: u64) -> Kernel {
    let mut kernel = Kernel::new();
    for id in 1..=count {
        kernel.enter(ProcessId(id), false);
    }
    kernel
}

fn exit(to: ProcessId, from: ProcessId, reason: ExitReason) -> Notice {
    let signal = ExitSignal { from, reason };
    Notice::Exit {
        to,
        signal,
        link: true,
    }
}

fn down(to: ProcessId, monitor: u64, process: ProcessId, reason: ExitReason) -> Notice {
    let down = Down {
        monitor: MonitorRef(monitor),
        process,
        reason,
    };
    Notice::Down { to, down }
}

#[test]
fn rule1_an_exit_frees_names_then_tells_watchers_then_links() {
    let mut kernel = kernel_of(3);
    kernel.register("db", P2).unwrap();
    kernel.register("store", P2).unwrap();
    kernel.link(P2, P3).unwrap();
    kernel.monitor(P1, MonitorRef(4), P2);
    kernel.link(P2, P1).unwrap();
    let retired = kernel.retire(P2, &ExitReason::Shutdown).unwrap();
    assert_eq!(retired.names, ["db", "store"]);
    let expected = [
        down(P1, 4, P2, ExitReason::Shutdown),
        exit(P1, P2, ExitReason::Shutdown),
        exit(P3, P2, ExitReason::Shutdown),
    ];
    assert_eq!(retired.notices, expected);
    assert_eq!(kernel.whereis("db"), None);
    kernel.register("db", P3).unwrap();
    assert_eq!(kernel.retire(P2, &ExitReason::Normal), None);
}

#[test]
fn rule1_a_watchers_exit_gives_up_its_monitors() {
    let mut kernel = kernel_of(2);
    kernel.monitor(P1, MonitorRef(1), P2);
    kernel.retire(P1, &ExitReason::Normal);
    assert!(
        kernel
            .retire(P2, &ExitReason::Normal)
            .unwrap()
            .notices
            .is_empty()
    );
    assert_eq!(kernel.monitors().count(), 0);
}

#[test]
fn rule2_what_an_exit_signal_does() {
    let mut kernel = kernel_of(2);
    let signal = |reason| ExitSignal { from: P2, reason };
    let normal = signal(ExitReason::Normal);
    let shutdown = signal(ExitReason::Shutdown);
    assert_eq!(
        kernel.signal(P1, &normal, false, false),
        Some(Arrival::Ignore)
    );
    let stops = Some(Arrival::Exit(ExitReason::Shutdown));
    assert_eq!(kernel.signal(P1, &shutdown, false, false), stops);
    assert_eq!(
        kernel.signal(P1, &shutdown, false, true),
        Some(Arrival::Kill)
    );
    kernel.set_trap(P1, true);
    assert_eq!(
        kernel.signal(P1, &normal, false, false),
        Some(Arrival::Trap)
    );
    assert_eq!(
        kernel.signal(P1, &shutdown, false, true),
        Some(Arrival::Kill)
    );
    assert_eq!(kernel.signal(P3, &shutdown, false, false), None);
}

#[test]
fn rule2_an_untrapped_link_signal_consumes_its_link_a_trapped_one_waits() {
    let mut kernel = kernel_of(3);
    kernel.link(P1, P2).unwrap();
    kernel.link(P3, P2).unwrap();
    kernel.set_trap(P3, true);
    let notices = kernel.retire(P2, &ExitReason::Normal).unwrap().notices;
    let signal = ExitSignal {
        from: P2,
        reason: ExitReason::Normal,
    };
    assert_eq!(
        kernel.signal(P1, &signal, true, false),
        Some(Arrival::Ignore)
    );
    assert_eq!(kernel.links().collect::<Vec<_>>(), [(P3, P2)]);
    assert_eq!(kernel.signal(P3, &signal, true, false), Some(Arrival::Trap));
    assert!(kernel.take_link(P3, P2));
    assert_eq!(notices.len(), 2);
    assert_eq!(kernel.links().count(), 0);
}

#[test]
fn rule3_a_dead_or_unknown_process_answers_at_once() {
    let mut kernel = kernel_of(1);
    let answer = kernel.monitor(P1, MonitorRef(9), P2);
    assert_eq!(answer, Some(down(P1, 9, P2, ExitReason::NoProcess)));
    let answer = kernel.link(P1, P2);
    assert_eq!(answer, Err(exit(P1, P2, ExitReason::NoProcess)));
    // The linker's side stands until the signal is handled.
    assert_eq!(kernel.links().collect::<Vec<_>>(), [(P1, P2)]);
}

#[test]
fn rule4_undoing_a_watch_voids_what_is_in_flight() {
    let mut kernel = kernel_of(3);
    kernel.monitor(P1, MonitorRef(1), P2);
    assert_eq!(kernel.demonitor(P1, MonitorRef(1)), Some(P2));
    assert_eq!(kernel.demonitor(P1, MonitorRef(1)), None);
    kernel.link(P1, P3).unwrap();
    let notices = kernel.retire(P3, &ExitReason::Shutdown).unwrap().notices;
    assert_eq!(notices, [exit(P1, P3, ExitReason::Shutdown)]);
    assert!(kernel.unlink(P1, P3));
    let signal = ExitSignal {
        from: P3,
        reason: ExitReason::Shutdown,
    };
    assert_eq!(kernel.signal(P1, &signal, true, false), Some(Arrival::Void));
    // A plain exit signal is not voided by an unlink.
    let stops = Some(Arrival::Exit(ExitReason::Shutdown));
    assert_eq!(kernel.signal(P1, &signal, false, false), stops);
}

#[test]
fn rule5_a_start_takes_the_name_and_links_and_its_starter_hears_no_signal_while_starting() {
    let mut kernel = kernel_of(1);
    let options = StartOptions {
        name: Some("worker".to_owned()),
        link_to: Some(P1),
        ..StartOptions::default()
    };
    assert_eq!(kernel.start(P2, &options, false), Ok(None));
    assert_eq!(kernel.whereis("worker"), Some(P2));
    let taken = kernel.start(P3, &options, false);
    assert_eq!(taken, Err(StartError::NameTaken("worker".to_owned())));
    assert!(!kernel.is_alive(P3));
    let retired = kernel.retire(P2, &ExitReason::Shutdown).unwrap();
    assert!(retired.notices.is_empty());
    assert_eq!(kernel.links().count(), 0);
    // Once started, the starter hears of the exit through the link.
    assert_eq!(kernel.start(P3, &options, false), Ok(None));
    assert!(kernel.finish_start(P3));
    let retired = kernel.retire(P3, &ExitReason::Shutdown).unwrap();
    assert_eq!(retired.notices, [exit(P1, P3, ExitReason::Shutdown)]);
}

#[test]
fn rule5_a_start_linked_to_a_dead_process_answers_no_such_process() {
    let mut kernel = Kernel::new();
    let options = StartOptions {
        name: None,
        link_to: Some(P1),
        ..StartOptions::default()
    };
    let notice = kernel.start(P2, &options, true).unwrap();
    assert_eq!(notice, Some(exit(P2, P1, ExitReason::NoProcess)));
    assert!(kernel.traps(P2));
}
