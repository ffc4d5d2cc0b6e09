//! How the world carries out what servers asked for: sends, calls, timers, replies, exits.

use std::time::Duration;

use genserver::{AnyMessage, CallError, CallTag, ExitReason, ProcessId, Timeout};
use genserver_traces::EventKind;

use crate::failure::{Failure, FailureKind};
use crate::world::envelope::{Body, CallOutcome, Envelope};
use genserver::engine::{Command, Status};

use crate::world::erased_server::{Action, Output, SimServer, line_of};
use crate::world::reply_sinks::{Posted, lock};
use crate::world::{Deadline, Pending, ProcKind, World, duration_ns};

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
            for action in std::mem::take(&mut output.actions) {
                self.apply(id, action);
                if !self.alive(id) {
                    // A signal to itself took it down: nothing after it is carried out.
                    return;
                }
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

    fn apply(&mut self, id: ProcessId, action: Action) {
        let command = match action {
            Action::Posted(posted) => return self.post(id, posted),
            Action::Settle => {
                self.slot(id).settle();
                return self.flush_posted(id);
            }
            Action::Command(command) => command,
        };
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
            self.flush_posted(to);
            return;
        }
        let kind = if reply {
            EventKind::Reply
        } else {
            EventKind::Send
        };
        self.emit(kind, Some(from), Some(to), |_| line_of(&body));
        let due = self.now.saturating_add(self.latency);
        let sent = self.step;
        let life = self.life(from);
        let name = self.naming.message(from, to, &body);
        let envelope = Envelope {
            due,
            sent,
            name,
            body,
        };
        self.net.push(from, life, to, envelope);
    }

    /// Starts a call of `caller` to `to`; fails at once for itself or a dead server.
    pub(crate) fn call_out(
        &mut self,
        caller: ProcessId,
        to: ProcessId,
        request: AnyMessage,
        timeout: Timeout,
    ) -> Result<CallTag, CallError> {
        self.touch_read(to);
        if to == caller {
            return Err(CallError::CallingSelf);
        }
        if !self.alive(to) {
            return Err(CallError::NoProcess);
        }
        let tag = self.naming.call(caller, to, &request);
        lock(&self.mailroom).wait_for(caller, tag);
        let deadline = timeout.duration().map(|after| {
            let at = self.now.saturating_add(duration_ns(after));
            self.add_deadline(at, Deadline::Timeout { caller, tag })
        });
        let pending = Pending {
            callee: to,
            deadline,
        };
        self.pending.insert((caller, tag), pending);
        *self.waiting.entry(caller).or_default() += 1;
        self.send(caller, to, Body::Call { tag, request });
        Ok(tag)
    }

    /// Ends the wait of `caller` for call `tag`; returns whether it was waiting for it.
    pub(crate) fn settle(&mut self, caller: ProcessId, tag: CallTag) -> bool {
        self.touch_write(caller);
        lock(&self.mailroom).give_up(caller, tag);
        match self.pending.remove(&(caller, tag)) {
            Some(pending) => {
                if let Some(count) = self.waiting.get_mut(&caller) {
                    *count -= 1;
                    if *count == 0 {
                        self.waiting.remove(&caller);
                    }
                }
                if let Some(key) = pending.deadline {
                    self.deadlines.remove(&key);
                }
                true
            }
            None => false,
        }
    }

    /// Turns an outcome a reply token delivered into a reply message, or discards it.
    pub(crate) fn post(&mut self, actor: ProcessId, posted: Posted) {
        let Posted {
            caller,
            tag,
            outcome,
        } = posted;
        self.touch_read(caller);
        if lock(&self.mailroom).waits(caller, tag) {
            self.send(actor, caller, Body::Reply { tag, outcome });
        } else {
            self.emit(EventKind::Discard, Some(actor), Some(caller), |_| {
                let body = Body::Reply { tag, outcome };
                format!("{body} (the caller no longer waits)")
            });
            self.flush_posted(actor);
        }
    }

    /// Sends the outcomes that reply tokens posted outside a server's callback (a token
    /// dropped with a message that was dropped or discarded): `actor`, the process that
    /// dropped the message, sends them.
    pub(crate) fn flush_posted(&mut self, actor: ProcessId) {
        loop {
            let posted = lock(&self.mailroom).take_posted();
            if posted.is_empty() {
                return;
            }
            for posted in posted {
                self.post(actor, posted);
            }
        }
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
            self.flush_posted(id);
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
                let outcome: CallOutcome = Err(CallError::Exited(reason.clone()));
                self.post(
                    id,
                    Posted {
                        caller: from,
                        tag,
                        outcome,
                    },
                );
            }
            body => self.emit(EventKind::Drop, Some(from), Some(id), |_| {
                format!("{body} (the receiver exited)")
            }),
        }
    }
}
