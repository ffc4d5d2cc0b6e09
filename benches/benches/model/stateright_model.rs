//! The stateright 0.31 actor model: a counter server (actor 0) and N clients that each `get`
//! then `set(v + 1)`, over an ordered network.

use std::borrow::Cow;

use stateright::actor::{Actor, ActorModel, Id, Network, Out};
use stateright::{Checker, Expectation, Model};

/// The messages between clients and the server.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Msg {
    /// Read the value.
    Get,
    /// The value read.
    GetOk(i64),
    /// Replace the value.
    Set(i64),
    /// The value was replaced.
    SetOk,
}

/// The server or a client.
#[derive(Clone, Debug)]
pub enum CounterActor {
    /// The counter.
    Server,
    /// A client of the server with this id.
    Client(Id),
}

/// An actor's state: the server's value, or where a client stands (it forgets the value it
/// read once its `Set` is sent: the value travels in the message).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ActorState {
    /// The counter's value.
    Server(i64),
    /// Waiting for the reply to `Get`.
    Getting,
    /// Waiting for the reply to `Set`.
    Setting,
    /// Finished.
    Done,
}

impl Actor for CounterActor {
    type Msg = Msg;
    type State = ActorState;
    type Timer = ();
    type Random = ();
    type Storage = ();

    fn on_start(&self, _: Id, _: &Option<()>, o: &mut Out<Self>) -> ActorState {
        match self {
            CounterActor::Server => ActorState::Server(0),
            CounterActor::Client(server) => {
                o.send(*server, Msg::Get);
                ActorState::Getting
            }
        }
    }

    fn on_msg(&self, _: Id, state: &mut Cow<ActorState>, src: Id, msg: Msg, o: &mut Out<Self>) {
        match (self, msg) {
            (CounterActor::Server, Msg::Get) => {
                if let ActorState::Server(value) = **state {
                    o.send(src, Msg::GetOk(value));
                }
            }
            (CounterActor::Server, Msg::Set(value)) => {
                *state.to_mut() = ActorState::Server(value);
                o.send(src, Msg::SetOk);
            }
            (CounterActor::Client(server), Msg::GetOk(value)) => {
                o.send(*server, Msg::Set(value + 1));
                *state.to_mut() = ActorState::Setting;
            }
            (CounterActor::Client(_), Msg::SetOk) => *state.to_mut() = ActorState::Done,
            _ => {}
        }
    }
}

/// The model with `clients` clients; its configuration is the number of clients.
pub fn model(clients: usize) -> ActorModel<CounterActor, usize> {
    let server = Id::from(0);
    ActorModel::new(clients, ())
        .actor(CounterActor::Server)
        .actors((0..clients).map(|_| CounterActor::Client(server)))
        .init_network(Network::new_ordered([]))
        // Stateright stops once every property has a discovery, so with none it would stop
        // at once; this one holds, so the whole space is explored.
        .property(Expectation::Always, "value <= clients", |model, state| {
            state.actor_states.iter().all(|s| match **s {
                ActorState::Server(value) => value <= model.cfg as i64,
                _ => true,
            })
        })
}

/// Exhaustive BFS on one thread; the number of unique states.
pub fn unique_states(clients: usize) -> u64 {
    let checker = model(clients).checker().spawn_bfs().join();
    checker.unique_state_count() as u64
}

/// The same model written as a plain stateright [`Model`] whose state keeps the simulator's
/// two extra distinctions (client values, clients starting one at a time): stateright on the
/// simulator's state space, to compare speeds on spaces of equal size.
pub struct Refined {
    /// How many clients.
    pub clients: usize,
}

/// Where a client of [`Refined`] stands; the value it read is kept beside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Not started.
    Ready,
    /// `Get` travels to the server.
    Get,
    /// The reply to `Get` travels back.
    GetReply,
    /// `Set(v + 1)` travels to the server.
    Set,
    /// The reply to `Set` travels back.
    SetReply,
    /// Finished.
    Done,
}

/// A state of [`Refined`]: the counter's value, and every client's phase and value read.
pub type RefinedState = (i64, Vec<(Phase, i64)>);

impl Model for Refined {
    type State = RefinedState;
    type Action = usize;

    fn init_states(&self) -> Vec<RefinedState> {
        vec![(0, vec![(Phase::Ready, 0); self.clients])]
    }

    fn actions(&self, state: &RefinedState, actions: &mut Vec<usize>) {
        let open = state.1.iter().enumerate();
        actions.extend(open.filter(|(_, c)| c.0 != Phase::Done).map(|(i, _)| i));
    }

    fn next_state(&self, state: &RefinedState, client: usize) -> Option<RefinedState> {
        let (mut value, mut at) = state.clone();
        let (phase, read) = at[client];
        at[client] = match phase {
            Phase::Ready => (Phase::Get, 0),
            Phase::Get => (Phase::GetReply, value),
            Phase::GetReply => (Phase::Set, read),
            Phase::Set => {
                value = read + 1;
                (Phase::SetReply, read)
            }
            Phase::SetReply => (Phase::Done, read),
            Phase::Done => return None,
        };
        Some((value, at))
    }

    fn properties(&self) -> Vec<stateright::Property<Self>> {
        // As above: one property that holds, so that the whole space is explored.
        vec![stateright::Property::always(
            "value <= clients",
            |model: &Refined, state: &RefinedState| state.0 <= model.clients as i64,
        )]
    }
}

/// Exhaustive BFS of [`Refined`] on one thread; the number of unique states.
pub fn refined_unique_states(clients: usize) -> u64 {
    let checker = Refined { clients }.checker().spawn_bfs().join();
    checker.unique_state_count() as u64
}
