//! The model-checking comparison with `stateright`: N clients each `get` a counter server's
//! value, then `set(v + 1)` (the lost update), over an ordered network.
//!
//! [`CounterClients`] is the simulator's side, explored by [`explore_clients`]; the stateright
//! actor model lives in `benches/benches/model/`. The two state spaces differ in what a state
//! holds; [`count_states`] enumerates the same model directly (neither simulator nor
//! stateright) with each of the simulator's extra distinctions switched on or off, which is
//! how the exact relation between the two counts is derived and checked (see `BENCHMARKS.md`).

use std::collections::{HashSet, VecDeque};

use genserver_sim::zoo::counter::Counter;
use genserver_sim::zoo::lost_update::read_modify_write;
use genserver_sim::{DfsOptions, Exploration, Reduction, System, World, explore};

/// The zoo's counter server and `clients` of lost-update's get-then-set clients, with the
/// counter's state hashed.
/// No invariant and no end check: every run passes, so exploration visits every state.
pub struct CounterClients {
    /// How many clients.
    pub clients: usize,
}

impl System for CounterClients {
    fn name(&self) -> &str {
        NAMES
            .get(self.clients)
            .map_or("counter-clients", |names| names.0)
    }
    fn build(&self, world: &mut World) {
        build_clients(world, self.clients);
    }
}

/// The counter and `clients` clients; returns the clients' ids.
fn build_clients(world: &mut World, clients: usize) -> Vec<genserver::ProcessId> {
    let counter = world.spawn::<Counter>("counter", 0);
    world.hash_state(counter);
    world.clone_state(counter);
    (1..=clients)
        .map(|i| {
            world.client(&format!("client-{i}"), move |cx| {
                read_modify_write(cx, counter)
            })
        })
        .collect()
}

/// The systems' names by number of clients (a shard's file names its system: shards of
/// models of different sizes must not merge).
const NAMES: [(&str, &str); 9] = [
    ("counter-clients-0", "counter-clients-0-symmetric"),
    ("counter-clients-1", "counter-clients-1-symmetric"),
    ("counter-clients-2", "counter-clients-2-symmetric"),
    ("counter-clients-3", "counter-clients-3-symmetric"),
    ("counter-clients-4", "counter-clients-4-symmetric"),
    ("counter-clients-5", "counter-clients-5-symmetric"),
    ("counter-clients-6", "counter-clients-6-symmetric"),
    ("counter-clients-7", "counter-clients-7-symmetric"),
    ("counter-clients-8", "counter-clients-8-symmetric"),
];

/// [`CounterClients`] with its clients declared interchangeable
/// ([`World::interchangeable`]): states equal up to a permutation of the clients count once.
pub struct SymmetricClients {
    /// How many clients.
    pub clients: usize,
}

impl System for SymmetricClients {
    fn name(&self) -> &str {
        NAMES
            .get(self.clients)
            .map_or("counter-clients-symmetric", |names| names.1)
    }
    fn build(&self, world: &mut World) {
        let clients = build_clients(world, self.clients);
        world.interchangeable(&clients);
    }
}

/// Explores every order of [`SymmetricClients`] with the simulator's DFS, state hashing and
/// symmetry reduction, without budgets, on `jobs` threads.
pub fn explore_symmetric(clients: usize, jobs: usize) -> Exploration {
    explore(&SymmetricClients { clients }, &unbounded(jobs), &mut |_| {}).expect("deterministic")
}

/// Explores every order of [`CounterClients`] with the simulator's DFS and state hashing,
/// without budgets, on `jobs` threads, restoring states from copies (`stateful`) or by
/// replaying their runs.
pub fn explore_clients(clients: usize, jobs: usize, stateful: bool) -> Exploration {
    let options = DfsOptions {
        stateful,
        ..unbounded(jobs)
    };
    explore(&CounterClients { clients }, &options, &mut |_| {}).expect("deterministic")
}

/// State hashing without budgets, keeping going, on `jobs` threads.
fn unbounded(jobs: usize) -> DfsOptions {
    DfsOptions {
        reduction: Reduction::StateHashing,
        max_depth: 1_000,
        max_states: u64::MAX,
        max_runs: u64::MAX,
        max_time: None,
        keep_going: true,
        jobs,
        shard: None,
        stateful: true,
    }
}

