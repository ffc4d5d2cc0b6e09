//! The kernel: names, links, monitors and trap flags of live processes, and the
//! [rules](crate::rules) that turn an exit, a link or a monitor into the notices it causes.
//!
//! Both engines keep one `Kernel` and only move what it returns: the threaded runtime hands
//! a [`Notice`] to the receiver's inbox at once (under its one lock), the simulator queues it
//! as a message for its scheduler to deliver. So the rules are written here once; what stays
//! an engine's own is when a notice arrives and what a server does with it.
//!
//! A link is kept on each side. When a process exits, its side goes with it, but the other
//! side stays until the exit signal of the link is handled by the receiver
//! ([`Kernel::signal`], and [`Kernel::take_link`] for a trapped one): an unlink meanwhile
//! voids the signal ([rule 4](crate::rules#rule-4-undoing-a-watch-drops-what-is-in-flight)).

use std::collections::{BTreeMap, BTreeSet};

use crate::{Down, ExitReason, ExitSignal, MonitorRef, ProcessId, StartError, StartOptions};

/// What one exit, link or monitor makes the kernel tell a process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// A `Down` for watcher `to`; it comes from `down.process`.
    Down {
        /// The watcher.
        to: ProcessId,
        /// The monitor, the watched process and its exit reason.
        down: Down,
    },
    /// An exit signal for `to`; it comes from `signal.from`.
    Exit {
        /// The receiver.
        to: ProcessId,
        /// The sender and the reason.
        signal: ExitSignal,
        /// Sent because of a link (void if the receiver unlinks first).
        link: bool,
    },
}

/// What an exit signal does when it reaches a live process
/// ([rule 2](crate::rules#rule-2-what-an-exit-signal-does)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arrival {
    /// Nothing: the receiver unlinked the sender since the signal of their link left.
    Void,
    /// The receiver traps exits: it handles the signal in `handle_exit` (a link signal's
    /// link is consumed then, by [`Kernel::take_link`]).
    Trap,
    /// A `normal` signal to a process that does not trap exits: ignored.
    Ignore,
    /// The receiver exits with this reason, running `terminate`.
    Exit(ExitReason),
    /// A kill: the receiver ends at once, without `terminate`, with reason `killed`.
    Kill,
}

/// One live process, as the kernel knows it.
#[derive(Clone, Debug, Default)]
struct Entry {
    links: BTreeSet<ProcessId>,
    /// Who monitors this process, with which monitor.
    watchers: BTreeSet<(ProcessId, MonitorRef)>,
    /// The monitors this process holds on live processes.
    watching: BTreeMap<MonitorRef, ProcessId>,
    /// While its start is under way: the starter it is linked to, which learns of an exit
    /// then from the failed start, not from an exit signal
    /// ([rule 5](crate::rules#rule-5-a-child-is-started-before-its-starter-goes-on)).
    starting_for: Option<ProcessId>,
    trap_exits: bool,
}

/// What a process left behind when it exited: the names it freed and the notices to send.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Retired {
    /// The names it held, in name order.
    pub names: Vec<String>,
    /// `Down`s to its watchers, then exit signals to its links
    /// ([rule 1](crate::rules#rule-1-an-exit-is-seen-after-it-is-complete)).
    pub notices: Vec<Notice>,
}

/// The live processes with their names, links, monitors and trap flags.
#[derive(Clone, Debug, Default)]
pub struct Kernel {
    /// Boxed: the map's nodes stay small (an entry is four collections wide).
    procs: BTreeMap<ProcessId, Box<Entry>>,
    names: BTreeMap<String, ProcessId>,
}

impl Kernel {
    /// An empty kernel.
    pub fn new() -> Self {
        Kernel::default()
    }

    /// Whether `id` is a live process.
    pub fn is_alive(&self, id: ProcessId) -> bool {
        self.procs.contains_key(&id)
    }

    /// The process registered as `name`.
    pub fn whereis(&self, name: &str) -> Option<ProcessId> {
        self.names.get(name).copied()
    }

    /// Every registered name with its holder, in name order.
    pub fn names(&self) -> &BTreeMap<String, ProcessId> {
        &self.names
    }

