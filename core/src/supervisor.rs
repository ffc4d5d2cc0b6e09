//! Supervisors: restart children when they exit, as OTP's `supervisor` does.
//!
//! A [`Supervisor`] is an ordinary [`GenServer`], written only with the core's effects: it
//! traps exits, starts its children in order linked to itself ([`Ctx::start`]), learns of
//! their exits as [`ExitSignal`]s, and restarts them by [`Strategy`] and [`Restart`] type
//! within its restart [`Intensity`]. Past that intensity it stops its children in reverse
//! start order and exits. Stopping a child follows its [`Shutdown`]: a `shutdown` exit signal,
//! then a kill if the child has not exited in time. Time is [`Ctx::now`], so in the simulator
//! intensity is measured in virtual time and every restart is traced and replayed.
//!
//! A supervisor is generic over the engine's spawner `E` (the runtime's
//! [`crate::runtime::Spawner`] or the simulator's); write a tree once as a function generic
//! over `E: Spawn` to run it on both. Each restart starts a fresh instance (a new process id)
//! under the child's registered name: a message for the dead instance never reaches the new
//! one.
//!
//! Stopping: ask with [`SupervisorCall::Stop`] (children stop in reverse order, then the
//! supervisor; the reply comes when all are down), or send the supervisor an exit signal
//! with any reason but `normal` (its own supervisor does). Unlike OTP, a supervisor does
//! not know its parent, so a `normal` exit signal from a process that is not its child is
//! ignored. A supervisor that exits any other way (a kill, a [`crate::Server::stop`]) takes
//! its children down through their links, in no set order.
//!
//! A child that cannot start at first makes the supervisor's own start fail (as in OTP), but
//! unlike OTP the start returns as soon as the children already started have been sent their
//! `shutdown` signals, not once they are down: for a moment they may still run and hold their
//! registered names (a parent restarting this supervisor at once may then find a name taken;
//! that failed restart counts against its intensity and is retried).

mod intensity;
mod plan;
mod spec;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;

use crate::{
    CallResult, Ctx, ExitReason, ExitSignal, GenServer, ProcessId, ReplyTo, Spawn, StartError,
    StartOptions, TimerId,
};
use intensity::RestartWindow;
use plan::plan;
pub use spec::{ChildSpec, Intensity, Restart, Shutdown, Strategy, SupervisorSpec};

/// Requests a supervisor answers.
#[derive(Debug, Clone)]
pub enum SupervisorCall {
    /// The children, in start order, with the process of each running instance.
    WhichChildren,
    /// Stop all children in reverse start order, then the supervisor (reason `shutdown`).
    Stop,
}

/// A supervisor's replies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SupervisorReply {
    /// The answer to [`SupervisorCall::WhichChildren`].
    Children(Vec<ChildInfo>),
    /// The answer to [`SupervisorCall::Stop`]: every child is down.
    Stopped,
}

/// One child as [`SupervisorCall::WhichChildren`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildInfo {
    /// The child's id in its spec.
    pub id: String,
    /// The running instance, if any.
    pub process: Option<ProcessId>,
}

/// The supervisor's own info messages (outcomes of its child starts, shutdown timers).
#[derive(Debug, Clone)]
pub struct SupervisorInfo(Info);

#[derive(Debug, Clone)]
enum Info {
    Started(usize, Result<ProcessId, StartError>),
    ShutdownTimeout(ProcessId),
}

/// A child's spec and its running instance.
#[derive(Debug)]
struct Child<E> {
    spec: ChildSpec<E>,
    process: Option<ProcessId>,
    /// A temporary child that exited is forgotten.
    gone: bool,
}

impl<E> Clone for Child<E> {
    fn clone(&self) -> Self {
        Child {
            spec: self.spec.clone(),
            process: self.process,
            gone: self.gone,
        }
    }
}

/// Children being stopped one at a time, and what comes after.
#[derive(Debug, Clone)]
struct StopJob {
    queue: VecDeque<usize>,
    /// The child told to stop and not yet down, with its kill timer.
    current: Option<(usize, Option<TimerId>)>,
    then: Then,
}

#[derive(Debug, Clone)]
enum Then {
    /// Start these children, in order.
    Start(Vec<usize>),
    /// Exit with this reason (answering the stop request, if any).
    Exit(ExitReason),
}

/// A supervisor of children started on engine `E` (see the [module docs](self)).
pub struct Supervisor<E: Spawn> {
    strategy: Strategy,
    intensity: Intensity,
    window: RestartWindow,
    children: Vec<Child<E>>,
    /// Children still to start, in order (at init and after a restart plan's stops).
    starting: VecDeque<usize>,
    /// The child whose start is under way (its outcome is the next thing handled).
    awaiting: Option<usize>,
    job: Option<StopJob>,
    /// Exits of children that arrived while a job ran, handled afterwards in order.
    later: VecDeque<(usize, ExitReason)>,
    stop_requests: Vec<ReplyTo<SupervisorReply>>,
    /// Still in the initial start: a child that fails to start stops the supervisor.
    initial: bool,
}

