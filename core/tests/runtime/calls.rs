//! Calls, asynchronous calls, timeouts, deferred replies, server-to-server calls, timers.

use std::time::Duration;

use genserver::{CallError, ExitReason, Runtime, Timeout};

use crate::probe::{Call, Cast, LONG, ProbeArgs, call_peer_echo, entries, new_log, start};

#[test]
fn a_call_returns_the_reply() {
    let rt = Runtime::new();
    let probe = start(&rt, &new_log());
    assert_eq!(probe.call(Call::Echo(42)), Ok(42));
}

#[test]
fn the_default_call_timeout_is_five_seconds() {
    assert_eq!(Timeout::default(), Timeout::After(Duration::from_secs(5)));
    assert_eq!(Timeout::DEFAULT.duration(), Some(Duration::from_secs(5)));
}

#[test]
fn a_call_times_out_and_the_late_reply_never_reaches_a_later_call() {
    let rt = Runtime::new();
    let probe = start(&rt, &new_log());
    assert_eq!(
        probe
            .call_timeout(Call::Hold, Timeout::millis(20))
            .map_err(CallError::from),
        Err(CallError::Timeout)
    );
    // The server now replies to the abandoned call: the reply is refused...
    assert_eq!(probe.call(Call::LateReplies(666)), Ok(0));
    // ...and the next call gets its own reply, not the stale one.
    assert_eq!(probe.call(Call::Echo(1)), Ok(1));
}

#[test]
fn a_handle_with_a_short_timeout_times_out() {
    let rt = Runtime::new();
    let probe = start(&rt, &new_log()).with_timeout(Timeout::millis(10));
    assert_eq!(
        probe.call(Call::Hold).map_err(CallError::from),
        Err(CallError::Timeout)
    );
}

#[test]
fn an_infinite_timeout_waits_for_a_deferred_reply() {
    let rt = Runtime::new();
    let probe = start(&rt, &new_log());
    let call = probe.call_async(Call::Hold);
    assert_eq!(probe.call(Call::ReleaseAll(9)), Ok(9));
    assert_eq!(call.wait_timeout(Timeout::Infinity), Ok(9));
}

#[test]
fn an_asynchronous_call_can_be_polled_then_waited_for() {
    let rt = Runtime::new();
    let probe = start(&rt, &new_log());
    let call = probe.call_async(Call::Hold);
    let call = call.poll().expect_err("no reply yet");
    probe.call(Call::ReleaseAll(5)).unwrap();
    // The release happened before the server answered our second call.
    assert_eq!(call.poll().ok(), Some(Ok(5)));

    let call = probe.call_async(Call::Echo(6));
    assert_eq!(call.wait(), Ok(6));
}

#[test]
fn an_asynchronous_call_waited_on_with_a_timeout_gives_up() {
    let rt = Runtime::new();
    let probe = start(&rt, &new_log());
    let call = probe.call_async(Call::Hold);
    assert_eq!(
        call.wait_timeout(Timeout::millis(10))
            .map_err(CallError::from),
        Err(CallError::Timeout)
    );
    assert_eq!(probe.call(Call::LateReplies(1)), Ok(0));
}

#[test]
fn a_pending_call_dropped_before_its_reply_refuses_the_late_reply() {
    let rt = Runtime::new();
    let probe = start(&rt, &new_log());
    // Polled (no outcome taken), then dropped: the call is abandoned.
    drop(
        probe
            .call_async(Call::Hold)
            .poll()
            .expect_err("no reply yet"),
    );
    assert_eq!(probe.call(Call::LateReplies(1)), Ok(0));
    // Dropped without a look: abandoned too.
    drop(probe.call_async(Call::Hold));
    assert_eq!(probe.call(Call::LateReplies(2)), Ok(0));
}

#[test]
fn a_deferred_reply_from_another_thread_arrives() {
    let rt = Runtime::new();
    let probe = start(&rt, &new_log());
    assert_eq!(probe.call_timeout(Call::ReplyFromThread(77), LONG), Ok(77));
}

#[test]
fn dropping_the_reply_token_fails_the_call_at_once() {
    let rt = Runtime::new();
    let probe = start(&rt, &new_log());
    assert_eq!(
        probe
            .call_timeout(Call::DropToken, LONG)
            .map_err(CallError::from),
        Err(CallError::NoReply)
    );
}