    /// The names `id` holds, in name order.
    pub fn names_of(&self, id: ProcessId) -> Vec<String> {
        (self.names.iter())
            .filter(|&(_, holder)| *holder == id)
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// Process `id` is alive from now on, trapping exits or not.
    pub fn enter(&mut self, id: ProcessId, trap_exits: bool) {
        let entry = Entry {
            trap_exits,
            ..Entry::default()
        };
        self.procs.insert(id, Box::new(entry));
    }

    /// Registers live process `id` as `name`; a name a live process holds is refused.
    pub fn register(&mut self, name: &str, id: ProcessId) -> Result<(), StartError> {
        if self.names.contains_key(name) {
            return Err(StartError::NameTaken(name.to_owned()));
        }
        self.names.insert(name.to_owned(), id);
        Ok(())
    }

    /// A server whose `init` succeeded comes alive
    /// ([rule 5](crate::rules#rule-5-a-child-is-started-before-its-starter-goes-on)): its
    /// name is taken (or the start fails, leaving nothing behind), its trap flag set, and it
    /// is linked to `options.link_to`, which counts as its starter until
    /// [`Kernel::finish_start`]. Returns the notice linking may cause (a dead starter).
    pub fn start(
        &mut self,
        id: ProcessId,
        options: &StartOptions,
        trap_exits: bool,
    ) -> Result<Option<Notice>, StartError> {
        if let Some(name) = &options.name {
            if self.names.contains_key(name) {
                return Err(StartError::NameTaken(name.clone()));
            }
        }
        self.enter(id, trap_exits);
        if let Some(name) = &options.name {
            self.names.insert(name.clone(), id);
        }
        let Some(to) = options.link_to else {
            return Ok(None);
        };
        if let Some(entry) = self.procs.get_mut(&id) {
            entry.starting_for = Some(to);
        }
        Ok(self.link(id, to).err())
    }

    /// The start of `id` went well: from now on its starter hears of its exit through their
    /// link. Returns `false` if `id` is already gone.
    pub fn finish_start(&mut self, id: ProcessId) -> bool {
        match self.procs.get_mut(&id) {
            Some(entry) => {
                entry.starting_for = None;
                true
            }
            None => false,
        }
    }

    /// `watcher` monitors `target`. A dead or unknown target answers at once with a `Down`
    /// "no such process", returned as `Some` ([rule 3](crate::rules#rule-3-a-dead-or-unknown-process-answers-at-once)).
    pub fn monitor(
        &mut self,
        watcher: ProcessId,
        monitor: MonitorRef,
        target: ProcessId,
    ) -> Option<Notice> {
        if !self.procs.contains_key(&watcher) {
            return None;
        }
        let Some(entry) = self.procs.get_mut(&target) else {
            let down = Down {
                monitor,
                process: target,
                reason: ExitReason::NoProcess,
            };
            return Some(Notice::Down { to: watcher, down });
        };
        entry.watchers.insert((watcher, monitor));
        if let Some(entry) = self.procs.get_mut(&watcher) {
            entry.watching.insert(monitor, target);
        }
        None
    }

    /// `watcher` gives up `monitor`; returns the process it watched, if it was live. The
    /// engine drops the monitor's `Down` if it is already on its way
    /// ([rule 4](crate::rules#rule-4-undoing-a-watch-drops-what-is-in-flight)).
    pub fn demonitor(&mut self, watcher: ProcessId, monitor: MonitorRef) -> Option<ProcessId> {
        let target = self.procs.get_mut(&watcher)?.watching.remove(&monitor)?;
        if let Some(entry) = self.procs.get_mut(&target) {
            entry.watchers.remove(&(watcher, monitor));
        }
        Some(target)
    }

    /// Links `a` and `b` both ways: `Ok(true)` if they were not linked yet. Linking a dead or
    /// unknown `b` gives `a` an exit signal "no such process", returned as `Err`
    /// ([rule 3](crate::rules#rule-3-a-dead-or-unknown-process-answers-at-once)); `a`'s side
    /// of that link stands until the signal is handled, as for any link.
    pub fn link(&mut self, a: ProcessId, b: ProcessId) -> Result<bool, Notice> {
        if a == b || !self.procs.contains_key(&a) {
            return Ok(false);
        }
        let Some(entry) = self.procs.get_mut(&b) else {
            if let Some(entry) = self.procs.get_mut(&a) {
                entry.links.insert(b);
            }
            let signal = ExitSignal {
                from: b,
                reason: ExitReason::NoProcess,
            };
            return Err(Notice::Exit {
                to: a,
                signal,
                link: true,
            });
        };
        let new = entry.links.insert(a);
        if let Some(entry) = self.procs.get_mut(&a) {
            entry.links.insert(b);
        }
        Ok(new)
    }

    /// Removes the link of `a` and `b`, both ways; returns whether there was one. An exit
    /// signal of that link still on its way to `a` is void from now on
    /// ([rule 4](crate::rules#rule-4-undoing-a-watch-drops-what-is-in-flight)).
    pub fn unlink(&mut self, a: ProcessId, b: ProcessId) -> bool {
        let mut was = false;
        for (from, to) in [(a, b), (b, a)] {
            if let Some(entry) = self.procs.get_mut(&from) {
                was |= entry.links.remove(&to);
            }
        }
        was
    }

    /// A trapped link signal from `from` is being handled by `me`: consumes the link, and
    /// says whether it was still there (if not, `me` unlinked meanwhile: drop the signal).
    pub fn take_link(&mut self, me: ProcessId, from: ProcessId) -> bool {
        (self.procs.get_mut(&me)).is_some_and(|entry| entry.links.remove(&from))
    }

    /// Sets whether `id` traps exits; returns whether that changed anything.
    pub fn set_trap(&mut self, id: ProcessId, on: bool) -> bool {
        match self.procs.get_mut(&id) {
            Some(entry) if entry.trap_exits != on => {
                entry.trap_exits = on;
                true
            }
            _ => false,
        }
    }

    /// Whether `id` traps exits.
    pub fn traps(&self, id: ProcessId) -> bool {
        self.procs.get(&id).is_some_and(|entry| entry.trap_exits)
    }

    /// What an exit signal does as it reaches live process `to`
    /// ([rule 2](crate::rules#rule-2-what-an-exit-signal-does)). A link signal that is not
    /// trapped consumes its link here; `None` if `to` is not alive.
    pub fn signal(
        &mut self,
        to: ProcessId,
        signal: &ExitSignal,
        link: bool,
        kill: bool,
    ) -> Option<Arrival> {
        let entry = self.procs.get_mut(&to)?;
        if kill {
            return Some(Arrival::Kill);
        }
        if link && !entry.links.contains(&signal.from) {
            return Some(Arrival::Void);
        }
        if entry.trap_exits {
            return Some(Arrival::Trap);
        }
        if link {
            entry.links.remove(&signal.from);
        }
        Some(match signal.reason {
            ExitReason::Normal => Arrival::Ignore,
            ref reason => Arrival::Exit(reason.clone()),
        })
    }

    /// What an exit signal does as it is handled by live process `to`: [`Kernel::signal`]
    /// with the trap flag of now, and a trapped link signal consumes its link (void if the
    /// receiver unlinked meanwhile). An engine that queued a signal when it was sent (the
    /// receiver trapped exits then) decides here what it does when the receiver takes it.
    pub fn receive(
        &mut self,
        to: ProcessId,
        signal: &ExitSignal,
        link: bool,
        kill: bool,
    ) -> Option<Arrival> {
        let arrival = self.signal(to, signal, link, kill)?;
        if arrival == Arrival::Trap && link && !self.take_link(to, signal.from) {
            return Some(Arrival::Void);
        }
        Some(arrival)
    }

    /// Process `id` exits with `reason`
    /// ([rule 1](crate::rules#rule-1-an-exit-is-seen-after-it-is-complete)): it leaves the
    /// kernel, frees its names, gives up its monitors, and returns the `Down`s for its
    /// watchers, then the exit signals for its links (in id order). A starter it is still
    /// starting for gets no signal: it learns from the failed start. `None` if `id` was not
    /// alive.
    pub fn retire(&mut self, id: ProcessId, reason: &ExitReason) -> Option<Retired> {
        let entry = self.procs.remove(&id)?;
        let names = self.names_of(id);
        for name in &names {
            self.names.remove(name);
        }
        for (monitor, target) in entry.watching {
            if let Some(target) = self.procs.get_mut(&target) {
                target.watchers.remove(&(id, monitor));
            }
        }
        let mut notices = Vec::new();
        for (watcher, monitor) in entry.watchers {
            if let Some(watcher) = self.procs.get_mut(&watcher) {
                watcher.watching.remove(&monitor);
            }
            let down = Down {
                monitor,
                process: id,
                reason: reason.clone(),
            };
            notices.push(Notice::Down { to: watcher, down });
        }
        for linked in entry.links {
            if Some(linked) == entry.starting_for {
                if let Some(starter) = self.procs.get_mut(&linked) {
                    starter.links.remove(&id);
                }
                continue;
            }
            if !self.procs.contains_key(&linked) {
                continue;
            }
            let signal = ExitSignal {
                from: id,
                reason: reason.clone(),
            };
            notices.push(Notice::Exit {
                to: linked,
                signal,
                link: true,
            });
        }
        Some(Retired { names, notices })
    }

    /// Every link, as `(a, b)` pairs in order (each live side once).
    pub fn links(&self) -> impl Iterator<Item = (ProcessId, ProcessId)> + '_ {
        (self.procs.iter()).flat_map(|(&a, entry)| entry.links.iter().map(move |&b| (a, b)))
    }

    /// Every monitor, as `(watcher, monitor, target)` in order.
    pub fn monitors(&self) -> impl Iterator<Item = (ProcessId, MonitorRef, ProcessId)> + '_ {
        (self.procs.iter())
            .flat_map(|(&w, entry)| (entry.watching.iter()).map(move |(&m, &t)| (w, m, t)))
    }

    /// The processes that trap exits, in id order.
    pub fn trapping(&self) -> impl Iterator<Item = ProcessId> + '_ {
        (self.procs.iter())
            .filter(|(_, entry)| entry.trap_exits)
            .map(|(&id, _)| id)
    }
}

#[cfg(all(test, not(loom)))]
#[path = "kernel_tests.rs"]
mod tests;