/// A copy for exhaustive search (the simulator's stateful search copies states): child
/// specs share their start recipes, and the calls it holds are copied by the engine.
impl<E: Spawn> Clone for Supervisor<E> {
    fn clone(&self) -> Self {
        Supervisor {
            strategy: self.strategy,
            intensity: self.intensity,
            window: self.window.clone(),
            children: self.children.clone(),
            starting: self.starting.clone(),
            awaiting: self.awaiting,
            job: self.job.clone(),
            later: self.later.clone(),
            stop_requests: self.stop_requests.clone(),
            initial: self.initial,
        }
    }
}

impl<E: Spawn> GenServer for Supervisor<E> {
    type Args = SupervisorSpec<E>;
    type Call = SupervisorCall;
    type Reply = SupervisorReply;
    type Cast = ();
    type Info = SupervisorInfo;
    type Continue = ();

    fn init(spec: SupervisorSpec<E>, ctx: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        let mut ids = std::collections::BTreeSet::new();
        if let Some(dup) = spec.children.iter().find(|c| !ids.insert(c.id.as_str())) {
            return Err(ExitReason::error(format!(
                "duplicate child id {:?}",
                dup.id
            )));
        }
        ctx.trap_exits(true);
        let mut supervisor = Supervisor {
            strategy: spec.strategy,
            intensity: spec.intensity,
            window: RestartWindow::default(),
            starting: (0..spec.children.len()).collect(),
            children: spec
                .children
                .into_iter()
                .map(|spec| Child {
                    spec,
                    process: None,
                    gone: false,
                })
                .collect(),
            awaiting: None,
            job: None,
            later: VecDeque::new(),
            stop_requests: Vec::new(),
            initial: true,
        };
        supervisor.start_next(ctx);
        Ok(supervisor)
    }

    fn handle_call(
        &mut self,
        request: SupervisorCall,
        from: ReplyTo<SupervisorReply>,
        ctx: &mut Ctx<Self>,
    ) -> CallResult<SupervisorReply> {
        match request {
            SupervisorCall::WhichChildren => {
                let children = self
                    .children
                    .iter()
                    .filter(|child| !child.gone)
                    .map(|child| ChildInfo {
                        id: child.spec.id.clone(),
                        process: child.process,
                    })
                    .collect();
                CallResult::Reply(SupervisorReply::Children(children))
            }
            SupervisorCall::Stop => {
                self.stop_requests.push(from);
                self.shut_down(ExitReason::Shutdown, ctx);
                CallResult::NoReply
            }
        }
    }

    fn handle_info(&mut self, SupervisorInfo(info): SupervisorInfo, ctx: &mut Ctx<Self>) {
        match info {
            Info::Started(index, Ok(process)) => {
                self.awaiting = None;
                self.children[index].process = Some(process);
                self.start_next(ctx);
            }
            Info::Started(index, Err(error)) => {
                self.awaiting = None;
                self.start_failed(index, error, ctx);
            }
            Info::ShutdownTimeout(process) => {
                let current = self.job.as_ref().and_then(|job| job.current);
                if let Some((index, _)) = current
                    && self.children[index].process == Some(process)
                {
                    ctx.kill(process);
                }
            }
        }
    }

    fn handle_exit(&mut self, signal: ExitSignal, ctx: &mut Ctx<Self>) {
        let Some(index) = self.child_of(signal.from) else {
            // Not a child: its parent (or anyone) asking it to exit.
            if signal.reason != ExitReason::Normal {
                self.shut_down(signal.reason, ctx);
            }
            return;
        };
        self.children[index].process = None;
        if let Some(job) = &mut self.job {
            if job.current.map(|(current, _)| current) == Some(index) {
                if let Some((_, Some(timer))) = job.current.take() {
                    ctx.cancel_timer(timer);
                }
                self.forget_if_temporary(index);
                self.advance(ctx);
            } else if job.queue.contains(&index) {
                // Down before its turn to be stopped: skipped then.
                self.forget_if_temporary(index);
            } else {
                self.later.push_back((index, signal.reason));
            }
            return;
        }
        self.child_exited(index, signal.reason, ctx);
    }
}

impl<E: Spawn> Supervisor<E> {
    fn child_of(&self, process: ProcessId) -> Option<usize> {
        self.children
            .iter()
            .position(|child| child.process == Some(process))
    }

