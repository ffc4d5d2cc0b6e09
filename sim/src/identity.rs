//! Events by identity rather than by label: what the shrinker's candidate schedules follow.
//!
//! A label carries payloads: leave out an earlier step and a later `deliver reply #5 Ok(80)
//! bank → alice` becomes `deliver reply #4 Ok(90) bank → alice`, the same event of the story
//! with another value. An [`Identity`] names an event by what it is, without payloads or
//! call numbers: the kind of event (and of the message it moves), the sender and the
//! receiver, and which message of that sender (in that life) to that receiver it is: its
//! place in their stream, counted in send order from the first message sent. Events that
//! move no message (timers, timeouts, wake-ups, continuations, starts, crashes) are counted
//! per process (and callee, for timeouts) instead: the third timer a server fires.
//!
//! The places are kept by a [`Tracker`] that watches the run's queues step by step: every
//! message is given the next place of its stream when it first shows up (each envelope
//! records the step that sent it), and keeps it until it leaves the queue, however it leaves
//! (delivered, even out of order, dropped, or removed by the world).

use std::collections::BTreeMap;

use genserver::ProcessId;

use crate::envelope::Body;
use crate::event::Event;
use crate::scheduler::{Divergence, Enabled, Scheduler};
use crate::world::{Deadline, World};

/// What an event is, without its payload: see the module docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Identity {
    kind: Kind,
    from: ProcessId,
    life: u32,
    to: ProcessId,
    nth: u64,
}

/// The kind of an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Deliver(Message),
    Drop(Message),
    Delay(Message),
    Timer,
    Timeout,
    Wake,
    Continue,
    Start,
    Crash,
    Advance,
}

/// The kind of a message, without its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Message {
    Call,
    Cast,
    Info,
    Reply,
    Down,
    Exit,
    Kill,
    /// No message where the event points (not expected).
    Missing,
}

impl Message {
    fn of(body: &Body) -> Self {
        match body {
            Body::Call { .. } => Message::Call,
            Body::Cast(_) => Message::Cast,
            Body::Info(_) => Message::Info,
            Body::Reply { .. } => Message::Reply,
            Body::Down { .. } => Message::Down,
            Body::Exit { kill: true, .. } => Message::Kill,
            Body::Exit { .. } => Message::Exit,
        }
    }
}

/// One sender→receiver stream (of one life of the sender), as far as it was seen.
#[derive(Default)]
struct Stream {
    /// The world's step when the queue was last looked at (`None`: never).
    synced: Option<u64>,
    /// How many of its messages were seen: the place of the next one.
    seen: u64,
    /// Each queued message, in queue order: the step that sent it, and its place.
    places: Vec<(u64, u64)>,
}

impl Stream {
    /// Brings the places up to the queue's contents: messages sent since the last look get
    /// the next places; the others keep theirs (the queue is in send order, and only loses
    /// messages between two looks, so they are found in order by the step that sent them).
    fn sync(&mut self, world: &World, (from, life, to): (ProcessId, u32, ProcessId)) {
        if self.synced == Some(world.step) {
            return;
        }
        let mut old = std::mem::take(&mut self.places).into_iter();
        let queue = (0..).map_while(|index| world.net.get(from, life, to, index));
        for envelope in queue {
            let sent = envelope.sent;
            let known = match self.synced {
                Some(synced) if sent <= synced => old.find(|&(s, _)| s == sent),
                _ => None,
            };
            let place = known.map_or_else(
                || {
                    self.seen += 1;
                    self.seen - 1
                },
                |(_, place)| place,
            );
            self.places.push((sent, place));
        }
        self.synced = Some(world.step);
    }
}

/// Gives the events of one run their identities, step by step: it must see every choice
/// ([`Tracker::note`]) of the run, from the first.
#[derive(Default)]
pub(crate) struct Tracker {
    streams: BTreeMap<(ProcessId, u32, ProcessId), Stream>,
    /// Events that move no message, taken so far: per kind, process and peer.
    counts: BTreeMap<(Kind, ProcessId, ProcessId), u64>,
}

