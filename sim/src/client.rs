//! Clients in the simulator: `async` bodies polled step by step, in one thread, in virtual
//! time. A client's [`Cx`] writes its requests on a desk the world reads after each poll,
//! and the world leaves there what the client waits for (call outcomes, wake-ups).

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;

use genserver::{
    AnyMessage, CallError, CallTag, ClientEngine, ClientResult, Cx, ProcessId, Timeout,
};

use crate::envelope::CallOutcome;

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
    pub outcomes: BTreeMap<u64, CallOutcome>,
    pub woken: BTreeSet<u64>,
}

/// The engine behind a simulated client's [`Cx`].
struct SimClient(Rc<RefCell<Desk>>);

impl ClientEngine for SimClient {
    fn me(&self) -> ProcessId {
        self.0.borrow().me
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
        match self.0.borrow_mut().outcomes.remove(&ticket) {
            Some(outcome) => Poll::Ready(outcome),
            None => Poll::Pending,
        }
    }

    fn sleep(&self, ticket: u64, duration: Duration) {
        let sleep = Request::Sleep { ticket, duration };
        self.0.borrow_mut().requests.push(sleep);
    }

    fn poll_sleep(&self, ticket: u64) -> Poll<()> {
        match self.0.borrow_mut().woken.remove(&ticket) {
            true => Poll::Ready(()),
            false => Poll::Pending,
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
    /// The outcome of one of its calls.
    Outcome(CallTag, CallOutcome),
    /// The end of one of its sleeps.
    Wake(u64),
}

/// A client inside the world.
pub(crate) struct ClientProc {
    pub body: Pin<Box<dyn Future<Output = ClientResult>>>,
    pub desk: Rc<RefCell<Desk>>,
    pub state: ClientState,
    /// Its calls in flight: the world's tag → the client's ticket.
    pub calls: BTreeMap<CallTag, u64>,
    /// A hash of every input the client was given (its state follows from them).
    pub history: u64,
}

impl ClientProc {
    /// A client `me` that will run `body`.
    pub fn new(me: ProcessId, body: genserver::ClientBody) -> Self {
        let desk = Rc::new(RefCell::new(Desk {
            me,
            now: Duration::ZERO,
            registry: BTreeMap::new(),
            resolved: Vec::new(),
            requests: Vec::new(),
            outcomes: BTreeMap::new(),
            woken: BTreeSet::new(),
        }));
        let cx = Cx::new(Rc::new(SimClient(Rc::clone(&desk))));
        ClientProc {
            body: body(cx),
            desk,
            state: ClientState::Ready,
            calls: BTreeMap::new(),
            history: 0,
        }
    }

    /// Leaves `input` on the desk for the next poll; when `describe` is set, returns what
    /// it was in the client's own terms (its tickets, not the world's call numbers), for its
    /// history.
    pub fn hand(&mut self, input: Input, describe: bool) -> String {
        let mut desk = self.desk.borrow_mut();
        match input {
            Input::Start => "start".to_owned(),
            Input::Outcome(tag, outcome) => match self.calls.remove(&tag) {
                Some(ticket) => {
                    let text = match describe {
                        true => format!("call {ticket}: {outcome:?}"),
                        false => String::new(),
                    };
                    desk.outcomes.insert(ticket, outcome);
                    text
                }
                None => String::new(),
            },
            Input::Wake(ticket) => {
                desk.woken.insert(ticket);
                format!("wake {ticket}")
            }
        }
    }
}
