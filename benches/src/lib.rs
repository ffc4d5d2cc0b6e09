//! Servers and baselines shared by the criterion benchmarks in `benches/benches/`, and
//! [`throughput`], to benchmark your own server the same way.
//!
//! Run them with `cargo bench -p genserver-benches`; see `BENCHMARKS.md` for the figures.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod linearize;
pub mod model;
pub mod throughput;

/// The criterion this crate measures with, for benchmarks written with [`throughput`].
pub use criterion;

use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, unbounded};
use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo};

/// Sends `count` messages (the `i`-th is `send(i)`, `i` counting from 0 on each thread),
/// split evenly over `senders` threads; on the calling thread when there is one sender.
pub fn spread(senders: u64, count: u64, send: impl Fn(u64) + Sync) {
    if senders == 1 {
        (0..count).for_each(&send);
    } else {
        std::thread::scope(|scope| {
            for _ in 0..senders {
                scope.spawn(|| (0..count / senders).for_each(&send));
            }
        });
    }
}

/// The first quartile, median and third quartile of `values` (sorted in place; the probes'
/// summaries of their rounds).
///
/// ```
/// let mut ratios = [3.0, 1.0, 2.0, 5.0, 4.0];
/// assert_eq!(genserver_benches::quartiles(&mut ratios), [2.0, 3.0, 4.0]);
/// ```
pub fn quartiles(values: &mut [f64]) -> [f64; 3] {
    values.sort_by(f64::total_cmp);
    let at = |q: usize| values[(values.len() - 1) * q / 4];
    [at(1), at(2), at(3)]
}

/// Nanoseconds per run of `call` over `runs` of them (the probes' round trips).
///
/// ```
/// let ns = genserver_benches::nanos_per(10, || {});
/// assert!(ns >= 0.0);
/// ```
pub fn nanos_per(runs: u64, mut call: impl FnMut()) -> f64 {
    let start = std::time::Instant::now();
    for _ in 0..runs {
        call();
    }
    start.elapsed().as_nanos() as f64 / runs as f64
}

/// A server with trivial handlers: casts add to a counter, a call returns it.
pub struct Sink(u64);

impl GenServer for Sink {
    type Args = ();
    type Call = ();
    type Reply = u64;
    type Cast = u64;
    type Info = ();
    type Continue = ();

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Sink(0))
    }

    fn handle_call(&mut self, _: (), _: ReplyTo<u64>, _: &mut Ctx<Self>) -> CallResult<u64> {
        CallResult::Reply(self.0)
    }

    fn handle_cast(&mut self, value: u64, _: &mut Ctx<Self>) {
        self.0 = self.0.wrapping_add(value);
    }
}

/// What the bare-channel baseline's consumer thread receives.
pub enum ChannelMsg {
    /// The cast: add to the counter.
    Add(u64),
    /// The call: reply with the counter on the enclosed channel.
    Get(Sender<u64>),
}

/// The limit: a consumer thread on a bare crossbeam channel doing the same work as [`Sink`].
pub struct ChannelSink {
    /// Where to send.
    pub tx: Sender<ChannelMsg>,
    thread: Option<JoinHandle<()>>,
}

impl Default for ChannelSink {
    fn default() -> Self {
        Self::new()
    }
}

impl ChannelSink {
    /// Starts the consumer thread.
    pub fn new() -> Self {
        let (tx, rx) = unbounded();
        let thread = std::thread::spawn(move || consume(rx));
        ChannelSink {
            tx,
            thread: Some(thread),
        }
    }

    /// The bare-channel "call": a request and a reply channel.
    pub fn get(&self) -> u64 {
        let (reply_tx, reply_rx) = crossbeam_channel::bounded(1);
        self.tx
            .send(ChannelMsg::Get(reply_tx))
            .expect("consumer alive");
        reply_rx.recv().expect("consumer replies")
    }

    /// The bare-channel cast batch: sends `Add(0)` to `Add(n - 1)`, then [`Self::get`]s the
    /// total, which the consumer replies with after adding them all.
    pub fn add_batch(&self, n: u64) -> u64 {
        for i in 0..n {
            self.tx.send(ChannelMsg::Add(i)).expect("consumer alive");
        }
        self.get()
    }
}

fn consume(rx: Receiver<ChannelMsg>) {
    let mut total = 0u64;
    for msg in rx {
        match msg {
            ChannelMsg::Add(value) => total = total.wrapping_add(value),
            ChannelMsg::Get(reply) => {
                let _ = reply.send(total);
            }
        }
    }
}

impl Drop for ChannelSink {
    fn drop(&mut self) {
        let (tx, _) = unbounded();
        drop(std::mem::replace(&mut self.tx, tx));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A two-channel ping-pong server thread: the limit for a call round trip.
pub struct PingPong {
    requests: Sender<u64>,
    replies: Receiver<u64>,
    thread: Option<JoinHandle<()>>,
}

impl Default for PingPong {
    fn default() -> Self {
        Self::new()
    }
}

impl PingPong {
    /// Starts the echo thread.
    pub fn new() -> Self {
        let (requests, incoming) = unbounded::<u64>();
        let (outgoing, replies) = unbounded::<u64>();
        let thread = std::thread::spawn(move || {
            for value in incoming {
                if outgoing.send(value).is_err() {
                    break;
                }
            }
        });
        PingPong {
            requests,
            replies,
            thread: Some(thread),
        }
    }

    /// One round trip.
    pub fn ping(&self, value: u64) -> u64 {
        self.requests.send(value).expect("echo alive");
        self.replies.recv().expect("echo replies")
    }
}

impl Drop for PingPong {
    fn drop(&mut self) {
        let (tx, _) = unbounded();
        drop(std::mem::replace(&mut self.requests, tx));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
