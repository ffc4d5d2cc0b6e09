//! Copies of a world, for stateful search: a state is restored from a copy instead of being
//! reached again by replaying the run that found it.
//!
//! Servers are copied as values (their types opted in with [`World::clone_state`]), and so
//! are the messages in flight ([`Cloners`] copies the message types of those servers), the
//! calls in flight and the reply tokens servers hold (a copy's tokens answer the copy's
//! calls: `genserver::engine::forking` and the reply cells' own copies). A client is an
//! `async` body, which cannot be copied: a copy shares the list of what the clients were
//! given (`client_log.rs`), and a fresh body of each client is handed the same inputs in the
//! same order ([`World::revive`]); until then a copied client has no body.

use std::any::{Any, TypeId};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use genserver::engine::forking;
use genserver::{AnyMessage, GenServer, Message, ServerRef};

use crate::world::client_log::ClientLog;
use crate::world::envelope::CallOutcome;
use crate::world::reply_cells::copying_cells;
use crate::world::typed_server::{SlotCopier, copy_slot};
use crate::world::{Proc, ProcKind, World};

/// Copies a message of one type, handed over erased.
type MessageCopier = fn(&dyn Message) -> AnyMessage;

/// How to copy the servers and messages of the types a system opted in.
#[derive(Clone, Default)]
pub(crate) struct Cloners {
    messages: BTreeMap<TypeId, MessageCopier>,
    /// A `SlotCopier<S>` for each server type `S`.
    servers: BTreeMap<TypeId, Rc<dyn Any>>,
}

/// A server that stateful search can copy: its state and every message type are `Clone`
/// (and a clone shares no mutable data with the original). Implemented for every such
/// server; see [`World::clone_state`].
pub trait Copyable:
    GenServer<Call: Clone, Cast: Clone, Info: Clone, Reply: Clone, Continue: Clone> + Clone
{
}

impl<S> Copyable for S where
    S: GenServer<Call: Clone, Cast: Clone, Info: Clone, Reply: Clone, Continue: Clone> + Clone
{
}

/// How many ways of copying a thread keeps for its next worlds, at most.
const KEPT_CLONERS: usize = 16;

/// Cloners a thread made: the server types known before, the type added, and the result.
type Made = (Vec<TypeId>, TypeId, Rc<Cloners>);

thread_local! {
    /// The cloners this thread's worlds made (a system builds the same ones at every run).
    static MADE: RefCell<Vec<Made>> = const { RefCell::new(Vec::new()) };
}

impl Cloners {
    /// `cloners` that also copy servers of type `S` and their messages: the cloners this
    /// thread made before from the same server types, if it kept them (what a `Cloners`
    /// holds follows from its server types alone, so any made from them is the same).
    pub fn with_server<S: Copyable>(cloners: &Rc<Cloners>) -> Rc<Cloners> {
        let added = TypeId::of::<S>();
        if cloners.knows(added) {
            return Rc::clone(cloners);
        }
        let made = MADE.with(|made| {
            let made = made.borrow();
            let mut same = made.iter().filter(|(_, a, _)| *a == added);
            let same = same.find(|(known, _, _)| known.iter().eq(cloners.servers.keys()));
            same.map(|(_, _, result)| Rc::clone(result))
        });
        if let Some(made) = made {
            return made;
        }
        let mut result = Rc::clone(cloners);
        Rc::make_mut(&mut result).add_server::<S>();
        MADE.with(|made| {
            let mut made = made.borrow_mut();
            if made.len() < KEPT_CLONERS {
                let known = cloners.servers.keys().copied().collect();
                made.push((known, added, Rc::clone(&result)));
            }
        });
        result
    }

    /// Learns to copy servers of type `S` and their messages.
    pub fn add_server<S: Copyable>(&mut self) {
        let copier: SlotCopier<S> = copy_slot::<S>;
        self.servers.insert(TypeId::of::<S>(), Rc::new(copier));
        self.add_message::<S::Call>();
        self.add_message::<S::Cast>();
        self.add_message::<S::Info>();
        self.add_message::<S::Reply>();
    }

