//! The server's task: feeds the core's process machine its messages; `apply.rs` carries out
//! what it asks for and `exit.rs` takes the server down.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Instant;

use crate::kernel::Arrival;
use crate::process::{Action, Process, Settle};
use crate::runtime::ReplyLink;
use crate::runtime::Runtime;
use crate::runtime::chatter::Chatter;
use crate::runtime::envelope::{Envelope, Misfit, OnExit};
use crate::runtime::inbox::ServerCell;
use crate::runtime::record::{Input, Tape};
#[cfg(not(loom))]
use crate::sync::spin_until_past;
use crate::sync::{Arc, within, yield_now};
use crate::{CallError, ExitReason, GenServer, MonitorRef, ProcessId, TimerId};

/// Messages a server handles in a row before it lets its worker run other tasks.
const BUDGET: u32 = 1024;

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
    /// Whether its messages come in quick succession.
    pub(super) chatter: Chatter,
    /// Where it notes what it takes, when the runtime records ([`crate::runtime::record`]).
    pub(super) tape: Option<Box<Tape>>,
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
            } else if !self.batch.is_empty() {
                if self.take_some(&mut budget) {
                    self.drive().await
                } else {
                    if budget == 0 {
                        budget = BUDGET;
                        yield_now().await;
                    }
                    None
                }
            } else {
                self.idle().await;
                None
            };
            if let Some(reason) = stop {
                return reason;
            }
        }
    }

    /// Waits for messages, or until the next timer is due. A server that sleeps keeps no
    /// buffer.
    async fn idle(&mut self) {
        #[cfg(not(loom))]
        if self.look_again() {
            return;
        }
        self.batch = VecDeque::new();
        if let Some(tape) = &mut self.tape {
            tape.publish();
        }
        self.process.trim();
        self.cell.calls.trim();
        let since = Instant::now();
        let (mailbox, batch) = (&self.cell.mailbox, &mut self.batch);
        match self.timers.first() {
            None => mailbox.recv_into(batch).await,
            // Boxed: the timer is large, and most idle servers wait without one.
            Some(&(at, _)) => drop(Box::pin(within(Some(at), mailbox.recv_into(batch))).await),
        }
        self.chatter.woke(since);
        if let Some(tape) = &mut self.tape {
            tape.stamp();
        }
    }

    /// A chatty server looks at its mailbox again for a short while before it sleeps
    /// (spinning, as a channel's receiver does); whether it found a message.
    #[cfg(not(loom))]
    fn look_again(&mut self) -> bool {
        let Some(until) = self.chatter.look_until(Instant::now()) else {
            return false;
        };
        // Up to its next timer, if that comes first: then without yielding its CPU, which
        // on a busy machine could make the timer late by a time slice.
        let (until, yielding) = match self.timers.first() {
            Some(&(at, _)) if at < until => (at, false),
            _ => (until, true),
        };
        let mailbox = &self.cell.mailbox;
        if spin_until_past(|| !mailbox.is_empty(), until, yielding) {
            // Still chatty.
            mailbox.drain_into(&mut self.batch);
            if let Some(tape) = &mut self.tape {
                tape.stamp();
            }
            true
        } else {
            self.chatter.missed();
            false
        }
    }

    /// Hands the batch's messages to the machine one by one, in a plain loop (most casts ask
    /// for nothing), until one leaves work to carry out (then `true`), the batch or `budget`
    /// runs out, or a timer is set (the caller looks whether it is due between messages).
    fn take_some(&mut self, budget: &mut u32) -> bool {
        while *budget > 0 {
            let Some(envelope) = self.batch.pop_front() else {
                break;
            };
            *budget -= 1;
            if self.take(envelope) {
                return true;
            }
            if !self.timers.is_empty() {
                break;
            }
        }
        false
    }

    /// Hands one message to the machine; whether the machine has work to carry out or the
    /// server is doomed (then [`Running::drive`] does it). Not `async`: most messages need
    /// no driving.
    fn take(&mut self, envelope: Envelope<S>) -> bool {
        self.cell.took(&envelope);
        // What a recording notes, once it is known that a callback takes it (a cancelled
        // timer, a `Down` of a removed monitor, an exit signal not trapped: nothing).
        let input = self.tape.as_ref().and_then(|_| envelope.input());
        match envelope {
            Envelope::Call { request, from } => {
                self.note(input);
                // A reply that is all the call left is delivered here, without a pump,
                // unless a doom came meanwhile (then it is abandoned, as a pump's would be).
                if let Some((token, reply)) = self.process.call_at_once(request, from) {
                    self.carry_out_all([Action::Settle(Settle::Answer(token, reply))]);
                }
            }
            Envelope::Cast(msg, _) => {
                self.note(input);
                self.process.cast(msg);
            }
            Envelope::Info(msg, _) => {
                self.note(input);
                self.process.info(msg);
            }
            Envelope::Inspect(inspect) => inspect(Ok(self.process.state_mut())),
            Envelope::OnExit(at_exit) => self.at_exit.push(at_exit),
            Envelope::Stop { reason, done } => {
                self.process.stop(*reason);
                self.stop_waiters.push(done);
            }
            Envelope::Down(down) => {
                // A `Down` of a monitor removed meanwhile is dropped (rule 4 of `crate::rules`).
                if self.monitors.remove(&down.monitor).is_some() {
                    self.note(input);
                    self.process.down(*down);
                }
            }
            Envelope::Exit { signal, via_link } => {
                // Rule 2 with the trap flag of now (the server may have stopped trapping
                // since); a link's signal that arrives after an unlink is dropped (rule 4).
                let arrival = self.rt.table().receive(self.cell.id, &signal, via_link);
                match arrival {
                    Arrival::Trap => {
                        self.note(input);
                        self.process.exit_signal(*signal);
                    }
                    Arrival::Exit(reason) => self.process.halt(reason),
                    Arrival::Void | Arrival::Ignore | Arrival::Kill => {}
                }
            }
            Envelope::Misfit(misfit) => {
                let Misfit { reason, call } = *misfit;
                // The caller learns at once; the server stops as if the callback panicked.
                if let Some(token) = call {
                    token.settle(Err(CallError::Exited(reason.clone())));
                }
                self.process.halt(reason);
            }
            Envelope::Timer(timer) => {
                if self.process.is_set(timer) {
                    self.note(input);
                }
                self.process.fire(timer);
            }
            Envelope::Flush(done) => {
                if let Some(tape) = &mut self.tape {
                    tape.publish();
                }
                done.complete(Ok(()));
            }
            Envelope::Wake => {}
        }
        // Every message, whatever it was, ends with a look at the doom (a kill may have come
        // meanwhile, even from the message itself: `update` can kill): `take_some` goes on
        // to the next message only if none came. Nothing to carry out (a cast that asked for
        // nothing): no pump.
        self.check_doom() || !self.process.is_settled()
    }

    /// Notes `input` on the recording tape, if there is one.
    fn note(&mut self, input: Option<Input>) {
        if let (Some(tape), Some(input)) = (&mut self.tape, input) {
            tape.take(input);
        }
    }

    /// Looks at the doom flag; once doomed, the server stops with the doom's reason and
    /// carries out nothing more. Returns whether it is doomed.
    pub(super) fn check_doom(&mut self) -> bool {
        if self.interrupted {
            return true;
        }
        if !self.cell.interrupt.is_doomed() {
            return false;
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
