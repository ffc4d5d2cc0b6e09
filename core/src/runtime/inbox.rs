//! Type-erased access to a server's mailbox, for the registry and for effects that address
//! servers of other types.

use std::any::Any;
use std::time::{Duration, Instant};

use crate::message::{AnyMessage, downcast, misfit};
use crate::reply::CallCell;
use crate::runtime::bound::Bound;
use crate::runtime::envelope::{Envelope, Misfit};
use crate::runtime::interrupt::{Doom, Interrupt};
use crate::runtime::open_calls::{self, OpenCalls, Opened};
use crate::runtime::sinks::ErasedSink;
use crate::runtime::{Mailbox, ReplyLink, Runtime, Server};
use crate::sync::{Arc, blocking};
use crate::{
    CallError, CallTag, Down, ExitReason, ExitSignal, GenServer, ProcessId, ReplyTo, ServerError,
    Timeout,
};

/// What every live server shares with its clients.
pub(crate) struct ServerCell<S: GenServer> {
    pub(crate) id: ProcessId,
    /// The name it started under (for errors that name it).
    pub(crate) name: Option<std::sync::Arc<str>>,
    pub(crate) mailbox: Mailbox<Envelope<S>>,
    /// Set by a kill or an untrapped exit signal; wakes the server from a call it makes.
    pub(crate) interrupt: Interrupt<AnyMessage>,
    /// Calls sent and not answered: a doom fails them at once.
    pub(crate) calls: Arc<OpenCalls>,
    /// Its mailbox's bound, if it has one (rule 8).
    bound: Option<Bound>,
}

/// Why a mailbox did not take a message; the message comes back.
pub(crate) enum Refused<T> {
    /// The bounded mailbox is full.
    Full(T),
    /// It stayed full for as long as the sender waited.
    Waited(T),
    /// The server has exited.
    Closed(T),
}

impl<S: GenServer> ServerCell<S> {
    pub(crate) fn new(
        id: ProcessId,
        name: Option<std::sync::Arc<str>>,
        limit: Option<usize>,
    ) -> Self {
        ServerCell {
            id,
            name,
            mailbox: Mailbox::new(),
            interrupt: Interrupt::new(),
            calls: Arc::default(),
            bound: limit.map(Bound::new),
        }
    }

    /// Queues a call, cast or info message (or a misfit standing for one), unless a bounded
    /// mailbox is full or the server has exited (rule 8).
    #[inline]
    pub(crate) fn offer(&self, envelope: Envelope<S>) -> Result<(), Refused<Envelope<S>>> {
        let Some(bound) = &self.bound else {
            return self.mailbox.push(envelope).map_err(Refused::Closed);
        };
        if !bound.admit() {
            // An exited server's places are never given back: it is gone, not full.
            return Err(match self.mailbox.is_closed() {
                true => Refused::Closed(envelope),
                false => Refused::Full(envelope),
            });
        }
        self.mailbox.push(envelope).map_err(|refused| {
            bound.release();
            Refused::Closed(refused)
        })
    }

    /// [`ServerCell::offer`], waiting while the mailbox is full until `deadline` (for ever
    /// with none) or until `moot` says the message is no longer wanted (a call already
    /// failed), looking again at growing intervals (up to a millisecond apart). Blocks the
    /// thread, telling the executor first if it is one of its workers. A mailbox bounded to
    /// 0 is never waited for.
    #[inline]
    pub(crate) fn offer_until(
        &self,
        envelope: Envelope<S>,
        deadline: impl FnOnce() -> Option<Instant>,
        moot: impl Fn() -> bool,
    ) -> Result<(), Refused<Envelope<S>>> {
        match self.offer(envelope) {
            Err(Refused::Full(envelope)) if self.bound.as_ref().is_some_and(Bound::has_room) => {
                self.wait_for_room(envelope, deadline(), &moot)
            }
            done => done,
        }
    }

