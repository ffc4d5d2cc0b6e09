//! Generated workloads: clients whose calls are drawn from the model they are checked
//! against.

use std::fmt::Debug;
use std::sync::Arc;

use genserver::{GenServer, ServerRef};

use super::attach::Linearizable;
use super::generate::{GenRng, Generator, generate};
use super::model::Model;
use crate::system::System;
use crate::world::World;

/// Spawns the user's servers and returns the one the clients call.
type Setup<S> = Arc<dyn Fn(&mut World) -> ServerRef<S> + Send + Sync>;

/// Makes a request of an operation.
type ToCall<M, S> = Arc<dyn Fn(&<M as Model>::Op) -> <S as GenServer>::Call + Send + Sync>;

/// Reads a reply as the model's output.
type FromReply<M, S> = Arc<dyn Fn(&<S as GenServer>::Reply) -> <M as Model>::Ret + Send + Sync>;

/// What a workload needs of its model: one it can send to the threads of a hunt, whose
/// operations and outputs it can copy and show.
pub trait WorkloadModel:
    Model<Op: Clone + Debug + Send + Sync + 'static, Ret: Clone + Debug + 'static>
    + Send
    + Sync
    + 'static
{
}

impl<M> WorkloadModel for M where
    M: Model<Op: Clone + Debug + Send + Sync + 'static, Ret: Clone + Debug + 'static>
        + Send
        + Sync
        + 'static
{
}

/// What a workload needs of the server its clients call: requests it can compare (a request
/// is read back as the operation whose call it equals).
pub trait WorkloadServer: GenServer<Call: PartialEq + Send> {}

impl<S: GenServer<Call: PartialEq + Send>> WorkloadServer for S {}

/// A system of generated clients: a sequential model, the user's servers, and each client's
/// operations drawn from the model by a seed. Every call is checked against the model
/// ([`World::linearizable`]), so a run fails when the history of calls is not linearizable
/// (nothing else needs writing by hand). A `Workload` is a [`System`]: [`crate::check`],
/// [`crate::Sim`], [`crate::hunt`] and [`crate::explore`] take it.
///
/// Give the model, how to spawn the servers (returning the one the clients call), how an
/// operation becomes a call and how a reply becomes the model's output; then the generators
/// ([`Workload::op`]: a weight and a closure that draws an operation from the model's
/// state, or `None` when its precondition does not hold), the number of clients and of
/// operations per client, and the workload's seed. The operations are a function of the seed
/// alone (drawn by a ChaCha RNG, see [`Workload::ops`]), so a run or a replay of the same
/// workload makes the same calls. A request is read back as the operation whose call it
/// equals, so `call` must give different operations different calls.
///
/// Preconditions see the state of one sequential order of the operations (the clients
/// drawing in turn), as in QuickCheck's generation: a run interleaves the clients otherwise,
/// so a precondition that keeps a server from an error in that order may not in another.
///
/// A hunt varies the schedule, not the operations: hunt several seeds of the workload for
/// more variety. [`Workload::shrink`] cuts a failing run down to fewer operations and then
/// fewer steps.
///
/// ```
/// use genserver_sim::linearize::Workload;
/// use genserver_sim::zoo::stale_cache::{KvCall, KvModel, KvReply, servers};
/// use genserver_sim::{FailureKind, Sim, World};
/// use rand::RngExt;
///
/// // The zoo's cache in front of its store (your own servers here), checked against a
/// // key-value model, with three clients of four operations drawn from it.
/// let fenced = false;
/// let workload = Workload::new(
///     KvModel::default(),
///     move |world: &mut World| servers(world, fenced),
///     KvCall::clone,
///     KvReply::clone,
/// )
/// .op(2, |_, rng| Some(KvCall::Get(rng.random_range(1..=2))))
/// .op(1, |_, rng| Some(KvCall::Put(rng.random_range(1..=2), rng.random_range(1..=9))))
/// .clients(3)
/// .ops_per_client(4)
/// .seed(1);
/// assert_eq!(workload.ops().len(), 3);
///
/// let found = Sim::new(&workload).runs(1_000).hunt().found.expect("the stale read");
/// assert_eq!(found.failure().unwrap().kind, FailureKind::Linearizability);
/// let shrunk = workload.shrink(found.trace.as_ref().unwrap()).unwrap().unwrap();
/// assert!(shrunk.operations() <= 4);
/// ```
pub struct Workload<M: Model, S: GenServer> {
    name: String,
    initial: M,
    setup: Setup<S>,
    call: ToCall<M, S>,
    reply: FromReply<M, S>,
    generators: Vec<(u32, Generator<M>)>,
    clients: usize,
    per_client: usize,
    seed: u64,
    /// Operations given rather than drawn (a shrunk workload), by client index.
    given: Option<Vec<Vec<M::Op>>>,
}

