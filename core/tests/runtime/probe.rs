//! A test server whose every call exercises one rule of the semantics.

use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use genserver::{
    CallError, CallResult, Ctx, ExitReason, GenServer, ReplyTo, Runtime, Server, ServerRef, Timeout,
};

/// What the probe writes down, shared with the test.
pub type Log = Arc<Mutex<Vec<String>>>;

pub fn new_log() -> Log {
    Arc::new(Mutex::new(Vec::new()))
}

pub fn entries(log: &Log) -> Vec<String> {
    log.lock().unwrap().clone()
}

/// How to start a probe.
pub struct ProbeArgs {
    pub log: Log,
    pub fail_init: Option<ExitReason>,
    pub panic_in_init: bool,
    /// `init` waits for a message here before returning (to look at the registry meanwhile).
    pub init_gate: Option<(Sender<()>, Receiver<()>)>,
    pub continue_after_init: bool,
    /// `terminate` sleeps this long before it notes its reason (widens exit-order races).
    pub terminate_delay: Duration,
}

impl ProbeArgs {
    pub fn new(log: &Log) -> Self {
        ProbeArgs {
            log: Arc::clone(log),
            fail_init: None,
            panic_in_init: false,
            init_gate: None,
            continue_after_init: false,
            terminate_delay: Duration::ZERO,
        }
    }
}

#[derive(Debug)]
pub enum Call {
    Echo(i64),
    /// Keep the token: the reply comes later (or never).
    Hold,
    /// Reply to every held token with this value.
    ReleaseAll(i64),
    Panic,
    /// Reply, then stop with this reason.
    ReplyAndStop(i64, ExitReason),
    /// Call the peer (set with `Cast::SetPeer`) with this request and timeout; the reply
    /// comes when its outcome does.
    AskPeer(Box<Call>, Timeout),
    /// How many tokens are held.
    HeldCount,
    /// Call the peer, whose outcome makes `handle_info` panic; then cast `Record("after the
    /// panic")` to the peer and reply 99 (neither may happen).
    CrashInOutcome,
    /// Call oneself through the effect API.
    AskSelf,
    /// Call oneself through the threaded handle kept in the state.
    AskSelfByHandle,
    /// Hand the token to a new thread that replies with this value.
    ReplyFromThread(i64),
    /// Drop the token without replying.
    DropToken,
    /// Reply when a timer of this many milliseconds fires.
    ReplyAfterTimer(u64),
    /// Set a timer for 1 ms and one for 20 ms, cancel the first, reply when one fires.
    CancelFirstTimer,
    /// Block the server until the test sends on this channel, then reply.
    Gate(Receiver<()>),
    /// Say so on the first channel once inside the callback, then block as `Gate`.
    SignalThenGate(Sender<()>, Receiver<()>),
    /// Try replying late to every held token; reply with how many were accepted.
    LateReplies(i64),
}

#[derive(Debug)]
pub enum Cast {
    Record(String),
    Stop(ExitReason),
    Panic,
    SetPeer(ServerRef<Probe>),
    SetHandle(Server<Probe>),
    /// Cast `Record("relayed")` to this address (which may wrongly name a server of another
    /// type).
    RelayTo(ServerRef<Probe>),
}

#[derive(Debug)]
pub enum Info {
    Outcome(Result<i64, CallError>),
    TimerFired(u64),
    Explode,
}

pub struct Probe {
    log: Log,
    held: Vec<ReplyTo<i64>>,
    waiting: Option<ReplyTo<i64>>,
    peer: Option<ServerRef<Probe>>,
    handle: Option<Server<Probe>>,
    terminate_delay: Duration,
}

impl Probe {
    fn note(&self, entry: impl Into<String>) {
        self.log.lock().unwrap().push(entry.into());
    }
}

impl GenServer for Probe {
    type Args = ProbeArgs;
    type Call = Call;
    type Reply = i64;
    type Cast = Cast;
    type Info = Info;
    type Continue = &'static str;

    fn init(args: ProbeArgs, ctx: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        if let Some((started, proceed)) = args.init_gate {
            started.send(()).unwrap();
            proceed.recv().unwrap();
        }
        if args.panic_in_init {
            panic!("init exploded");
        }
        if let Some(reason) = args.fail_init {
            return Err(reason);
        }
        if args.continue_after_init {
            ctx.continue_with("after init");
        }
        Ok(Probe {
            log: args.log,
            held: Vec::new(),
            waiting: None,
            peer: None,
            handle: None,
            terminate_delay: args.terminate_delay,
        })
    }