    /// Offers `envelope` again and again, at growing intervals, until it is taken, refused
    /// for good, `deadline` passes or `moot` holds.
    #[cold]
    fn wait_for_room(
        &self,
        mut envelope: Envelope<S>,
        deadline: Option<Instant>,
        moot: &dyn Fn() -> bool,
    ) -> Result<(), Refused<Envelope<S>>> {
        blocking(|| {
            let mut pause = Duration::from_micros(10);
            loop {
                let now = Instant::now();
                if moot() || deadline.is_some_and(|deadline| now >= deadline) {
                    return Err(Refused::Waited(envelope));
                }
                let left = deadline.map_or(pause, |deadline| deadline - now);
                std::thread::sleep(pause.min(left));
                pause = (pause * 2).min(Duration::from_millis(1));
                envelope = match self.offer(envelope) {
                    Err(Refused::Full(envelope)) => envelope,
                    done => return done,
                };
            }
        })
    }

    /// The server took `envelope`: a call, cast or info message (or a misfit) frees its
    /// place in a bounded mailbox (an unbounded one looks no further).
    pub(crate) fn took(&self, envelope: &Envelope<S>) {
        if let Some(bound) = &self.bound {
            if envelope.is_message() {
                bound.release();
            }
        }
    }

    /// Queues a stop with `reason`; `done` completes once the server has exited. `false` if
    /// its mailbox is closed (it exited).
    pub(crate) fn stop(&self, reason: ExitReason, done: Arc<ReplyLink<()>>) -> bool {
        self.mailbox
            .push(Envelope::Stop {
                reason: Box::new(reason),
                done,
            })
            .is_ok()
    }

    /// `error`, naming this server.
    pub(crate) fn error(&self, error: CallError) -> ServerError {
        ServerError::new(Some(self.id), self.name.clone(), error)
    }

    /// Whether the server was killed (it may still be finishing a callback).
    pub(crate) fn killed(&self) -> bool {
        self.interrupt.doomed().is_some_and(|doom| doom.kill)
    }
}

/// A registry entry: the typed cell behind an erased face.
pub(crate) struct Entry<S: GenServer>(pub(crate) Arc<ServerCell<S>>);

/// A server's mailbox seen without its type. A message of the wrong type (a hand-made
/// [`crate::ServerRef`] naming a server of another type) stops the receiver, as in the
/// simulator.
pub(crate) trait Inbox: Send + Sync {
    /// Queues a cast from `from`.
    fn cast_any(&self, from: ProcessId, msg: AnyMessage);
    /// Queues an info message from `from`.
    fn info_any(&self, from: ProcessId, msg: AnyMessage);
    /// Queues a call; its place among the server's open calls if it was queued (`None`:
    /// `link` got the error, the mailbox being closed or full).
    fn call_any(
        &self,
        from: ProcessId,
        tag: CallTag,
        request: AnyMessage,
        link: Arc<ReplyLink<AnyMessage>>,
    ) -> Option<Opened>;
    /// Queues a `Down` for a monitor this server holds.
    fn down(&self, down: Down);
    /// Queues an exit signal this server traps (`via_link`: sent because of a link).
    fn exit_signal(&self, signal: ExitSignal, via_link: bool);
    /// Dooms the server (a kill or an untrapped exit signal) and wakes it.
    fn doom(&self, doom: Doom);
    /// Queues a stop with `reason`; `done` completes once the server has exited. `false` if
    /// its mailbox is closed (it exited).
    fn stop(&self, reason: ExitReason, done: Arc<ReplyLink<()>>) -> bool;
    /// Asks the server to publish its recording tape; `done` completes once it has.
    /// `false` if its mailbox is closed (it exited, and published then).
    #[cfg_attr(loom, allow(dead_code))]
    fn flush(&self, done: Arc<ReplyLink<()>>) -> bool;
    /// Whether the server is a supervisor of this runtime (a shutdown stops those first).
    fn is_supervisor(&self) -> bool;
    fn clone_box(&self) -> Box<dyn Inbox>;
    fn as_any(&self) -> &dyn Any;
}

