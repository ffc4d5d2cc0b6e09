//! Benchmark your own server: its cast throughput and call round trip on the threaded
//! runtime, each next to a bare crossbeam channel measured in the same run.
//!
//! Fill in a [`ServerBench`] and call [`ServerBench::bench`] from a criterion benchmark
//! (`benches/benches/own_server.rs` is a complete one):
//!
//! ```no_run
//! use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo};
//! use genserver_benches::criterion::{Criterion, criterion_group, criterion_main};
//! use genserver_benches::throughput::ServerBench;
//!
//! /// Casts add to the total, a call reads it.
//! struct Total(u64);
//!
//! impl GenServer for Total {
//!     type Args = ();
//!     type Call = ();
//!     type Reply = u64;
//!     type Cast = u64;
//!     type Info = ();
//!     type Continue = ();
//!
//!     fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
//!         Ok(Total(0))
//!     }
//!
//!     fn handle_call(&mut self, _: (), _: ReplyTo<u64>, _: &mut Ctx<Self>) -> CallResult<u64> {
//!         CallResult::Reply(self.0)
//!     }
//!
//!     fn handle_cast(&mut self, n: u64, _: &mut Ctx<Self>) {
//!         self.0 += n;
//!     }
//! }
//!
//! fn total(c: &mut Criterion) {
//!     ServerBench::<Total> {
//!         name: "total",
//!         args: || (),
//!         cast: |i| i,
//!         call: || (),
//!         batch: 20_000,
//!     }
//!     .bench(c);
//! }
//!
//! criterion_group!(benches, total);
//! criterion_main!(benches);
//! ```
//!
//! It reports two groups, each with a `channel` and a `genserver` line, in elements per
//! second: `{name}_cast` (`batch` casts then one call, which returns once the server has
//! handled them all) and `{name}_call` (one call and its reply). The channel's consumer
//! thread only adds numbers, so the ratio counts your handlers' work as well as the
//! runtime's: read it as what your server reaches of the limit of message passing on this
//! machine.

use criterion::{Criterion, Throughput};
use genserver::{GenServer, Runtime, Server};

use crate::{ChannelSink, PingPong};

/// What to measure of a server `S`. Non-capturing closures fit the function fields.
pub struct ServerBench<S: GenServer> {
    /// The prefix of the criterion groups' names.
    pub name: &'static str,
    /// The arguments the server starts with.
    pub args: fn() -> S::Args,
    /// The `i`-th cast of a batch (`i` counts from 0 in each batch).
    pub cast: fn(u64) -> S::Cast,
    /// The call measured for the round trip, also sent after each batch of casts to wait
    /// until the server has handled them.
    pub call: fn() -> S::Call,
    /// Casts per measured batch (the runtime's own benchmarks use 20 000).
    pub batch: u64,
}

impl<S: GenServer> ServerBench<S> {
    /// Registers the groups `{name}_cast` and `{name}_call` with criterion and measures
    /// them: one server, started on a new [`Runtime`], serves both.
    pub fn bench(&self, c: &mut Criterion) {
        let rt = Runtime::new();
        let server = self.start(&rt);
        let channel = ChannelSink::new();
        let ping_pong = PingPong::new();

        let mut group = c.benchmark_group(format!("{}_cast", self.name));
        group.throughput(Throughput::Elements(self.batch));
        group.bench_function("channel", |b| b.iter(|| channel.add_batch(self.batch)));
        group.bench_function("genserver", |b| b.iter(|| self.cast_batch(&server)));
        group.finish();

        let mut group = c.benchmark_group(format!("{}_call", self.name));
        group.throughput(Throughput::Elements(1));
        group.bench_function("channel", |b| b.iter(|| ping_pong.ping(1)));
        group.bench_function("genserver", |b| b.iter(|| self.round_trip(&server)));
        group.finish();
    }

    /// Starts the server on `rt` with [`Self::args`]; panics if it refuses to start.
    pub fn start(&self, rt: &Runtime) -> Server<S> {
        rt.start::<S>((self.args)())
            .unwrap_or_else(|error| panic!("{}: the server did not start: {error:?}", self.name))
    }

    /// One measured cast batch: casts `cast(0)` to `cast(batch - 1)`, then waits for the
    /// reply to one call, which the server sends after handling them all.
    pub fn cast_batch(&self, server: &Server<S>) -> S::Reply {
        for i in 0..self.batch {
            server.cast((self.cast)(i));
        }
        self.round_trip(server)
    }

    /// One measured round trip: sends [`Self::call`] and waits for the reply; panics if the
    /// call fails.
    pub fn round_trip(&self, server: &Server<S>) -> S::Reply {
        server
            .call((self.call)())
            .unwrap_or_else(|error| panic!("{}: the call failed: {error:?}", self.name))
    }
}
