//! Benchmark your own server: a key-value store's puts (casts) and gets (calls), each next
//! to a bare channel, with [`ServerBench`]. Run it with
//! `cargo bench -p genserver-benches --bench own_server`.

use std::collections::HashMap;

use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo};
use genserver_benches::criterion::{Criterion, criterion_group, criterion_main};
use genserver_benches::throughput::ServerBench;

/// Casts put a value under a key, a call gets the value under a key.
struct Store(HashMap<u64, u64>);

impl GenServer for Store {
    type Args = ();
    type Call = u64;
    type Reply = Option<u64>;
    type Cast = (u64, u64);
    type Info = ();
    type Continue = ();

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Store(HashMap::new()))
    }

    fn handle_call(
        &mut self,
        key: u64,
        _: ReplyTo<Self::Reply>,
        _: &mut Ctx<Self>,
    ) -> CallResult<Self::Reply> {
        CallResult::Reply(self.0.get(&key).copied())
    }

    fn handle_cast(&mut self, (key, value): (u64, u64), _: &mut Ctx<Self>) {
        self.0.insert(key, value);
    }
}

fn store(c: &mut Criterion) {
    ServerBench::<Store> {
        name: "store",
        args: || (),
        cast: |i| (i % 1024, i),
        call: || 7,
        batch: 20_000,
    }
    .bench(c);
}

criterion_group!(benches, store);
criterion_main!(benches);
