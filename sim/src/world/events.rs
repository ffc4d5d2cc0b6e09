//! The events enabled at a step, and their readable labels (the schedule's words).

use std::fmt::Write;
use std::sync::Arc;
use std::time::Duration;

use genserver::{CallTag, ProcessId};

use crate::search::interner::{Interner, Label};
use crate::world::clients::ClientState;
use crate::world::envelope::{Body, Envelope, Payload};
use crate::world::erased_server::{line, render};
use crate::world::faults::Restart;
use crate::world::{Deadline, ProcKind, World};

/// One thing that can happen next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    /// Deliver the message at `index` of the `from → to` queue (the head, except for the
    /// reply a blocked caller takes out of order).
    Deliver {
        from: ProcessId,
        life: u32,
        to: ProcessId,
        index: usize,
    },
    /// A due deadline: timer, call timeout or wake-up.
    Deadline((u64, u64)),
    /// Virtual time jumps to the next deadline, at this time (virtual ns), overtaking the
    /// deliveries in flight (only with a latency bound: [`World::set_max_latency`]).
    Advance(u64),
    /// A server runs its next `handle_continue`.
    Continue(ProcessId),
    /// A client takes its first step.
    Start(ProcessId),
    /// Fault: crash a server.
    Crash(ProcessId),
    /// Fault: drop the head of a queue.
    Drop {
        from: ProcessId,
        life: u32,
        to: ProcessId,
    },
    /// Fault: hold back the head of a queue.
    Delay {
        from: ProcessId,
        life: u32,
        to: ProcessId,
    },
}

impl Event {
    /// Whether this event is an injected fault.
    pub fn is_fault(self) -> bool {
        matches!(
            self,
            Event::Crash(_) | Event::Drop { .. } | Event::Delay { .. }
        )
    }
}

impl World {
    /// Whether process `id` is blocked in a call of its own (it takes nothing but that
    /// call's reply or timeout).
    fn busy(&self, id: ProcessId) -> bool {
        self.waiting
            .get(id.0 as usize)
            .is_some_and(|&calls| calls > 0)
    }

    /// The calls process `id` waits for, in call order.
    pub(crate) fn calls_of(&self, id: ProcessId) -> Vec<CallTag> {
        let calls = self
            .pending
            .range((id, CallTag(0))..=(id, CallTag(u64::MAX)));
        calls.map(|(&(_, tag), _)| tag).collect()
    }

    /// Whether server `id` may take a message or a timer now: it is not blocked in a call
    /// and has no continuation to run first.
    pub(crate) fn accepts(&self, id: ProcessId) -> bool {
        !(self.busy(id) || self.has_continue(id))
    }

    fn has_continue(&self, id: ProcessId) -> bool {
        match self.proc(id).map(|p| &p.kind) {
            Some(ProcKind::Server(slot)) => slot.has_continue(),
            _ => false,
        }
    }

    /// Every event enabled now, in a fixed order.
    pub(crate) fn enabled(&self) -> Vec<Event> {
        let mut events = Vec::new();
        self.enabled_into(&mut events);
        events
    }

