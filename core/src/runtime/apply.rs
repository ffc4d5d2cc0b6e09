//! Carrying out a callback's effects, in the order it recorded them.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use crate::message::AnyMessage;
use crate::runtime::server_loop::Running;
use crate::runtime::{PendingCall, ReplyLink, Spawner};
use crate::sync::Arc;
use crate::{
    CallError, CallTag, Effect, ExitReason, GenServer, ProcessId, StartError, Timeout, panic_text,
};

impl<S: GenServer> Running<S> {
    /// Applies effects; a panic on the way (a message of the wrong type for its receiver)
    /// stops the server like a panicking callback. Returns whether all went well.
    pub(super) fn apply_caught(&mut self, callback: &str, effects: Vec<Effect<S>>) -> bool {
        match catch_unwind(AssertUnwindSafe(|| self.apply(effects))) {
            Ok(()) => true,
            Err(panic) => {
                let text = panic_text(&*panic);
                let reason = ExitReason::Panic(format!("effects of {callback}: {text}"));
                self.stopping = Some(reason);
                false
            }
        }
    }

    /// Applies a callback's effects in the order it recorded them.
    fn apply(&mut self, effects: Vec<Effect<S>>) {
        let me = self.cell.id;
        for effect in effects {
            if self.crashed() || self.check_doom() {
                // Effects recorded after a crash, or reached after a kill, never happen.
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
                    if !self.check_doom() {
                        self.invoke("handle_info", move |s, ctx| {
                            s.handle_info(on_outcome(outcome), ctx)
                        });
                    }
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
                Effect::Monitor { monitor, target } => {
                    self.monitors.insert(monitor, target);
                    self.rt.table().monitor(me, monitor, target);
                }
                Effect::Demonitor(monitor) => {
                    if self.monitors.remove(&monitor).is_some() {
                        self.rt.table().demonitor(me, monitor);
                    }
                }
                Effect::Link(to) => self.rt.table().link(me, to),
                Effect::Unlink(to) => self.rt.table().unlink(me, to),
                Effect::TrapExits(on) => self.rt.table().set_trap(me, on),
                Effect::Exit { to, reason } => {
                    self.rt.table().exit_signal(to, me, reason)
                }
                Effect::Kill(to) => self.rt.table().kill(to),
                Effect::Start {
                    start,
                    options,
                    on_started,
                } => {
                    let mut spawner = Spawner::new(&self.rt);
                    // A panicking recipe (its argument closure) fails the start, not the
                    // starter, as in the simulator.
                    let outcome = catch_unwind(AssertUnwindSafe(|| start(&mut spawner, options)))
                        .unwrap_or_else(|panic| {
                            let text = format!("start: {}", panic_text(&*panic));
                            Err(StartError::Init(ExitReason::Panic(text)))
                        });
                    if !self.check_doom() {
                        self.invoke("handle_info", move |s, ctx| {
                            s.handle_info(on_started(outcome), ctx)
                        });
                    }
                }
            }
        }
    }

    /// A call this server makes: blocks, handling nothing else, until the outcome, or until
    /// a kill or an untrapped exit signal interrupts it (the caller then checks its doom).
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
        if !self.cell.interrupt.enter_call(&link) {
            return Err(CallError::Exited(ExitReason::Killed));
        }
        // A server that exited meanwhile fails the call through the link: one path for outcomes.
        inbox.call_any(
            self.cell.id,
            CallTag(self.next_tag),
            request,
            Arc::clone(&link),
        );
        let outcome = PendingCall::new(link).wait_timeout(timeout);
        self.cell.interrupt.leave_call();
        outcome
    }

    pub(super) fn due_timer(&mut self) -> Option<S::Info> {
        let (&(deadline, _), _) = self.timers.first_key_value()?;
        if deadline <= Instant::now() {
            self.timers.pop_first().map(|(_, msg)| msg)
        } else {
            None
        }
    }

    pub(super) fn until_next_timer(&self) -> Option<Duration> {
        let (&(deadline, _), _) = self.timers.first_key_value()?;
        Some(deadline.saturating_duration_since(Instant::now()))
    }
}
