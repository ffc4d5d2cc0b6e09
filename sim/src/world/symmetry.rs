//! Symmetry reduction: processes declared interchangeable ([`World::interchangeable`]) are
//! renamed to a canonical order before a state is fingerprinted, so that states equal up to
//! a permutation of them count once.
//!
//! The canonical representative: the members of each group are sorted by a signature of
//! what concerns them alone, computed blind to every group member's id (their own state,
//! their queues, calls, deadlines, links, monitors and names); members tied on it are tried
//! in every order (up to [`MAX_ORDERS`] orders for the whole world; beyond, in id order) and
//! the smallest fingerprint wins. The world is then hashed with every id renamed: the order
//! processes are hashed in, queue keys, pending calls, deadlines, links, monitors, names
//! (re-sorted after the renaming), and, through the core's [`genserver::engine::renamed`],
//! every `ProcessId` hashed inside a server state or rendered in a message or an effect.
//!
//! Soundness does not depend on the choice of representative, only on the renaming reaching
//! every id: two states then share a fingerprint only if one is a permutation of the other.
//! What the renaming cannot reach makes symmetry stand aside for that state (the state is
//! fingerprinted as it is, apart from every canonical fingerprint), and the search says so:
//! a live server whose state is not hashed ([`World::hash_state`]: its fingerprint is a
//! history of inputs rendered when they came, ids included), and a client that was handed
//! the id of a group member (its history keeps the id as it was rendered then).

use std::collections::BTreeSet;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use genserver::ProcessId;
use genserver::engine::renamed;

use crate::world::erased_server::hash_fmt;
use crate::world::fingerprint::hash_with;
use crate::world::{Deadline, ProcKind, World};

/// The most orders of tied members tried for one state: beyond, tied members keep their id
/// order (which is sound, and merges fewer states).
pub(crate) const MAX_ORDERS: usize = 120;

/// What the world knows of the groups of interchangeable processes.
#[derive(Clone, Default)]
pub(crate) struct Groups {
    /// The groups, each sorted by id.
    pub list: Vec<Vec<ProcessId>>,
    /// The servers whose state is hashed ([`World::hash_state`]).
    pub hashed: BTreeSet<ProcessId>,
    /// Whether fingerprints are taken up to the groups' permutations (set by the search).
    pub on: bool,
    /// Why this run's states can no longer be renamed (a client's history holds an id).
    pub broken: Option<String>,
    /// Where the search collects why symmetry stood aside for some states.
    pub notes: Option<Arc<Mutex<BTreeSet<String>>>>,
}

impl Groups {
    /// The group `id` is in, if any.
    pub(crate) fn group_of(&self, id: ProcessId) -> Option<usize> {
        self.list.iter().position(|group| group.contains(&id))
    }
}

/// A renaming of process ids: `table[id]` is the new id, `order[k]` the index in `procs` of
/// the process hashed `k`-th (the one renamed to `k + 1`).
pub(crate) struct Perm {
    pub table: Vec<u64>,
    pub order: Vec<usize>,
}

impl Perm {
    /// The new id of `id`.
    pub fn of(&self, id: ProcessId) -> u64 {
        usize::try_from(id.0)
            .ok()
            .and_then(|i| self.table.get(i).copied())
            .unwrap_or(id.0)
    }
}

