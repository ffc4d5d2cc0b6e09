//! The registry of live processes: names, links, monitors and trap flags, behind the runtime's
//! one lock.
//!
//! Removing a process's record is the moment it dies: whoever removes it (its own thread at
//! exit, or a killer) sends its `Down`s and link exit signals in the same critical section.
//! So monitoring or linking a process is decided atomically against its exit: either the
//! record is still there and the watcher is notified at the exit, or it is gone and the
//! watcher gets "no such process" at once ([rule 3](crate::rules)). Unlinking, too, is atomic against the
//! exit signal of the link ([rule 4](crate::rules)).

use std::collections::{BTreeMap, BTreeSet};

use crate::runtime::ReplyLink;
use crate::runtime::inbox::Inbox;
use crate::runtime::interrupt::Doom;
use crate::sync::Arc;
use crate::{Down, ExitReason, ExitSignal, MonitorRef, ProcessId, StartError, StartOptions};

/// One live process.
struct Proc {
    inbox: Box<dyn Inbox>,
    name: Option<String>,
    links: BTreeSet<ProcessId>,
    /// Who monitors this process, with which monitor.
    watchers: BTreeSet<(ProcessId, MonitorRef)>,
    /// The monitors this process holds on live processes (removed from them at its exit).
    watching: BTreeMap<MonitorRef, ProcessId>,
    /// Plain threads waiting for this process's exit reason ([`crate::Runtime::monitor`]).
    observers: Vec<Arc<ReplyLink<ExitReason>>>,
    /// While its start is under way (`init`'s effects): the starter it is linked to, which
    /// learns of an exit then from the failed start, not from an exit signal.
    starting_for: Option<ProcessId>,
    trap_exits: bool,
}

/// Why an exit signal was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cause {
    /// A linked process exited: void if the receiver has unlinked it.
    Link,
    /// An explicit exit signal, or the answer to linking a dead process.
    Plain,
}

/// The registry: live processes by id, and names.
#[derive(Default)]
pub(crate) struct Table {
    by_id: BTreeMap<ProcessId, Proc>,
    names: BTreeMap<String, ProcessId>,
}

impl Table {
    /// Whether a live process holds `name`.
    pub(crate) fn name_taken(&self, name: &str) -> bool {
        self.names.contains_key(name)
    }

    /// The process registered as `name`.
    pub(crate) fn lookup(&self, name: &str) -> Option<ProcessId> {
        self.names.get(name).copied()
    }

    /// The inbox of live process `id`.
    pub(crate) fn inbox(&self, id: ProcessId) -> Option<&(dyn Inbox + 'static)> {
        self.by_id.get(&id).map(|proc| &*proc.inbox)
    }

    /// Registers a process whose `init` succeeded: takes its name, sets its trap flag (if
    /// `init` asked) and its start link.
    pub(crate) fn register(
        &mut self,
        id: ProcessId,
        inbox: Box<dyn Inbox>,
        options: &StartOptions,
        trap: Option<bool>,
    ) -> Result<(), StartError> {
        if let Some(name) = &options.name {
            if self.names.contains_key(name) {
                return Err(StartError::NameTaken(name.clone()));
            }
            self.names.insert(name.clone(), id);
        }
        let proc = Proc {
            inbox,
            name: options.name.clone(),
            links: BTreeSet::new(),
            watchers: BTreeSet::new(),
            watching: BTreeMap::new(),
            observers: Vec::new(),
            starting_for: options.link_to,
            trap_exits: trap.unwrap_or(false),
        };
        self.by_id.insert(id, proc);
        if let Some(to) = options.link_to {
            self.link(id, to);
        }
        Ok(())
    }

    /// `watcher` monitors `target`; a dead target gives a `Down` with "no such process" now.
    pub(crate) fn monitor(&mut self, watcher: ProcessId, monitor: MonitorRef, target: ProcessId) {
        if !self.by_id.contains_key(&watcher) {
            return;
        }
        match self.by_id.get_mut(&target) {
            Some(proc) => {
                proc.watchers.insert((watcher, monitor));
                if let Some(proc) = self.by_id.get_mut(&watcher) {
                    proc.watching.insert(monitor, target);
                }
            }
            None => {
                if let Some(proc) = self.by_id.get(&watcher) {
                    proc.inbox.down(Down {
                        monitor,
                        process: target,
                        reason: ExitReason::NoProcess,
                    });
                }
            }
        }
    }

    /// The start of `id` went well: from now on its starter hears of its exit through their
    /// link. Returns `false` if `id` is already gone (killed during its start).
    pub(crate) fn finish_start(&mut self, id: ProcessId) -> bool {
        match self.by_id.get_mut(&id) {
            Some(proc) => {
                proc.starting_for = None;
                true
            }
            None => false,
        }
    }

    /// A plain thread watches `target`: `link` gets its exit reason at its exit, or
    /// [`ExitReason::NoProcess`] now if it is not alive.
    pub(crate) fn observe(&mut self, target: ProcessId, link: Arc<ReplyLink<ExitReason>>) {
        match self.by_id.get_mut(&target) {
            Some(proc) => {
                // Watches given up meanwhile are pruned here, so they cannot pile up.
                proc.observers.retain(|link| !link.is_closed());
                proc.observers.push(link);
            }
            None => {
                link.complete(Ok(ExitReason::NoProcess));
            }
        }
    }

