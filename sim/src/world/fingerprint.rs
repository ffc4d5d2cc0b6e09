//! State hashing: one number for everything that decides a world's future.
//!
//! Exhaustive search skips a state it has seen. Two worlds get the same fingerprint when
//! their virtual time, processes (server states or histories, client histories), queued
//! messages, deadlines, pending calls, links, monitors, trap flags and registered names are
//! the same. Servers whose system called
//! [`World::hash_state`] contribute their state's `Hash`; the others contribute the history
//! of what they were handed, which is always safe but tells more states apart. Clients
//! contribute the history of the outcomes they were given (their state follows from it).
//! The world's bytes are hashed with XXH3-64, a specified hash, and so are the parts it is
//! made of (histories, messages' texts): the same fingerprint in every run and in every
//! version. Numbers go in little-endian, so machines of either byte order agree, except on
//! a hashed state's slices of integers, which std's `Hash` writes in the machine's order.
//!
//! A search with symmetry on ([`World::interchangeable`]) fingerprints the canonical
//! representative of a state instead (`world/symmetry.rs`), unless something in the state
//! cannot be renamed.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use genserver::{GenServer, ProcessId, ServerRef};
use xxhash_rust::xxh3::xxh3_64;

use crate::scheduler::labels::without_numbers;
use crate::world::envelope::Envelope;
use crate::world::erased_server::{hash_fmt, hash_text};
use crate::world::symmetry::Perm;
use crate::world::{Deadline, Proc, ProcKind, World};

impl World {
    /// Lets exhaustive search hash the state of `server` (its type must be `Hash`), so that
    /// orders reaching the same state are explored once. Without it the search tells states
    /// apart by what the server was sent, which is safe but merges fewer of them. Runtime
    /// users never need this: only [`crate::explore`] looks at it.
    pub fn hash_state<S: GenServer + Hash>(&mut self, server: ServerRef<S>) {
        self.symmetry.hashed.insert(server.id());
        if let Some(Proc {
            kind: ProcKind::Server(slot),
            ..
        }) = self.proc_mut(server.id())
        {
            slot.set_state_hasher(Rc::new(|state, mut hasher| {
                if let Some(state) = state.downcast_ref::<S>() {
                    state.hash(&mut hasher);
                }
            }));
        }
    }

    /// Makes every server keep the history its fingerprint falls back on.
    pub(crate) fn keep_histories(&mut self) {
        for proc in &mut self.procs {
            if let ProcKind::Server(slot) = &mut proc.kind {
                slot.keep_history();
            }
        }
    }

    /// The fingerprint of the current state.
    pub(crate) fn fingerprint(&self) -> u64 {
        self.fingerprint_with(false)
    }

    /// The fingerprint of the current state as it is, not up to symmetry (`fingerprint`:
    /// [`World::fingerprint`], which it is unless symmetry is on).
    pub(crate) fn exact_fingerprint(&self, fingerprint: u64) -> u64 {
        match self.symmetric() {
            true => self.hash_world(false, None),
            false => fingerprint,
        }
    }

    /// The fingerprint of a state a run ended in, blind to call numbers: two orders that
    /// differ only in how calls were numbered end in the same state.
    pub(crate) fn end_fingerprint(&self) -> u64 {
        self.fingerprint_with(true)
    }

    fn fingerprint_with(&self, tagless: bool) -> u64 {
        if self.symmetric() {
            match self.symmetry_obstacle() {
                None => return self.canonical_fingerprint(tagless),
                Some(reason) => self.note_asymmetric(reason),
            }
        }
        self.hash_world(tagless, None)
    }

