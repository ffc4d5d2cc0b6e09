//! Exits, panics and dead servers: every waiting caller learns at once.

use std::sync::mpsc::channel;

use genserver::{CallError, ExitReason, ProcessId, Runtime, ServerRef, Timeout};

use crate::probe::{
    Call, Cast, LONG, Probe, ProbeArgs, await_held, call_peer_echo, entries, new_log, start,
};

#[test]
fn a_call_to_an_unknown_server_fails_at_once() {
    let rt = Runtime::new();
    assert!(
        rt.resolve(ServerRef::<Probe>::new(ProcessId(4242)))
            .is_none()
    );
}

#[test]
fn a_call_to_a_stopped_server_fails_with_no_such_process_not_a_timeout() {
    let rt = Runtime::new();
    let probe = start(&rt, &new_log());
    probe.stop(ExitReason::Normal).unwrap();
    assert_eq!(
        probe
            .call_timeout(Call::Echo(1), LONG)
            .map_err(CallError::from),
        Err(CallError::NoProcess)
    );
    assert!(rt.resolve(probe.addr()).is_none());
}

#[test]
fn a_cast_to_a_dead_server_does_not_fail_for_the_sender() {
    let rt = Runtime::new();
    let probe = start(&rt, &new_log());
    probe.stop(ExitReason::Normal).unwrap();
    probe.cast(Cast::Record("into the void".into()));
}

#[test]
fn a_server_exiting_fails_its_pending_call_with_the_exit_reason() {
    let rt = Runtime::new();
    let probe = start(&rt, &new_log());
    let held = probe.call_async(Call::Hold);
    probe.cast(Cast::Stop(ExitReason::error("boom")));
    assert_eq!(
        held.wait_timeout(LONG).map_err(CallError::from),
        Err(CallError::Exited(ExitReason::error("boom")))
    );
}

#[test]
fn a_server_exiting_fails_its_queued_calls_with_the_exit_reason() {
    let rt = Runtime::new();
    let probe = start(&rt, &new_log());
    let (open, gate) = channel();
    let blocked = probe.call_async(Call::Gate(gate));
    probe.cast(Cast::Stop(ExitReason::error("bye")));
    let queued = probe.call_async(Call::Echo(1));
    open.send(()).unwrap();
    assert_eq!(blocked.wait_timeout(LONG), Ok(0));
    assert_eq!(
        queued.wait_timeout(LONG).map_err(CallError::from),
        Err(CallError::Exited(ExitReason::error("bye")))
    );
}

#[test]
fn a_panicking_call_handler_stops_the_server_and_fails_every_call_at_once() {
    let rt = Runtime::new();
    let log = new_log();
    let probe = start(&rt, &log);
    let held = probe.call_async(Call::Hold);
    let (open, gate) = channel();
    let blocked = probe.call_async(Call::Gate(gate));
    let panicking = probe.call_async(Call::Panic);
    let queued = probe.call_async(Call::Echo(1));
    open.send(()).unwrap();
    assert_eq!(blocked.wait_timeout(LONG), Ok(0));

    let reason = ExitReason::Panic("handle_call: handle_call exploded".into());
    let exited = Err(CallError::Exited(reason.clone()));
    assert_eq!(
        panicking.wait_timeout(LONG).map_err(CallError::from),
        exited
    );
    assert_eq!(held.wait_timeout(LONG).map_err(CallError::from), exited);
    assert_eq!(queued.wait_timeout(LONG).map_err(CallError::from), exited);
    assert_eq!(entries(&log), [format!("terminate {reason}")]);
    assert_eq!(
        probe
            .call_timeout(Call::Echo(2), LONG)
            .map_err(CallError::from),
        Err(CallError::NoProcess)
    );
}

#[test]
fn a_panicking_cast_handler_stops_the_server_with_a_panic_reason() {
    let rt = Runtime::new();
    let log = new_log();
    let probe = start(&rt, &log);
    let held = probe.call_async(Call::Hold);
    probe.cast(Cast::Panic);
    let reason = ExitReason::Panic("handle_cast: handle_cast exploded".into());
    assert_eq!(
        held.wait_timeout(LONG).map_err(CallError::from),
        Err(CallError::Exited(reason.clone()))
    );
    assert_eq!(entries(&log), [format!("terminate {reason}")]);
}

#[test]
fn a_server_dying_while_another_server_calls_it_fails_that_call_with_the_reason() {
    let rt = Runtime::new();
    let log = new_log();
    let (a, b) = (start(&rt, &log), start(&rt, &new_log()));
    a.cast(Cast::SetPeer(b.addr()));
    let outcome = a.call_async(Call::AskPeer(Box::new(Call::Hold), LONG));
    await_held(&b, 1);
    b.cast(Cast::Stop(ExitReason::error("b died")));
    assert_eq!(outcome.wait_timeout(LONG), Ok(-1));
    assert_eq!(entries(&log), ["outcome: server exited: error: b died"]);
}