impl World {
    /// Declares the processes of `group` interchangeable: the same code with the same
    /// inputs, so that a state and the state with two of them swapped (everywhere: their
    /// own states, their messages, and every place their ids appear) have the same future
    /// up to that swap. Exhaustive search with [`crate::Reduction::StateHashing`] then counts
    /// states equal up to a permutation of each group once (stateright's symmetry
    /// reduction), and explores one of them. A system may declare several groups.
    ///
    /// Members are clients, or servers of one type; servers of the system should have
    /// [`World::hash_state`] (a server whose state is not hashed makes the search set the
    /// declaration aside, and say so). It is the system's promise, not checked: a group
    /// whose members run different code, or an invariant, end check or client that singles
    /// one member out (reads "client-1's" share, calls one client by its id), makes the
    /// search unsound. Properties must be symmetric: then the search finds the same
    /// failures as without the declaration (up to which member shows them). Ids must stay
    /// `ProcessId`s (or `ServerRef`s) in states and messages: an id turned into a number or
    /// text (`format!("{id:?}")` kept in a state, an exit reason naming it) cannot be
    /// renamed.
    ///
    /// ```
    /// use genserver_sim::zoo::counter::Counter;
    /// use genserver_sim::zoo::lost_update::read_modify_write;
    /// use genserver_sim::{DfsOptions, Reduction, World, explore};
    ///
    /// let clients = |symmetric: bool| {
    ///     move |world: &mut World| {
    ///         let counter = world.spawn::<Counter>("counter", 0);
    ///         world.hash_state(counter);
    ///         let ids: Vec<_> = (1..=3)
    ///             .map(|i| world.client(&format!("client-{i}"), move |cx| read_modify_write(cx, counter)))
    ///             .collect();
    ///         if symmetric {
    ///             world.interchangeable(&ids);
    ///         }
    ///     }
    /// };
    /// let options = DfsOptions { reduction: Reduction::StateHashing, ..DfsOptions::default() };
    /// let plain = explore(&clients(false), &options, &mut |_| {}).unwrap();
    /// let reduced = explore(&clients(true), &options, &mut |_| {}).unwrap();
    /// assert!(plain.verified() && reduced.verified());
    /// assert!(reduced.states < plain.states);
    /// ```
    ///
    /// # Panics
    ///
    /// If an id is not a process of this world, a process is in two groups (or twice in
    /// this one), or the group mixes clients and servers, servers of different types, or
    /// servers with different mailbox bounds ([`World::bound_mailbox`]).
    pub fn interchangeable(&mut self, group: &[ProcessId]) {
        if self.lean {
            return; // Its servers never started: its groups are never used.
        }
        let mut members: Vec<ProcessId> = group.to_vec();
        members.sort_unstable();
        let mut kind = None;
        for (i, &id) in members.iter().enumerate() {
            let Some(proc) = self.proc(id) else {
                panic!("interchangeable: {id:?} is not a process of this world");
            };
            if i > 0 && members[i - 1] == id {
                panic!("interchangeable: {} is twice in the group", proc.name);
            }
            if let Some(other) = self.symmetry.group_of(id) {
                panic!(
                    "interchangeable: {} is already in group {} (a process is in one group at most)",
                    proc.name,
                    other + 1
                );
            }
            let this = match &proc.kind {
                ProcKind::Client(_) => None,
                ProcKind::Server(slot) => Some(slot.state().map(|state| state.type_id())),
            };
            match (&kind, this) {
                (None, this) => kind = Some((this, proc.name.clone())),
                (Some((None, _)), None) => {}
                (Some((Some(a), _)), Some(b)) if a.is_none() || b.is_none() || *a == b => {}
                (Some((first, name)), _) => {
                    let what = |server: bool| if server { "a server" } else { "a client" };
                    match (first.is_some(), this.is_some()) {
                        (a, b) if a != b => panic!(
                            "interchangeable: {name} is {} and {} is {}: a group holds clients, or servers of one type",
                            what(a),
                            proc.name,
                            what(b)
                        ),
                        _ => panic!(
                            "interchangeable: {name} and {} are servers of different types",
                            proc.name
                        ),
                    }
                }
            }
        }
        let bounds = |id: &ProcessId| self.limits.get(id).copied();
        if let Some(odd) = members.iter().find(|id| bounds(id) != bounds(&members[0])) {
            panic!(
                "interchangeable: {} and {} have different mailbox bounds",
                self.name(members[0]),
                self.name(*odd)
            );
        }
        self.symmetry.list.push(members);
    }

    /// Whether fingerprints are taken up to the groups' permutations in this run.
    pub(crate) fn symmetric(&self) -> bool {
        self.symmetry.on && !self.symmetry.list.is_empty()
    }

    /// Why this state cannot be renamed, if it cannot.
    pub(crate) fn symmetry_obstacle(&self) -> Option<String> {
        if let Some(reason) = &self.symmetry.broken {
            return Some(reason.clone());
        }
        let unhashed = self
            .procs
            .iter()
            .enumerate()
            .find(|(i, proc)| match &proc.kind {
                ProcKind::Server(slot) => {
                    slot.state().is_some()
                        && !(self.symmetry.hashed).contains(&ProcessId(*i as u64 + 1))
                }
                ProcKind::Client(_) => false,
            });
        unhashed.map(|(_, proc)| {
            format!(
                "server {} has no hash_state (its history holds ids as they were rendered)",
                proc.name
            )
        })
    }