    /// Hashes the world, every process id renamed by `perm` if given (the caller has the
    /// core rename the ids inside states and messages too): processes in the order of their
    /// new ids, and what is ordered by ids re-sorted by them.
    pub(crate) fn hash_world(&self, tagless: bool, perm: Option<&Perm>) -> u64 {
        let map = |id: ProcessId| perm.map_or(id.0, |perm| perm.of(id));
        // Rendered text goes straight into the hasher, unless call numbers must come out.
        let feed = |h: &mut dyn Hasher, args: fmt::Arguments<'_>| match tagless {
            true => hash_text(h, &without_numbers(&fmt::format(args))),
            false => hash_fmt(h, args),
        };
        let mut hasher = Buffered::take();
        let h: &mut dyn Hasher = &mut hasher;
        h.write_u64(self.now);
        h.write_u32(self.faults_used);
        for k in 0..self.procs.len() {
            let index = perm.map_or(k, |perm| perm.order[k]);
            match &self.procs[index].kind {
                ProcKind::Server(slot) => {
                    h.write_u8(b's');
                    slot.fingerprint(h, tagless);
                }
                ProcKind::Client(client) => {
                    h.write_u8(b'c');
                    h.write_u8(client.state as u8);
                    h.write_u64(client.history);
                }
            }
        }
        let queue = |h: &mut dyn Hasher, (from, life, to, queue): Queue<'_>| {
            h.write_u64(from);
            h.write_u32(life);
            h.write_u64(to);
            for envelope in queue {
                h.write_u64(envelope.due);
                match (tagless, perm) {
                    // Its text never changes: rendered once, for every state it is queued in.
                    (false, None) => h.write_u64(envelope.print()),
                    (true, None) => feed(h, format_args!("{}", envelope.shown())),
                    // Rendered with ids renamed: nothing of it is kept.
                    (_, Some(_)) => feed(h, format_args!("{}", envelope.body)),
                }
            }
        };
        match perm {
            None => (self.net.queues()).for_each(|(f, l, t, q)| queue(h, (f.0, l, t.0, q))),
            Some(_) => {
                let mut queues: Vec<Queue<'_>> = (self.net.queues())
                    .map(|(from, life, to, q)| (map(from), life, map(to), q))
                    .collect();
                queues.sort_unstable_by_key(|&(from, life, to, _)| (from, life, to));
                queues.into_iter().for_each(|q| queue(h, q));
            }
        }
        // Deadlines by time, then owner and number: not in the order they were set (their
        // sequence numbers only break ties between owners, which orders labels, not what can
        // happen; a server's own timers keep their order by number).
        let number = |n: u64| if tagless { 0 } else { n };
        let mut deadlines = DEADLINES.take();
        deadlines.extend(
            (self.deadlines.iter()).map(|(&(at, _), deadline)| match *deadline {
                Deadline::Timer { server, timer } => (at, 0, map(server), number(timer.0)),
                Deadline::Timeout { caller, tag } => (at, 1, map(caller), number(tag.0)),
                Deadline::Wake { client, ticket } => (at, 2, map(client), number(ticket)),
            }),
        );
        deadlines.sort_unstable();
        for (at, kind, owner, n) in deadlines.drain(..) {
            h.write_u64(at);
            h.write_u8(kind);
            h.write_u64(owner);
            h.write_u64(n);
        }
        DEADLINES.set(deadlines);
        let pending = |h: &mut dyn Hasher, (caller, tag, callee, at): (u64, u64, u64, u64)| {
            h.write_u64(caller);
            h.write_u64(tag);
            h.write_u64(callee);
            h.write_u64(at);
        };
        let calls = (self.pending.iter()).map(|((caller, tag), p)| {
            let at = p.deadline.map_or(u64::MAX, |(at, _)| at);
            let tag = if tagless { 0 } else { tag.0 };
            (map(*caller), tag, map(p.callee), at)
        });
        match perm {
            None => calls.for_each(|call| pending(h, call)),
            Some(_) => {
                let mut calls: Vec<_> = calls.collect();
                calls.sort_unstable();
                calls.into_iter().for_each(|call| pending(h, call));
            }
        }
        // Links, monitors, trap flags and names decide what exits will do.
        let mut links: Vec<(u64, u64)> = (self.kernel.links())
            .map(|(a, b)| (map(a), map(b)))
            .collect();
        let mut monitors: Vec<(u64, u64, u64)> = (self.kernel.monitors())
            .map(|(watcher, monitor, target)| (map(watcher), monitor.0, map(target)))
            .collect();
        let mut trapping: Vec<u64> = self.kernel.trapping().map(map).collect();
        if perm.is_some() {
            links.sort_unstable();
            monitors.sort_unstable();
            trapping.sort_unstable();
        }
        for (a, b) in links {
            h.write_u8(b'l');
            h.write_u64(a);
            h.write_u64(b);
        }
        for (watcher, monitor, target) in monitors {
            h.write_u8(b'm');
            h.write_u64(watcher);
            h.write_u64(monitor);
            h.write_u64(target);
        }
        for id in trapping {
            h.write_u8(b't');
            h.write_u64(id);
        }
        for (name, id) in self.kernel.names() {
            h.write_u8(b'n');
            hash_text(h, name);
            h.write_u64(map(*id));
        }
        h.write_u8(u8::from(self.failure.is_some()));
        hasher.hash()
    }
}