impl dyn Inbox {
    /// The typed handle, if this inbox belongs to a server of type `S`.
    pub(crate) fn as_server<S: GenServer>(&self, rt: &Runtime) -> Option<Server<S>> {
        let entry = self.as_any().downcast_ref::<Entry<S>>()?;
        Some(Server::from_cell(
            rt.clone(),
            Arc::clone(&entry.0),
            Timeout::DEFAULT,
        ))
    }
}

impl<S: GenServer> Entry<S> {
    /// Queues `msg` as the envelope `wrap` makes, or, for a message of another server's
    /// type, the misfit that stops this server ([`crate::engine::misfit`]).
    fn push_typed<T: 'static>(
        &self,
        (from, msg): (ProcessId, AnyMessage),
        callback: &str,
        wrap: fn(T, ProcessId) -> Envelope<S>,
    ) {
        let envelope = match downcast::<T>(msg) {
            Ok(msg) => wrap(msg, from),
            Err(msg) => Envelope::Misfit(Box::new(Misfit {
                reason: misfit(callback, &msg),
                call: None,
            })),
        };
        // Full or exited: dropped, as a cast to a dead server is (rule 8).
        let _ = self.0.offer(envelope);
    }
}

impl<S: GenServer> Inbox for Entry<S> {
    fn cast_any(&self, from: ProcessId, msg: AnyMessage) {
        self.push_typed((from, msg), "handle_cast", Envelope::Cast);
    }

    fn info_any(&self, from: ProcessId, msg: AnyMessage) {
        self.push_typed((from, msg), "handle_info", Envelope::Info);
    }

    fn call_any(
        &self,
        from: ProcessId,
        tag: CallTag,
        request: AnyMessage,
        link: Arc<ReplyLink<AnyMessage>>,
    ) -> Option<Opened> {
        let Some(opened) = OpenCalls::open(&self.0.calls, open_calls::entry(&link)) else {
            link.complete(Err(CallError::NoProcess));
            return None;
        };
        let from = ReplyTo::issue(&std::sync::Arc::new(CallCell::new(
            from,
            tag,
            ErasedSink(link),
        )));
        let envelope = match downcast::<S::Call>(request) {
            Ok(request) => Envelope::Call { request, from },
            Err(request) => Envelope::Misfit(Box::new(Misfit {
                reason: misfit("handle_call", &request),
                call: Some(from),
            })),
        };
        match self.0.offer(envelope) {
            Ok(()) => return Some(opened),
            Err(Refused::Full(refused) | Refused::Waited(refused)) => refused.fail(CallError::Full),
            Err(Refused::Closed(refused)) => refused.fail(CallError::NoProcess),
        }
        None
    }

    fn down(&self, down: Down) {
        let _ = self.0.mailbox.push(Envelope::Down(Box::new(down)));
    }

    fn exit_signal(&self, signal: ExitSignal, via_link: bool) {
        let _ = self.0.mailbox.push(Envelope::Exit {
            signal: Box::new(signal),
            via_link,
        });
    }

    fn stop(&self, reason: ExitReason, done: Arc<ReplyLink<()>>) -> bool {
        self.0.stop(reason, done)
    }

    fn flush(&self, done: Arc<ReplyLink<()>>) -> bool {
        self.0.mailbox.push(Envelope::Flush(done)).is_ok()
    }

    fn is_supervisor(&self) -> bool {
        self.as_any()
            .is::<Entry<crate::supervisor::Supervisor<crate::runtime::Spawner>>>()
    }

    fn doom(&self, doom: Doom) {
        let reason = doom.reason.clone();
        if self.0.interrupt.doom(doom) {
            // Its callers learn at once, even while its task finishes a callback.
            self.0.calls.fail_all(&reason);
            let _ = self.0.mailbox.push(Envelope::Wake);
        }
    }

    fn clone_box(&self) -> Box<dyn Inbox> {
        Box::new(Entry(Arc::clone(&self.0)))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
