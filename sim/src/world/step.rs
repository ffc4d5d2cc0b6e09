//! Carrying out the event the scheduler chose, and checking afterwards.

use std::hash::Hash;
use std::mem::take;
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;

use genserver::{CallError, CallTag, Check, ClientResult, ExitReason, ProcessId};
use genserver_traces::EventKind;

use crate::failure::{Failure, FailureKind};
use crate::search::footprint::{Footprint, REGISTRY, Touch};
use crate::world::clients::{ClientProc, ClientState, Input, Request};
use crate::world::envelope::{Body, CallOutcome};
use crate::world::erased_server::{guarded, line_of};
use crate::world::events::Event;
use crate::world::faults::Restart;
use crate::world::fingerprint::hash_with;
use crate::world::{Deadline, ProcKind, World, duration_ns};

impl World {
    /// Carries out one enabled event (recording its footprint if asked to).
    pub(crate) fn execute(&mut self, event: Event) {
        if self.touches.is_some() {
            // (Jumps of time never reach the race analysis: such systems are searched with
            // state hashing, see `search::reduction_for`.)
            self.touch = Some(Touch::new(self.actor(event), event.is_fault()));
        }
        self.carry_out(event);
        if let (Some(touch), Some(touches)) = (self.touch.take(), &mut self.touches) {
            touches.push(Footprint::new(touch));
        }
    }

    fn carry_out(&mut self, event: Event) {
        let actor = self.reply_sender(event);
        // Where the payload the step's label rendered is, if it was this event's.
        let payload = (self.log.as_mut())
            .and_then(|log| log.payload.take())
            .filter(|(labelled, ..)| *labelled == event)
            .map(|(_, index, start)| (index, start));
        match event {
            Event::Deliver {
                from,
                life,
                to,
                index,
            } => {
                if let Some(envelope) = self.net.take(from, life, to, index) {
                    self.emit(EventKind::Deliver, Some(from), Some(to), |w| {
                        let label = |(index, start): (usize, usize)| {
                            let choose: &genserver_traces::Event =
                                w.log.as_ref()?.events.get(index)?;
                            (choose.kind == EventKind::Choose)
                                .then(|| choose.message.get(start..))
                                .flatten()
                        };
                        match payload.and_then(label) {
                            Some(payload) => envelope.body.text_with(payload),
                            None => line_of(&envelope.body),
                        }
                    });
                    self.deliver(from, to, envelope.body, envelope.payload.into_inner());
                }
            }
            Event::Deadline(key) => {
                if let Some(deadline) = self.deadlines.remove(&key) {
                    self.expire(deadline);
                }
            }
            Event::Continue(id) => {
                self.emit(EventKind::Continue, Some(id), None, |w| {
                    let value = match w.proc(id).map(|p| &p.kind) {
                        Some(ProcKind::Server(slot)) => slot.next_continue(),
                        _ => None,
                    };
                    value.unwrap_or_default()
                });
                let output = self.slot(id).run_continue();
                self.drive(id, output);
            }
            Event::Start(id) => self.step_client(id, Input::Start),
            Event::Advance(at) => self.now = self.now.max(at),
            Event::Crash(id) => self.crash(id),
            Event::Drop { from, life, to } => {
                self.faults_used += 1;
                if let Some(envelope) = self.net.take(from, life, to, 0) {
                    self.emit(EventKind::Drop, Some(from), Some(to), |_| {
                        format!("{} (fault)", envelope.body)
                    });
                    drop(envelope);
                }
            }
            Event::Delay { from, life, to } => {
                self.faults_used += 1;
                let by = duration_ns(self.faults.delay.unwrap_or_default());
                let now = self.now;
                if let Some(head) = self.net.head_mut(from, life, to) {
                    head.due = now.saturating_add(by);
                }
                self.emit(EventKind::Delay, Some(from), Some(to), |w| {
                    let body = w.net.get(from, life, to, 0).map(|e| e.body.to_string());
                    format!(
                        "{} held back by {:?}",
                        body.unwrap_or_default(),
                        Duration::from_nanos(by)
                    )
                });
            }
        }
        if let Some(actor) = actor {
            self.collect_replies(actor);
        }
    }

