//! Recording real runs: the order in which every process took its inputs, so that the
//! simulator can drive the same handlers through the same orders (off unless asked for:
//! [`crate::runtime::Threads::record`]).
//!
//! Both engines keep one FIFO per sender and receiver, so a server's inputs are named by
//! who sent them (the `n`-th message from a sender is the same message on both), plus the
//! server's own timers and the outcomes of its own calls. A server appends to a buffer of
//! its own (no lock) and publishes it when it goes idle, exits, or is asked to
//! ([`Recorder::collect`]).

// Only `Threads` (not built under loom) reads recordings.
#![cfg_attr(loom, allow(dead_code))]

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::{ProcessId, TimerId};

/// One input a process took.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// A call request from `from`.
    Call {
        /// The caller.
        from: ProcessId,
    },
    /// A cast from `from`.
    Cast {
        /// The sender.
        from: ProcessId,
    },
    /// An info message from `from`.
    Info {
        /// The sender.
        from: ProcessId,
    },
    /// A monitor's `Down`: `from` went down.
    Down {
        /// The process watched.
        from: ProcessId,
    },
    /// An exit signal from `from` that it trapped (handled as a message).
    Exit {
        /// Its sender.
        from: ProcessId,
    },
    /// The outcome of its own call number `call` to `from`, a reply or an error. Calls are
    /// counted from 1 over those it sent: one that failed before it was queued (to itself,
    /// to no process, to a full mailbox) has no number and no outcome here.
    Reply {
        /// The server called.
        from: ProcessId,
        /// Which of its calls.
        call: u64,
    },
    /// Its own call number `call` to `to` timed out.
    Timeout {
        /// The server called.
        to: ProcessId,
        /// Which of its calls.
        call: u64,
    },
    /// One of its timers fired.
    Timer(TimerId),
}

/// An input and when it was taken (wall-clock time since the recording began; for people:
/// a server stamps each batch it takes from its mailbox, not each message).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Taken {
    /// What it took.
    pub input: Input,
    /// About when.
    pub at: Duration,
}

/// One process of a recorded run: its inputs in the order it took them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessRecord {
    /// Its id in the run.
    pub id: ProcessId,
    /// Its registered name (a server) or its name (a client); `None` for an unnamed server.
    pub name: Option<String>,
    /// Whether it is a client of a [`crate::runtime::Threads`] scenario.
    pub client: bool,
    /// What it took, in order.
    pub inputs: Vec<Taken>,
    /// The calls it made, in order (a client's: its operations).
    pub calls: Vec<RecordedCall>,
}

/// A call a client made on threads: an operation of the run's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedCall {
    /// The server called.
    pub server: ProcessId,
    /// The request, as its `Debug` shows it.
    pub request: String,
    /// When it was made (since the recording began).
    pub invoked: Duration,
    /// When its outcome came, and what it was: the reply as its `Debug` shows it, or the
    /// error in words; `None` if the client never waited for it.
    pub returned: Option<(Duration, Result<String, String>)>,
}

/// A recorded run: every recorded process, in id order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recording {
    /// The processes, by id.
    pub processes: Vec<ProcessRecord>,
    /// How long the run took, from the start of recording to its collection.
    pub elapsed: Duration,
}

/// The recording of one runtime, shared by its processes' logs.
pub(crate) struct Recorder {
    start: Instant,
    logs: Mutex<Vec<Arc<Log>>>,
}

/// One process's published inputs.
pub(crate) struct Log {
    id: ProcessId,
    name: Option<String>,
    client: bool,
    published: Mutex<Published>,
}

/// Inputs as a process publishes them: packed, in chunks (a full buffer is handed over,
/// not copied), with the times stamped on them.
#[derive(Default)]
struct Published {
    calls: Vec<RecordedCall>,
    chunks: Vec<Vec<Packed>>,
    /// From which input on (counted over all chunks) each stamp holds.
    stamps: Vec<(u64, Duration)>,
}

/// An [`Input`] in 16 bytes: a process (or timer) id, and the kind with a call number.
#[derive(Clone, Copy)]
struct Packed {
    id: u64,
    /// The kind in the low 3 bits, a call number above them.
    kind: u64,
}