    fn add_message<T: Message + Clone>(&mut self) {
        self.messages.insert(TypeId::of::<T>(), copy_as::<T>);
    }

    /// Whether servers of type `id` can be copied.
    pub fn knows(&self, id: TypeId) -> bool {
        self.servers.contains_key(&id)
    }

    /// Whether no server type can be copied.
    pub fn is_empty(&self) -> bool {
        self.servers.is_empty()
    }

    /// The copier registered for the server type `id`, if it is a `T`.
    pub fn server<T: Copy + 'static>(&self, id: TypeId) -> Option<T> {
        self.servers.get(&id)?.downcast_ref::<T>().copied()
    }

    /// A copy of `msg`, if its type is known.
    pub fn copy(&self, msg: &AnyMessage) -> Option<AnyMessage> {
        let erased: &dyn Message = &**msg;
        let any: &dyn Any = erased;
        let copier = self.messages.get(&any.type_id())?;
        Some(copier(erased))
    }

    /// A copy of a call's outcome, if its reply's type is known.
    pub fn copy_outcome(&self, outcome: &CallOutcome) -> Option<CallOutcome> {
        match outcome {
            Ok(reply) => Some(Ok(self.copy(reply)?)),
            Err(error) => Some(Err(error.clone())),
        }
    }
}

/// Whether `proc` is a client.
fn is_client(proc: &Proc) -> bool {
    matches!(proc.kind, ProcKind::Client(_))
}

/// Copies a message known to be a `T`.
fn copy_as<T: Message + Clone>(msg: &dyn Message) -> AnyMessage {
    let any: &dyn Any = msg;
    Box::new(
        any.downcast_ref::<T>()
            .expect("registered under its type")
            .clone(),
    )
}

impl World {
    /// Lets exhaustive search copy servers of `server`'s type (every one, children started
    /// later included: their states, timers' messages, continuations, the calls they hold)
    /// and the messages sent to them, to restore a state from a copy instead of replaying
    /// the run that reached it: a search then runs several times faster. A state holding
    /// something that cannot be copied (a server of another type, a server blocked in a call
    /// of its own) is reached by replay, as without this call. Pair it with
    /// [`World::hash_state`]. Runtime users never need this.
    ///
    /// ```
    /// use genserver_sim::World;
    /// use genserver_sim::zoo::counter::Counter;
    ///
    /// fn build(world: &mut World) {
    ///     let counter = world.spawn::<Counter>("counter", 0);
    ///     world.hash_state(counter);
    ///     world.clone_state(counter);
    /// }
    /// ```
    pub fn clone_state<S: Copyable>(&mut self, server: ServerRef<S>) {
        let _ = server;
        self.clone_servers::<S>();
    }

    /// [`World::clone_state`] for servers of type `S` without one at hand: children a
    /// supervisor or another server starts later.
    pub fn clone_servers<S: Copyable>(&mut self) {
        self.cloners = Cloners::with_server::<S>(&self.cloners);
    }

    /// Makes clients keep their inputs, so that copies of this world can bring them back.
    pub(crate) fn keep_client_logs(&mut self) {
        if self.cloners.is_empty() {
            return; // No copy will ever be made.
        }
        let mut new_log = ClientLog::for_world(&self.cloners);
        for proc in &mut self.procs {
            if let ProcKind::Client(client) = &mut proc.kind {
                client.log = Some(new_log());
            }
        }
    }

    /// A copy of this world between two steps, its clients without bodies (see
    /// [`World::revive`]); `None` if something in it cannot be copied.
    pub(crate) fn fork(&self) -> Option<Box<World>> {
        let copyable = |proc: &Proc| match &proc.kind {
            ProcKind::Server(server) => self.cloners.knows(server.server_type()),
            ProcKind::Client(_) => true,
        };
        if !self.starting.is_empty() || !self.procs.iter().all(copyable) {
            return None;
        }
        forking(|| copying_cells(|| self.copy_parts())).flatten()
    }

