//! The bug zoo: real ordering bugs that plain `cargo test` passes over, and four correct
//! systems where nothing must be found. One file per system (`stale_cache.rs` holds a bug
//! and its fix, `cache_workload.rs` their generated workloads); `gsim list` shows them.

pub mod aba_version;
pub mod cache_workload;
pub mod call_cycle;
pub mod counter;
pub mod lease_expiry;
pub mod lost_update;
pub mod restart_loses_work;
pub mod restart_registry_race;
pub mod retry_double_apply;
pub mod stack;
pub mod stale_cache;
pub mod stale_read;
pub mod timeout_retry;

use crate::system::Entry;

/// The bundled systems, in `gsim list` order.
pub static ZOO: [Entry; 15] = [
    Entry::bug(
        "lost-update",
        "two clients each get then set(v+1) on a counter: an update can be lost (bug)",
        &lost_update::build,
    ),
    Entry::bug(
        "call-cycle",
        "server A calls B in a handler while B calls A: deadlock until the timeout (bug)",
        &call_cycle::build,
    ),
    Entry::bug(
        "stale-read",
        "a client casts a deposit then calls an auditor that reads the account: the read can overtake the deposit (bug)",
        &stale_read::build,
    ),
    Entry::bug(
        "retry-double-apply",
        "a withdrawal times out, the client retries, the late first request still applies (bug; delay faults)",
        &retry_double_apply::build,
    ),
    Entry::bug(
        "restart-loses-work",
        "a job server acknowledges before storing: a crash and restart loses accepted work (bug; crash faults)",
        &restart_loses_work::build,
    ),
    Entry::bug(
        "aba-version",
        "a compare-and-set on a wrapping version passes after eight writes in between (bug; depth 2)",
        &aba_version::build,
    ),
    Entry::bug(
        "restart-registry-race",
        "a client calls a cached id after a supervised restart and takes NoProcess for done: an operation is lost (bug; crash faults, supervisor)",
        &restart_registry_race::build,
    ),
    Entry::bug(
        "lease-expiry",
        "a 100 ms lease expires while its holder's messages are in flight: two clients in the room (bug; time races)",
        &lease_expiry::build,
    ),
    Entry::bug(
        "timeout-retry",
        "a call's 1 s timeout races its reply, the client retries, both withdrawals apply (bug; time races)",
        &timeout_retry::build,
    ),
    Entry::bug(
        "stale-cache",
        "a cache's fill races a write's invalidation: a read after the write sees the old value (bug; found by a linearizability check alone)",
        &stale_cache::build,
    ),
    Entry::bug(
        "stale-cache-workload",
        "stale-cache's cache called by clients generated from a key-value model, other operations every run (bug; generated workload, shrunk to fewer operations)",
        &cache_workload::STALE,
    ),
    Entry::clean(
        "stack",
        "the GenServers.jl stack with three concurrent pushers and a popper (correct)",
        &stack::build,
    ),
    Entry::clean(
        "counter",
        "three clients increment a counter atomically: the fixed lost-update (correct)",
        &counter::build,
    ),
    Entry::clean(
        "fenced-cache",
        "the fixed stale-cache: a fill after an invalidation of its key is not kept (correct)",
        &stale_cache::build_fenced,
    ),
    Entry::clean(
        "fenced-cache-workload",
        "fenced-cache's cache called by clients generated from a key-value model (correct)",
        &cache_workload::FENCED,
    ),
];

/// The bundled systems, in `gsim list` order.
pub fn systems() -> &'static [Entry] {
    &ZOO
}

/// The bundled system called `name`.
pub fn find_system(name: &str) -> Option<&'static Entry> {
    ZOO.iter().find(|entry| entry.name == name)
}
