//! State hashing: one number for everything that decides a world's future.
//!
//! Exhaustive search skips a state it has seen. Two worlds get the same fingerprint when
//! their virtual time, processes (server states or histories, client histories), queued
//! messages, deadlines, pending calls, links, monitors, trap flags and registered names are
//! the same. Servers whose system called
//! [`World::hash_state`] contribute their state's `Hash`; the others contribute the history
//! of what they were handed, which is always safe but tells more states apart. Clients
//! contribute the history of the outcomes they were given (their state follows from it).
//! The hasher is std's `DefaultHasher` with its fixed keys: the same in every run.

use std::fmt;
use std::hash::{DefaultHasher, Hasher};

use crate::scheduler::labels::without_numbers;
use crate::world::erased_server::{hash_fmt, hash_text};
use crate::world::{Deadline, ProcKind, World};

impl World {
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

    /// The fingerprint of a state a run ended in, blind to call numbers: two orders that
    /// differ only in how calls were numbered end in the same state.
    pub(crate) fn end_fingerprint(&self) -> u64 {
        self.fingerprint_with(true)
    }

    fn fingerprint_with(&self, tagless: bool) -> u64 {
        // Rendered text goes straight into the hasher, unless call numbers must come out.
        let feed = |h: &mut dyn Hasher, args: fmt::Arguments<'_>| match tagless {
            true => hash_text(h, &without_numbers(&fmt::format(args))),
            false => hash_fmt(h, args),
        };
        let mut hasher = DefaultHasher::new();
        let h: &mut dyn Hasher = &mut hasher;
        h.write_u64(self.now);
        h.write_u32(self.faults_used);
        for proc in &self.procs {
            match &proc.kind {
                ProcKind::Server(slot) => {
                    h.write_u8(b's');
                    slot.fingerprint(h, tagless);
                }
                ProcKind::Client(client) => {
                    h.write_u8(b'c');
                    hash_fmt(h, format_args!("{:?}", client.state));
                    h.write_u64(client.history);
                }
            }
        }
        for (from, life, to, queue) in self.net.queues() {
            h.write_u64(from.0);
            h.write_u32(life);
            h.write_u64(to.0);
            for envelope in queue {
                h.write_u64(envelope.due);
                feed(h, format_args!("{}", envelope.body));
            }
        }
        // Deadlines by time, then owner and number: not in the order they were set (their
        // sequence numbers only break ties between owners, which orders labels, not what can
        // happen; a server's own timers keep their order by number).
        let number = |n: u64| if tagless { 0 } else { n };
        let mut deadlines: Vec<(u64, u8, u64, u64)> = (self.deadlines.iter())
            .map(|(&(at, _), deadline)| match *deadline {
                Deadline::Timer { server, timer } => (at, 0, server.0, number(timer.0)),
                Deadline::Timeout { caller, tag } => (at, 1, caller.0, number(tag.0)),
                Deadline::Wake { client, ticket } => (at, 2, client.0, number(ticket)),
            })
            .collect();
        deadlines.sort_unstable();
        for (at, kind, owner, n) in deadlines {
            h.write_u64(at);
            h.write_u8(kind);
            h.write_u64(owner);
            h.write_u64(n);
        }
        for ((caller, tag), pending) in &self.pending {
            h.write_u64(caller.0);
            h.write_u64(if tagless { 0 } else { tag.0 });
            h.write_u64(pending.callee.0);
            h.write_u64(pending.deadline.map_or(u64::MAX, |(at, _)| at));
        }
        // Links, monitors, trap flags and names decide what exits will do.
        for (a, b) in self.kernel.links() {
            h.write_u8(b'l');
            h.write_u64(a.0);
            h.write_u64(b.0);
        }
        for (watcher, monitor, target) in self.kernel.monitors() {
            h.write_u8(b'm');
            h.write_u64(watcher.0);
            h.write_u64(monitor.0);
            h.write_u64(target.0);
        }
        for id in self.kernel.trapping() {
            h.write_u8(b't');
            h.write_u64(id.0);
        }
        for (name, id) in self.kernel.names() {
            h.write_u8(b'n');
            hash_text(h, name);
            h.write_u64(id.0);
        }
        h.write_u8(u8::from(self.failure.is_some()));
        hasher.finish()
    }
}