#[test]
fn init_failures_are_start_errors() {
    let rt = Runtime::new();
    let log = new_log();
    let mut args = ProbeArgs::new(&log);
    args.fail_init = Some(ExitReason::error("no config"));
    assert_eq!(
        rt.start::<Probe>(args).unwrap_err(),
        genserver::StartError::Init(ExitReason::error("no config"))
    );
    let mut args = ProbeArgs::new(&log);
    args.panic_in_init = true;
    assert_eq!(
        rt.start::<Probe>(args).unwrap_err(),
        genserver::StartError::Init(ExitReason::Panic("init: init exploded".into()))
    );
}

#[test]
fn a_panicking_query_panics_in_the_caller_and_the_server_carries_on() {
    let rt = Runtime::new();
    let probe = start(&rt, &new_log());
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        probe.query(|_| -> i64 { panic!("inspector exploded") })
    }));
    let panic = outcome.expect_err("the caller panics");
    assert_eq!(panic.downcast_ref::<&str>(), Some(&"inspector exploded"));
    assert_eq!(probe.call_timeout(Call::Echo(5), LONG), Ok(5));
}

#[test]
fn a_message_of_the_wrong_type_stops_its_receiver_as_in_the_simulator() {
    let rt = Runtime::new();
    let log = new_log();
    let sender = rt
        .start_named::<Probe>("sender", ProbeArgs::new(&log))
        .unwrap();
    let stack = rt.start::<crate::stack::Stack>(vec![]).unwrap();
    let exit = rt.monitor(stack.id());
    // A hand-made address that wrongly claims the stack is a probe.
    sender.cast(Cast::RelayTo(ServerRef::new(stack.id())));
    let reason =
        ExitReason::Panic("handle_cast: message of the wrong type: Record(\"relayed\")".to_owned());
    assert_eq!(exit.wait_timeout(LONG), Ok(reason));
    // The sender is not to blame: it carries on.
    assert_eq!(sender.call_timeout(Call::Echo(3), LONG), Ok(3));
    assert!(entries(&log).is_empty(), "{:?}", entries(&log));
}

#[test]
fn a_call_of_the_wrong_type_fails_its_caller_at_once_and_stops_the_receiver() {
    let rt = Runtime::new();
    let log = new_log();
    let caller = start(&rt, &log);
    let stack = rt.start::<crate::stack::Stack>(vec![]).unwrap();
    let exit = rt.monitor(stack.id());
    caller.cast(Cast::SetPeer(ServerRef::new(stack.id())));
    // No timeout: only the receiver's answer can end the call.
    let asked = caller.call_timeout(call_peer_echo(Timeout::Infinity), LONG);
    assert_eq!(asked, Ok(-1));
    let reason = "panic: handle_call: request of the wrong type: Echo(7)";
    assert_eq!(entries(&log), [format!("outcome: server exited: {reason}")]);
    let Ok(ExitReason::Panic(text)) = exit.wait_timeout(LONG) else {
        panic!("the receiver stops with a panic reason");
    };
    assert_eq!(format!("panic: {text}"), reason);
}

#[test]
fn a_panic_in_a_nested_callback_fails_the_call_and_cancels_later_effects() {
    let rt = Runtime::new();
    let (log, peer_log) = (new_log(), new_log());
    let (probe, peer) = (start(&rt, &log), start(&rt, &peer_log));
    probe.cast(Cast::SetPeer(peer.addr()));
    let reason = ExitReason::Panic("handle_info: handle_info exploded".into());
    assert_eq!(
        probe
            .call_timeout(Call::CrashInOutcome, LONG)
            .map_err(CallError::from),
        Err(CallError::Exited(reason.clone()))
    );
    assert_eq!(entries(&log), [format!("terminate {reason}")]);
    peer.call(Call::Echo(0)).unwrap();
    assert!(
        entries(&peer_log).is_empty(),
        "the cast after the crash was sent"
    );
}

#[test]
fn a_call_that_crashes_its_server_fails_only_after_terminate_has_run() {
    // OTP's caller learns of the crash from the exit itself, so `terminate` comes first. A slow
    // `terminate` makes an early failure (before it ran) show up on every run.
    let rt = Runtime::new();
    for (call, callback) in [
        (Call::Panic, "handle_call: handle_call exploded"),
        (Call::CrashInOutcome, "handle_info: handle_info exploded"),
    ] {
        let log = new_log();
        let mut args = ProbeArgs::new(&log);
        args.terminate_delay = std::time::Duration::from_millis(30);
        let probe = rt.start::<Probe>(args).unwrap();
        probe.cast(Cast::SetPeer(start(&rt, &new_log()).addr()));
        let reason = ExitReason::Panic(callback.into());
        assert_eq!(
            probe.call_timeout(call, LONG).map_err(CallError::from),
            Err(CallError::Exited(reason.clone()))
        );
        assert_eq!(entries(&log), [format!("terminate {reason}")]);
    }
}
