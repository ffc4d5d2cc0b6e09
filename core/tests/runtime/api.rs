//! GenServers.jl's API on the runtime: `update!` (`Server::update`), `term!`
//! (`Server::on_terminate`), and calls and casts by registered name.

use std::sync::{Arc, Mutex};

// Parks the thread until the future's waker is called: a lost wake-up hangs the test.
use genserver::engine::block_on;

use genserver::{CallError, CallResult, Ctx, ExitReason, GenServer, ReplyTo, Runtime};

use crate::probe::LONG;

/// A count: a call reads it, a cast adds to it, `terminate` logs the reason.
struct Count {
    value: i64,
    log: Arc<Mutex<Vec<String>>>,
}

impl GenServer for Count {
    type Args = Arc<Mutex<Vec<String>>>;
    type Call = ();
    type Reply = i64;
    type Cast = i64;
    type Info = ();
    type Continue = ();

    fn init(log: Self::Args, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Count { value: 0, log })
    }

    fn handle_call(&mut self, _: (), _: ReplyTo<i64>, _: &mut Ctx<Self>) -> CallResult<i64> {
        CallResult::Reply(self.value)
    }

    fn handle_cast(&mut self, add: i64, _: &mut Ctx<Self>) {
        self.value += add;
    }

    fn terminate(&mut self, reason: &ExitReason) {
        self.log.lock().unwrap().push(format!("terminate {reason}"));
    }
}

fn log() -> Arc<Mutex<Vec<String>>> {
    Arc::default()
}

#[test]
fn update_replaces_the_state_between_two_messages_and_returns_what_it_computes() {
    let rt = Runtime::new();
    let count = rt.start::<Count>(log()).unwrap();
    count.cast(5);
    // Queued behind the cast: it sees 5.
    assert_eq!(
        count.update(|state| std::mem::replace(&mut state.value, 40)),
        Ok(5)
    );
    count.cast(2);
    assert_eq!(count.call(()), Ok(42));
    count.stop(ExitReason::Normal).unwrap();
    assert_eq!(
        count.update(|state| state.value).map_err(CallError::from),
        Err(CallError::NoProcess)
    );
}

#[test]
fn a_panic_in_update_reaches_the_caller_and_the_server_carries_on() {
    let rt = Runtime::new();
    let count = rt.start::<Count>(log()).unwrap();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        count.update(|state| {
            state.value = 7;
            panic!("half way")
        })
    }));
    assert!(caught.is_err());
    assert_eq!(count.call(()), Ok(7));
}

