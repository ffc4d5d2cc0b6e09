//! The server thread: runs the callbacks and interprets their effects.

use std::collections::{BTreeMap, VecDeque};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use crate::message::AnyMessage;
use crate::reply::WeakReplyTo;
use crate::runtime::envelope::Envelope;
use crate::runtime::inbox::{Entry, ServerCell};
use crate::runtime::{Mailbox, PendingCall, ReplyLink, Runtime, Server};
use crate::sync::{Arc, spawn};
use crate::{
    CallError, CallResult, CallTag, Ctx, Effect, ExitReason, GenServer, ProcessId, ReplyTo,
    StartError, Timeout, TimerId,
};

#[cfg(not(loom))]
thread_local! {
    static CURRENT: std::cell::Cell<Option<ProcessId>> = const { std::cell::Cell::new(None) };
}

/// The server running on this thread, if any (used to refuse calls to oneself).
#[cfg(not(loom))]
pub(crate) fn current() -> Option<ProcessId> {
    CURRENT.with(|current| current.get())
}

/// Under loom, threads are not OS threads; self-calls through handles are not detected.
#[cfg(loom)]
pub(crate) fn current() -> Option<ProcessId> {
    None
}

#[cfg(not(loom))]
fn set_current(id: ProcessId) {
    CURRENT.with(|current| current.set(Some(id)));
}

#[cfg(loom)]
fn set_current(_: ProcessId) {}

type Started = Arc<ReplyLink<Result<(), StartError>>>;

/// Spawns the server thread, runs `init` there and waits for its verdict.
pub(crate) fn start<S: GenServer>(
    rt: Runtime,
    args: S::Args,
    name: Option<String>,
) -> Result<Server<S>, StartError> {
    let id = rt.next_id();
    let cell = Arc::new(ServerCell {
        id,
        mailbox: Mailbox::new(),
    });
    let started: Started = Arc::new(ReplyLink::new());
    let thread_name = match &name {
        Some(name) => format!("genserver {name}"),
        None => format!("genserver {id:?}"),
    };
    let (thread_cell, thread_started) = (Arc::clone(&cell), Arc::clone(&started));
    spawn(thread_name, move || {
        run::<S>(rt, thread_cell, args, name, thread_started)
    })
    .map_err(|error| StartError::Spawn(error.to_string()))?;
    match started.wait() {
        Ok(Ok(())) => Ok(Server::from_cell(cell, Timeout::DEFAULT)),
        Ok(Err(error)) => Err(error),
        Err(error) => Err(StartError::Init(ExitReason::error(error.to_string()))),
    }
}

fn run<S: GenServer>(
    rt: Runtime,
    cell: Arc<ServerCell<S>>,
    args: S::Args,
    name: Option<String>,
    started: Started,
) {
    set_current(cell.id);
    let mut ctx = Ctx::new(cell.id);
    let state = match catch_unwind(AssertUnwindSafe(|| S::init(args, &mut ctx))) {
        Ok(Ok(state)) => state,
        Ok(Err(reason)) => {
            cell.mailbox.close();
            started.complete(Ok(Err(StartError::Init(reason))));
            return;
        }
        Err(panic) => {
            cell.mailbox.close();
            let reason = ExitReason::Panic(format!("init: {}", panic_text(&panic)));
            started.complete(Ok(Err(StartError::Init(reason))));
            return;
        }
    };
    if let Err(error) = rt.register(Entry(Arc::clone(&cell)), name.as_deref()) {
        cell.mailbox.close();
        let mut state = state;
        let _ = catch_unwind(AssertUnwindSafe(|| {
            state.terminate(&ExitReason::error(error.to_string()))
        }));
        started.complete(Ok(Err(error)));
        return;
    }
    started.complete(Ok(Ok(())));
    let mut server = Running {
        rt,
        cell,
        name,
        state,
        ctx,
        batch: VecDeque::new(),
        timers: BTreeMap::new(),
        continues: VecDeque::new(),
        deferred: Vec::new(),
        prune_at: 64,
        stopping: None,
        final_reply: None,
        crashed_call: None,
        stop_waiters: Vec::new(),
        next_tag: 0,
    };
    let effects = server.ctx.take_effects();
    server.apply_caught("init", effects);
    let reason = server.serve();
    server.exit(reason);
}

