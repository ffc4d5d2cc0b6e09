//! Symmetry reduction (`World::interchangeable`): states equal up to a permutation of
//! identical clients count once, the count is the number of orbits (checked against an
//! enumeration of the model), bugs are still found, and ids inside server states are renamed
//! with the clients (or two states that are not symmetric would be merged).

use std::collections::{HashSet, VecDeque};

use genserver::{CallResult, Ctx, ExitReason, GenServer, ProcessId, ReplyTo};
use genserver_sim::zoo::counter::Counter;
use genserver_sim::zoo::lost_update::read_modify_write;
use genserver_sim::{DfsOptions, Exploration, Reduction, Shard, Symmetry, World, explore};

fn options(reduction: Reduction, keep_going: bool) -> DfsOptions {
    DfsOptions {
        reduction,
        max_depth: 1_000,
        max_states: u64::MAX,
        max_runs: u64::MAX,
        max_time: None,
        keep_going,
        jobs: 1,
        shard: None,
        stateful: true,
    }
}

fn search(system: &(impl Fn(&mut World) + Sync), options: &DfsOptions) -> Exploration {
    explore(system, options, &mut |_| {}).expect("deterministic")
}

/// The counter and `clients` get-then-set clients, declared interchangeable if `symmetric`;
/// with `check`, the end check of lost-update (every increment counted).
fn counter_clients(clients: usize, symmetric: bool, check: bool) -> impl Fn(&mut World) + Sync {
    move |world: &mut World| {
        let counter = world.spawn::<Counter>("counter", 0);
        world.hash_state(counter);
        let ids: Vec<ProcessId> = (1..=clients)
            .map(|i| {
                world.client(&format!("client-{i}"), move |cx| {
                    read_modify_write(cx, counter)
                })
            })
            .collect();
        if symmetric {
            world.interchangeable(&ids);
        }
        if check {
            world.at_end("every increment counted", move |view| {
                view.state(counter).is_some_and(|c| c.0 == clients as i64)
            });
        }
    }
}

/// Where one get-then-set client stands (one message of it in flight at most).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Phase {
    Ready,
    Get,
    GetReply,
    Set,
    SetReply,
    Done,
}

/// The states of the get-then-set model as the simulator tells them apart (a client keeps
/// the value it read once read; clients start one at a time), by breadth-first search; with
/// `sorted`, up to a permutation of the clients (a state is its sorted clients). Returns the
/// states and, of them, the terminal ones.
fn enumerate(clients: usize, sorted: bool) -> (u64, u64) {
    type State = (i64, Vec<(Phase, Option<i64>)>);
    let key = |state: &State| {
        let mut key = state.clone();
        if sorted {
            key.1.sort_unstable();
        }
        key
    };
    let init: State = (0, vec![(Phase::Ready, None); clients]);
    let mut seen = HashSet::from([key(&init)]);
    let mut queue = VecDeque::from([init]);
    let mut terminal = 0;
    while let Some((value, at)) = queue.pop_front() {
        let mut any = false;
        for i in 0..at.len() {
            let (phase, read) = at[i];
            let (value, next) = match phase {
                Phase::Ready => (value, (Phase::Get, None)),
                Phase::Get => (value, (Phase::GetReply, Some(value))),
                Phase::GetReply => (value, (Phase::Set, read)),
                Phase::Set => (read.unwrap_or(0) + 1, (Phase::SetReply, read)),
                Phase::SetReply => (value, (Phase::Done, read)),
                Phase::Done => continue,
            };
            any = true;
            let mut at = at.clone();
            at[i] = next;
            let state = (value, at);
            if seen.insert(key(&state)) {
                queue.push_back(state);
            }
        }
        terminal += u64::from(!any);
    }
    (seen.len() as u64, terminal)
}

#[test]
fn identical_clients_count_once_per_permutation_and_the_count_is_the_orbits() {
    for clients in [2, 3, 4] {
        let hashing = options(Reduction::StateHashing, true);
        let plain = search(&counter_clients(clients, false, false), &hashing);
        let reduced = search(&counter_clients(clients, true, false), &hashing);
        assert!(plain.verified() && reduced.verified(), "N = {clients}");
        assert_eq!(plain.symmetry, Symmetry::Undeclared);
        assert_eq!(reduced.symmetry, Symmetry::Used, "N = {clients}");
        // The simulator does not fingerprint terminal states (nothing is chosen there).
        let (states, terminal) = enumerate(clients, false);
        assert_eq!(plain.states, states - terminal, "N = {clients}, plain");
        assert_eq!(plain.end_states, terminal, "N = {clients}, plain");
        let (orbits, terminal_orbits) = enumerate(clients, true);
        assert_eq!(reduced.states, orbits - terminal_orbits, "N = {clients}");
        assert_eq!(reduced.end_states, terminal_orbits, "N = {clients}");
        assert!(reduced.states < plain.states);
        eprintln!(
            "N = {clients}: {} states, {} up to symmetry; {} and {} runs",
            plain.states,
            reduced.states,
            plain.schedules + plain.pruned,
            reduced.schedules + reduced.pruned
        );
    }
}

