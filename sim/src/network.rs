//! The FIFO queues between every ordered pair of processes.

use std::collections::{BTreeMap, VecDeque};

use genserver::{CallTag, ProcessId};

use crate::envelope::{Body, Envelope};

/// One FIFO queue per (sender, receiver) pair, kept in a `BTreeMap` so that every scan is
/// in a fixed order.
#[derive(Default)]
pub(crate) struct Network {
    queues: BTreeMap<(ProcessId, ProcessId), VecDeque<Envelope>>,
}

impl Network {
    /// Appends a message to the `from → to` queue.
    pub fn push(&mut self, from: ProcessId, to: ProcessId, envelope: Envelope) {
        self.queues
            .entry((from, to))
            .or_default()
            .push_back(envelope);
    }

    /// The non-empty queues, in (sender, receiver) order.
    pub fn queues(&self) -> impl Iterator<Item = (ProcessId, ProcessId, &VecDeque<Envelope>)> {
        self.queues
            .iter()
            .filter(|(_, queue)| !queue.is_empty())
            .map(|(&(from, to), queue)| (from, to, queue))
    }

    /// The message at `index` of the `from → to` queue.
    pub fn get(&self, from: ProcessId, to: ProcessId, index: usize) -> Option<&Envelope> {
        self.queues.get(&(from, to))?.get(index)
    }

    /// Removes the message at `index` of the `from → to` queue.
    pub fn take(&mut self, from: ProcessId, to: ProcessId, index: usize) -> Option<Envelope> {
        self.queues.get_mut(&(from, to))?.remove(index)
    }

    /// The head of the `from → to` queue, mutably (for delays).
    pub fn head_mut(&mut self, from: ProcessId, to: ProcessId) -> Option<&mut Envelope> {
        self.queues.get_mut(&(from, to))?.front_mut()
    }

    /// Where the reply to call `tag` of `caller` sits, if it is due: (sender, index).
    pub fn find_reply(
        &self,
        caller: ProcessId,
        tag: CallTag,
        now: u64,
    ) -> Option<(ProcessId, usize)> {
        self.queues()
            .filter(|&(_, to, _)| to == caller)
            .find_map(|(from, _, queue)| {
                queue
                    .iter()
                    .position(|e| {
                        e.due <= now && matches!(e.body, Body::Reply { tag: t, .. } if t == tag)
                    })
                    .map(|index| (from, index))
            })
    }

    /// Removes every message queued for `to`, in (sender, send) order.
    pub fn drain_to(&mut self, to: ProcessId) -> Vec<(ProcessId, Envelope)> {
        let mut drained = Vec::new();
        for (&(from, receiver), queue) in self.queues.iter_mut() {
            if receiver == to {
                drained.extend(queue.drain(..).map(|envelope| (from, envelope)));
            }
        }
        drained
    }

    /// The earliest due time of a queue head still in the future.
    pub fn next_due(&self, now: u64) -> Option<u64> {
        self.queues()
            .filter_map(|(_, _, queue)| queue.front().map(|e| e.due))
            .filter(|&due| due > now)
            .min()
    }
}