    fn copy_parts(&self) -> Option<Box<World>> {
        let cloners = &*self.cloners;
        let mut copy_log = (self.client_log()).map(ClientLog::copier);
        let mut procs = Vec::with_capacity(self.procs.len());
        for proc in &self.procs {
            let kind = match &proc.kind {
                ProcKind::Server(server) => ProcKind::Server(server.fork(cloners)?),
                ProcKind::Client(client) => ProcKind::Client(client.copy(copy_log.as_mut())?),
            };
            let name = proc.name.clone();
            procs.push(Proc { name, kind });
        }
        let mut cells = Vec::with_capacity(self.cells.len() + 1);
        for (caller, tag, cell) in &self.cells {
            cells.push((*caller, *tag, cell.copy()?));
        }
        Some(Box::new(World {
            procs,
            net: self.net.copy(cloners)?,
            deadlines: self.deadlines.clone(),
            deadline_seq: self.deadline_seq,
            pending: self.pending.clone(),
            waiting: self.waiting.clone(),
            cells,
            requests: Vec::new(),
            ready: Vec::new(),
            enabled: Vec::new(),
            now: self.now,
            step: self.step,
            max_steps: self.max_steps,
            extra_steps: self.extra_steps,
            over_budget: self.over_budget,
            naming: self.naming.clone(),
            log: self.log.clone(),
            invariants: self.invariants.clone(),
            final_checks: self.final_checks.clone(),
            eventually: self.eventually.clone(),
            server_started_waiting: self.server_started_waiting,
            faults: self.faults.clone(),
            faults_used: self.faults_used,
            lives: self.lives.clone(),
            limits: self.limits.clone(),
            latency: self.latency,
            max_latency: self.max_latency,
            failure: self.failure.clone(),
            // The search keeps the footprints of the steps so far on its own stack.
            touches: self.touches.as_ref().map(|_| Vec::new()),
            touched_from: usize::try_from(self.step).expect("steps fit in memory"),
            touch: self.touch.clone(),
            visible: RefCell::new(self.visible.borrow().clone()),
            watching: Cell::new(self.watching.get()),
            kernel: self.kernel.clone(),
            starting: Vec::new(),
            cloners: Rc::clone(&self.cloners),
            symmetry: self.symmetry.clone(),
            operations: self.operations.clone(),
            inputs: self.inputs.clone(),
            lean: false,
            lean_read: Cell::new(false),
        }))
    }

    /// The log of the inputs the world's clients were given, if they keep one.
    fn client_log(&self) -> Option<&ClientLog> {
        (self.procs.iter()).find_map(|proc| match &proc.kind {
            ProcKind::Client(client) => client.log.as_ref(),
            ProcKind::Server(_) => None,
        })
    }

    /// Whether `fresh` has a client of the same name wherever this world has one (the
    /// bodies a revival takes).
    pub(crate) fn fits(&self, fresh: &World) -> bool {
        self.procs.iter().enumerate().all(|(index, proc)| {
            let body = fresh.procs.get(index).filter(|p| p.name == proc.name);
            !is_client(proc) || body.is_some_and(is_client)
        })
    }

