//! End-to-end loom models of `genserver::Runtime` at the smallest scale: one client thread
//! (the model's main thread) and one server thread, spawned by the runtime through core's sync
//! shim. A call returns the reply; a handler panicking during a call gives the caller an
//! error, never a hang (a hang is a loom deadlock); and, with a second client thread, a call
//! racing a stop gets the reply or an error, never a hang; a reply deferred by the server and
//! given on another client's cast arrives, and a deferred call still open when the server
//! stops fails with the exit reason. Each model ends with the server
//! stopped (or exited by itself), so every thread finishes and every loom `Arc` is dropped.
//!
//! The same models also run against the mini runtime of `genserver_checks::broken`, built
//! from the real parts (it must pass) and from broken ones or with a flaw (loom must reject).
#![cfg(loom)]

use std::marker::PhantomData;

use genserver::engine::{Mailbox, ReplyLink};
use genserver::{
    CallError, CallResult, Ctx, ExitReason, GenServer, ProcessId, ReplyTo, Runtime, Server,
    ServerRef, Timeout,
};
use genserver_checks::api::{LinkApi, MailboxApi};
use genserver_checks::broken::mini_runtime::{Envelope, Flaw, MiniServer, Request, handle};
use genserver_checks::broken::{EarlyNotifyLink, LostWakeupMailbox};
use genserver_checks::model::{check, check_rejected};
use loom::thread;

/// The runtime models' bound, stated apart from the unit models' since they are the heaviest.
const BOUND: usize = 3;

/// The models' server: replies `n + 1` to `Add(n)`, panics on `Panic`.
struct Echo;

impl GenServer for Echo {
    type Args = ();
    type Call = Request;
    type Reply = u32;
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Echo)
    }

    fn handle_call(
        &mut self,
        request: Request,
        _: ReplyTo<u32>,
        _: &mut Ctx<Self>,
    ) -> CallResult<u32> {
        CallResult::Reply(handle(request))
    }
}

/// A server answering calls later: `handle_call` keeps the token, and a cast `v` replies `v`
/// through it (if the cast comes first, the next call is answered at once).
#[derive(Default)]
struct Later {
    waiting: Option<ReplyTo<u32>>,
    released: Option<u32>,
}

impl GenServer for Later {
    type Args = ();
    type Call = ();
    type Reply = u32;
    type Cast = u32;
    type Info = ();
    type Continue = ();

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Later::default())
    }

    fn handle_call(&mut self, _: (), from: ReplyTo<u32>, _: &mut Ctx<Self>) -> CallResult<u32> {
        match self.released.take() {
            Some(value) => CallResult::Reply(value),
            None => {
                self.waiting = Some(from);
                CallResult::NoReply
            }
        }
    }

    fn handle_cast(&mut self, value: u32, ctx: &mut Ctx<Self>) {
        match self.waiting.take() {
            Some(token) => ctx.reply(&token, value),
            None => self.released = Some(value),
        }
    }
}

/// A server that, on a cast, calls an [`Echo`] server and waits (for ever) for the outcome.
struct Caller {
    echo: ServerRef<Echo>,
}

impl GenServer for Caller {
    type Args = ProcessId;
    type Call = ();
    type Reply = ();
    type Cast = ();
    type Info = Result<u32, CallError>;
    type Continue = ();

    fn init(echo: ProcessId, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Caller {
            echo: ServerRef::new(echo),
        })
    }

    fn handle_call(&mut self, _: (), _: ReplyTo<()>, _: &mut Ctx<Self>) -> CallResult<()> {
        CallResult::Reply(())
    }

    fn handle_cast(&mut self, _: (), ctx: &mut Ctx<Self>) {
        ctx.call(self.echo, Request::Add(1), Timeout::Infinity, |outcome| {
            outcome
        });
    }
}

/// What the clients do with a server: the real runtime, or the mini one.
trait Engine {
    type Handle: Clone + 'static;
    fn start() -> Self::Handle;
    fn call(server: &Self::Handle, request: Request) -> Result<u32, CallError>;
    fn stop(server: &Self::Handle) -> Result<(), CallError>;
}

/// `genserver::Runtime` itself.
struct Real;

impl Engine for Real {
    type Handle = Server<Echo>;

