//! Rule 8: a bounded mailbox refuses what would exceed its limit (calls, casts, infos sent
//! and not yet handled), never the runtime's own traffic; a handle's caller chooses to wait
//! for room or to fail, a server's own sends never wait.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::Duration;

use genserver::{
    CallError, CallResult, Ctx, ExitReason, Full, GenServer, OnFull, ReplyTo, Runtime, Server,
    ServerRef, StartOptions, Timeout,
};

use crate::probe::LONG;

/// A gate a callback is held at until the test opens it; the test can wait until a
/// callback has reached it.
#[derive(Clone, Default)]
struct Gate(Arc<(Mutex<(bool, bool)>, Condvar)>);

impl Gate {
    fn open(&self) {
        self.0.0.lock().unwrap().1 = true;
        self.0.1.notify_all();
    }

    /// Waits until a callback is held at the gate.
    fn reached(&self) {
        let mut state = self.0.0.lock().unwrap();
        while !state.0 {
            state = self.0.1.wait(state).unwrap();
        }
    }

    fn pass(&self) {
        let mut state = self.0.0.lock().unwrap();
        state.0 = true;
        self.0.1.notify_all();
        while !state.1 {
            state = self.0.1.wait(state).unwrap();
        }
    }
}

/// Counts its casts; the call `Hold` blocks its callback at the gate, so nothing behind it
/// is handled until the gate opens.
struct Held {
    casts: Vec<u32>,
    gate: Gate,
}

#[derive(Debug)]
enum Call {
    Hold,
    Casts,
}

impl GenServer for Held {
    type Args = Gate;
    type Call = Call;
    type Reply = Vec<u32>;
    type Cast = u32;
    type Info = ();
    type Continue = ();

    fn init(gate: Gate, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Held {
            casts: Vec::new(),
            gate,
        })
    }

    fn handle_call(
        &mut self,
        call: Call,
        _: ReplyTo<Vec<u32>>,
        _: &mut Ctx<Self>,
    ) -> CallResult<Vec<u32>> {
        if let Call::Hold = call {
            self.gate.pass();
        }
        CallResult::Reply(self.casts.clone())
    }

    fn handle_cast(&mut self, n: u32, _: &mut Ctx<Self>) {
        self.casts.push(n);
    }
}

/// A server bounded to `limit`, held in a callback (so what comes next waits) with its
/// mailbox filled by casts of 0, its gate, and the thread whose call holds it.
fn held(rt: &Runtime, limit: usize) -> (Server<Held>, Gate, thread::JoinHandle<()>) {
    let gate = Gate::default();
    let options = StartOptions::default().bounded(limit);
    let server = rt.start_with::<Held>(gate.clone(), options).unwrap();
    let holder = {
        let server = server.clone().with_timeout(LONG);
        thread::spawn(move || drop(server.call(Call::Hold)))
    };
    gate.reached();
    for _ in 0..limit {
        assert_eq!(server.try_cast(0), Ok(()));
    }
    (server, gate, holder)
}

#[test]
fn a_full_mailbox_refuses_a_cast_and_hands_it_back_then_takes_casts_again_once_drained() {
    let rt = Runtime::new();
    let (server, gate, holder) = held(&rt, 3);
    assert_eq!(server.try_cast(7), Err(Full(7)));
    gate.open();
    holder.join().unwrap();
    let casts = server.call(Call::Casts).unwrap();
    // Each refused cast came back; what was taken is exactly the limit.
    assert_eq!(casts.len(), 3, "{casts:?}");
    assert_eq!(server.try_cast(8), Ok(()));
    assert_eq!(server.call(Call::Casts).unwrap().last(), Some(&8));
}

#[test]
fn a_call_fails_at_once_with_full_when_its_handle_says_so_and_waits_for_room_by_default() {
    let rt = Runtime::new();
    let (server, gate, holder) = held(&rt, 1);
    let failing = server.clone().on_full(OnFull::Fail);
    let refused = failing.call(Call::Casts).unwrap_err();
    assert_eq!(
        (refused.error, refused.id),
        (CallError::Full, Some(server.id()))
    );
    // Waiting for room within a short timeout: still full, so it times out.
    let short = server.call_timeout(Call::Casts, Timeout::millis(30));
    assert_eq!(short.map_err(CallError::from), Err(CallError::Timeout));
    // Waiting with room to come: the call goes through once the gate opens.
    let waiting = {
        let server = server.clone().with_timeout(LONG);
        thread::spawn(move || server.call(Call::Casts).map(|casts| casts.len()))
    };
    gate.open();
    holder.join().unwrap();
    assert_eq!(waiting.join().unwrap(), Ok(1));
}