    /// Every event enabled now, in a fixed order, into `events` (cleared first): the run loop
    /// reuses one list for every step.
    pub(crate) fn enabled_into(&self, events: &mut Vec<Event>) {
        events.clear();
        for (from, life, to, queue) in self.net.queues() {
            let Some(head) = queue.front().filter(|e| e.due <= self.now) else {
                continue;
            };
            let receiver = self.proc(to).map(|p| &p.kind);
            let server = matches!(receiver, Some(ProcKind::Server(_)));
            let ready = match receiver {
                Some(ProcKind::Client(_)) => true,
                Some(ProcKind::Server(slot)) => {
                    let stale_reply = match &head.body {
                        Body::Reply { tag, .. } => !self.pending.contains_key(&(to, *tag)),
                        _ => false,
                    };
                    stale_reply || !(self.busy(to) || slot.has_continue())
                }
                None => false,
            };
            if ready {
                events.push(Event::Deliver {
                    from,
                    life,
                    to,
                    index: 0,
                });
            }
            // An exit signal the world handles (a kill, or any signal to a server that does
            // not trap exits) needs no readiness: it reaches a server blocked in a call, and
            // overtakes the messages ahead of it (they are in the mailbox already; if the
            // signal stops the server, they die with it). Such signals keep their order; a
            // trapped one ahead is in the mailbox already, as a message (a kill overtakes it).
            if server && self.net.may_hold_exits() {
                let signal =
                    (queue.iter()).position(|e| e.body.is_exit() && self.immediate(to, &e.body));
                if let Some(index) = signal.filter(|&i| !(ready && i == 0)) {
                    let envelope = &queue[index];
                    if envelope.due <= self.now {
                        events.push(Event::Deliver {
                            from,
                            life,
                            to,
                            index,
                        });
                    }
                }
            }
        }
        for &(caller, tag) in self.pending.keys() {
            if matches!(
                self.proc(caller).map(|p| &p.kind),
                Some(ProcKind::Server(_))
            ) {
                if let Some((from, life, index)) = self.net.find_reply(caller, tag, self.now) {
                    events.push(Event::Deliver {
                        from,
                        life,
                        to: caller,
                        index,
                    });
                }
            }
        }
        // Only the earliest due timer of each server: its timers fire in deadline order.
        let mut timed = Vec::new();
        for (&key, deadline) in self.deadlines.range(..=(self.now, u64::MAX)) {
            let ready = match *deadline {
                Deadline::Timer { server, .. } if timed.contains(&server) => false,
                Deadline::Timer { server, .. } => {
                    timed.push(server);
                    self.accepts(server)
                }
                Deadline::Timeout { .. } | Deadline::Wake { .. } => true,
            };
            if ready {
                events.push(Event::Deadline(key));
            }
        }
        for (index, proc) in self.procs.iter().enumerate() {
            let id = ProcessId(index as u64 + 1);
            match &proc.kind {
                ProcKind::Server(slot) if slot.has_continue() && !self.busy(id) => {
                    events.push(Event::Continue(id));
                }
                ProcKind::Client(client) if client.state == ClientState::Ready => {
                    events.push(Event::Start(id));
                }
                _ => {}
            }
        }
        if let Some(at) = self.advance_to(events) {
            events.push(Event::Advance(at));
        }
        if self.faults_used < self.faults.budget && !self.quiet() {
            self.enabled_faults(events);
        }
    }

    /// Whether time may jump now, and to when: with a latency bound `L`, a message may take
    /// up to `L` to arrive, so the next deadline may come first as long as every delivery
    /// enabled now is still within its window (due + `L`). Without deliveries to overtake,
    /// time moves as it always does, when nothing else is enabled.
    fn advance_to(&self, events: &[Event]) -> Option<u64> {
        if self.max_latency == 0 {
            return None;
        }
        let next = self.deadlines.range((self.now + 1, 0)..).next()?.0.0;
        let windows = events.iter().filter_map(|&event| match event {
            Event::Deliver {
                from,
                life,
                to,
                index,
            } => self.net.get(from, life, to, index),
            _ => None,
        });
        let latest = windows
            .map(|envelope| envelope.due.saturating_add(self.max_latency))
            .min()?;
        (next <= latest).then_some(next)
    }

    fn enabled_faults(&self, events: &mut Vec<Event>) {
        for &server in self.faults.crash.keys() {
            if self.alive(server) {
                events.push(Event::Crash(server));
            }
        }
        for name in &self.faults.crash_named {
            let holder = self.whereis(name).filter(|&id| self.alive(id));
            if let Some(server) = holder.filter(|id| !self.faults.crash.contains_key(id)) {
                if !events.contains(&Event::Crash(server)) {
                    events.push(Event::Crash(server));
                }
            }
        }
        for (from, life, to, queue) in self.net.queues() {
            if queue.front().is_some_and(|e| e.due <= self.now) {
                if self.faults.drop {
                    events.push(Event::Drop { from, life, to });
                }
                if self.faults.delay.is_some() {
                    events.push(Event::Delay { from, life, to });
                }
            }
        }
    }

