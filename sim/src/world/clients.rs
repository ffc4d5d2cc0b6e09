//! Clients in the simulator: `async` bodies polled step by step, in one thread, in virtual
//! time. A client's [`Cx`] writes its requests on a desk the world reads after each poll,
//! and the world leaves there what the client waits for (call outcomes, wake-ups).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::hash::{Hash, Hasher};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use genserver::engine::ClientEngine;
use genserver::{AnyMessage, CallError, CallTag, ClientResult, Cx, ProcessId, Timeout};

use crate::world::client_log::{ClientLog, Given};
use crate::world::envelope::CallOutcome;
use crate::world::erased_server::{guarded, hash_fmt};
use crate::world::fork::Cloners;
use crate::world::step::mix;

/// What a client's poll asked for.
pub(crate) enum Request {
    Cast {
        to: ProcessId,
        msg: AnyMessage,
    },
    Call {
        ticket: u64,
        to: ProcessId,
        request: AnyMessage,
        timeout: Timeout,
    },
    Sleep {
        ticket: u64,
        duration: Duration,
    },
}

/// What passes between a client and the world: requests one way, outcomes the other.
pub(crate) struct Desk {
    pub me: ProcessId,
    pub now: Duration,
    pub registry: BTreeMap<String, ProcessId>,
    /// The names the poll resolved, and what they resolved to (its order against name
    /// changes then matters, and its state depends on the answers).
    pub resolved: Vec<(String, Option<ProcessId>)>,
    pub requests: Vec<Request>,
    /// Outcomes waiting to be read, by ticket (a few at most: a list).
    pub outcomes: Vec<(u64, CallOutcome)>,
    /// Sleeps that are over, by ticket.
    pub woken: Vec<u64>,
    /// Tickets handed out so far.
    pub tickets: u64,
}

/// The engine behind a simulated client's [`Cx`]: its desk, shared with the world.
pub(crate) struct SimClient(RefCell<Desk>);

impl ClientEngine for SimClient {
    fn me(&self) -> ProcessId {
        self.0.borrow().me
    }

    fn ticket(&self) -> u64 {
        let mut desk = self.0.borrow_mut();
        desk.tickets += 1;
        desk.tickets - 1
    }

    fn now(&self) -> Duration {
        self.0.borrow().now
    }

    fn whereis(&self, name: &str) -> Option<ProcessId> {
        let mut desk = self.0.borrow_mut();
        let id = desk.registry.get(name).copied();
        desk.resolved.push((name.to_owned(), id));
        id
    }

    fn cast(&self, to: ProcessId, msg: AnyMessage) {
        self.0.borrow_mut().requests.push(Request::Cast { to, msg });
    }

    fn call(&self, ticket: u64, to: ProcessId, request: AnyMessage, timeout: Timeout) {
        let call = Request::Call {
            ticket,
            to,
            request,
            timeout,
        };
        self.0.borrow_mut().requests.push(call);
    }

    fn poll_call(&self, ticket: u64) -> Poll<Result<AnyMessage, CallError>> {
        let mut desk = self.0.borrow_mut();
        match desk.outcomes.iter().position(|(t, _)| *t == ticket) {
            Some(index) => Poll::Ready(desk.outcomes.swap_remove(index).1),
            None => Poll::Pending,
        }
    }

    fn sleep(&self, ticket: u64, duration: Duration) {
        let sleep = Request::Sleep { ticket, duration };
        self.0.borrow_mut().requests.push(sleep);
    }

    fn poll_sleep(&self, ticket: u64) -> Poll<()> {
        let mut desk = self.0.borrow_mut();
        match desk.woken.iter().position(|t| *t == ticket) {
            Some(index) => {
                desk.woken.swap_remove(index);
                Poll::Ready(())
            }
            None => Poll::Pending,
        }
    }

    fn forget(&self, _: u64) {
        // The world still delivers the outcome (it is traced); nobody reads it.
    }
}