/// Which of the simulator's distinctions a state of [`count_states`] keeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Refinements {
    /// A client remembers the value it read once its `Set` is sent (the simulator hashes the
    /// outcomes a client was given); without it, as in the stateright model, a client
    /// forgets it and the reply to `Set` carries no value.
    pub client_values: bool,
    /// Clients start one at a time (the simulator's `start client-i` events); without it,
    /// as in stateright's `on_start`, every client has sent its `Get` in the initial state.
    pub ready: bool,
    /// Calls carry a global call number, numbered in the order they were made (the
    /// simulator's `#tag` before format version 3; now calls are numbered per caller, which
    /// says nothing about the order of other clients' calls).
    pub tags: bool,
    /// States equal up to a permutation of the clients are one state (a state is its
    /// multiset of clients): the space of the simulator's symmetry reduction.
    pub symmetric: bool,
}

/// What [`count_states`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Count {
    /// Unique reachable states, the initial state and terminal states included.
    pub states: u64,
    /// Of them, the states where nothing is enabled (every client done).
    pub terminal: u64,
}

/// Where one client stands; at most one of its messages is in flight at any time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Phase {
    /// Not started.
    Ready,
    /// `Get` travels to the server.
    Get,
    /// The reply to `Get`, carrying the value, travels back.
    GetReply,
    /// `Set(v + 1)` travels to the server.
    Set,
    /// The reply to `Set` travels back.
    SetReply,
    /// Finished.
    Done,
}

/// One client: its phase, the value it read (once read) and the number of its call.
type ClientAt = (Phase, Option<i64>, u64);

/// Counts the reachable states of the model by breadth-first search over an explicit state
/// (counter value, and per client its phase, the value it read and its call's number),
/// keeping only the distinctions `keep` asks for. With none it is stateright's state space
/// for this model; with client values and one-at-a-time starts it is the simulator's (see
/// `BENCHMARKS.md`).
pub fn count_states(clients: usize, keep: Refinements) -> Count {
    // The state: counter value, clients, and the number of calls made so far (not part of
    // what is compared: it follows from the phases).
    type Full = (i64, Vec<ClientAt>, u64);
    let key = |(value, at, _): &Full| -> (i64, Vec<ClientAt>) {
        let at = at.iter().map(|&(phase, read, tag)| {
            let read = match phase {
                // The value read is in the `GetReply` and `Set` messages in every model.
                Phase::GetReply | Phase::Set => read,
                Phase::SetReply | Phase::Done if keep.client_values => read,
                _ => None,
            };
            let tag = match phase {
                Phase::Get | Phase::GetReply | Phase::Set | Phase::SetReply if keep.tags => tag,
                _ => 0,
            };
            (phase, read, tag)
        });
        let mut at: Vec<ClientAt> = at.collect();
        if keep.symmetric {
            at.sort_unstable_by_key(|&(phase, read, tag)| (phase as u8, read, tag));
        }
        (*value, at)
    };
    let init: Full = if keep.ready {
        (0, vec![(Phase::Ready, None, 0); clients], 0)
    } else {
        let at = (1..=clients as u64).map(|tag| (Phase::Get, None, tag));
        (0, at.collect(), clients as u64)
    };
    let mut seen = HashSet::from([key(&init)]);
    let mut queue = VecDeque::from([init]);
    let mut terminal = 0;
    while let Some((value, at, calls)) = queue.pop_front() {
        let mut any = false;
        for i in 0..at.len() {
            let (phase, read, tag) = at[i];
            let (value, next, calls) = match phase {
                Phase::Ready => (value, (Phase::Get, None, calls + 1), calls + 1),
                Phase::Get => (value, (Phase::GetReply, Some(value), tag), calls),
                Phase::GetReply => (value, (Phase::Set, read, calls + 1), calls + 1),
                Phase::Set => (read.unwrap_or(0) + 1, (Phase::SetReply, read, tag), calls),
                Phase::SetReply => (value, (Phase::Done, read, 0), calls),
                Phase::Done => continue,
            };
            any = true;
            let mut at = at.clone();
            at[i] = next;
            let state = (value, at, calls);
            if seen.insert(key(&state)) {
                queue.push_back(state);
            }
        }
        terminal += u64::from(!any);
    }
    Count {
        states: seen.len() as u64,
        terminal,
    }
}