    fn start() -> Server<Echo> {
        Runtime::new().start::<Echo>(()).expect("start")
    }
    fn call(server: &Server<Echo>, request: Request) -> Result<u32, CallError> {
        // With the handle's default 5 s timeout: under loom its timed waits never time out,
        // and the deadline, read from the real clock, is not reached within one execution.
        server.call(request).map_err(CallError::from)
    }
    fn stop(server: &Server<Echo>) -> Result<(), CallError> {
        server.stop(ExitReason::Normal).map_err(CallError::from)
    }
}

/// Which [`Flaw`] a mini runtime has.
trait FlawKind {
    const FLAW: Flaw;
}
struct Sound;
impl FlawKind for Sound {
    const FLAW: Flaw = Flaw::None;
}
struct KeepServingAfterPanic;
impl FlawKind for KeepServingAfterPanic {
    const FLAW: Flaw = Flaw::KeepServingAfterPanic;
}
struct NoCloseOnExit;
impl FlawKind for NoCloseOnExit {
    const FLAW: Flaw = Flaw::NoCloseOnExit;
}

/// The mini runtime over mailbox `M` and links `L`, with flaw `F`.
struct Mini<M, L, F>(PhantomData<(M, L, F)>);

impl<M, L, F> Engine for Mini<M, L, F>
where
    M: MailboxApi<Envelope<L>>,
    L: LinkApi<u32>,
    F: FlawKind,
{
    type Handle = MiniServer<M, L>;

    fn start() -> MiniServer<M, L> {
        MiniServer::start(F::FLAW)
    }
    fn call(server: &MiniServer<M, L>, request: Request) -> Result<u32, CallError> {
        server.call(request)
    }
    fn stop(server: &MiniServer<M, L>) -> Result<(), CallError> {
        server.stop()
    }
}

/// The mini runtime from the real mailbox and link, with flaw `F`.
type MiniOf<F> = Mini<Mailbox<Envelope<ReplyLink<u32>>>, ReplyLink<u32>, F>;

/// Start; a call returns its reply; stop, and the server has exited.
fn call_returns_reply<E: Engine>() {
    let server = E::start();
    assert_eq!(
        E::call(&server, Request::Add(1)),
        Ok(2),
        "the call did not return the reply"
    );
    assert_eq!(E::stop(&server), Ok(()));
    assert_eq!(E::call(&server, Request::Add(1)), Err(CallError::NoProcess));
}

/// Start; the handler panics during a call: the caller gets an error, not a hang. The server
/// exits by itself; a later call fails at once.
fn handler_panic_fails_call<E: Engine>() {
    let server = E::start();
    match E::call(&server, Request::Panic) {
        Err(CallError::Exited(ExitReason::Panic(text))) => {
            assert!(text.contains("handle_call"), "unexpected reason {text:?}")
        }
        other => panic!("a panicking handler gave the caller {other:?}"),
    }
    let later = E::call(&server, Request::Add(1));
    assert!(
        matches!(later, Err(CallError::NoProcess | CallError::Exited(_))),
        "a call after the server died gave {later:?}"
    );
}

/// A second client stops the server while the first calls it: the call gets its reply, or
/// the exit reason (queued when the server exited), or "no such process" (sent after); the
/// stop succeeds; nobody hangs.
fn call_races_stop<E: Engine>() {
    let server = E::start();
    let stopper = {
        let server = server.clone();
        thread::spawn(move || E::stop(&server))
    };
    let outcome = E::call(&server, Request::Add(1));
    assert!(
        matches!(
            outcome,
            Ok(2) | Err(CallError::Exited(ExitReason::Normal)) | Err(CallError::NoProcess)
        ),
        "a call racing a stop gave {outcome:?}"
    );
    assert_eq!(stopper.join().unwrap(), Ok(()), "the stop failed");
}

#[test]
fn runtime_call_returns_reply() {
    check(
        "runtime: call returns the reply",
        BOUND,
        call_returns_reply::<Real>,
    );
}

#[test]
fn runtime_handler_panic_fails_call() {
    check(
        "runtime: handler panic fails the call",
        BOUND,
        handler_panic_fails_call::<Real>,
    );
}

#[test]
fn runtime_call_races_stop() {
    check(
        "runtime: call races a stop (2 clients)",
        BOUND,
        call_races_stop::<Real>,
    );
}

/// The server defers the call; a second client's cast makes it reply: the caller gets it.
fn runtime_deferred_reply_arrives() {
    let server = Runtime::new().start::<Later>(()).expect("start");
    let releaser = {
        let server = server.clone();
        thread::spawn(move || server.cast(7))
    };
    assert_eq!(server.call(()), Ok(7), "the deferred reply did not arrive");
    releaser.join().unwrap();
    assert_eq!(server.stop(ExitReason::Normal), Ok(()));
}