    /// The process that sends on what reply tokens delivered in an event outside a server's
    /// actions (a token dropped with a message): the event's actor, except that a message
    /// dropped or delayed in the network is its sender's doing.
    fn reply_sender(&self, event: Event) -> Option<ProcessId> {
        match event {
            Event::Drop { from, .. } | Event::Delay { from, .. } => Some(from),
            other => Some(self.actor(other)).filter(|&id| id != ProcessId::EXTERNAL),
        }
    }

    /// Delivers `body` (its payload's text `payload`, if rendered) from `from` to `to`.
    fn deliver(&mut self, from: ProcessId, to: ProcessId, body: Body, payload: Option<Rc<str>>) {
        if let Body::Reply { tag, outcome } = body {
            if !self.settle(to, tag) {
                self.emit(EventKind::Discard, Some(from), Some(to), |_| {
                    format!("late reply #{} (the caller no longer waits)", tag.0)
                });
                drop(outcome);
                return;
            }
            return self.resume(to, tag, outcome, payload);
        }
        let output = match body {
            Body::Call { tag, request } => {
                let cell = self.reply_cell(from, tag);
                self.slot(to).call(from, tag, request, cell)
            }
            Body::Cast(msg) => self.slot(to).cast(msg),
            Body::Info(msg) => self.slot(to).info(msg),
            Body::Reply { .. } => unreachable!("handled above"),
            Body::Down { monitor, reason } => return self.receive_down(from, to, monitor, reason),
            body @ Body::Exit { .. } => return self.receive_signal(from, to, body),
        };
        self.drive(to, output);
    }

    /// Hands the outcome of its call (its text `text`, if rendered) to a waiting process.
    fn resume(&mut self, id: ProcessId, tag: CallTag, outcome: CallOutcome, text: Option<Rc<str>>) {
        match self.proc(id).map(|p| &p.kind) {
            Some(ProcKind::Server(_)) => {
                let output = self.slot(id).outcome(outcome);
                self.drive(id, output);
            }
            Some(ProcKind::Client(_)) => {
                self.note_outcome(id, tag, &outcome);
                self.step_client(id, Input::Outcome(tag, outcome, text));
            }
            None => {}
        }
    }

    fn expire(&mut self, deadline: Deadline) {
        match deadline {
            Deadline::Timer { server, timer } => {
                self.emit(EventKind::Timer, Some(server), None, |_| {
                    format!("timer #{}", timer.0)
                });
                let output = self.slot(server).fire(timer);
                self.drive(server, output);
            }
            Deadline::Timeout { caller, tag } => {
                let callee = self.pending.get(&(caller, tag)).map(|p| p.callee);
                if let Some(pending) = self.pending.get_mut(&(caller, tag)) {
                    pending.deadline = None;
                }
                if self.settle(caller, tag) {
                    self.emit(EventKind::Timeout, Some(caller), callee, |_| {
                        format!("call #{} timed out", tag.0)
                    });
                    self.resume(caller, tag, Err(CallError::Timeout), None);
                }
            }
            Deadline::Wake { client, ticket } => {
                self.emit(EventKind::Timer, Some(client), None, |_| "wake".to_owned());
                self.step_client(client, Input::Wake(ticket));
            }
        }
    }

    fn crash(&mut self, id: ProcessId) {
        self.faults_used += 1;
        let reason = ExitReason::error("killed by fault");
        self.emit(EventKind::Crash, Some(id), None, |_| reason.to_string());
        let names = self.names_of(id);
        self.exit_server(id, reason, false);
        if self.faults.crash.get(&id) == Some(&Restart::AtOnce) {
            *self.lives.entry(id).or_default() += 1;
            self.start_server(id, EventKind::Restart);
            // Restarted in place: the same process, under the same names.
            if self.alive(id) {
                for name in &names {
                    if self.whereis(name).is_none() {
                        self.set_name(name, id);
                    }
                }
            }
        }
    }