/// A live server and everything its thread keeps between messages.
struct Running<S: GenServer> {
    rt: Runtime,
    cell: Arc<ServerCell<S>>,
    name: Option<String>,
    state: S,
    ctx: Ctx<S>,
    batch: VecDeque<Envelope<S>>,
    timers: BTreeMap<(Instant, TimerId), S::Info>,
    continues: VecDeque<S::Continue>,
    /// Calls answered "later": failed with the exit reason if still open at exit.
    deferred: Vec<WeakReplyTo<S::Reply>>,
    prune_at: usize,
    stopping: Option<ExitReason>,
    /// A reply given together with a stop: sent after `terminate`, as in OTP.
    final_reply: Option<(ReplyTo<S::Reply>, S::Reply)>,
    /// The call whose handling crashed or stopped the server: failed after `terminate`.
    crashed_call: Option<ReplyTo<S::Reply>>,
    stop_waiters: Vec<Arc<ReplyLink<()>>>,
    next_tag: u64,
}

impl<S: GenServer> Running<S> {
    /// Handles messages until a stop; returns the exit reason.
    fn serve(&mut self) -> ExitReason {
        loop {
            if let Some(reason) = self.stopping.take() {
                return reason;
            }
            if let Some(value) = self.continues.pop_front() {
                self.invoke("handle_continue", |s, ctx| s.handle_continue(value, ctx));
            } else if let Some(msg) = self.due_timer() {
                self.invoke("handle_info", |s, ctx| s.handle_info(msg, ctx));
            } else if let Some(envelope) = self.batch.pop_front() {
                self.handle(envelope);
            } else {
                let wait = self.until_next_timer();
                self.cell.mailbox.recv_into(&mut self.batch, wait);
            }
        }
    }

    fn handle(&mut self, envelope: Envelope<S>) {
        match envelope {
            Envelope::Call { request, from } => {
                let token = from.clone();
                match self.invoke("handle_call", |s, ctx| s.handle_call(request, from, ctx)) {
                    Some(CallResult::Reply(reply)) if self.stopping.is_some() => {
                        self.final_reply = Some((token, reply));
                    }
                    Some(CallResult::Reply(reply)) => {
                        token.reply(reply);
                    }
                    Some(CallResult::NoReply) => self.defer(&token),
                    // Failed with the exit reason once `terminate` has run, as in OTP.
                    None => self.crashed_call = Some(token),
                }
            }
            Envelope::Cast(msg) => {
                self.invoke("handle_cast", |s, ctx| s.handle_cast(msg, ctx));
            }
            Envelope::Info(msg) => {
                self.invoke("handle_info", |s, ctx| s.handle_info(msg, ctx));
            }
            Envelope::Inspect(inspect) => inspect(Ok(&self.state)),
            Envelope::Stop { reason, done } => {
                self.stopping.get_or_insert(reason);
                self.stop_waiters.push(done);
            }
        }
    }

    /// Runs one callback and applies its effects; `None` if it panicked (the server then stops).
    fn invoke<T>(
        &mut self,
        callback: &str,
        body: impl FnOnce(&mut S, &mut Ctx<S>) -> T,
    ) -> Option<T> {
        let (state, ctx) = (&mut self.state, &mut self.ctx);
        match catch_unwind(AssertUnwindSafe(|| body(state, ctx))) {
            Ok(value) => {
                if self.ctx.effects().is_empty() {
                    // The common case for casts: nothing to apply, nothing to catch.
                    return Some(value);
                }
                let effects = self.ctx.take_effects();
                // A panic in a nested callback (the outcome of a call this one made) crashes
                // this callback too: its reply is never sent.
                (self.apply_caught(callback, effects) && !self.crashed()).then_some(value)
            }
            Err(panic) => {
                drop(self.ctx.take_effects());
                let reason = ExitReason::Panic(format!("{callback}: {}", panic_text(&panic)));
                self.stopping = Some(reason);
                None
            }
        }
    }

    /// Applies effects; a panic on the way (a message of the wrong type for its receiver)
    /// stops the server like a panicking callback. Returns whether all went well.
    fn apply_caught(&mut self, callback: &str, effects: Vec<Effect<S>>) -> bool {
        match catch_unwind(AssertUnwindSafe(|| self.apply(effects))) {
            Ok(()) => true,
            Err(panic) => {
                let text = panic_text(&panic);
                let reason = ExitReason::Panic(format!("effects of {callback}: {text}"));
                self.stopping = Some(reason);
                false
            }
        }
    }

