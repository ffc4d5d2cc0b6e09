//! The server's task: feeds the core's process machine its messages; `apply.rs` carries out
//! what it asks for and `exit.rs` takes the server down.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Instant;

use crate::kernel::Arrival;
use crate::process::Process;
use crate::runtime::ReplyLink;
use crate::runtime::Runtime;
use crate::runtime::envelope::{Envelope, OnExit};
use crate::runtime::inbox::ServerCell;
use crate::sync::{Arc, within, yield_now};
use crate::{CallError, ExitReason, GenServer, MonitorRef, ProcessId, TimerId};

/// Messages a server handles in a row before it lets its worker run other tasks.
const BUDGET: u32 = 64;

/// A live server: the core's process machine, and what its task keeps around it.
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
    pub(super) async fn serve(&mut self) -> ExitReason {
        let mut budget = BUDGET;
        loop {
            let stop = if self.check_doom() || self.process.run_continue() {
                self.drive().await
            } else if let Some(timer) = self.due_timer() {
                // Behind what has arrived by now: a timer rescheduled at once cannot starve
                // the mailbox.
                self.cell.mailbox.drain_into(&mut self.batch);
                self.batch.push_back(Envelope::Timer(timer));
                None
            } else if let Some(envelope) = self.batch.pop_front() {
                budget -= 1;
                if budget == 0 {
                    budget = BUDGET;
                    yield_now().await;
                }
                self.handle(envelope).await
            } else {
                self.idle().await;
                None
            };
            if let Some(reason) = stop {
                return reason;
            }
        }
    }

    /// Waits for messages, or until the next timer is due. An idle server keeps no buffer.
    async fn idle(&mut self) {
        self.batch = VecDeque::new();
        self.process.trim();
        self.cell.calls.trim();
        let (mailbox, batch) = (&self.cell.mailbox, &mut self.batch);
        within(
            self.timers.first().map(|(at, _)| *at),
            mailbox.recv_into(batch),
        )
        .await;
    }

    /// Hands one message to the machine and carries out what it asked for; `Some` reason
    /// if the server stops.
    async fn handle(&mut self, envelope: Envelope<S>) -> Option<ExitReason> {
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
        self.drive().await
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