    /// Hands a client `input` and polls its body until it waits or finishes, carrying out
    /// what it asked for (a call that fails at once is an outcome it gets at once).
    pub(crate) fn step_client(&mut self, id: ProcessId, input: Input) {
        let observing = self.touches.is_some();
        let now = Duration::from_nanos(self.now);
        let symmetric = self.symmetric().then(|| self.symmetry.list.clone());
        let Some(proc) = self.client_mut(id).filter(|p| p.state != ClientState::Done) else {
            return;
        };
        let handed_at = observing.then_some(now);
        let input = match input {
            // Under symmetry an outcome is rendered again: the ids its `Debug` shows are
            // watched for.
            Input::Outcome(tag, outcome, Some(_)) if symmetric.is_some() => {
                Input::Outcome(tag, outcome, None)
            }
            input => input,
        };
        let ((), member) = symmetry_watch(symmetric, || proc.hand(input, handed_at));
        proc.state = ClientState::Running;
        self.fold_broke(id, member);
        loop {
            let Some((result, mut requests)) = self.poll_client(id, now, observing) else {
                return;
            };
            self.collect_replies(id);
            let finished = match result {
                Err(panic) => return self.fail_client(id, FailureKind::Panic, panic),
                Ok(Poll::Ready(Err(Check::Failed(text)))) => {
                    return self.fail_client(id, FailureKind::Expectation, text);
                }
                Ok(Poll::Ready(Err(Check::TimedOut(text)))) => {
                    return self.fail_client(id, FailureKind::Timeout, text);
                }
                Ok(Poll::Ready(Ok(()))) => true,
                Ok(Poll::Pending) => false,
            };
            let Some(answered_at_once) = self.serve_requests(id, &mut requests) else {
                return; // Past the step limit.
            };
            self.requests = requests;
            if finished {
                return self.finish_client(id);
            }
            if !answered_at_once {
                return;
            }
        }
    }

    /// Client `id`, if it is one.
    fn client_mut(&mut self, id: ProcessId) -> Option<&mut ClientProc> {
        match self.proc_mut(id).map(|p| &mut p.kind) {
            Some(ProcKind::Client(proc)) => Some(proc),
            _ => None,
        }
    }

    /// Polls client `id` once; returns what the poll gave and the requests it made. The
    /// names it resolved are recorded as reads of the registry.
    fn poll_client(
        &mut self,
        id: ProcessId,
        now: Duration,
        observing: bool,
    ) -> Option<(Polled, Vec<Request>)> {
        let registry = self.kernel.names().clone();
        let symmetric = self.symmetric().then(|| self.symmetry.list.clone());
        let lent = take(&mut self.requests);
        let proc = self.client_mut(id)?;
        proc.before_poll(now, registry);
        proc.desk().requests = lent;
        let result = proc.poll();
        let (requests, resolved) = {
            let mut desk = proc.desk();
            (take(&mut desk.requests), take(&mut desk.resolved))
        };
        if !resolved.is_empty() {
            if observing {
                let (text, member) = symmetry_watch(symmetric, || format!("{resolved:?}"));
                proc.history = mix(proc.history, text);
                self.fold_broke(id, member);
            }
            self.touch_read(REGISTRY);
        }
        Some((result, requests))
    }

    /// Carries out a client's requests (emptying the list). Returns whether a call failed at
    /// once (its outcome is then on the client's desk), or `None` past the step limit.
    fn serve_requests(&mut self, id: ProcessId, requests: &mut Vec<Request>) -> Option<bool> {
        let mut answered_at_once = false;
        for request in requests.drain(..) {
            match request {
                Request::Cast { to, msg } => self.send(id, to, Body::Cast(msg)),
                Request::Sleep { ticket, duration } => {
                    let at = self.now.saturating_add(duration_ns(duration));
                    self.add_deadline(at, Deadline::Wake { client: id, ticket });
                }
                Request::Call {
                    ticket,
                    to,
                    request,
                    timeout,
                } => {
                    let noted = self.note_call(id, to, &*request);
                    match self.call_out(id, to, request, timeout) {
                        Ok(tag) => {
                            self.note_sent(id, tag, noted);
                            if let Some(proc) = self.client_mut(id) {
                                proc.calls.push((tag, ticket));
                            }
                        }
                        Err(error) => {
                            self.note_failed(noted, &error);
                            self.emit(EventKind::Reply, Some(id), Some(id), |w| {
                                format!("call to {} failed at once: {error}", w.name(to))
                            });
                            if !self.spend_step() {
                                return None;
                            }
                            answered_at_once = true;
                            if let Some(proc) = self.client_mut(id) {
                                proc.put_outcome(ticket, Err(error));
                            }
                        }
                    }
                }
            }
        }
        Some(answered_at_once)
    }