    /// The process an event acts on: the receiver of a delivery, the owner of a deadline,
    /// the server continued, started, crashed, the receiver of a dropped or delayed message.
    pub(crate) fn actor(&self, event: Event) -> ProcessId {
        match event {
            Event::Deliver { to, .. } | Event::Drop { to, .. } | Event::Delay { to, .. } => to,
            Event::Continue(id) | Event::Start(id) | Event::Crash(id) => id,
            // The process whose deadline time jumps to lets the time pass.
            Event::Advance(at) => (self.deadlines.range((at, 0)..).next())
                .map_or(ProcessId::EXTERNAL, |(_, deadline)| deadline.owner()),
            Event::Deadline(key) => {
                (self.deadlines.get(&key)).map_or(ProcessId::EXTERNAL, Deadline::owner)
            }
        }
    }

    /// The readable label of an event: what the schedule records and replay matches.
    pub(crate) fn label(&self, event: Event) -> String {
        render(|| self.render_label(event, None))
    }

    /// The label of `event`, shared through `labels` (exhaustive search): a delivery's is
    /// kept with its message, as it never changes while queued once every process it names
    /// exists (a name is fixed at a process's start; an id no process has yet is shown as
    /// the id, until a child started later takes it) and its payload rendered.
    pub(crate) fn shared_label(&self, event: Event, labels: &mut Interner) -> Label {
        let Event::Deliver {
            from,
            life,
            to,
            index,
        } = event
        else {
            return labels.intern(self.label(event));
        };
        let envelope = self.net.get(from, life, to, index);
        if let Some(label) = envelope.and_then(|envelope| envelope.label.get()) {
            return Arc::clone(label);
        }
        let label = labels.intern(self.label(event));
        // A payload whose rendering failed is rendered again next time, as without this.
        let fixed = |envelope: &&Envelope| {
            let rendered = envelope.payload.get().is_some()
                || matches!(envelope.body, Body::Exit { kill: true, .. });
            let named = [Some(from), Some(to), envelope.name.of];
            rendered
                && named
                    .into_iter()
                    .flatten()
                    .all(|id| self.proc(id).is_some())
        };
        if let Some(envelope) = envelope.filter(fixed) {
            let _ = envelope.label.set(Arc::clone(&label));
        }
        label
    }

    /// The label of the event chosen for the step under way, with the trace on: as
    /// [`World::label`], and a message's payload rendered for it is kept for the step's
    /// delivery event (the message's `Debug` then runs once for both).
    pub(crate) fn step_label(&mut self, event: Event) -> String {
        let mut payload = None;
        let label = render(|| self.render_label(event, Some(&mut payload)));
        if let Some(log) = &mut self.log {
            // The label becomes the next event of the log, the step's `choose`.
            let index = log.events.len();
            log.payload = payload.map(|offset| (event, index, offset));
        }
        label
    }

    /// The label, rendered with the user's `Debug` code (which may panic); `keep` receives
    /// where the payload of a delivered message starts in it, when it rendered without
    /// failing (it runs to the end of the label).
    fn render_label(&self, event: Event, keep: Option<&mut Option<usize>>) -> String {
        let name = |id| self.name_ref(id);
        match event {
            Event::Deliver {
                from,
                life,
                to,
                index,
            } => self.queued_label("deliver", (from, life, to, index), None, keep),
            Event::Deadline(key) => match self.deadlines.get(&key) {
                Some(Deadline::Timer { server, timer }) => {
                    // The payload alone runs user code: a panic there leaves the identity.
                    let msg = render(|| {
                        match self.proc(*server).map(|p| &p.kind) {
                            Some(ProcKind::Server(slot)) => slot.timer_message(*timer),
                            _ => None,
                        }
                        .unwrap_or_else(|| "(cancelled)".to_owned())
                    });
                    format!("fire timer #{} at {}: {msg}", timer.0, name(*server))
                }
                Some(Deadline::Timeout { caller, tag }) => {
                    let (call, callee) = self.naming.call_name(*caller, *tag);
                    let call = self.naming.show(call, name);
                    format!("time out {call} {} → {}", name(*caller), name(callee))
                }
                Some(Deadline::Wake { client, .. }) => joined("wake ", &name(*client)),
                None => "<no deadline>".to_owned(),
            },
            Event::Continue(id) => {
                let value = render(|| match self.proc(id).map(|p| &p.kind) {
                    Some(ProcKind::Server(slot)) => slot.next_continue().unwrap_or_default(),
                    _ => String::new(),
                });
                format!("continue {}: {value}", name(id))
            }
            Event::Start(id) => joined("start ", &name(id)),
            Event::Advance(at) => format!("advance time to {:?}", Duration::from_nanos(at)),
            Event::Crash(id) => match self.faults.crash.get(&id) {
                Some(Restart::AtOnce) => joined("crash and restart ", &name(id)),
                _ => joined("crash ", &name(id)),
            },
            Event::Drop { from, life, to } => {
                self.queued_label("drop", (from, life, to, 0), None, None)
            }
            Event::Delay { from, life, to } => {
                let by = self.faults.delay.unwrap_or_default();
                self.queued_label("delay", (from, life, to, 0), Some(by), None)
            }
        }
    }

