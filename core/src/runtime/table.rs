//! The registry of live processes: the [`Kernel`] (names, links, monitors, trap flags) with
//! each process's inbox and the plain threads watching it, behind the runtime's one lock.
//!
//! Removing a process's record is the moment it dies: whoever removes it (its own task at
//! exit, or a killer) hands its `Down`s and link exit signals to their inboxes in the same
//! critical section. So monitoring or linking a process is decided atomically against its
//! exit: either the record is still there and the watcher is notified at the exit, or it is
//! gone and the watcher gets "no such process" at once ([rule 3](crate::rules)). Unlinking,
//! too, is atomic against the exit signal of the link ([rule 4](crate::rules)). The rules
//! themselves are the kernel's: this file only delivers what it returns.

use std::collections::{BTreeMap, BTreeSet};

use crate::kernel::{Arrival, Kernel, Notice};
use crate::runtime::ReplyLink;
use crate::runtime::inbox::Inbox;
use crate::runtime::interrupt::Doom;
use crate::sync::Arc;
use crate::{ExitReason, ExitSignal, MonitorRef, ProcessId, StartError, StartOptions};

/// The registry: the kernel, and the inbox and thread watchers of each live process.
#[derive(Default)]
pub(crate) struct Table {
    kernel: Kernel,
    inboxes: BTreeMap<ProcessId, Box<dyn Inbox>>,
    /// Plain threads waiting for a process's exit reason ([`crate::Runtime::monitor`]).
    observers: BTreeMap<ProcessId, Vec<Arc<ReplyLink<ExitReason>>>>,
    /// Names of servers inside `init`: not taken yet (nobody finds them), but no other start
    /// may use them (it fails at once, without running its `init`, as OTP's).
    reserved: BTreeSet<String>,
}

impl Table {
    /// Holds `name` for a server about to run `init`; fails if a live server holds it or
    /// another start does.
    pub(crate) fn reserve(&mut self, name: &str) -> Result<(), StartError> {
        if self.kernel.whereis(name).is_some() || !self.reserved.insert(name.to_owned()) {
            return Err(StartError::NameTaken(name.to_owned()));
        }
        Ok(())
    }

    /// Frees a name held by [`Table::reserve`] (taken by then, or free again).
    pub(crate) fn release(&mut self, name: &str) {
        self.reserved.remove(name);
    }

    /// The live servers, by id, each with whether it is a supervisor.
    pub(crate) fn servers(&self) -> Vec<(ProcessId, bool)> {
        (self.inboxes.iter())
            .map(|(id, inbox)| (*id, inbox.is_supervisor()))
            .collect()
    }

    /// The process registered as `name`.
    pub(crate) fn lookup(&self, name: &str) -> Option<ProcessId> {
        self.kernel.whereis(name)
    }

    /// The inbox of live process `id`.
    pub(crate) fn inbox(&self, id: ProcessId) -> Option<&(dyn Inbox + 'static)> {
        self.inboxes.get(&id).map(|inbox| &**inbox)
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
        let notice = self.kernel.start(id, options, trap.unwrap_or(false))?;
        self.inboxes.insert(id, inbox);
        self.deliver(notice);
        Ok(())
    }

    /// `watcher` monitors `target`; a dead target gives a `Down` with "no such process" now.
    pub(crate) fn monitor(&mut self, watcher: ProcessId, monitor: MonitorRef, target: ProcessId) {
        let notice = self.kernel.monitor(watcher, monitor, target);
        self.deliver(notice);
    }

    /// The start of `id` went well: from now on its starter hears of its exit through their
    /// link. Returns `false` if `id` is already gone (killed during its start).
    pub(crate) fn finish_start(&mut self, id: ProcessId) -> bool {
        self.kernel.finish_start(id)
    }

    /// A plain thread watches `target`: `link` gets its exit reason at its exit, or
    /// [`ExitReason::NoProcess`] now if it is not alive.
    pub(crate) fn observe(&mut self, target: ProcessId, link: Arc<ReplyLink<ExitReason>>) {
        if !self.kernel.is_alive(target) {
            link.complete(Ok(ExitReason::NoProcess));
            return;
        }
        let observers = self.observers.entry(target).or_default();
        // Watches given up meanwhile are pruned here, so they cannot pile up.
        observers.retain(|link| !link.is_closed());
        observers.push(link);
    }

