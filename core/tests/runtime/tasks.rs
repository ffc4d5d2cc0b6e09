//! Servers as tasks on a few worker threads (M:N): many servers, few threads; a server
//! waiting for its own call, or a callback blocking on a handle, holds no worker; async code
//! starts servers and awaits calls.

use std::time::Duration;

use genserver::{
    CallError, CallResult, Ctx, ExitReason, GenServer, ReplyTo, Runtime, Server, ServerRef,
    StartOptions, Timeout,
};

/// A tokio runtime with `workers` worker threads, for servers (`Runtime::on`).
fn pool(workers: usize) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_time()
        .build()
        .expect("a tokio runtime")
}

/// Answers with its number.
struct Numbered(u32);

impl GenServer for Numbered {
    type Args = u32;
    type Call = ();
    type Reply = u32;
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(n: u32, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Numbered(n))
    }

    fn handle_call(&mut self, _: (), _: ReplyTo<u32>, _: &mut Ctx<Self>) -> CallResult<u32> {
        CallResult::Reply(self.0)
    }
}

/// The OS threads of this process (Linux).
#[cfg(target_os = "linux")]
fn os_threads() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status.lines().find(|line| line.starts_with("Threads:"));
    let count = line.and_then(|line| line.split_whitespace().nth(1));
    count.and_then(|n| n.parse().ok()).expect("a thread count")
}

#[cfg(target_os = "linux")]
#[test]
fn thousands_of_servers_run_on_a_few_threads() {
    let rt = Runtime::new();
    let before = os_threads();
    let servers: Vec<Server<Numbered>> = (0..3_000)
        .map(|n| rt.start::<Numbered>(n).expect("starts"))
        .collect();
    let during = os_threads();
    for (n, server) in (0..).zip(&servers) {
        assert_eq!(server.call(()), Ok(n));
    }
    assert_eq!(rt.shutdown(Timeout::millis(30_000)).terminated, 3_000);
    // Other tests of this binary start threads meanwhile; a thread per server would add 3 000.
    assert!(
        during < before + 300,
        "{during} threads with 3 000 servers (from {before})"
    );
}

#[test]
fn async_code_starts_servers_and_awaits_their_replies() {
    let executor = pool(2);
    let rt = Runtime::on(executor.handle().clone()).expect("a multi-threaded runtime with time");
    let count = 20_000u32;
    let answered = executor.block_on(async {
        let starts = (0..count).map(|n| {
            let rt = rt.clone();
            tokio::spawn(async move {
                let server = rt.start_async::<Numbered>(n, StartOptions::default());
                let server = server.await.expect("starts");
                (n, server.call_async(()).await)
            })
        });
        let tasks: Vec<_> = starts.collect();
        let mut answered = 0;
        for task in tasks {
            let (n, reply) = task.await.expect("a task");
            assert_eq!(reply, Ok(n));
            answered += 1;
        }
        answered
    });
    assert_eq!(answered, count);
    let report = rt.shutdown(Timeout::millis(30_000));
    assert_eq!((report.terminated, report.killed), (count as usize, 0));
}

#[test]
fn an_async_start_under_a_taken_name_fails_at_once() {
    let executor = pool(1);
    let rt = Runtime::on(executor.handle().clone()).expect("a multi-threaded runtime with time");
    let first = rt.start_named::<Numbered>("one", 1).expect("starts");
    let options = StartOptions::default().named("one");
    let second = executor.block_on(rt.start_async::<Numbered>(2, options));
    assert!(matches!(second, Err(genserver::StartError::NameTaken(_))));
    assert_eq!(first.call(()), Ok(1));
}

/// Calls `Numbered` through a handle from inside its callback: blocks its worker thread.
struct Asker(Server<Numbered>);

impl GenServer for Asker {
    type Args = Server<Numbered>;
    type Call = ();
    type Reply = Result<u32, CallError>;
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(other: Server<Numbered>, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Asker(other))
    }

    fn handle_call(
        &mut self,
        _: (),
        _: ReplyTo<Self::Reply>,
        _: &mut Ctx<Self>,
    ) -> CallResult<Self::Reply> {
        CallResult::Reply(
            self.0
                .call_timeout((), Timeout::millis(5_000))
                .map_err(CallError::from),
        )
    }
}

#[test]
fn a_callback_blocking_on_a_handle_does_not_starve_the_server_it_waits_for() {
    // One worker: the asker's blocking call would hold it, and the other server, queued
    // on the same worker, could never answer, unless the worker hands its tasks over.
    let executor = pool(1);
    let rt = Runtime::on(executor.handle().clone()).expect("a multi-threaded runtime with time");
    let numbered = rt.start::<Numbered>(7).expect("starts");
    let asker = rt.start::<Asker>(numbered).expect("starts");
    assert_eq!(asker.call_timeout((), Timeout::millis(10_000)), Ok(Ok(7)));
}

/// Answers a call only once told to (a cast), holding the caller meanwhile.
#[derive(Default)]
struct Gate(Option<ReplyTo<()>>);