#[test]
fn calling_yourself_is_an_error_not_a_deadlock() {
    let rt = Runtime::new();
    let log = new_log();
    let probe = start(&rt, &log);
    assert_eq!(probe.call_timeout(Call::AskSelf, LONG), Ok(-1));
    assert_eq!(entries(&log), ["outcome: a server cannot call itself"]);

    probe.cast(Cast::SetHandle(probe.clone()));
    assert_eq!(probe.call_timeout(Call::AskSelfByHandle, LONG), Ok(-1));
}

#[test]
fn a_server_calls_another_and_gets_the_reply_as_an_info_message() {
    let rt = Runtime::new();
    let (a, b) = (start(&rt, &new_log()), start(&rt, &new_log()));
    a.cast(Cast::SetPeer(b.addr()));
    assert_eq!(a.call_timeout(call_peer_echo(LONG), LONG), Ok(7));
}

#[test]
fn a_call_cycle_deadlocks_until_the_timeout() {
    let rt = Runtime::new();
    let (log_a, log_b) = (new_log(), new_log());
    let (a, b) = (start(&rt, &log_a), start(&rt, &log_b));
    a.cast(Cast::SetPeer(b.addr()));
    b.cast(Cast::SetPeer(a.addr()));
    // b is held at a gate while both calls are queued, so that each server is inside its
    // own outgoing call when the other's request arrives: a waits for b, b waits for a.
    let (open, gate) = std::sync::mpsc::channel();
    let gated = b.call_async(Call::Gate(gate));
    let from_b = b.call_async(call_peer_echo(Timeout::millis(50)));
    let from_a = a.call_async(call_peer_echo(LONG));
    open.send(()).unwrap();
    gated.wait_timeout(LONG).unwrap();
    // b gives up first (the shorter timeout) and answers its caller with -1.
    assert_eq!(from_b.wait_timeout(LONG), Ok(-1));
    assert_eq!(entries(&log_b), ["outcome: call timed out"]);
    // Once b is free again it answers a's call.
    assert_eq!(from_a.wait_timeout(LONG), Ok(7));
}

#[test]
fn a_call_to_a_server_that_is_gone_fails_with_no_such_process() {
    let rt = Runtime::new();
    let (a, b) = (start(&rt, &new_log()), start(&rt, &new_log()));
    a.cast(Cast::SetPeer(b.addr()));
    b.stop(ExitReason::Normal).unwrap();
    let log = new_log();
    let c = start(&rt, &log);
    c.cast(Cast::SetPeer(b.addr()));
    assert_eq!(c.call_timeout(call_peer_echo(LONG), LONG), Ok(-1));
    assert_eq!(entries(&log), ["outcome: no such process"]);
}

#[test]
fn a_timer_fires_after_its_delay_and_a_cancelled_timer_never_fires() {
    let rt = Runtime::new();
    let log = new_log();
    let probe = start(&rt, &log);
    assert_eq!(probe.call_timeout(Call::ReplyAfterTimer(5), LONG), Ok(5));
    assert_eq!(probe.call_timeout(Call::CancelFirstTimer, LONG), Ok(20));
    assert_eq!(entries(&log), ["timer 5", "timer 20"]);
}

#[test]
fn handle_continue_runs_before_any_queued_message() {
    let rt = Runtime::new();
    let log = new_log();
    let mut args = ProbeArgs::new(&log);
    args.continue_after_init = true;
    let probe = rt.start::<crate::probe::Probe>(args).unwrap();
    probe.cast(Cast::Record("first cast".into()));
    probe.call(Call::Echo(0)).unwrap();
    assert_eq!(entries(&log), ["continue after init", "first cast"]);
}

#[test]
fn query_reads_the_state_and_stop_runs_terminate() {
    let rt = Runtime::new();
    let log = new_log();
    let probe = start(&rt, &log);
    probe.cast(Cast::Record("x".into()));
    assert_eq!(probe.query(|_| 3), Ok(3));
    assert_eq!(probe.stop(ExitReason::Shutdown), Ok(()));
    assert_eq!(entries(&log), ["x", "terminate shutdown"]);
    assert!(!probe.is_alive());
    assert_eq!(
        probe.stop(ExitReason::Normal).map_err(CallError::from),
        Err(CallError::NoProcess)
    );
    assert_eq!(
        probe.query(|_| 3).map_err(CallError::from),
        Err(CallError::NoProcess)
    );
}