    /// Removes a monitor (its `Down`, if already queued, is dropped by the watcher).
    pub(crate) fn demonitor(&mut self, watcher: ProcessId, monitor: MonitorRef) {
        self.kernel.demonitor(watcher, monitor);
    }

    /// Links `a` and `b` both ways; linking a dead `b` sends `a` an exit signal "no such
    /// process".
    pub(crate) fn link(&mut self, a: ProcessId, b: ProcessId) {
        let notice = self.kernel.link(a, b).err();
        self.deliver(notice);
    }

    /// Removes the link of `a` and `b`, both ways.
    pub(crate) fn unlink(&mut self, a: ProcessId, b: ProcessId) {
        self.kernel.unlink(a, b);
    }

    /// A signal queued because `me` trapped exits when it was sent is being handled: what it
    /// does with the trap flag of now ([`Kernel::receive`]).
    pub(crate) fn receive(&mut self, me: ProcessId, signal: &ExitSignal, link: bool) -> Arrival {
        (self.kernel.receive(me, signal, link, false)).unwrap_or(Arrival::Void)
    }

    /// Sets whether `id` traps exits.
    pub(crate) fn set_trap(&mut self, id: ProcessId, on: bool) {
        self.kernel.set_trap(id, on);
    }

    /// `from` sends `to` an exit signal with `reason` (not a kill).
    pub(crate) fn exit_signal(&mut self, to: ProcessId, from: ProcessId, reason: ExitReason) {
        let signal = ExitSignal { from, reason };
        self.deliver(Some(Notice::Exit {
            to,
            signal,
            link: false,
        }));
    }

    /// Kills `to` at once: it leaves the registry now (its `Down`s and link signals carry
    /// [`ExitReason::Killed`]) and its task, once its current callback returns, exits
    /// without `terminate` and without carrying out anything that callback asked for.
    pub(crate) fn kill(&mut self, to: ProcessId) {
        let signal = ExitSignal {
            from: to,
            reason: ExitReason::Killed,
        };
        if self.kernel.signal(to, &signal, false, true) == Some(Arrival::Kill) {
            if let Some(inbox) = self.inboxes.get(&to) {
                inbox.doom(Doom::kill());
            }
            self.retire(to, &ExitReason::Killed);
        }
    }

    /// Process `id` exits with `reason`: frees its name and notifies its monitors, links
    /// and watching threads. Returns `false` if it had already left (killed).
    pub(crate) fn retire(&mut self, id: ProcessId, reason: &ExitReason) -> bool {
        let Some(retired) = self.kernel.retire(id, reason) else {
            return false;
        };
        self.inboxes.remove(&id);
        for observer in self.observers.remove(&id).unwrap_or_default() {
            observer.complete(Ok(reason.clone()));
        }
        for notice in retired.notices {
            self.deliver(Some(notice));
        }
        true
    }

    /// Hands a notice of the kernel to its receiver's inbox, at once: a `Down` is queued; an
    /// exit signal is queued if trapped, or dooms the receiver
    /// ([rule 2](crate::rules#rule-2-what-an-exit-signal-does)).
    fn deliver(&mut self, notice: Option<Notice>) {
        match notice {
            None => {}
            Some(Notice::Down { to, down }) => {
                if let Some(inbox) = self.inboxes.get(&to) {
                    inbox.down(down);
                }
            }
            Some(Notice::Exit { to, signal, link }) => {
                let arrival = self.kernel.signal(to, &signal, link, false);
                let Some(inbox) = self.inboxes.get(&to) else {
                    return;
                };
                match arrival {
                    // The link stays until the signal is handled: an unlink meanwhile voids it.
                    Some(Arrival::Trap) => inbox.exit_signal(signal, link),
                    Some(Arrival::Exit(reason)) => inbox.doom(Doom {
                        reason,
                        kill: false,
                    }),
                    _ => {}
                }
            }
        }
    }
}

#[cfg(all(test, not(loom)))]
#[path = "table_tests.rs"]
mod tests;
