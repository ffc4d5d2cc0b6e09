//! How the world carries out what servers asked for: sends, calls, timers, replies, exits.

use std::rc::Rc;
use std::time::Duration;

use genserver::{CallError, ExitReason, ProcessId};
use genserver_traces::EventKind;

use crate::failure::{Failure, FailureKind};
use crate::world::envelope::{Body, Envelope};
use genserver::engine::{Command, Status};

use crate::world::erased_server::{Action, Output, SimServer, line_of};
use crate::world::{Deadline, ProcKind, World, duration_ns};

impl World {
    /// The server `id`, to drive it.
    /// Its clock is set to the virtual time first: every callback sees it in `Ctx::now`.
    pub(crate) fn slot(&mut self, id: ProcessId) -> &mut Box<dyn SimServer> {
        let now = Duration::from_nanos(self.now);
        match self.proc_mut(id).map(|p| &mut p.kind) {
            Some(ProcKind::Server(slot)) => {
                slot.set_clock(now);
                slot
            }
            _ => panic!("process {id:?} is not a server"),
        }
    }

    /// Runs `init` of server `id` (first start or restart) and applies its effects.
    pub(crate) fn start_server(&mut self, id: ProcessId, kind: EventKind) {
        self.touch_write(id);
        let started = self.slot(id).start();
        match started {
            Ok(output) => {
                self.kernel.enter(id, false);
                self.emit(kind, Some(id), None, |_| "init".to_owned());
                self.drive(id, output);
            }
            Err(reason) => {
                self.emit(EventKind::Stop, Some(id), None, |_| {
                    format!("init failed: {reason}")
                });
                self.fail_on_panic(id, &reason);
            }
        }
    }

    /// Applies a server's actions and follows its status (calls it makes, its exit).
    pub(crate) fn drive(&mut self, id: ProcessId, mut output: Output) {
        loop {
            // What tokens delivered inside the callbacks goes before their actions.
            self.collect_replies(id);
            let mut actions = std::mem::take(&mut output.actions);
            for action in actions.drain(..) {
                self.apply(id, action);
                if !self.alive(id) {
                    // A signal to itself took it down: nothing after it is carried out.
                    return;
                }
            }
            if let Some(ProcKind::Server(slot)) = self.proc_mut(id).map(|p| &mut p.kind) {
                slot.recycle(actions);
            }
            match output.status {
                Status::Idle => return,
                Status::Exit(reason) => return self.exit_server(id, reason, true),
                Status::Start { start, options } => {
                    let outcome = self.start_child(id, start, options);
                    if !self.alive(id) {
                        // The child's init effects took the starter down (a kill, say).
                        return;
                    }
                    output = self.slot(id).started(outcome);
                }
                Status::Call {
                    to,
                    request,
                    timeout,
                } => match self.call_out(id, to, request, timeout) {
                    Ok(_) => {
                        self.server_started_waiting = true;
                        return;
                    }
                    Err(error) => {
                        self.emit(EventKind::Reply, Some(id), Some(id), |w| {
                            format!("call to {} failed at once: {error}", w.name(to))
                        });
                        if !self.spend_step() {
                            return;
                        }
                        output = self.slot(id).outcome(Err(error));
                    }
                },
            }
        }
    }

    /// Carries out one action of server `id`: a reply it settles is sent at once, at its
    /// place among the commands.
    fn apply(&mut self, id: ProcessId, action: Action) {
        match action {
            Action::Settle => {
                self.slot(id).settle();
                self.collect_replies(id);
            }
            Action::Command(command) => self.command(id, command),
        }
    }

    fn command(&mut self, id: ProcessId, command: Command) {
        match command {
            Command::Cast { to, msg } => self.send(id, to, Body::Cast(msg)),
            Command::Info { to, msg } => self.send(id, to, Body::Info(msg)),
            Command::SetTimer { id: timer, after } => {
                let at = self.now.saturating_add(duration_ns(after));
                self.add_deadline(at, Deadline::Timer { server: id, timer });
            }
            Command::CancelTimer(timer) => {
                let wanted = Deadline::Timer { server: id, timer };
                self.deadlines.retain(|_, d| *d != wanted);
            }
            Command::Monitor { monitor, target } => self.monitor(id, monitor, target),
            Command::Demonitor(monitor) => self.demonitor(id, monitor),
            Command::Link(to) => self.link(id, to),
            Command::Unlink(to) => self.unlink(id, to),
            Command::TrapExits(on) => self.trap_exits(id, on),
            Command::Exit { to, reason } => self.exit_signal(id, to, reason, false),
            Command::Kill(to) => self.exit_signal(id, to, ExitReason::Killed, true),
        }
    }

    /// `from` sends `to` an exit signal (a kill, with `kill`); one to itself may take
    /// effect at once (`World::signal_self`).
    fn exit_signal(&mut self, from: ProcessId, to: ProcessId, reason: ExitReason, kill: bool) {
        let link = false;
        let body = Body::Exit { reason, kill, link };
        match to == from {
            true => self.signal_self(from, to, body),
            false => self.send(from, to, body),
        }
    }