#[test]
fn a_cast_waits_for_room_and_is_never_lost() {
    let rt = Runtime::new();
    let (server, gate, holder) = held(&rt, 1);
    let sent = Arc::new(AtomicBool::new(false));
    let caster = {
        let (server, sent) = (server.clone(), Arc::clone(&sent));
        thread::spawn(move || {
            server.cast(9);
            sent.store(true, Ordering::SeqCst);
        })
    };
    thread::sleep(Duration::from_millis(30));
    assert!(
        !sent.load(Ordering::SeqCst),
        "a cast went past a full mailbox"
    );
    gate.open();
    holder.join().unwrap();
    caster.join().unwrap();
    assert_eq!(server.call(Call::Casts).unwrap(), vec![0, 9]);
}

#[test]
fn a_query_to_a_full_mailbox_is_queued_not_refused() {
    let rt = Runtime::new();
    let (server, gate, holder) = held(&rt, 1);
    let query = {
        let server = server.clone();
        thread::spawn(move || server.query(|state| state.casts.len()))
    };
    gate.open();
    holder.join().unwrap();
    assert_eq!(query.join().unwrap().map_err(CallError::from), Ok(1));
}

#[test]
fn a_stop_a_monitor_and_on_terminate_reach_a_full_mailbox() {
    let rt = Runtime::new();
    let (server, gate, holder) = held(&rt, 1);
    let watch = rt.monitor(server.id());
    let terminated = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&terminated);
    server
        .on_terminate(move |_| flag.store(true, Ordering::SeqCst))
        .unwrap();
    let stopper = {
        let server = server.clone();
        thread::spawn(move || server.stop(ExitReason::Normal))
    };
    gate.open();
    holder.join().unwrap();
    assert_eq!(stopper.join().unwrap().map_err(CallError::from), Ok(()));
    assert_eq!(
        watch.wait_timeout(LONG).map_err(CallError::from),
        Ok(ExitReason::Normal)
    );
    assert!(terminated.load(Ordering::SeqCst));
}

/// Runs `send` on a thread of its own and returns what it returned, failing if it is
/// still running after 10 s (a sender waiting for room that will never come).
fn within_10_s<T: Send + 'static>(send: impl FnOnce() -> T + Send + 'static) -> T {
    let (done, outcome) = std::sync::mpsc::channel();
    thread::spawn(move || done.send(send()));
    outcome
        .recv_timeout(Duration::from_secs(10))
        .expect("a sender still waits for room")
}

#[test]
fn a_dead_bounded_server_drops_casts_at_once_though_it_died_full() {
    let rt = Runtime::new();
    let (server, gate, holder) = held(&rt, 1);
    rt.kill(server.id());
    gate.open();
    holder.join().unwrap();
    // Its one place stays taken: it is gone, not full.
    let dead = server.clone();
    within_10_s(move || dead.cast(1));
    assert_eq!(server.try_cast(2), Ok(()));
    assert_eq!(
        server.call(Call::Casts).map_err(CallError::from),
        Err(CallError::NoProcess)
    );
}

#[test]
fn a_call_waiting_for_room_fails_at_once_when_the_server_is_killed() {
    let rt = Runtime::new();
    let (server, gate, holder) = held(&rt, 1);
    let waiting = server.clone();
    let (done, outcome) = std::sync::mpsc::channel();
    thread::spawn(move || {
        let call = waiting.call_timeout(Call::Casts, Timeout::Infinity);
        done.send(call.map_err(CallError::from))
    });
    // The call waits for room (the server is held); a kill fails it at once, though the
    // held callback keeps the task from exiting.
    thread::sleep(Duration::from_millis(20));
    rt.kill(server.id());
    let outcome = outcome.recv_timeout(Duration::from_secs(10));
    gate.open();
    holder.join().unwrap();
    // (`NoProcess` if the kill came before the call was sent.)
    let outcome = outcome.expect("the call still waits for room");
    assert!(
        matches!(
            outcome,
            Err(CallError::Exited(ExitReason::Killed) | CallError::NoProcess)
        ),
        "{outcome:?}"
    );
}

#[test]
fn a_supervised_child_is_bounded_by_its_spec() {
    use genserver::runtime::Spawner;
    use genserver::supervisor::{ChildSpec, Strategy, Supervisor, SupervisorSpec};

    let rt = Runtime::new();
    let gate = Gate::default();
    let args = gate.clone();
    let child = ChildSpec::new::<Held>("held", move || args.clone())
        .named("held")
        .bounded(1);
    let spec = SupervisorSpec::<Spawner>::new(Strategy::OneForOne).child(child);
    let _supervisor = rt.start::<Supervisor<Spawner>>(spec).unwrap();
    let server = rt.whereis::<Held>("held").expect("started");
    let holder = {
        let server = server.clone().with_timeout(LONG);
        thread::spawn(move || drop(server.call(Call::Hold)))
    };
    gate.reached();
    assert_eq!(server.try_cast(0), Ok(()));
    assert_eq!(server.try_cast(1), Err(Full(1)));
    gate.open();
    holder.join().unwrap();
}

/// Calls a server from its callback (an effect): the outcome comes back as info.
struct Relay {
    outcomes: Vec<Result<Vec<u32>, CallError>>,
}