impl Tracker {
    /// The identity of every enabled event, in order.
    pub(crate) fn identities(&mut self, enabled: &Enabled<'_>) -> Vec<Identity> {
        let world = enabled.world;
        let mut ids: Vec<Identity> = Vec::with_capacity(enabled.len());
        for &event in enabled.events {
            let id = match event {
                Event::Deliver {
                    from,
                    life,
                    to,
                    index,
                } => self.message(world, Kind::Deliver, (from, life, to), index),
                Event::Drop { from, life, to } => {
                    self.message(world, Kind::Drop, (from, life, to), 0)
                }
                Event::Delay { from, life, to } => {
                    self.message(world, Kind::Delay, (from, life, to), 0)
                }
                Event::Deadline(key) => match world.deadlines.get(&key) {
                    Some(&Deadline::Timer { server, .. }) => {
                        self.other(Kind::Timer, server, server, &ids)
                    }
                    Some(&Deadline::Timeout { caller, tag }) => {
                        let callee = world.pending.get(&(caller, tag));
                        let callee = callee.map_or(ProcessId::EXTERNAL, |p| p.callee);
                        self.other(Kind::Timeout, caller, callee, &ids)
                    }
                    Some(&Deadline::Wake { client, .. }) => {
                        self.other(Kind::Wake, client, client, &ids)
                    }
                    None => self.other(Kind::Timer, ProcessId::EXTERNAL, ProcessId::EXTERNAL, &ids),
                },
                Event::Continue(id) => self.other(Kind::Continue, id, id, &ids),
                Event::Start(id) => self.other(Kind::Start, id, id, &ids),
                Event::Crash(id) => self.other(Kind::Crash, id, id, &ids),
                Event::Advance(_) => {
                    let owner = world.actor(event);
                    self.other(Kind::Advance, owner, owner, &ids)
                }
            };
            ids.push(id);
        }
        ids
    }

    /// The identity of the message at `index` of a queue, moved by an event of `kind`.
    fn message(
        &mut self,
        world: &World,
        kind: fn(Message) -> Kind,
        queue: (ProcessId, u32, ProcessId),
        index: usize,
    ) -> Identity {
        let stream = self.streams.entry(queue).or_default();
        stream.sync(world, queue);
        let (from, life, to) = queue;
        let message = world.net.get(from, life, to, index);
        Identity {
            kind: kind(message.map_or(Message::Missing, |e| Message::of(&e.body))),
            from,
            life,
            to,
            nth: stream
                .places
                .get(index)
                .map_or(u64::MAX, |&(_, place)| place),
        }
    }

    /// The identity of an event that moves no message: how many such events `from` took
    /// before (with `to`), counting the ones enabled ahead of it now.
    fn other(&self, kind: Kind, from: ProcessId, to: ProcessId, ahead: &[Identity]) -> Identity {
        let before = self.counts.get(&(kind, from, to)).copied().unwrap_or(0);
        let ahead = (ahead.iter())
            .filter(|id| id.kind == kind && id.from == from && id.to == to)
            .count() as u64;
        Identity {
            kind,
            from,
            life: 0,
            to,
            nth: before + ahead,
        }
    }

    /// Takes note that `event`, of identity `id`, was chosen.
    pub(crate) fn note(&mut self, event: Event, id: Identity) {
        let taken = match event {
            Event::Deliver {
                from,
                life,
                to,
                index,
            } => Some(((from, life, to), index)),
            Event::Drop { from, life, to } => Some(((from, life, to), 0)),
            Event::Delay { .. } => None,
            _ => {
                *self.counts.entry((id.kind, id.from, id.to)).or_default() += 1;
                None
            }
        };
        if let Some((queue, index)) = taken {
            let places = self.streams.get_mut(&queue).map(|s| &mut s.places);
            if let Some(places) = places.filter(|p| index < p.len()) {
                places.remove(index);
            }
        }
    }
}

/// Wraps a scheduler and writes down the identity of every choice it makes.
pub(crate) struct Identify<'a> {
    inner: &'a mut dyn Scheduler,
    tracker: Tracker,
    taken: Vec<Identity>,
}