    /// Queues a message, or drops it (traced) if the receiver is a dead server.
    pub(crate) fn send(&mut self, from: ProcessId, to: ProcessId, body: Body) {
        self.touch_read(to);
        let is_client = matches!(self.proc(to).map(|p| &p.kind), Some(ProcKind::Client(_)));
        let reply = matches!(body, Body::Reply { .. });
        if !(self.alive(to) || is_client && reply) {
            self.emit(EventKind::Drop, Some(from), Some(to), |_| {
                format!("{body} (no such process)")
            });
            drop(body);
            // A token in it fails its call from the addressee, as a call queued there would.
            return self.collect_replies(to);
        }
        if matches!(body, Body::Cast(_) | Body::Info(_)) && self.mailbox_full(to) {
            self.emit(EventKind::Drop, Some(from), Some(to), |_| {
                format!("{body} (mailbox full)")
            });
            return;
        }
        let kind = if reply {
            EventKind::Reply
        } else {
            EventKind::Send
        };
        // With the trace on, the payload is rendered once: for the send event and for every
        // label of the queued message after it (the same text, as `Envelope::payload` keeps).
        let payload = match self.log.is_some().then(|| body.render_text()) {
            Some(Ok(Some((text, start)))) => {
                let payload = Rc::<str>::from(&text[start..]);
                self.emit(kind, Some(from), Some(to), |_| text);
                Some(payload)
            }
            Some(Err(panic)) => {
                self.emit(kind, Some(from), Some(to), |_| {
                    format!("<rendering panicked: {panic}>")
                });
                None
            }
            _ => {
                self.emit(kind, Some(from), Some(to), |_| line_of(&body));
                None
            }
        };
        let due = self.now.saturating_add(self.latency);
        let sent = self.step;
        let life = self.life(from);
        let name = self.naming.message(from, to, &body);
        let envelope = Envelope::new(due, sent, name, body);
        if let Some(payload) = payload {
            let _ = envelope.payload.set(payload);
        }
        self.net.push(from, life, to, envelope);
    }

    /// Whether `to` has a bounded mailbox that holds its limit of calls, casts and infos
    /// (rule 8). A send to a bounded mailbox depends on every other send to it and on every
    /// delivery to it (which one is refused does), so it counts as a write of `to`.
    pub(crate) fn mailbox_full(&mut self, to: ProcessId) -> bool {
        let Some(&limit) = self.limits.get(&to) else {
            return false;
        };
        self.touch_write(to);
        self.net.messages_to(to) >= limit
    }

    /// Stops server `id`: `terminate` (unless killed), failing every call it holds or has
    /// queued, dropping its queued messages and timers; then frees its names and sends the
    /// `Down`s of its monitors and the exit signals of its links.
    pub(crate) fn exit_server(&mut self, id: ProcessId, reason: ExitReason, terminate: bool) {
        self.touch_write(id);
        // The calls made to this server fail with `reason` (inside `exit`); a token of another
        // server's call that it held and dropped fails that call with `NoReply`, as in the
        // threaded runtime.
        let actions = self.slot(id).exit(&reason, terminate);
        for action in actions {
            self.apply(id, action);
        }
        self.emit(EventKind::Stop, Some(id), None, |_| reason.to_string());
        self.deadlines
            .retain(|_, d| !matches!(d, Deadline::Timer { server, .. } if *server == id));
        for tag in self.calls_of(id) {
            self.settle(id, tag);
        }
        for (from, envelope) in self.net.drain_to(id) {
            self.refuse(id, from, envelope.body, &reason);
            self.collect_replies(id);
        }
        if let Some(start) = self.starting.iter_mut().find(|(child, _)| *child == id) {
            // Exited while starting: its starter learns from the failed start, not a signal
            // (the kernel leaves that link out of the exit's notices).
            start.1 = Some(reason.clone());
        }
        self.signal_exit(id, &reason);
        self.fail_on_panic(id, &reason);
    }

    /// A server that exited (or failed to start) because a handler panicked fails the run.
    pub(crate) fn fail_on_panic(&mut self, id: ProcessId, reason: &ExitReason) {
        if let ExitReason::Panic(text) = reason {
            let process = Some(self.name(id));
            self.fail(Failure {
                kind: FailureKind::Panic,
                step: self.step,
                process,
                message: text.clone(),
            });
        }
    }

    /// What happens to a message queued for a server that exited.
    fn refuse(&mut self, id: ProcessId, from: ProcessId, body: Body, reason: &ExitReason) {
        match body {
            Body::Call { tag, .. } => {
                self.answer(id, from, tag, Err(CallError::Exited(reason.clone())));
            }
            body => self.emit(EventKind::Drop, Some(from), Some(id), |_| {
                format!("{body} (the receiver exited)")
            }),
        }
    }
}
