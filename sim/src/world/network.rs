//! The FIFO queues between every ordered pair of processes.

use std::collections::VecDeque;

use genserver::{CallTag, ProcessId};

use crate::world::envelope::{Body, Envelope};
use crate::world::fork::Cloners;

/// One FIFO queue per (sender, receiver) pair, kept sorted by that pair so that every scan
/// is in a fixed order (a list: a run has a handful of pairs, scanned at every step, and a
/// queue once made stays, emptied, for the pair's next message). The sender is a process in one of its lives (0 for the first, one more
/// for every restart): a restarted server is a new process for ordering, as a new Erlang pid
/// is, so its messages may overtake the ones its earlier life sent.
#[derive(Default)]
pub(crate) struct Network {
    queues: Queues,
    /// Whether an exit signal was ever queued: until then no queue needs a scan for one.
    exits: bool,
    /// Empty queues with room, for the next pairs (from an earlier world's spares).
    spare: Vec<VecDeque<Envelope>>,
}

/// A queue's key: sender, its life, receiver.
pub(crate) type Pair = (ProcessId, u32, ProcessId);

/// The queues by pair, in pair order.
pub(crate) type Queues = Vec<(Pair, VecDeque<Envelope>)>;

impl Network {
    /// An empty network that makes its queues out of `spare` (empty lists with room).
    pub fn from_spares(queues: Queues, spare: Vec<VecDeque<Envelope>>) -> Network {
        debug_assert!(queues.is_empty() && spare.iter().all(VecDeque::is_empty));
        Network {
            queues,
            exits: false,
            spare,
        }
    }

    /// The lists this network holds, to keep as spares: its queues by pair, and its spare
    /// queues (neither emptied here).
    pub fn into_spares(self) -> (Queues, Vec<VecDeque<Envelope>>) {
        (self.queues, self.spare)
    }

    /// A copy, if `cloners` can copy every message in flight.
    pub fn copy(&self, cloners: &Cloners) -> Option<Network> {
        let mut queues = Vec::with_capacity(self.queues.len());
        for (key, queue) in &self.queues {
            // Sized up front, with room for one more (the copy's run goes on sending): an
            // `Option` collect grows its list one message at a time.
            let mut copies = VecDeque::new();
            if !queue.is_empty() {
                copies.reserve_exact(queue.len() + 1);
            }
            for envelope in queue {
                copies.push_back(envelope.copy(cloners)?);
            }
            queues.push((*key, copies));
        }
        Some(Network {
            queues,
            exits: self.exits,
            spare: Vec::new(),
        })
    }

    /// The queue of `key`, if one was ever made.
    fn queue(&self, key: Pair) -> Option<&VecDeque<Envelope>> {
        let at = self.queues.binary_search_by_key(&key, |(k, _)| *k).ok()?;
        Some(&self.queues[at].1)
    }

    /// The queue of `key` mutably, if one was ever made.
    fn queue_mut(&mut self, key: Pair) -> Option<&mut VecDeque<Envelope>> {
        let at = self.queues.binary_search_by_key(&key, |(k, _)| *k).ok()?;
        Some(&mut self.queues[at].1)
    }

    /// Appends a message to the `from → to` queue of `from`'s life `life`.
    pub fn push(&mut self, from: ProcessId, life: u32, to: ProcessId, envelope: Envelope) {
        self.exits |= envelope.body.is_exit();
        let key = (from, life, to);
        let at = match self.queues.binary_search_by_key(&key, |(k, _)| *k) {
            Ok(at) => at,
            Err(at) => {
                if self.queues.is_empty() {
                    // Room for a small system's pairs (growing the list moves every queue).
                    self.queues.reserve(8);
                }
                let queue = self.spare.pop().unwrap_or_default();
                self.queues.insert(at, (key, queue));
                at
            }
        };
        self.queues[at].1.push_back(envelope);
    }

    /// How many calls, casts and info messages are on their way to `to` (in the simulator,
    /// its mailbox: a message is handled when it is delivered).
    pub fn messages_to(&self, to: ProcessId) -> usize {
        (self.queues.iter())
            .filter(|((_, _, receiver), _)| *receiver == to)
            .flat_map(|(_, queue)| queue)
            .filter(|envelope| {
                matches!(
                    envelope.body,
                    Body::Call { .. } | Body::Cast(_) | Body::Info(_)
                )
            })
            .count()
    }