    /// Records the failure of client `id` at this step.
    fn fail_client(&mut self, id: ProcessId, kind: FailureKind, message: String) {
        let failure = Failure {
            kind,
            step: self.step,
            process: Some(self.name(id)),
            message,
        };
        self.fail(failure);
    }

    /// Ends a client: it waits for nothing any more (the calls and sleeps it dropped
    /// unfinished are given up: a late reply is discarded, traced).
    fn finish_client(&mut self, id: ProcessId) {
        if let Some(proc) = self.client_mut(id) {
            proc.state = ClientState::Done;
        }
        for tag in self.calls_of(id) {
            self.settle(id, tag);
        }
        (self.deadlines)
            .retain(|_, d| !matches!(d, Deadline::Wake { client, .. } if *client == id));
    }

    /// Runs the invariants (after every step) and records the first one broken.
    pub(crate) fn check_invariants(&mut self) {
        self.check_histories();
        let checks = std::mem::take(&mut self.invariants);
        // What invariants read matters to the race analysis only (it records footprints).
        self.watching.set(self.touches.is_some());
        let broken = first_broken(self, &checks);
        self.watching.set(false);
        self.invariants = checks;
        if let Some(failure) = broken {
            self.fail(failure);
        }
    }

    /// Runs the end-of-run checks, then what the run must eventually reach.
    pub(crate) fn check_at_end(&mut self) {
        let checks = std::mem::take(&mut self.final_checks);
        let broken = first_broken(self, &checks);
        self.final_checks = checks;
        if let Some(failure) = broken {
            return self.fail(failure);
        }
        self.check_reached(FailureKind::Invariant);
    }

    /// At the step limit: a property the run must eventually reach and did not is a livelock.
    pub(crate) fn check_reached_at_limit(&mut self) {
        self.check_reached(FailureKind::Livelock);
    }

    fn check_reached(&mut self, kind: FailureKind) {
        let checks = std::mem::take(&mut self.eventually);
        let broken = first_broken(self, &checks);
        self.eventually = checks;
        if let Some(failure) = broken {
            let message = match kind {
                FailureKind::Livelock => format!("never reached: {}", failure.message),
                _ => failure.message,
            };
            self.fail(Failure {
                kind,
                message,
                ..failure
            });
        }
    }
}

fn first_broken(world: &World, checks: &[(String, crate::world::StateCheck)]) -> Option<Failure> {
    let view = world.view();
    checks.iter().find_map(|(name, check)| {
        let verdict =
            guarded(|| check(&view)).unwrap_or_else(|panic| Err(format!("panicked: {panic}")));
        verdict.err().map(|text| Failure {
            kind: FailureKind::Invariant,
            step: world.step,
            process: None,
            message: format!("{name}: {text}"),
        })
    })
}

/// What polling a client gave: its end, `Pending`, or the text of its panic.
type Polled = Result<Poll<ClientResult>, String>;

/// Folds `input` into a client's history hash.
pub(crate) fn mix(history: u64, input: impl Hash) -> u64 {
    hash_with(|mut h| (history, input).hash(&mut h))
}

/// Runs `fold` (rendering what a client's history keeps); with symmetry on (the groups),
/// also returns a group member whose id the text held: the history cannot be renamed then.
fn symmetry_watch<R>(
    groups: Option<Vec<Vec<ProcessId>>>,
    fold: impl FnOnce() -> R,
) -> (R, Option<ProcessId>) {
    let Some(groups) = groups else {
        return (fold(), None);
    };
    let (result, seen) = genserver::engine::watching_ids(fold);
    let member = (seen.into_iter()).find(|id| groups.iter().any(|group| group.contains(id)));
    (result, member)
}