impl GenServer for Relay {
    type Args = ();
    type Call = ();
    type Reply = Vec<Result<Vec<u32>, CallError>>;
    type Cast = ServerRef<Held>;
    type Info = Result<Vec<u32>, CallError>;
    type Continue = ();

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Relay {
            outcomes: Vec::new(),
        })
    }

    fn handle_call(
        &mut self,
        _: (),
        _: ReplyTo<Self::Reply>,
        _: &mut Ctx<Self>,
    ) -> CallResult<Self::Reply> {
        CallResult::Reply(self.outcomes.clone())
    }

    fn handle_cast(&mut self, to: ServerRef<Held>, ctx: &mut Ctx<Self>) {
        ctx.cast(to, 5);
        ctx.call(to, Call::Casts, LONG, |outcome| outcome);
    }

    fn handle_info(&mut self, outcome: Self::Info, _: &mut Ctx<Self>) {
        self.outcomes.push(outcome);
    }
}

#[test]
fn a_servers_own_call_to_a_full_mailbox_fails_at_once_and_its_cast_is_dropped() {
    let rt = Runtime::new();
    let (server, gate, holder) = held(&rt, 1);
    let relay = rt.start::<Relay>(()).unwrap();
    relay.cast(server.addr());
    let outcomes = (0..5_000)
        .map(|_| {
            thread::sleep(Duration::from_millis(1));
            relay.call(()).unwrap()
        })
        .find(|outcomes| !outcomes.is_empty());
    let outcomes = outcomes.expect("the relay's call has an outcome within 5 s");
    assert_eq!(outcomes, vec![Err(CallError::Full)]);
    gate.open();
    holder.join().unwrap();
    // The relay's cast of 5 was dropped, not queued behind the hold.
    assert_eq!(server.call(Call::Casts).unwrap(), vec![0]);
}

/// Casts to itself through a handle of its own from a callback.
struct Selfish {
    me: Option<Server<Selfish>>,
    casts: u32,
}

impl GenServer for Selfish {
    type Args = ();
    type Call = u32;
    type Reply = u32;
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Selfish { me: None, casts: 0 })
    }

    fn handle_call(&mut self, casts: u32, _: ReplyTo<u32>, _: &mut Ctx<Self>) -> CallResult<u32> {
        let me = self.me.as_ref().expect("given its handle");
        for _ in 0..casts {
            me.cast(());
        }
        CallResult::Reply(self.casts)
    }

    fn handle_cast(&mut self, _: (), _: &mut Ctx<Self>) {
        self.casts += 1;
    }
}

#[test]
fn a_callback_casting_to_its_own_full_mailbox_drops_the_cast_instead_of_waiting_for_itself() {
    let rt = Runtime::new();
    let selfish = rt
        .start_with::<Selfish>((), StartOptions::default().bounded(1))
        .unwrap();
    let me = selfish.clone();
    selfish.update(move |state| state.me = Some(me)).unwrap();
    // The first cast takes the one place; the second would wait for the server itself.
    assert_eq!(
        selfish.call_timeout(2, LONG).map_err(CallError::from),
        Ok(0)
    );
    assert_eq!(selfish.call(0).map_err(CallError::from), Ok(1));
    selfish.update(|state| state.me = None).unwrap();
}

/// Says it entered its call, sleeps in it for the milliseconds it is asked, then replies
/// them.
struct Sleepy(Arc<AtomicBool>);

impl GenServer for Sleepy {
    type Args = Arc<AtomicBool>;
    type Call = u64;
    type Reply = u64;
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(entered: Arc<AtomicBool>, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Sleepy(entered))
    }

    fn handle_call(&mut self, ms: u64, _: ReplyTo<u64>, _: &mut Ctx<Self>) -> CallResult<u64> {
        self.0.store(true, Ordering::SeqCst);
        thread::sleep(Duration::from_millis(ms));
        CallResult::Reply(ms)
    }
}

#[test]
fn a_call_waiting_for_room_then_for_its_reply_keeps_one_deadline() {
    let rt = Runtime::new();
    let entered = Arc::new(AtomicBool::new(false));
    let options = StartOptions::default().bounded(1);
    let server = rt
        .start_with::<Sleepy>(Arc::clone(&entered), options)
        .unwrap();
    // The server sleeps 400 ms in a call while a cast fills its mailbox.
    let busy = {
        let server = server.clone().with_timeout(LONG);
        thread::spawn(move || server.call(400))
    };
    while !entered.load(Ordering::SeqCst) {
        thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(server.try_cast(()), Ok(()));
    // Room comes when the first call ends (under 400 ms from now), the reply 400 ms after
    // that: past a 550 ms timeout that counts the wait for room, within one that would
    // start again once the call is queued.
    let outcome = server.call_timeout(400, Timeout::millis(550));
    assert_eq!(outcome.map_err(CallError::from), Err(CallError::Timeout));
    assert_eq!(busy.join().unwrap(), Ok(400));
}