#[test]
fn a_reply_given_with_a_stop_is_sent_after_terminate() {
    let rt = Runtime::new();
    let log = new_log();
    let probe = start(&rt, &log);
    assert_eq!(probe.call(Call::ReplyAndStop(3, ExitReason::Normal)), Ok(3));
    assert_eq!(entries(&log), ["terminate normal"]);
    assert_eq!(
        probe.call(Call::Echo(1)).map_err(CallError::from),
        Err(CallError::NoProcess)
    );
}

#[test]
fn a_server_of_another_runtime_is_no_process_here_and_never_this_runtime_s_own() {
    use crate::probe::Cast;
    let (rt1, rt2) = (Runtime::new(), Runtime::new());
    let (log1, log2) = (new_log(), new_log());
    let here = start(&rt1, &log1);
    let there = start(&rt2, &log2);
    assert_ne!(here.id(), there.id(), "ids are unique across runtimes");
    // An address from runtime 2 reaches nothing in runtime 1: a call fails with NoProcess,
    // a cast is lost, and no server of runtime 1 receives either.
    here.cast(Cast::SetPeer(there.addr()));
    assert_eq!(
        here.call(call_peer_echo(Timeout::millis(500))),
        Ok(-1),
        "the probe's call to a foreign address fails"
    );
    let refused = format!("outcome: {}", CallError::NoProcess);
    assert!(entries(&log1).contains(&refused), "{:?}", entries(&log1));
    assert!(entries(&log2).is_empty(), "{:?}", entries(&log2));
    assert!(rt1.resolve(there.addr()).is_none());
    assert!(!rt1.is_alive(there.id()));
    assert!(rt2.resolve(here.addr()).is_none());
}

#[test]
fn a_stop_with_a_timeout_kills_a_stuck_server_and_lets_a_free_one_terminate() {
    use genserver::Stopped;
    let rt = Runtime::new();
    let log = new_log();
    let stuck = start(&rt, &log);
    let (_release, gate) = std::sync::mpsc::channel();
    let blocked = stuck.call_async(Call::Gate(gate));
    let watch = rt.monitor(stuck.id());
    // Its callback never returns: the stop waits 50 ms, then kills it (no terminate).
    let stopped = stuck.stop_timeout(ExitReason::Shutdown, Timeout::millis(50));
    assert_eq!(stopped, Ok(Stopped::Killed));
    assert_eq!(watch.wait_timeout(LONG), Ok(ExitReason::Killed));
    assert!(!stuck.is_alive());
    assert!(entries(&log).is_empty(), "{:?}", entries(&log));
    drop(blocked);

    let free = start(&rt, &log);
    let stopped = free.stop_timeout(ExitReason::Shutdown, LONG);
    assert_eq!(stopped, Ok(Stopped::Terminated));
    assert_eq!(entries(&log), ["terminate shutdown"]);
    let again = free.stop_timeout(ExitReason::Shutdown, LONG);
    assert_eq!(again.map_err(CallError::from), Err(CallError::NoProcess));
}

/// Sets a zero-delay timer again each time one fires, for ever; answers a call with how
/// many fired.
struct Ticker(u64);

impl genserver::GenServer for Ticker {
    type Args = ();
    type Call = ();
    type Reply = u64;
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(_: (), ctx: &mut genserver::Ctx<Self>) -> Result<Self, ExitReason> {
        ctx.set_timer(Duration::ZERO, ());
        Ok(Ticker(0))
    }

    fn handle_call(
        &mut self,
        _: (),
        _: genserver::ReplyTo<u64>,
        _: &mut genserver::Ctx<Self>,
    ) -> genserver::CallResult<u64> {
        genserver::CallResult::Reply(self.0)
    }

    fn handle_info(&mut self, _: (), ctx: &mut genserver::Ctx<Self>) {
        self.0 += 1;
        ctx.set_timer(Duration::ZERO, ());
    }
}

#[test]
fn a_due_timer_queues_behind_the_messages_already_there() {
    let rt = Runtime::new();
    let ticker = rt.start::<Ticker>(()).unwrap();
    // Timers fire without end, yet each call gets its turn: a timer that came due waits
    // behind what had arrived by then, as OTP's timer message does.
    let mut last = 0;
    for _ in 0..20 {
        let ticks = ticker
            .call_timeout((), LONG)
            .expect("answered between ticks");
        assert!(ticks >= last);
        last = ticks;
    }
    assert!(last > 0, "the timers fired meanwhile");
    ticker.stop(ExitReason::Normal).unwrap();
}