    fn handle_call(
        &mut self,
        request: Call,
        from: ReplyTo<i64>,
        ctx: &mut Ctx<Self>,
    ) -> CallResult<i64> {
        match request {
            Call::Echo(value) => CallResult::Reply(value),
            Call::Hold => {
                self.held.push(from);
                CallResult::NoReply
            }
            Call::ReleaseAll(value) => {
                for token in self.held.drain(..) {
                    ctx.reply(&token, value);
                }
                CallResult::Reply(value)
            }
            Call::Panic => panic!("handle_call exploded"),
            Call::ReplyAndStop(value, reason) => {
                ctx.stop(reason);
                CallResult::Reply(value)
            }
            Call::AskPeer(request, timeout) => {
                let peer = self.peer.expect("peer set");
                ctx.call(peer, *request, timeout, Info::Outcome);
                self.waiting = Some(from);
                CallResult::NoReply
            }
            Call::AskSelf => {
                ctx.call(ctx.me(), Call::Echo(1), Timeout::Infinity, Info::Outcome);
                self.waiting = Some(from);
                CallResult::NoReply
            }
            Call::AskSelfByHandle => {
                let handle = self.handle.as_ref().expect("handle set");
                let refused = [
                    handle.call_timeout(Call::Echo(1), Timeout::Infinity).err(),
                    handle.query(|_| ()).err(),
                    handle.stop(ExitReason::Normal).err(),
                ]
                .map(|error| error.map(CallError::from));
                match refused {
                    [
                        Some(CallError::CallingSelf),
                        Some(CallError::CallingSelf),
                        Some(CallError::CallingSelf),
                    ] => CallResult::Reply(-1),
                    other => panic!("expected CallingSelf three times, got {other:?}"),
                }
            }
            Call::ReplyFromThread(value) => {
                std::thread::spawn(move || {
                    std::thread::sleep(Duration::from_millis(5));
                    from.reply(value);
                });
                CallResult::NoReply
            }
            Call::DropToken => CallResult::NoReply,
            Call::ReplyAfterTimer(ms) => {
                ctx.set_timer(Duration::from_millis(ms), Info::TimerFired(ms));
                self.waiting = Some(from);
                CallResult::NoReply
            }
            Call::CancelFirstTimer => {
                let first = ctx.set_timer(Duration::from_millis(1), Info::TimerFired(1));
                ctx.set_timer(Duration::from_millis(20), Info::TimerFired(20));
                ctx.cancel_timer(first);
                self.waiting = Some(from);
                CallResult::NoReply
            }
            Call::HeldCount => CallResult::Reply(self.held.len() as i64),
            Call::CrashInOutcome => {
                let peer = self.peer.expect("peer set");
                ctx.call(peer, Call::Echo(1), LONG, |_| Info::Explode);
                ctx.cast(peer, Cast::Record("after the panic".into()));
                CallResult::Reply(99)
            }
            Call::Gate(gate) => {
                gate.recv().unwrap();
                CallResult::Reply(0)
            }
            Call::SignalThenGate(entered, gate) => {
                entered.send(()).unwrap();
                let _ = gate.recv();
                CallResult::Reply(0)
            }
            Call::LateReplies(value) => {
                let accepted = self
                    .held
                    .drain(..)
                    .filter(|token| token.reply(value))
                    .count();
                CallResult::Reply(accepted as i64)
            }
        }
    }

    fn handle_cast(&mut self, msg: Cast, ctx: &mut Ctx<Self>) {
        match msg {
            Cast::Record(entry) => self.note(entry),
            Cast::Stop(reason) => ctx.stop(reason),
            Cast::Panic => panic!("handle_cast exploded"),
            Cast::SetPeer(peer) => self.peer = Some(peer),
            Cast::SetHandle(handle) => self.handle = Some(handle),
            Cast::RelayTo(to) => ctx.cast(to, Cast::Record("relayed".into())),
        }
    }

    fn handle_info(&mut self, msg: Info, ctx: &mut Ctx<Self>) {
        if let Info::Explode = msg {
            panic!("handle_info exploded");
        }
        let waiting = self.waiting.take().expect("a call waits for this info");
        match msg {
            Info::Outcome(Ok(value)) => ctx.reply(&waiting, value),
            Info::Outcome(Err(error)) => {
                self.note(format!("outcome: {error}"));
                ctx.reply(&waiting, -1);
            }
            Info::Explode => unreachable!("handled above"),
            Info::TimerFired(ms) => {
                self.note(format!("timer {ms}"));
                ctx.reply(&waiting, ms as i64);
            }
        }
    }

    fn handle_continue(&mut self, value: &'static str, _: &mut Ctx<Self>) {
        self.note(format!("continue {value}"));
    }

    fn terminate(&mut self, reason: &ExitReason) {
        std::thread::sleep(self.terminate_delay);
        self.note(format!("terminate {reason}"));
    }
}

/// Starts a plain probe.
pub fn start(rt: &Runtime, log: &Log) -> Server<Probe> {
    rt.start::<Probe>(ProbeArgs::new(log))
        .expect("probe starts")
}

/// Asks the peer-calling probe to call its peer with `Echo(7)`.
pub fn call_peer_echo(timeout: Timeout) -> Call {
    Call::AskPeer(Box::new(Call::Echo(7)), timeout)
}

/// Waits (polling, bounded) until `probe` holds `count` reply tokens.
pub fn await_held(probe: &Server<Probe>, count: i64) {
    for _ in 0..10_000 {
        if probe.call(Call::HeldCount) == Ok(count) {
            return;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    panic!("the probe never held {count} tokens");
}

/// A timeout long enough that hitting it means the rule under test is broken.
pub const LONG: Timeout = Timeout::After(Duration::from_secs(60));