    /// Applies a callback's effects in the order it recorded them.
    fn apply(&mut self, effects: Vec<Effect<S>>) {
        for effect in effects {
            if self.crashed() {
                // Effects recorded after the point of a crash never happen.
                break;
            }
            match effect {
                Effect::Reply { send, .. } => {
                    send();
                }
                Effect::Cast { to, msg } => {
                    if let Some(inbox) = self.rt.inbox(to) {
                        inbox.cast_any(msg);
                    }
                }
                Effect::Info { to, msg } => {
                    if let Some(inbox) = self.rt.inbox(to) {
                        inbox.info_any(msg);
                    }
                }
                Effect::Call {
                    to,
                    request,
                    timeout,
                    on_outcome,
                } => {
                    let outcome = self.call_out(to, request, timeout);
                    self.invoke("handle_info", move |s, ctx| {
                        s.handle_info(on_outcome(outcome), ctx)
                    });
                }
                Effect::SetTimer { id, after, msg } => {
                    let deadline = Instant::now()
                        .checked_add(after)
                        .unwrap_or_else(|| Instant::now() + Duration::from_secs(u32::MAX as u64));
                    self.timers.insert((deadline, id), msg);
                }
                Effect::CancelTimer(id) => self.timers.retain(|(_, timer), _| *timer != id),
                Effect::Continue(value) => self.continues.push_back(value),
                Effect::Stop(reason) => {
                    self.stopping.get_or_insert(reason);
                }
                unsupported => {
                    let text = format!("{unsupported:?} is not supported by the runtime yet");
                    self.stopping.get_or_insert(ExitReason::Error(text));
                }
            }
        }
    }

    /// Whether a callback panicked: the server stops, and nothing it asked for afterwards
    /// is carried out.
    fn crashed(&self) -> bool {
        matches!(self.stopping, Some(ExitReason::Panic(_)))
    }

    /// A call this server makes: blocks, handling nothing else, until the outcome.
    fn call_out(
        &mut self,
        to: ProcessId,
        request: AnyMessage,
        timeout: Timeout,
    ) -> Result<AnyMessage, CallError> {
        if to == self.cell.id {
            return Err(CallError::CallingSelf);
        }
        let inbox = self.rt.inbox(to).ok_or(CallError::NoProcess)?;
        self.next_tag += 1;
        let link = Arc::new(ReplyLink::new());
        // A server that exited meanwhile fails the call through the link: one path for outcomes.
        inbox.call_any(
            self.cell.id,
            CallTag(self.next_tag),
            request,
            Arc::clone(&link),
        );
        PendingCall::new(link).wait_timeout(timeout)
    }

    fn defer(&mut self, token: &ReplyTo<S::Reply>) {
        self.deferred.push(token.downgrade());
        if self.deferred.len() >= self.prune_at {
            self.deferred.retain(|weak| weak.upgrade().is_some());
            self.prune_at = (self.deferred.len() * 2).max(64);
        }
    }

    fn due_timer(&mut self) -> Option<S::Info> {
        let (&(deadline, _), _) = self.timers.first_key_value()?;
        if deadline <= Instant::now() {
            self.timers.pop_first().map(|(_, msg)| msg)
        } else {
            None
        }
    }

    fn until_next_timer(&self) -> Option<Duration> {
        let (&(deadline, _), _) = self.timers.first_key_value()?;
        Some(deadline.saturating_duration_since(Instant::now()))
    }

    /// Runs `terminate`, leaves the registry and answers everything still waiting.
    fn exit(mut self, reason: ExitReason) {
        let state = &mut self.state;
        let _ = catch_unwind(AssertUnwindSafe(|| state.terminate(&reason)));
        self.rt.unregister(self.cell.id, self.name.as_deref());
        let leftovers = self.cell.mailbox.close();
        // Sent once the server is gone, so a caller's next call fails with "no such process".
        if let Some((token, reply)) = self.final_reply.take() {
            token.reply(reply);
        }
        if let Some(token) = self.crashed_call.take() {
            token.fail(CallError::Exited(reason.clone()));
        }
        for envelope in self.batch.drain(..).chain(leftovers) {
            envelope.refuse(&reason);
        }
        for weak in self.deferred.drain(..) {
            if let Some(token) = weak.upgrade() {
                token.fail(CallError::Exited(reason.clone()));
            }
        }
        for done in self.stop_waiters.drain(..) {
            done.complete(Ok(()));
        }
    }
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(text) = panic.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text.clone()
    } else {
        "non-string panic payload".to_owned()
    }
}
