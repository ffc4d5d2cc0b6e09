//! Reply sinks: how reply tokens made by the simulator hand outcomes back to the world.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use genserver::engine::ReplySink;
use genserver::{CallError, CallTag, Message, ProcessId};

use crate::world::envelope::CallOutcome;

/// An outcome handed to a reply token, waiting to be turned into a message.
pub(crate) struct Posted {
    /// The caller.
    pub caller: ProcessId,
    /// Its call.
    pub tag: CallTag,
    /// What the token delivered.
    pub outcome: CallOutcome,
}

/// Shared between the world and every reply token it made: the calls still awaited, and
/// the outcomes posted since the world last looked.
#[derive(Default)]
pub(crate) struct Mailroom {
    waiting: BTreeSet<(ProcessId, CallTag)>,
    posted: Vec<Posted>,
}

/// The world's handle on the mailroom.
pub(crate) type SharedMailroom = Arc<Mutex<Mailroom>>;

/// Locks the mailroom, ignoring poisoning (no user code runs under the lock).
pub(crate) fn lock(mailroom: &SharedMailroom) -> MutexGuard<'_, Mailroom> {
    mailroom
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Mailroom {
    /// Records that `caller` now waits for call `tag`.
    pub fn wait_for(&mut self, caller: ProcessId, tag: CallTag) {
        self.waiting.insert((caller, tag));
    }

    /// Records that `caller` no longer waits for call `tag`; returns whether it did.
    pub fn give_up(&mut self, caller: ProcessId, tag: CallTag) -> bool {
        self.waiting.remove(&(caller, tag))
    }

    /// Whether `caller` still waits for call `tag`.
    pub fn waits(&self, caller: ProcessId, tag: CallTag) -> bool {
        self.waiting.contains(&(caller, tag))
    }

    /// Whether outcomes were posted since the world last took them.
    pub fn has_posted(&self) -> bool {
        !self.posted.is_empty()
    }

    /// Takes the outcomes posted so far, in posting order.
    pub fn take_posted(&mut self) -> Vec<Posted> {
        std::mem::take(&mut self.posted)
    }
}

/// The sink behind one reply token: the first outcome wins, later ones are refused.
pub(crate) struct SimSink {
    caller: ProcessId,
    tag: CallTag,
    mailroom: SharedMailroom,
    done: AtomicBool,
}

impl SimSink {
    /// A sink for call `tag` of `caller`.
    pub fn new(caller: ProcessId, tag: CallTag, mailroom: SharedMailroom) -> Self {
        SimSink {
            caller,
            tag,
            mailroom,
            done: AtomicBool::new(false),
        }
    }
}

impl<R: Message> ReplySink<R> for SimSink {
    fn deliver(&self, outcome: Result<R, CallError>) -> bool {
        if self.done.swap(true, Ordering::SeqCst) {
            return false;
        }
        let mut mailroom = lock(&self.mailroom);
        let waited = mailroom.waits(self.caller, self.tag);
        mailroom.posted.push(Posted {
            caller: self.caller,
            tag: self.tag,
            outcome: outcome.map(|value| Box::new(value) as genserver::AnyMessage),
        });
        waited
    }
}