/// Where a client stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ClientState {
    /// Not started yet: its start is enabled.
    Ready,
    /// Started: it runs again when something it waits for comes.
    Running,
    /// Finished.
    Done,
}

/// What wakes a client up.
pub(crate) enum Input {
    /// Its start.
    Start,
    /// The outcome of one of its calls, and the payload text of the reply that brought it,
    /// if rendered already.
    Outcome(CallTag, CallOutcome, Option<Rc<str>>),
    /// The end of one of its sleeps.
    Wake(u64),
}

/// Why a client without a body is never polled nor handed anything.
const NOT_REVIVED: &str = "a copied client is revived before it runs";

/// A client's code and the desk it shares with the world.
pub(crate) struct Live {
    body: Pin<Box<dyn Future<Output = ClientResult>>>,
    client: Rc<SimClient>,
}

/// A client inside the world.
pub(crate) struct ClientProc {
    pub me: ProcessId,
    /// Its body: `None` in a copy of a world until [`ClientProc::take_body`] brings a fresh
    /// one (a future cannot be copied).
    live: Option<Live>,
    pub state: ClientState,
    /// Its calls in flight: the world's tag → the client's ticket.
    pub calls: Vec<(CallTag, u64)>,
    /// A hash of every input the client was given (its state follows from them).
    pub history: u64,
    /// Its handle on the list of what the world's clients were given, when the world is to
    /// be copied.
    pub log: Option<ClientLog>,
}

impl ClientProc {
    /// A client `me` that will run `body`.
    pub fn new(me: ProcessId, body: impl AsyncFnOnce(Cx) -> ClientResult + 'static) -> Self {
        let client = Rc::new(SimClient(RefCell::new(Desk {
            me,
            now: Duration::ZERO,
            registry: BTreeMap::new(),
            resolved: Vec::new(),
            requests: Vec::new(),
            outcomes: Vec::new(),
            woken: Vec::new(),
            tickets: 0,
        })));
        let cx = Cx::new(client.clone());
        let live = Live {
            body: Box::pin(async move { body(cx).await }),
            client,
        };
        ClientProc {
            me,
            live: Some(live),
            state: ClientState::Ready,
            calls: Vec::new(),
            history: 0,
            log: None,
        }
    }

    /// Whether its body returned.
    pub fn is_done(&self) -> bool {
        self.state == ClientState::Done
    }

    /// Leaves the outcome of the call with `ticket` on the desk.
    pub fn put_outcome(&mut self, ticket: u64, outcome: CallOutcome) {
        if let Some(log) = &mut self.log {
            match log.cloners.copy_outcome(&outcome) {
                Some(copy) => log.record(self.me, Given::Outcome(ticket, Rc::new(copy))),
                None => log.broken = true,
            }
        }
        self.desk().outcomes.push((ticket, outcome));
    }

    /// Leaves the end of the sleep `ticket` on the desk.
    fn put_woken(&mut self, ticket: u64) {
        if let Some(log) = &mut self.log {
            log.record(self.me, Given::Woken(ticket));
        }
        self.desk().woken.push(ticket);
    }

    /// Sets the time and the names the next poll sees.
    pub fn before_poll(&mut self, now: Duration, registry: BTreeMap<String, ProcessId>) {
        if let Some(log) = &mut self.log {
            let registry = registry.clone();
            log.record(self.me, Given::Poll { now, registry });
        }
        let mut desk = self.desk();
        desk.now = now;
        desk.registry = registry;
    }

    /// Polls the body once (user code, guarded: a panic is its text).
    pub fn poll(&mut self) -> Result<Poll<ClientResult>, String> {
        let body = &mut self.live().body;
        guarded(|| body.as_mut().poll(&mut Context::from_waker(Waker::noop())))
    }

