//! The server thread: feeds the core's process machine its messages; `apply.rs` carries out
//! what it asks for and `exit.rs` takes the server down.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Instant;

use crate::kernel::Arrival;
use crate::process::{Process, Settle};
use crate::runtime::envelope::{Envelope, OnExit};
use crate::runtime::inbox::{Entry, ServerCell};
use crate::runtime::{ReplyLink, Runtime, Server};
use crate::sync::{Arc, spawn};
use crate::{
    CallError, Ctx, ExitReason, GenServer, MonitorRef, ProcessId, StartError, StartOptions,
    Timeout, TimerId,
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

/// A name held for a start from before its `init` until it is registered or the start
/// failed (released when dropped, on every path).
struct Reservation {
    rt: Runtime,
    name: String,
}

impl Reservation {
    fn new(rt: &Runtime, name: &str) -> Result<Self, StartError> {
        rt.table().reserve(name)?;
        let (rt, name) = (rt.clone(), name.to_owned());
        Ok(Reservation { rt, name })
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.rt.table().release(&self.name);
    }
}

/// Spawns the server thread, runs `init` there, carries out its effects, and waits for the
/// verdict.
pub(crate) fn start<S: GenServer>(
    rt: Runtime,
    args: S::Args,
    options: StartOptions,
) -> Result<Server<S>, StartError> {
    // Held from here until the server is registered or its start failed.
    let reservation = match &options.name {
        Some(name) => Some(Reservation::new(&rt, name)?),
        None => None,
    };
    let id = rt.next_id();
    let cell = Arc::new(ServerCell::new(id));
    let started: Started = Arc::new(ReplyLink::new());
    let thread_name = match &options.name {
        Some(name) => format!("genserver {name}"),
        None => format!("genserver {id:?}"),
    };
    let (thread_cell, thread_started) = (Arc::clone(&cell), Arc::clone(&started));
    let thread_rt = rt.clone();
    spawn(thread_name, move || {
        run::<S>(
            thread_rt,
            thread_cell,
            args,
            options,
            thread_started,
            reservation,
        )
    })
    .map_err(|error| StartError::Spawn(error.to_string()))?;
    match started.wait() {
        Ok(Ok(())) => Ok(Server::from_cell(rt, cell, Timeout::DEFAULT)),
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
    reservation: Option<Reservation>,
) {
    set_current(cell.id);
    let mut ctx = Ctx::new(cell.id);
    ctx.set_epoch(rt.epoch());
    let process = match Process::<S>::init(args, ctx) {
        Ok(process) => process,
        Err(reason) => {
            cell.mailbox.close();
            started.complete(Ok(Err(StartError::Init(reason))));
            return;
        }
    };
    // Trapping asked for by `init` is in force from the moment others can reach the server
    // (as OTP's `process_flag` in `init`), not only once `init`'s effects are carried out.
    let trap = process.trap_asked();
    let entry = Box::new(Entry(Arc::clone(&cell)));
    let registered = rt.table().register(cell.id, entry, &options, trap);
    drop(reservation);
    if let Err(error) = registered {
        cell.mailbox.close();
        let reason = ExitReason::error(error.to_string());
        process
            .exit(&reason, true)
            .into_iter()
            .for_each(Settle::deliver);
        started.complete(Ok(Err(error)));
        return;
    }
    let mut server = Running {
        rt,
        cell,
        process,
        batch: VecDeque::new(),
        timers: BTreeSet::new(),
        interrupted: false,
        killed: false,
        stop_waiters: Vec::new(),
        at_exit: Vec::new(),
        monitors: BTreeMap::new(),
        next_tag: 0,
    };
    // `init`'s effects (child starts included) are carried out before the start returns.
    let mut stop = server.drive();
    if stop.is_none() && !server.rt.table().finish_start(server.cell.id) {
        // Killed during its start: the kill has doomed it already.
        server.check_doom();
        stop = server.drive();
    }
    if let Some(reason) = stop {
        // Its exit leaves no link behind (the kernel gives a starter still starting no
        // signal): the starter learns from the error alone. Answered once the server is
        // gone, as a crashed call is.
        server.exit(reason.clone());
        started.complete(Ok(Err(StartError::Init(reason))));
        return;
    }
    started.complete(Ok(Ok(())));
    let reason = server.serve();
    server.exit(reason);
}

/// A live server: the core's process machine, and what its thread keeps around it.
pub(super) struct Running<S: GenServer> {
    pub(super) rt: Runtime,
    pub(super) cell: Arc<ServerCell<S>>,
    pub(super) process: Process<S>,
    pub(super) batch: VecDeque<Envelope<S>>,
    /// Deadlines of the timers set (the machine keeps their messages).
    pub(super) timers: BTreeSet<(Instant, TimerId)>,
    /// A kill or an untrapped exit signal was seen: nothing more is carried out.
    pub(super) interrupted: bool,
    /// Killed: `terminate` does not run, and the killer has already notified monitors/links.
    pub(super) killed: bool,
    pub(super) stop_waiters: Vec<Arc<ReplyLink<()>>>,
    /// Functions to run at its exit ([`Server::on_terminate`]).
    pub(super) at_exit: Vec<OnExit>,
    /// This server's monitors still in force, with their targets.
    pub(super) monitors: BTreeMap<MonitorRef, ProcessId>,
    pub(super) next_tag: u64,
}

impl<S: GenServer> Running<S> {
    /// Handles messages until a stop; returns the exit reason.
    fn serve(&mut self) -> ExitReason {
        loop {
            let stop = if self.check_doom() || self.process.run_continue() {
                self.drive()
            } else if let Some(timer) = self.due_timer() {
                // Behind what has arrived by now: a timer rescheduled at once cannot starve
                // the mailbox.
                self.cell.mailbox.drain_into(&mut self.batch);
                self.batch.push_back(Envelope::Timer(timer));
                None
            } else if let Some(envelope) = self.batch.pop_front() {
                self.handle(envelope)
            } else {
                let wait = self.until_next_timer();
                self.cell.mailbox.recv_into(&mut self.batch, wait);
                None
            };
            if let Some(reason) = stop {
                return reason;
            }
        }
    }

    /// Hands one message to the machine and carries out what it asked for; `Some` reason
    /// if the server stops.
    fn handle(&mut self, envelope: Envelope<S>) -> Option<ExitReason> {
        match envelope {
            Envelope::Call { request, from } => self.process.call(request, from),
            Envelope::Cast(msg) => self.process.cast(msg),
            Envelope::Info(msg) => self.process.info(msg),
            Envelope::Inspect(inspect) => {
                inspect(Ok(self.process.state_mut()));
                return None;
            }
            Envelope::OnExit(at_exit) => {
                self.at_exit.push(at_exit);
                return None;
            }
            Envelope::Stop { reason, done } => {
                self.process.stop(reason);
                self.stop_waiters.push(done);
            }
            Envelope::Down(down) => {
                // A `Down` of a monitor removed meanwhile is dropped (rule 4 of `crate::rules`).
                self.monitors.remove(&down.monitor)?;
                self.process.down(down);
            }
            Envelope::Exit { signal, via_link } => {
                // Rule 2 with the trap flag of now (the server may have stopped trapping
                // since); a link's signal that arrives after an unlink is dropped (rule 4).
                match self.rt.table().receive(self.cell.id, &signal, via_link) {
                    Arrival::Trap => self.process.exit_signal(signal),
                    Arrival::Exit(reason) => self.process.halt(reason),
                    Arrival::Void | Arrival::Ignore | Arrival::Kill => return None,
                }
            }
            Envelope::Misfit { reason, call } => {
                // The caller learns at once; the server stops as if the callback panicked.
                if let Some(token) = call {
                    token.fail(CallError::Exited(reason.clone()));
                }
                self.process.halt(reason);
            }
            Envelope::Timer(timer) => {
                self.process.fire(timer);
            }
            Envelope::Wake => {}
        }
        self.drive()
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
        self.process.halt(doom.reason);
        true
    }
}