#[test]
fn shards_with_symmetry_merge_to_the_serial_search() {
    // A sharded search carries sleep sets, which name processes as they are: a state met
    // again as a permutation of one reached with a sleep set is not skipped for it.
    for (clients, check) in [(3, false), (4, false), (3, true)] {
        let system = counter_clients(clients, true, check);
        let serial = search(&system, &options(Reduction::StateHashing, true));
        for count in [2, 3] {
            let shards: Vec<Exploration> = (1..=count)
                .map(|index| {
                    let shard = Some(Shard { index, count });
                    let options = DfsOptions {
                        shard,
                        ..options(Reduction::StateHashing, true)
                    };
                    search(&system, &options)
                })
                .collect();
            let merged = Exploration::merge(&shards);
            let outcome =
                |r: &Exploration| (r.states, r.end_states, r.distinct_failures, r.verified());
            assert_eq!(
                outcome(&merged),
                outcome(&serial),
                "N = {clients}, {count} shards"
            );
            assert_eq!(merged.symmetry, Symmetry::Used);
        }
    }
}

#[test]
fn the_lost_update_is_still_found_with_symmetry() {
    for keep_going in [false, true] {
        let hashing = options(Reduction::StateHashing, keep_going);
        let plain = search(&counter_clients(3, false, true), &hashing);
        let reduced = search(&counter_clients(3, true, true), &hashing);
        assert_eq!(reduced.symmetry, Symmetry::Used);
        for report in [&plain, &reduced] {
            let failure = report.found.as_ref().and_then(|r| r.failure());
            let failure = failure.expect("the lost update is found");
            assert!(
                failure.message.contains("every increment counted"),
                "{failure}"
            );
        }
        if keep_going {
            assert!(reduced.states < plain.states);
            assert!(reduced.distinct_failures >= 1);
        }
    }
}

#[test]
fn symmetry_is_used_by_state_hashing_only() {
    let system = counter_clients(2, true, false);
    let dpor = search(&system, &options(Reduction::Dpor, true));
    assert!(
        matches!(dpor.symmetry, Symmetry::Ignored(_)),
        "{:?}",
        dpor.symmetry
    );
    let every = search(&system, &options(Reduction::Nothing, true));
    assert!(matches!(every.symmetry, Symmetry::Ignored(_)));
    let unsymmetric = search(
        &counter_clients(2, false, false),
        &options(Reduction::Dpor, true),
    );
    assert_eq!(
        dpor.states, unsymmetric.states,
        "DPOR counts states as they are"
    );
}

#[test]
fn a_server_whose_state_is_not_hashed_sets_symmetry_aside() {
    let system = |world: &mut World| {
        let counter = world.spawn::<Counter>("counter", 0);
        let ids: Vec<ProcessId> = (1..=2)
            .map(|i| {
                world.client(&format!("client-{i}"), move |cx| {
                    read_modify_write(cx, counter)
                })
            })
            .collect();
        world.interchangeable(&ids);
    };
    let report = search(&system, &options(Reduction::StateHashing, true));
    match &report.symmetry {
        Symmetry::Ignored(why) => assert!(why.contains("counter"), "{why}"),
        other => panic!("{other:?}"),
    }
    let description = report.symmetry.describe().expect("declared");
    assert!(description.contains("ignored"), "{description}");
}

/// A lock held by one client, which it knows by id, and that hands out tickets.
#[derive(Debug, Hash)]
struct Lock {
    holder: ProcessId,
    next: u32,
    /// The holder poked it: the bug.
    poked_by_holder: bool,
}

#[derive(Debug)]
enum LockCall {
    /// The next ticket.
    Ticket,
    /// Poke the lock.
    Poke,
}

impl GenServer for Lock {
    type Args = ProcessId;
    type Call = LockCall;
    type Reply = u32;
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(holder: ProcessId, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Lock {
            holder,
            next: 0,
            poked_by_holder: false,
        })
    }

    fn handle_call(
        &mut self,
        call: LockCall,
        from: ReplyTo<u32>,
        _: &mut Ctx<Self>,
    ) -> CallResult<u32> {
        match call {
            LockCall::Ticket => {
                self.next += 1;
                return CallResult::Reply(self.next - 1);
            }
            LockCall::Poke => self.poked_by_holder |= self.holder == from.caller(),
        }
        CallResult::Reply(0)
    }
}

