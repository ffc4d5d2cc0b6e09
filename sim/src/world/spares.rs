//! Spare lists: the emptied lists of a dropped world, kept by its thread for the next world
//! it makes (a batch of runs then allocates them once instead of once per run). Only room
//! is kept, never content: a world made from spares is the world made without them.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::sync::Arc;

use genserver::{CallTag, ExitReason, ProcessId};

use crate::world::clients::Request;
use crate::world::envelope::{CallOutcome, Envelope};
use crate::world::events::Event;
use crate::world::network::Queues;
use crate::world::reply_cells::ReplyCell;
use crate::world::{Deadline, Pending, Proc, StateCheck};

/// The most emptied queues kept (a small system has a handful).
const KEPT_QUEUES: usize = 64;

thread_local! {
    /// The spares this thread keeps: those of the first world it dropped since it last
    /// made one (later drops keep nothing while the slot is full).
    static SPARES: RefCell<Option<Spares>> = const { RefCell::new(None) };
}

/// Empty lists with room, taken from a dropped world.
#[derive(Default)]
pub(crate) struct Spares {
    /// The processes.
    pub procs: Vec<Proc>,
    /// The network's queues by pair (sender, life, receiver).
    pub pairs: Queues,
    /// Emptied message queues, for the pairs of the next world.
    pub queues: Vec<VecDeque<Envelope>>,
    /// The calls waited for.
    pub pending: Vec<((ProcessId, CallTag), Pending)>,
    /// The calls' deadlines.
    pub deadlines: Vec<((u64, u64), Deadline)>,
    /// The processes waiting for a reply.
    pub waiting: Vec<usize>,
    /// The reply cells.
    pub cells: Vec<(ProcessId, CallTag, Arc<ReplyCell>)>,
    /// The requests lent to the client polled.
    pub requests: Vec<Request>,
    /// The outcomes taken from reply cells.
    pub ready: Vec<(ProcessId, CallTag, CallOutcome)>,
    /// Invariants, final checks and eventual checks.
    pub checks: [Vec<(String, StateCheck)>; 3],
    /// The processes starting.
    pub starting: Vec<(ProcessId, Option<ExitReason>)>,
    /// The run loop's enabled events.
    pub enabled: Vec<Event>,
    /// Counts of messages by sender, receiver, kind and head.
    pub counts: Vec<((ProcessId, ProcessId, u8, u32), u64)>,
    /// The names of the calls each process made.
    pub calls: Vec<Vec<(crate::world::naming::Name, ProcessId)>>,
    /// Text room for labels.
    pub scratch: String,
}

impl Spares {
    /// This thread's spares (empty lists without room if it has none).
    pub fn take() -> Spares {
        let taken = SPARES.try_with(|spares| spares.try_borrow_mut().ok()?.take());
        taken.ok().flatten().unwrap_or_default()
    }

    /// Whether this thread keeps no spares yet: only then is a dropped world's worth
    /// keeping (with many worlds alive, as in a search, the others drop as they are).
    pub fn wanted() -> bool {
        let empty = SPARES.try_with(|spares| spares.try_borrow().is_ok_and(|s| s.is_none()));
        empty.unwrap_or(false)
    }

    /// Keeps these spares for this thread's next world (every list is emptied first).
    pub fn keep(mut self) {
        self.procs.clear();
        for (_, mut queue) in self.pairs.drain(..) {
            if self.queues.len() < KEPT_QUEUES {
                queue.clear();
                self.queues.push(queue);
            }
        }
        self.queues.iter_mut().for_each(VecDeque::clear);
        self.pending.clear();
        self.deadlines.clear();
        self.waiting.clear();
        self.cells.clear();
        self.requests.clear();
        self.ready.clear();
        self.checks.iter_mut().for_each(Vec::clear);
        self.starting.clear();
        self.enabled.clear();
        self.counts.clear();
        self.calls.iter_mut().for_each(Vec::clear);
        self.scratch.clear();
        // Emptied before the thread's slot is borrowed: dropping what the lists held may
        // drop another world, which keeps its own spares.
        let _ = SPARES.try_with(|spares| {
            if let Ok(mut slot) = spares.try_borrow_mut() {
                *slot = Some(self);
            }
        });
    }
}
