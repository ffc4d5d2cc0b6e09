//! Model checking against stateright: unique states per second of an exhaustive search of
//! the same model (N clients each `get` then `set(v + 1)` on a counter server, ordered
//! network) by stateright's BFS and by the simulator's DFS with state hashing.
//!
//! Before measuring, the state counts are checked. Stateright's equals the reference figures
//! (`machine-baselines.md`). The simulator's is larger, for two exact reasons, each one a
//! distinction its state makes and stateright's model does not (`BENCHMARKS.md` has the
//! count for N = 2 by hand):
//!
//! 1. a client's state includes every reply it was given, so a client that sent its `Set`
//!    or finished still remembers the value it read;
//! 2. clients start one at a time (`start client-i` is an event), while stateright runs
//!    every `on_start` in the initial state.
//!
//! (Calls are numbered per caller, so the numbers say nothing about the order of other
//! clients' calls: until format version 3 they counted over the whole system and made the
//! space 8 times larger at N = 3; [`Refinements::tags`] still counts that space.)
//!
//! And the simulator fingerprints a state only when it chooses an event there, so terminal
//! states (every client done) are not counted. [`count_states`] enumerates the model with
//! each distinction switched on or off; with none it must give stateright's count, with
//! both (less its terminal states) the simulator's.
//!
//! A fourth line (N = 3 and 4) measures the simulator's DFS with the clients declared
//! interchangeable (symmetry reduction): its unique states are checked against the refined
//! enumeration with states equal up to a permutation of the clients counted once.
//! (Stateright's own `CheckerBuilder::symmetry` is not measured: its representative sorts
//! actor states alone, so clients in equal states but with different messages in flight keep
//! their order, and its count would not be the orbits.)
//!
//! The simulator's search restores states from copies of the world (`World::clone_state`);
//! `sim_dfs_hashing_stateless` measures the same search replaying every run from the
//! initial state instead, as it did before copies.
//!
//! Both checkers run on `gsim`'s allocator (mimalloc, [`genserver_sim::FastAlloc`]), so this
//! bench measures the simulator as `gsim` runs it; the other benches, and the figures in
//! `BENCHMARKS.md` before 2026-12-01, use the system's allocator.
//!
//! A third line measures stateright on the simulator's state space ([`stateright_model::Refined`],
//! the model written with those two distinctions), so that speeds also compare on spaces of
//! equal size.

mod stateright_model;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use genserver_benches::model::{Refinements, count_states, explore_clients, explore_symmetric};

/// Both checkers run on `gsim`'s allocator (mimalloc), as `gsim` does.
#[global_allocator]
static ALLOCATOR: genserver_sim::FastAlloc = genserver_sim::FastAlloc;

/// Stateright 0.31's unique states for N = 2, 3, 4 from `machine-baselines.md`.
const REFERENCE: [(usize, u64); 3] = [(2, 37), (3, 345), (4, 3_657)];

/// Stateright's reference figure for N = 5, measured for stateright alone (the simulator's
/// space would be a few hundred thousand states, minutes of its search).
const REFERENCE_5: u64 = 42_733;

/// Checks the counts and returns the unique states of stateright's model, of the simulator's
/// exploration and of stateright on the simulator's state space.
fn checked_counts(clients: usize, reference: u64) -> (u64, u64, u64) {
    let stateright = stateright_model::unique_states(clients);
    assert_eq!(stateright, reference, "stateright, N = {clients}");
    let plain = count_states(clients, Refinements::default());
    assert_eq!(
        plain.states, stateright,
        "the enumeration is stateright's model"
    );

    let exploration = explore_clients(clients, 1, true);
    assert!(exploration.verified() && !exploration.depth_limited);
    assert!(exploration.restored > 0, "runs start from copies");
    let replayed = explore_clients(clients, 1, false);
    assert_eq!(
        (replayed.states, replayed.end_states, replayed.restored),
        (exploration.states, exploration.end_states, 0),
        "a stateless search explores the same states"
    );
    let sim = exploration.states;
    let parallel = explore_clients(clients, 2, true);
    assert!(parallel.verified());
    assert_eq!(
        (parallel.states, parallel.end_states),
        (sim, exploration.end_states),
        "two jobs reach the serial search's states"
    );
    let all = Refinements {
        client_values: true,
        ready: true,
        tags: false,
        symmetric: false,
    };
    let refined = count_states(clients, all);
    assert_eq!(
        sim,
        refined.states - refined.terminal,
        "the simulator's states are the refined model's, terminal states aside"
    );
    assert_eq!(exploration.end_states, refined.terminal);
    let stateright_refined = stateright_model::refined_unique_states(clients);
    assert_eq!(
        stateright_refined, refined.states,
        "stateright on the refined model"
    );

    let step = |client_values, ready, tags| {
        let keep = Refinements {
            client_values,
            ready,
            tags,
            symmetric: false,
        };
        count_states(clients, keep).states
    };
    eprintln!(
        "N = {clients}: stateright {stateright}; + client values {}; + ready {} \
         − {} terminal = simulator {sim} (ready alone {}; with global call numbers, as \
         before format version 3, {}); the simulator took {} runs, {} of them started from \
         copies of the world (on two threads: {} runs)",
        step(true, false, false),
        refined.states,
        refined.terminal,
        step(false, true, false),
        step(true, true, true),
        exploration.schedules + exploration.pruned,
        exploration.restored,
        parallel.schedules + parallel.pruned,
    );
    (stateright, sim, stateright_refined)
}

