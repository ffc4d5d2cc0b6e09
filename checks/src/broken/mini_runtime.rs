//! A miniature of the runtime's call path, from pluggable parts: `Server::call_async` and
//! `PendingCall::wait` of core/src/runtime/handle.rs and pending.rs on the client side,
//! `serve`, `handle` and `exit` of core/src/runtime/server_loop.rs on the server side, with
//! the real [`ReplyTo`] token in between.
//!
//! The end-to-end loom models run against the real [`genserver::Runtime`]; this copy exists so
//! that the same models can be shown to reject a runtime assembled from a broken mailbox or
//! link, or one with a [`Flaw`] in its server loop. With the real parts and [`Flaw::None`] it
//! passes the same models as the runtime does.

use std::collections::VecDeque;
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind};

use genserver::{CallError, ExitReason, ReplyTo};

use crate::api::{LinkApi, MailboxApi, token_for};
use crate::sync::{Arc, thread};

/// A call request of the models' server.
#[derive(Debug)]
pub enum Request {
    /// Reply with the number plus one.
    Add(u32),
    /// Panic in the handler.
    Panic,
}

/// The message the models' handlers panic with (silenced by the models' panic hook).
pub const DELIBERATE_PANIC: &str = "deliberate panic in handle_call";

/// The models' call handler.
pub fn handle(request: Request) -> u32 {
    match request {
        Request::Add(n) => n + 1,
        Request::Panic => panic!("{DELIBERATE_PANIC}"),
    }
}

/// A deliberate flaw of the mini server loop, or none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flaw {
    /// As the runtime does it.
    None,
    /// BUG: a panicking handler is taken for "reply later": the call's token is parked with
    /// the deferred calls and the server goes on serving, so the caller waits for ever
    /// (GenServers.jl's known weakness, without even its 5 s timeout).
    KeepServingAfterPanic,
    /// BUG: on exit the server answers what it had received but forgets to close its mailbox:
    /// a call pushed after the exit is accepted and never answered (its token sits in the
    /// queue, alive, as long as a client handle keeps the mailbox).
    NoCloseOnExit,
}

/// What the mini server's mailbox carries.
pub enum Envelope<L> {
    /// A call and its reply token.
    Call {
        /// The request.
        request: Request,
        /// Where the reply goes.
        from: ReplyTo<u32>,
    },
    /// Stop, then complete `done`.
    Stop {
        /// Completed once the server has exited.
        done: Arc<L>,
    },
}

/// The client's handle on a mini server with mailbox `M` and reply links `L`.
pub struct MiniServer<M, L> {
    mailbox: Arc<M>,
    link: PhantomData<fn() -> L>,
}

impl<M, L> Clone for MiniServer<M, L> {
    fn clone(&self) -> Self {
        MiniServer {
            mailbox: Arc::clone(&self.mailbox),
            link: PhantomData,
        }
    }
}

impl<M, L> MiniServer<M, L>
where
    M: MailboxApi<Envelope<L>>,
    L: LinkApi<u32>,
{
    /// Spawns the server thread (through the checks' shim: a loom thread under loom).
    pub fn start(flaw: Flaw) -> Self {
        let mailbox = Arc::new(M::new());
        let server = Arc::clone(&mailbox);
        drop(thread::spawn(move || serve::<M, L>(&server, flaw)));
        MiniServer {
            mailbox,
            link: PhantomData,
        }
    }

    /// Calls the server and waits for the outcome.
    pub fn call(&self, request: Request) -> Result<u32, CallError> {
        let link = Arc::new(L::new());
        let from = token_for(&link);
        match self.mailbox.push(Envelope::Call { request, from }) {
            Ok(()) => link.wait(),
            Err(refused) => {
                drop(refused);
                let _ = link.abandon();
                Err(CallError::NoProcess)
            }
        }
    }

    /// Stops the server and waits until it has exited.
    pub fn stop(&self) -> Result<(), CallError> {
        let done = Arc::new(L::new());
        let envelope = Envelope::Stop {
            done: Arc::clone(&done),
        };
        if self.mailbox.push(envelope).is_err() {
            return Err(CallError::NoProcess);
        }
        done.wait().map(drop)
    }
}

fn serve<M, L>(mailbox: &M, flaw: Flaw)
where
    M: MailboxApi<Envelope<L>>,
    L: LinkApi<u32>,
{
    let mut batch = VecDeque::new();
    let mut deferred: Vec<ReplyTo<u32>> = Vec::new();
    let mut stop_waiters = Vec::new();
    let reason = loop {
        let Some(envelope) = batch.pop_front() else {
            mailbox.recv_into(&mut batch);
            continue;
        };
        match envelope {
            Envelope::Call { request, from } => {
                let token = from.clone();
                // The handler owns `from`, as in the runtime: a panic drops that copy.
                let handled = catch_unwind(AssertUnwindSafe(move || {
                    let _from = from;
                    handle(request)
                }));
                match handled {
                    Ok(reply) => {
                        token.reply(reply);
                    }
                    Err(_) if flaw == Flaw::KeepServingAfterPanic => deferred.push(token),
                    Err(_) => {
                        let reason = ExitReason::Panic(format!("handle_call: {DELIBERATE_PANIC}"));
                        token.fail(CallError::Exited(reason.clone()));
                        break reason;
                    }
                }
            }
            Envelope::Stop { done } => {
                stop_waiters.push(done);
                break ExitReason::Normal;
            }
        }
    };
    let leftovers = if flaw == Flaw::NoCloseOnExit {
        VecDeque::new()
    } else {
        mailbox.close()
    };
    for envelope in batch.drain(..).chain(leftovers) {
        match envelope {
            Envelope::Call { from, .. } => {
                from.fail(CallError::Exited(reason.clone()));
            }
            Envelope::Stop { done } => {
                done.complete(Ok(0));
            }
        }
    }
    for token in deferred {
        token.fail(CallError::Exited(reason.clone()));
    }
    for done in stop_waiters {
        done.complete(Ok(0));
    }
}
