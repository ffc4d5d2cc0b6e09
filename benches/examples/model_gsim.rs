//! `gsim` for the model bench's systems: N get-then-set clients of a counter (N = 3 to 6),
//! each also with its clients declared interchangeable. No checks: every run passes, so an
//! exhaustive search visits every state. Big ones show sharded search at work:
//!
//! ```sh
//! cargo run --release -p genserver-benches --example model_gsim -- list
//! cargo run --release -p genserver-benches --example model_gsim -- \
//!     hunt counter-clients-5 --strategy dfs --reduction hashing --shard 1/2 --seen s1.json
//! cargo run --release -p genserver-benches --example model_gsim -- merge s1.json s2.json
//! ```

use std::process::ExitCode;

use genserver_benches::model::{CounterClients, SymmetricClients};
use genserver_sim::Entry;

/// `gsim`'s allocator, as `gsim` runs.
#[global_allocator]
static ALLOCATOR: genserver_sim::FastAlloc = genserver_sim::FastAlloc;

static C3: CounterClients = CounterClients { clients: 3 };
static C4: CounterClients = CounterClients { clients: 4 };
static C5: CounterClients = CounterClients { clients: 5 };
static C6: CounterClients = CounterClients { clients: 6 };
static S6: SymmetricClients = SymmetricClients { clients: 6 };
static S8: SymmetricClients = SymmetricClients { clients: 8 };

/// The model's systems, as this `gsim` lists them.
static SYSTEMS: [Entry; 6] = [
    Entry::clean("counter-clients-3", "3 get-then-set clients", &C3),
    Entry::clean("counter-clients-4", "4 get-then-set clients", &C4),
    Entry::clean("counter-clients-5", "5 get-then-set clients", &C5),
    Entry::clean("counter-clients-6", "6 get-then-set clients", &C6),
    Entry::clean(
        "counter-clients-6-symmetric",
        "6 interchangeable clients",
        &S6,
    ),
    Entry::clean(
        "counter-clients-8-symmetric",
        "8 interchangeable clients",
        &S8,
    ),
];

fn main() -> ExitCode {
    genserver_sim::cli::main(&SYSTEMS)
}