/// Two identical clients, the first of them holding the lock (the lock's state says so):
/// each takes a ticket, and the one with ticket 1 pokes the lock. The bug (the holder pokes)
/// needs the holder to get ticket 1. Once both have a ticket, "client-1 (the holder) has
/// ticket 0, client-2 ticket 1" and "client-1 has ticket 1, client-2 ticket 0" have their
/// clients swapped, but not the lock's holder: they are not symmetric, and only the second
/// leads to the bug. (The code is symmetric: the lock's state is what singles client-1 out,
/// and a permutation renames it too.) Renaming the clients but not the id inside the lock's
/// state merges the two, and a search that reaches the first one first never sees the bug.
fn lock_system(symmetric: bool) -> impl Fn(&mut World) + Sync {
    move |world: &mut World| {
        // The clients come next: the holder is the first.
        let lock = world.spawn::<Lock>("lock", ProcessId(2));
        world.hash_state(lock);
        let ids: Vec<ProcessId> = (1..=2)
            .map(|i| {
                world.client(&format!("client-{i}"), async move |cx| {
                    if cx.call(lock, LockCall::Ticket).await? == 1 {
                        cx.call(lock, LockCall::Poke).await?;
                    }
                    Ok(())
                })
            })
            .collect();
        assert_eq!(ids[0], ProcessId(2));
        if symmetric {
            world.interchangeable(&ids);
        }
        world.invariant("the holder never pokes", move |view| {
            view.state(lock).is_some_and(|l| !l.poked_by_holder)
        });
    }
}

#[test]
fn ids_inside_server_states_are_renamed_with_the_clients() {
    for keep_going in [false, true] {
        let hashing = options(Reduction::StateHashing, keep_going);
        let plain = search(&lock_system(false), &hashing);
        let reduced = search(&lock_system(true), &hashing);
        assert_eq!(reduced.symmetry, Symmetry::Used);
        assert!(plain.found.is_some(), "{}", plain.verdict());
        assert!(reduced.found.is_some(), "{}", reduced.verdict());
        if keep_going {
            // No two states here are symmetric (a swap makes client-2 the holder, which no
            // run reaches): symmetry merges none of them.
            assert_eq!(reduced.states, plain.states);
            assert_eq!(reduced.distinct_failures, plain.distinct_failures);
        }
    }
}

/// Builds two idle clients and a counter, then declares `group` (of their ids: the two
/// clients are 1 and 2, the counter 3), as a search builds the system.
fn declare(group: &'static [&'static [u64]]) {
    let system = move |world: &mut World| {
        world.client("a", async |_| Ok(()));
        world.client("b", async |_| Ok(()));
        let counter = world.spawn::<Counter>("counter", 0);
        world.hash_state(counter);
        for ids in group {
            world.interchangeable(&ids.iter().map(|&id| ProcessId(id)).collect::<Vec<_>>());
        }
    };
    search(&system, &options(Reduction::StateHashing, false));
}

#[test]
#[should_panic(expected = "a group holds clients, or servers of one type")]
fn a_group_mixing_clients_and_servers_is_refused() {
    declare(&[&[1, 3]]);
}

#[test]
#[should_panic(expected = "is already in group 1")]
fn a_process_in_two_groups_is_refused() {
    declare(&[&[1, 2], &[2]]);
}

#[test]
#[should_panic(expected = "is not a process of this world")]
fn an_unknown_id_is_refused() {
    declare(&[&[1, 9]]);
}

/// Tells a caller its id.
#[derive(Debug, Hash)]
struct WhoAmI;

impl GenServer for WhoAmI {
    type Args = ();
    type Call = ();
    type Reply = ProcessId;
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(WhoAmI)
    }

    fn handle_call(
        &mut self,
        _: (),
        from: ReplyTo<ProcessId>,
        _: &mut Ctx<Self>,
    ) -> CallResult<ProcessId> {
        CallResult::Reply(from.caller())
    }
}

#[test]
fn a_client_handed_a_member_id_stands_outside_symmetry_and_the_report_says_so() {
    let system = |symmetric: bool| {
        move |world: &mut World| {
            let server = world.spawn::<WhoAmI>("whoami", ());
            world.hash_state(server);
            let ids: Vec<ProcessId> = (1..=3)
                .map(|i| {
                    world.client(&format!("client-{i}"), async move |cx| {
                        let me = cx.call(server, ()).await?;
                        if me == cx.me() {
                            Ok(())
                        } else {
                            Err("not me".into())
                        }
                    })
                })
                .collect();
            if symmetric {
                world.interchangeable(&ids);
            }
        }
    };
    let hashing = options(Reduction::StateHashing, true);
    let plain = search(&system(false), &hashing);
    let reduced = search(&system(true), &hashing);
    assert!(plain.verified() && reduced.verified());
    match &reduced.symmetry {
        Symmetry::Partly(why) => assert!(why[0].contains("was handed the id of"), "{why:?}"),
        other => panic!("{other:?}"),
    }
    // States before any reply are merged; those after are counted as they are.
    assert!(reduced.states < plain.states);
    assert!(reduced.states > plain.states / 6);
    // End states hold the ids in the clients' histories: none of them is merged.
    assert_eq!(reduced.end_states, plain.end_states);
}