impl Packed {
    fn new(input: Input) -> Self {
        let (id, kind, call) = match input {
            Input::Call { from } => (from.0, 0, 0),
            Input::Cast { from } => (from.0, 1, 0),
            Input::Info { from } => (from.0, 2, 0),
            Input::Down { from } => (from.0, 3, 0),
            Input::Exit { from } => (from.0, 4, 0),
            Input::Reply { from, call } => (from.0, 5, call),
            Input::Timeout { to, call } => (to.0, 6, call),
            Input::Timer(timer) => (timer.0, 7, 0),
        };
        Packed {
            id,
            kind: kind | call << 3,
        }
    }

    fn input(self) -> Input {
        let (id, call) = (ProcessId(self.id), self.kind >> 3);
        match self.kind & 7 {
            0 => Input::Call { from: id },
            1 => Input::Cast { from: id },
            2 => Input::Info { from: id },
            3 => Input::Down { from: id },
            4 => Input::Exit { from: id },
            5 => Input::Reply { from: id, call },
            6 => Input::Timeout { to: id, call },
            _ => Input::Timer(TimerId(self.id)),
        }
    }
}

/// What a process appends to as it takes inputs; published to its [`Log`] in bulk.
pub(crate) struct Tape {
    log: Arc<Log>,
    start: Instant,
    buffer: Vec<Packed>,
    /// Stamps not published yet.
    stamps: Vec<(u64, Duration)>,
    /// Inputs taken so far.
    taken: u64,
    /// The time stamped on inputs now, and whether an input bears it yet.
    now: Duration,
    used: bool,
    /// How many calls the process made (the number of its next one, less one).
    calls: u64,
    /// The calls it made, not published yet (a client's).
    operations: Vec<RecordedCall>,
}

fn locked<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Recorder {
    /// A recording starting now.
    pub(crate) fn new() -> Self {
        Recorder {
            start: Instant::now(),
            logs: Mutex::default(),
        }
    }

    /// A tape for a new process.
    pub(crate) fn tape(&self, id: ProcessId, name: Option<String>, client: bool) -> Tape {
        let log = Arc::new(Log {
            id,
            name,
            client,
            published: Mutex::default(),
        });
        locked(&self.logs).push(Arc::clone(&log));
        Tape {
            log,
            start: self.start,
            buffer: Vec::new(),
            stamps: Vec::new(),
            taken: 0,
            now: self.start.elapsed(),
            used: false,
            calls: 0,
            operations: Vec::new(),
        }
    }

    /// What the processes have published so far, in id order.
    pub(crate) fn collect(&self) -> Recording {
        let mut processes: Vec<ProcessRecord> = (locked(&self.logs).iter())
            .map(|log| {
                let published = locked(&log.published);
                ProcessRecord {
                    id: log.id,
                    name: log.name.clone(),
                    client: log.client,
                    inputs: published.unpacked(),
                    calls: published.calls.clone(),
                }
            })
            .collect();
        processes.sort_by_key(|process| process.id);
        Recording {
            processes,
            elapsed: self.start.elapsed(),
        }
    }
}

impl Published {
    /// Every input published, with its time.
    fn unpacked(&self) -> Vec<Taken> {
        let mut stamps = self.stamps.iter().peekable();
        let mut at = Duration::ZERO;
        let packed = self.chunks.iter().flatten();
        (packed.enumerate())
            .map(|(index, packed)| {
                while let Some(&&(from, stamp)) = stamps.peek() {
                    if from > index as u64 {
                        break;
                    }
                    at = stamp;
                    stamps.next();
                }
                Taken {
                    input: packed.input(),
                    at,
                }
            })
            .collect()
    }
}

/// Inputs a process buffers before it hands them over, however busy it stays.
const CHUNK: usize = 4096;

impl Tape {
    /// Notes an input, stamped with the time of the last [`Tape::stamp`].
    #[inline]
    pub(crate) fn take(&mut self, input: Input) {
        if !self.used {
            self.used = true;
            self.stamps.push((self.taken, self.now));
        }
        self.buffer.push(Packed::new(input));
        self.taken += 1;
        if self.buffer.len() >= CHUNK {
            self.publish();
        }
    }

    /// Reads the clock for the inputs taken from now on.
    pub(crate) fn stamp(&mut self) {
        self.now = self.start.elapsed();
        self.used = false;
    }

    /// The number of the process's next call (from 1).
    pub(crate) fn next_call(&mut self) -> u64 {
        self.calls += 1;
        self.calls
    }