thread_local! {
    /// The list a fingerprint sorts the deadlines in, kept for its room (empty between
    /// fingerprints).
    static DEADLINES: Cell<Vec<(u64, u8, u64, u64)>> = const { Cell::new(Vec::new()) };

    /// The buffers of the last fingerprints, kept for the room they took: one for each
    /// level of nesting (a fingerprint hashes a message's text while it is being made).
    static SPARE: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

/// The most buffers a thread keeps (the deepest nesting seen is two).
const KEPT: usize = 4;

/// XXH3-64 of what `feed` writes (numbers little-endian): how every part of a fingerprint
/// is hashed.
pub(crate) fn hash_with(feed: impl FnOnce(&mut dyn Hasher)) -> u64 {
    let mut hasher = Buffered::take();
    feed(&mut hasher);
    hasher.hash()
}

/// Collects the bytes a fingerprint hashes, to hash them in one go (one long input costs far
/// less than the hundred short writes of a world); numbers go in little-endian, so the bytes
/// are the same on every machine.
struct Buffered(Vec<u8>);

impl Buffered {
    /// An empty buffer, with the room of one this thread used before.
    fn take() -> Self {
        let spare = SPARE.with_borrow_mut(Vec::pop);
        let mut bytes = spare.unwrap_or_default();
        bytes.clear();
        Buffered(bytes)
    }

    /// The hash of the bytes collected (the buffer's room is kept for the next one).
    fn hash(self) -> u64 {
        let hash = xxh3_64(&self.0);
        SPARE.with_borrow_mut(|spare| {
            if spare.len() < KEPT {
                spare.push(self.0);
            }
        });
        hash
    }
}

impl Hasher for Buffered {
    fn finish(&self) -> u64 {
        xxh3_64(&self.0)
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }

    fn write_u8(&mut self, value: u8) {
        self.0.push(value);
    }

    fn write_u16(&mut self, value: u16) {
        self.0.extend_from_slice(&value.to_le_bytes());
    }

    fn write_u32(&mut self, value: u32) {
        self.0.extend_from_slice(&value.to_le_bytes());
    }

    fn write_u64(&mut self, value: u64) {
        self.0.extend_from_slice(&value.to_le_bytes());
    }

    fn write_u128(&mut self, value: u128) {
        self.0.extend_from_slice(&value.to_le_bytes());
    }

    /// As a `u64`: the same bytes on 32- and 64-bit machines (a state's lengths and indices).
    fn write_usize(&mut self, value: usize) {
        self.write_u64(value as u64);
    }
}

/// A queue as hashed: sender, its life, receiver (renamed), and the messages.
type Queue<'a> = (u64, u32, u64, &'a VecDeque<Envelope>);

#[cfg(test)]
mod tests {
    use std::hash::Hasher;

    use super::{Buffered, hash_with};

    #[test]
    fn a_fingerprint_takes_numbers_little_endian_whatever_the_machine() {
        let mut hasher = Buffered::take();
        hasher.write_usize(1);
        hasher.write_i16(-2);
        hasher.write_u32(3);
        hasher.write_u8(4);
        let bytes = [1, 0, 0, 0, 0, 0, 0, 0, 0xfe, 0xff, 3, 0, 0, 0, 4];
        assert_eq!(hasher.0, bytes);
        assert_eq!(hasher.hash(), xxhash_rust::xxh3::xxh3_64(&bytes));
    }

    #[test]
    fn the_hash_of_a_fingerprint_is_pinned() {
        // Shards of one search, run on different machines or builds, merge their states by
        // fingerprint: the hash must never change silently.
        let hash = hash_with(|h| {
            h.write_u64(42);
            h.write(b"counter");
        });
        assert_eq!(hash, 7_089_057_818_881_911_704);
    }

    /// A server that stops, without replying, when called.
    #[derive(Hash)]
    struct Quits;

    impl genserver::GenServer for Quits {
        type Args = ();
        type Call = ();
        type Reply = ();
        type Cast = ();
        type Info = ();
        type Continue = ();
        fn init(_: (), _: &mut genserver::Ctx<Self>) -> Result<Self, genserver::ExitReason> {
            Ok(Quits)
        }
        fn handle_call(
            &mut self,
            _: (),
            _: genserver::ReplyTo<()>,
            ctx: &mut genserver::Ctx<Self>,
        ) -> genserver::CallResult<()> {
            ctx.stop(genserver::ExitReason::error("called"));
            genserver::CallResult::NoReply
        }
    }

    /// Two clients whose calls fail: an error outcome reaches them in a reply.
    fn failed_calls(world: &mut crate::World) {
        let quits = world.spawn::<Quits>("quits", ());
        world.hash_state(quits);
        for name in ["a", "b"] {
            world.client(name, async move |cx| {
                let _ = cx.call(quits, ()).await;
                Ok(())
            });
        }
    }

    #[test]
    fn the_fingerprints_of_the_bundled_systems_are_pinned() {
        // The same, for what a fingerprint feeds in: every bundled system, stepped by a
        // fixed rule, its fingerprints folded into one number. Change it only on purpose
        // (a new encoding, a zoo system changed), and say so: shards from builds on either
        // side of the change do not merge.
        use crate::drive::run::built;
        use crate::zoo::systems;
        let mut folded = Vec::new();
        let failing: &dyn crate::System = &failed_calls;
        let bundled = systems().iter().map(|entry| entry as &dyn crate::System);
        for entry in bundled.chain([failing]) {
            for stride in [7, 5, 3, 2] {
                let mut world = built(entry, stride as u64, None, 400, false, true);
                for step in 0..120 {
                    folded.push(world.fingerprint());
                    folded.push(world.end_fingerprint());
                    let events = world.enabled();
                    let Some(&next) = events.get((step * stride + 3) % events.len().max(1)) else {
                        break;
                    };
                    world.execute(next);
                }
            }
        }
        assert!(
            folded.len() > 1_500,
            "the runs went on: {} fingerprints",
            folded.len()
        );
        let hash = hash_with(|h| folded.iter().for_each(|&f| h.write_u64(f)));
        assert_eq!(
            hash,
            1_813_348_517_793_193_198,
            "{} fingerprints",
            folded.len()
        );
    }
}