    /// The world in the state of `copy` (made by [`World::fork`]). If it has clients, they
    /// are fresh bodies from `fresh(copy)` (the system's world, built again, lean or not,
    /// that [`World::fits`] the copy) handed, in the order they were given, the inputs the
    /// copied clients were given; its checks are that world's too (checks and clients may
    /// share data, which copies must not share). `None` if `fresh` gives none, or if a
    /// client does not come back to where it was (it is not deterministic). A copy kept for
    /// later is copied first (`World::fork`).
    pub(crate) fn revive(
        copy: Box<World>,
        fresh: impl FnOnce(&World) -> Option<Box<World>>,
    ) -> Option<Box<World>> {
        let mut world = copy;
        if !world.procs.iter().any(is_client) {
            return Some(world);
        }
        let mut fresh = fresh(&world)?;
        let mut finished = vec![false; world.procs.len()];
        // The fresh world's list has room (a copy's has none): polls lend it, and the
        // revived world keeps it.
        let mut requests = std::mem::take(&mut fresh.requests);
        if let Some(log) = world.client_log() {
            log.each_given(|client, given| {
                let index = usize::try_from(client.0).ok()?.checked_sub(1)?;
                let ProcKind::Client(body) = &mut fresh.procs.get_mut(index)?.kind else {
                    return None;
                };
                if body.replay(given, &world.cloners, &mut requests)? {
                    finished[index] = true;
                }
                Some(())
            })?;
        }
        world.requests = requests;
        world.invariants = std::mem::take(&mut fresh.invariants);
        world.final_checks = std::mem::take(&mut fresh.final_checks);
        world.eventually = std::mem::take(&mut fresh.eventually);
        for ((proc, new), finished) in world
            .procs
            .iter_mut()
            .zip(std::mem::take(&mut fresh.procs))
            .zip(finished)
        {
            if let (ProcKind::Client(copied), ProcKind::Client(body)) = (&mut proc.kind, new.kind) {
                if finished != copied.is_done() {
                    return None;
                }
                copied.take_body(body);
            }
        }
        Some(world)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use crate::drive::run::built;
    use crate::system::System;
    use crate::world::World;
    use crate::zoo::counter::{Counter, CounterCall};

    /// Two clients that note every value they read in one journal, which every build of
    /// the system makes anew (and the test keeps, to look at it).
    #[derive(Default)]
    struct Noting {
        journals: Mutex<Vec<Arc<Mutex<Vec<String>>>>>,
    }

    impl Noting {
        fn journal(&self, build: usize) -> Vec<String> {
            let journals = self.journals.lock().unwrap();
            journals[build].lock().unwrap().clone()
        }
    }

    impl System for Noting {
        fn build(&self, world: &mut World) {
            let journal = Arc::new(Mutex::new(Vec::new()));
            self.journals.lock().unwrap().push(Arc::clone(&journal));
            let counter = world.spawn::<Counter>("counter", 0);
            world.clone_state(counter);
            for name in ["a", "b"] {
                let journal = Arc::clone(&journal);
                world.client(name, async move |cx| {
                    for _ in 0..2 {
                        let value = cx.call(counter, CounterCall::Increment).await?;
                        journal.lock().unwrap().push(format!("{name} {value}"));
                    }
                    Ok(())
                });
            }
        }
    }

    /// Runs `world` on, taking the last event enabled at each step, until `until` holds.
    fn run_until(world: &mut World, until: impl Fn(&World) -> bool) {
        while !until(world) {
            let events = world.enabled();
            let last = *events.last().expect("the clients have not finished");
            world.execute(last);
        }
    }

    #[test]
    fn a_revived_copy_of_a_copy_brings_clients_sharing_data_back_to_where_it_was_made() {
        let system = &Noting::default();
        let mut world = built(system, 0, None, 1_000, false, true);
        world.keep_client_logs();
        let noted = |n: usize| move |_: &World| system.journal(0).len() >= n;
        let both =
            |_: &World| ["a", "b"].map(|c| system.journal(0).iter().any(|l| l.starts_with(c)));
        run_until(&mut world, |w| both(w) == [true; 2]);
        let at_fork = system.journal(0);
        let copy = world.fork().expect("every part can be copied");
        // The original goes on (its clients give the shared list more inputs), and so does
        // a copy of the copy, once revived: neither may reach the other's clients.
        run_until(&mut world, noted(at_fork.len() + 1));
        let copy_of_copy = copy.fork().expect("a copy can be copied again");
        let fresh = |copy: &World| {
            Some(Box::new(built(system, 0, None, 1_000, false, true))).filter(|f| copy.fits(f))
        };
        let mut revived = World::revive(copy_of_copy, fresh).expect("deterministic clients");
        assert_eq!(
            system.journal(1),
            at_fork,
            "brought back to the fork, in order"
        );
        run_until(&mut revived, |w| w.view().clients_finished());
        let revived_run = system.journal(1);
        run_until(&mut world, |w| w.view().clients_finished());
        assert_eq!(revived_run.len(), 4);
        assert_eq!(revived_run[..at_fork.len()], at_fork[..]);
        assert_eq!(system.journal(0).len(), 4, "the original ran on alone");
        let revived_again = World::revive(copy, fresh).expect("the first copy too");
        assert_eq!(system.journal(2), at_fork);
        drop(revived_again);
    }
}