    /// Starts the next child waiting to start (its outcome arrives as `Info::Started`); once
    /// all are started, handles the exits that waited.
    fn start_next(&mut self, ctx: &mut Ctx<Self>) {
        if self.awaiting.is_some() {
            return;
        }
        while let Some(index) = self.starting.pop_front() {
            let child = &self.children[index];
            if child.gone || child.process.is_some() {
                continue;
            }
            let options = StartOptions {
                name: child.spec.name.clone(),
                link_to: Some(ctx.me().id()),
                mailbox_limit: child.spec.mailbox_limit,
            };
            ctx.start(&child.spec.start, options, move |outcome| {
                SupervisorInfo(Info::Started(index, outcome))
            });
            self.awaiting = Some(index);
            return;
        }
        self.initial = false;
        while self.job.is_none() && self.awaiting.is_none() {
            let Some((index, reason)) = self.later.pop_front() else {
                break;
            };
            // A child restarted meanwhile (by its group's plan) is not restarted again.
            if self.children[index].process.is_none() {
                self.child_exited(index, reason, ctx);
            }
        }
    }

    fn start_failed(&mut self, index: usize, error: StartError, ctx: &mut Ctx<Self>) {
        let reason = ExitReason::error(format!(
            "child {:?} failed to start: {error}",
            self.children[index].spec.id
        ));
        if self.initial {
            // OTP: a supervisor whose children cannot all start does not start either.
            for child in self.children.iter().rev() {
                if let Some(process) = child.process {
                    ctx.exit(process, ExitReason::Shutdown);
                }
            }
            ctx.stop(reason);
        } else if self.window.allow(ctx.now(), self.intensity) {
            // A failed restart counts as a restart, and is tried again.
            self.starting.push_front(index);
            self.start_next(ctx);
        } else {
            self.starting.clear();
            self.shut_down(reason, ctx);
        }
    }

    fn forget_if_temporary(&mut self, index: usize) {
        if self.children[index].spec.restart == Restart::Temporary {
            self.children[index].gone = true;
        }
    }

    /// A child exited on its own: restart it (and its group) or let it be.
    fn child_exited(&mut self, index: usize, reason: ExitReason, ctx: &mut Ctx<Self>) {
        let restart = self.children[index].spec.restart;
        if !restart.restarts_after(&reason) {
            self.forget_if_temporary(index);
            return;
        }
        if !self.window.allow(ctx.now(), self.intensity) {
            self.shut_down(ExitReason::error("reached max restart intensity"), ctx);
            return;
        }
        let running: Vec<bool> = self.children.iter().map(|c| c.process.is_some()).collect();
        let exists: Vec<bool> = self.children.iter().map(|c| !c.gone).collect();
        let plan = plan(self.strategy, index, &running, &exists);
        self.run_job(plan.stop, Then::Start(plan.start), ctx);
    }

    /// Stops every running child in reverse start order, then exits with `reason`.
    fn shut_down(&mut self, reason: ExitReason, ctx: &mut Ctx<Self>) {
        self.starting.clear();
        self.later.clear();
        let running = (0..self.children.len())
            .rev()
            .filter(|&i| self.children[i].process.is_some());
        match &mut self.job {
            // A job is under way: stop the rest after it, and exit instead of restarting.
            Some(job) => {
                for index in running {
                    if !job.queue.contains(&index)
                        && job.current.map(|(current, _)| current) != Some(index)
                    {
                        job.queue.push_back(index);
                    }
                }
                if !matches!(job.then, Then::Exit(_)) {
                    job.then = Then::Exit(reason);
                }
            }
            None => {
                let stop = running.collect();
                self.run_job(stop, Then::Exit(reason), ctx);
            }
        }
    }

    fn run_job(&mut self, stop: Vec<usize>, then: Then, ctx: &mut Ctx<Self>) {
        self.job = Some(StopJob {
            queue: stop.into(),
            current: None,
            then,
        });
        self.advance(ctx);
    }

    /// Tells the next child of the job to stop, or finishes the job.
    fn advance(&mut self, ctx: &mut Ctx<Self>) {
        let job = self.job.as_mut().expect("a stop job runs");
        while let Some(index) = job.queue.pop_front() {
            let child = &self.children[index];
            let Some(process) = child.process else {
                continue;
            };
            let timer = match child.spec.shutdown {
                Shutdown::BrutalKill => {
                    ctx.kill(process);
                    None
                }
                Shutdown::Timeout(after) => {
                    ctx.exit(process, ExitReason::Shutdown);
                    let timeout = SupervisorInfo(Info::ShutdownTimeout(process));
                    Some(ctx.set_timer(after, timeout))
                }
                Shutdown::Infinity => {
                    ctx.exit(process, ExitReason::Shutdown);
                    None
                }
            };
            job.current = Some((index, timer));
            return;
        }
        let job = self.job.take().expect("a stop job runs");
        match job.then {
            Then::Start(order) => {
                self.starting = order.into();
                self.start_next(ctx);
            }
            Then::Exit(reason) => {
                for from in self.stop_requests.drain(..) {
                    ctx.reply(&from, SupervisorReply::Stopped);
                }
                ctx.stop(reason);
            }
        }
    }
}
