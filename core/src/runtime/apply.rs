//! Carrying out what the process machine asks for, in the order its callbacks recorded it:
//! commands go to the registry and to other servers' inboxes, replies to their callers; a
//! call of its own suspends the server's task, a child start blocks it (the worker hands its
//! other tasks over meanwhile).

use std::future::poll_fn;
use std::time::{Duration, Instant};

use crate::guard::guarded;
use crate::message::AnyMessage;
use smallvec::SmallVec;

use crate::process::{Action, Command, Status};
use crate::runtime::pending::deadline;
use crate::runtime::record::Input;
use crate::runtime::server_loop::Running;
use crate::runtime::{ReplyLink, Spawner};
use crate::spawn::ErasedStart;
use crate::sync::{Arc, blocking, within};
use crate::{
    CallError, CallTag, ExitReason, GenServer, ProcessId, StartError, StartOptions, Timeout,
    TimerId,
};

impl<S: GenServer> Running<S> {
    /// Carries out the machine's work after an input until the server is idle or stops;
    /// returns the reason if it stops. A doom seen on the way (a kill, an untrapped exit
    /// signal) stops it before the next action: nothing after it is carried out, not even
    /// a reply.
    pub(super) async fn drive(&mut self) -> Option<ExitReason> {
        self.check_doom();
        loop {
            let halted = self.interrupted;
            let status = self.pump_and_carry_out();
            if !halted && self.check_doom() {
                // Halted now: the next pump says so, with the doom's reason.
                continue;
            }
            match status {
                Status::Idle => return None,
                Status::Exit(reason) => return Some(reason),
                Status::Call {
                    to,
                    request,
                    timeout,
                } => {
                    // Boxed: the wait's timer is large, and an idle server's task should not
                    // carry room for it.
                    let outcome = Box::pin(self.call_out(to, request, timeout)).await;
                    if !self.check_doom() {
                        self.process.outcome(outcome);
                    }
                }
                Status::Start { start, options } => {
                    let outcome = self.start_child(start, options);
                    if !self.check_doom() {
                        self.process.started(outcome);
                    }
                }
            }
        }
    }

    /// Pumps the machine and carries out the actions of the pump, in order, until a doom
    /// (what is left is abandoned). The actions stay on the stack: most inputs ask for one
    /// or two (a reply, a send), and a call should not cost an allocation.
    fn pump_and_carry_out(&mut self) -> Status {
        let mut actions = SmallVec::<[Action<S>; 2]>::new();
        let status = self.process.pump_into(&mut actions);
        self.carry_out_all(actions);
        status
    }

    /// Carries out `actions` in order until a doom; what is left is abandoned.
    pub(super) fn carry_out_all(&mut self, actions: impl IntoIterator<Item = Action<S>>) {
        let mut actions = actions.into_iter();
        while let Some(action) = actions.next() {
            if self.check_doom() {
                self.process.abandon(std::iter::once(action).chain(actions));
                return;
            }
            self.carry_out(action);
        }
    }

    /// One action of the machine.
    fn carry_out(&mut self, action: Action<S>) {
        let command = match action {
            Action::Settle(settle) => return settle.deliver(),
            Action::Command(command) => command,
        };
        let me = self.cell.id;
        match command {
            Command::Cast { to, msg } => {
                if let Some(inbox) = self.rt.inbox(to) {
                    inbox.cast_any(me, msg);
                }
            }
            Command::Info { to, msg } => {
                if let Some(inbox) = self.rt.inbox(to) {
                    inbox.info_any(me, msg);
                }
            }
            Command::SetTimer { id, after } => {
                let deadline = Instant::now()
                    .checked_add(after)
                    .unwrap_or_else(|| Instant::now() + Duration::from_secs(u32::MAX as u64));
                self.timers.insert((deadline, id));
            }
            Command::CancelTimer(id) => self.timers.retain(|(_, timer)| *timer != id),
            Command::Monitor { monitor, target } => {
                self.monitors.insert(monitor, target);
                self.rt.table().monitor(me, monitor, target);
            }
            Command::Demonitor(monitor) => {
                if self.monitors.remove(&monitor).is_some() {
                    self.rt.table().demonitor(me, monitor);
                }
            }
            Command::Link(to) => self.rt.table().link(me, to),
            Command::Unlink(to) => self.rt.table().unlink(me, to),
            Command::TrapExits(on) => self.rt.table().set_trap(me, on),
            Command::Exit { to, reason } => self.rt.table().exit_signal(to, me, reason),
            Command::Kill(to) => self.rt.table().kill(to),
        }
    }

    /// Starts a child with this runtime's spawner; a panicking recipe (its argument
    /// closure) fails the start, not the starter, as in the simulator.
    fn start_child(
        &mut self,
        start: ErasedStart,
        options: StartOptions,
    ) -> Result<ProcessId, StartError> {
        let mut spawner = Spawner::new(&self.rt);
        blocking(|| guarded(|| start(&mut spawner, options))).unwrap_or_else(|panic| {
            let text = format!("start: {panic}");
            Err(StartError::Init(ExitReason::Panic(text)))
        })
    }

    /// A call this server makes: waits, handling nothing else, until the outcome, or until
    /// a kill or an untrapped exit signal interrupts it (the caller then checks its doom).
    async fn call_out(
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
        if !self.cell.interrupt.enter_call(&link) {
            return Err(CallError::Exited(ExitReason::Killed));
        }
        // A server that exited meanwhile fails the call through the link: one path for outcomes.
        let opened = inbox.call_any(
            self.cell.id,
            CallTag(self.next_tag),
            request,
            Arc::clone(&link),
        );
        let reply = within(deadline(timeout), poll_fn(|cx| link.poll_outcome(cx))).await;
        let outcome = reply.unwrap_or_else(|| link.time_out());
        let queued = opened.is_some();
        drop(opened);
        // A recording numbers the calls that were sent (as the simulator does).
        if let (Some(tape), true) = (&mut self.tape, queued) {
            let call = tape.next_call();
            tape.stamp();
            tape.take(match outcome {
                Err(CallError::Timeout) => Input::Timeout { to, call },
                _ => Input::Reply { from: to, call },
            });
        }
        self.cell.interrupt.leave_call();
        outcome
    }

    /// The first timer that is due, taken off.
    pub(super) fn due_timer(&mut self) -> Option<TimerId> {
        let &(deadline, _) = self.timers.first()?;
        match deadline <= Instant::now() {
            true => self.timers.pop_first().map(|(_, id)| id),
            false => None,
        }
    }
}