/// Checks the unique states of the simulator's search with symmetry against the refined
/// enumeration up to permutations of the clients, and returns them (`plain`: the states
/// without symmetry).
fn checked_symmetric_count(clients: usize, plain: u64) -> u64 {
    let exploration = explore_symmetric(clients, 1);
    assert!(exploration.verified());
    assert_eq!(
        exploration.symmetry,
        genserver_sim::Symmetry::Used,
        "symmetry is used"
    );
    let orbits = count_states(
        clients,
        Refinements {
            client_values: true,
            ready: true,
            tags: false,
            symmetric: true,
        },
    );
    assert_eq!(
        exploration.states,
        orbits.states - orbits.terminal,
        "the simulator's states up to symmetry are the refined model's orbits"
    );
    assert_eq!(exploration.end_states, orbits.terminal);
    eprintln!(
        "N = {clients}: with symmetry the simulator counts {} states ({plain} without, {:.1}x \
         fewer) in {} runs",
        exploration.states,
        plain as f64 / exploration.states as f64,
        exploration.schedules + exploration.pruned,
    );
    exploration.states
}

fn unique_states_per_second(c: &mut Criterion) {
    let mut group = c.benchmark_group("model_unique_states");
    group.sample_size(10);
    for (clients, reference) in REFERENCE {
        let (stateright, sim, refined) = checked_counts(clients, reference);
        group.throughput(Throughput::Elements(stateright));
        group.bench_function(BenchmarkId::new("stateright_bfs", clients), |b| {
            b.iter(|| stateright_model::unique_states(clients))
        });
        group.throughput(Throughput::Elements(refined));
        group.bench_function(BenchmarkId::new("stateright_bfs_sim_space", clients), |b| {
            b.iter(|| stateright_model::refined_unique_states(clients))
        });
        group.throughput(Throughput::Elements(sim));
        group.bench_function(BenchmarkId::new("sim_dfs_hashing", clients), |b| {
            b.iter(|| explore_clients(clients, 1, true).states)
        });
        group.bench_function(
            BenchmarkId::new("sim_dfs_hashing_stateless", clients),
            |b| b.iter(|| explore_clients(clients, 1, false).states),
        );
        group.bench_function(BenchmarkId::new("sim_dfs_hashing_2_jobs", clients), |b| {
            b.iter(|| explore_clients(clients, 2, true).states)
        });
        if clients >= 3 {
            let symmetric = checked_symmetric_count(clients, sim);
            group.throughput(Throughput::Elements(symmetric));
            group.bench_function(BenchmarkId::new("sim_dfs_hashing_symmetry", clients), |b| {
                b.iter(|| explore_symmetric(clients, 1).states)
            });
        }
    }
    let stateright = stateright_model::unique_states(5);
    assert_eq!(stateright, REFERENCE_5, "stateright, N = 5");
    assert_eq!(count_states(5, Refinements::default()).states, stateright);
    group.throughput(Throughput::Elements(stateright));
    group.bench_function(BenchmarkId::new("stateright_bfs", 5), |b| {
        b.iter(|| stateright_model::unique_states(5))
    });
    group.finish();
}

criterion_group!(benches, unique_states_per_second);
criterion_main!(benches);
