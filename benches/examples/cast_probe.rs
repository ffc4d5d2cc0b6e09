//! Cast throughput and call round trip of one long-lived server, each next to its bare
//! crossbeam-channel baseline in the same process: `ROUNDS` rounds, printed one figure per
//! round. Casts: 100 batches of 20 000 casts (then a call) per round, in millions of casts
//! per second. Calls (`SENDERS` = 0): 100 000 round trips per round, in nanoseconds each.
//! Run it several times: these figures move from process to process.
//!
//! `cargo run --release -p genserver-benches --example cast_probe -- [ROUNDS] [SENDERS] [genserver]`
//! (`genserver`: the runtime's line only, e.g. to count its instructions with callgrind).
//! With `CHANNEL_FIRST=S`, the calls start after S seconds of the channel's ping-pong (what
//! criterion's call group does): the runtime's round trip then sometimes stays at 1.5-2 µs
//! instead of 0.6-0.7 µs for the whole process (issue 16).

use std::time::Instant;

use genserver::Runtime;
use genserver_benches::{ChannelMsg, ChannelSink, PingPong, Sink, spread};

const BATCH: u64 = 20_000;
const BATCHES: u64 = 100;
const CALLS: u64 = 100_000;

/// Millions of casts per second over `BATCHES` runs of `batch`.
fn rate(batch: impl Fn()) -> f64 {
    let start = Instant::now();
    for _ in 0..BATCHES {
        batch();
    }
    (BATCH * BATCHES) as f64 / start.elapsed().as_secs_f64() / 1e6
}

/// Nanoseconds per round trip over `CALLS` of them.
fn round_trip(call: impl Fn()) -> f64 {
    let start = Instant::now();
    for _ in 0..CALLS {
        call();
    }
    start.elapsed().as_nanos() as f64 / CALLS as f64
}

fn main() {
    let mut args = std::env::args().skip(1);
    let rounds: u64 = args.next().map_or(5, |a| a.parse().expect("ROUNDS"));
    let senders: u64 = args.next().map_or(1, |a| a.parse().expect("SENDERS"));
    let only_ours = args.next().is_some_and(|a| a == "genserver");
    let rt = Runtime::new();
    let server = rt.start::<Sink>(()).expect("start");
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    if senders == 0 {
        let ping_pong = PingPong::new();
        if let Ok(secs) = std::env::var("CHANNEL_FIRST") {
            let until = Instant::now() + std::time::Duration::from_secs(secs.parse().unwrap());
            while Instant::now() < until {
                ping_pong.ping(1);
            }
        }
        for _ in 0..rounds {
            if !only_ours {
                theirs.push(round_trip(|| {
                    ping_pong.ping(1);
                }));
            }
            ours.push(round_trip(|| {
                server.call(()).unwrap();
            }));
        }
    } else {
        let channel = ChannelSink::new();
        for _ in 0..rounds {
            if !only_ours {
                theirs.push(rate(|| {
                    spread(senders, BATCH, |i| {
                        channel.tx.send(ChannelMsg::Add(i)).unwrap()
                    });
                    channel.get();
                }));
            }
            ours.push(rate(|| {
                spread(senders, BATCH, |i| server.cast(i));
                server.call(()).unwrap();
            }));
        }
    }
    let show = |v: &[f64]| {
        v.iter()
            .map(|r| format!("{r:5.1}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    println!("channel   {}", show(&theirs));
    println!("genserver {}", show(&ours));
}