    /// Notes, for the search's report, why symmetry stood aside for a state.
    pub(crate) fn note_asymmetric(&self, reason: String) {
        if let Some(notes) = &self.symmetry.notes {
            crate::search::worker::lock(notes).insert(reason);
        }
    }

    /// Records that client `client`'s history now holds the id of group member `member`.
    pub(crate) fn fold_broke(&mut self, client: ProcessId, member: Option<ProcessId>) {
        if let (Some(member), None) = (member, &self.symmetry.broken) {
            self.symmetry.broken = Some(format!(
                "client {} was handed the id of {} (its history keeps it as it was rendered)",
                self.name(client),
                self.name(member)
            ));
        }
    }

    /// The fingerprint of the canonical representative of this state's orbit.
    pub(crate) fn canonical_fingerprint(&self, tagless: bool) -> u64 {
        let size = self.procs.len() + 1;
        // Every member of group `g` looks the same to a signature: `u64::MAX - g`.
        let mut blind: Vec<u64> = (0..size as u64).collect();
        for (g, group) in self.symmetry.list.iter().enumerate() {
            for id in group {
                blind[id.0 as usize] = u64::MAX - g as u64;
            }
        }
        // Per group: its members by signature, and the runs of equal signatures.
        let mut arranged: Vec<Vec<ProcessId>> = Vec::new();
        let mut runs: Vec<(usize, usize, usize)> = Vec::new(); // (group, start, end)
        let mut orders: usize = 1;
        renamed(&blind, || {
            for (g, group) in self.symmetry.list.iter().enumerate() {
                let mut signed: Vec<(u64, ProcessId)> = (group.iter())
                    .map(|&id| (self.signature(id, &blind), id))
                    .collect();
                signed.sort_unstable();
                let mut start = 0;
                for end in 1..=signed.len() {
                    if end == signed.len() || signed[end].0 != signed[start].0 {
                        if end - start > 1 {
                            runs.push((g, start, end));
                            orders = orders.saturating_mul(factorial(end - start));
                        }
                        start = end;
                    }
                }
                arranged.push(signed.into_iter().map(|(_, id)| id).collect());
            }
        });
        if orders > MAX_ORDERS {
            runs.clear();
        }
        let mut best = u64::MAX;
        loop {
            let perm = self.perm(&arranged);
            best = best.min(renamed(&perm.table, || {
                self.hash_world(tagless, Some(&perm))
            }));
            // The next order of the tied runs, odometer-wise; done when every run wrapped.
            let mut advanced = false;
            for &(g, start, end) in &runs {
                if next_permutation(&mut arranged[g][start..end]) {
                    advanced = true;
                    break;
                }
            }
            if !advanced {
                break;
            }
        }
        // Apart from every fingerprint taken without renaming.
        hash_with(|mut h| (best, "up to symmetry").hash(&mut h))
    }

    /// The renaming that gives the `k`-th member of each group, as `arranged`, the group's
    /// `k`-th smallest id.
    fn perm(&self, arranged: &[Vec<ProcessId>]) -> Perm {
        let size = self.procs.len() + 1;
        let mut table: Vec<u64> = (0..size as u64).collect();
        let mut order: Vec<usize> = (0..self.procs.len()).collect();
        for (group, members) in self.symmetry.list.iter().zip(arranged) {
            for (slot, member) in group.iter().zip(members) {
                table[member.0 as usize] = slot.0;
                order[slot.0 as usize - 1] = member.0 as usize - 1;
            }
        }
        Perm { table, order }
    }