    /// Removes a monitor (its `Down`, if already queued, is dropped by the watcher).
    pub(crate) fn demonitor(&mut self, watcher: ProcessId, monitor: MonitorRef, target: ProcessId) {
        if let Some(proc) = self.by_id.get_mut(&target) {
            proc.watchers.remove(&(watcher, monitor));
        }
        if let Some(proc) = self.by_id.get_mut(&watcher) {
            proc.watching.remove(&monitor);
        }
    }

    /// Links `a` and `b` both ways; linking a dead `b` sends `a` an exit signal "no such
    /// process".
    pub(crate) fn link(&mut self, a: ProcessId, b: ProcessId) {
        if a == b || !self.by_id.contains_key(&a) {
            return;
        }
        match self.by_id.get_mut(&b) {
            Some(proc) => {
                proc.links.insert(a);
                if let Some(proc) = self.by_id.get_mut(&a) {
                    proc.links.insert(b);
                }
            }
            None => {
                // A link to the dead process stands until its signal is handled, so that an
                // unlink meanwhile voids the signal, as for any link.
                if let Some(proc) = self.by_id.get_mut(&a) {
                    proc.links.insert(b);
                }
                self.exit_signal(a, b, ExitReason::NoProcess, Cause::Link);
            }
        }
    }

    /// Removes the link of `a` and `b`, both ways.
    pub(crate) fn unlink(&mut self, a: ProcessId, b: ProcessId) {
        for (from, to) in [(a, b), (b, a)] {
            if let Some(proc) = self.by_id.get_mut(&from) {
                proc.links.remove(&to);
            }
        }
    }

    /// A trapped link signal from `from` is being handled by `me`: consumes the link, and
    /// says whether it was still there (if not, `me` unlinked meanwhile: drop the signal).
    pub(crate) fn take_link(&mut self, me: ProcessId, from: ProcessId) -> bool {
        self.by_id
            .get_mut(&me)
            .is_some_and(|proc| proc.links.remove(&from))
    }

    /// Sets whether `id` traps exits.
    pub(crate) fn set_trap(&mut self, id: ProcessId, on: bool) {
        if let Some(proc) = self.by_id.get_mut(&id) {
            proc.trap_exits = on;
        }
    }

    /// An exit signal reaches `to` ([rule 2](crate::rules), but kills): queued if `to` traps exits, ignored if
    /// normal, else `to` is doomed to exit with `reason` (running `terminate`).
    pub(crate) fn exit_signal(
        &mut self,
        to: ProcessId,
        from: ProcessId,
        reason: ExitReason,
        cause: Cause,
    ) {
        let Some(proc) = self.by_id.get_mut(&to) else {
            return;
        };
        if cause == Cause::Link && !proc.links.contains(&from) {
            return;
        }
        let signal = ExitSignal { from, reason };
        if proc.trap_exits {
            // The link stays until the signal is handled, so that an unlink meanwhile voids it.
            proc.inbox.exit_signal(signal, cause == Cause::Link);
            return;
        }
        if cause == Cause::Link {
            proc.links.remove(&from);
        }
        if signal.reason != ExitReason::Normal {
            proc.inbox.doom(Doom {
                reason: signal.reason,
                kill: false,
            });
        }
    }

    /// Kills `to` at once: it leaves the registry now (its `Down`s and link signals carry
    /// [`ExitReason::Killed`]) and its thread, once its current callback returns, exits
    /// without `terminate` and without carrying out anything that callback asked for.
    pub(crate) fn kill(&mut self, to: ProcessId) {
        if let Some(proc) = self.by_id.get(&to) {
            proc.inbox.doom(Doom::kill());
            self.retire(to, &ExitReason::Killed);
        }
    }

    /// Process `id` exits with `reason`: frees its name and notifies its monitors and links.
    /// Returns `false` if it had already left (killed).
    pub(crate) fn retire(&mut self, id: ProcessId, reason: &ExitReason) -> bool {
        let Some(proc) = self.by_id.remove(&id) else {
            return false;
        };
        if let Some(name) = &proc.name {
            if self.names.get(name) == Some(&id) {
                self.names.remove(name);
            }
        }
        for (monitor, target) in proc.watching {
            if let Some(target) = self.by_id.get_mut(&target) {
                target.watchers.remove(&(id, monitor));
            }
        }
        for (watcher, monitor) in proc.watchers {
            if let Some(watcher) = self.by_id.get_mut(&watcher) {
                watcher.watching.remove(&monitor);
                watcher.inbox.down(Down {
                    monitor,
                    process: id,
                    reason: reason.clone(),
                });
            }
        }
        for observer in proc.observers {
            observer.complete(Ok(reason.clone()));
        }
        for linked in proc.links {
            if Some(linked) == proc.starting_for {
                // Killed during its start: the starter learns from the failed start.
                if let Some(starter) = self.by_id.get_mut(&linked) {
                    starter.links.remove(&id);
                }
                continue;
            }
            self.exit_signal(linked, id, reason.clone(), Cause::Link);
        }
        true
    }
}

#[cfg(all(test, not(loom)))]
#[path = "table_tests.rs"]
mod tests;
