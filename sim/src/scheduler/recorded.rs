//! The recording strategy: drive the simulator through the per-process orders a run on
//! real threads recorded ([`crate::recorded`]).
//!
//! Every event is sorted into one of four classes. A delivery of a call, cast, info, `Down`
//! or trapped exit signal to a recorded server, or one of its timers, is **next** when it is
//! the input the server's recording names next (same kind, same sender), and **refused**
//! otherwise. A call's timeout is refused when the recording says that call was answered,
//! and its reply is refused while a timeout the recording saw first is still to come. Everything else (clients'
//! steps, replies, wake-ups, continuations, processes the recording does not name) is
//! **free**; a message to a server whose recorded inputs are all taken is **late** (the
//! real run ended before it took it). The strategy takes the next input recorded earliest,
//! else the first free event, else the first late one, else a jump of time (a system with a
//! latency bound, [`crate::World::set_max_latency`], lets a timer come due while messages
//! wait, as it did on threads). When only refused events are left,
//! the recording cannot be followed: strict, that is a divergence; loose, the first one is
//! taken and its receiver is followed no further.

use std::collections::{BTreeMap, BTreeSet};

use genserver::ProcessId;

use crate::recorded::{Orders, RecordedInput};
use crate::scheduler::{Divergence, Enabled, Scheduler};
use crate::world::envelope::Body;
use crate::world::events::Event;
use crate::world::{Deadline, ProcKind, World};

/// The strategy name of a run that followed a recording.
pub const FOLLOWED: &str = "recording";

/// How the strategy sees one enabled event.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Class {
    /// The input its receiver's recording names next, recorded at this time (ns).
    Next {
        receiver: String,
        time_ns: u64,
    },
    Free,
    /// An input taken after its receiver's recording ended, in words.
    Late(String),
    /// Time jumps ahead (with a latency bound): last, when a recorded timer must come due
    /// while messages wait.
    Wait,
    /// Against the recording: what the receiver was to take instead.
    Refused {
        receiver: Option<String>,
        expected: String,
    },
}

/// Follows a recording's per-process orders.
pub struct RecordingScheduler {
    orders: Orders,
    /// How many of each process's inputs have been taken.
    taken: BTreeMap<String, usize>,
    loose: bool,
    /// Processes no longer followed (loose: something was taken against their recording).
    off: BTreeSet<String>,
    /// Where the recording could not be followed first (loose replay goes on from there).
    off_record: Option<Divergence>,
    /// Inputs taken after their receiver's recording ended.
    late: Vec<String>,
}

impl RecordingScheduler {
    /// Follows `orders`; `loose`: go on where they cannot be followed.
    pub fn new(orders: Orders, loose: bool) -> Self {
        RecordingScheduler {
            orders,
            taken: BTreeMap::new(),
            loose,
            off: BTreeSet::new(),
            off_record: None,
            late: Vec::new(),
        }
    }

    /// The inputs processes took after their recordings ended, in words.
    pub fn late(&self) -> &[String] {
        &self.late
    }

    /// Where a loose run left the recording first.
    pub fn off_record(&self) -> Option<&Divergence> {
        self.off_record.as_ref()
    }

    /// The recorded inputs no process took, in words (`alice: call from withdrawal`).
    pub fn left(&self) -> Vec<String> {
        let mut left = Vec::new();
        for (name, inputs) in &self.orders.inputs {
            let from = self.taken.get(name).copied().unwrap_or(0);
            left.extend((inputs.iter().skip(from)).map(|e| format!("{name}: {}", words(&e.input))));
        }
        left
    }

    /// The input `name` is to take next: `Ok(None)` when it has taken every recorded one,
    /// `Err(())` when the recording does not follow it (it names no such process, or it
    /// left the recording).
    fn next_of(&self, name: &str) -> Result<Option<&crate::recorded::orders::Entry>, ()> {
        if self.off.contains(name) {
            return Err(());
        }
        let inputs = self.orders.inputs.get(name).ok_or(())?;
        Ok(inputs.get(self.taken.get(name).copied().unwrap_or(0)))
    }

    fn classify(&self, world: &World, event: Event) -> Class {
        match event {
            Event::Deliver {
                from,
                life,
                to,
                index,
            } => match world.net.get(from, life, to, index) {
                Some(envelope) => self.delivery(world, from, to, &envelope.body),
                None => Class::Free,
            },
            Event::Deadline(key) => match world.deadlines.get(&key) {
                Some(&Deadline::Timer { server, timer }) => {
                    let wanted = RecordedInput::Timer { timer: timer.0 };
                    self.input(&world.name(server), &wanted)
                }
                Some(&Deadline::Timeout { caller, tag }) => {
                    let caller = world.name(caller);
                    match self.orders.answered.contains(&(caller.clone(), tag.0)) {
                        false => Class::Free,
                        true => Class::Refused {
                            receiver: None,
                            expected: format!("call #{} of {caller} was answered", tag.0),
                        },
                    }
                }
                _ => Class::Free,
            },
            Event::Advance(_) => Class::Wait,
            event if event.is_fault() => Class::Refused {
                receiver: None,
                expected: "no fault on real threads".to_owned(),
            },
            _ => Class::Free,
        }
    }