    /// Notes a call the process makes to `server` with `request`: an operation of its
    /// history; its place among them, for [`Tape::returned`].
    pub(crate) fn invoke(&mut self, server: ProcessId, request: String) -> usize {
        self.operations.push(RecordedCall {
            server,
            request,
            invoked: self.start.elapsed(),
            returned: None,
        });
        self.operations.len() - 1
    }

    /// Notes the outcome of operation `operation`.
    pub(crate) fn returned(&mut self, operation: usize, outcome: Result<String, String>) {
        let now = self.start.elapsed();
        if let Some(made) = self.operations.get_mut(operation) {
            made.returned = Some((now, outcome));
        }
    }

    /// Makes what was noted so far visible to [`Recorder::collect`]: a full buffer is
    /// handed over whole, a few inputs are copied.
    pub(crate) fn publish(&mut self) {
        if self.buffer.is_empty() {
            return;
        }
        let mut published = locked(&self.log.published);
        published.stamps.append(&mut self.stamps);
        match published.chunks.last_mut() {
            Some(last) if last.len() + self.buffer.len() <= CHUNK => {
                last.extend_from_slice(&self.buffer);
                self.buffer.clear();
            }
            _ if self.buffer.len() >= CHUNK => {
                let full = std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK));
                published.chunks.push(full);
            }
            _ => {
                published.chunks.push(self.buffer.clone());
                self.buffer.clear();
            }
        }
    }
}

impl Drop for Tape {
    fn drop(&mut self) {
        self.publish();
        locked(&self.log.published)
            .calls
            .append(&mut self.operations);
    }
}

impl crate::runtime::Runtime {
    /// Records, from now on, the order in which every server started afterwards takes its
    /// inputs (a second call keeps the recording under way). Cheap, not free: each input
    /// taken costs a few bytes of memory until the runtime is gone.
    /// [`crate::runtime::Threads::record`] records a scenario's clients too.
    pub fn record(&self) {
        self.shared
            .recorder
            .get_or_init(|| Arc::new(Recorder::new()));
    }

    /// The recording under way, if any.
    pub(crate) fn recorder(&self) -> Option<&Arc<Recorder>> {
        self.shared.recorder.get()
    }

    /// What has been recorded, once every live server has published what it took so far
    /// (each is given until `deadline`: a server stuck in a callback gives what it had
    /// published before); `None` unless [`crate::Runtime::record`] was called.
    pub fn recording(&self, deadline: Instant) -> Option<Recording> {
        let recorder = self.recorder()?;
        let servers = self.table().servers();
        let asked: Vec<_> = (servers.into_iter())
            .filter_map(|(id, _)| {
                let inbox = self.inbox(id)?;
                let done = crate::sync::Arc::new(crate::runtime::ReplyLink::new());
                let queued = inbox.flush(crate::sync::Arc::clone(&done));
                queued.then(|| crate::runtime::PendingCall::new(done, id, None))
            })
            .collect();
        for published in asked {
            let _ = published.wait_until(Some(deadline));
        }
        Some(recorder.collect())
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn every_input_survives_its_packing() {
        let id = ProcessId(u64::MAX >> 1);
        let inputs = [
            Input::Call { from: id },
            Input::Cast { from: id },
            Input::Info { from: id },
            Input::Down { from: id },
            Input::Exit { from: id },
            Input::Reply { from: id, call: 7 },
            Input::Timeout {
                to: id,
                call: 1 << 40,
            },
            Input::Timer(TimerId(u64::MAX)),
        ];
        for input in inputs {
            assert_eq!(Packed::new(input).input(), input);
        }
    }

    #[test]
    fn inputs_keep_their_order_and_stamps_across_small_and_full_publications() {
        let recorder = Recorder::new();
        let mut tape = recorder.tape(ProcessId(1), Some("one".into()), false);
        let cast = |n| Input::Cast { from: ProcessId(n) };
        let mut expected = Vec::new();
        // A few, published (idle); a stamp; more than a chunk; a few more.
        for round in 0..3u64 {
            tape.stamp();
            let stamp = tape.now;
            let count = [3, CHUNK as u64 + 5, 2][round as usize];
            for n in 0..count {
                tape.take(cast(round * 100_000 + n));
                expected.push(Taken {
                    input: cast(round * 100_000 + n),
                    at: stamp,
                });
            }
            tape.publish();
        }
        drop(tape);
        let recording = recorder.collect();
        assert_eq!(recording.processes.len(), 1);
        assert_eq!(recording.processes[0].inputs, expected);
    }
}