#[test]
fn a_call_timeout_ends_near_its_deadline_while_every_core_is_busy() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Instant;
    let rt = Runtime::new();
    let probe = start(&rt, &new_log());
    // Threads that spin without end: a waiter that yields before parking waits a time
    // slice per yield behind them.
    let busy = Arc::new(AtomicBool::new(true));
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let hogs: Vec<_> = (0..4 * cores)
        .map(|_| {
            let busy = Arc::clone(&busy);
            std::thread::spawn(move || {
                while busy.load(Ordering::Relaxed) {
                    std::hint::spin_loop();
                }
            })
        })
        .collect();
    // The same wait on a bare condition variable, as the baseline of what the load allows.
    let bare = {
        let pair = (std::sync::Mutex::new(()), std::sync::Condvar::new());
        let mut late = Duration::ZERO;
        for _ in 0..5 {
            let asked = Instant::now();
            let guard = pair.0.lock().unwrap();
            let _unused = pair
                .1
                .wait_timeout(guard, Duration::from_millis(10))
                .unwrap();
            late = late.max(asked.elapsed().saturating_sub(Duration::from_millis(10)));
        }
        late
    };
    let mut late = Duration::ZERO;
    for _ in 0..5 {
        let asked = Instant::now();
        let outcome = probe.call_timeout(Call::Hold, Timeout::millis(10));
        assert_eq!(outcome.map_err(CallError::from), Err(CallError::Timeout));
        late = late.max(asked.elapsed().saturating_sub(Duration::from_millis(10)));
    }
    busy.store(false, Ordering::Relaxed);
    hogs.into_iter().for_each(|hog| hog.join().unwrap());
    eprintln!("latest timeout: {late:?} after its deadline (a bare condvar: {bare:?})");
    assert!(
        late <= 2 * bare + Duration::from_millis(20),
        "{late:?} late, bare {bare:?}"
    );
}

#[test]
fn a_kill_fails_the_calls_queued_and_held_by_a_busy_server_at_once() {
    let rt = Runtime::new();
    let probe = start(&rt, &new_log());
    let held = probe.call_async(Call::Hold);
    crate::probe::await_held(&probe, 1);
    let (_release, gate) = std::sync::mpsc::channel();
    let (entered, inside) = std::sync::mpsc::channel();
    let busy = probe.call_async(Call::SignalThenGate(entered, gate));
    inside.recv().unwrap();
    let queued = probe.call_async(Call::Echo(1));
    // Its thread is stuck in the gate's callback for good; the kill still ends every call.
    rt.kill(probe.id());
    let killed = Err(CallError::Exited(ExitReason::Killed));
    for call in [held, busy, queued] {
        assert_eq!(call.wait_timeout(LONG).map_err(CallError::from), killed);
    }
    assert_eq!(
        probe.call(Call::Echo(2)).map_err(CallError::from),
        Err(CallError::NoProcess)
    );
}

/// Adds each request to a total and answers with it: no call may be lost or answered twice.
struct Adder(u64);

impl genserver::GenServer for Adder {
    type Args = ();
    type Call = u64;
    type Reply = u64;
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(_: (), _: &mut genserver::Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Adder(0))
    }

    fn handle_call(
        &mut self,
        n: u64,
        _: genserver::ReplyTo<u64>,
        _: &mut genserver::Ctx<Self>,
    ) -> genserver::CallResult<u64> {
        self.0 += n;
        genserver::CallResult::Reply(n)
    }
}

#[test]
fn a_thousand_callers_lose_nothing() {
    callers_lose_nothing(1_000, 100);
}

#[test]
fn two_hundred_threads_of_a_thousand_calls_each_lose_nothing() {
    callers_lose_nothing(200, 1_000);
}

/// `callers` threads call one server `calls` times each, every request its own number:
/// each gets its own reply, and the server handled every call once.
fn callers_lose_nothing(callers: u64, calls: u64) {
    let rt = Runtime::new();
    let adder = rt.start::<Adder>(()).unwrap();
    let threads: Vec<_> = (0..callers)
        .map(|caller| {
            let adder = adder.clone();
            std::thread::spawn(move || {
                (0..calls)
                    .map(|i| {
                        let n = caller * calls + i;
                        assert_eq!(adder.call_timeout(n, LONG), Ok(n), "each its own reply");
                        n
                    })
                    .sum::<u64>()
            })
        })
        .collect();
    let sent: u64 = threads.into_iter().map(|c| c.join().unwrap()).sum();
    let n = callers * calls;
    assert_eq!(sent, n * (n - 1) / 2);
    assert_eq!(
        adder.query(|total| total.0),
        Ok(sent),
        "every call handled once"
    );
}
