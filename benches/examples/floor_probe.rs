//! What a call's round trip costs, layer by layer: the runtime's own mailbox and reply link
//! between two plain threads, then with a reply token, then the runtime itself, each next to
//! a bare crossbeam-channel ping-pong, measured in turn, round by round (as `cast_probe`
//! does, and for the same reason: slow periods of the machine hit both alike). Prints the
//! median time of each layer and the median of its rounds' ratios to the channel.
//!
//! `cargo run --release -p genserver-benches --example floor_probe -- [ROUNDS]`
//!
//! The layers (the server side of each but the last is a thread spinning on the mailbox):
//! - `link`: a fresh `ReplyLink` per call through the mailbox, completed by the server;
//! - `link, foreign free`: the same, and a small box made by the caller and freed by the
//!   server (what a reply token in an allocation of its own cost);
//! - `token`: the call's token and link in one `CallCell` allocation, replied through;
//! - `token, copied`: the same with the copy the process machine keeps while the handler
//!   runs (a clone, dropped after the reply);
//! - `runtime`: `Server::call` on a running server.

use genserver::engine::{CallCell, Mailbox, ReplyLink};
use genserver::{CallTag, ProcessId, ReplyTo, Runtime};
use genserver_benches::{PingPong, Sink, nanos_per, quartiles};
use std::collections::VecDeque;
use std::sync::Arc;

const CALLS: u64 = 20_000;

/// Nanoseconds per round trip over `CALLS` of them.
fn round_trip(call: impl FnMut()) -> f64 {
    nanos_per(CALLS, call)
}

/// Times `call` against a thread that spins on a mailbox of `T`s and `handle`s each; the
/// thread ends when the round does.
fn serve<T: Send + 'static>(
    handle: impl Fn(T) + Send + 'static,
    call: impl Fn(&Mailbox<Option<T>>),
) -> f64 {
    let mailbox: Arc<Mailbox<Option<T>>> = Arc::new(Mailbox::new());
    let server = {
        let mailbox = Arc::clone(&mailbox);
        std::thread::spawn(move || {
            let mut batch = VecDeque::new();
            loop {
                while mailbox.is_empty() {
                    std::hint::spin_loop();
                }
                mailbox.drain_into(&mut batch);
                for item in batch.drain(..) {
                    match item {
                        Some(item) => handle(item),
                        None => return,
                    }
                }
            }
        })
    };
    let ns = round_trip(|| call(&mailbox));
    let _ = mailbox.push(None);
    server.join().expect("the spinning server");
    ns
}

/// A new call's link and its first token, in one allocation.
fn token() -> (Arc<CallCell<ReplyLink<u64>>>, ReplyTo<u64>) {
    let cell = Arc::new(CallCell::new(
        ProcessId::EXTERNAL,
        CallTag(1),
        ReplyLink::new(),
    ));
    let token = ReplyTo::issue(&cell);
    (cell, token)
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .map_or(10, |a| a.parse().expect("ROUNDS"));
    let ping_pong = PingPong::new();
    let rt = Runtime::new();
    let server = rt.start::<Sink>(()).expect("start");
    let layers = [
        "channel",
        "link",
        "link, foreign free",
        "token",
        "token, copied",
        "runtime",
    ];
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); layers.len()];
    for _ in 0..rounds {
        times[0].push(round_trip(|| {
            ping_pong.ping(1);
        }));
        times[1].push(serve(
            |link: Arc<ReplyLink<u64>>| {
                link.complete(Ok(1));
            },
            |mailbox| {
                let link = Arc::new(ReplyLink::new());
                let _ = mailbox.push(Some(Arc::clone(&link)));
                link.wait().expect("a reply");
            },
        ));
        times[2].push(serve(
            |(link, boxed): (Arc<ReplyLink<u64>>, Box<u64>)| {
                link.complete(Ok(*boxed));
            },
            |mailbox| {
                let link = Arc::new(ReplyLink::new());
                let _ = mailbox.push(Some((Arc::clone(&link), Box::new(1))));
                link.wait().expect("a reply");
            },
        ));
        times[3].push(serve(
            |token: ReplyTo<u64>| {
                token.reply(1);
            },
            |mailbox| {
                let (cell, token) = token();
                let _ = mailbox.push(Some(token));
                cell.wait().expect("a reply");
            },
        ));
        times[4].push(serve(
            |token: ReplyTo<u64>| {
                let kept = token.clone();
                drop(token);
                kept.reply(1);
            },
            |mailbox| {
                let (cell, token) = token();
                let _ = mailbox.push(Some(token));
                cell.wait().expect("a reply");
            },
        ));
        times[5].push(round_trip(|| {
            server.call(()).expect("a reply");
        }));
    }
    for (layer, row) in layers.iter().zip(&times) {
        let mut ratios: Vec<f64> = row.iter().zip(&times[0]).map(|(t, c)| t / c).collect();
        let [low, ratio, high] = quartiles(&mut ratios);
        let [_, ns, _] = quartiles(&mut row.clone());
        println!("{layer:20} {ns:7.1} ns   ÷ channel {ratio:.2} (quartiles {low:.2}-{high:.2})");
    }
}
