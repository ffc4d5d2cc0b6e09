//! Cast throughput and call round trip of one long-lived server, each next to its bare
//! crossbeam-channel baseline in the same process, the two measured in turn, round by round:
//! `ROUNDS` rounds, printed one figure per round, then the median of the rounds' ratios.
//! Casts: 100 batches of 20 000 casts (then a call) per round, in millions of casts per
//! second. Calls (`SENDERS` = 0): 20 000 round trips per round, in nanoseconds each.
//!
//! `cargo run --release -p genserver-benches --example cast_probe -- [ROUNDS] [SENDERS] [genserver]`
//! (`genserver`: the runtime's line only, e.g. to count its instructions with callgrind).
//!
//! Why rounds in turn: on a small virtual machine, a ping-pong between two threads has slow
//! periods lasting seconds (2-3 µs a round trip instead of 0.4-0.7), which slow the channel
//! and the runtime alike; a benchmark that measures one after the other (criterion's groups)
//! can compare a slow period of one with a fast one of the other. A round's ratio compares
//! the two within a few milliseconds of each other.

use std::time::Instant;

use genserver::Runtime;
use genserver_benches::{ChannelMsg, ChannelSink, PingPong, Sink, nanos_per, quartiles, spread};

const BATCH: u64 = 20_000;
const BATCHES: u64 = 100;
const CALLS: u64 = 20_000;

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
    nanos_per(CALLS, call)
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
    if !theirs.is_empty() {
        let mut ratios: Vec<f64> = ours.iter().zip(&theirs).map(|(o, t)| o / t).collect();
        let [low, median, high] = quartiles(&mut ratios);
        let what = if senders == 0 { "time" } else { "rate" };
        println!(
            "genserver ÷ channel ({what}), median of {} rounds: {median:.2} (quartiles {low:.2}-{high:.2})",
            ratios.len(),
        );
    }
}