impl GenServer for Gate {
    type Args = ();
    type Call = ();
    type Reply = ();
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Gate(None))
    }

    fn handle_call(&mut self, _: (), from: ReplyTo<()>, _: &mut Ctx<Self>) -> CallResult<()> {
        self.0 = Some(from);
        CallResult::NoReply
    }

    fn handle_cast(&mut self, _: (), ctx: &mut Ctx<Self>) {
        if let Some(from) = self.0.take() {
            ctx.reply(&from, ());
        }
    }
}

/// Calls the gate as an effect (`Ctx::call`) when called itself, and answers once the gate
/// has.
struct Caller {
    gate: ServerRef<Gate>,
    waiting: Option<ReplyTo<()>>,
}

impl GenServer for Caller {
    type Args = ServerRef<Gate>;
    type Call = ();
    type Reply = ();
    type Cast = ();
    type Info = Result<(), CallError>;
    type Continue = ();

    fn init(gate: ServerRef<Gate>, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Caller {
            gate,
            waiting: None,
        })
    }

    fn handle_call(&mut self, _: (), from: ReplyTo<()>, ctx: &mut Ctx<Self>) -> CallResult<()> {
        self.waiting = Some(from);
        ctx.call(self.gate, (), Timeout::millis(10_000), |outcome| outcome);
        CallResult::NoReply
    }

    fn handle_info(&mut self, outcome: Result<(), CallError>, ctx: &mut Ctx<Self>) {
        if let (Ok(()), Some(from)) = (outcome, self.waiting.take()) {
            ctx.reply(&from, ());
        }
    }
}

#[test]
fn a_server_waiting_for_its_own_call_holds_no_worker() {
    let executor = pool(1);
    let rt = Runtime::on(executor.handle().clone()).expect("a multi-threaded runtime with time");
    let gate = rt.start::<Gate>(()).expect("starts");
    let caller = rt.start::<Caller>(gate.addr()).expect("starts");
    let other = rt.start::<Numbered>(3).expect("starts");
    let waiting = caller.call_async(());
    std::thread::sleep(Duration::from_millis(20));
    // The caller is suspended in its call to the gate; the one worker still serves others.
    assert_eq!(other.call_timeout((), Timeout::millis(5_000)), Ok(3));
    gate.cast(());
    assert_eq!(waiting.wait_timeout(Timeout::millis(5_000)), Ok(()));
}

#[test]
fn a_runtime_on_a_shut_down_executor_fails_starts_instead_of_hanging() {
    let executor = pool(1);
    let rt = Runtime::on(executor.handle().clone()).expect("a multi-threaded runtime with time");
    executor.shutdown_timeout(Duration::from_secs(5));
    let start = rt.start::<Numbered>(1);
    assert!(
        matches!(start, Err(genserver::StartError::Spawn(_))),
        "{start:?}"
    );
}

/// Adds what it is called with; answers with the same number.
#[derive(Default)]
struct Adder(u64);

impl GenServer for Adder {
    type Args = ();
    type Call = u64;
    type Reply = u64;
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Adder(0))
    }

    fn handle_call(&mut self, n: u64, _: ReplyTo<u64>, _: &mut Ctx<Self>) -> CallResult<u64> {
        self.0 += n;
        CallResult::Reply(n)
    }
}

#[test]
fn a_thousand_async_callers_of_a_thousand_calls_each_lose_nothing() {
    const CALLERS: u64 = 1_000;
    const CALLS: u64 = 1_000;
    let executor = pool(2);
    let rt = Runtime::on(executor.handle().clone()).expect("a multi-threaded runtime with time");
    let adder = rt.start::<Adder>(()).expect("starts");
    let sent: u64 = executor.block_on(async {
        let callers: Vec<_> = (0..CALLERS)
            .map(|caller| {
                let adder = adder.clone();
                tokio::spawn(async move {
                    let mut sent = 0;
                    for i in 0..CALLS {
                        let n = caller * CALLS + i;
                        assert_eq!(adder.call_async(n).await, Ok(n), "each its own reply");
                        sent += n;
                    }
                    sent
                })
            })
            .collect();
        let mut sent = 0;
        for caller in callers {
            sent += caller.await.expect("a caller");
        }
        sent
    });
    let n = CALLERS * CALLS;
    assert_eq!(sent, n * (n - 1) / 2);
    assert_eq!(
        adder.query(|adder| adder.0),
        Ok(sent),
        "every call handled once"
    );
}

#[test]
fn a_tokio_runtime_servers_cannot_run_on_is_refused_with_the_reason() {
    let single = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a tokio runtime");
    let refused = Runtime::on(single.handle().clone()).err();
    assert_eq!(refused, Some(genserver::ExecutorError::NotMultiThreaded));
    let untimed = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .expect("a tokio runtime");
    let refused = Runtime::on(untimed.handle().clone()).err();
    assert_eq!(refused, Some(genserver::ExecutorError::NoTimer));
    assert!(Runtime::on(pool(1).handle().clone()).is_ok());
}