    /// The label of an event on the message at `index` of the `from → to` queue of `from`'s
    /// life `life`: what happens to which message (its kind, its number, sender and receiver:
    /// the part replay by identity matches), then, after `: `, what it carries (for people).
    /// `deliver cast Add #2 client → counter: Add(1)`. `by`: how long a delay holds the
    /// message back. `keep` receives where the payload starts when it rendered without
    /// failing.
    fn queued_label(
        &self,
        verb: &str,
        (from, life, to, index): (ProcessId, u32, ProcessId, usize),
        by: Option<Duration>,
        keep: Option<&mut Option<usize>>,
    ) -> String {
        let mut text = String::with_capacity(LINE);
        let (sender, receiver) = (self.name_ref(from), self.name_ref(to));
        let Some(envelope) = self.net.get(from, life, to, index) else {
            let _ = write!(text, "{verb} <nothing> {sender} → {receiver}");
            return text;
        };
        let body = &envelope.body;
        text.push_str(verb);
        text.push(' ');
        (self.naming).push_name(&mut text, envelope.name, |id| self.name_ref(id));
        text.push(' ');
        text.push_str(&sender);
        text.push_str(" → ");
        text.push_str(&receiver);
        if let Some(by) = by {
            let _ = write!(text, " by {by:?}");
        }
        if matches!(body, Body::Exit { kill: true, .. }) {
            return text;
        }
        text.push_str(": ");
        // The payload alone runs user code: a `Debug` that panics or fails leaves the
        // identity before it, and says so after it.
        let start = text.len();
        if let Some(payload) = envelope.payload_text() {
            text.push_str(payload);
            if let Some(keep) = keep {
                *keep = Some(start);
            }
            return text;
        }
        // Rendered again, for the text of what went wrong.
        text.push_str(&render(|| line(format_args!("{}", Payload(body)))));
        text
    }
}

/// `verb` then `name`, in one allocation (without the formatting machinery: a label is
/// rendered at every step).
fn joined(verb: &str, name: &str) -> String {
    let mut text = String::with_capacity(verb.len() + name.len());
    text.push_str(verb);
    text.push_str(name);
    text
}

/// Room for a typical label ("deliver reply Pop #3 stack → popper: Ok(Some(12))").
const LINE: usize = 64;

#[cfg(test)]
mod tests {
    use crate::drive::run::built;
    use crate::search::interner::Interner;
    use crate::zoo::systems;

    #[test]
    fn a_kept_delivery_label_is_the_label_rendered_at_every_step_and_in_copies() {
        let mut compared = 0;
        for entry in systems() {
            for seed in 0..3 {
                let mut world = built(entry, seed, None, 200, false, true);
                world.keep_client_logs();
                let mut labels = Interner::default();
                for step in 0..60 {
                    let events = world.enabled();
                    let Some(&next) = events.get((step * 7 + seed as usize) % events.len().max(1))
                    else {
                        break;
                    };
                    let copy = world.fork();
                    for &event in &events {
                        let label = world.label(event);
                        assert_eq!(
                            *world.shared_label(event, &mut labels),
                            label,
                            "{}",
                            entry.name
                        );
                        if let Some(copy) = &copy {
                            assert_eq!(*copy.shared_label(event, &mut labels), label);
                        }
                        compared += 1;
                    }
                    world.execute(next);
                }
            }
        }
        assert!(
            compared > 1000,
            "the runs went on long enough: {compared} labels compared"
        );
    }
}
