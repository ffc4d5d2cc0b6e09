//! Runtime cast throughput and call round trip, each against a bare-channel limit and ractor,
//! and with recording on ([`Runtime::record`]) against off.

mod ractor_peer;

use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use genserver::{Runtime, Server, Timeout};
use genserver_benches::{ChannelMsg, ChannelSink, PingPong, Sink, spread};
use ractor_peer::RactorSink;

/// Messages per measured batch; a call at the end waits until all were handled.
const BATCH: u64 = 20_000;

/// Sends `BATCH` messages split over `senders` threads, then waits for the consumer.
fn batch(senders: u64, send: impl Fn(u64) + Sync, sync: impl Fn()) {
    spread(senders, BATCH, send);
    sync();
}

/// A batch of casts to `server` from `senders` threads, then a call that waits for them.
fn cast_batch(senders: u64, server: &Server<Sink>) {
    batch(
        senders,
        |i| server.cast(i),
        || {
            server.call(()).unwrap();
        },
    )
}

/// Runs `body` against a `Sink` on a runtime of its own (recording when `record`), and
/// stops the runtime after it.
fn on_fresh_server(record: bool, body: impl FnOnce(&Server<Sink>) -> Duration) -> Duration {
    let rt = Runtime::new();
    if record {
        rt.record();
    }
    let server = rt.start::<Sink>(()).unwrap();
    let elapsed = body(&server);
    rt.shutdown(Timeout::Infinity);
    elapsed
}

fn timed(iters: u64, mut body: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        body();
    }
    start.elapsed()
}

fn cast_throughput(c: &mut Criterion) {
    for senders in [1, 4] {
        let mut group = c.benchmark_group(format!("cast_{senders}_sender"));
        group.throughput(Throughput::Elements(BATCH));

        let channel = ChannelSink::new();
        group.bench_function(BenchmarkId::new("channel", senders), |b| {
            b.iter_custom(|iters| {
                timed(iters, || {
                    batch(
                        senders,
                        |i| channel.tx.send(ChannelMsg::Add(i)).unwrap(),
                        || {
                            channel.get();
                        },
                    )
                })
            })
        });

        let rt = Runtime::new();
        let server = rt.start::<Sink>(()).unwrap();
        group.bench_function(BenchmarkId::new("genserver", senders), |b| {
            b.iter_custom(|iters| timed(iters, || cast_batch(senders, &server)))
        });

        // Each sample on a runtime of its own, shut down after it, recording off and on
        // (a recording keeps every input taken until its runtime is gone).
        for (name, record) in [("genserver_fresh", false), ("genserver_recorded", true)] {
            group.bench_function(BenchmarkId::new(name, senders), |b| {
                b.iter_custom(|iters| {
                    on_fresh_server(record, |server| {
                        timed(iters, || cast_batch(senders, server))
                    })
                })
            });
        }

        let ractor = RactorSink::new();
        group.bench_function(BenchmarkId::new("ractor", senders), |b| {
            b.iter_custom(|iters| {
                timed(iters, || {
                    batch(
                        senders,
                        |i| ractor.cast(i),
                        || {
                            ractor.get();
                        },
                    )
                })
            })
        });
        group.finish();
    }
}

/// The mailbox alone, without a server loop: one thread pushes `BATCH` numbers, another
/// receives them in batches and sums them. With the channel group above it tells how much of
/// a cast's cost is the mailbox and how much the server loop around it.
fn mailbox_alone(c: &mut Criterion) {
    use std::collections::VecDeque;
    use std::sync::Arc;

    let mut group = c.benchmark_group("mailbox_alone");
    group.throughput(Throughput::Elements(BATCH));
    group.bench_function("genserver_mailbox", |b| {
        b.iter_custom(|iters| {
            let mailbox = Arc::new(genserver::engine::Mailbox::<u64>::new());
            let consumer = {
                let mailbox = Arc::clone(&mailbox);
                std::thread::spawn(move || {
                    let (mut batch, mut sum, mut seen) = (VecDeque::new(), 0u64, 0u64);
                    while seen < iters * BATCH {
                        mailbox.recv_blocking(&mut batch);
                        seen += batch.len() as u64;
                        sum = batch.drain(..).fold(sum, u64::wrapping_add);
                    }
                    sum
                })
            };
            let start = Instant::now();
            for i in 0..iters * BATCH {
                mailbox.push(i).unwrap();
            }
            std::hint::black_box(consumer.join().unwrap());
            start.elapsed()
        })
    });
    group.bench_function("crossbeam_channel", |b| {
        b.iter_custom(|iters| {
            let (tx, rx) = crossbeam_channel::unbounded::<u64>();
            let consumer = std::thread::spawn(move || {
                (0..iters * BATCH).fold(0u64, |sum, _| sum.wrapping_add(rx.recv().unwrap()))
            });
            let start = Instant::now();
            for i in 0..iters * BATCH {
                tx.send(i).unwrap();
            }
            std::hint::black_box(consumer.join().unwrap());
            start.elapsed()
        })
    });
    group.finish();
}

fn call_round_trip(c: &mut Criterion) {
    let mut group = c.benchmark_group("call_round_trip");
    group.throughput(Throughput::Elements(1));

    let ping_pong = PingPong::new();
    group.bench_function("channel", |b| b.iter(|| ping_pong.ping(1)));

    let rt = Runtime::new();
    let server = rt.start::<Sink>(()).unwrap();
    group.bench_function("genserver", |b| b.iter(|| server.call(()).unwrap()));

    for (name, record) in [("genserver_fresh", false), ("genserver_recorded", true)] {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                on_fresh_server(record, |server| {
                    timed(iters, || {
                        server.call(()).unwrap();
                    })
                })
            })
        });
    }

    let ractor = RactorSink::new();
    group.bench_function("ractor", |b| b.iter(|| ractor.get()));
    group.finish();
}

/// A call from `async` code (`server.call_async(..).await`, on a tokio runtime), against the
/// same round trip between two tokio tasks (a request carrying a `oneshot` for the answer).
fn async_call_round_trip(c: &mut Criterion) {
    let mut group = c.benchmark_group("async_call_round_trip");
    group.throughput(Throughput::Elements(1));
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .expect("a tokio runtime");

    type Answer = tokio::sync::oneshot::Sender<u64>;
    let (requests, mut incoming) = tokio::sync::mpsc::unbounded_channel::<Answer>();
    tokio.spawn(async move {
        while let Some(answer) = incoming.recv().await {
            let _ = answer.send(1);
        }
    });
    group.bench_function("tokio_oneshot", |b| {
        b.iter(|| {
            tokio.block_on(async {
                let (answer, reply) = tokio::sync::oneshot::channel();
                requests.send(answer).expect("the task runs");
                reply.await.expect("answered")
            })
        })
    });

    let rt = Runtime::new();
    let server = rt.start::<Sink>(()).unwrap();
    group.bench_function("genserver", |b| {
        b.iter(|| tokio.block_on(async { server.call_async(()).await.unwrap() }))
    });
    group.finish();
}

criterion_group!(
    benches,
    cast_throughput,
    mailbox_alone,
    call_round_trip,
    async_call_round_trip
);
criterion_main!(benches);