    /// A copy of what the client is, without its body (a future cannot be copied), its log
    /// made by `copy_log` (the copied world's): a client that started needs its log to be
    /// brought back ([`ClientProc::replay`]).
    pub fn copy(
        &self,
        copy_log: Option<&mut impl FnMut(&ClientLog) -> ClientLog>,
    ) -> Option<ClientProc> {
        let usable = match &self.log {
            Some(log) => !log.broken,
            None => self.state == ClientState::Ready,
        };
        usable.then(|| ClientProc {
            me: self.me,
            live: None,
            state: self.state,
            calls: self.calls.clone(),
            history: self.history,
            log: self.log.as_ref().zip(copy_log).map(|(log, copy)| copy(log)),
        })
    }

    /// Takes the body (and its desk) of `fresh`, a body brought to where this copy stands.
    pub fn take_body(&mut self, fresh: ClientProc) {
        self.live = fresh.live;
    }

    /// Its body and desk (a copy's client has them once revived, before it runs).
    fn live(&mut self) -> &mut Live {
        self.live.as_mut().expect(NOT_REVIVED)
    }

    /// Hands this fresh body one input it was given, as it was given; for a poll, returns
    /// whether the body returned (`None`: it panicked, or an outcome cannot be copied). A
    /// poll's requests go to `requests` (an empty list with room, lent for the poll and
    /// handed back emptied), where the world already has them.
    pub fn replay(
        &mut self,
        given: &Given,
        cloners: &Cloners,
        requests: &mut Vec<Request>,
    ) -> Option<bool> {
        match given {
            Given::Outcome(ticket, outcome) => {
                self.put_outcome(*ticket, cloners.copy_outcome(outcome)?);
            }
            Given::Woken(ticket) => self.put_woken(*ticket),
            Given::Poll { now, registry } => {
                self.before_poll(*now, registry.clone());
                self.desk().requests = std::mem::take(requests);
                let polled = self.poll();
                let mut desk = self.desk();
                *requests = std::mem::take(&mut desk.requests);
                requests.clear();
                desk.resolved.clear();
                return match polled {
                    Ok(Poll::Pending) => Some(false),
                    Ok(Poll::Ready(_)) => Some(true),
                    Err(_) => None,
                };
            }
        }
        Some(false)
    }

    /// Leaves `input` on the desk for the next poll; when handed at `now` (search: the
    /// client's state is hashed), folds what it was, in the client's own terms (its tickets,
    /// not the world's call numbers), into its history.
    pub fn hand(&mut self, input: Input, now: Option<Duration>) {
        match input {
            Input::Start => self.remember(now, format_args!("start")),
            Input::Outcome(tag, outcome, text) => {
                let Some(index) = self.calls.iter().position(|(t, _)| *t == tag) else {
                    return;
                };
                let ticket = self.calls.swap_remove(index).1;
                // A reply's text is its outcome's `Debug` for a value (`Ok(..)`), not for an
                // error (shown with its `Display`): an error is rendered as before.
                match text.filter(|_| outcome.is_ok()) {
                    Some(text) => self.remember(now, format_args!("call {ticket}: {text}")),
                    None => self.remember(now, format_args!("call {ticket}: {outcome:?}")),
                }
                self.put_outcome(ticket, outcome);
            }
            Input::Wake(ticket) => {
                self.put_woken(ticket);
                self.remember(now, format_args!("wake {ticket}"));
            }
        }
    }

    /// Folds `given`, handed at `now`, into the history (the text is hashed as it is
    /// rendered, never kept).
    fn remember(&mut self, now: Option<Duration>, given: fmt::Arguments<'_>) {
        if let Some(now) = now {
            self.history = mix(self.history, (Rendered(given), now));
        }
    }

    /// The desk the client shares with the world.
    pub fn desk(&self) -> std::cell::RefMut<'_, Desk> {
        self.live.as_ref().expect(NOT_REVIVED).client.0.borrow_mut()
    }
}

/// Text being rendered, hashed as its `String` would be (without building it).
struct Rendered<'a>(fmt::Arguments<'a>);

impl Hash for Rendered<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_fmt(state, self.0);
    }
}