    /// A message from `from` to `to`.
    fn delivery(&self, world: &World, from: ProcessId, to: ProcessId, body: &Body) -> Class {
        let client = matches!(world.proc(to).map(|p| &p.kind), Some(ProcKind::Client(_)));
        match body {
            Body::Reply { tag, .. } => {
                let caller = world.name(to);
                let timed_out = self.orders.timed_out.contains(&(caller.clone(), tag.0));
                match timed_out && world.pending.contains_key(&(to, *tag)) {
                    true => Class::Refused {
                        receiver: None,
                        expected: format!("call #{} of {caller} timed out first", tag.0),
                    },
                    false => Class::Free,
                }
            }
            _ if client || world.immediate(to, body) => Class::Free,
            body => {
                let wanted = RecordedInput::Message {
                    kind: body.kind().to_owned(),
                    from: world.name(from),
                };
                self.input(&world.name(to), &wanted)
            }
        }
    }

    /// How taking `wanted` stands against `receiver`'s recording.
    fn input(&self, receiver: &str, wanted: &RecordedInput) -> Class {
        match self.next_of(receiver) {
            Err(()) => Class::Free,
            Ok(None) => Class::Late(format!("{receiver}: {}", words(wanted))),
            Ok(Some(entry)) if entry.input == *wanted => Class::Next {
                receiver: receiver.to_owned(),
                time_ns: entry.time_ns,
            },
            Ok(Some(entry)) => Class::Refused {
                receiver: Some(receiver.to_owned()),
                expected: format!(
                    "{receiver}'s next input (recorded at event {}) is {}",
                    entry.step,
                    words(&entry.input)
                ),
            },
        }
    }
}

/// An input in words: `call from withdrawal`, `timer #2`.
fn words(input: &RecordedInput) -> String {
    match input {
        RecordedInput::Message { kind, from } => format!("{kind} from {from}"),
        RecordedInput::Timer { timer } => format!("timer #{timer}"),
    }
}

impl Scheduler for RecordingScheduler {
    fn choose(&mut self, step: u64, enabled: &Enabled<'_>) -> Result<usize, Divergence> {
        let world = enabled.world;
        let classes: Vec<Class> = (enabled.events.iter())
            .map(|&event| self.classify(world, event))
            .collect();
        let next = (classes.iter().enumerate())
            .filter_map(|(i, class)| match class {
                Class::Next { time_ns, .. } => Some((*time_ns, i)),
                _ => None,
            })
            .min()
            .map(|(_, i)| i);
        let pick = next
            .or_else(|| classes.iter().position(|class| *class == Class::Free))
            .or_else(|| (classes.iter()).position(|class| matches!(class, Class::Late(_))))
            .or_else(|| classes.iter().position(|class| *class == Class::Wait));
        if let Some(index) = pick {
            match &classes[index] {
                Class::Next { receiver, .. } => {
                    *self.taken.entry(receiver.clone()).or_default() += 1;
                }
                Class::Late(what) => self.late.push(what.clone()),
                _ => {}
            }
            return Ok(index);
        }
        let mut expected: Vec<&str> = (classes.iter())
            .filter_map(|class| match class {
                Class::Refused { expected, .. } => Some(expected.as_str()),
                _ => None,
            })
            .collect();
        expected.dedup();
        let labels = enabled.labels();
        // Virtual timers are punctual: time does not pass a due timer unless a message is in
        // flight to race it (with a latency bound), where on threads a timer may run late.
        let hint = match labels.iter().all(|label| label.starts_with("fire timer")) {
            true => {
                " (in the simulator a due timer fires before time moves on, unless a \
                     message in flight races it under a latency bound; on threads it ran later)"
            }
            false => "",
        };
        let divergence = Divergence {
            step,
            message: format!(
                "the recording cannot be followed: {}; enabled: {}{hint}",
                expected.join("; "),
                labels.join("; ")
            ),
        };
        let fallback = (0..enabled.len()).find(|&i| !enabled.is_fault(i));
        match (self.loose, fallback) {
            (true, Some(index)) => {
                if let Class::Refused {
                    receiver: Some(receiver),
                    ..
                } = &classes[index]
                {
                    self.off.insert(receiver.clone());
                }
                self.off_record.get_or_insert(divergence);
                Ok(index)
            }
            _ => Err(divergence),
        }
    }

    fn strategy(&self) -> String {
        FOLLOWED.to_owned()
    }
}
