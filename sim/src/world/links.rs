//! Links, monitors and exit signals: what the world does for them, rule by rule.
//!
//! Monitors and links are tables of the world (ordered sets, so every walk is in a fixed
//! order). When a server exits, each monitor on it sends its watcher a `Down` and each link
//! sends the linked process an exit signal: both are messages of the `exited → receiver`
//! queue, delivered by the scheduler like any other. A kill, and an exit signal the receiver
//! does not trap and that is not `normal`, take the receiver down even while it is blocked
//! in a call of its own (see `World::immediate`).

use genserver::engine::{Arrival, Notice};
use genserver::{Down, ExitReason, ExitSignal, MonitorRef, ProcessId};
use genserver_traces::EventKind;

use crate::search::footprint::REGISTRY;
use crate::world::World;
use crate::world::envelope::Body;

impl World {
    /// `watcher` monitors `target` ([rule 3](genserver::rules): a dead or unknown target sends `NoProcess` at once).
    pub(crate) fn monitor(&mut self, watcher: ProcessId, monitor: MonitorRef, target: ProcessId) {
        self.touch_write(target);
        match self.kernel.monitor(watcher, monitor, target) {
            None => self.emit(EventKind::Monitor, Some(watcher), Some(target), |_| {
                format!("monitor #{}", monitor.0)
            }),
            Some(notice) => {
                self.emit(EventKind::Monitor, Some(watcher), Some(target), |_| {
                    format!("monitor #{} (no such process)", monitor.0)
                });
                self.notify(notice);
            }
        }
    }

    /// `watcher` removes a monitor; a `Down` for it already queued is dropped ([rule 4](genserver::rules)).
    pub(crate) fn demonitor(&mut self, watcher: ProcessId, monitor: MonitorRef) {
        if let Some(target) = self.kernel.demonitor(watcher, monitor) {
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
        match self.kernel.link(a, b) {
            Ok(_) => self.emit(EventKind::Link, Some(a), Some(b), |_| "link".to_owned()),
            Err(notice) => {
                self.emit(EventKind::Link, Some(a), Some(b), |_| {
                    "link (no such process)".to_owned()
                });
                // The answer to the linker's own act: untrapped, it takes it down at once.
                let (from, to, body) = message_of(notice);
                self.signal_self(from, to, body);
            }
        }
    }

    /// Removes the link of `a` and `b` both ways; an exit signal `b` sent `a` because of the
    /// link and still in flight no longer reaches `a` ([rule 4](genserver::rules)).
    pub(crate) fn unlink(&mut self, a: ProcessId, b: ProcessId) {
        self.touch_write(b);
        let was = self.kernel.unlink(a, b);
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
        if self.kernel.set_trap(id, on) {
            self.emit(EventKind::Trap, Some(id), None, |_| match on {
                true => "trap exits on".to_owned(),
                false => "trap exits off".to_owned(),
            });
        }
    }

    /// The end of [rule 1](genserver::rules), after `id` exited with `reason`: its names are freed, its
    /// watchers get `Down`, its linked processes get exit signals, in that order.
    pub(crate) fn signal_exit(&mut self, id: ProcessId, reason: &ExitReason) {
        let Some(retired) = self.kernel.retire(id, reason) else {
            return;
        };
        for name in &retired.names {
            self.touch_write(REGISTRY);
            self.emit(EventKind::Name, Some(id), None, |_| format!("{name} freed"));
        }
        for notice in retired.notices {
            self.notify(notice);
        }
    }

    /// Queues a notice of the kernel as a message from the process it is about.
    pub(crate) fn notify(&mut self, notice: Notice) {
        let (from, to, body) = message_of(notice);
        self.send(from, to, body);
    }
    /// Whether `body`, queued for server `to`, is handled by the world rather than by a
    /// callback: a kill, or any exit signal while `to` does not trap exits (it then stops
    /// `to`, or is ignored if `normal`). Such a signal needs no readiness: it reaches a
    /// server blocked in a call of its own ([rule 2](genserver::rules)), as a signal does in Erlang.
    pub(crate) fn immediate(&self, to: ProcessId, body: &Body) -> bool {
        match body {
            Body::Exit { kill: true, .. } => true,
            Body::Exit { .. } => !self.kernel.traps(to),
            _ => false,
        }
    }

    /// [Rule 2](genserver::rules): an exit signal from `from` reaches live server `to`.
    pub(crate) fn receive_signal(&mut self, from: ProcessId, to: ProcessId, body: Body) {
        let Body::Exit { reason, kill, link } = body else {
            unreachable!("only exit signals are received as signals");
        };
        let signal = ExitSignal { from, reason };
        match self.kernel.receive(to, &signal, link, kill) {
            None => {}
            Some(Arrival::Kill) => {
                self.emit(EventKind::Kill, Some(from), Some(to), |_| {
                    "killed (untrappable; no terminate)".to_owned()
                });
                self.exit_server(to, ExitReason::Killed, false);
            }
            Some(Arrival::Trap) => {
                let output = self.slot(to).exit_signal(signal);
                self.drive(to, output);
            }
            Some(Arrival::Void) => self.emit(EventKind::Discard, Some(from), Some(to), |_| {
                let body = Body::Exit {
                    reason: signal.reason.clone(),
                    kill,
                    link,
                };
                format!("{body} (unlinked)")
            }),
            Some(Arrival::Ignore) => self.emit(EventKind::Ignore, Some(from), Some(to), |_| {
                "exit signal normal (not trapping)".to_owned()
            }),
            Some(Arrival::Exit(reason)) => self.exit_server(to, reason, true),
        }
    }

    /// An exit signal the receiver caused itself (sent to itself, or the answer to linking
    /// the dead): one the world handles ([`World::immediate`]: a kill, or any signal it does
    /// not trap) takes effect at once, before its callback's next effect, as on the runtime;
    /// a trapped one travels as a message like any other.
    pub(crate) fn signal_self(&mut self, from: ProcessId, to: ProcessId, body: Body) {
        match self.immediate(to, &body) {
            true => self.receive_signal(from, to, body),
            false => self.send(from, to, body),
        }
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

/// A notice of the kernel as the message that carries it: sender, receiver, body.
fn message_of(notice: Notice) -> (ProcessId, ProcessId, Body) {
    match notice {
        Notice::Down { to, down } => {
            let Down {
                monitor,
                process,
                reason,
            } = down;
            (process, to, Body::Down { monitor, reason })
        }
        Notice::Exit { to, signal, link } => {
            let ExitSignal { from, reason } = signal;
            let kill = false;
            (from, to, Body::Exit { reason, kill, link })
        }
    }
}
