//! Starting a server: its task runs `init`, registers it, carries out `init`'s effects, then
//! serves (`server_loop.rs`); the starter waits for the verdict, blocking or awaiting.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::process::{Process, Settle};
use crate::runtime::chatter::Chatter;
use crate::runtime::current::AsServer;
use crate::runtime::inbox::{Entry, ServerCell};
use crate::runtime::server_loop::Running;
use crate::runtime::{PendingCall, ReplyLink, Runtime, Server};
use crate::sync::Arc;
use crate::{Ctx, ExitReason, GenServer, ServerError, StartError, StartOptions, Timeout};

/// The start's verdict, delivered once. Dropped undelivered (the executor dropped the task
/// without running it: it was shut down), it says so, so no starter waits for ever.
struct Started(Arc<ReplyLink<Result<(), StartError>>>);

impl Started {
    fn deliver(&self, verdict: Result<(), StartError>) {
        self.0.complete(Ok(verdict));
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        let gone = "its executor dropped it (shut down?)";
        self.deliver(Err(StartError::Spawn(gone.to_owned())));
    }
}

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

/// A server whose task is running `init`: the verdict to wait for.
pub(crate) struct Launched<S: GenServer> {
    rt: Runtime,
    cell: Arc<ServerCell<S>>,
    verdict: PendingCall<Result<(), StartError>>,
}

impl<S: GenServer> Launched<S> {
    /// Spawns the server's task; `init` runs there.
    pub(crate) fn new(
        rt: &Runtime,
        args: S::Args,
        options: StartOptions,
    ) -> Result<Self, StartError> {
        // Held from here until the server is registered or its start failed.
        let reservation = match &options.name {
            Some(name) => Some(Reservation::new(rt, name)?),
            None => None,
        };
        let name = options.name.as_deref().map(std::sync::Arc::from);
        let cell = Arc::new(ServerCell::new(rt.next_id(), name, options.mailbox_limit));
        let link = Arc::new(ReplyLink::new());
        let started = Started(Arc::clone(&link));
        let task = run::<S>(
            rt.clone(),
            Arc::clone(&cell),
            args,
            options,
            started,
            reservation,
        );
        rt.executor().spawn(AsServer::new(cell.id, task));
        let (rt, verdict) = (rt.clone(), PendingCall::new(link, cell.id, None));
        Ok(Launched { rt, cell, verdict })
    }

    /// Blocks until the start's verdict.
    pub(crate) fn wait(self) -> Result<Server<S>, StartError> {
        let outcome = self.verdict.wait();
        Self::judge(self.rt, self.cell, outcome)
    }

    /// Awaits the start's verdict.
    pub(crate) async fn verdict(self) -> Result<Server<S>, StartError> {
        let outcome = self.verdict.await;
        Self::judge(self.rt, self.cell, outcome)
    }

    fn judge(
        rt: Runtime,
        cell: Arc<ServerCell<S>>,
        outcome: Result<Result<(), StartError>, ServerError>,
    ) -> Result<Server<S>, StartError> {
        match outcome {
            Ok(Ok(())) => Ok(Server::from_cell(rt, cell, Timeout::DEFAULT)),
            Ok(Err(error)) => Err(error),
            Err(error) => Err(StartError::Init(ExitReason::error(error.error.to_string()))),
        }
    }
}

/// The server's whole life, as its task.
async fn run<S: GenServer>(
    rt: Runtime,
    cell: Arc<ServerCell<S>>,
    args: S::Args,
    options: StartOptions,
    started: Started,
    reservation: Option<Reservation>,
) {
    // Not an `async` step: what it holds is not kept in the task while the server lives.
    let Some(mut server) = begin(rt, cell, args, &options, &started, reservation) else {
        return;
    };
    drop(options);
    // `init`'s effects (child starts included) are carried out before the start returns.
    let mut stop = server.drive().await;
    if stop.is_none() && !server.rt.table().finish_start(server.cell.id) {
        // Killed during its start: the kill has doomed it already.
        server.check_doom();
        stop = server.drive().await;
    }
    if let Some(reason) = stop {
        // Its exit leaves no link behind (the kernel gives a starter still starting no
        // signal): the starter learns from the error alone. Answered once the server is
        // gone, as a crashed call is.
        server.exit(reason.clone());
        started.deliver(Err(StartError::Init(reason)));
        return;
    }
    started.deliver(Ok(()));
    drop(started);
    let reason = server.serve().await;
    server.exit(reason);
}

/// Runs `init` and registers the server; `None` (the starter told why) if either failed.
fn begin<S: GenServer>(
    rt: Runtime,
    cell: Arc<ServerCell<S>>,
    args: S::Args,
    options: &StartOptions,
    started: &Started,
    reservation: Option<Reservation>,
) -> Option<Box<Running<S>>> {
    let id = cell.id;
    let mut ctx = Ctx::new(id);
    ctx.set_epoch(rt.epoch());
    let process = match Process::<S>::init(args, ctx) {
        Ok(process) => process,
        Err(reason) => {
            cell.mailbox.close();
            started.deliver(Err(StartError::Init(reason)));
            return None;
        }
    };
    // Trapping asked for by `init` is in force from the moment others can reach the server
    // (as OTP's `process_flag` in `init`), not only once `init`'s effects are carried out.
    let trap = process.trap_asked();
    let entry = Box::new(Entry(Arc::clone(&cell)));
    let registered = rt.table().register(cell.id, entry, options, trap);
    drop(reservation);
    if let Err(error) = registered {
        cell.mailbox.close();
        let reason = ExitReason::error(error.to_string());
        process
            .exit(&reason, true)
            .into_iter()
            .for_each(Settle::deliver);
        started.deliver(Err(error));
        return None;
    }
    let tape =
        (rt.recorder()).map(|recorder| Box::new(recorder.tape(id, options.name.clone(), false)));
    Some(Box::new(Running {
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
        chatter: Chatter::default(),
        tape,
    }))
}