    /// What concerns `id` alone, blind to the ids of group members (`blind`, which the
    /// core's renaming applies too): its own state, its queues, calls, deadlines, links,
    /// monitors, trap flag and names. Equal for two members one permutation maps onto each
    /// other (so it orders them the same in both states).
    fn signature(&self, id: ProcessId, blind: &[u64]) -> u64 {
        let map = |p: ProcessId| {
            usize::try_from(p.0)
                .ok()
                .and_then(|i| blind.get(i).copied())
                .unwrap_or(p.0)
        };
        let mut items: Vec<u64> = Vec::new();
        if let Some(proc) = self.proc(id) {
            items.push(hash_with(|h| match &proc.kind {
                ProcKind::Server(slot) => {
                    h.write_u8(b's');
                    slot.fingerprint(h, false);
                }
                ProcKind::Client(client) => {
                    h.write_u8(b'c');
                    h.write_u8(client.state as u8);
                    h.write_u64(client.history);
                }
            }));
        }
        for (from, life, to, queue) in self.net.queues() {
            if from != id && to != id {
                continue;
            }
            items.push(hash_with(|h| {
                h.write_u8(b'q');
                h.write_u64(map(from));
                h.write_u32(life);
                h.write_u64(map(to));
                h.write_u8(u8::from(from == id));
                for envelope in queue {
                    h.write_u64(envelope.due);
                    hash_fmt(h, format_args!("{}", envelope.body));
                }
            }));
        }
        for (&(at, _), deadline) in &self.deadlines {
            if deadline.owner() == id {
                let (kind, n) = match *deadline {
                    Deadline::Timer { timer, .. } => (0, timer.0),
                    Deadline::Timeout { tag, .. } => (1, tag.0),
                    Deadline::Wake { ticket, .. } => (2, ticket),
                };
                items.push(hash_with(|h| {
                    h.write_u8(b'd');
                    h.write_u64(at);
                    h.write_u8(kind);
                    h.write_u64(n);
                }));
            }
        }
        for ((caller, tag), pending) in &self.pending {
            if *caller == id || pending.callee == id {
                items.push(hash_with(|h| {
                    h.write_u8(b'p');
                    h.write_u64(map(*caller));
                    h.write_u64(tag.0);
                    h.write_u64(map(pending.callee));
                    h.write_u8(u8::from(*caller == id));
                    h.write_u64(pending.deadline.map_or(u64::MAX, |(at, _)| at));
                }));
            }
        }
        for (a, b) in self.kernel.links() {
            if a == id || b == id {
                items.push(hash_with(|h| {
                    h.write_u8(b'l');
                    h.write_u64(map(a));
                    h.write_u64(map(b));
                    h.write_u8(u8::from(a == id));
                }));
            }
        }
        for (watcher, monitor, target) in self.kernel.monitors() {
            if watcher == id || target == id {
                items.push(hash_with(|h| {
                    h.write_u8(b'm');
                    h.write_u64(map(watcher));
                    h.write_u64(monitor.0);
                    h.write_u64(map(target));
                    h.write_u8(u8::from(watcher == id));
                }));
            }
        }
        if self.kernel.trapping().any(|t| t == id) {
            items.push(u64::from(b't'));
        }
        for (name, holder) in self.kernel.names() {
            if *holder == id {
                items.push(hash_with(|h| {
                    h.write_u8(b'n');
                    h.write(name.as_bytes());
                }));
            }
        }
        items.sort_unstable();
        hash_with(|h| {
            for item in &items {
                h.write_u64(*item);
            }
        })
    }
}

/// `n!`, saturating.
fn factorial(n: usize) -> usize {
    (1..=n).fold(1usize, |acc, k| acc.saturating_mul(k))
}

/// Rearranges `items` into the next permutation in lexicographic order; at the last one it
/// goes back to the first (sorted) and returns `false`.
fn next_permutation(items: &mut [ProcessId]) -> bool {
    let Some(i) = (1..items.len()).rev().find(|&i| items[i - 1] < items[i]) else {
        items.reverse();
        return false;
    };
    let j = (i..items.len())
        .rev()
        .find(|&j| items[j] > items[i - 1])
        .expect("items[i] is greater");
    items.swap(i - 1, j);
    items[i..].reverse();
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutations_cycle_back_to_sorted() {
        let mut items: Vec<ProcessId> = (1..=4).map(ProcessId).collect();
        let mut seen = BTreeSet::new();
        loop {
            seen.insert(items.clone());
            if !next_permutation(&mut items) {
                break;
            }
        }
        assert_eq!(seen.len(), 24);
        assert_eq!(items, (1..=4).map(ProcessId).collect::<Vec<_>>());
    }
}