    /// Whether an exit signal may be queued (one was queued at some point).
    pub fn may_hold_exits(&self) -> bool {
        self.exits
    }

    /// The non-empty queues, in (sender, life, receiver) order.
    pub fn queues(&self) -> impl Iterator<Item = (ProcessId, u32, ProcessId, &VecDeque<Envelope>)> {
        self.queues
            .iter()
            .filter(|(_, queue)| !queue.is_empty())
            .map(|&((from, life, to), ref queue)| (from, life, to, queue))
    }

    /// The message at `index` of the `from → to` queue of `from`'s life `life`.
    pub fn get(
        &self,
        from: ProcessId,
        life: u32,
        to: ProcessId,
        index: usize,
    ) -> Option<&Envelope> {
        self.queue((from, life, to))?.get(index)
    }

    /// Removes the message at `index` of the `from → to` queue of `from`'s life `life`.
    pub fn take(
        &mut self,
        from: ProcessId,
        life: u32,
        to: ProcessId,
        index: usize,
    ) -> Option<Envelope> {
        let queue = self.queue_mut((from, life, to))?;
        match index {
            0 => queue.pop_front(),
            _ => queue.remove(index),
        }
    }

    /// The head of the `from → to` queue of `from`'s life `life`, mutably (for delays).
    pub fn head_mut(&mut self, from: ProcessId, life: u32, to: ProcessId) -> Option<&mut Envelope> {
        self.queue_mut((from, life, to))?.front_mut()
    }

    /// Where the reply to call `tag` of `caller` sits, if it is due: (sender, life, index).
    pub fn find_reply(
        &self,
        caller: ProcessId,
        tag: CallTag,
        now: u64,
    ) -> Option<(ProcessId, u32, usize)> {
        self.queues()
            .filter(|&(_, _, to, _)| to == caller)
            .find_map(|(from, life, _, queue)| {
                queue
                    .iter()
                    .position(|e| {
                        e.due <= now && matches!(e.body, Body::Reply { tag: t, .. } if t == tag)
                    })
                    .map(|index| (from, life, index))
            })
    }

    /// Removes every message queued for `to`, in (sender, life, send) order.
    pub fn drain_to(&mut self, to: ProcessId) -> Vec<(ProcessId, Envelope)> {
        let mut drained = Vec::new();
        for &mut ((from, _, receiver), ref mut queue) in self.queues.iter_mut() {
            if receiver == to {
                drained.extend(queue.drain(..).map(|envelope| (from, envelope)));
            }
        }
        drained
    }

    /// Removes the messages queued for `to` that `pick` selects, in (sender, life, send)
    /// order.
    pub fn remove_to(
        &mut self,
        to: ProcessId,
        pick: impl Fn(&Body) -> bool,
    ) -> Vec<(ProcessId, Envelope)> {
        self.remove(|_, receiver| receiver == to, pick)
    }

    /// Removes the messages of the `from → to` queues (every life of `from`) that `pick`
    /// selects, in (life, send) order.
    pub fn remove_between(
        &mut self,
        from: ProcessId,
        to: ProcessId,
        pick: impl Fn(&Body) -> bool,
    ) -> Vec<(ProcessId, Envelope)> {
        self.remove(|sender, receiver| sender == from && receiver == to, pick)
    }

    fn remove(
        &mut self,
        queue: impl Fn(ProcessId, ProcessId) -> bool,
        pick: impl Fn(&Body) -> bool,
    ) -> Vec<(ProcessId, Envelope)> {
        let mut removed = Vec::new();
        for &mut ((from, _, to), ref mut messages) in self.queues.iter_mut() {
            if !queue(from, to) || !messages.iter().any(|e| pick(&e.body)) {
                continue;
            }
            let (out, kept): (VecDeque<Envelope>, VecDeque<Envelope>) =
                messages.drain(..).partition(|e| pick(&e.body));
            *messages = kept;
            removed.extend(out.into_iter().map(|envelope| (from, envelope)));
        }
        removed
    }

    /// The earliest due time of a queue head still in the future.
    pub fn next_due(&self, now: u64) -> Option<u64> {
        self.queues()
            .filter_map(|(_, _, _, queue)| queue.front().map(|e| e.due))
            .filter(|&due| due > now)
            .min()
    }
}