#[test]
fn functions_registered_for_termination_run_after_terminate_in_order_on_any_exit() {
    let rt = Runtime::new();
    let lines = log();
    let count = rt.start::<Count>(lines.clone()).unwrap();
    for n in 1..=2 {
        let lines = lines.clone();
        let at_exit =
            move |reason: &ExitReason| lines.lock().unwrap().push(format!("f{n} {reason}"));
        count.on_terminate(at_exit).unwrap();
    }
    count.on_terminate(|_| panic!("caught")).unwrap();
    count.stop(ExitReason::Shutdown).unwrap();
    assert_eq!(
        *lines.lock().unwrap(),
        ["terminate shutdown", "f1 shutdown", "f2 shutdown"]
    );
    assert_eq!(
        count.on_terminate(|_| ()).map_err(CallError::from),
        Err(CallError::NoProcess)
    );

    // After a kill: no terminate, but the functions run.
    let killed = rt.start::<Count>(lines.clone()).unwrap();
    let watch = rt.monitor(killed.id());
    let seen = lines.clone();
    killed
        .on_terminate(move |reason| seen.lock().unwrap().push(format!("f {reason}")))
        .unwrap();
    assert_eq!(killed.call(()), Ok(0)); // The function is registered by now.
    rt.kill(killed.id());
    assert_eq!(watch.wait_timeout(LONG), Ok(ExitReason::Killed));
    for _ in 0..1_000 {
        if lines.lock().unwrap().len() == 4 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    assert_eq!(lines.lock().unwrap()[3..], ["f killed"]);
}

#[test]
fn calls_and_casts_by_registered_name_resolve_the_name_when_sent() {
    let rt = Runtime::new();
    assert_eq!(
        rt.call_named::<Count>("count", ()).map_err(CallError::from),
        Err(CallError::NoProcess)
    );
    rt.cast_named::<Count>("count", 1); // Nobody holds the name: dropped.
    let first = rt.start_named::<Count>("count", log()).unwrap();
    rt.cast_named::<Count>("count", 3);
    assert_eq!(rt.call_named::<Count>("count", ()), Ok(3));
    first.stop(ExitReason::Normal).unwrap();
    let second = rt.start_named::<Count>("count", log()).unwrap();
    assert_eq!(
        rt.call_named::<Count>("count", ()),
        Ok(0),
        "the name's new holder"
    );
    // A server of another type under the name is not found.
    assert_eq!(
        rt.call_named::<crate::probe::Probe>("count", crate::probe::Call::Echo(1))
            .map_err(CallError::from),
        Err(CallError::NoProcess)
    );
    second.stop(ExitReason::Normal).unwrap();
}

#[test]
fn an_async_caller_awaits_the_reply_and_is_woken_by_it() {
    use crate::probe::{Call, new_log, start};
    let rt = Runtime::new();
    let probe = start(&rt, &new_log());
    assert_eq!(block_on(probe.call_async(Call::Echo(3))), Ok(3));
    // A deferred reply from another thread wakes the parked caller.
    let held = probe.call_async(Call::Hold);
    crate::probe::await_held(&probe, 1);
    let releaser = {
        let probe = probe.clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(20));
            probe.call(Call::ReleaseAll(9))
        })
    };
    assert_eq!(block_on(held), Ok(9));
    assert_eq!(releaser.join().unwrap(), Ok(9));
    // A call to a dead server fails at once.
    probe.stop(ExitReason::Normal).unwrap();
    assert_eq!(
        block_on(probe.call_async(Call::Echo(1))).map_err(CallError::from),
        Err(CallError::NoProcess)
    );
}

#[test]
fn errors_name_the_server_they_concern_by_id_and_name() {
    let rt = Runtime::new();
    let count = rt.start_named::<Count>("count", log()).unwrap();
    count.stop(ExitReason::Normal).unwrap();
    let name = Some(Arc::from("count"));
    let gone = count.call(()).unwrap_err();
    assert_eq!((gone.id, &gone.name), (Some(count.id()), &name));
    assert_eq!(gone, CallError::NoProcess);
    let text = format!("server {} \"count\": no such process", count.id());
    assert_eq!(gone.to_string(), text);
    // Every way a handle can fail names it: stop, update, term!, a pending call.
    for error in [
        count.stop(ExitReason::Normal).unwrap_err(),
        count.update(|_| ()).unwrap_err(),
        count.on_terminate(|_| ()).unwrap_err(),
        count.call_async(()).wait().unwrap_err(),
        block_on(count.call_async(())).unwrap_err(),
    ] {
        assert_eq!(error.to_string(), text);
    }
    // A name that nobody holds: the error names it, with no id.
    let unknown = rt.call_named::<Count>("count", ()).unwrap_err();
    assert_eq!((unknown.id, unknown.name), (None, name));
    assert_eq!(
        rt.call_named::<Count>("nobody", ())
            .unwrap_err()
            .to_string(),
        "server \"nobody\": no such process"
    );
}

#[test]
fn an_unnamed_server_is_named_by_its_id() {
    let rt = Runtime::new();
    let count = rt.start::<Count>(log()).unwrap();
    rt.kill(count.id());
    let error = count.call(()).unwrap_err();
    assert_eq!(error.name, None);
    assert_eq!(
        error.to_string(),
        format!("server {}: no such process", count.id())
    );
}
