//! Runs of a generated key-value workload against the zoo's fenced cache, timed: how much
//! the linearizability check a run makes at every reply costs as the workload grows.
//!
//! ```sh
//! cargo run --release -p genserver-benches --example workload_probe -- CLIENTS OPS KEYS [RUNS]
//! ```

use std::time::Instant;

use genserver_sim::linearize::Workload;
use genserver_sim::zoo::stale_cache::{KvCall, KvModel, KvReply, servers};
use genserver_sim::{HuntOptions, World, hunt_with};
use rand::RngExt;

fn main() {
    let args: Vec<u64> = (std::env::args().skip(1))
        .map(|arg| arg.parse().expect("a number"))
        .collect();
    let arg = |index: usize, default: u64| args.get(index).copied().unwrap_or(default);
    let (clients, ops, keys, runs) = (arg(0, 4), arg(1, 100), arg(2, 20), arg(3, 20));
    let keys = u8::try_from(keys).expect("at most 255 keys");
    let workload = Workload::new(
        KvModel::default(),
        |world: &mut World| servers(world, true),
        KvCall::clone,
        KvReply::clone,
    )
    .op(2, move |_, rng| {
        Some(KvCall::Get(rng.random_range(1..=keys)))
    })
    .op(1, move |_, rng| {
        Some(KvCall::Put(
            rng.random_range(1..=keys),
            rng.random_range(1..=9),
        ))
    })
    .clients(clients as usize)
    .ops_per_client(ops as usize)
    .per_run(true);
    let options = HuntOptions::new(0, runs, 1_000_000);
    let start = Instant::now();
    let hunt = hunt_with(&workload, &options, &|_, _| {});
    let elapsed = start.elapsed();
    assert!(hunt.found.is_none(), "the fenced cache failed");
    println!(
        "{clients} clients x {ops} operations over {keys} keys: {runs} runs in {elapsed:.2?} \
         ({:.2?} a run)",
        elapsed / u32::try_from(runs).expect("few runs")
    );
}
