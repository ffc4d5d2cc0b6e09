//! Links, monitors and exit signals: what the world does for them, rule by rule.
//!
//! Monitors and links are tables of the world (ordered sets, so every walk is in a fixed
//! order). When a server exits, each monitor on it sends its watcher a `Down` and each link
//! sends the linked process an exit signal: both are messages of the `exited → receiver`
//! queue, delivered by the scheduler like any other. A kill, and an exit signal the receiver
//! does not trap and that is not `normal`, take the receiver down even while it is blocked
//! in a call of its own (see `World::immediate`).

use genserver::{Down, ExitReason, ExitSignal, MonitorRef, ProcessId};
use genserver_traces::EventKind;

use crate::world::World;
use crate::world::envelope::Body;

impl World {
    /// `watcher` monitors `target` ([rule 3](genserver::rules): a dead or unknown target sends `NoProcess` at once).
    pub(crate) fn monitor(&mut self, watcher: ProcessId, monitor: MonitorRef, target: ProcessId) {
        self.touch_write(target);
        if self.alive(target) {
            self.monitors.insert((watcher, monitor), target);
            self.emit(EventKind::Monitor, Some(watcher), Some(target), |_| {
                format!("monitor #{}", monitor.0)
            });
        } else {
            self.emit(EventKind::Monitor, Some(watcher), Some(target), |_| {
                format!("monitor #{} (no such process)", monitor.0)
            });
            let reason = ExitReason::NoProcess;
            self.send(target, watcher, Body::Down { monitor, reason });
        }
    }

    /// `watcher` removes a monitor; a `Down` for it already queued is dropped ([rule 4](genserver::rules)).
    pub(crate) fn demonitor(&mut self, watcher: ProcessId, monitor: MonitorRef) {
        if let Some(target) = self.monitors.remove(&(watcher, monitor)) {
            self.touch_write(target);
            self.emit(EventKind::Demonitor, Some(watcher), Some(target), |_| {
                format!("demonitor #{}", monitor.0)
            });
        }
        let queued = |body: &Body| matches!(body, Body::Down { monitor: m, .. } if *m == monitor);
        for (from, envelope) in self.net.remove_to(watcher, queued) {
            self.touch_write(from);
            self.emit(EventKind::Discard, Some(from), Some(watcher), |_| {
                format!("{} (demonitored)", envelope.body)
            });
        }
    }

    /// Links `a` and `b` both ways ([rule 3](genserver::rules): linking to a dead or unknown process sends the
    /// linker an exit signal with `NoProcess`).
    pub(crate) fn link(&mut self, a: ProcessId, b: ProcessId) {
        if a == b {
            return;
        }
        self.touch_write(b);
        if self.alive(b) {
            self.links.insert((a, b));
            self.links.insert((b, a));
            self.emit(EventKind::Link, Some(a), Some(b), |_| "link".to_owned());
        } else {
            self.emit(EventKind::Link, Some(a), Some(b), |_| {
                "link (no such process)".to_owned()
            });
            let signal = Body::Exit {
                reason: ExitReason::NoProcess,
                kill: false,
                link: true,
            };
            self.send(b, a, signal);
        }
    }

    /// Removes the link of `a` and `b` both ways; an exit signal `b` sent `a` because of the
    /// link and still in flight no longer reaches `a` ([rule 4](genserver::rules)).
    pub(crate) fn unlink(&mut self, a: ProcessId, b: ProcessId) {
        self.touch_write(b);
        let was = self.links.remove(&(a, b)) | self.links.remove(&(b, a));
        self.emit(EventKind::Unlink, Some(a), Some(b), |_| match was {
            true => "unlink".to_owned(),
            false => "unlink (not linked)".to_owned(),
        });
        let voided = |body: &Body| matches!(body, Body::Exit { link: true, .. });
        for (from, envelope) in self.net.remove_between(b, a, voided) {
            self.emit(EventKind::Discard, Some(from), Some(a), |_| {
                format!("{} (unlinked)", envelope.body)
            });
        }
    }

    /// Turns exit trapping of `id` on or off.
    pub(crate) fn trap_exits(&mut self, id: ProcessId, on: bool) {
        let changed = match on {
            true => self.trapping.insert(id),
            false => self.trapping.remove(&id),
        };
        if changed {
            self.emit(EventKind::Trap, Some(id), None, |_| match on {
                true => "trap exits on".to_owned(),
                false => "trap exits off".to_owned(),
            });
        }
    }

    /// The end of [rule 1](genserver::rules), after `id` exited with `reason`: its names are freed, its
    /// watchers get `Down`, its linked processes get exit signals, in that order.
    pub(crate) fn signal_exit(&mut self, id: ProcessId, reason: &ExitReason) {
        self.trapping.remove(&id);
        self.free_names(id);
        self.monitors.retain(|&(watcher, _), _| watcher != id);
        let watchers: Vec<(ProcessId, MonitorRef)> = (self.monitors.iter())
            .filter(|&(_, target)| *target == id)
            .map(|(&key, _)| key)
            .collect();
        for key in &watchers {
            self.monitors.remove(key);
        }
        let linked: Vec<ProcessId> = (self.links.iter())
            .filter(|&&(a, _)| a == id)
            .map(|&(_, b)| b)
            .collect();
        for &other in &linked {
            self.links.remove(&(id, other));
            self.links.remove(&(other, id));
        }
        for (watcher, monitor) in watchers {
            let reason = reason.clone();
            self.send(id, watcher, Body::Down { monitor, reason });
        }
        for other in linked {
            let signal = Body::Exit {
                reason: reason.clone(),
                kill: false,
                link: true,
            };
            self.send(id, other, signal);
        }
    }

    /// Whether `body`, queued for server `to`, is handled by the world rather than by a
    /// callback: a kill, or any exit signal while `to` does not trap exits (it then stops
    /// `to`, or is ignored if `normal`). Such a signal needs no readiness: it reaches a
    /// server blocked in a call of its own ([rule 2](genserver::rules)), as a signal does in Erlang.
    pub(crate) fn immediate(&self, to: ProcessId, body: &Body) -> bool {
        match body {
            Body::Exit { kill: true, .. } => true,
            Body::Exit { .. } => !self.trapping.contains(&to),
            _ => false,
        }
    }

    /// [Rule 2](genserver::rules): an exit signal from `from` reaches live server `to`.
    pub(crate) fn receive_signal(
        &mut self,
        from: ProcessId,
        to: ProcessId,
        reason: ExitReason,
        kill: bool,
    ) {
        if kill {
            self.emit(EventKind::Kill, Some(from), Some(to), |_| {
                "killed (untrappable; no terminate)".to_owned()
            });
            return self.exit_server(to, ExitReason::Killed, false);
        }
        if self.trapping.contains(&to) {
            let output = self.slot(to).exit_signal(ExitSignal { from, reason });
            return self.drive(to, output);
        }
        if reason == ExitReason::Normal {
            return self.emit(EventKind::Ignore, Some(from), Some(to), |_| {
                "exit signal normal (not trapping)".to_owned()
            });
        }
        self.exit_server(to, reason, true);
    }

    /// A monitor's `Down` reaches live server `to`.
    pub(crate) fn receive_down(
        &mut self,
        from: ProcessId,
        to: ProcessId,
        monitor: MonitorRef,
        reason: ExitReason,
    ) {
        let down = Down {
            monitor,
            process: from,
            reason,
        };
        let output = self.slot(to).down(down);
        self.drive(to, output);
    }
}