impl<M: Model, S: GenServer> Clone for Workload<M, S>
where
    M::Op: Clone,
{
    fn clone(&self) -> Self {
        Workload {
            name: self.name.clone(),
            initial: self.initial.clone(),
            setup: Arc::clone(&self.setup),
            call: Arc::clone(&self.call),
            reply: Arc::clone(&self.reply),
            generators: self.generators.clone(),
            clients: self.clients,
            per_client: self.per_client,
            seed: self.seed,
            given: self.given.clone(),
        }
    }
}

impl<M: WorkloadModel, S: WorkloadServer> Workload<M, S> {
    /// A workload checked against `initial`, calling the server `setup` spawns (and
    /// returns); `call` makes an operation a request, `reply` a reply the model's output.
    /// Two clients of one operation each, no generator yet, seed 0.
    pub fn new(
        initial: M,
        setup: impl Fn(&mut World) -> ServerRef<S> + Send + Sync + 'static,
        call: impl Fn(&M::Op) -> S::Call + Send + Sync + 'static,
        reply: impl Fn(&S::Reply) -> M::Ret + Send + Sync + 'static,
    ) -> Self {
        Workload {
            name: "workload".to_owned(),
            initial,
            setup: Arc::new(setup),
            call: Arc::new(call),
            reply: Arc::new(reply),
            generators: Vec::new(),
            clients: 2,
            per_client: 1,
            seed: 0,
            given: None,
        }
    }

    /// Adds a generator drawn with weight `weight` (against the others' weights): it draws
    /// an operation from the model's state, or returns `None` when its precondition does not
    /// hold (another generator is drawn then).
    pub fn op(
        mut self,
        weight: u32,
        generator: impl Fn(&M, &mut GenRng) -> Option<M::Op> + Send + Sync + 'static,
    ) -> Self {
        self.generators.push((weight, Arc::new(generator)));
        self
    }

    /// How many clients call the server (`client-1`, `client-2`, …).
    pub fn clients(mut self, clients: usize) -> Self {
        self.clients = clients;
        self
    }

    /// How many operations each client makes, one after the other.
    pub fn ops_per_client(mut self, ops: usize) -> Self {
        self.per_client = ops;
        self
    }

    /// The seed the operations are drawn by.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Names the system (traces, reports) and its linearizability check.
    pub fn name(mut self, name: &str) -> Self {
        self.name = name.to_owned();
        self
    }

    /// Each client's operations, in order (index 0 is `client-1`): drawn by the seed, the
    /// clients drawing in turn from one model so that each precondition sees the state the
    /// operations drawn before it leave; or the operations given to a shrunk workload.
    pub fn ops(&self) -> Vec<Vec<M::Op>> {
        match &self.given {
            Some(ops) => ops.clone(),
            None => generate(
                &self.initial,
                &self.generators,
                self.clients,
                self.per_client,
                self.seed,
            ),
        }
    }

    /// The same workload with these operations instead of drawn ones (index 0 is
    /// `client-1`; a client given none is left out, the others keep their names).
    pub fn with_ops(&self, ops: Vec<Vec<M::Op>>) -> Self {
        Workload {
            given: Some(ops),
            ..self.clone()
        }
    }
}

impl<M: WorkloadModel, S: WorkloadServer> System for Workload<M, S> {
    fn build(&self, world: &mut World) {
        let server = (self.setup)(world);
        let ops = self.ops();
        let requests: Vec<(S::Call, M::Op)> = (ops.iter().flatten())
            .map(|op| ((self.call)(op), op.clone()))
            .collect();
        let reply = Arc::clone(&self.reply);
        let model = Linearizable::new(self.initial.clone()).server(
            server,
            move |request| {
                let found = requests.iter().find(|(call, _)| call == request);
                found.map(|(_, op)| op.clone())
            },
            move |answer| reply(answer),
        );
        world.linearizable(&self.name, model);
        for (index, client_ops) in ops.into_iter().enumerate() {
            if client_ops.is_empty() {
                continue;
            }
            let call = Arc::clone(&self.call);
            world.client(&format!("client-{}", index + 1), async move |cx| {
                for op in &client_ops {
                    cx.call(server, call(op)).await?;
                }
                Ok(())
            });
        }
    }

    fn name(&self) -> &str {
        &self.name
    }
}
