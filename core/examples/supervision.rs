//! A small supervision tree on the threaded runtime: a supervisor with two workers, a
//! registered counter and a registered greeter. The counter crashes; the supervisor restarts
//! it (a fresh instance, state reset, under the same name) and clients find it again.
//!
//! Run with `cargo run -p genserver --example supervision`.

use std::time::Duration;

use genserver::runtime::Spawner;
use genserver::supervisor::{
    ChildSpec, Strategy, Supervisor, SupervisorCall, SupervisorReply, SupervisorSpec,
};
use genserver::{
    CallError, CallResult, Ctx, ExitReason, GenServer, ProcessId, ReplyTo, Runtime, Server,
};

/// A counter that crashes when asked to add zero.
pub struct Counter(u64);

impl GenServer for Counter {
    type Args = ();
    type Call = u64;
    type Reply = u64;
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Counter(0))
    }

    fn handle_call(&mut self, by: u64, _: ReplyTo<u64>, _: &mut Ctx<Self>) -> CallResult<u64> {
        assert!(by > 0, "asked to add zero");
        self.0 += by;
        CallResult::Reply(self.0)
    }
}

/// A greeter that never fails.
pub struct Greeter;

impl GenServer for Greeter {
    type Args = ();
    type Call = String;
    type Reply = String;
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Greeter)
    }

    fn handle_call(
        &mut self,
        name: String,
        _: ReplyTo<String>,
        _: &mut Ctx<Self>,
    ) -> CallResult<String> {
        CallResult::Reply(format!("hello, {name}"))
    }
}

/// The tree's supervisor.
pub type Sup = Supervisor<Spawner>;

/// Starts the tree: `counter` and `greeter`, one for one, at most 3 restarts in 5 s. The
/// children are running (and registered) when this returns.
pub fn start_tree(rt: &Runtime) -> Result<Server<Sup>, genserver::StartError> {
    let spec = SupervisorSpec::new(Strategy::OneForOne)
        .intensity(3, Duration::from_secs(5))
        .child(ChildSpec::new::<Counter>("counter", || ()).named("counter"))
        .child(ChildSpec::new::<Greeter>("greeter", || ()).named("greeter"));
    rt.start::<Sup>(spec)
}

/// Waits (up to 5 s) until a counter other than `old` is registered, and returns it.
pub fn restarted_counter(rt: &Runtime, old: ProcessId) -> Option<Server<Counter>> {
    for _ in 0..5_000 {
        if let Some(counter) = rt.whereis::<Counter>("counter").filter(|c| c.id() != old) {
            return Some(counter);
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    None
}

/// What the session saw, for the test of this example.
#[derive(Debug, PartialEq, Eq)]
pub struct Session {
    /// The counter's answers before the crash.
    pub before: Vec<u64>,
    /// What the crashing call got.
    pub crash: Result<u64, CallError>,
    /// A call to the dead instance, after the restart.
    pub old_instance: Result<u64, CallError>,
    /// The restarted counter's first answer (its state starts over).
    pub after: u64,
    /// The greeter, untouched by the counter's crash.
    pub greeting: String,
}

/// Runs the session: count, crash the counter, find its restarted instance, stop the tree.
pub fn session(rt: &Runtime) -> Result<Session, Box<dyn std::error::Error>> {
    let tree = start_tree(rt)?;
    let counter = rt.whereis::<Counter>("counter").ok_or("no counter")?;
    let greeter = rt.whereis::<Greeter>("greeter").ok_or("no greeter")?;
    let before = vec![counter.call(1)?, counter.call(2)?];
    let crash = counter.call(0).map_err(CallError::from);
    let restarted = restarted_counter(rt, counter.id()).ok_or("the counter was not restarted")?;
    let session = Session {
        before,
        crash,
        old_instance: counter.call(1).map_err(CallError::from),
        after: restarted.call(5)?,
        greeting: greeter.call("tree".into())?,
    };
    match tree.call(SupervisorCall::Stop)? {
        SupervisorReply::Stopped => Ok(session),
        other => Err(format!("the supervisor answered {other:?}").into()),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The counter's deliberate panic would print a backtrace note; keep the output short.
    std::panic::set_hook(Box::new(|info| eprintln!("(a worker panicked: {info})")));
    let rt = Runtime::new();
    let s = session(&rt)?;
    println!("counter before the crash: {:?}", s.before);
    println!("the crashing call:         {:?}", s.crash);
    println!("the dead instance:         {:?}", s.old_instance);
    println!("the restarted counter:     {}", s.after);
    println!("the greeter meanwhile:     {}", s.greeting);
    Ok(())
}
