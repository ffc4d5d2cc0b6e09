//! The server thread: runs the callbacks; `apply.rs` interprets their effects and `exit.rs`
//! takes the server down.

use std::collections::{BTreeMap, VecDeque};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use crate::reply::WeakReplyTo;
use crate::runtime::envelope::Envelope;
use crate::runtime::inbox::{Entry, ServerCell};
use crate::runtime::{ReplyLink, Runtime, Server};
use crate::sync::{Arc, spawn};
use crate::{
    CallError, CallResult, Ctx, Effect, ExitReason, GenServer, MonitorRef, ProcessId, ReplyTo, StartError,
    StartOptions, Timeout, TimerId, panic_text,
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

/// Spawns the server thread, runs `init` there, carries out its effects, and waits for the
/// verdict.
pub(crate) fn start<S: GenServer>(
    rt: Runtime,
    args: S::Args,
    options: StartOptions,
) -> Result<Server<S>, StartError> {
    let id = rt.next_id();
    let cell = Arc::new(ServerCell::new(id));
    let started: Started = Arc::new(ReplyLink::new());
    let thread_name = match &options.name {
        Some(name) => format!("genserver {name}"),
        None => format!("genserver {id:?}"),
    };
    let (thread_cell, thread_started) = (Arc::clone(&cell), Arc::clone(&started));
    spawn(thread_name, move || {
        run::<S>(rt, thread_cell, args, options, thread_started)
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
    options: StartOptions,
    started: Started,
) {
    set_current(cell.id);
    let mut ctx = Ctx::new(cell.id);
    ctx.set_epoch(rt.epoch());
    let state = match catch_unwind(AssertUnwindSafe(|| S::init(args, &mut ctx))) {
        Ok(Ok(state)) => state,
        Ok(Err(reason)) => {
            cell.mailbox.close();
            started.complete(Ok(Err(StartError::Init(reason))));
            return;
        }
        Err(panic) => {
            cell.mailbox.close();
            let reason = ExitReason::Panic(format!("init: {}", panic_text(&*panic)));
            started.complete(Ok(Err(StartError::Init(reason))));
            return;
        }
    };
    // Trapping asked for by `init` is in force from the moment others can reach the server
    // (as OTP's `process_flag` in `init`), not only once `init`'s effects are carried out.
    let trap = ctx.effects().iter().rev().find_map(|effect| match effect {
        Effect::TrapExits(on) => Some(*on),
        _ => None,
    });
    let entry = Box::new(Entry(Arc::clone(&cell)));
    let registered = rt.table().register(cell.id, entry, &options, trap);
    if let Err(error) = registered {
        cell.mailbox.close();
        let mut state = state;
        let _ = catch_unwind(AssertUnwindSafe(|| {
            state.terminate(&ExitReason::error(error.to_string()))
        }));
        started.complete(Ok(Err(error)));
        return;
    }
    let mut server = Running {
        rt,
        cell,
        state,
        ctx,
        batch: VecDeque::new(),
        timers: BTreeMap::new(),
        continues: VecDeque::new(),
        deferred: Vec::new(),
        prune_at: 64,
        stopping: None,
        interrupted: false,
        killed: false,
        final_reply: None,
        crashed_call: None,
        stop_waiters: Vec::new(),
        monitors: BTreeMap::new(),
        next_tag: 0,
    };
    // `init`'s effects (child starts included) are carried out before the start returns.
    let effects = server.ctx.take_effects();
    server.apply_caught("init", effects);
    server.check_doom();
    if server.stopping.is_none() && !server.rt.table().finish_start(server.cell.id) {
        // Killed after the check above: the kill has doomed it already.
        server.check_doom();
    }
    if let Some(reason) = server.stopping.take() {
        // A start that fails leaves no link behind: the starter learns from the error alone.
        if let Some(starter) = options.link_to {
            server.rt.table().unlink(server.cell.id, starter);
        }
        // Answered once the server is gone, as a crashed call is.
        server.exit(reason.clone());
        started.complete(Ok(Err(StartError::Init(reason))));
        return;
    }
    started.complete(Ok(Ok(())));
    let reason = server.serve();
    server.exit(reason);
}

/// A live server and everything its thread keeps between messages.
pub(super) struct Running<S: GenServer> {
    pub(super) rt: Runtime,
    pub(super) cell: Arc<ServerCell<S>>,
    pub(super) state: S,
    pub(super) ctx: Ctx<S>,
    pub(super) batch: VecDeque<Envelope<S>>,
    pub(super) timers: BTreeMap<(Instant, TimerId), S::Info>,
    pub(super) continues: VecDeque<S::Continue>,
    /// Calls answered "later": failed with the exit reason if still open at exit.
    pub(super) deferred: Vec<WeakReplyTo<S::Reply>>,
    pub(super) prune_at: usize,
    pub(super) stopping: Option<ExitReason>,
    /// A kill or an untrapped exit signal was seen: nothing more is carried out.
    pub(super) interrupted: bool,
    /// Killed: `terminate` does not run, and the killer has already notified monitors/links.
    pub(super) killed: bool,
    /// A reply given together with a stop: sent after `terminate`, as in OTP.
    pub(super) final_reply: Option<(ReplyTo<S::Reply>, S::Reply)>,
    /// The call whose handling crashed or stopped the server: failed after `terminate`.
    pub(super) crashed_call: Option<ReplyTo<S::Reply>>,
    pub(super) stop_waiters: Vec<Arc<ReplyLink<()>>>,
    /// This server's monitors still in force, with their targets.
    pub(super) monitors: BTreeMap<MonitorRef, ProcessId>,
    pub(super) next_tag: u64,
}

impl<S: GenServer> Running<S> {
    /// Handles messages until a stop; returns the exit reason.
    fn serve(&mut self) -> ExitReason {
        loop {
            self.check_doom();
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
            Envelope::Down(down) => {
                // A `Down` of a monitor removed meanwhile is dropped (rule 4 of `crate::rules`).
                if self.monitors.remove(&down.monitor).is_some() {
                    self.invoke("handle_down", |s, ctx| s.handle_down(down, ctx));
                }
            }
            Envelope::Exit { signal, via_link } => {
                // A link's signal that arrives after an unlink is dropped (rule 4 of `crate::rules`).
                if !via_link || self.rt.table().take_link(self.cell.id, signal.from) {
                    self.invoke("handle_exit", |s, ctx| s.handle_exit(signal, ctx));
                }
            }
            Envelope::Misfit { reason, call } => {
                // The caller learns at once; the server stops as if the callback panicked.
                if let Some(token) = call {
                    token.fail(CallError::Exited(reason.clone()));
                }
                self.stopping = Some(reason);
            }
            Envelope::Wake => {}
        }
    }

    /// Runs one callback and applies its effects; `None` if it panicked or the server was
    /// killed or doomed meanwhile (the server then stops).
    pub(super) fn invoke<T>(
        &mut self,
        callback: &str,
        body: impl FnOnce(&mut S, &mut Ctx<S>) -> T,
    ) -> Option<T> {
        let (state, ctx) = (&mut self.state, &mut self.ctx);
        match catch_unwind(AssertUnwindSafe(|| body(state, ctx))) {
            Ok(value) => {
                if self.check_doom() {
                    // Doomed while the callback ran: nothing it asked for is carried out,
                    // not even its reply.
                    drop(self.ctx.take_effects());
                    return None;
                }
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
                let reason = ExitReason::Panic(format!("{callback}: {}", panic_text(&*panic)));
                self.stopping = Some(reason);
                None
            }
        }
    }

    /// Looks at the doom flag; once doomed, the server stops with the doom's reason and
    /// carries out nothing more. Returns whether it is doomed.
    pub(super) fn check_doom(&mut self) -> bool {
        if self.interrupted {
            return true;
        }
        let Some(doom) = self.cell.interrupt.doomed() else {
            return false;
        };
        self.interrupted = true;
        self.killed = doom.kill;
        self.stopping = Some(doom.reason);
        true
    }

    /// Whether a callback panicked or the server was doomed: the server stops, and nothing
    /// asked for afterwards is carried out.
    pub(super) fn crashed(&self) -> bool {
        self.interrupted || matches!(self.stopping, Some(ExitReason::Panic(_)))
    }

    fn defer(&mut self, token: &ReplyTo<S::Reply>) {
        self.deferred.push(token.downgrade());
        if self.deferred.len() >= self.prune_at {
            self.deferred.retain(|weak| weak.upgrade().is_some());
            self.prune_at = (self.deferred.len() * 2).max(64);
        }
    }
}