impl<'a> Identify<'a> {
    pub(crate) fn new(inner: &'a mut dyn Scheduler) -> Self {
        Identify {
            inner,
            tracker: Tracker::default(),
            taken: Vec::new(),
        }
    }

    /// The identities of the choices made, in order.
    pub(crate) fn taken(self) -> Vec<Identity> {
        self.taken
    }
}

impl Scheduler for Identify<'_> {
    fn strategy(&self) -> String {
        self.inner.strategy()
    }

    fn choose(&mut self, step: u64, enabled: &Enabled<'_>) -> Result<usize, Divergence> {
        let ids = self.tracker.identities(enabled);
        let index = self.inner.choose(step, enabled)?;
        if let Some(&id) = ids.get(index) {
            self.tracker.note(enabled.events[index], id);
            self.taken.push(id);
        }
        Ok(index)
    }

    fn finish(&mut self, step: u64) -> Result<(), Divergence> {
        self.inner.finish(step)
    }

    fn finish_at_limit(&mut self, step: u64) -> Result<(), Divergence> {
        self.inner.finish_at_limit(step)
    }
}

/// The shrinker's strategy: follows a plan of identities where it can (at each step, the
/// next planned event that is enabled; planned events that are not are skipped), then
/// finishes the run with the first enabled event that is not a fault. Like the guided
/// strategy, but a later event still matches when an earlier step left out changed its
/// payload or its call number.
pub(crate) struct Follow {
    plan: Vec<Identity>,
    next: usize,
    tracker: Tracker,
    taken: Vec<Identity>,
}

impl Follow {
    /// Follows `plan`.
    pub(crate) fn new(plan: Vec<Identity>) -> Self {
        Follow {
            plan,
            next: 0,
            tracker: Tracker::default(),
            taken: Vec::new(),
        }
    }

    /// The identities of the choices made, in order.
    pub(crate) fn taken(self) -> Vec<Identity> {
        self.taken
    }
}

impl Scheduler for Follow {
    fn strategy(&self) -> String {
        "guided".to_owned()
    }

    fn choose(&mut self, _step: u64, enabled: &Enabled<'_>) -> Result<usize, Divergence> {
        let ids = self.tracker.identities(enabled);
        let mut planned = None;
        while let (None, Some(wanted)) = (planned, self.plan.get(self.next)) {
            self.next += 1;
            planned = ids.iter().position(|id| id == wanted);
        }
        let index = planned
            .or_else(|| (0..enabled.len()).find(|&i| !enabled.is_fault(i)))
            .unwrap_or(0);
        // A replay takes the first event of a label: take it too, so that the labels of
        // this run replay it exactly.
        let index = enabled.position(&enabled.label(index)).unwrap_or(index);
        self.tracker.note(enabled.events[index], ids[index]);
        self.taken.push(ids[index]);
        Ok(index)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::{Identify, Kind};
    use crate::random::RandomScheduler;
    use crate::run::run_with;
    use crate::zoo::systems;

    /// Every message keeps one place in its stream: no two deliveries (or drops) of a run
    /// have the same identity, and each found its message.
    #[test]
    fn each_message_is_taken_once() {
        for entry in systems() {
            for seed in 0..20 {
                let mut random = RandomScheduler::new(seed);
                let mut identify = Identify::new(&mut random);
                run_with(entry.system, seed, 2_000, false, &mut identify).unwrap();
                let taken = identify.taken();
                let moved: Vec<_> = (taken.iter())
                    .filter(|id| matches!(id.kind, Kind::Deliver(_) | Kind::Drop(_)))
                    .map(|id| (id.from, id.life, id.to, id.nth))
                    .collect();
                let distinct: BTreeSet<_> = moved.iter().collect();
                assert_eq!(distinct.len(), moved.len(), "{} seed {seed}", entry.name);
                assert!(
                    moved.iter().all(|&(.., nth)| nth != u64::MAX),
                    "{} seed {seed}: {taken:?}",
                    entry.name
                );
            }
        }
    }
}