/// A second client stops the server while the first one's call is (or is about to be)
/// deferred: the caller gets the exit reason (deferred or queued when the server exited) or
/// "no such process" (sent after), never "no reply" and never a hang.
fn runtime_stop_fails_a_deferred_call() {
    let server = Runtime::new().start::<Later>(()).expect("start");
    let stopper = {
        let server = server.clone();
        thread::spawn(move || server.stop(ExitReason::Normal))
    };
    let outcome = server.call(()).map_err(CallError::from);
    assert!(
        matches!(
            outcome,
            Err(CallError::Exited(ExitReason::Normal)) | Err(CallError::NoProcess)
        ),
        "a deferred call open at the server's stop gave {outcome:?}"
    );
    assert_eq!(stopper.join().unwrap(), Ok(()), "the stop failed");
}

#[test]
fn runtime_deferred_reply_from_another_client() {
    check(
        "runtime: deferred reply on another client's cast (2 clients)",
        BOUND,
        runtime_deferred_reply_arrives,
    );
}

#[test]
fn runtime_stop_fails_the_open_deferred_call() {
    check(
        "runtime: stop fails an open deferred call (2 clients)",
        BOUND,
        runtime_stop_fails_a_deferred_call,
    );
}

/// A client kills a server while it calls another server (before, during or after the call):
/// the killed server is gone at once, and every thread ends: no hang and no lock-order
/// deadlock between the killer (registry, then the server's doom flag, then its reply link)
/// and the server threads.
fn runtime_kill_races_a_server_to_server_call() {
    let rt = Runtime::new();
    let echo = rt.start::<Echo>(()).expect("start echo");
    let caller = rt.start::<Caller>(echo.id()).expect("start caller");
    caller.cast(());
    rt.kill(caller.id());
    assert!(!caller.is_alive(), "a killed server still looks alive");
    assert_eq!(caller.call(()).unwrap_err(), CallError::NoProcess);
    assert_eq!(echo.stop(ExitReason::Normal), Ok(()));
}

#[test]
fn runtime_kill_races_a_call_between_servers() {
    check(
        "runtime: kill races a server-to-server call (3 threads)",
        BOUND,
        runtime_kill_races_a_server_to_server_call,
    );
}

#[test]
fn mini_runtime_from_real_parts_passes_the_same_models() {
    check(
        "mini runtime (real parts): call returns the reply",
        BOUND,
        call_returns_reply::<MiniOf<Sound>>,
    );
    check(
        "mini runtime (real parts): handler panic fails the call",
        BOUND,
        handler_panic_fails_call::<MiniOf<Sound>>,
    );
    check(
        "mini runtime (real parts): call races a stop (2 clients)",
        BOUND,
        call_races_stop::<MiniOf<Sound>>,
    );
}

#[test]
#[should_panic(expected = "deadlock")]
fn rejects_runtime_with_mailbox_losing_a_wakeup() {
    check_rejected(
        "broken mini runtime with LostWakeupMailbox: call returns the reply",
        BOUND,
        call_returns_reply::<
            Mini<LostWakeupMailbox<Envelope<ReplyLink<u32>>>, ReplyLink<u32>, Sound>,
        >,
    );
}

#[test]
#[should_panic(expected = "deadlock")]
fn rejects_runtime_with_link_notifying_before_storing() {
    check_rejected(
        "broken mini runtime with EarlyNotifyLink: call returns the reply",
        BOUND,
        call_returns_reply::<
            Mini<Mailbox<Envelope<EarlyNotifyLink<u32>>>, EarlyNotifyLink<u32>, Sound>,
        >,
    );
}

#[test]
#[should_panic(expected = "deadlock")]
fn rejects_runtime_that_keeps_serving_after_a_handler_panic() {
    check_rejected(
        "broken mini runtime, keeps serving after a panic: handler panic fails the call",
        BOUND,
        handler_panic_fails_call::<MiniOf<KeepServingAfterPanic>>,
    );
}

#[test]
#[should_panic(expected = "deadlock")]
fn rejects_runtime_that_does_not_close_its_mailbox_on_exit() {
    check_rejected(
        "broken mini runtime, no close on exit: call races a stop (2 clients)",
        BOUND,
        call_races_stop::<MiniOf<NoCloseOnExit>>,
    );
}
